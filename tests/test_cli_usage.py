"""Usage errors as a new user meets them: no abbreviated flags, one line naming what is allowed, Ray missing."""
from __future__ import annotations

import sys

import pytest

from cleaner.cli.main import EXIT_USAGE, build_parser, main
from cleaner.config import option_fields


def _usage_error(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as e:
        main(argv)
    assert e.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1, f"one line, not the whole usage: {err!r}"
    assert "usage:" not in err
    return err


def _parsers():
    p = build_parser()
    return [p, *p._subparsers._group_actions[0].choices.values()]


def test_no_parser_takes_an_abbreviated_flag():
    assert all(p.allow_abbrev is False for p in _parsers())


@pytest.mark.parametrize("flag", ["--near-dup", "--near-dup-j", "--work", "--no-prog"])
def test_an_abbreviated_flag_is_an_error_that_names_the_full_flag(capsys, flag):
    err = _usage_error(capsys, ["clean", "x.txt", flag, "0.8"] if not flag.startswith("--no-") else ["clean", "x.txt", flag])
    assert f"unrecognized arguments: {flag}" in err and "did you mean --" in err
    full = next(o for p in _parsers()[1:2] for a in p._actions for o in a.option_strings if o.startswith(flag))
    assert full in err


@pytest.mark.parametrize("f", [f for f in option_fields() if f.metadata.get("choices")], ids=lambda f: f.name)
def test_a_value_outside_the_choices_prints_one_line_naming_them(capsys, f):
    err = _usage_error(capsys, ["clean", "x.txt", "--" + f.name.replace("_", "-"), "nonsense"])
    assert all(repr(c) in err or c in err for c in f.metadata["choices"]), err


@pytest.mark.parametrize("f", [f for f in option_fields() if type(f.default) in (int, float)], ids=lambda f: f.name)
def test_a_value_that_is_no_number_prints_one_line_with_the_allowed_range(capsys, f):
    err = _usage_error(capsys, ["clean", "x.txt", "--" + f.name.replace("_", "-"), "many"])
    assert "'many'" in err and str(f.metadata["bounds"]) in err
    assert ("whole number" in err) == (type(f.default) is int)


@pytest.mark.parametrize("argv", [["explain", "x.html", "--format", "pdf"], ["rules", "lint"], ["show"]])
def test_other_commands_report_usage_errors_in_one_line_too(capsys, argv):
    err = _usage_error(capsys, argv)
    assert err.startswith(f"cleaner {argv[0]}: error:")


def test_engine_ray_without_ray_is_a_usage_error_with_the_install_hint(tmp_path, capsys, monkeypatch):
    page = tmp_path / "p.txt"
    page.write_text("Some text that is long enough.\n", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "ray", None)   # as if not installed
    out = tmp_path / "out"
    assert main(["clean", str(page), "-o", str(out), "--engine", "ray", "--no-progress"]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "pip install 'cleaner[ray]'" in err and err.count("\n") == 1
    assert not out.exists()


def test_a_flag_given_a_value_is_matched_only_with_flags_that_take_one(capsys):
    err = _usage_error(capsys, ["clean", "x.txt", "--near-dup", "0.8"])
    assert "--near-dup-jaccard" in err and "--near-dedup" not in err   # a switch takes no 0.8
    err = _usage_error(capsys, ["clean", "x.txt", "--near-dedupe"])
    assert "did you mean --near-dedup" in err                        # no value: switches are meant too


def test_a_flag_the_token_begins_is_the_only_suggestion(capsys):
    err = _usage_error(capsys, ["clean", "x.txt", "--work", "2"])
    assert "did you mean --workers?" in err   # not also a look-alike such as --favor
    err = _usage_error(capsys, ["clean", "x.txt", "--wrokers", "2"])
    assert "did you mean --workers" in err    # a misspelling still gets the closest flags


def test_the_program_alone_prints_its_help_with_the_commands(capsys):
    with pytest.raises(SystemExit) as e:
        main([])
    assert e.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith("usage: cleaner") and all(c in err for c in ("clean", "explain", "show", "rules"))
