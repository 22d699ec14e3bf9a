"""What a finished run returns, on either engine."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunResult:
    """Totals of a finished run, and where its output went."""

    report: dict[str, Any]
    clean_texts: list[str] = field(default_factory=list)   # filled only in stdout mode

    @property
    def rejected(self) -> int:
        return self.report["documents"]["rejected"]
