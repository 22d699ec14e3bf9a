"""Naming rules: an unknown id gets a short "did you mean", an extra rule may not take a built-in rule's id."""
from __future__ import annotations

import pytest

import cleaner
from cleaner.cli.main import EXIT_OK, EXIT_USAGE, main
from cleaner.config import Options
from cleaner.rules.engine import RuleError, load_rules, select_rules

TEXT = "Share this article\n\nThe harbour authority approved a plan to dredge the eastern channel before the storms."


@pytest.mark.parametrize("field,value,suggested", [
    ("disable_rules", "chrome.sahre", "chrome.share"),
    ("rules", "chrome.skip-lnk", "chrome.skip-link"),
    ("disable_rules", "dup.titel@1", "dup.title@1"),   # a rule written as code
])
def test_an_unknown_rule_is_one_short_line_with_the_closest_ids(field, value, suggested):
    with pytest.raises(RuleError) as e:
        select_rules(Options(**{field: value}))
    msg = str(e.value)
    assert f"unknown rule {value!r} in --{field.replace('_', '-')}" in msg
    assert f"did you mean {suggested!r}" in msg
    assert "\n" not in msg and len(msg) < 400, "not the list of every rule"


def test_an_unknown_rule_without_a_close_one_says_where_to_look(tmp_path, capsys):
    page = tmp_path / "a.txt"
    page.write_text(TEXT, encoding="utf-8")
    assert main(["clean", str(page), "--disable-rules", "xyzzy"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "unknown rule 'xyzzy' in --disable-rules;" in err and "did you mean" not in err
    assert "cleaner rules list" in err and len(err) < 400


def _rules_file(tmp_path, rid: str):
    path = tmp_path / "mine.toml"
    path.write_text(f"[[rule]]\nid = \"{rid}\"\npattern = '^Harbour notice$'\ndescription = \"mine\"\n"
                    "match = [\"Harbour notice\"]\nkeep = [\"A harbour\"]\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("rid", ["chrome.share@1", "dup.title@1"])
def test_an_extra_rule_with_a_built_in_id_is_refused_naming_both_files(tmp_path, capsys, rid):
    builtin = {r.id: r.source for r in load_rules()}
    path = _rules_file(tmp_path, rid)
    with pytest.raises(RuleError) as e:
        select_rules(Options(extra_rules=str(path)))
    msg = str(e.value)
    assert str(path) in msg and rid in msg and "--disable-rules" in msg
    if rid in builtin:
        assert builtin[rid] in msg, "the built-in rule's file is named too"
    with pytest.raises(RuleError):
        cleaner.clean_text(TEXT, options=Options(extra_rules=str(path)))
    page = tmp_path / "a.txt"
    page.write_text(TEXT, encoding="utf-8")
    assert main(["clean", str(page), "-o", str(tmp_path / "out"), "--workers", "1", "--no-progress",
                 "--extra-rules", str(path)]) == EXIT_USAGE
    assert main(["rules", "check", "--extra-rules", str(path)]) == EXIT_USAGE
    assert "has the id of a built-in rule" in capsys.readouterr().err


def test_an_extra_rule_with_an_id_of_its_own_loads(tmp_path):
    path = _rules_file(tmp_path, "mine.harbour-notice@1")
    assert main(["rules", "check", "--extra-rules", str(path)]) == EXIT_OK
    assert "mine.harbour-notice@1" in {r.id for r in select_rules(Options(extra_rules=str(path)))}


def test_a_prefix_that_ends_inside_a_name_is_a_typo_not_a_rule_switched_off():
    # "chrome.breadcrum" once switched off chrome.breadcrumb@1 silently, as a string prefix
    with pytest.raises(RuleError) as e:
        select_rules(Options(disable_rules="chrome.breadcrum"))
    assert "did you mean 'chrome.breadcrumb'" in str(e.value)
    with pytest.raises(RuleError):
        select_rules(Options(disable_rules="dup.headlin"))


@pytest.mark.parametrize("item,gone,stays", [
    ("chrome.share@1", {"chrome.share@1"}, {"chrome.de.share@1", "chrome.skip-link@2"}),
    ("chrome.share", {"chrome.share@1"}, {"chrome.de.share@1"}),          # the id without its version
    ("chrome.de", {"chrome.de.share@1"}, {"chrome.share@1"}),             # a prefix ending at a dot
    ("chrome.de.", {"chrome.de.share@1"}, {"chrome.share@1"}),
    ("chrome", {"chrome.share@1", "chrome.de.share@1"}, set()),
])
def test_ids_ids_without_version_and_dotted_prefixes_name_rules(item, gone, stays):
    left = {r.id for r in select_rules(Options(disable_rules=item))}
    assert not gone & left and stays <= left
