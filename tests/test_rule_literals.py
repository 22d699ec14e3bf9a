"""The literal pre-filter of the chrome rules: a necessary condition, never hiding a match."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.rules import text_shape
from cleaner.rules.engine import load_rules, parse_example
from cleaner.rules.literals import LiteralIndex, leading_literals, required_literals

from conftest import naive_literal_candidates


@pytest.mark.parametrize("pattern, want", [
    ("Share this", {"share this"}),
    ("(?i)share (?:on|via) (?:Facebook|X)", {"share "}),
    ("(?:Sign\\s+in|Log\\s+in)", {"sign", "log"}),
    ("Read more(?: »)?", {"read more"}),
    ("[A-Z]+", None),                       # a class: no literal
    ("\\d+ min(?:utes)? read", {" read"}),  # the longest shortest literal of the sequence
    ("(?:ab)?cd", {"cd"}),                  # an optional part requires nothing
    ("(?:abc)+", {"abc"}),                  # a repeat of at least one requires its body
    ("x|\\d+", None),                       # one branch without a literal: nothing required
    ("[\\p{Lu}]\\p{L}+ News", {" news"}),   # regex's property classes are no literals, not '.'
    ("a(?i)b", {"ab"}),                     # a flag in mid-pattern (regex syntax)
    ("(?x) a b", None),                     # verbose mode: blanks are not literals
    ("[[a-z]--[aeiou]]x", None),            # nested set operations: not read
    ("(unclosed", None),
])
def test_required_literals(pattern, want):
    got = required_literals(pattern)
    assert (None if got is None else set(got)) == want


def test_index_finds_every_literal_occurrence_including_overlaps():
    idx = LiteralIndex([frozenset({"sign in"}), frozenset({"sign"}), frozenset({"in"}), None])
    assert idx.candidates("please sign in now") == {0, 1, 2, 3}
    assert idx.candidates("hello world") == {3}     # no literal: only the always-tried pattern
    assert idx.candidates("") == {3}


def _lines(example: str) -> list[str]:
    return [x for x in parse_example(example)[0].split("\n") if x.strip()]


def test_no_rule_match_is_hidden_by_the_filter():
    """Every line that a built-in rule's pattern (or section member) matches in the rules' own
    examples contains one of that rule's literals: the filter cannot change results."""
    checked = 0
    for rule in load_rules():
        for ex in rule.match + rule.keep:
            for line in _lines(ex):
                for pat, src in ((rule.pattern, rule.pattern_source), (rule.member, rule.member_source)):
                    lits = None if src is None else required_literals(src)
                    if pat is None or lits is None:
                        continue
                    if rule.scope in ("prefix", "suffix"):
                        text = line.strip()
                        hit = pat.match(text) if rule.scope == "prefix" else pat.search(text)
                        folded = line.casefold()
                    else:
                        text = text_shape.core(line)
                        hit = pat.fullmatch(text)
                        folded = text.casefold()
                    if hit:
                        checked += 1
                        assert any(lit in folded for lit in lits), (rule.id, line, sorted(lits))
    assert checked > 150  # the examples really exercised the filter


def test_builtin_patterns_compile_on_first_use_only():
    from cleaner.rules.engine import _load_rules
    _load_rules.cache_clear()  # rules loaded by earlier tests share their compiled patterns
    rules = load_rules()
    assert all("pattern" not in r._compiled for r in rules)
    rules[0].pattern.fullmatch("x")
    assert "pattern" in rules[0]._compiled


def test_user_rule_files_are_compiled_at_load(tmp_path):
    from cleaner.rules.engine import RuleError
    f = tmp_path / "bad.toml"
    f.write_text('[[rule]]\nid = "chrome.bad@1"\npattern = "(unclosed"\n', encoding="utf-8")
    with pytest.raises(RuleError, match="does not compile"):
        load_rules([str(f)])


def test_case_variants_factored_by_the_parser_stay_one_literal():
    assert required_literals("(?:By|BY) [A-Z]\\w+") == frozenset({"by "})
    assert required_literals("[Vv]on \\w+") == frozenset({"von "})


