"""The chrome marker's pre-filters (literal index with ``needs``, cut window, length gate) and
the word-count shortcuts change speed only: each is compared with the plain path that tries
every rule of the page's languages on every line."""
import random

import pytest
from hypothesis import given, settings, strategies as st

from cleaner.document import Document
from cleaner.page.chrome import ChromeRules, UnfilteredChromeRules as PlainChrome
from cleaner.rules import text_shape
from cleaner.rules.engine import load_rules, parse_example
from cleaner.rules.literals import LiteralIndex

from conftest import naive_literal_candidates


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _example_lines(rules):
    return [x for r in rules for ex in r.match + r.keep for x in parse_example(ex)[0].split("\n") if x.strip()]


def _pages(rules, count: int, seed: int) -> list[str]:
    """Pages mixing rule example lines, their ``needs`` words, prose and long lines ending in a cut."""
    rnd = random.Random(seed)
    lines = _example_lines(rules)
    cut_lines = _example_lines([r for r in rules if r.scope in ("prefix", "suffix")])
    needs = [n for r in rules for n in r.needs] or ["cookie"]
    prose = ("The harbour was quiet that morning, and the boats came in one by one before the rain started. "
             "Nobody on the quay knew what the weather would do next, so they waited.")
    pages = []
    for _ in range(count):
        out = []
        for _ in range(rnd.randint(3, 25)):
            pick = rnd.random()
            if pick < 0.5:
                out.append(rnd.choice(lines))
            elif pick < 0.65:
                out.append(" ".join(rnd.choice(needs) for _ in range(rnd.randint(1, 4))).capitalize())
            elif pick < 0.8:   # a long paragraph with a rule's example (often a cut rule's) glued to its end
                out.append(prose * rnd.randint(1, 6) + " " + rnd.choice(cut_lines if rnd.random() < 0.6 else lines))
            elif pick < 0.9:
                out.append(prose[: rnd.randint(10, len(prose))])
            else:
                out.append("")
        pages.append("\n".join(out))
    return pages


def _spans(marker, text, language=None):
    doc = Document("d", None, text, language=language, language_score=0.99 if language else None)
    return sorted((s.start, s.end, s.rule, s.detail) for s in marker.mark(doc))


@pytest.mark.parametrize("language", [None, "en", "de", "fr", "ja"])
def test_shipped_chrome_marks_what_every_rule_on_every_line_marks(rules, language):
    shipped, plain = ChromeRules(rules), PlainChrome(rules)
    pages = _pages(rules, 150, seed=sum(map(ord, language or "-")))
    marked = 0
    for text in pages:
        got = _spans(shipped, text, language)
        assert got == _spans(plain, text, language), text
        marked += bool(got)
    assert marked > 50   # the pages really exercise the rules


def test_needs_in_the_index_never_hide_a_whole_line_match(rules):
    """A line a whole-line pattern matches is a candidate of the index built with ``needs``."""
    marker = ChromeRules(rules, by_language=False)
    index = marker._languages(None)[0]
    lines = _example_lines(rules) + [" ".join(n for n in r.needs[:3]) for r in rules if r.needs]
    checked = 0
    for line in lines:
        core = text_shape.core(line)
        folded = core.casefold()
        cands = index.candidates(folded)
        for m, (rule, member) in enumerate(marker.matchers):
            if not member and rule.matches_core(core, folded, 1.0):
                checked += 1
                assert m in cands, (rule.id, line)
    assert checked > 200


def test_the_cut_window_never_hides_a_cut(rules):
    marker = ChromeRules(rules, by_language=False)
    cut_index = marker._languages(None)[1]
    prose = "A sentence of the story goes on for a while, so that the line is long. " * 8
    lines = [body for line in _example_lines(rules) for body in (line.strip(), (prose + line).strip(),
                                                                 (line + " " + prose).strip())]
    checked = 0
    for body in lines:
        cands = cut_index.candidates(marker._cut_scope(body))
        for i, rule in enumerate(marker.cut_rules):
            if rule.cut(body, 1.0) is not None:
                checked += 1
                assert i in cands, (rule.id, body)
    assert checked > 20


_LONG_LITS = st.sampled_from(["a", "ab", "abc", "abcd", "abca", "bcab", "cabc", "abcab", " ab", "é", "éab"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.none() | st.frozensets(_LONG_LITS, min_size=1, max_size=3), st.booleans()),
                min_size=1, max_size=6),
       st.text(alphabet="abcé ", max_size=14))
