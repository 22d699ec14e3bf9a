"""A run stopped at any point and started again with the same command gives the same bytes."""
from __future__ import annotations

import glob
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from cleaner.config import Options
from cleaner.io import writers
from cleaner.engines.local.run import run

from conftest import read_outputs

WORDS = ("harbour channel storm dredge silt boat tide lighthouse council bridge river winter plan "
         "meeting town engineer sand beach trawler repair ferry quay pier net catch").split()
BATCH = 10


def _corpus(path, n: int, seed: int = 7) -> None:
    """``n`` JSONL text records from a few dozen hosts, some of them repeated (for the corpus steps)."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            paras = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 30))).capitalize() + "."
                     for _ in range(rng.randint(2, 6))]
            if i % 50 == 7:
                paras.append("Subscribe to our newsletter for the weekly harbour report.")
            text = "\n\n".join(paras) if i % 97 != 5 else "Copied text shared by several records."
            fh.write(json.dumps({"id": f"r{i}", "url": f"https://s{i % 30}.example/p{i}", "text": text}) + "\n")
        fh.write("{not json\n")


def _cmd(inp, out):
    return [sys.executable, "-m", "cleaner", "clean", str(inp), "-o", str(out), "--workers", "2",
            "--spool-batch-records", str(BATCH), "--no-progress"]


def _env():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(x) for x in fh.read().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the worker processes")
def test_kill_9_mid_run_then_rerun_gives_identical_bytes(tmp_path):
    inp = tmp_path / "corpus.jsonl"
    _corpus(inp, 400)
    ref = run([str(inp)], Options(progress=False, workers=1, spool_batch_records=BATCH), str(tmp_path / "ref"))
    assert ref.report["documents"]["in"] == 401

    out = tmp_path / "out"
    proc = subprocess.Popen(_cmd(inp, out), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not glob.glob(str(out / ".work" / "pass1-*.jsonl.zst")):
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "no spool batch after 120 s"
        time.sleep(0.005)
    can_list = os.path.exists(f"/proc/{proc.pid}/task/{proc.pid}/children")  # a kernel option
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    proc.stderr.close()
    done = len(glob.glob(str(out / ".work" / "pass1-*.jsonl.zst")))
    assert 1 <= done < 401 // BATCH + 1, "killed in the middle of pass 1"
    assert not (out / "report.json").exists()
    deadline = time.monotonic() + 10
    while any(_alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not can_list or (workers and not any(_alive(w) for w in workers)), "workers die with the driver"

    again = subprocess.run(_cmd(inp, out), env=_env(), capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    rep = json.load(open(out / "report.json"))
    assert rep["run"]["batches_resumed"] >= done > 0
    assert rep["documents"] == ref.report["documents"]
    assert read_outputs(out) == read_outputs(tmp_path / "ref")
    assert not (out / ".work").exists()


class _Crash(Exception):
    pass


def test_a_run_stopped_while_writing_resumes_every_batch(tmp_path, monkeypatch):
    inp = tmp_path / "corpus.jsonl"
    _corpus(inp, 150)
    opts = Options(progress=False, workers=1, spool_batch_records=BATCH, shard_size_mb=0.005)
    ref = run([str(inp)], opts, str(tmp_path / "ref"))
    assert len(ref.report["outputs"]["clean"]) > 2, "several shards, so the crash leaves some behind"

    real_write, seen = writers.ShardedWriter.write_segment, []

    def crash_midway(self, lines, packed=None):   # the final pass writes a spool file's lines of a kind at a time
        seen.append(1)
        if len(seen) == 8:
            raise _Crash()
        real_write(self, lines, packed)

    monkeypatch.setattr(writers.ShardedWriter, "write_segment", crash_midway)
    with pytest.raises(_Crash):
        run([str(inp)], opts, str(tmp_path / "out"))
    monkeypatch.setattr(writers.ShardedWriter, "write_segment", real_write)
    left = os.listdir(tmp_path / "out")
    assert "report.json" not in left and any(n.startswith("clean-") for n in left)
    assert any(n.endswith(".tmp") for n in left), "a half-written shard stays hidden under its temporary name"

    res = run([str(inp)], opts, str(tmp_path / "out"))
    assert res.report["run"]["batches_resumed"] == 151 // BATCH + 1
    assert read_outputs(tmp_path / "out") == read_outputs(tmp_path / "ref")
    assert not [n for n in os.listdir(tmp_path / "out") if n.endswith(".tmp")]


def test_a_changed_input_or_option_starts_over(tmp_path, monkeypatch):
    inp = tmp_path / "corpus.jsonl"
    _corpus(inp, 60)
    opts = Options(progress=False, workers=1, spool_batch_records=BATCH)
    import cleaner.engines.local.passes as corpus_passes

    def stop(*a, **k):
        raise _Crash()

    monkeypatch.setattr(corpus_passes, "corpus_passes", stop)  # stops after pass 1, the spool complete
    with pytest.raises(_Crash):
        run([str(inp)], opts, str(tmp_path / "out"))
    monkeypatch.undo()
    assert len(glob.glob(str(tmp_path / "out" / ".work" / "pass1-*"))) == 7

    # Options that only change how the output is written keep the spool.
    import dataclasses
    same = run([str(inp)], dataclasses.replace(opts, output_format="jsonl", workers=2), str(tmp_path / "out"))
    assert same.report["run"]["batches_resumed"] == 7

    monkeypatch.setattr(corpus_passes, "corpus_passes", stop)
    with pytest.raises(_Crash):
        run([str(inp)], opts, str(tmp_path / "out"))
    monkeypatch.undo()
    _corpus(inp, 60, seed=8)  # the input changed since the interrupted run
    res = run([str(inp)], opts, str(tmp_path / "out"))
    assert res.report["run"]["batches_resumed"] == 0
    run([str(inp)], opts, str(tmp_path / "fresh"))
    assert read_outputs(tmp_path / "out") == read_outputs(tmp_path / "fresh")
