"""End-to-end throughput of `cleaner clean` against plain trafilatura, and 2 workers against 1.

Usage:
    python benchmarks/throughput.py HTML_DIR [HTML_DIR ...] [--limit N] [--repeat K]

HTML_DIR: folders of *.html / *.html.gz pages (e.g. ../shared/eval/scrapinghub/html and
../shared/eval/wcxb-test/html). Every figure is measured in this one run on the same
pages, so the printed ratios do not depend on the machine:

- baseline: ``trafilatura.extract(page, include_comments=False)`` on each page, one process;
- cleaner per-document path (decode, extract, chrome rules, in-page duplicates), one process;
- ``cleaner.pipeline.run`` end to end (read, spool, corpus steps, write) with 1 and with 2
  workers.
"""
from __future__ import annotations

import dataclasses
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cleaner.config import Options  # noqa: E402
from cleaner.io.readers import iter_records  # noqa: E402
from cleaner.pipeline import DocumentProcessor, run  # noqa: E402

from pages import load_pages, page_args, read_bytes  # noqa: E402  (benchmarks/pages.py)


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main() -> int:
    a = page_args(__doc__, limit=0, repeat=1)

    import trafilatura

    paths = load_pages(a.dirs, a.limit)
    raw = [read_bytes(p) for p in paths]
    n = len(raw)
    with tempfile.TemporaryDirectory() as tmp:
        # The pipeline reads a folder: link the selected pages into one.
        src = os.path.join(tmp, "in")
        os.mkdir(src)
        for p in paths:
            os.symlink(os.path.abspath(p), os.path.join(src, os.path.basename(p)))
        opts = Options(progress=False, workers=1)
        records = list(iter_records([src], opts))
        proc = DocumentProcessor(opts)

        def best(fn) -> float:
            return min(timed(fn) for _ in range(a.repeat))

        t_traf = best(lambda: [trafilatura.extract(h, include_comments=False) for h in raw])
        t_doc = best(lambda: [proc(r) for r in records])
        t_run1 = best(lambda: run([src], opts, os.path.join(tmp, "o1")))
        t_run2 = best(lambda: run([src], dataclasses.replace(opts, workers=2), os.path.join(tmp, "o2")))

    print(f"pages: {n} from {', '.join(a.dirs)}; cores: {os.cpu_count()}")
    print(f"{'what':<52}{'seconds':>9}{'pages/s':>10}{'ratio':>8}")
    rows = [("plain trafilatura.extract, 1 process (baseline)", t_traf, 1.0),
            ("cleaner per-document path, 1 process", t_doc, t_traf / t_doc),
            ("cleaner clean end to end, --workers 1", t_run1, t_traf / t_run1),
            ("cleaner clean end to end, --workers 2", t_run2, t_traf / t_run2)]
    for name, t, r in rows:
        print(f"{name:<52}{t:>9.2f}{n / t:>10.1f}{r:>8.2f}")
    print(f"speed-up of 2 workers over 1: {t_run1 / t_run2:.2f}x (goal >= 1.8x on 2 cores)")
    print(f"cleaner end to end (1 worker) vs trafilatura: {t_traf / t_run1:.2f} (goal >= 0.9)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
