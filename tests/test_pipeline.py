"""The local engine end to end: determinism across workers, accounting, time limits, stdout mode."""
from __future__ import annotations

import dataclasses
import glob
import json
import os
import subprocess
import sys
import time

from cleaner.config import Options
from cleaner.document import Document
from cleaner.io.readers import RawRecord
from cleaner.engines.document_work import DocumentProcessor
from cleaner.engines.local.run import run
from cleaner.steps import Marker

from conftest import read_jsonl_gz, read_outputs


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False), **kw)


def test_output_is_byte_identical_for_one_and_two_workers(small_corpus, tmp_path):
    run([str(small_corpus)], _opts(workers=1), str(tmp_path / "w1"))
    run([str(small_corpus)], _opts(workers=2, batch_size=1), str(tmp_path / "w2"))
    one, two = read_outputs(tmp_path / "w1"), read_outputs(tmp_path / "w2")
    assert one and one == two


def test_every_record_is_clean_dropped_or_rejected(small_corpus, tmp_path):
    res = run([str(small_corpus)], _opts(workers=1), str(tmp_path / "out"))
    d = res.report["documents"]
    assert d["in"] == 7 + 9  # 7 HTML pages, 8 JSONL records and one broken JSONL line
    assert d["in"] == d["clean"] + d["dropped"] + d["rejected"]
    rejects = read_jsonl_gz(glob.glob(str(tmp_path / "out" / "rejects-*"))[0])
    assert len(rejects) == 1 and rejects[0]["position"] == 4 and "not JSON" in rejects[0]["error"]
    clean = [r for p in sorted(glob.glob(str(tmp_path / "out" / "clean-*"))) for r in read_jsonl_gz(p)]
    dropped = [r for p in sorted(glob.glob(str(tmp_path / "out" / "dropped-*"))) for r in read_jsonl_gz(p)]
    assert len(clean) == d["clean"] and len(dropped) == d["dropped"]
    assert all(r["reason"] for r in dropped)
    assert not os.path.exists(tmp_path / "out" / ".work"), "the spool is removed after a finished run"


class _Slow(Marker):
    name = "slow"

    def mark(self, doc: Document):
        time.sleep(5)
        return []


def test_a_record_over_the_time_limit_goes_to_rejects():
    proc = DocumentProcessor(_opts(doc_timeout_s=0.2))
    proc.pipeline.document_steps.append(_Slow())
    t0 = time.monotonic()
    out = proc(RawRecord("slow-doc", None, "mem", 7, text="Some text that takes too long."))
    assert time.monotonic() - t0 < 3
    assert out.doc is None and out.reject["id"] == "slow-doc" and "doc_timeout_s" in out.reject["error"]


def test_records_within_the_time_limit_are_processed():
    proc = DocumentProcessor(_opts(doc_timeout_s=5))
    out = proc(RawRecord("ok", None, "mem", 0, text="A perfectly ordinary sentence about the harbour."))
    assert out.reject is None and out.doc.text.startswith("A perfectly")


def _cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "cleaner", *args], capture_output=True, text=True, cwd=cwd)


def test_cli_prints_clean_text_of_one_file_without_output_folder(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("Skip to Content\n\nThe channel will be dredged before the storms.\n", encoding="utf-8")
    p = _cli("clean", str(page))
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "The channel will be dredged before the storms."


def test_cli_exit_status_for_missing_input_and_fail_on_reject(tmp_path, small_corpus):
    p = _cli("clean", str(tmp_path / "nope.html"))
    assert p.returncode == 2 and "no such file" in p.stderr
    p = _cli("clean", str(small_corpus), "-o", str(tmp_path / "o"), "--workers", "1")
    assert p.returncode == 0 and "1 rejected" in p.stderr
    p = _cli("clean", str(small_corpus), "-o", str(tmp_path / "o2"), "--workers", "1", "--fail-on-reject")
    assert p.returncode == 3
    rep = json.load(open(tmp_path / "o2" / "report.json"))
    assert rep["options"]["fail_on_reject"] is True
