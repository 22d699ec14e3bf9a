"""Ctrl-C at any moment of ``cleaner clean`` ends the run within seconds (exit 130), and the
same command then resumes it to the output an uninterrupted run gives."""
from __future__ import annotations

import fnmatch
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time

import pytest

from conftest import PARAGRAPHS, page_html, read_outputs

pytestmark = pytest.mark.skipif(not hasattr(os, "killpg"), reason="needs POSIX process groups")

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Seconds an interrupted run may take to exit (the machine may be busy: generous, yet far from a hang).
EXIT_LIMIT_S = 10.0
#: Seconds to wait for a moment of the run to come before giving up.
WAIT_S = 120.0
RECORDS, PAGES, SPOOL_BATCH = 1500, 40, 150


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Text records over a few hosts (templates, duplicates to find) and some HTML pages (extraction)."""
    root = tmp_path_factory.mktemp("interrupt") / "in"
    (root / "pages").mkdir(parents=True)
    rng = random.Random(3)
    words = " ".join(PARAGRAPHS).split()
    with open(root / "records.jsonl", "w", encoding="utf-8") as fh:
        for i in range(RECORDS):
            paras = [" ".join(rng.choice(words) for _ in range(40)) for _ in range(4)]
            if i % 10 == 0 and i:
                paras = paras[:1] + ["Printed by the harbour press on recycled paper every week."]
            fh.write(json.dumps({"id": f"r{i}", "url": f"https://h{i % 12}.example/{i}", "text": "\n\n".join(paras)}) + "\n")
    for i in range(PAGES):
        paras = [" ".join(rng.choice(words) for _ in range(30)) for _ in range(4)]
        (root / "pages" / f"p{i}.html").write_text(page_html(f"Page {i}", paras), encoding="utf-8")
    return root


#: ``cleaner`` as ``python -m cleaner`` runs it, with every thread's stack printed on SIGUSR1 (for a run that hangs).
MAIN = ("import faulthandler, signal, sys; faulthandler.register(signal.SIGUSR1, all_threads=True); "
        "from cleaner.cli.main import entry; entry()")


def _command(corpus, outdir, workers: int) -> list[str]:
    return [sys.executable, "-c", MAIN, "clean", str(corpus), "-o", str(outdir), "--workers", str(workers),
            "--spool-batch-records", str(SPOOL_BATCH), "--no-progress"]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": REPO}


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("reference") / "out"
    subprocess.run(_command(corpus, out, 1), env=_env(), check=True, capture_output=True, timeout=600)
    return read_outputs(out)


def _seen(outdir, pattern: str) -> bool:
    for root, _, files in os.walk(outdir):
        for f in files:
            if fnmatch.fnmatch(os.path.relpath(os.path.join(root, f), outdir), pattern):
                return True
    return False


#: Moments of a run, told by the files it has made: a glob under OUTDIR, or seconds after the start.
MOMENTS = {
    "starting": 0.3,
    "pass 1": ".work/pass1-000002.jsonl.zst",
    "corpus passes": ".work/marks/00-000002.json.zst",   # site templates decided, a later step fingerprinting
    "writing": ".clean-*.tmp",
}


@pytest.mark.parametrize("workers,moment,group", [
    (1, "pass 1", True), (2, "pass 1", True), (2, "pass 1", False),
    (1, "corpus passes", True), (2, "corpus passes", True),
    (1, "writing", True), (2, "writing", True),
    (2, "starting", True),
])
def test_ctrl_c_ends_the_run_quickly_and_the_run_resumes_to_the_same_output(corpus, reference, tmp_path,
                                                                             workers, moment, group):
    """``group``: SIGINT to the whole process group, as Ctrl-C in a terminal; else to the driver alone."""
    out = tmp_path / "out"
    proc = subprocess.Popen(_command(corpus, out, workers), env=_env(), stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        when = MOMENTS[moment]
        t0 = time.monotonic()
        if isinstance(when, float):
            time.sleep(when)
        else:
            while not _seen(out, when):
                assert proc.poll() is None, f"the run ended before {moment!r} was seen"
                assert time.monotonic() - t0 < WAIT_S, f"{moment!r} never came"
                time.sleep(0.005)
        assert proc.poll() is None, f"the run ended before it could be interrupted at {moment!r}"
        sent = time.monotonic()
        (os.killpg if group else os.kill)(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=EXIT_LIMIT_S)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGUSR1)
            time.sleep(1)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            stacks = proc.stderr.read().decode("utf-8", "replace")[-8000:]
            pytest.fail(f"still running {EXIT_LIMIT_S} s after Ctrl-C at {moment!r} with {workers} worker(s):\n{stacks}")
        took = time.monotonic() - sent
        err = proc.stderr.read().decode("utf-8", "replace")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stderr.close()
    assert proc.returncode == 130, (proc.returncode, err)
    assert "run the same command again to resume" in err and "Traceback" not in err, err
    assert took < EXIT_LIMIT_S
    assert not (out / "report.json").exists(), "an interrupted run is not a finished one"

    again = subprocess.run(_command(corpus, out, workers), env=_env(), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert read_outputs(out) == reference
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["documents"]["in"] == RECORDS + PAGES
    if moment in ("corpus passes", "writing"):
        from cleaner.engines.local.run import SPOOL_FILE_RECORDS   # a spool file holds at most this many records
        per_file = min(SPOOL_BATCH, SPOOL_FILE_RECORDS)
        assert report["run"]["batches_resumed"] == -(-(RECORDS + PAGES) // per_file), "pass 1 was not redone"
    shutil.rmtree(out, ignore_errors=True)


# --------------------------------------------------------------------------- the pools themselves


def _slow_task(plan, path, file_no, base):
    import time as t
    if file_no:          # the first file comes back at once, the others keep their workers busy
        t.sleep(60)
    return {"file": file_no}


FORKED = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers inherit the test's patches by fork")


@pytest.fixture
def slow_tasks(monkeypatch, tmp_path):
    from cleaner.engines.local import passes as cp
    from cleaner.config import Options
    monkeypatch.setitem(cp.TASKS, "slow", _slow_task)   # forked workers inherit the patched table
    plan = cp.PassSetup(Options(progress=False), str(tmp_path), [], [])
    return cp, plan, [(f"f{i}", i, 0) for i in range(4)]


@FORKED
def test_ctrl_c_in_a_corpus_pass_does_not_wait_for_the_running_tasks(slow_tasks):
    cp, plan, files = slow_tasks
    from cleaner.engines.local.procs import LIVE_POOLS

    def interrupt(*_):
        raise KeyboardInterrupt
    old = signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 1.0)
    t0 = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            for _ in cp.run_ordered(plan, "slow", files, 2):
                pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert time.monotonic() - t0 < EXIT_LIMIT_S
    assert not LIVE_POOLS


@FORKED
def test_a_corpus_pass_left_early_stops_its_workers_at_once(slow_tasks):
    cp, plan, files = slow_tasks
    from cleaner.engines.local.procs import LIVE_POOLS
    results = cp.run_ordered(plan, "slow", files, 2)
    assert next(results) == {"file": 0}
    assert len(LIVE_POOLS) == 1, "the pool is known while its generator is suspended"
    t0 = time.monotonic()
    results.close()     # what happens when the consumer is interrupted (the generator is closed)
    assert time.monotonic() - t0 < EXIT_LIMIT_S
    assert not LIVE_POOLS


class _Sleepy(__import__("cleaner").Marker):
    """A user's step that keeps a worker busy for a minute, after leaving a mark that it started."""

    name = "sleepy@1"
    flag = ""   # set by the test before the workers fork

    def mark(self, doc):
        open(self.flag, "a").close()
        time.sleep(60)
        return []


