"""The stdlib fast path of ``text_shape.word_count`` counts like the ``regex`` definition: the
set of characters it accepts is checked character by character against both word tests, and
texts built around its edges count the same either way."""
from __future__ import annotations

import re

import regex
from hypothesis import example, given, settings, strategies as st

from cleaner.rules import text_shape


def definition(text: str) -> float:
    """``word_count`` without fast paths past the first: stdlib words below Thai, else ``regex``."""
    if not text or max(text) < text_shape.NO_SPACE_START:
        return len(text_shape._LETTER_TOKEN.findall(text))
    return (len(text_shape._SPACED_WORD.findall(text))
            + len(text_shape._NO_SPACE.findall(text)) / text_shape.NO_SPACE_CHARS_PER_WORD)


def _edges() -> str:
    """Characters at and around every edge of the fast path's accepted ranges."""
    cps = set()
    for lo, hi in text_shape._agreeing_ranges():
        cps.update((lo - 1, lo, lo + 1, hi - 2, hi - 1, hi))
    return "".join(chr(c) for c in sorted(cps) if 0 <= c < 0x110000 and not 0xD800 <= c < 0xE000)


EDGES = _edges()
# Letters to one engine only (superscripts, fractions, letters unassigned in Python's Unicode
# but assigned in regex's: U+0558, U+208F), blanks to one engine only, scripts without spaces.
TRICKY = "²³½Ⅻ\u0558\u058b\u208f\u209d\x1c\x1f\u2028\u3000\u00a0日本テกຂកမ’“—€😀𝐀é Aa1_-.\n\t"
CHARS = st.one_of(st.sampled_from(EDGES), st.sampled_from(TRICKY), st.characters(max_codepoint=0x2FFFF))


def test_accepted_characters_agree_one_by_one():
    pool = "".join(chr(c) for lo, hi in text_shape.AGREEMENT_RANGES for c in range(lo, hi))
    letters_regex = "[\\p{L}--[\\p{Han}\\p{Hiragana}\\p{Katakana}\\p{Thai}\\p{Lao}\\p{Khmer}\\p{Myanmar}]]"
    differ = ((set(re.findall(r"\s", pool)) ^ set(text_shape._WHITE_SPACE.findall(pool)))
              | (set(re.findall(r"[^\W\d_]", pool)) ^ set(regex.findall(letters_regex, pool, regex.V1)))
              | set(text_shape._NO_SPACE.findall(pool)))
    accepted = {c for c in pool if text_shape._DISAGREEING.match(c) is None}
    assert accepted == set(pool) - differ
    assert "e" in accepted and "—" in accepted and "😀" in accepted and "Ж" in accepted
    for c in "²\u0558\x1c日ก":
        assert c not in accepted
    # Nothing outside the searched ranges is accepted.
    assert all(text_shape._DISAGREEING.match(chr(c)) for c in (0x1FC00, 0x20000, 0x1D400, 0x10FFFF))


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet=CHARS, max_size=30))
@example("x² “y”")
@example("\u0558 ✓")          # a letter to regex only, in an otherwise Latin-free text
@example("a\x1cb —")          # a blank to re only
@example("Ärger — 😀 und mehr")
@example("日本 text")
def test_word_count_equals_definition(text):
    assert text_shape.word_count.__wrapped__(text) == definition(text)
