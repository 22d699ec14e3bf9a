"""fastwarc (WARC, WET) and warcio (ARC, fallback) give the same records: chunked, gzip, deflate, brotli bodies."""
from __future__ import annotations

import gzip
import io
import zlib

import brotli

from cleaner.config import Options
from cleaner.io.records import RawRecord, ReadError
from cleaner.io.warc import _fastwarc_records, _to_record, _warcio_records

from conftest import PARAGRAPHS, page_html

PAGE = page_html("Harbour", PARAGRAPHS).encode()


def _chunked(body: bytes, size: int = 100) -> bytes:
    parts = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def _warc() -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    bodies = [
        ([("Content-Type", "text/html")], PAGE),
        ([("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")], _chunked(PAGE)),
        ([("Content-Type", "text/html"), ("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")],
         _chunked(gzip.compress(PAGE, mtime=0))),
        ([("Content-Type", "text/html"), ("Content-Encoding", "deflate")], zlib.compress(PAGE)),
        ([("Content-Type", "text/html"), ("Content-Encoding", "deflate")], raw_deflate.compress(PAGE) + raw_deflate.flush()),
        ([("Content-Type", "text/html"), ("Content-Encoding", "br")], brotli.compress(PAGE)),
        ([("Content-Type", "text/html"), ("Content-Encoding", "compress")], b"\x1f\x9d..."),
        ([("Content-Type", "text/plain; charset=utf-8")], "Plain text body, ünïcödé.".encode()),
        ([("Content-Type", "image/jpeg")], b"\xff\xd8\xff"),
    ]
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    w.write_record(w.create_warcinfo_record("t.warc", {"software": "test"}))
    for i, (headers, body) in enumerate(bodies):
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"https://ex.org/{i}", "response", payload=io.BytesIO(body),
                                            http_headers=http, length=len(body)))
    w.write_record(w.create_warc_record("https://ex.org/gone", "response", payload=io.BytesIO(b"x"),
                                        http_headers=StatusAndHeaders("404 Not Found", [], protocol="HTTP/1.1")))
    w.write_record(w.create_warc_record("https://ex.org/r", "resource", payload=io.BytesIO(PAGE),
                                        warc_content_type="text/html"))
    return buf.getvalue()


def _shape(item):
    if isinstance(item, ReadError):
        return ("reject", item.position, item.kind)
    assert isinstance(item, RawRecord)
    return (item.id, item.url, item.position, item.offset, item.html, item.text, item.http_charset, item.dropped, item.extra)


def test_fastwarc_and_warcio_agree_record_for_record():
    data = _warc()
    opts = Options()
    fast = [_to_record(r, "f.warc", "f.warc", opts) for r in _fastwarc_records(io.BytesIO(data))]
    slow = [_to_record(r, "f.warc", "f.warc", opts) for r in _warcio_records(io.BytesIO(data), False)]
    assert [_shape(x) for x in fast if x is not None] == [_shape(x) for x in slow if x is not None]
    pages = [x for x in fast if isinstance(x, RawRecord) and x.html]
    assert len(pages) == 7 and all(p.html == PAGE for p in pages)  # every coding undone
    kinds = [_shape(x)[0] for x in fast if x is not None]
    assert kinds.count("reject") == 1  # Content-Encoding: compress
