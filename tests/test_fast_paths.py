"""Fast paths of the per-document markers give exactly what the slow paths give."""
from hypothesis import given, settings, strategies as st

from cleaner.rules import shape

# Characters where the two word tests of ``word_count`` could part: curly quotes and dashes
# (fast path), superscript digits, vulgar fractions and file separators (stdlib ``re`` calls
# them letters or blanks, ``regex`` does not), letters of scripts without spaces, blanks.
TRICKY = "’“”—–…•€²³¹½\x1c\x1f\u2028\u2003\u00a0\u3000Ⅻªºµ日本語テストกขé Aa1_-.\n\t"
TEXT = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters()), max_size=40)


def reference_word_count(text: str) -> float:
    """``word_count`` as it was before its second fast path: the definition it must keep."""
    if not text or max(text) < shape.NO_SPACE_START:
        return len(shape._LETTER_TOKEN.findall(text))
    return len(shape._SPACED_WORD.findall(text)) + len(shape._NO_SPACE.findall(text)) / shape.NO_SPACE_CHARS_PER_WORD


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_word_count_fast_path_equals_definition(text):
    assert shape.word_count(text) == reference_word_count(text)


def test_word_count_fast_path_boundaries():
    # Curly quotes take the fast path and count as before.
    assert shape.word_count("It’s “quoted” — twice…") == 3
    # A superscript digit is a letter to ``re`` but not to ``regex``: it must not take the fast path.
    assert shape.word_count("x² “y”") == reference_word_count("x² “y”") == 2
    assert shape.word_count("² “y”") == 1
    assert shape._DISAGREEING.search("²") is not None
    assert shape._DISAGREEING.search("’“”—–…") is None
