"""The page listing shared by the benchmark scripts (benchmarks/pages.py)."""
import gzip
import os
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "benchmarks"))
from pages import load_pages, read_bytes  # noqa: E402


def test_pages_are_listed_sorted_by_suffix_and_limited(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    for d, name in ((a, "2.html.gz"), (a, "1.html"), (b, "0.htm"), (a, "notes.txt"), (a, "x.html.bak")):
        (d / name).write_bytes(b"")
    assert [os.path.basename(p) for p in load_pages([str(b), str(a)])] == ["1.html", "2.html.gz", "0.htm"]
    assert len(load_pages([str(a), str(b)], limit=2)) == 2


def test_gzipped_pages_are_read_as_their_bytes(tmp_path):
    (tmp_path / "p.html.gz").write_bytes(gzip.compress(b"<p>caf\xc3\xa9</p>"))
    (tmp_path / "q.html").write_bytes(b"<p>plain</p>")
    assert read_bytes(str(tmp_path / "p.html.gz")) == b"<p>caf\xc3\xa9</p>"
    assert read_bytes(str(tmp_path / "q.html")) == b"<p>plain</p>"


def test_a_missing_folder_says_what_to_give(tmp_path):
    with pytest.raises(SystemExit, match="not a folder"):
        load_pages([str(tmp_path / "nope")])
