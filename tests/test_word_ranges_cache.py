"""The word-count fast path's character ranges, kept in the user's cache: used when sound, recomputed when not."""
from __future__ import annotations

import glob
import os

from cleaner.rules import text_shape


def test_ranges_are_cached_and_a_broken_cache_file_is_recomputed(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    want = text_shape._agreeing_ranges()
    assert text_shape._cached_agreeing_ranges() == want
    (path,) = glob.glob(os.path.join(tmp_path, "**", "word-ranges-*.json"), recursive=True)
    for broken in ("not json", "[]", "[[5, 2]]", "[[0, 2000000]]", '[["a", 1]]'):
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(broken)
        assert text_shape._cached_agreeing_ranges() == want, broken
