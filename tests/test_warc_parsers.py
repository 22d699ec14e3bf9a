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


def _records(data: bytes) -> list:
    opts = Options()
    return [x for x in (_to_record(r, "f.warc", "f.warc", opts) for r in _fastwarc_records(io.BytesIO(data)))
            if x is not None]


def test_a_record_the_file_ends_inside_is_rejected_as_truncated():
    """A WARC cut off inside a record (its WARC headers, its HTTP headers, its page, or an image's
    body) rejects that record as ``truncated-record``; what comes before it is read as usual.
    Neither a fragment kept as a page nor a drop for a content type cut in half."""
    data = _warc()
    whole = _records(data)
    assert not any(isinstance(x, ReadError) and x.kind == "truncated-record" for x in whole)
    starts = [i for i in range(len(data)) if data.startswith(b"WARC/1.", i)]
    for k in range(2, len(starts)):                 # record k-1 (after warcinfo) is the last one, cut
        rec, end = starts[k - 1], starts[k]
        body = data.index(b"\r\n\r\n", data.index(b"\r\n\r\n", rec) + 4) + 4   # past the WARC and HTTP headers
        length = end - 4 - body                     # a record ends with a blank line
        cuts = [rec + 30, data.index(b"\r\n\r\n", rec) + 10] + ([body + length // 2] if length > 1 else [])
        for cut in cuts:
            got = _records(data[:cut])
            assert [_shape(x) for x in got[:-1]] == [_shape(x) for x in whole[:len(got) - 1]]
            assert isinstance(got[-1], ReadError) and got[-1].kind == "truncated-record", (k, cut, _shape(got[-1]))
