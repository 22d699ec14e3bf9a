"""Word-count tests that stop early decide like counting every word."""
import lxml.html
from hypothesis import given, settings, strategies as st

from cleaner.extract import form_fields, prune

TEXT = st.lists(st.sampled_from(["word", " ", "\n", "é", "x1", "-", "_", "..", "\u0301", "日本"]), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT, st.integers(0, 20))
def test_more_words_than_is_the_count(text, n):
    assert prune._more_words_than(text, n) == (prune._words(text) > n)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_few_words_is_the_count(text):
    el = lxml.html.fragment_fromstring("<div></div>")
    el.text = text
    assert form_fields._few_words(el) == (len(form_fields._WORD.findall(text)) <= form_fields.MAX_FIELD_BOX_WORDS)
