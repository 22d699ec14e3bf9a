"""WARC, WET and ARC records as records: responses and resources hold pages, conversions hold text.

- ``response`` records: the HTTP body, decoded by its ``Content-Encoding``; HTTP status
  other than 2xx and non-text MIME types become dropped records (nothing is lost silently);
- ``resource`` records: the block, typed by the record's ``Content-Type``;
- ``conversion`` records (Common Crawl WET files): text already pulled out of a page, a text
  document with its URL, ``WARC-Date`` (``warc_date``), record id and the language the
  crawler identified (``WARC-Identified-Content-Language``, kept as ``warc_language``);
- ``warcinfo``, ``request``, ``metadata``, ``revisit`` records are not documents.

WARC and WET files are parsed by fastwarc, ARC files by warcio. The reader is handed a
decompressed stream (see :func:`cleaner.io.readers.open_binary`); ``RawRecord.offset`` is
each record's byte offset in that decompressed stream.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Callable, Iterator

from ..config import Options
from .records import TOO_LARGE, TRUNCATED, UNSUPPORTED, RawRecord, ReadError

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
    from email.message import Message   # the stdlib's header parser (quoting, RFC 2231), imported when a header comes
    m = Message()
    m["content-type"] = value
    charset = m.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2]
    mime = value.split(";", 1)[0].strip().lower()
    return mime, (str(charset).strip().strip("'\"") or None) if charset else None


#: HTTP ``Content-Encoding`` values whose bodies can be decoded (as warcio decodes them).
SUPPORTED_ENCODINGS = ("", "identity", "gzip", "deflate", "deflate_alt", "br")


@dataclass
class _Rec:
    """One archive record as both libraries give it: what the record decisions need."""

    n: int
    rtype: str
    url: str | None
    rid: str | None
    date: str | None
    language: str | None
    status: int | None          # HTTP status of a response record, else None
    ctype: str | None           # the HTTP Content-Type of a response, else the record's
    encoding: str               # HTTP Content-Encoding, lower-cased, "" when none
    read: Callable[[int], bytes]
    offset: Callable[[], int]
    #: Reads what is left of the record and says whether its content ended before its
    #: ``Content-Length`` (a file cut off inside it); ``read`` gives nothing after it.
    truncated: Callable[[], bool] = lambda: False


def read_warc(fh: BinaryIO, path: str, base: str, arc: bool, options: Options,
              head: bytes | None = None) -> Iterator[RawRecord | ReadError]:
    """The document records of a decompressed WARC/WET (``arc=False``) or ARC stream, in order.

    WARC and WET are parsed by fastwarc, ARC (and WARC where fastwarc is not installed) by
    warcio. ``base`` prefixes ids of records without ``WARC-Record-ID`` (``base:n``).
    Raises ``OSError`` (fastwarc) or warcio's ``ArchiveLoadFailed`` where the stream stops
    being an archive.
    """
    recs: Iterator[_Rec]
    if not arc and head and not head.lstrip().startswith(b"WARC/"):
        first = head.split(b"\n", 1)[0][:60].decode("utf-8", "replace")
        raise NotAnArchive(f"it does not start with a WARC record (first line: {first!r})")
    if arc:
        recs = _warcio_records(fh, True)
    else:
        try:
            import fastwarc  # noqa: F401
            recs = _fastwarc_records(fh)
        except ImportError:  # pragma: no cover - fastwarc is a dependency
            recs = _warcio_records(fh, False)
    for r in recs:
        item = _to_record(r, path, base, options)
        if item is not None:
            yield item


def _to_record(r: _Rec, path: str, base: str, options: Options) -> RawRecord | ReadError | None:
    """What one archive record is here: a record, a dropped record, a reject, or ``None`` (no document)."""
    if r.rtype not in WARC_DOCUMENT_TYPES:
        return None
    n, url = r.n, r.url
    rid = r.rid or f"{base}:{n}"
    extra = {"warc_date": r.date} if r.date else {}
    if r.language:
        extra["warc_language"] = r.language
    mime, charset = content_type(r.ctype)
    if r.rtype == "conversion" and not mime:
        mime = "text/plain"  # a conversion record is text by definition
    ok_status = r.status is None or 200 <= r.status < 300
    text_type = not mime or mime in HTML_TYPES + TEXT_TYPES
    keep = ok_status and text_type
    try:
        data = r.read(options.max_input_bytes + 1) if keep and r.encoding in SUPPORTED_ENCODINGS else b""
    except Exception:   # a chunked or compressed body that stops short: truncated, else the error it is
        if not r.truncated():
            raise
        data = b""
    if len(data) <= options.max_input_bytes and r.truncated():
        # a cut-off file: what is there of the record (its HTTP headers, part of its page) is not the record
        return ReadError(path, n, "record truncated: the file ends before the record's Content-Length "
                         "(a file cut off while it was written or copied?)", rid, TRUNCATED)
    if not ok_status:
        return RawRecord(rid, url, path, n, extra=extra, offset=r.offset(), dropped=f"HTTP status {r.status}")
    if not text_type:
        return RawRecord(rid, url, path, n, extra=extra, offset=r.offset(), dropped=f"not a text page ({mime})")
    if r.encoding not in SUPPORTED_ENCODINGS:
        return ReadError(path, n, f"HTTP body has Content-Encoding {r.encoding!r}, which cannot be decoded here",
                         rid, UNSUPPORTED)
    if len(data) > options.max_input_bytes:
        return ReadError(path, n, f"record larger than max_input_bytes={options.max_input_bytes}; "
                         "raise --max-input-bytes to keep it", rid, TOO_LARGE)
    if mime in TEXT_TYPES:
        from .decode import NotTextError, decode_html
        try:
            text = decode_html(data, charset)[0]
        except NotTextError as e:
            return ReadError(path, n, str(e), rid, e.kind)
        return RawRecord(rid, url, path, n, extra=extra, offset=r.offset(), text=text)
    return RawRecord(rid, url, path, n, extra=extra, offset=r.offset(), html=data, http_charset=charset)


def _fastwarc_records(fh: BinaryIO) -> Iterator[_Rec]:
    """Records parsed by fastwarc (lenient header parsing, HTTP bodies decoded as warcio decodes them)."""
    from fastwarc.warc import ArchiveIterator

    # The stream is already decompressed (cleaner.io.readers.open_binary), within its size limit.
    it = ArchiveIterator(fh, parse_http=False, stream_detect=False, quirks_mode=True)
    for n, rec in enumerate(_archive_errors(it)):
        rtype = str(rec.record_type).rsplit(".", 1)[-1]
        h = rec.headers
        status = http_get = None
        ctype = h.get("Content-Type")
        encoding = ""
        if rtype == "response" and rec.is_http:
            rec.parse_http(auto_decode="none", quirks_mode=True)
            http_get = rec.http_headers
            ctype = http_get.get("Content-Type")
            status = http_get.status_code or 0
            encoding = (http_get.get("Content-Encoding") or "").strip().lower()

        def read(limit: int, rec=rec, http=http_get, encoding=encoding) -> bytes:
            try:
                return _decoded_body(rec.reader, http, encoding, limit)
            except BaseException as e:  # see _archive_errors
                if type(e).__name__ == "PanicException":
                    raise NotAnArchive(f"the WARC parser failed: {' '.join(str(e).split())[:300]}") from None
                raise

        def truncated(rec=rec, declared=h.get("Content-Length")) -> bool:
            if not (declared or "").strip().isdigit():
                return True     # the record's headers end before its Content-Length
            while rec.reader.read(READ_CHUNK_BYTES):
                pass
            # past the HTTP headers fastwarc counts the body alone: content_length and tell() both
            return rec.reader.tell() < rec.content_length

        yield _Rec(n, rtype, h.get("WARC-Target-URI") or None, h.get("WARC-Record-ID"), h.get("WARC-Date"),
                   h.get("WARC-Identified-Content-Language"), status, ctype, encoding, read,
                   lambda pos=rec.stream_pos: pos, truncated)


class NotAnArchive(OSError):
    """fastwarc found bytes that are not a WARC record where one should start."""


def _archive_errors(it: Iterator) -> Iterator:
    """``it``, with fastwarc's own parse errors (plain ``OSError``) raised as :class:`NotAnArchive`;
    errors of the stream under it (truncated, decompression limit) pass unchanged."""
    while True:
        try:
            rec = next(it)
        except StopIteration:
            return
        except OSError as e:
            if type(e) is OSError:
                raise NotAnArchive(" ".join(str(e).split())[:300]) from None
            raise
        except BaseException as e:  # fastwarc's Rust core reports a broken invariant as PanicException
            if type(e).__name__ == "PanicException":
                raise NotAnArchive(f"the WARC parser failed: {' '.join(str(e).split())[:300]}") from None
            raise
        yield rec


def _decoded_body(reader: BinaryIO, http, encoding: str, limit: int) -> bytes:
    """At most ``limit`` bytes of an HTTP body: chunked transfer coding undone, then the content coding."""
    from fastwarc.stream_io import ChunkedReader
    chunked = http is not None and (http.get("Transfer-Encoding") or "").strip().lower() == "chunked"
    body = ChunkedReader(reader) if chunked else reader
    if encoding == "br":
        return unbrotli(body, limit)
    if encoding in ("gzip", "deflate", "deflate_alt"):
        return _inflate(body, encoding, limit)
    return body.read(limit)


def _inflate(stream: BinaryIO, encoding: str, limit: int) -> bytes:
    """Gzip/deflate-decompress ``stream`` (zlib-wrapped or raw deflate), at most ``limit`` bytes out."""
    import zlib
    wbits = 16 + zlib.MAX_WBITS if encoding == "gzip" else zlib.MAX_WBITS
    d, out = zlib.decompressobj(wbits), bytearray()
    first = True
    while len(out) < limit:
        chunk = stream.read(READ_CHUNK_BYTES)
        if not chunk:
            break
        try:
            out += d.decompress(chunk, limit - len(out))
        except zlib.error:
            if not first or encoding == "gzip":
                raise
            d = zlib.decompressobj(-zlib.MAX_WBITS)  # "deflate" sent as raw deflate, as servers often do
            out += d.decompress(chunk, limit - len(out))
        first = False
        while len(out) < limit and d.unconsumed_tail:
            out += d.decompress(d.unconsumed_tail, limit - len(out))
    return bytes(out[:limit])


def _warcio_records(fh: BinaryIO, arc: bool) -> Iterator[_Rec]:
    """Records parsed by warcio (ARC files; WARC where fastwarc is missing)."""
    from warcio.archiveiterator import ARCIterator, WARCIterator

    # Never converting ARC to WARC: that would invent random record ids and make runs differ.
    it = (ARCIterator if arc else WARCIterator)(fh, arc2warc=False)
    for n, rec in enumerate(it):
        h = rec.rec_headers
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
        encoding = ((http.get_header("Content-Encoding") if http is not None else None) or "").strip().lower()

        def read(limit: int, rec=rec, http=http, encoding=encoding) -> bytes:
            if encoding == "br":  # warcio's own brotli path fails with brotli >= 1.0 (warcio issue #73)
                from warcio.bufferedreaders import ChunkedDataReader
                chunked = (http.get_header("Transfer-Encoding") or "").strip().lower() == "chunked"
                return unbrotli(ChunkedDataReader(rec.raw_stream) if chunked else rec.raw_stream, limit)
            return rec.content_stream().read(limit)

        yield _Rec(n, rec.rec_type, h.get_header("WARC-Target-URI") or h.get_header("uri") or None,
                   h.get_header("WARC-Record-ID"), h.get_header("WARC-Date") or h.get_header("archive-date"),
                   h.get_header("WARC-Identified-Content-Language"), status, ctype, encoding, read,
                   it.get_record_offset)  # warcio knows the offset once the record was read


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
