"""The cheap bounds the in-page duplicate step checks before a Jaccard similarity: each must
reject only pairs that the exact similarity rejects too, at and around the threshold."""
from __future__ import annotations

import re

from hypothesis import assume, example, given, settings, strategies as st

from cleaner.config import Options
from cleaner.document import Document
from cleaner.page.block_similarity import (ParagraphIndex, char_grams, could_match, grams_of, jaccard, max_gram_count,
                                           min_gram_count, shingle_text, spaced_form)
from cleaner.page.duplicates import InPageDuplicates, _Item, _Text

# A small alphabet makes shared and repeated 5-grams likely, so pairs land near the threshold.
TEXT = st.text(alphabet="ab c.Ä-", max_size=60)
THRESHOLDS = st.sampled_from([0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 1.0])
_OLD_SPACED = re.compile(r"[\W_]+")


@given(st.text(max_size=40))
@example("  Tab\there\u2003and\u00a0there__ ")
def test_shingle_text_is_the_split_and_joined_form(text):
    assert shingle_text(text) == " ".join(_OLD_SPACED.sub(" ", text.casefold()).split())
    assert spaced_form(text) == " " + shingle_text(text) + " "
    assert char_grams(text) == grams_of(shingle_text(text))


@given(st.text(alphabet="ab c.Ä-", max_size=160), st.integers(min_value=1, max_value=7))
@example("", 5)
@example("abcde", 5)
@example("abcdef", 5)
@example("lantern orchard meadow " * 6, 5)   # past ZIP_FROM_CHARS: the other way of cutting
def test_grams_are_the_substrings_of_n_characters_at_every_position(text, n):
    if len(text) <= n:
        expected = frozenset((text,)) if text else frozenset()
    else:
        expected = frozenset(text[i:i + n] for i in range(len(text) - n + 1))
    assert grams_of(text, n) == expected


@given(TEXT)
@example("")
@example("abcd")
@example("abcde")
@example("abcdef")
@example("aaaaaaaaaaaa")
def test_gram_count_bounds_hold(text):
    s = shingle_text(text)
    n = len(grams_of(s))
    assert min_gram_count(s) <= n <= max_gram_count(s)
    assert (min_gram_count(s) > 0) == (n > 0)


@given(TEXT, st.lists(TEXT, max_size=6), THRESHOLDS)
@example("abcde abcde", ["abcde abcdf"], 0.8)
def test_union_bound_rejects_only_what_every_jaccard_rejects(query, kept, threshold):
    grams = char_grams(query)
    assume(grams)
    sets = [char_grams(k) for k in kept]
    union = set().union(*sets)
    if not could_match(grams, union, threshold):
        assert all(jaccard(grams, other) < threshold for other in sets)


@given(TEXT, st.lists(TEXT, max_size=6), THRESHOLDS)
def test_paragraph_index_finds_what_a_plain_scan_finds(query, kept, threshold):
    index = ParagraphIndex(threshold, factory=None)
    for pos, text in enumerate(kept):
        index.add(pos, _Item(None, text, "", 0, False, False, facts=_Text(text)))
    grams = char_grams(query)
    want = None
    for pos, text in enumerate(kept):
        other = char_grams(text)
        n, m = len(grams), len(other)
        if grams and not min(n, m) < threshold * max(n, m) and jaccard(grams, other) >= threshold:
            want = (pos, jaccard(grams, other))
            break
    assert index.best(_Item(None, query, "", 0, False, False, facts=_Text(query))) == want


@given(TEXT, TEXT, THRESHOLDS)
@example("abcde fghij", "abcde fghij klmno", 0.8)
@example("abcdefgh", "abcdefghabcdefgh", 0.8)
def test_sizes_apart_only_when_the_jaccard_similarity_is_below(a, b, threshold):
    marker = InPageDuplicates(jaccard_threshold=threshold)
    ia, ib = (_Item(None, t, "", 0, False, False, facts=_Text(t)) for t in (a, b))
    if marker._sizes_apart(ia, ib):
        assert jaccard(char_grams(a), char_grams(b)) < threshold


@settings(max_examples=60)
@given(st.lists(st.sampled_from([
    "The harbour opens at nine and closes at six, every day of the week, all year round.",
    "The harbour opens at nine and closes at five, every day of the week, all year round.",
    "Harbour hours",
    "Harbour hours and prices",
    "A much longer line about the harbour that runs on and on without any end in sight at all here",
    "Tickets for the ferry are sold on board; the crossing takes forty minutes in calm weather.",
]), max_size=8))
def test_close_copies_decided_as_before_the_bounds(lines):
    """The close-copy check with its size bound gives the decisions of the plain check."""
    text = "\n".join(lines)

    class Plain(InPageDuplicates):
        def _sizes_apart(self, a, b):
            return False

    doc = Document("d", None, text)
    assert list(InPageDuplicates.from_options(Options()).mark(doc)) == list(Plain.from_options(Options()).mark(doc))


def test_the_bounds_fire_on_ordinary_text():
    """Not vacuous: a new paragraph is ruled out by the union, a headline beside a paragraph by the sizes."""
    para = "Parents at the primary school collected more than two hundred coats for the winter charity drive."
    other = "A survey of the old harbour wall found three places where the stones have moved since the spring."
    assert not could_match(char_grams(para), set(char_grams(other)), 0.8)
    assert could_match(char_grams(para), set(char_grams(para + " Thanks.")), 0.8)
    marker = InPageDuplicates()
    title, body = (_Item(None, t, "", 0, False, False, facts=_Text(t)) for t in ("Winter coats", para))
    assert marker._sizes_apart(title, body) and marker._sizes_apart(body, title)
