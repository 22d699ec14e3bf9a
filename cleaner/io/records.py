"""What readers yield: :class:`RawRecord` (a record to clean) and :class:`ReadError` (one that cannot be read).

Shared by every reader module (:mod:`cleaner.io.readers`, :mod:`cleaner.io.warc`,
:mod:`cleaner.io.tables`) so that none of them imports another.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Short names of the reasons a record goes to rejects (``ReadError.kind``, ``kind`` in the rejects file).
NOT_JSON, NOT_UTF8, NOT_OBJECT, NO_TEXT = "not-json", "not-utf8", "not-object", "no-text-field"
TOO_LARGE, UNREADABLE, BOMB, UNSUPPORTED = "too-large", "unreadable-file", "decompression-limit", "unsupported-encoding"
#: A file whose suffix says nothing and whose content is none of the formats cleaner reads.
UNKNOWN_TYPE = "unknown-type"
#: A WARC/WET record whose file ends before the record does (its ``Content-Length``).
TRUNCATED = "truncated-record"


@dataclass(slots=True)
class RawRecord:
    """One input record before decoding and extraction.

    At most one of ``html`` (bytes or str) and ``text`` is set. ``source`` is the input
    file, ``position`` the record's place in it (line number for JSONL, record number for
    WARC and Parquet, 0 for single-page files). ``offset``: byte offset of a WARC/WET
    record in the (decompressed) file, else ``None``. ``extra`` keeps the record's other
    fields (JSON-ready). ``dropped`` is set instead of content when the reader already
    knows the record holds no page (a WARC response that is an image, or has HTTP status 404).
    """

    id: str
    url: str | None
    source: str
    position: int
    html: bytes | str | None = None
    text: str | None = None
    http_charset: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    dropped: str | None = None
    offset: int | None = None
    kind: str = ""          # the reader that made it: html, text, jsonl, warc, parquet, arrow

    def provenance(self) -> dict[str, Any]:
        """Where the record came from, as output fields: ``source`` and, by kind, ``source_offset``
        (WARC/WET byte offset), ``source_line`` (JSONL line, 1-based) or ``source_row`` (Parquet/Arrow row, 0-based)."""
        out: dict[str, Any] = {"source": self.source}
        if self.kind == "warc" and self.offset is not None:
            out["source_offset"] = self.offset
        elif self.kind == "jsonl":
            out["source_line"] = self.position
        elif self.kind in ("parquet", "arrow"):
            out["source_row"] = self.position
        return out


@dataclass(slots=True)
class ReadError:
    """A record that could not be read: where it was, why, and the short ``kind`` of reason.

    ``position`` is -1 when the rest of a file could not be read (one reject stands for it).
    """

    source: str
    position: int
    error: str
    id: str | None = None
    kind: str = UNREADABLE


class InputError(Exception):
    """An input path that cannot be used at all (missing, nothing readable in a folder)."""
