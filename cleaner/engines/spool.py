"""The spool: what pass 1 makes of each input record (:class:`Outcome`), kept between passes.

One zstd-compressed JSON line per record, written atomically per batch (temporary name,
fsync, rename), so that a stopped run resumes from the batches that were finished.
"""
from __future__ import annotations

import io
import json
import os
from dataclasses import dataclass, field
from typing import Any, Iterator

from ..document import Document


@dataclass
class Outcome:
    """What pass 1 makes of one input record: a document (with a fingerprint) or a reject."""

    doc: Document | None = None
    fingerprint: Any = None
    reject: dict[str, Any] | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        if self.reject is not None:
            return {"reject": self.reject}
        fp = self.fingerprint.tolist() if hasattr(self.fingerprint, "tolist") else self.fingerprint
        return {"doc": self.doc.to_json(), "fp": fp, "t": self.seconds}  # type: ignore[union-attr]

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Outcome":
        if "reject" in d:
            return cls(reject=d["reject"])
        return cls(doc=Document.from_json(d["doc"]), fingerprint=d.get("fp"), seconds=d.get("t") or {})


def write_spool(path: str, lines: list[bytes]) -> None:
    """Write one batch's spool file atomically: temporary name, fsync, rename."""
    import zstandard
    tmp = path + ".tmp"
    with open(tmp, "wb") as raw:
        with zstandard.ZstdCompressor(level=1).stream_writer(raw, closefd=False) as out:
            for line in lines:
                out.write(line)
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(tmp, path)


def read_spool(path: str) -> Iterator[Outcome]:
    """The outcomes spooled in ``path`` by :func:`write_spool`, in order (one JSON line each)."""
    import zstandard
    with open(path, "rb") as raw:
        with io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(raw), encoding="utf-8") as fh:
            for line in fh:
                yield Outcome.from_json(json.loads(line))
