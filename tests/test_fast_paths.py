"""Fast paths of the per-document markers give exactly what the slow paths give."""
from hypothesis import given, settings, strategies as st

from cleaner.rules import text_shape

# Characters where the two word tests of ``word_count`` could part: curly quotes and dashes
# (fast path), superscript digits, vulgar fractions and file separators (stdlib ``re`` calls
# them letters or blanks, ``regex`` does not), letters of scripts without spaces, blanks.
TRICKY = "’“”—–…•€²³¹½\x1c\x1f\u2028\u2003\u00a0\u3000Ⅻªºµ日本語テストกขé Aa1_-.\n\t"
TEXT = st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters()), max_size=40)


def reference_word_count(text: str) -> float:
    """``word_count`` as it was before its second fast path: the definition it must keep."""
    if not text or max(text) < text_shape.NO_SPACE_START:
        return len(text_shape._LETTER_TOKEN.findall(text))
    return len(text_shape._SPACED_WORD.findall(text)) + len(text_shape._NO_SPACE.findall(text)) / text_shape.NO_SPACE_CHARS_PER_WORD


@settings(max_examples=400, deadline=None)
@given(TEXT)
def test_word_count_fast_path_equals_definition(text):
    assert text_shape.word_count(text) == reference_word_count(text)


def test_word_count_fast_path_boundaries():
    # Curly quotes take the fast path and count as before.
    assert text_shape.word_count("It’s “quoted” — twice…") == 3
    # A superscript digit is a letter to ``re`` but not to ``regex``: it must not take the fast path.
    assert text_shape.word_count("x² “y”") == reference_word_count("x² “y”") == 2
    assert text_shape.word_count("² “y”") == 1
    assert text_shape._DISAGREEING.search("²") is not None
    assert text_shape._DISAGREEING.search("’“”—–…") is None


def _spans(marker, text):
    from cleaner.document import Document
    return [(s.start, s.end, s.rule) for s in marker.mark(Document("d", None, text))]


def test_chrome_line_memo_keeps_results_across_pages_and_languages():
    from cleaner.page.chrome import ChromeRules
    from cleaner.rules.engine import load_rules

    rules = load_rules()
    german_line = "Zum Inhalt springen"
    prose_de = " ".join(["Die Stadt und der Fluss sind nicht weit, wir sind mit dem Rad auf dem Weg."] * 6)
    prose_en = " ".join(["The town and the river are not far, and we are on the way there by bike."] * 6)
    pages = [f"{german_line}\n\n{prose_de}",       # German page: the German skip link goes
             f"{german_line}\n\n{prose_en}",       # English page: German rules do not run here
             f"{german_line}\n\n{prose_de}",
             f"Share on Facebook\n\n{prose_en}\n\nShare on Facebook"]
    warm = ChromeRules(rules)
    got = [_spans(warm, p) for p in pages]
    want = [_spans(ChromeRules(rules), p) for p in pages]
    assert got == want
    assert got[0] and not got[1]  # the memo is per language set: the same line, two answers


def test_inpage_gram_memo_is_per_page():
    from cleaner.page.duplicates import InPageDuplicates

    para = "A long paragraph about the harbour, its ships and the people who work there every single day of the week."
    near = para.replace("week", "month")
    other = "Something else entirely: a note on the weather in the hills, with rain and wind most of the afternoon."
    pages = [f"{para}\n\n{other}\n\n{near}", f"{other}\n\n{para}\n\n{other}", f"{para}\n\n{near}"]
    warm = InPageDuplicates()
    assert [_spans(warm, p) for p in pages] == [_spans(InPageDuplicates(), p) for p in pages]
