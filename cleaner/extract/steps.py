"""Extraction as per-document steps: the input record becomes a document's text and title.

:class:`Extract` runs first on every document that still holds its input record
(``Document.raw``): HTML goes through main-content extraction
(:func:`cleaner.extract.main_content.extract`; all visible text with ``extract`` off),
a text record's text is taken as it is. :class:`RepairEncoding` then repairs double-encoded
text ("cafÃ©" -> "café") in the text and the title.
"""
from __future__ import annotations

from ..config import Options
from ..document import Document
from ..steps import DocumentStep


class Extract(DocumentStep):
    """Fill ``text``, ``title``, ``left_out`` and ``left_out_chars`` from ``doc.raw``, then let the record go.

    Raises :class:`cleaner.extract.main_content.ExtractionError` for a page that cannot be
    parsed and :class:`cleaner.io.decode.NotTextError` for bytes that are not text (the
    engines turn both into rejects records).
    """

    name = "extract"

    def __init__(self, options: Options):
        super().__init__()
        self.options = options
        #: When a dict, extraction adds its seconds by stage here (``benchmarks/throughput.py``).
        self.stage_seconds: dict[str, float] | None = None

    def process(self, doc: Document) -> None:
        raw, doc.raw = doc.raw, None
        if raw is None:   # built from text already (the Python API's documents, a spool)
            return
        if raw.html is None:
            doc.text = raw.text or ""
            return
        if not self.options.extract:
            from .main_content import html_to_text
            doc.text, doc.title = html_to_text(raw.html, raw.http_charset)
            return
        from .main_content import extract
        from .removals import wants_detail
        detail = self.options.extraction_detail or wants_detail(raw.id)
        ex = extract(raw.html, self.options, raw.url, raw.http_charset, self.stage_seconds, left_out=detail)
        doc.text, doc.title = ex.text, ex.title
        doc.left_out, doc.left_out_chars = ex.left_out or [], ex.left_out_chars or {}


class RepairEncoding(DocumentStep):
    """Repair double-encoded text in ``text`` and ``title`` (:func:`cleaner.io.mojibake.repair_mojibake`)."""

    name = "repair-encoding"

    def process(self, doc: Document) -> None:
        from ..io.mojibake import repair_mojibake
        doc.text = repair_mojibake(doc.text) or ""
        doc.title = repair_mojibake(doc.title)
