"""One check of option values for the command line and the Python API (cleaner.config.check_options)."""
from __future__ import annotations

import pytest

import cleaner
from cleaner.cli.main import EXIT_USAGE, main
from cleaner.config import OptionError, check_options

TEXT = "A first paragraph of plain text about the harbour.\n\nA second one about its boats."


@pytest.mark.parametrize("field,value", [
    ("near_dup_jaccard", -0.2),
    ("near_dup_jaccard", 1.5),
    ("inpage_jaccard", 0.0),
    ("workers", -1),
    ("min_doc_chars", -5),
    ("template_min_share", 2.0),
    ("regex_timeout_s", float("nan")),
    ("output_format", "csv"),
    ("workers", 1.5),
    ("title_dedup", "yes"),
])
def test_clean_text_and_clean_html_refuse_an_option_the_command_line_refuses(field, value):
    opts = cleaner.Options(**{field: value})
    for call in (lambda: cleaner.clean_text(TEXT, options=opts),
                 lambda: cleaner.clean_html(f"<html><body><p>{TEXT}</p></body></html>", options=opts)):
        with pytest.raises(OptionError, match=field) as e:
            call()
        assert isinstance(e.value, ValueError) and e.value.option == field


def test_run_refuses_a_bad_option_before_it_writes_anything(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(OptionError, match=r"near_dup_jaccard \(--near-dup-jaccard\) must be in \(0, 1\]"):
        cleaner.run([tmp_path / "a.txt"], tmp_path / "out", cleaner.Options(near_dup_jaccard=-1.0, workers=1))
    assert not (tmp_path / "out").exists()


def test_the_api_and_the_command_line_give_the_same_message(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    code = main(["clean", str(tmp_path / "a.txt"), "-o", str(tmp_path / "out"), "--workers", "1",
                 "--no-progress", "--near-dup-jaccard", "1.5"])
    err = capsys.readouterr().err
    with pytest.raises(OptionError) as e:
        cleaner.clean_text(TEXT, options=cleaner.Options(near_dup_jaccard=1.5))
    assert code == EXIT_USAGE and str(e.value) in err


def test_valid_options_pass_and_ints_are_numbers_for_float_options():
    import numpy as np
    opts = cleaner.Options(near_dup_jaccard=0.7, workers=0)   # workers 0 = every core
    assert check_options(opts) is opts
    one = check_options(cleaner.Options(near_dup_jaccard=1))   # 1 for 1.0
    assert type(one.near_dup_jaccard) is float and one.near_dup_jaccard == 1.0
    plain = check_options(cleaner.Options(workers=np.int64(2), near_dup_jaccard=np.float32(0.5)))
    assert type(plain.workers) is int and type(plain.near_dup_jaccard) is float and plain.near_dup_jaccard == 0.5
    assert cleaner.clean_text(TEXT, options=opts).clean_text
