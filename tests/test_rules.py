"""Chrome rules: the rule files' own examples, the loader's errors, the engine's scopes."""
from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given, settings, strategies as st

from cleaner.document import Document, apply_spans
from cleaner.rules.engine import RuleError, load_rules, parse_example
from cleaner.rules.literals import LiteralIndex
from cleaner.page.chrome import ChromeRules, check_rules, removed_parts

LANGS = {"*", "en", "de", "fr", "es", "zh", "ja"}


@pytest.fixture(scope="module")
def rules():
    return load_rules()


@pytest.fixture(scope="module")
def marker(rules):
    return ChromeRules(rules)


def removed(marker, text):
    doc = Document("t", None, text)
    spans = list(marker.mark(doc))
    return [text[s.start:s.end].strip() for s in sorted(spans, key=lambda s: s.start)], apply_spans(text, spans)


# ------------------------------------------------------------------ the rule files


def test_every_rule_example_behaves_as_stated(rules):
    assert check_rules(rules) == []


def test_rules_are_versioned_language_tagged_and_carry_both_kinds_of_example(rules):
    for r in rules:
        assert re.fullmatch(r"chrome(\.[a-z]{2})?\.[a-z-]+@\d+", r.id), r.id
        assert r.lang in LANGS, r.id
        assert r.match and r.keep, f"{r.id} needs match and keep examples"
        if r.lang not in ("*", "en"):
            assert f".{r.lang}." in r.id, f"{r.id} should carry its language in its id"


def test_every_shipped_rule_says_what_it_removes_in_one_line(rules):
    for r in rules:
        assert r.builtin, f"{r.id} comes from a shipped file"
        d = r.description
        assert d.strip(), f"{r.id} needs a description (cleaner explain shows it as the reason)"
        assert "\n" not in d and not re.search(r"[^.]\.$", d) and d[0] == d[0].lower(), f"{r.id}: {d!r}"


USER_RULE = '[[rule]]\nid = "chrome.mine@1"\npattern = "(?i)buy our mugs"\n'


