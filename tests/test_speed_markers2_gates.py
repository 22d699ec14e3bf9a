"""Cheap gates of the shortcode and title markers decide like the patterns behind them: the
long-token windows of ``shortcodes.has_long_token`` and the colon test of
``title.strip_reply_prefix``."""
from __future__ import annotations

import re

from hypothesis import example, given, settings, strategies as st

from cleaner.page.shortcodes import MIN_BLOB_CHARS, has_long_token
from cleaner.page.title import _REPLY_PREFIX, strip_reply_prefix


def slow_has_long_token(text: str) -> bool:
    return len(text) >= MIN_BLOB_CHARS and re.search(r"\S{%d,}" % MIN_BLOB_CHARS, text) is not None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2 * MIN_BLOB_CHARS + 3), st.sampled_from(" \n\t\u3000")), max_size=4),
       st.integers(0, 3))
def test_long_token_windows_decide_like_the_pattern(runs, lead):
    text = "x" * lead + "".join("a" * n + sep for n, sep in runs)
    assert has_long_token(text) == slow_has_long_token(text)


def test_long_token_at_its_length_boundary():
    for n in (MIN_BLOB_CHARS - 1, MIN_BLOB_CHARS, MIN_BLOB_CHARS + 1):
        for k in range(0, 2 * MIN_BLOB_CHARS, 7):   # every offset against the window grid
            for sep in (" ", "\t", "\u3000"):
                text = "w " * (k // 2) + "b" * (k % 2) + sep + "Z" * n + sep + "end"
                assert has_long_token(text) == slow_has_long_token(text), (n, k, sep)


def slow_strip_reply_prefix(text: str) -> tuple[str, bool]:
    m = _REPLY_PREFIX.match(text)
    if not m or m.end() >= len(text.rstrip()):
        return text, False
    return text[m.end():], True


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["Re", "AW", "re", "RE ", "[2]", "^3", ":", "：", " ", "回复", "x"]),
                          st.characters()), max_size=8).map("".join))
@example("Re: Re[2]: AW: hello")
@example("Re hello")
@example("回复：你好")
def test_reply_prefix_colon_gate(text):
    assert strip_reply_prefix(text) == slow_strip_reply_prefix(text)