@pytest.mark.parametrize("pattern, want", [
    ("articleBody|post-?Text", {"articleBody", "post"}),           # the case kept
    ("^[Cc]omment(?!ary)|dsq-comments", {"omment", "dsq-comments"}),   # [Cc] ends a run; a look-ahead requires nothing
    ("(?:By|BY) \\w+", {"B"}),                                     # By|BY factored into B[yY]
    ("[Nn]av", {"av"}),
    ("x|\\d+", None),
])
def test_required_literals_with_the_case_kept(pattern, want):
    got = required_literals(pattern, fold=False)
    assert (None if got is None else set(got)) == want


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(("articleBody|post-?Text", "^[Cc]omment(?!ary)|dsq-comments", "(?:By|BY) \\w+",
                        "Foot(?:er|Note)", "a[Bb]c|X-?Y")),
       st.text(alphabet="abcdeBCXYmnort -Ffoo\u212a", max_size=20))
def test_a_case_sensitive_match_holds_one_of_the_literals_as_written(pattern, text):
    """Searched case-sensitively, a pattern finds nothing in a text that holds none of its case-kept literals."""
    import re
    for value in (text, text.replace("o", "Comment"), text.replace("a", "articleBody")):
        if re.search(pattern, value):
            assert any(lit in value for lit in required_literals(pattern, fold=False))


@pytest.mark.parametrize("pattern, want", [
    ("(?:By|BY)\\s+\\w+", {"by"}),
    ("(?i)(?:share|teilen) (?:on|via) \\w+", {"share", "teilen"}),
    ("\\b(?:Read more|More)\\b", {"read more", "more"}),  # zero-width assertions first
    ("(?:ab)+c", {"ab"}),
    ("\\d+ min", None),
    ("(?:x)?y", None),                                # an optional opening: no literal opens every match
])
def test_leading_literals(pattern, want):
    got = leading_literals(pattern)
    assert (None if got is None else set(got)) == want


def test_an_opening_literal_counts_only_at_the_start():
    idx = LiteralIndex([frozenset({"by"})], [frozenset({"by"})])
    assert idx.candidates("by jane roe") == {0}
    assert idx.candidates("written by jane") == set()


def test_no_line_match_is_hidden_by_the_opening_filter():
    """Every line a built-in whole-line pattern (or a prefix cut) matches in the rules' examples
    opens with one of that rule's leading literals."""
    checked = 0
    for rule in load_rules():
        for ex in rule.match + rule.keep:
            for line in _lines(ex):
                for pat, src in ((rule.pattern, rule.pattern_source), (rule.member, rule.member_source)):
                    if pat is None or rule.scope == "suffix":
                        continue
                    lead = leading_literals(src)
                    if lead is None:
                        continue
                    text = line.strip() if rule.scope == "prefix" else text_shape.core(line)
                    hit = pat.match(text) if rule.scope == "prefix" else pat.fullmatch(text)
                    if hit:
                        checked += 1
                        assert text.casefold().startswith(tuple(lead)), (rule.id, line, sorted(lead))
    assert checked > 100


_LITS = st.sampled_from(["a", "b", "ab", "ba", "by", "aa", "abc", "cab", " b", "é"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.none() | st.frozensets(_LITS, min_size=1, max_size=3), st.booleans()), min_size=1, max_size=6),
       st.text(alphabet="abcé ", max_size=12))
def test_index_agrees_with_the_naive_definition(spec, text):
    """Short opening literals (looked up at the text's start, not scanned for) and scanned ones
    give the same candidates as testing every pattern's literals one by one."""
    needs = [n for n, _ in spec]
    starts = [n if opening and n is not None else None for n, opening in spec]
    assert set(LiteralIndex(needs, starts).candidates(text)) == naive_literal_candidates(needs, starts, text)


@pytest.mark.parametrize("langs", [frozenset({"*", "en"}), frozenset({"*", "fr"}), frozenset({"*", "de", "en"}),
                                   frozenset({"*", "ja"})])
def test_a_language_index_gives_the_full_index_candidates_of_that_language(rules_marker, langs):
    """The index built for a page's languages leaves out exactly the rules of other languages."""
    index, cut_index, _ = rules_marker._languages(langs)
    every_index, every_cut_index, _ = rules_marker._languages(None)
    ok = {m for m, (rule, _) in enumerate(rules_marker.matchers) if rule.lang in langs}
    ok_cut = {m for m, rule in enumerate(rules_marker.cut_rules) if rule.lang in langs}
    lines = [line for rule in load_rules() for ex in rule.match + rule.keep for line in _lines(ex)]
    assert len(lines) > 500
    for line in lines:
        folded = text_shape.core(line).casefold()
        assert set(index.candidates(folded)) == set(every_index.candidates(folded)) & ok, line
        cut = line.strip().casefold()
        assert set(cut_index.candidates(cut)) == set(every_cut_index.candidates(cut)) & ok_cut, line
