"""The HTML pages a benchmark runs on: listing and reading, shared by the benchmark scripts.

The evaluation folders (scrapinghub, WCXB) hold ``*.html.gz`` pages; plain ``*.html`` and
``*.htm`` work too. Listings are sorted by path so that ``--limit N`` always takes the same pages.
"""
from __future__ import annotations

import argparse
import gzip
import os

#: File name endings of the pages a benchmark reads.
PAGE_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")


def load_pages(dirs: list[str], limit: int = 0) -> list[str]:
    """Paths of the pages in the folders ``dirs``, sorted; the first ``limit`` when ``limit`` > 0.

    Raises ``SystemExit`` naming the folder when one does not exist.
    """
    for d in dirs:
        if not os.path.isdir(d):
            raise SystemExit(f"{d} is not a folder; give folders of *.html / *.html.gz pages")
    paths = sorted(os.path.join(d, f) for d in dirs for f in os.listdir(d) if f.endswith(PAGE_SUFFIXES))
    return paths[:limit] if limit > 0 else paths


def read_bytes(path: str) -> bytes:
    """The page's bytes, gunzipped when the name ends in ``.gz``."""
    with open(path, "rb") as fh:
        data = fh.read()
    return gzip.decompress(data) if path.endswith(".gz") else data


def page_args(doc: str | None, limit: int, repeat: int) -> argparse.Namespace:
    """Parse the command line of a benchmark over page folders: ``DIR... [--limit N] [--repeat K]``.

    ``limit`` and ``repeat`` are the defaults of the two flags; ``doc`` is the script's help.
    """
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dirs", nargs="+", metavar="DIR", help="folders of *.html / *.html.gz pages")
    ap.add_argument("--limit", type=int, default=limit, help=f"at most this many pages (0 = all; default {limit})")
    ap.add_argument("--repeat", type=int, default=repeat,
                    help=f"repeat each measurement, keep the fastest (default {repeat})")
    return ap.parse_args()