def test_check_fails_a_user_rule_without_examples_but_loading_stays_lenient(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text(USER_RULE, encoding="utf-8")
    rules = load_rules([str(f)])  # what `clean --extra-rules` does: no error
    assert [r.id for r in rules] == ["chrome.mine@1"] and not rules[0].builtin
    problems = check_rules(rules)
    assert len(problems) == 2, problems
    assert "no match examples" in problems[0] and "no keep examples" in problems[1]
    assert all(p.startswith("chrome.mine@1 (mine.toml)") for p in problems)
    f.write_text(USER_RULE + 'match = ["Buy our mugs"]\nkeep = ["Buy our mugs? No."]\n', encoding="utf-8")
    assert check_rules(load_rules([str(f)])) == [], "a user rule needs examples, not a description"


def test_check_fails_a_user_rule_in_a_language_pages_are_never_tagged_with(tmp_path):
    f = tmp_path / "it.toml"
    f.write_text('lang = "it"\n' + USER_RULE + 'match = ["Buy our mugs"]\nkeep = ["Buy our mugs? No."]\n', encoding="utf-8")
    problems = check_rules(load_rules([str(f)]))
    assert len(problems) == 1 and "lang 'it' is never detected" in problems[0], problems
    f.write_text('lang = "*"\n' + USER_RULE + 'match = ["Buy our mugs"]\nkeep = ["Buy our mugs? No."]\n', encoding="utf-8")
    assert check_rules(load_rules([str(f)])) == []


def test_check_fails_a_shipped_rule_without_a_description(tmp_path):
    f = tmp_path / "mine.toml"
    f.write_text(USER_RULE + 'match = ["Buy our mugs"]\nkeep = ["Buy our mugs? No."]\n', encoding="utf-8")
    [rule] = load_rules([str(f)])
    problems = check_rules([dataclasses.replace(rule, builtin=True)])
    assert len(problems) == 1 and "no description" in problems[0]
    assert check_rules([dataclasses.replace(rule, builtin=True, description="mug adverts")]) == []


def test_rules_check_cli_fails_on_an_extra_rule_without_examples(tmp_path, capsys):
    from cleaner.cli.main import EXIT_FAILED, EXIT_OK, main
    f = tmp_path / "mine.toml"
    f.write_text(USER_RULE, encoding="utf-8")
    assert main(["rules", "check", "--extra-rules", str(f)]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert "chrome.mine@1 (mine.toml): no match examples" in out and "no keep examples" in out
    f.write_text(USER_RULE + 'match = ["Buy our mugs"]\nkeep = ["Buy our mugs? No."]\n', encoding="utf-8")
    assert main(["rules", "check", "--extra-rules", str(f)]) == EXIT_OK


def test_languages_asked_for_are_all_covered(rules):
    assert {r.lang for r in rules} == LANGS


def test_check_reports_an_example_that_does_not_behave(tmp_path):
    f = tmp_path / "x.toml"
    f.write_text('[[rule]]\nid = "chrome.x@1"\npattern = "foo"\nmatch = ["bar", "foo"]\nkeep = ["foo"]\n')
    problems = check_rules(load_rules([str(f)]))
    assert len(problems) == 2
    assert "should remove ['bar']" in problems[0] and "should keep 'foo'" in problems[1]


@pytest.mark.parametrize("body, needle", [
    ('id = "chrome.x"\npattern = "a"', "versioned"),
    ('id = "chrome.x@1"\nscope = "page"\npattern = "a"', "unknown scope"),
    ('id = "chrome.x@1"\npattern = "(a"', "does not compile"),
    ('id = "chrome.x@1"\npattern = "{{nowhere}}"', "unknown reference"),
    ('id = "chrome.x@1"\nscope = "section"\npattern = "a"', "member"),
    ('id = "chrome.x@1"\nscope = "section"\nmember_shape = "poem"\npattern = "a"', "unknown member_shape"),
    ('id = "chrome.x@1"\npattern = "a"\nprevious = "b"', "previous_rule"),
])
def test_loader_names_the_problem(tmp_path, body, needle):
    f = tmp_path / "bad.toml"
    f.write_text("[[rule]]\n" + body + "\n", encoding="utf-8")
    with pytest.raises(RuleError, match=needle):
        load_rules([str(f)])


def test_duplicate_ids_are_refused(tmp_path):
    f = tmp_path / "dup.toml"
    f.write_text('[[rule]]\nid = "chrome.x@1"\npattern = "a"\n[[rule]]\nid = "chrome.x@1"\npattern = "b"\n')
    with pytest.raises(RuleError, match="duplicate id"):
        load_rules([str(f)])


def test_vocab_becomes_an_escaped_alternation_with_flexible_blanks(tmp_path):
    f = tmp_path / "v.toml"
    f.write_text('[vocab]\nw = ["a.b", "log  in"]\n[[rule]]\nid = "chrome.v@1"\npattern = "{{w}}"\n'
                 'match = ["a.b"]\nkeep = ["axb"]\n', encoding="utf-8")
    (rule,) = load_rules([str(f)])
    assert rule.pattern.fullmatch("a.b") and not rule.pattern.fullmatch("axb")
    assert rule.pattern.fullmatch("log \t in")


def test_parse_example_marks():
    assert parse_example("keep [[cut]] keep") == ("keep cut keep", ["cut"])
    assert parse_example("plain") == ("plain", None)


# ------------------------------------------------------------------ engine scopes and guards


def _one(tmp_path, text):
    f = tmp_path / "r.toml"
    f.write_text(text, encoding="utf-8")
    return load_rules([str(f)])


def test_a_catastrophic_pattern_times_out_naming_its_rule(tmp_path):
    rules = _one(tmp_path, '[[rule]]\nid = "chrome.slow@1"\npattern = \'(a|aa)+$\'\nmax_chars = 100000\n')
    m = ChromeRules(rules, timeout_s=0.05, by_language=False)
    m.index = LiteralIndex([None])  # no pre-filter: let the full match hit the limit
    with pytest.raises(TimeoutError, match="chrome.slow@1"):
        list(m.mark(Document("t", None, "a" * 40 + "b")))


def test_section_gap_end_and_size_limits(tmp_path):
    rules = _one(tmp_path, '[[rule]]\nid = "chrome.s@1"\nscope = "section"\nmember = "m.*"\nmax_gap = 1\n'
                           'to_end = true\nmax_members = 3\npattern = "HEAD"\n')
    text = "intro\nHEAD\nm1\nbody\nm2\nbody\nbody\nm3\n"
    assert removed_parts(rules, text, 1.0) == ["HEAD\nm1\nbody\nm2"]          # two gap lines end it
    assert removed_parts(rules, "HEAD\nm1\nbody", 1.0) == ["HEAD\nm1\nbody"]  # to_end takes the last gap line
    assert removed_parts(rules, "HEAD\nm\nm\nm\nm", 1.0) == ["HEAD\nm\nm\nm"]  # max_members


def test_run_needs_min_run_lines_and_removed_lines_do_not_break_it(tmp_path):
    rules = _one(tmp_path, '[[rule]]\nid = "chrome.r@1"\nscope = "run"\nmin_run = 3\npattern = "X+"\n'
                           '[[rule]]\nid = "chrome.l@1"\npattern = "gone"\n')
    assert removed_parts(rules, "a\nX\nXX\nb", 1.0) == []
    assert removed_parts(rules, "a\nX\nXX\nXXX\nb", 1.0) == ["X\nXX\nXXX"]
    assert removed_parts(rules, "a\nX\ngone\nXX\nXXX\nb", 1.0) == ["X\ngone\nXX\nXXX"]


def test_suffix_cut_keeps_the_rest_and_the_rest_is_judged_again(tmp_path):
    rules = _one(tmp_path, '[[rule]]\nid = "chrome.s@1"\nscope = "suffix"\npattern = \'\\s*MORE\'\n'
                           '[[rule]]\nid = "chrome.l@1"\npattern = "Share"\n')
    m = ChromeRules(rules, by_language=False)
    text = "A teaser sentence. MORE\nShare MORE\nMORE"
    spans = list(m.mark(Document("t", None, text)))
    assert apply_spans(text, spans) == "A teaser sentence.\nMORE"
    assert {s.rule for s in spans} == {"chrome.s@1", "chrome.l@1"}


def test_previous_line_goes_with_its_rule(tmp_path):
    rules = _one(tmp_path, '[[rule]]\nid = "chrome.d@1"\npattern = "DISCLAIMER"\nprevious = "[A-Z][a-z]+ [A-Z][a-z]+"\n'
                           'previous_rule = "chrome.byline@1"\n')
    m = ChromeRules(rules, by_language=False)
    text = "Body.\nJane Roe\nDISCLAIMER\nMore body."
    spans = list(m.mark(Document("t", None, text)))
    assert apply_spans(text, spans) == "Body.\nMore body."
    assert sorted(s.rule for s in spans) == ["chrome.byline@1", "chrome.d@1"]
    assert removed_parts(rules, "Body text, not a name.\nDISCLAIMER", 1.0) == ["DISCLAIMER"]


def test_code_lines_are_never_chrome(marker):
    text = "Intro paragraph for the example.\n```\nShare on Facebook\n```\n    Advertisement\nAdvertisement"
    parts, out = removed(marker, text)
    assert parts == ["Advertisement"]
    assert "```\nShare on Facebook\n```\n    Advertisement" in out


def test_rules_see_lines_without_bullets_and_markdown_frames(marker):
    parts, _ = removed(marker, "## Related articles\n- Share on Facebook\n**Advertisement**\n・ログイン")
    assert len(parts) == 4


def test_first_rule_in_file_order_names_the_line(rules):
    m = ChromeRules(rules, by_language=False)
    spans = list(m.mark(Document("t", None, "Contact | Imprint | About")))
    assert [s.rule for s in spans] == ["chrome.menu-bar@1"]   # common.toml sorts before en.toml


# ------------------------------------------------------------------ the literal pre-filter is exact


_WORDS = ["Share", "on", "Facebook", "|", "Home", "News", "Sign", "in", "Cookie", "Settings", "Accept", "all",
          "We", "use", "cookies", "to", "improve", "your", "experience.", "By", "Jane", "Doe", "©", "2024",
          "VOLUNTEERS", "ACTIVATED", "PODCASTS", "The", "council", "met", ">", "ホーム", "ログイン", "関連記事",
          "Xでシェア", "分享", "登录", "Anzeige", "Publicité", "Compartir", "Related", "Updated:", "May", "3,",
          "10:25", "Posted", "by", "admin", "Comments", "(3)", "Advertisement", "Read", "more", "»"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map(" ".join), min_size=1, max_size=8))
def test_literal_prefilter_never_hides_a_match(rules, lines):
    """The pre-filter changes speed only: same spans as trying every rule on every line."""
    text = "\n".join(lines)
    fast = ChromeRules(rules, by_language=False)
    slow = ChromeRules(rules, by_language=False)

    class Everything:
        def candidates(self, core):
            return tuple(range(len(slow.matchers)))

    slow.index = Everything()
    key = lambda s: (s.start, s.end, s.rule)  # noqa: E731
    assert sorted(map(key, fast.mark(Document("t", None, text)))) == sorted(map(key, slow.mark(Document("t", None, text))))


def test_the_example_file_in_the_rules_readme_loads_and_passes_its_check(tmp_path):
    import os
    from cleaner.rules.engine import RULES_DIR
    with open(os.path.join(RULES_DIR, "README.md"), encoding="utf-8") as fh:
        block = re.search(r"```toml\n(.*?)```", fh.read(), re.DOTALL)
    assert block, "cleaner/rules/README.md shows an example rule file"
    f = tmp_path / "readme.toml"
    f.write_text(block.group(1), encoding="utf-8")
    rules = load_rules([str(f)])
    assert rules and all(r.match and r.keep and r.description for r in rules)
    assert check_rules(rules) == []


def test_the_rules_written_as_code_are_the_ones_their_modules_describe():
    from cleaner.page import duplicates, shortcodes, title
    from cleaner.pipeline import code_rule_descriptions
    from cleaner.rules.engine import CODE_RULES
    described = code_rule_descriptions()   # raises KeyError for a CODE_RULES id no module describes
    assert list(described) == list(CODE_RULES)
    modules = (duplicates.RULE_DESCRIPTIONS, title.RULE_DESCRIPTIONS, shortcodes.RULE_DESCRIPTIONS)
    assert sum(map(len, modules)) == len(CODE_RULES)   # and no module describes a rule CODE_RULES lacks
    assert all(described[r] == d for m in modules for r, d in m.items())


def test_rules_list_prints_the_rules_written_as_code_too(capsys):
    from cleaner.cli.main import main
    from cleaner.rules.engine import CODE_RULES
    assert main(["rules", "list"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert all(len(r) == 4 and r[3] for r in rows)
    code = {r[0]: r for r in rows if r[2] == "code"}
    assert set(code) == set(CODE_RULES) and {r[1] for r in code.values()} == {"*"}
    assert len(rows) > len(code)   # the rules of the data files come first
    assert rows[0][2] != "code"


def test_a_rule_written_as_code_is_switched_off_by_disable_rules():
    import cleaner
    text = ("[vc_row][vc_column width=\"1/2\"]\nThe harbour authority approved a plan to dredge the eastern "
            "channel before the autumn storms arrive.\n[/vc_column][/vc_row]")
    on = cleaner.clean_text(text)
    assert {s.rule for s in on.removed} >= {"chrome.shortcode@1"} and "[vc_row]" not in on.clean_text
    off = cleaner.clean_text(text, options=cleaner.Options(disable_rules="chrome.shortcode@1"))
    assert "chrome.shortcode@1" not in {s.rule for s in off.removed} and "[vc_row]" in off.clean_text
    prefix = cleaner.clean_text(text, options=cleaner.Options(disable_rules="chrome.shortcode"))
    assert "[vc_row]" in prefix.clean_text


def test_an_unknown_rule_in_disable_rules_is_still_an_error():
    from cleaner.config import Options
    from cleaner.rules.engine import select_rules
    with pytest.raises(RuleError, match="unknown rule"):
        select_rules(Options(disable_rules="chrome.no-such-rule"))
