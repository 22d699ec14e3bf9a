"""Fast paths of the in-page duplicates give what the slow forms they replace give: the ASCII
form of ``shingle_text`` and the exact-repeat key taken from it."""
from __future__ import annotations

import re

from hypothesis import example, given, settings, strategies as st

from cleaner.page.block_similarity import normalize_block, shingle_text
from cleaner.page.duplicates import _Text
from cleaner.rules import text_shape

_NORM = re.compile(r"[\W_]+")
ASCII = st.text(alphabet=st.characters(max_codepoint=127), max_size=40)
# Bullets, heading marks, frames and blanks that ``core`` takes off, next to letters and digits.
MARKUP = st.text(alphabet=st.one_of(st.sampled_from("-*+•▪►◦‣・#_=~ \t\u3000\u00a0\x1c\u2003aZ9éß"), st.characters()),
                 max_size=30)


def slow_shingle_text(text: str) -> str:
    return _NORM.sub(" ", text.casefold()).strip(" ")


@settings(max_examples=400, deadline=None)
@given(ASCII)
@example("  Tab\there__ and\x1fthere\x0b!! ")
@example("ABC_def-GHI")
def test_ascii_shingle_text_equals_pattern_form(text):
    assert shingle_text(text) == slow_shingle_text(text)


@settings(max_examples=400, deadline=None)
@given(MARKUP)
@example("- **Bold heading**")
@example("### Title ###")
@example("・項目 ")
@example("• ~~gone~~ =")
def test_text_key_is_normalize_block_of_core(text):
    text = text.strip()
    assert _Text(text).key() == normalize_block(text_shape.core(text)) == normalize_block(text)
