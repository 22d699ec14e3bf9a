"""The on-disk cache of compiled rule patterns changes how long a run takes, never what a pattern matches."""
from __future__ import annotations

import os

import pytest
import regex

from cleaner.rules import pattern_cache
from cleaner.rules.engine import load_rules


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(pattern_cache.ENV_SWITCH, raising=False)
    monkeypatch.delenv("CLEANER_CACHE_DIR", raising=False)
    return tmp_path


def _entries() -> list[str]:
    d = pattern_cache.cache_dir()
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def _spans(p: "regex.Pattern[str]", line: str) -> tuple:
    got = []
    for fn in (p.fullmatch, p.match, p.search):
        m = fn(line)
        got.append(None if m is None else (m.span(), m.groups()))
    return tuple(got)


def test_every_shipped_pattern_from_the_cache_matches_like_a_fresh_compile(cache_home):
    rules = load_rules()
    sources = sorted({s for r in rules for s in (r.pattern_source, r.member_source, r.anchor_source, r.previous_source)
                      if s is not None})
    own: dict[str, list[str]] = {}   # each pattern is tried on its own rule's examples and on a sample of the others'
    for r in rules:
        for s in (r.pattern_source, r.member_source, r.anchor_source, r.previous_source):
            if s is not None:
                own.setdefault(s, []).extend((*r.match, *r.keep))
    everyone = [x for r in rules for x in (*r.match, *r.keep)]
    shared = everyone[::25] + ["", "SHARE THIS", "Straße schließen", "Teilen auf Facebook", "Posted by admin on 3 May 2021"]
    cold = [pattern_cache.compile_pattern(s) for s in sources]
    assert len(_entries()) == len(sources)   # each compile left its entry
    warm = [pattern_cache._load(os.path.join(pattern_cache.cache_dir(), pattern_cache._key(s, regex.V1) + ".marshal"), s)
            for s in sources]
    assert all(w is not None for w in warm)   # ... and each entry loads
    for src, c, w in zip(sources, cold, warm):
        fresh = regex.compile(src, regex.V1)
        assert w.pattern == src and w.flags == fresh.flags and w.groups == fresh.groups
        for line in own[src] + shared:
            assert _spans(w, line) == _spans(fresh, line) == _spans(c, line), (src[:60], line)


def test_a_damaged_or_foreign_entry_is_compiled_again(cache_home):
    src = r"(?i)(?:share|teilen) (?:this|on facebook)"
    pattern_cache.compile_pattern(src)
    [name] = _entries()
    path = os.path.join(pattern_cache.cache_dir(), name)
    with open(path, "r+b") as fh:   # one byte changed: the digest no longer fits
        fh.seek(40)
        b = fh.read(1)
        fh.seek(40)
        fh.write(bytes([b[0] ^ 0xFF]))
    assert pattern_cache._load(path, src) is None
    assert pattern_cache.compile_pattern(src).fullmatch("SHARE on Facebook")
    assert pattern_cache._load(path, src) is not None   # written again
    assert pattern_cache._load(path, src + "x") is None  # an entry of another pattern text is refused
    with open(path, "wb") as fh:
        fh.write(b"not an entry")
    assert pattern_cache.compile_pattern(src).fullmatch("teilen this")


def test_switched_off_or_unwritable_cache_still_compiles(cache_home, monkeypatch):
    monkeypatch.setenv(pattern_cache.ENV_SWITCH, "0")
    assert pattern_cache.compile_pattern(r"(?i)log\s+in").fullmatch("LOG  IN")
    assert _entries() == []
    monkeypatch.delenv(pattern_cache.ENV_SWITCH)
    blocker = cache_home / "cleaner"
    blocker.write_text("a file where the cache folder would go")
    assert pattern_cache.compile_pattern(r"(?i)sign\s+up").fullmatch("Sign Up")


def test_a_pattern_that_does_not_compile_raises_and_leaves_no_entry(cache_home):
    with pytest.raises(regex.error):
        pattern_cache.compile_pattern(r"(?i)(unclosed")
    assert _entries() == []


def test_the_cache_folder_follows_cleaner_cache_dir_then_xdg(cache_home, monkeypatch, tmp_path):
    assert pattern_cache.cache_dir().startswith(os.path.join(str(cache_home), "cleaner", "regex-"))
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path / "mine"))
    pattern_cache.compile_pattern(r"(?i)read\s+more")
    assert os.listdir(tmp_path / "mine")[0].startswith("regex-")
