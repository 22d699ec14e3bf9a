#!/usr/bin/env python3
"""Instructions per document with and without the faster XPath copies (:mod:`cleaner.extract.xpath_install`), counted by callgrind.

Usage::

    python benchmarks/xpath_guards_callgrind.py [--mode cleaner|trafilatura] [--every 12] [--pages] DIR [DIR ...]

Runs itself under ``valgrind --tool=callgrind`` four times per mode: with and without the
guards (``XPATH_GUARDS_OFF=1``, read only by this script, makes ``install`` a no-op), each
with the pages and without them (the set-up: imports, reading the pages, one warm-up
extraction of a small page). Prints the instructions per document, set-up subtracted,
and the share the guards save. The pages are every ``--every``-th of each folder's sorted
listing. Instruction counts do not depend on the machine's load, unlike wall-clock time.
``--pages`` is the inner run (what callgrind counts).

``--mode cleaner`` runs ``cleaner.extract.main_content.extract(raw, Options())`` per page;
``--mode trafilatura`` runs ``trafilatura.extract(raw)`` (its defaults), guards installed first.
"""
from __future__ import annotations

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from callgrind import WARM_UP, every_nth_page, per_page  # noqa: E402
from pages import read_bytes  # noqa: E402




def inner(a: argparse.Namespace) -> None:
    """Set up, then extract every page (none with ``--count 0``)."""
    import cleaner.extract.xpath_install as guards
    if os.environ.get("XPATH_GUARDS_OFF") == "1":
        guards.install = lambda: None
    raw = [read_bytes(p) for p in every_nth_page(a.dirs, a.every)]
    if a.mode == "cleaner":
        from cleaner.config import Options
        from cleaner.extract.main_content import extract
        options = Options()

        def run(b):
            extract(b, options)
    else:
        import trafilatura
        guards.install()

        def run(b):
            trafilatura.extract(b)
    run(WARM_UP)
    for b in raw[:a.count]:
        run(b)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--mode", choices=("cleaner", "trafilatura"), default="cleaner")
    ap.add_argument("--every", type=int, default=12)
    ap.add_argument("--count", type=int, default=10**9, help=argparse.SUPPRESS)
    ap.add_argument("--pages", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.pages:
        inner(a)
        return 0
    n = len(every_nth_page(a.dirs, a.every))
    per = {}
    for off in (True, False):
        env = dict(os.environ, XPATH_GUARDS_OFF="1" if off else "0")
        setup, total, per[off] = per_page(__file__, ["--pages", "--mode", a.mode, "--every", str(a.every), *a.dirs],
                                          n, env)
        print(f"{a.mode} guards {'off' if off else 'on '}: set-up {setup:,} total {total:,} "
              f"-> {per[off]:,.0f} instructions per document ({n} pages)", flush=True)
    print(f"saved: {1 - per[False] / per[True]:.1%} of the instructions per document")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
