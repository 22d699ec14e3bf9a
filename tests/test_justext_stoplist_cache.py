"""jusText's stop words come from the user's cache as the very words trafilatura would build."""
import os

import pytest
import trafilatura.external as te

from cleaner.extract import stoplists


@pytest.fixture
def fresh(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(te, "JT_STOPLIST", None)
    monkeypatch.setattr(stoplists, "_WARM", False)
    return tmp_path


def _built() -> frozenset:
    saved = te.JT_STOPLIST
    try:
        return frozenset(te.jt_stoplist_init())
    finally:
        te.JT_STOPLIST = saved


def test_the_cached_words_are_trafilaturas(fresh, monkeypatch):
    want = _built()
    stoplists.warm_stoplist()
    first = te.JT_STOPLIST
    assert os.path.exists(stoplists.cache_path())
    monkeypatch.setattr(te, "JT_STOPLIST", None)
    monkeypatch.setattr(stoplists, "_WARM", False)
    calls = []
    monkeypatch.setattr(te, "jt_stoplist_init", lambda: calls.append(1))   # the second process reads the cache
    stoplists.warm_stoplist()
    assert calls == [] and te.JT_STOPLIST == first
    assert frozenset(first) == want and len(first) > 1000


def test_a_broken_cache_file_is_built_again(fresh, monkeypatch):
    path = stoplists.cache_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(b"\0" * 64)
    stoplists.warm_stoplist()
    assert frozenset(te.JT_STOPLIST) == _built()


def test_a_list_trafilatura_built_already_is_left_alone(fresh, monkeypatch):
    mine = ("only", "these")
    monkeypatch.setattr(te, "JT_STOPLIST", mine)
    stoplists.warm_stoplist()
    assert te.JT_STOPLIST is mine
