"""Span arithmetic: merging, applying, idempotence."""
from hypothesis import given, strategies as st

from cleaner.document import Document, Span, apply_spans, kept_blocks, line_span, merge_ranges, segment, visible_blocks


def test_apply_removes_whole_lines_and_tidies_blank_lines():
    text = "Title\n\nBlog\n\nFirst paragraph.\n\nSecond paragraph."
    blog = segment(text)[1]
    assert apply_spans(text, [line_span(text, blog, "chrome.x@1")]) == "Title\n\nFirst paragraph.\n\nSecond paragraph."


def test_kept_blocks_skip_removed_lines():
    doc = Document("d", None, "a\nb\nc")
    doc.removed.append(line_span(doc.text, segment(doc.text)[1], "chrome.x@1"))
    assert [b.text for b in kept_blocks(doc)] == ["a", "c"]


@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50))))
def test_merge_ranges_is_sorted_disjoint_and_covers_the_same_points(ranges):
    merged = merge_ranges(ranges)
    assert all(a < b for a, b in merged)
    assert all(merged[i][1] < merged[i + 1][0] for i in range(len(merged) - 1))
    pts = {x for a, b in ranges for x in range(a, b)}
    assert pts == {x for a, b in merged for x in range(a, b)}


@given(st.text(alphabet="ab \n", max_size=60), st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=5))
def test_applying_twice_changes_nothing(text, ranges):
    spans = [Span(min(a, b), max(a, b), "chrome.x@1") for a, b in ranges]
    once = apply_spans(text, spans)
    assert apply_spans(once, []) == once


def test_segment_gives_each_caller_its_own_list():
    """The blocks of the text seen last are kept for the next step: a caller that changes
    its list must not change what the next caller gets."""
    from cleaner.document import segment

    text = "Title\n\n  \nFirst paragraph.\n\t\nSecond."
    first = segment(text)
    assert [(b.index, b.start, b.end, b.text) for b in first] == [
        (0, 0, 5, "Title"), (1, 10, 26, "First paragraph."), (2, 29, 36, "Second.")]
    first.clear()
    assert [b.text for b in segment(text)] == ["Title", "First paragraph.", "Second."]
    assert [b.text for b in segment("other\ntext")] == ["other", "text"]


LINES = st.lists(st.sampled_from(["Ferry times", "  indented line", "a (Photo: X)", "", "   ", "tail  \t"]), max_size=6)


@given(LINES.map("\n".join), st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=4))
def test_visible_blocks_read_as_the_cleaned_text(text, ranges):
    """The visible blocks' texts are the lines of the text once the spans are cut (a line cut in
    two by a span that takes its line break aside, which then reads as one line)."""
    doc = Document("t", None, text)
    doc.removed = [Span(min(a, b), max(a, b), "r") for a, b in ranges if min(a, b) < max(a, b)]
    mask = doc.removed_mask()
    cleaned = apply_spans(text, doc.removed)
    shown = [b.text.strip() for b in visible_blocks(doc)]
    if not any(s < e and "\n" in text[s:e] for s, e in mask):
        assert shown == [ln.strip() for ln in cleaned.split("\n") if ln.strip()]
    assert all(b.text.strip() for b in visible_blocks(doc))


def test_a_partly_cut_line_shows_without_the_cut():
    text = "Ferry times\nThe boat leaves at nine. (Photo: Lena)\nEnd"
    start = text.index(" (Photo")
    doc = Document("t", None, text)
    doc.removed = [Span(start, start + len(" (Photo: Lena)"), "chrome.photo")]
    got = visible_blocks(doc)
    assert [b.text for b in got] == ["Ferry times", "The boat leaves at nine.", "End"]
    assert [(b.start, b.end) for b in got] == [(b.start, b.end) for b in segment(text)]


@given(st.text(alphabet="ab \t\n", max_size=60), st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=4))
def test_apply_spans_tidies_as_its_two_patterns_do(text, ranges):
    """The substring tests that let most texts skip the tidying patterns never skip a text they would change."""
    import regex
    spans = [Span(min(a, b), max(a, b), "chrome.x@1") for a, b in ranges]
    mask = merge_ranges((min(max(s.start, 0), len(text)), min(max(s.end, 0), len(text))) for s in spans)
    cut, pos = [], 0
    for s, e in mask:
        cut.append(text[pos:s])
        pos = e
    cut.append(text[pos:])
    expected = regex.sub(r"\n[ \t]*(?:\n[ \t]*)+", "\n\n", regex.sub(r"[ \t]+\n", "\n", "".join(cut))).strip()
    assert apply_spans(text, spans) == expected
