"""Readers: WARC (plain, gzip per record, gzip as a whole, zstd), Parquet and JSONL field mapping."""
from __future__ import annotations

import dataclasses
import datetime
import glob
import gzip
import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard

from cleaner.config import Options
from cleaner.io.readers import RawRecord, ReadError, content_type, iter_records, kind_of
from cleaner.engines.local.run import run

from conftest import PARAGRAPHS, page_html, read_jsonl_gz

RUSSIAN = "Городской совет утвердил план ремонта старого моста через реку до начала зимы."


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False, workers=1), **kw)


def _warc_bytes(records: list[tuple], gzip_records: bool) -> bytes:
    """A WARC built with warcio; each record is (type, url, http status line or None, headers, body)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gzip_records)
    w.write_record(w.create_warcinfo_record("test.warc", {"software": "test"}))
    for rtype, url, status, headers, body in records:
        http = StatusAndHeaders(status, headers, protocol="HTTP/1.1") if status else None
        kw = {"http_headers": http} if http else {"warc_content_type": dict(headers).get("Content-Type", "")}
        w.write_record(w.create_warc_record(url, rtype, payload=io.BytesIO(body), **kw))
    return buf.getvalue()


def _sample_warc(gzip_records: bool = False) -> bytes:
    latin = page_html("Un café au port", ["Le café du port ouvre à sept heures, même le dimanche matin."] * 3)
    cyr = page_html("Мост", [RUSSIAN] * 3).replace("<meta charset='utf-8'>", "")
    return _warc_bytes([
        ("request", "https://ex.org/a", None, [("Content-Type", "application/http")], b"GET /a HTTP/1.1\r\n\r\n"),
        ("response", "https://ex.org/a", "200 OK", [("Content-Type", "text/html")],
         page_html("Harbour", PARAGRAPHS).encode("utf-8")),
        # The charset is declared only in the HTTP header and the page has none of its own.
        ("response", "https://ex.org/ru", "200 OK", [("Content-Type", 'text/html; charset="koi8-r"')], cyr.encode("koi8_r")),
        ("response", "https://ex.org/fr", "200 OK", [("Content-Type", "text/html;charset=ISO-8859-1")],
         latin.replace("<meta charset='utf-8'>", "").encode("latin-1")),
        ("response", "https://ex.org/logo.png", "200 OK", [("Content-Type", "image/png")], b"\x89PNG\r\n\x1a\n"),
        ("response", "https://ex.org/missing", "404 Not Found", [("Content-Type", "text/html")], b"<html>gone</html>"),
        ("response", "https://ex.org/zipped", "200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
         gzip.compress(page_html("Zipped body", PARAGRAPHS[:3]).encode())),
        ("metadata", "https://ex.org/a", None, [("Content-Type", "application/warc-fields")], b"via: test\r\n"),
    ], gzip_records)


def _records(path, **kw):
    return list(iter_records([str(path)], _opts(**kw)))


def test_warc_gz_suffix_is_detected_as_warc_with_gzip():
    assert kind_of("crawl/CC-MAIN-1.warc.gz") == ("warc", ".gz")
    assert kind_of("a.WARC.ZST") == ("warc", ".zst")
    assert kind_of("a.jsonl.gz") == ("jsonl", ".gz")
    assert kind_of("a.parquet") == ("parquet", None)
    assert kind_of("a.gz") == (None, ".gz")


@pytest.mark.parametrize("name,pack", [
    ("plain.warc", lambda: _sample_warc(False)),
    ("per-record.warc.gz", lambda: _sample_warc(True)),
    ("whole-file.warc.gz", lambda: gzip.compress(_sample_warc(False), mtime=0)),
    ("whole.warc.zst", lambda: zstandard.ZstdCompressor().compress(_sample_warc(False))),
    ("gzip-records-named-plain.warc", lambda: _sample_warc(True)),
])
def test_warc_response_records_are_read_in_every_packing(tmp_path, name, pack):
    path = tmp_path / name
    path.write_bytes(pack())
    recs = _records(path)
    assert all(isinstance(r, RawRecord) for r in recs), [r for r in recs if isinstance(r, ReadError)]
    assert [r.url for r in recs] == ["https://ex.org/a", "https://ex.org/ru", "https://ex.org/fr",
                                     "https://ex.org/logo.png", "https://ex.org/missing", "https://ex.org/zipped"]
    a, ru, fr, png, missing, zipped = recs
    assert a.html.startswith(b"<!doctype html>") and a.id.startswith("<urn:uuid:") and a.extra["warc_date"]
    assert ru.http_charset == "koi8-r" and fr.http_charset == "ISO-8859-1"
    assert png.dropped == "not a text page (image/png)" and png.html is None
    assert missing.dropped == "HTTP status 404"
    assert b"Zipped body" in zipped.html, "the HTTP Content-Encoding is undone"


def test_warc_charset_from_http_header_reaches_decoding(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "c.warc.gz").write_bytes(_sample_warc(True))
    res = run([str(tmp_path / "in")], _opts(), str(tmp_path / "out"))
    clean = {r["url"]: r for p in sorted(glob.glob(str(tmp_path / "out" / "clean-*"))) for r in read_jsonl_gz(p)}
    assert RUSSIAN in clean["https://ex.org/ru"]["text"]
    assert "Le café du port ouvre" in clean["https://ex.org/fr"]["text"]
    dropped = {r["url"]: r["reason"] for p in glob.glob(str(tmp_path / "out" / "dropped-*")) for r in read_jsonl_gz(p)}
    assert dropped["https://ex.org/logo.png"] == "not a text page (image/png)"
    assert dropped["https://ex.org/missing"] == "HTTP status 404"
    d = res.report["documents"]
    assert d["in"] == 6 == d["clean"] + d["dropped"] + d["rejected"]


def test_a_truncated_warc_gz_keeps_the_records_before_the_cut(tmp_path):
    data = _sample_warc(True)
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: int(len(data) * 0.8)])
    recs = _records(path)
    assert isinstance(recs[-1], ReadError) and recs[-1].position == -1
    assert "after record" in recs[-1].error
    assert [r.url for r in recs[:3]] == ["https://ex.org/a", "https://ex.org/ru", "https://ex.org/fr"]


def test_a_file_that_is_not_a_warc_is_one_clear_reject(tmp_path):
    path = tmp_path / "noise.warc"
    path.write_bytes(b"this is not an archive\n" * 10)
    (rec,) = _records(path)
    assert isinstance(rec, ReadError) and "not a readable WARC" in rec.error


def test_content_type_parsing():
    assert content_type('text/html; charset="UTF-8"') == ("text/html", "UTF-8")
    assert content_type("TEXT/HTML;charset=windows-1251;q=1") == ("text/html", "windows-1251")
    assert content_type("text/html") == ("text/html", None)
    assert content_type(None) == ("", None)


def test_parquet_with_custom_fields_keeps_the_other_columns(tmp_path):
    table = pa.table({
        "doc_id": [101, 102, 103],
        "body": [f"{PARAGRAPHS[0]}\n\n{PARAGRAPHS[1]}", f"{PARAGRAPHS[2]}\n\n{PARAGRAPHS[3]}", None],
        "link": ["https://ex.org/1", "https://ex.org/2", "https://ex.org/3"],
        "lang": ["en", "en", "en"],
        "score": [0.5, 0.75, 1.0],
        "crawled": pa.array([datetime.datetime(2024, 5, 1, 12, 0)] * 3, pa.timestamp("s")),
        "raw": [b"\x00\xff", b"ok", b""],
        "tags": [["a", "b"], [], None],
    })
    (tmp_path / "in").mkdir()
    pq.write_table(table, tmp_path / "in" / "part-0.parquet", row_group_size=2)
    opts = _opts(text_field="body", id_field="doc_id", url_field="link")
    recs = list(iter_records([str(tmp_path / "in")], opts))
    assert [type(r).__name__ for r in recs] == ["RawRecord", "RawRecord", "ReadError"]
    assert recs[0].id == "101" and recs[0].url == "https://ex.org/1" and recs[0].position == 0
    assert recs[0].extra == {"lang": "en", "score": 0.5, "crawled": "2024-05-01T12:00:00",
                             "raw": "base64:AP8=", "tags": ["a", "b"]}
    assert recs[2].position == 2 and "body" in recs[2].error and recs[2].id == "103"
    run([str(tmp_path / "in")], opts, str(tmp_path / "out"))
    clean = read_jsonl_gz(glob.glob(str(tmp_path / "out" / "clean-*"))[0])
    assert [r["id"] for r in clean] == ["101", "102"]
    assert clean[1]["lang"] == "en" and clean[1]["score"] == 0.75 and clean[1]["raw"] == "ok"
    assert PARAGRAPHS[2] in clean[1]["text"]


def test_a_broken_parquet_file_is_one_reject(tmp_path):
    path = tmp_path / "bad.parquet"
    path.write_bytes(b"PAR1 but not really" * 3)
    (rec,) = _records(path)
    assert isinstance(rec, ReadError) and "Parquet" in rec.error


def test_jsonl_field_names_and_extra_fields(tmp_path):
    rows = [
        {"doc_id": "a", "content": "First text about the harbour.", "link": "https://ex.org/a",
         "title": "Given title", "text": "an unrelated field named text", "meta": {"n": 1}},
        {"doc_id": "b", "page": "<html><body><p>HTML wins over text.</p></body></html>", "content": "ignored"},
        {"content": "No id: the line number makes one."},
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("\ufeff" + "\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    opts = _opts(text_field="content", html_field="page", id_field="doc_id", url_field="link")
    a, b, c = list(iter_records([str(path)], opts))
    assert (a.id, a.url, a.text) == ("a", "https://ex.org/a", "First text about the harbour.")
    assert a.extra == {"title": "Given title", "text": "an unrelated field named text", "meta": {"n": 1}}
    assert b.html.startswith("<html>") and b.text is None and b.extra == {}
    assert c.id == "r.jsonl:3"
    run([str(path)], dataclasses.replace(opts, exact_dedup=False, near_dedup=False, templates=False), str(tmp_path / "out"))
    clean = {r["id"]: r for r in read_jsonl_gz(glob.glob(str(tmp_path / "out" / "clean-*"))[0])}
    assert clean["a"]["text"] == "First text about the harbour."
    assert clean["a"]["input_text"] == "an unrelated field named text", "an input field never overwrites the clean text"
    assert clean["a"]["input_title"] == "Given title" and clean["a"]["meta"] == {"n": 1}
    assert list(clean["a"])[:4] == ["id", "url", "title", "text"]


def test_a_json_file_holding_one_array(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(json.dumps([{"id": "x", "text": "one"}, {"id": "y", "text": "two"}, 5]), encoding="utf-8")
    recs = _records(path)
    assert [getattr(r, "text", None) for r in recs] == ["one", "two", None]
    assert isinstance(recs[2], ReadError) and recs[2].kind == "not-object" and recs[2].position == 3


def test_jsonl_nan_and_lone_surrogates_become_standard_json(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": "n", "text": "bad \\ud800 char", "score": NaN, "k\\udc00": 1}\n', encoding="utf-8")
    (rec,) = _records(path)
    assert rec.text == "bad \ufffd char" and rec.extra == {"score": None, "k\ufffd": 1}


def test_warc_bodies_with_brotli_content_encoding_are_decoded(tmp_path):
    import brotli

    body = brotli.compress(page_html("Brotli page", PARAGRAPHS[:2]).encode())
    path = tmp_path / "br.warc.gz"
    path.write_bytes(_warc_bytes([("response", "https://ex.org/br", "200 OK",
                                   [("Content-Type", "text/html"), ("Content-Encoding", "br")], body)], True))
    (rec,) = _records(path)
    assert isinstance(rec, RawRecord) and b"<title>Brotli page</title>" in rec.html


def test_a_brotli_bomb_in_a_warc_body_stops_at_max_input_bytes(tmp_path):
    import brotli

    body = brotli.compress(b"<p>" + b"a" * (64 << 20), quality=1)
    assert len(body) < 1 << 20
    path = tmp_path / "bomb.warc"
    path.write_bytes(_warc_bytes([("response", "https://ex.org/bomb", "200 OK",
                                   [("Content-Type", "text/html"), ("Content-Encoding", "br")], body),
                                  ("response", "https://ex.org/ok", "200 OK", [("Content-Type", "text/html")],
                                   b"<p>fine</p>")], False))
    bomb, ok = _records(path, max_input_bytes=1 << 20)
    assert isinstance(bomb, ReadError) and bomb.kind == "too-large" and bomb.position == 1
    assert ok.html == b"<p>fine</p>"
