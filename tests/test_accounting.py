"""Every input record ends in exactly one of clean, dropped or rejects, and report.json says so."""
from __future__ import annotations

import glob
import gzip
import json
import zlib

from cleaner.config import Options
from cleaner.engines.local.run import run

from conftest import PARAGRAPHS, read_jsonl_gz

GOOD = [f"{p} (record {i} of the batch, with its own words: {' '.join(PARAGRAPHS[(i + 2) % 6].split()[i:i + 6])})"
        for i, p in enumerate(PARAGRAPHS)]


def _broken_corpus(root):
    """A folder of every kind of broken input beside good records; returns the planted reject kinds."""
    root.mkdir()
    lines = [json.dumps({"id": f"g{i}", "text": t}) for i, t in enumerate(GOOD[:5])]
    lines += ['{"id": "half", "text": "unterminated',             # bad JSON
              '["a", "list"]', "42",                              # JSON, not objects
              json.dumps({"id": "nofield", "body": "the text is under another name"}),
              json.dumps({"id": "empty", "text": ""}),             # a record with no text: dropped
              "", "   "]                                          # blank lines are not records
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    raw += b'{"id": "latin", "text": "caf\xe9"}\n'                 # invalid UTF-8
    (root / "mixed.jsonl").write_bytes(raw)
    (root / "notgzip.jsonl.gz").write_bytes(b"these bytes were never compressed")
    good_gz = gzip.compress(("\n".join(json.dumps({"id": f"z{i}", "text": GOOD[5] + f" {i}" * i})
                                       for i in range(400)) + "\n").encode(), mtime=0)
    cut = good_gz[: len(good_gz) // 2]
    (root / "truncated.jsonl.gz").write_bytes(cut)
    (root / "empty.jsonl").write_bytes(b"")
    (root / "empty.html").write_bytes(b"")
    (root / "blank.txt").write_bytes(b"  \n\n ")
    (root / "broken.parquet").write_bytes(b"PAR1" + bytes(range(256)) + b"PAR1")
    (root / "page.html").write_text("<html><body><article><p>" + GOOD[0].replace("record 0", "page")
                                    + "</p></article></body></html>", encoding="utf-8")
    # What a reader can get out of the truncated file, computed without cleaner's readers.
    readable = zlib.decompressobj(31).decompress(cut).count(b"\n")
    return readable


def test_in_equals_clean_plus_dropped_plus_rejected_on_a_broken_corpus(tmp_path):
    readable = _broken_corpus(tmp_path / "in")
    opts = Options(progress=False, workers=2, spool_batch_records=7)
    res = run([str(tmp_path / "in")], opts, str(tmp_path / "out"))
    d = res.report["documents"]
    # mixed.jsonl: 5 good + 1 bad JSON + 2 non-objects + 1 missing field + 1 empty text + 1 bad UTF-8 = 11;
    # truncated.jsonl.gz: its readable lines + 1 reject for the unread rest; empty.html, blank.txt,
    # page.html: 1 each; notgzip.jsonl.gz, broken.parquet: 1 reject each; empty.jsonl: none.
    assert d["in"] == 11 + readable + 1 + 3 + 2
    assert d["in"] == d["clean"] + d["dropped"] + d["rejected"]

    def shard_records(prefix):
        return [r for p in sorted(glob.glob(str(tmp_path / "out" / f"{prefix}-*"))) for r in read_jsonl_gz(p)]

    clean, dropped, rejects = shard_records("clean"), shard_records("dropped"), shard_records("rejects")
    assert (len(clean), len(dropped), len(rejects)) == (d["clean"], d["dropped"], d["rejected"])
    assert res.report["rejected_by_kind"] == {"not-json": 1, "not-object": 2, "no-text-field": 1, "not-utf8": 1,
                                              "unreadable-file": 3}
    assert sum(res.report["dropped_by_reason"].values()) == d["dropped"]
    for r in rejects:
        assert set(r) == {"source", "position", "id", "kind", "error"} and r["error"]
    by_file = {}
    for r in rejects:
        by_file.setdefault(r["source"].rsplit("/", 1)[1], []).append(r)
    assert [r["position"] for r in by_file["mixed.jsonl"]] == [6, 7, 8, 9, 13]
    assert by_file["mixed.jsonl"][3]["id"] == "nofield" and "--text-field" in by_file["mixed.jsonl"][3]["error"]
    assert by_file["truncated.jsonl.gz"][0]["position"] == -1 and "truncated" in by_file["truncated.jsonl.gz"][0]["error"]
    assert by_file["notgzip.jsonl.gz"][0]["position"] == -1
    ids = {r["id"] for r in clean} | {r["id"] for r in dropped}
    assert {f"g{i}" for i in range(5)} | {"empty", "empty.html", "blank.txt", "page.html"} <= ids
    assert {f"z{i}" for i in range(readable)} <= ids
    on_disk = json.load(open(tmp_path / "out" / "report.json"))
    assert on_disk["documents"] == d and on_disk["rejected_by_kind"] == res.report["rejected_by_kind"]


def test_non_text_warc_records_are_dropped_not_lost(tmp_path):
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=True)
    for i, (status, ctype, body) in enumerate([("200 OK", "text/html", f"<p>{GOOD[1]}</p>".encode()),
                                               ("200 OK", "application/pdf", b"%PDF-1.4"),
                                               ("301 Moved", "text/html", b""),
                                               ("200 OK", "text/plain; charset=utf-8", GOOD[2].encode())]):
        http = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"https://ex.org/{i}", "response", payload=io.BytesIO(body), http_headers=http))
        w.write_record(w.create_warc_record(f"https://ex.org/{i}", "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "crawl.warc.gz").write_bytes(buf.getvalue())
    res = run([str(tmp_path / "in")], Options(progress=False, workers=1), str(tmp_path / "out"))
    d = res.report["documents"]
    assert (d["in"], d["clean"], d["dropped"], d["rejected"]) == (4, 2, 2, 0), "request records are not documents"
    assert res.report["dropped_by_reason"] == {"HTTP status 301": 1, "not a text page (application/pdf)": 1}
