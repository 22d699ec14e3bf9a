"""The minimum-length filter: a document with too little clean text left is dropped.

It runs in the final pass, after every corpus step's marks, on the text as it will be
written (all spans cut).
"""
from __future__ import annotations

from ..document import Document, apply_spans
from ..steps import Filter

#: Drop reasons: nothing was extracted at all, or the steps removed (nearly) everything.
NO_MAIN_CONTENT = "no main content"
EMPTY_AFTER_CLEANING = "empty after cleaning"


class MinLength(Filter):
    """Drop a document whose clean text (spans cut, blanks stripped) is shorter than ``min_chars`` characters.

    The reason is ``"no main content"`` when the document had no text before any step,
    else ``"empty after cleaning"``.
    """

    name = "min-length"

    def __init__(self, min_chars: int):
        super().__init__()
        self.min_chars = min_chars

    def reason(self, doc: Document) -> str | None:
        return self.reason_for(doc, apply_spans(doc.text, doc.removed))

    def reason_for(self, doc: Document, clean_text: str) -> str | None:
        """:meth:`reason` for a document whose clean text the caller has cut already."""
        if len(clean_text.strip()) >= self.min_chars:
            return None
        return NO_MAIN_CONTENT if not doc.text.strip() else EMPTY_AFTER_CLEANING
