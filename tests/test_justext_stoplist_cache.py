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


def test_the_stop_word_set_made_ahead_is_the_one_jusText_makes(fresh, monkeypatch):
    """Built or read from the cache, the words are lower case: their set is recorded for the
    classification (jusText would lower-case them all at its first one) and equals jusText's."""
    from justext.core import define_stoplist
    from cleaner.extract import justext_fast
    for _ in range(2):   # built and kept, then read from the cache
        monkeypatch.setattr(te, "JT_STOPLIST", None)
        monkeypatch.setattr(stoplists, "_WARM", False)
        justext_fast._STOPSETS.clear()
        stoplists.warm_stoplist()
        words = te.JT_STOPLIST
        calls = []
        monkeypatch.setattr(justext_fast, "define_stoplist", lambda s: calls.append(s) or define_stoplist(s))
        made = justext_fast.stopword_set(words)
        assert calls == [] and made == define_stoplist(words)
        monkeypatch.undo()
        monkeypatch.setenv("CLEANER_CACHE_DIR", str(fresh))


def test_a_stoplist_with_capitals_is_left_to_jusText_to_lower_case(fresh, monkeypatch):
    from cleaner.extract import justext_fast
    monkeypatch.setattr(te, "jt_stoplist_init", lambda: ("The", "and", "of"))
    justext_fast._STOPSETS.clear()
    stoplists.warm_stoplist()
    assert justext_fast.stopword_set(te.JT_STOPLIST) == frozenset({"the", "and", "of"})
    assert stoplists._load(stoplists.cache_path())[1] is False
