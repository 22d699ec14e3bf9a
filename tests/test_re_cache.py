"""The on-disk cache of compiled stdlib ``re`` patterns (cleaner.re_cache) gives the patterns ``re`` gives.

``re`` pattern objects compare equal when their flags, source and compiled opcodes are equal,
so ``==`` against a pattern compiled by ``re``'s own compiler checks the cached opcodes exactly.
"""
import os
import re

import pytest

from cleaner import re_cache

PATTERNS = [
    (r"\s+", 0),
    (r"(?P<year>\d{4})-(?P<month>\d\d)(?:-(\d\d))?", 0),
    (r"^(?:comment|disqus_thread|dsq-comments)", re.I),
    (r"(?<=\bfoo)bar(?!baz)", re.M | re.S),
    ("[\u0e00-\U0010ffff]", 0),
    ("[^" + "".join(re.escape(chr(c)) for c in range(0x20, 0x2000, 7)) + "]", 0),
    (rb"\x00[\x80-\xff]+", 0),
    (r"(a)(b)?(?(2)c|d)", re.X),
    (r"\w+", re.A),
]


def _own(pattern, flags):
    """The pattern as ``re``'s compiler makes it, past its in-memory cache."""
    return re._compiler.compile(pattern, flags)


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder, and the module's groups forgotten (as in a new process)."""
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv(re_cache.ENV_SWITCH, raising=False)
    monkeypatch.setattr(re_cache, "_GROUPS", {})
    return tmp_path


def _new_process(monkeypatch):
    for group in re_cache._GROUPS.values():
        group.save()
    monkeypatch.setattr(re_cache, "_GROUPS", {})


def _no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a cached pattern was parsed again")
    monkeypatch.setattr(re._parser, "parse", refuse)


@pytest.mark.parametrize("pattern,flags", PATTERNS)
def test_a_pattern_from_the_cache_is_the_pattern_re_compiles(cache, monkeypatch, pattern, flags):
    first = re_cache.compile_re(pattern, flags)
    assert first == _own(pattern, flags)
    _new_process(monkeypatch)
    own = _own(pattern, flags)
    _no_parsing(monkeypatch)
    again = re_cache.compile_re(pattern, flags)
    assert again == own and again.groupindex == own.groupindex and again.groups == own.groups


def test_recording_caches_what_an_import_compiles_and_restores_re(cache, monkeypatch):
    real = re._compiler.compile
    sources = [f"(?:token{i}|other{i})+\\d" for i in range(5)]
    with re_cache.recording("lib"):
        assert re._compiler.compile is not real
        first = [re._compiler.compile(s, re.I) for s in sources]
    assert re._compiler.compile is real
    assert (cache / os.path.relpath(re_cache.cache_dir(), str(cache)) / "lib.marshal").exists()
    assert first == [_own(s, re.I) for s in sources]
    _new_process(monkeypatch)
    own = [_own(s, re.I) for s in sources]
    _no_parsing(monkeypatch)
    with re_cache.recording("lib"):
        assert [re._compiler.compile(s, re.I) for s in sources] == own


def test_nested_recording_leaves_re_to_the_first_block(cache):
    real = re._compiler.compile
    with re_cache.recording("outer"):
        outer = re._compiler.compile
        with re_cache.recording("inner"):
            assert re._compiler.compile is outer
        assert re._compiler.compile is outer
    assert re._compiler.compile is real


def test_recording_restores_re_when_the_import_fails(cache):
    real = re._compiler.compile
    with pytest.raises(ImportError):
        with re_cache.recording("lib"):
            import cleaner_no_such_module  # noqa: F401
    assert re._compiler.compile is real


def test_a_torn_cache_file_is_ignored(cache, monkeypatch):
    re_cache.compile_re(r"torn\d+", 0)
    _new_process(monkeypatch)
    path = os.path.join(re_cache.cache_dir(), "cleaner.marshal")
    with open(path, "r+b") as fh:
        fh.seek(40)
        fh.write(b"\xff\xff\xff")
    assert re_cache.compile_re(r"torn\d+", 0) == _own(r"torn\d+", 0)


def test_an_entry_re_refuses_is_compiled_again(cache, monkeypatch):
    """Opcodes ``_sre`` does not accept (another build, a damaged entry) never make a wrong pattern."""
    re_cache.compile_re(r"entry(\d)", 0)
    group = re_cache._GROUPS["cleaner"]
    key = (r"entry(\d)", 0)
    flags, code, groups, groupindex, indexgroup = group.entries[key]
    group.entries[key] = (flags, [999] * len(code), groups, groupindex, indexgroup)
    assert re_cache.compile_re(r"entry(\d)", 0) == _own(r"entry(\d)", 0)
    assert group.entries[key][1] == list(map(int, code))


def test_the_switch_turns_the_cache_off(cache, monkeypatch):
    monkeypatch.setenv(re_cache.ENV_SWITCH, "0")
    real = re._compiler.compile
    assert re_cache.compile_re(r"off\d", 0) == _own(r"off\d", 0)
    with re_cache.recording("lib"):
        assert re._compiler.compile is real
    assert not re_cache._GROUPS and not any(cache.iterdir())


def test_a_debug_pattern_is_not_cached(cache, capsys):
    re_cache.compile_re(r"dbg\d", re.DEBUG)
    assert "cleaner" not in re_cache._GROUPS
    assert "LITERAL" in capsys.readouterr().out


def test_a_pattern_that_does_not_compile_raises_and_is_not_kept(cache):
    with pytest.raises(re.error):
        re_cache.compile_re(r"(unclosed", 0)
    assert (r"(unclosed", 0) not in re_cache._group("cleaner").entries
