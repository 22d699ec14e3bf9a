#!/usr/bin/env python3
"""Instructions per page of cleaner's per-document path against plain trafilatura, counted by callgrind.

Usage::

    python benchmarks/instructions.py [--every 12] DIR [DIR ...]

Wall-clock runs on a shared machine move by 10-20 % from one run to the next; the number
of instructions a run executes does not. For every ``--every``-th page of each folder's
sorted listing, runs under ``valgrind --tool=callgrind``:

- ``trafilatura.extract(page)`` with its default settings (the baseline of
  ``benchmarks/throughput.py``);
- cleaner's per-document path (``DocumentProcessor``: decode, extract, markers, language,
  the first corpus step's fingerprint) on the records the reader gives, with trafilatura's
  XPaths replaced as a corpus run replaces them (:mod:`cleaner.extract.xpath_install`) and
  the garbage collector set as a worker process sets it (:func:`cleaner.engines.local.procs.tune_worker_gc`).

Each is run with the pages and without them (the set-up: imports, reading, one warm-up
page), so the set-up cancels out. Prints instructions per page and their ratio
(trafilatura's over cleaner's: above 1, cleaner executes fewer). Instructions are not
time (a cache miss costs more than an add), so quote this beside ``throughput.py``.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from callgrind import WARM_UP, every_nth_page, per_page  # noqa: E402
from pages import read_bytes  # noqa: E402




def inner(a: argparse.Namespace) -> None:
    """Set up, then run every selected page (none with ``--count 0``) through ``--mode``."""
    paths = every_nth_page(a.dirs, a.every)[:a.count]
    if a.mode == "trafilatura":
        import trafilatura
        raw = [read_bytes(p) for p in paths]
        trafilatura.extract(WARM_UP)
        for b in raw:
            trafilatura.extract(b)
        return
    from cleaner.config import Options
    from cleaner.engines.document_work import DocumentProcessor
    from cleaner.engines.local.procs import tune_worker_gc
    from cleaner.extract.xpath_install import install
    from cleaner.io.readers import iter_records
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "0-warm-up.html"), "wb") as fh:
            fh.write(WARM_UP)
        for k, p in enumerate(paths):
            os.symlink(os.path.abspath(p), os.path.join(tmp, f"{k + 1:04d}-{os.path.basename(p)}"))
        opts = Options(progress=False, workers=1)
        records = list(iter_records([tmp], opts))
    proc = DocumentProcessor(opts)
    install()
    tune_worker_gc()
    for r in records:
        proc(r)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--every", type=int, default=12)
    ap.add_argument("--mode", choices=("trafilatura", "cleaner"), help=argparse.SUPPRESS)
    ap.add_argument("--count", type=int, default=10**9, help=argparse.SUPPRESS)
    ap.add_argument("--pages", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.pages:
        inner(a)
        return 0
    n = len(every_nth_page(a.dirs, a.every))
    per = {}
    for mode in ("trafilatura", "cleaner"):
        setup, total, per[mode] = per_page(__file__, ["--pages", "--mode", mode, "--every", str(a.every), *a.dirs], n)
        print(f"{mode:<12} set-up {setup:,} total {total:,} -> {per[mode]:,.0f} instructions a page ({n} pages)",
              flush=True)
    print(f"ratio trafilatura/cleaner per-document path: {per['trafilatura'] / per['cleaner']:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
