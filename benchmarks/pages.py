"""The HTML pages a benchmark runs on: listing and reading, shared by the benchmark scripts.

The evaluation folders (scrapinghub, WCXB) hold ``*.html.gz`` pages; plain ``*.html`` and
``*.htm`` work too. Listings are sorted by path so that ``--limit N`` always takes the same pages.
"""
from __future__ import annotations

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
