"""Pieces of a document: they tile the text, removed pieces are the span mask, counts match report.json."""
from hypothesis import given, strategies as st

from cleaner.document import Document, Span, merge_ranges
from cleaner.engines.totals import _count_rules
from cleaner.report.segments import pieces, removed_by_rule, visible

RULES = ["chrome.a@1", "dup.b@1", "site.template@1"]

spans_st = st.lists(st.tuples(st.integers(-3, 45), st.integers(-3, 45), st.sampled_from(RULES)), max_size=8)


@given(st.text(alphabet="ab\n ", min_size=0, max_size=40), spans_st, st.lists(st.integers(0, 40), max_size=3))
def test_pieces_tile_the_text_and_removed_pieces_are_the_span_mask(text, raw, cuts):
    doc = Document("d", None, text, removed=[Span(min(a, b), max(a, b), r) for a, b, r in raw])
    ps = pieces(doc, cuts)
    assert "".join(text[p.start:p.end] for p in ps) == text
    assert all(p.start < p.end for p in ps)
    assert all(ps[i].end == ps[i + 1].start for i in range(len(ps) - 1))
    n = len(text)
    mask = merge_ranges((max(0, s.start), min(n, s.end)) for s in doc.removed)
    assert merge_ranges((p.start, p.end) for p in ps if p.span is not None) == mask
    for p in ps:
        if p.span is not None:
            assert p.span.start <= p.start and p.end <= p.span.end, "a piece lies inside the span it is shown as"
    for c in cuts:
        if 0 < c < n:
            assert any(p.start == c for p in ps)


@given(st.text(alphabet="ab\n", min_size=45, max_size=45), spans_st)
def test_characters_by_rule_match_the_report_attribution(text, raw):
    doc = Document("d", None, text, removed=[Span(min(a, b), max(a, b), r) for a, b, r in raw if 0 <= min(a, b)])
    expected: dict[str, int] = {}
    _count_rules(doc, expected)
    got = {r: c for r, (_, c) in removed_by_rule(doc).items() if c}
    assert got == expected


def test_overlapping_spans_go_to_the_earliest_longest_span_and_name_the_other():
    doc = Document("d", None, "0123456789", removed=[Span(2, 6, "chrome.a@1"), Span(4, 9, "site.template@1")])
    ps = [(p.start, p.end, p.span and p.span.rule, [o.rule for o in p.also]) for p in pieces(doc)]
    assert ps == [(0, 2, None, []), (2, 6, "chrome.a@1", ["site.template@1"]), (6, 9, "site.template@1", []),
                  (9, 10, None, [])]


def test_visible_escapes_terminal_and_bidi_controls_but_keeps_lines_and_tabs():
    assert visible("a\x1b[2Jb\tc\r\nd\u202ee\x00") == "a\\x1b[2Jb\tc\nd\\u202ee\\x00"
    assert visible("caf\u00e9 \u4e2d\u6587") == "caf\u00e9 \u4e2d\u6587"