@FORKED
def test_ctrl_c_while_the_driver_reads_does_not_wait_for_the_workers_batch(tmp_path, monkeypatch):
    """The driver reads the next batch (a slow input) while the workers hold the previous one."""
    from cleaner.engines.local import run as pipeline
    from cleaner.config import Options
    from cleaner.io.records import RawRecord

    flag = tmp_path / "started"
    monkeypatch.setattr(_Sleepy, "flag", str(flag))

    def slow_input(*_args, **_kw):
        for i in range(2):
            yield RawRecord(f"r{i}", None, "in.txt", i, text=f"Record {i} about the harbour.")
        t = time.monotonic()
        while not flag.exists():   # the next record is slow to come, and the workers are busy
            assert time.monotonic() - t < WAIT_S
            time.sleep(0.01)
        raise KeyboardInterrupt    # Ctrl-C lands here, in the driver's reading

    monkeypatch.setattr(pipeline, "iter_records", slow_input)
    t0 = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        pipeline._pass1([str(tmp_path)], Options(progress=False, workers=2, spool_batch_records=2),
                        str(tmp_path), steps=(_Sleepy(),))
    assert time.monotonic() - t0 < EXIT_LIMIT_S + 5, "the workers' minute was not waited for"


def _answer() -> int:
    return 42


@FORKED
def test_stopping_a_pool_whose_reader_waits_for_the_rest_of_a_message_returns(tmp_path):
    """A worker killed half-way through sending a result leaves the pool's reader waiting; stopping
    the pool must not wait with it (the 'writing' moment above once hung so, with 2 workers)."""
    import concurrent.futures as cf
    import multiprocessing as mp
    import struct
    import threading

    from cleaner.engines.local.procs import stop_executor
    ex = cf.ProcessPoolExecutor(2, mp_context=mp.get_context("fork"))
    assert ex.submit(_answer).result(timeout=WAIT_S) == 42
    # The head of a 1 MB result and 10 of its bytes, as a worker killed while sending would leave them.
    ex._result_queue._writer._send(struct.pack("!i", 1 << 20) + b"0123456789")
    time.sleep(0.2)
    stopper = threading.Thread(target=stop_executor, args=(ex,), daemon=True)
    t0 = time.monotonic()
    stopper.start()
    stopper.join(EXIT_LIMIT_S * 2)
    assert not stopper.is_alive(), "stop_executor waits for a message that will never be finished"
    assert time.monotonic() - t0 < EXIT_LIMIT_S


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_sigint_swallowed_by_a_finaliser_still_stops_the_run():
    """An exception raised in ``__del__`` is dropped by Python; the flag makes the next check raise."""
    import gc

    from cleaner.engines.local.procs import Interrupts

    watch = Interrupts()
    with watch:
        class Finalised:
            def __del__(self):
                os.kill(os.getpid(), signal.SIGINT)   # the handler raises inside __del__: swallowed

        Finalised()
        gc.collect()
        time.sleep(0.05)
        with pytest.raises(KeyboardInterrupt):
            watch.check()
    with watch:
        watch.check()   # the next run starts clean
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler   # put back after the run
