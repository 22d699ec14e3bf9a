"""chrome.effective_text: a block's text without the parts already removed, against its definition."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from cleaner.document import Block, merge_ranges
from cleaner.page.chrome import effective_text


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab \n", min_size=1, max_size=40), st.data())
def test_effective_text_keeps_exactly_the_characters_no_range_covers(text, data):
    n = len(text)
    start = data.draw(st.integers(0, n - 1))
    end = data.draw(st.integers(start + 1, n))
    ranges = data.draw(st.lists(st.tuples(st.integers(0, n), st.integers(1, 8)), max_size=8))
    mask = merge_ranges((s, s + k) for s, k in ranges)
    block = Block(0, start, end, text[start:end])
    want = "".join(text[i] for i in range(start, end) if not any(s <= i < e for s, e in mask))
    assert effective_text(text, block, mask) == want


def test_a_block_no_range_touches_keeps_its_own_text_object():
    """The chrome marker tells an untouched line by identity (its cut spans map 1:1)."""
    text = "menu\nbody text\nfooter"
    block = Block(1, 5, 14, text[5:14])
    assert effective_text(text, block, [(0, 4), (15, 21)]) is block.text
