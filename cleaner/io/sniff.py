"""What a file holds when its name does not say: compression by magic bytes, then the format by content.

:func:`sniff` looks at the first :data:`SNIFF_BYTES` (decompressed when they start with
gzip or zstd magic) and answers one of the reader kinds ``html``, ``text``, ``jsonl``,
``warc``, ``parquet``, or ``None`` (random bytes, an image, anything else).
"""
from __future__ import annotations

import json
import re

#: Bytes of a file looked at (after decompression) to tell its format.
SNIFF_BYTES = 64 << 10
GZIP_MAGIC, ZSTD_MAGIC, PARQUET_MAGIC = b"\x1f\x8b", b"\x28\xb5\x2f\xfd", b"PAR1"

#: Markup that only HTML (or XHTML) starts with, or holds near its start.
_HTML_START = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_HTML_TAGS = re.compile(rb"<(?:html|head|body|div|p|a|span|table|meta|title|article|section|ul|li|h[1-6]|br)\b[^>]*>", re.I)
#: HTML tags in the head from which a page is taken for HTML even without <html> or a doctype.
MIN_HTML_TAGS = 3


def compression_of(head: bytes) -> str | None:
    """``".gz"`` or ``".zst"`` when ``head`` starts with gzip or zstd magic, else ``None``."""
    if head.startswith(GZIP_MAGIC):
        return ".gz"
    if head.startswith(ZSTD_MAGIC):
        return ".zst"
    return None


def decompress_head(head: bytes, compression: str | None, limit: int = SNIFF_BYTES) -> bytes:
    """Up to ``limit`` decompressed bytes of a compressed ``head`` (what can be had of a cut stream)."""
    if compression == ".gz":
        import zlib
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            return d.decompress(head, limit)
        except zlib.error:
            return b""
    if compression == ".zst":
        import zstandard
        try:
            reader = zstandard.ZstdDecompressor().stream_reader(head, read_across_frames=True)
            return reader.read(limit)
        except zstandard.ZstdError:
            return b""
    return head[:limit]


def sniff(head: bytes) -> str | None:
    """The reader kind for a file starting with ``head`` (already decompressed), or ``None``.

    WARC/ARC by their first line, Parquet by its magic, JSON Lines when the first non-blank
    line is a JSON object, HTML by a doctype, ``<html>``/``<head>``/``<body>`` at the start
    or a few common tags near it, plain text when the bytes decode as text with next to no
    control characters (:func:`cleaner.io.decode.not_text_reason`).
    """
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    stripped = body.lstrip()
    if stripped.startswith((b"WARC/", b"filedesc://")):
        return "warc"
    if stripped.startswith(b"{") and _first_line_is_object(stripped):
        return "jsonl"
    if _HTML_START.match(body) or len(_HTML_TAGS.findall(body[:8192])) >= MIN_HTML_TAGS:
        return "html"
    from .decode import NotTextError, decode_text
    cut = head.rfind(b"\n") if len(head) >= SNIFF_BYTES else -1   # no character cut in two at the end
    try:
        text = decode_text(head[:cut] if cut > 0 else head)
    except NotTextError:
        return None
    return "text" if text.strip() else None


def _first_line_is_object(data: bytes) -> bool:
    line = data.split(b"\n", 1)[0]
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False
