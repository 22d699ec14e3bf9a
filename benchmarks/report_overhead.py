"""What report.html and `cleaner explain` cost, as ratios against `cleaner clean` in the same run.

Usage:
    python benchmarks/report_overhead.py INPUT [INPUT ...] [--repeat K]

INPUT: anything ``cleaner clean`` reads (e.g. ../shared/eval/neardup-scrapinghub/input.jsonl).
Printed, best of K runs, one worker:

- ``clean -o``: the whole run, report.json and report.html included;
- ``report.html`` alone: rendering and writing the page from that run's report and sample;
- ``explain``: the same pipeline without the final cut, one document rendered as text and HTML.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cleaner.config import Options  # noqa: E402
from cleaner.cli.explain import find_document, render_html, render_text  # noqa: E402
from cleaner.engines.local.run import run  # noqa: E402
from cleaner.engines.totals import SAMPLE_DOCS  # noqa: E402
from cleaner.report.html import write_report_html  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    opts = dataclasses.replace(Options(progress=False), workers=1)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "out")
        state = {}

        def clean() -> None:
            captured: list = []
            state["report"] = run(args.inputs, opts, out, emit=lambda d, t: captured.append(d)).report
            state["samples"] = [d.to_json() for d in captured if d.removed and d.dropped is None][:SAMPLE_DOCS]

        t_clean = best(clean, args.repeat)
        t_html = best(lambda: write_report_html(os.path.join(tmp, "r.html"), state["report"], state["samples"]),
                      args.repeat)

        def explain() -> None:
            f = find_document(args.inputs, opts)
            render_text(f.doc)
            render_html(f.doc, f.text)

        t_explain = best(explain, args.repeat)
        size = os.path.getsize(os.path.join(out, "report.html"))
    n = state["report"]["documents"]["in"]
    print(f"records: {n}; best of {args.repeat}, 1 worker")
    print(f"clean -o (with report.html): {t_clean:.3f} s")
    print(f"report.html alone:           {t_html * 1000:.1f} ms = {t_html / t_clean:.3f} x clean; {size / 1024:.0f} KiB")
    print(f"explain (one document):      {t_explain:.3f} s = {t_explain / t_clean:.2f} x clean")


if __name__ == "__main__":
    main()