def test_index_with_long_opening_literals_agrees_with_the_naive_definition(spec, text):
    needs = [n for n, _ in spec]
    starts = [n if opening and n is not None else None for n, opening in spec]
    assert set(LiteralIndex(needs, starts).candidates(text)) == naive_literal_candidates(needs, starts, text)


TRICKY = "’“”—–…•€²³¹½\x1c\u2028\u2003\u00a0\u3000Ⅻªºµ日本語テストกขé Aa1_-.!?\n\t"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(TRICKY), st.characters()), max_size=60)
       | st.lists(st.sampled_from(["word", "x", "日本", "²", "—", " ", "  ", "\t", "a.b"]), max_size=90).map(" ".join))
def test_capped_word_count_is_the_word_count_up_to_many_words(text):
    text_shape.capped_word_count.cache_clear()
    assert text_shape.capped_word_count(text) == min(text_shape.word_count(text), text_shape.MANY_WORDS)


def test_word_thresholds_of_the_markers_are_below_many_words():
    from cleaner.page import duplicates as d
    assert max(d.MIN_REPEAT_WORDS, d.MIN_SIGNATURE_WORDS, d.MIN_PARAGRAPH_WORDS, d.MIN_NEAR_WORDS, d.MAX_HEADLINE_WORDS,
               d.MIN_CONTAINED_PROSE_WORDS, text_shape.MAX_LABEL_WORDS, text_shape.MIN_PROSE_WORDS,
               text_shape.MIN_PROSE_WORDS_ANY_END) < text_shape.MANY_WORDS


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from(TRICKY + "    "), st.characters()), max_size=200))
def test_is_prose_keeps_its_definition(text):
    n = text_shape.word_count(text)
    want = (not text_shape.is_indented_code(text) and not text_shape.is_table_row(text)
            and (n >= text_shape.MIN_PROSE_WORDS_ANY_END or (n >= text_shape.MIN_PROSE_WORDS
                                                             and text_shape.ends_sentence(text))))
    assert text_shape.is_prose(text) == want


def test_is_prose_on_long_lines():
    words = "word " * 19
    assert not text_shape.is_prose(words)                 # 19 words, no sentence end
    assert text_shape.is_prose(words + "more")            # 20 words
    assert text_shape.is_prose("Two words.") is False
    assert text_shape.is_prose("Three short words.")


def test_a_rerun_over_the_same_page_marks_what_a_fresh_marker_marks(rules):
    """The marker keeps a page's cuts (and blocks) for the reruns Settle makes over the same
    text with more removed: those must mark what a marker seeing the page first marks."""
    from cleaner.document import Span, segment

    rnd = random.Random(3)
    warm, marked = ChromeRules(rules), 0
    for text in _pages(rules, 150, seed=11):
        list(warm.mark(Document("d", None, text)))   # the first pass fills the page's memos
        blocks = segment(text)
        removed = [Span(b.start, b.end, "dup.paragraph@1") for b in rnd.sample(blocks, k=min(len(blocks), 2))]
        removed += [Span(b.start, b.start + min(4, b.end - b.start), "x.part@1")   # partly cut lines
                    for b in rnd.sample(blocks, k=min(len(blocks), 2))]
        got = sorted((s.start, s.end, s.rule, s.detail) for s in warm.mark(Document("d", None, text, removed=removed)))
        fresh = ChromeRules(rules).mark(Document("d", None, text, removed=list(removed)))
        assert got == sorted((s.start, s.end, s.rule, s.detail) for s in fresh), text
        marked += bool(got)
    assert marked > 50


def test_an_anchored_run_rule_is_tried_only_on_pages_that_may_hold_its_anchor(rules, monkeypatch):
    """A forum profile block counts only with an anchor line ("Joined: ..."): on a page without
    any literal of the anchor the rule's pattern is never tried, and it still marks where one is."""
    from cleaner.page import chrome
    marker = ChromeRules(rules)
    rule = next(r for r in rules if r.id == "chrome.forum-profile@2")
    slot = marker.slot[(id(rule), False)]
    tried = []
    real = chrome.Page._test
    monkeypatch.setattr(chrome.Page, "_test", lambda self, m, ln: tried.append(m) or real(self, m, ln))
    prose = "The water cleared after nine days, so the bloom was the whole story of this tank."
    block = "mossgarden\nWell-known Member\n4,812\nFeb 2, 2024 #2"   # no word of the anchor
    assert not _spans(marker, f"{prose}\n{block}\n{prose}", "en")
    assert slot not in tried
    spans = _spans(marker, f"{prose}\n{block}\nJoined: Mar 9, 2019\n{prose}", "en")
    assert slot in tried and rule.id in {s[2] for s in spans}
