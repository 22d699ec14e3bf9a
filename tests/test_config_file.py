"""Options from a TOML file: lists where the command line takes comma-separated values, and clear errors."""
from __future__ import annotations

import pytest

from cleaner.config import load_options


def _toml(tmp_path, text):
    path = tmp_path / "c.toml"
    path.write_text(text)
    return str(path)


def test_a_toml_list_is_taken_for_a_comma_separated_option(tmp_path):
    opts = load_options(_toml(tmp_path, 'keep_languages = ["de", "fr"]\ndisable_rules = ["chrome.share", "dup.title@1"]\n'))
    assert opts.keep_languages == "de,fr" and opts.disable_rules == "chrome.share,dup.title@1"
    assert load_options(_toml(tmp_path, 'keep_languages = "de,fr"\n')).keep_languages == "de,fr"


@pytest.mark.parametrize("text,message", [
    ('keep_languages = ["de", 3]\n', "list of strings"),
    ('disable_rules = 7\n', "takes a string"),
])
def test_a_value_of_the_wrong_type_is_a_clear_error(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_options(_toml(tmp_path, text))


def test_a_list_for_a_single_choice_option_is_refused(tmp_path):
    with pytest.raises(ValueError, match="must be one of"):
        load_options(_toml(tmp_path, 'output_format = ["jsonl", "parquet"]\n'))


def test_a_misspelt_key_gets_the_closest_option_and_a_dashed_one_its_spelling(tmp_path):
    from cleaner.config import OptionError
    with pytest.raises(OptionError) as e:
        load_options(_toml(tmp_path, "near_dup_jacard = 0.95\n"))
    assert "did you mean near_dup_jaccard?" in str(e.value) and e.value.option == "near_dup_jacard"
    with pytest.raises(OptionError) as e:
        load_options(_toml(tmp_path, '"near-dup-jaccard" = 0.95\n'))
    assert "near-dup-jaccard -> near_dup_jaccard" in str(e.value)
    with pytest.raises(OptionError) as e:
        load_options(_toml(tmp_path, "colour = true\n"))
    assert "did you mean" not in str(e.value)
