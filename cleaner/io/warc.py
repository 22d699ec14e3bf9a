"""WARC, WET and ARC records as records: responses and resources hold pages, conversions hold text.

- ``response`` records: the HTTP body, decoded by its ``Content-Encoding``; HTTP status
  other than 2xx and non-text MIME types become dropped records (nothing is lost silently);
- ``resource`` records: the block, typed by the record's ``Content-Type``;
- ``conversion`` records (Common Crawl WET files): text already pulled out of a page, a text
  document with its URL, ``WARC-Date`` (``warc_date``), record id and the language the
  crawler identified (``WARC-Identified-Content-Language``, kept as ``warc_language``);
- ``warcinfo``, ``request``, ``metadata``, ``revisit`` records are not documents.

The reader is handed a decompressed stream (see :func:`cleaner.io.readers.open_binary`);
``RawRecord.offset`` is each record's byte offset in that decompressed stream.
"""
from __future__ import annotations

from email.message import Message
from typing import BinaryIO, Iterator

from ..config import Options
from .records import TOO_LARGE, UNSUPPORTED, RawRecord, ReadError

#: Bytes read at a time from a brotli body.
READ_CHUNK_BYTES = 1 << 20
#: MIME types of WARC records that hold a page (anything else is dropped as "not a text page").
HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
TEXT_TYPES = ("text/plain",)
#: WARC record types that hold a document; the others (request, metadata, warcinfo, revisit, ...) are not records here.
WARC_DOCUMENT_TYPES = ("response", "resource", "conversion")


def content_type(value: str | None) -> tuple[str, str | None]:
    """``(mime type, charset)`` of a Content-Type header, e.g. ``("text/html", "iso-8859-1")``."""
    if not value:
        return "", None
    m = Message()
    m["content-type"] = value
    charset = m.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2]
    mime = value.split(";", 1)[0].strip().lower()
    return mime, (str(charset).strip().strip("'\"") or None) if charset else None


def read_warc(fh: BinaryIO, path: str, base: str, arc: bool, options: Options) -> Iterator[RawRecord | ReadError]:
    """The document records of a decompressed WARC/WET (``arc=False``) or ARC stream, in order.

    ``base`` prefixes ids of records without ``WARC-Record-ID`` (``base:n``). Raises
    warcio's ``ArchiveLoadFailed`` (or an ``OSError``) where the stream stops being an archive.
    """
    from warcio.archiveiterator import ARCIterator, WARCIterator
    from warcio.bufferedreaders import BufferedReader

    supported = set(BufferedReader.get_supported_decompressors()) | {"identity", "", "br"}
    # Parse as the suffix says (a text file is then no archive at all), never converting
    # ARC to WARC: that would invent random record ids and make runs differ.
    it = (ARCIterator if arc else WARCIterator)(fh, arc2warc=False)
    for n, rec in enumerate(it):
        if rec.rec_type not in WARC_DOCUMENT_TYPES:
            continue
        h = rec.rec_headers
        url = h.get_header("WARC-Target-URI") or h.get_header("uri") or None
        rid = h.get_header("WARC-Record-ID") or f"{base}:{n}"
        date = h.get_header("WARC-Date") or h.get_header("archive-date")
        extra = {"warc_date": date} if date else {}
        lang = h.get_header("WARC-Identified-Content-Language")
        if lang:
            extra["warc_language"] = lang
        http = rec.http_headers
        status = None
        if http is not None and rec.rec_type == "response":
            ctype = http.get_header("Content-Type")
            try:
                status = int(http.get_statuscode() or 0)
            except ValueError:
                status = 0
        else:
            ctype = h.get_header("Content-Type")
        mime, charset = content_type(ctype)

        def record(**kw) -> RawRecord:
            # warcio knows the offset once the record was read (asking earlier reads it to its end)
            return RawRecord(rid, url, path, n, extra=extra, offset=it.get_record_offset(), **kw)

        if status is not None and not 200 <= status < 300:
            yield record(dropped=f"HTTP status {status}")
            continue
        if rec.rec_type == "conversion" and not mime:
            mime = "text/plain"  # a conversion record is text by definition
        if mime and mime not in HTML_TYPES + TEXT_TYPES:
            yield record(dropped=f"not a text page ({mime})")
            continue
        encoding = ((http.get_header("Content-Encoding") if http is not None else None) or "").strip().lower()
        if encoding not in supported:
            yield ReadError(path, n, f"HTTP body has Content-Encoding {encoding!r}, which cannot be decoded here",
                            rid, UNSUPPORTED)
            continue
        if encoding == "br":  # warcio's own brotli path fails with brotli >= 1.0 (warcio issue #73)
            from warcio.bufferedreaders import ChunkedDataReader
            chunked = (http.get_header("Transfer-Encoding") or "").strip().lower() == "chunked"
            body = ChunkedDataReader(rec.raw_stream) if chunked else rec.raw_stream
            data = unbrotli(body, options.max_input_bytes + 1)
        else:
            data = rec.content_stream().read(options.max_input_bytes + 1)
        if len(data) > options.max_input_bytes:
            yield ReadError(path, n, f"record larger than max_input_bytes={options.max_input_bytes}; "
                            "raise --max-input-bytes to keep it", rid, TOO_LARGE)
            continue
        if mime in TEXT_TYPES:
            from .decode import NotTextError, decode_html
            try:
                text = decode_html(data, charset)[0]
            except NotTextError as e:
                yield ReadError(path, n, str(e), rid, e.kind)
                continue
            yield record(text=text)
        else:
            yield record(html=data, http_charset=charset)


def unbrotli(stream: BinaryIO, limit: int) -> bytes:
    """Brotli-decompress ``stream``, at most ``limit`` bytes out (a brotli bomb stops there).

    Raises ``brotli.error`` for a stream that is not brotli.
    """
    import brotli

    d, out = brotli.Decompressor(), bytearray()
    while len(out) < limit:
        chunk = stream.read(READ_CHUNK_BYTES)
        if not chunk:
            break
        out += d.process(chunk, output_buffer_limit=limit - len(out))
        while len(out) < limit and not d.can_accept_more_data():
            out += d.process(b"", output_buffer_limit=limit - len(out))
    return bytes(out[:limit])
