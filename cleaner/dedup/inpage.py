"""Duplicates inside one page: keep the first copy of a repeated block, mark the rest."""
from __future__ import annotations

from typing import Iterable

import regex

from ..document import Document, Span, kept_blocks, line_span
from ..steps import Marker

_NORM = regex.compile(r"[\W_]+")


def normalize_block(text: str) -> str:
    """Case-folded text with punctuation and white space removed: the key of exact repeats."""
    return _NORM.sub("", text.casefold())


class InPageDuplicates(Marker):
    """Mark blocks whose normalised text equals an earlier kept block of the same page."""

    name = "dup"

    @classmethod
    def from_options(cls, options) -> "InPageDuplicates":
        return cls()

    def mark(self, doc: Document) -> Iterable[Span]:
        seen: dict[str, int] = {}
        for b in kept_blocks(doc):
            key = normalize_block(b.text)
            if not key:
                continue
            if key in seen:
                yield line_span(doc.text, b, "dup.paragraph@1", f"repeats block at offset {seen[key]}")
            else:
                seen[key] = b.start
