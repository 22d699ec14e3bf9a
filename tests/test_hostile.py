"""Hostile input: each gets a clear reject or a start-up error, never a crash or a hang."""
from __future__ import annotations

import dataclasses
import glob
import gzip
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc

import pytest

import cleaner.pipeline as cleaner_pipeline
import cleaner.engines.local.pool as pool
from cleaner.config import Options
from cleaner.document import Document
from cleaner.io.readers import RawRecord, ReadError, iter_records
from cleaner.engines.local.run import run
from cleaner.steps import Marker

from conftest import PARAGRAPHS, read_jsonl_gz

HUGE_LINE_BYTES = 100 * (1 << 20)


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False, workers=1), **kw)


def _shard(outdir, prefix):
    return [r for p in sorted(glob.glob(os.path.join(outdir, f"{prefix}-*"))) for r in read_jsonl_gz(p)]


def _good_line(i: int) -> bytes:
    return (json.dumps({"id": f"ok{i}", "text": PARAGRAPHS[i % len(PARAGRAPHS)]}) + "\n").encode()


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "cleaner", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.path.dirname(os.path.dirname(os.path.abspath(__file__)))})


@pytest.fixture(scope="module")
def huge_line_file(tmp_path_factory):
    """A JSONL file whose second line is 100 MB long, written in 1 MB pieces."""
    path = tmp_path_factory.mktemp("huge") / "huge.jsonl"
    piece = b"x" * (1 << 20)
    with open(path, "wb") as fh:
        fh.write(_good_line(0))
        fh.write(b'{"id": "huge", "text": "')
        for _ in range(HUGE_LINE_BYTES // len(piece)):
            fh.write(piece)
        fh.write(b'"}\n')
        fh.write(_good_line(1))
    return path


def test_a_100_mb_line_is_skipped_without_being_held(huge_line_file):
    tracemalloc.start()
    try:
        recs = list(iter_records([str(huge_line_file)], _opts(max_input_bytes=1 << 20)))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [type(r).__name__ for r in recs] == ["RawRecord", "ReadError", "RawRecord"]
    assert recs[1].position == 2 and recs[1].kind == "too-large" and "--max-input-bytes" in recs[1].error
    assert recs[2].id == "ok1"
    assert peak < 8 * (1 << 20), f"held {peak / (1 << 20):.0f} MB while skipping a 100 MB line"


def test_a_100_mb_line_with_default_options_is_one_reject(huge_line_file, tmp_path):
    res = run([str(huge_line_file)], _opts(), str(tmp_path / "out"))
    assert res.report["documents"] == {"in": 3, "clean": 2, "dropped": 0, "rejected": 1}
    (rej,) = _shard(tmp_path / "out", "rejects")
    assert rej["position"] == 2 and rej["kind"] == "too-large"


def test_a_gzip_bomb_stops_at_the_decompressed_size_limit(tmp_path):
    path = tmp_path / "bomb.jsonl.gz"
    zeros = b"\0" * (1 << 20)
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(_good_line(0))
        for _ in range(64):
            fh.write(zeros)
    assert path.stat().st_size < 200_000
    t0 = time.monotonic()
    recs = list(iter_records([str(path)], _opts(max_decompressed_bytes=8 << 20)))
    assert time.monotonic() - t0 < 10
    assert isinstance(recs[0], RawRecord) and isinstance(recs[-1], ReadError)
    assert recs[-1].kind == "decompression-limit" and "--max-decompressed-bytes" in recs[-1].error


def test_a_single_page_bomb_is_cut_at_max_input_bytes(tmp_path):
    path = tmp_path / "page.html.gz"
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        for _ in range(32):
            fh.write(b"<p>" + b"a" * (1 << 20))
    (rec,) = list(iter_records([str(path)], _opts(max_input_bytes=4 << 20)))
    assert isinstance(rec, ReadError) and rec.kind == "too-large"


def test_truncated_gzip_and_random_bytes(tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    page = gzip.compress(("<html><body>" + "<p>Some harbour text.</p>" * 2000 + "</body></html>").encode(), mtime=0)
    (root / "cut.html.gz").write_bytes(page[: len(page) // 2])
    rng = __import__("random").Random(3)
    noise = bytes(rng.getrandbits(8) for _ in range(20_000))
    for name in ("noise.html", "noise.jsonl", "noise.html.gz", "noise.warc", "noise.parquet", "noise.txt", "noise.json"):
        (root / name).write_bytes(noise)
    res = run([str(root)], _opts(), str(tmp_path / "out"))
    d = res.report["documents"]
    assert d["in"] == d["clean"] + d["dropped"] + d["rejected"]
    by_source = {}
    for r in _shard(tmp_path / "out", "rejects"):
        by_source.setdefault(os.path.basename(r["source"]), []).append(r)
    assert "truncated" in by_source["cut.html.gz"][0]["error"]
    assert "not a gzip file" in by_source["noise.html.gz"][0]["error"]
    assert "WARC" in by_source["noise.warc"][0]["error"] and "Parquet" in by_source["noise.parquet"][0]["error"]
    assert all(r["kind"] in ("not-utf8", "not-json") for r in by_source["noise.jsonl"])
    assert [r["kind"] for r in by_source["noise.html"]] == [r["kind"] for r in by_source["noise.txt"]] == ["not-text"]


def test_100k_nested_divs_are_rejected_quickly(tmp_path):
    n = 100_000
    path = tmp_path / "deep.html"
    path.write_text("<html><body>" + "<div>" * n + "<p>deep text</p>" + "</div>" * n + "</body></html>")
    t0 = time.monotonic()
    res = run([str(path)], _opts(), str(tmp_path / "out"))
    assert time.monotonic() - t0 < 30
    (rej,) = _shard(tmp_path / "out", "rejects")
    assert rej["kind"] == "bad-html" and "nested more than" in rej["error"]
    assert res.report["documents"]["rejected"] == 1


def test_invalid_utf8_in_jsonl_rejects_only_that_line(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_bytes(_good_line(0) + b'{"id": "bad", "text": "\xff\xfe broken"}\n' + _good_line(1))
    recs = list(iter_records([str(path)], _opts()))
    assert [type(r).__name__ for r in recs] == ["RawRecord", "ReadError", "RawRecord"]
    assert recs[1].kind == "not-utf8" and recs[1].position == 2 and "UTF-8" in recs[1].error


def test_a_rule_with_catastrophic_backtracking_sends_the_record_to_rejects(tmp_path):
    rules = tmp_path / "mine.toml"
    rules.write_text('[[rule]]\nid = "chrome.my-slow@1"\nlang = "*"\npattern = \'(a|aa)+b\'\nmax_chars = 200\n')
    root = tmp_path / "in"
    root.mkdir()
    (root / "trap.txt").write_text("An ordinary first line of prose.\n" + "a" * 40 + "\n")
    (root / "fine.txt").write_text("Nothing here triggers the slow rule at all.\n")
    p = _cli("clean", str(root), "-o", str(tmp_path / "out"), "--extra-rules", str(rules), "--regex-timeout-s", "0.2",
             "--workers", "1")
    assert p.returncode == 0, p.stderr
    (rej,) = _shard(tmp_path / "out", "rejects")
    assert rej["id"] == "trap.txt" and rej["kind"] == "regex-timeout"
    assert "chrome.my-slow@1" in rej["error"] and "--disable-rules" in rej["error"]
    assert [r["id"] for r in _shard(tmp_path / "out", "clean")] == ["fine.txt"]
    p = _cli("clean", str(root), "-o", str(tmp_path / "out"), "--extra-rules", str(rules), "--regex-timeout-s", "0.2",
             "--workers", "1", "--fail-on-reject")
    assert p.returncode == 3 and "--fail-on-reject" in p.stderr


def test_a_rule_file_that_does_not_compile_is_refused_at_start_up(tmp_path):
    rules = tmp_path / "bad.toml"
    rules.write_text('[[rule]]\nid = "chrome.broken@1"\npattern = \'(unclosed\'\n')
    page = tmp_path / "p.txt"
    page.write_text("Some text.\n")
    p = _cli("clean", str(page), "-o", str(tmp_path / "out"), "--extra-rules", str(rules))
    assert p.returncode == 2 and "chrome.broken@1" in p.stderr
    assert not glob.glob(str(tmp_path / "out" / "clean-*"))


class _Saboteur(Marker):
    """Kills its own process, or hangs where no Python signal can reach it, on marked records."""

    name = "saboteur"

    def mark(self, doc: Document):
        if "CRASH-ME" in doc.text:
            os.kill(os.getpid(), signal.SIGKILL)
        if "HANG-ME" in doc.text:
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(60)
        return []


def _sabotaged_corpus(tmp_path, word):
    path = tmp_path / "r.jsonl"
    lines = [{"id": f"ok{i}", "text": f"{PARAGRAPHS[i % 6]} Record number {i}."} for i in range(12)]
    lines.insert(5, {"id": "bad", "text": f"This record says {word} in its text."})
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    return path


def _with_saboteur(monkeypatch):
    real = cleaner_pipeline.build_markers
    monkeypatch.setattr(cleaner_pipeline, "build_markers", lambda options: real(options) + [_Saboteur()])


def test_a_worker_that_dies_costs_one_record_not_the_run(tmp_path, monkeypatch):
    path = _sabotaged_corpus(tmp_path, "CRASH-ME")
    _with_saboteur(monkeypatch)
    res = run([str(path)], _opts(workers=2, spool_batch_records=50, exact_dedup=False, near_dedup=False),
              str(tmp_path / "out"))
    assert res.report["documents"] == {"in": 13, "clean": 12, "dropped": 0, "rejected": 1}
    (rej,) = _shard(tmp_path / "out", "rejects")
    assert rej["id"] == "bad" and rej["kind"] == "worker-died" and rej["position"] == 6
    assert [r["id"] for r in _shard(tmp_path / "out", "clean")] == [f"ok{i}" for i in range(12)]


def test_a_worker_that_hangs_costs_one_record_not_the_run(tmp_path, monkeypatch):
    path = _sabotaged_corpus(tmp_path, "HANG-ME")
    _with_saboteur(monkeypatch)
    monkeypatch.setattr(pool, "HANG_MARGIN_S", 1.0)
    t0 = time.monotonic()
    res = run([str(path)], _opts(workers=2, doc_timeout_s=0.3, exact_dedup=False, near_dedup=False),
              str(tmp_path / "out"))
    assert time.monotonic() - t0 < 40
    assert res.report["documents"]["rejected"] == 1 and res.report["documents"]["clean"] == 12
    (rej,) = _shard(tmp_path / "out", "rejects")
    assert rej["id"] == "bad" and rej["kind"] == "worker-died" and "no result after" in rej["error"]


def test_exit_status_for_runs_that_cannot_complete(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("A short text about the harbour.\n")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    p = _cli("clean", str(page), "-o", str(blocker / "out"))
    assert p.returncode == 1 and "cannot write to the output folder" in p.stderr and "-o" in p.stderr
    (tmp_path / "empty").mkdir()
    p = _cli("clean", str(tmp_path / "empty"), "-o", str(tmp_path / "o"))
    assert p.returncode == 2 and "no input files" in p.stderr
    p = _cli("clean", str(tmp_path / "missing.jsonl"), "-o", str(tmp_path / "o"))
    assert p.returncode == 2 and "no such file or folder" in p.stderr
    p = _cli("clean", str(page), "-o", str(tmp_path / "o"))
    assert p.returncode == 0 and json.load(open(tmp_path / "o" / "report.json"))["documents"]["clean"] == 1


def test_the_output_folder_inside_the_input_folder_is_not_read_back(tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    (root / "r.jsonl").write_text("".join(_good_line(i).decode() for i in range(3)))
    first = run([str(root)], _opts(), str(root / "out"))
    second = run([str(root)], _opts(), str(root / "out"))
    assert first.report["documents"]["in"] == second.report["documents"]["in"] == 3
    p = _cli("clean", str(root), "-o", str(root))
    assert p.returncode == 1 and "is an input folder" in p.stderr


def _noise(n: int, seed: int) -> bytes:
    rng = __import__("random").Random(seed)
    return bytes(rng.getrandbits(8) for _ in range(n))


def test_page_files_of_binary_data_are_rejected_as_not_text_and_text_pages_are_kept(tmp_path):
    import codecs
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    root = tmp_path / "in"
    root.mkdir()
    (root / "random.html").write_bytes(_noise(5000, 1))
    (root / "random.txt").write_bytes(_noise(5000, 2))
    (root / "random.html.gz").write_bytes(gzip.compress(_noise(5000, 3), mtime=0))
    (root / "program.html").write_bytes(b"\x7fELF\x02\x01\x01\x00" + bytes(8) + _noise(3000, 4))
    (root / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _noise(2000, 5))
    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=False)
    for i, (ctype, body) in enumerate([("text/html", _noise(4000, 6)), ("text/plain", _noise(4000, 7))]):
        http = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        w.write_record(w.create_warc_record(f"https://h.example/{i}", "response", payload=io.BytesIO(body),
                                            http_headers=http))
    (root / "crawl.warc").write_bytes(buf.getvalue())
    pq.write_table(pa.table({"id": ["pq-bin", "pq-ok"], "text": [_noise(3000, 8), PARAGRAPHS[0].encode()]}),
                   root / "rows.parquet")
    page = "<html><body>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</body></html>"
    (root / "one-nul.html").write_bytes(page.replace("</p>", "\x00</p>", 1).encode())
    (root / "ansi.txt").write_text(PARAGRAPHS[0] + " The shell then prints \x1b[31mred\x1b[0m words.\n\n"
                                   + "\n\n".join(PARAGRAPHS[1:]), encoding="utf-8")
    (root / "utf16.html").write_bytes(codecs.BOM_UTF16_LE + page.encode("utf-16-le"))
    (root / "latin1.html").write_bytes(page.replace("<body>", "<body><p>Le café du port ouvre à sept heures, "
                                                    "même le dimanche matin, près de la grève.</p>").encode("latin-1"))

    # the kept pages share their paragraphs: no near-duplicate or template step here
    res = run([str(root)], _opts(near_dedup=False, exact_dedup=False, templates=False), str(tmp_path / "out"))
    d = res.report["documents"]
    assert d["in"] == d["clean"] + d["dropped"] + d["rejected"] == 13 and d["dropped"] == 0
    rejects = _shard(tmp_path / "out", "rejects")
    by_id = {r["id"] or os.path.basename(r["source"]): r for r in rejects}
    binary = {"random.html", "random.txt", "random.html.gz", "program.html", "image.txt", "pq-bin"}
    assert binary <= set(by_id) and len(rejects) == 8
    for r in rejects:
        assert r["kind"] == "not-text" and "binary data" in r["error"], r
    assert "ELF" in by_id["program.html"]["error"] and "PNG" in by_id["image.txt"]["error"]
    assert "% control characters" in by_id["random.html"]["error"]
    assert res.report["rejected_by_kind"] == {"not-text": 8}
    clean = {r["id"]: r["text"] for r in _shard(tmp_path / "out", "clean")}
    for rid in ("one-nul.html", "ansi.txt", "utf16.html", "latin1.html", "pq-ok"):
        assert PARAGRAPHS[1][:40] in clean[rid] or PARAGRAPHS[0][:40] in clean[rid], rid
    assert "café du port" in clean["latin1.html"]


def test_cli_without_output_folder_prints_nothing_for_a_binary_page(tmp_path):
    path = tmp_path / "binary.html"
    path.write_bytes(_noise(5000, 9))
    p = _cli("clean", str(path))
    assert p.stdout == ""
    assert "rejected" in p.stderr and "binary data" in p.stderr


def test_a_json_error_message_reads_once_where_it_is(tmp_path):
    path = tmp_path / "ctl.jsonl"
    path.write_bytes(b'{"id": "a", "text": "tab\x01inside"}\n')
    (rec,) = list(iter_records([str(path)], _opts()))
    assert rec.kind == "not-json" and "at at" not in rec.error
    assert rec.error.startswith("line is not JSON: Invalid control character at column ")


def test_a_json_line_left_open_is_reported_as_unterminated_within_the_line(tmp_path):
    path = tmp_path / "open.jsonl"
    line = b'{"id": "r3", "text": "broken'
    path.write_bytes(line + b"\r\n" + b'{"id": "r4", "text": "fine"}\n')
    bad, good = list(iter_records([str(path)], _opts()))
    assert bad.kind == "not-json" and "Unterminated string" in bad.error
    assert int(bad.error.rsplit("column ", 1)[1]) <= len(line)
    assert good.text == "fine"
