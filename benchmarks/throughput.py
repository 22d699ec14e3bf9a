"""Throughput of `cleaner clean` against plain trafilatura, where the time goes, and 2 workers against 1.

Usage:
    python benchmarks/throughput.py HTML_DIR [HTML_DIR ...] [--limit N] [--repeat K] [--no-workers-2] [--workers-only]

HTML_DIR: folders of *.html / *.html.gz pages (e.g. ../shared/eval/scrapinghub/html and
../shared/eval/wcxb-test/html). Every figure is measured in this one run on the same
pages, so the printed ratios do not depend on the machine:

- baseline: ``trafilatura.extract(page)`` with its default settings on each page's bytes,
  one fresh process (this one patches trafilatura's XPaths once cleaner's path has run);
- cleaner's per-document path (decode, extract, chrome rules, in-page duplicates, the
  first corpus step's fingerprint), one process, on the records as the reader gives them,
  with the garbage collector set as a worker process sets it (``tune_worker_gc``);
- ``cleaner clean DIR -o OUT --workers 1`` end to end (read, spool, corpus steps, write
  shards and report), as a separate process, like a user runs it; and with ``--workers 2``.

Each row shows wall seconds (what a user waits; compare on an idle machine) and CPU
seconds (this process and its children: what a shared machine does not distort), and the
ratio of trafilatura's time to cleaner's (above 1: cleaner is faster). Then the shares of
the per-document path by stage, and the worst pages.

Every measurement runs once per round (``--repeat K``: K rounds of trafilatura, the
per-document path, ``--workers 1`` and ``--workers 2`` in turn), so that a machine that
gets busier or quieter meanwhile weighs on all alike; the table shows the fastest of each,
and the ratios and the speed-up are also printed for every round (their spread). ``--workers-only``
times just those runs (no trafilatura baseline, no per-document path).
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cleaner.config import Options  # noqa: E402
from cleaner.io.readers import iter_records  # noqa: E402
from cleaner.engines.document_work import DocumentProcessor  # noqa: E402
from cleaner.engines.local.procs import tune_worker_gc  # noqa: E402
from cleaner.extract.xpath_install import install  # noqa: E402

from pages import load_pages  # noqa: E402  (benchmarks/pages.py)


def _cpu() -> float:
    """CPU seconds of this process and of its finished children."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn) -> tuple[float, float]:
    """``(wall, cpu)`` seconds of one call of ``fn``."""
    w, c = time.perf_counter(), _cpu()
    fn()
    return time.perf_counter() - w, _cpu() - c


#: The baseline, run in a fresh interpreter: this process installs cleaner's faster copies of
#: trafilatura's XPaths (:mod:`cleaner.extract.xpath_install`) once the per-document path has run,
#: and plain trafilatura in the same process would run them too from the second round on.
_BASELINE = """
import json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import trafilatura
from pages import read_bytes
raw = [read_bytes(p) for p in json.load(open(sys.argv[2]))]
trafilatura.extract(raw[0])
u = resource.getrusage(resource.RUSAGE_SELF)
w, c = time.perf_counter(), u.ru_utime + u.ru_stime
for h in raw:
    trafilatura.extract(h)
u = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps([time.perf_counter() - w, u.ru_utime + u.ru_stime - c]))
"""


