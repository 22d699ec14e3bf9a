"""Rule files are parsed once per content: the parsed table comes back from the user's cache
equal to what tomllib gives, a changed or broken file is parsed again, a bad entry is ignored."""
import os
import tomllib

import pytest

from cleaner.rules import toml_cache
from cleaner.rules.engine import RuleError, load_rules

RULES = '''
[[rule]]
id = "chrome.test-cached@1"
scope = "line"
pattern = "^follow us on \\\\w+$"
'''


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


def _entries() -> list[str]:
    d = toml_cache.cache_dir()
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def test_the_cached_table_is_the_parsed_one(cache):
    f = cache / "r.toml"
    f.write_text(RULES + '\nlang = "en"\n[vocab]\nx = ["a b", "c"]\n', encoding="utf-8")
    first = toml_cache.load_toml(str(f))
    assert len(_entries()) == 1
    again = toml_cache.load_toml(str(f))
    assert first == again == tomllib.loads(f.read_text(encoding="utf-8"))


def test_a_changed_file_is_parsed_again(cache):
    f = cache / "r.toml"
    f.write_text(RULES, encoding="utf-8")
    toml_cache.load_toml(str(f))
    f.write_text(RULES.replace("follow us", "find us"), encoding="utf-8")
    assert "find us" in toml_cache.load_toml(str(f))["rule"][0]["pattern"]
    assert len(_entries()) == 2


def test_a_broken_entry_is_ignored_and_replaced(cache):
    f = cache / "r.toml"
    f.write_text(RULES, encoding="utf-8")
    want = toml_cache.load_toml(str(f))
    entry = os.path.join(toml_cache.cache_dir(), _entries()[0])
    with open(entry, "r+b") as fh:   # flip a byte of the payload: the check no longer holds
        fh.seek(20)
        b = fh.read(1)
        fh.seek(20)
        fh.write(bytes([b[0] ^ 0xFF]))
    assert toml_cache.load_toml(str(f)) == want


def test_an_invalid_file_is_refused_and_not_cached(cache):
    f = cache / "bad.toml"
    f.write_text("[[rule]\nid = ", encoding="utf-8")
    with pytest.raises(tomllib.TOMLDecodeError):
        toml_cache.load_toml(str(f))
    assert _entries() == []
    with pytest.raises(RuleError, match="bad.toml: cannot load rules"):
        load_rules([str(f)])


def test_a_table_marshal_cannot_write_is_still_read(cache):
    f = cache / "d.toml"
    f.write_text("when = 2024-01-02\n", encoding="utf-8")
    assert toml_cache.load_toml(str(f))["when"].year == 2024
    assert _entries() == []


def test_rules_load_the_same_with_a_warm_cache(cache):
    from cleaner.rules import engine

    def shipped():
        engine._load_rules.cache_clear()
        return [(r.id, r.scope, r.lang, r.pattern_source, r.member_source, r.anchor_source, tuple(r.match), tuple(r.keep))
                for r in load_rules()]
    cold = shipped()
    assert _entries()   # the shipped files are cached now
    assert shipped() == cold and len(cold) > 100