def plain_trafilatura(paths: list[str]) -> tuple[float, float]:
    """``(wall, cpu)`` seconds of ``trafilatura.extract`` (default settings) on every page, in a
    fresh process (imports and one warm-up page not counted)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump([os.path.abspath(p) for p in paths], fh)
    try:
        out = subprocess.run([sys.executable, "-c", _BASELINE, os.path.dirname(os.path.abspath(__file__)), fh.name],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.remove(fh.name)
    wall, cpu = json.loads(out.strip().splitlines()[-1])
    return wall, cpu


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+", metavar="DIR", help="folders of *.html / *.html.gz pages")
    ap.add_argument("--limit", type=int, default=0, help="at most this many pages (0 = all)")
    ap.add_argument("--repeat", type=int, default=1, help="rounds of every measurement (the fastest of each is shown, and each round's ratios)")
    ap.add_argument("--no-workers-2", action="store_true", help="skip the --workers 2 run")
    ap.add_argument("--workers-only", action="store_true",
                    help="time only cleaner clean with --workers 1 and 2 (alternating, --repeat pairs)")
    a = ap.parse_args()

    paths = load_pages(a.dirs, a.limit)
    n = len(paths)
    exe = os.path.join(os.path.dirname(sys.executable), "cleaner")
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "in")  # the pipeline reads a folder: link the selected pages into one
        os.mkdir(src)
        for p in paths:
            os.symlink(os.path.abspath(p), os.path.join(src, os.path.basename(p)))
        opts = Options(progress=False, workers=1)
        records = [] if a.workers_only else list(iter_records([src], opts))
        proc = DocumentProcessor(opts)
        if records:
            proc(records[0])  # compile what the first page needs, like any run does once
            install()         # trafilatura's faster XPaths, as a corpus run installs them before its workers start

        runs: dict[int, dict] = {}

        def clean(workers: int) -> None:
            out = os.path.join(tmp, f"out{workers}")
            subprocess.run([exe, "clean", src, "-o", out, "--workers", str(workers), "--no-progress"],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with open(os.path.join(out, "report.json"), encoding="utf-8") as fh:
                runs[workers] = json.load(fh)["run"]

        stages: dict[str, float] = {}
        per_page: list[tuple[float, str]] = []

        def per_document() -> None:
            stages.clear()
            per_page.clear()
            proc.stage_seconds = stages
            young = gc.get_threshold()
            tune_worker_gc()   # as a worker process sets its garbage collector; undone below
            try:
                per_document_pages()
            finally:
                gc.unfreeze()
                gc.set_threshold(*young)
                proc.stage_seconds = None

        def per_document_pages() -> None:
            for r, p in zip(records, paths):
                t0 = time.perf_counter()
                o = proc(r)
                per_page.append((time.perf_counter() - t0, os.path.basename(p)))
                for k, v in o.seconds.items():
                    if k != "extract":
                        stages[k] = stages.get(k, 0.0) + v

        # Rounds of every measurement in turn (--repeat K rounds), so that a machine that gets
        # busier or quieter meanwhile weighs on trafilatura and on cleaner alike; the table shows
        # the fastest of each, and the ratio of each round is printed beside it (its spread).
        rounds: list[dict[str, tuple[float, float] | None]] = []
        driver: dict[int, list[float]] = {1: [], 2: []}
        for _ in range(a.repeat):
            r: dict[str, tuple[float, float] | None] = {"traf": None, "doc": None, "one": None, "two": None}
            if not a.workers_only:
                r["traf"] = plain_trafilatura(paths)
                r["doc"] = timed(per_document)
            r["one"] = timed(lambda: clean(1))
            driver[1].append(runs[1].get("driver_cpu_seconds", float("nan")))
            if not a.no_workers_2:
                r["two"] = timed(lambda: clean(2))
                driver[2].append(runs[2].get("driver_cpu_seconds", float("nan")))
            rounds.append(r)

        def fastest(key: str) -> tuple[float, float] | None:
            got = [r[key] for r in rounds if r[key] is not None]
            return (min(t[0] for t in got), min(t[1] for t in got)) if got else None  # type: ignore[index]

        t_traf, t_doc, t_run1, t_run2 = fastest("traf"), fastest("doc"), fastest("one"), fastest("two")
        pairs = [(r["one"], r["two"]) for r in rounds]

    print(f"pages: {n} from {', '.join(a.dirs)}; cores: {os.cpu_count()}")
    print(f"{'what':<50}{'wall s':>8}{'cpu s':>8}{'pages/s':>9}{'ratio':>7}{'cpu ratio':>10}")
    rows = [("plain trafilatura.extract (defaults), 1 process", t_traf),
            ("cleaner per-document path, 1 process", t_doc),
            ("cleaner clean end to end, --workers 1", t_run1)]
    if t_run2 is not None:
        rows.append(("cleaner clean end to end, --workers 2", t_run2))
    for name, t in rows:
        if t is None:
            continue
        w, c = t
        ratios = f"{t_traf[0] / w:>7.2f}{t_traf[1] / c:>10.2f}" if t_traf is not None else ""
        print(f"{name:<50}{w:>8.2f}{c:>8.2f}{n / w:>9.1f}{ratios}")
    if t_run2 is not None:
        each = [p[0][0] / p[1][0] for p in pairs if p[1] is not None]
        print(f"speed-up of 2 workers over 1: {t_run1[0] / t_run2[0]:.2f}x wall (fastest of each)"
              + (f"; by pair: {', '.join(f'{r:.2f}' for r in each)} (spread {min(each):.2f}-{max(each):.2f})"
                 if len(each) > 1 else ""))
    if t_traf is not None:
        print(f"cleaner end to end (1 worker) against trafilatura: {t_traf[0] / t_run1[0]:.2f} wall, "
              f"{t_traf[1] / t_run1[1]:.2f} CPU (goal >= 1.0)")
        if len(rounds) > 1:
            for key, what in (("doc", "per-document path"), ("one", "end to end, 1 worker")):
                each = [r["traf"][0] / r[key][0] for r in rounds]  # type: ignore[index]
                print(f"  by round, {what}: {', '.join(f'{x:.2f}' for x in each)} wall "
                      f"(spread {min(each):.2f}-{max(each):.2f})")
    for w, r in sorted(runs.items()):
        print(f"--workers {w}: driver {r.get('driver_cpu_seconds', '?')} CPU s "
              f"(all runs: {', '.join(f'{x:.2f}' for x in driver[w])}), peak {r.get('driver_peak_memory_mb', '?')} MB; "
              f"workers {r.get('workers_cpu_seconds', '?')} CPU s, largest peak {r.get('worker_peak_memory_mb', '?')} MB")
    if a.workers_only:
        return 0

    total = sum(stages.values())
    print(f"\nwhere the per-document time goes ({total:.2f} s measured by stage; "
          f"as shares of it and as a multiple of plain trafilatura's time)")
    for k, v in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {k:<36}{v:>8.2f} s{100 * v / total:>7.1f} %{v / t_traf[0]:>7.3f}x")
    print("slowest pages (per-document path):", ", ".join(f"{name} {t:.2f}s" for t, name in
                                                         sorted(per_page, reverse=True)[:5]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
