"""Site templates: blocks a host repeats on many pages are marked; content repeated on a few pages stays."""
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cleaner.containers.compact import KeyCounter, U64Set
from cleaner.corpus.templates import SiteTemplates, block_key, host_of, is_template, template_keys
from cleaner.document import Document, apply_spans

TOPICS = ["tide tables", "the new ferry", "the lighthouse repairs", "harbour dredging", "the fish market",
          "winter storms", "the regatta", "a dock strike", "boat licences", "the marina fees", "sea walls",
          "the lifeboat crew"]
QUOTE = "“We will not let the old quay crumble into the sea,” the harbour master told the council on Monday."


def _page(i: int, topic: str, quote: bool = False) -> str:
    parts = [f"Why {topic} matter to the town",
             f"Reporters spent week {i} asking residents about {topic} and what should change first.",
             f"Opinions on {topic} differed by street, by age and by how long people had lived here."]
    if quote:
        parts.append(QUOTE)
    parts += [f"By Mara Quill, harbour correspondent since 20{10 + i % 9}. Write to her with tips.",
              f"Get the Tuesday tide letter: {3 + i} stories, no adverts. Sign up free.",
              f"© 20{20 + i % 5} Harbour Gazette. Printed on recycled paper."]
    return "\n\n".join(parts)


def _corpus(n_pages=12, quote_pages=(2, 7)):
    docs = [Document(f"g{i:02d}", f"https://www.gazette.test/news/{i}", _page(i, TOPICS[i % len(TOPICS)], i in quote_pages))
            for i in range(n_pages)]
    docs += [Document("o1", "https://other.test/a", _page(1, "kites")),
             Document("o2", "https://other.test/b", _page(2, "gliders"))]
    return docs


def _run(docs, **kw):
    step = SiteTemplates(**kw)
    for i, d in enumerate(docs):
        step.observe(i, d.id, step.fingerprint(d))
    step.decide()
    for i, d in enumerate(docs):
        step.apply(i, d)
    return step


def test_recurring_blocks_are_template_even_when_numbers_change_and_a_quote_on_two_pages_survives():
    docs = _corpus()
    step = _run(docs, min_pages=3, min_share=0.3)
    page = apply_spans(docs[2].text, docs[2].removed)
    assert "Mara Quill" not in page and "tide letter" not in page and "Harbour Gazette" not in page
    assert QUOTE in page and "Reporters spent week 2" in page
    assert all(s.rule == "site.template@1" and "of 12 pages of gazette.test" in s.detail
               for s in docs[2].removed)
    assert step.report()["template_blocks"] == 3


def test_a_host_with_fewer_pages_than_min_pages_keeps_everything():
    docs = _corpus()
    _run(docs, min_pages=3, min_share=0.3)
    assert docs[-1].removed == [] and docs[-2].removed == []


def test_min_share_protects_blocks_on_few_pages_of_a_big_host():
    docs = _corpus(n_pages=12, quote_pages=(1, 3, 5, 7))
    _run(docs, min_pages=3, min_share=0.34)   # 4 of 12 pages is below 34 %
    assert QUOTE in apply_spans(docs[1].text, docs[1].removed)
    docs = _corpus(n_pages=12, quote_pages=(1, 3, 5, 7))
    _run(docs, min_pages=3, min_share=0.33)   # ... and at or above 33 %
    assert QUOTE not in apply_spans(docs[1].text, docs[1].removed)


def test_exact_copies_of_a_page_on_one_host_count_once():
    docs = _corpus(n_pages=4, quote_pages=())
    copies = [Document(f"c{i}", f"https://gazette.test/news/1?utm={i}", docs[1].text) for i in range(5)]
    _run(docs + copies, min_pages=3, min_share=0.3)
    # the article of page 1 is on 6 URLs but one distinct page: it is not template
    assert "Reporters spent week 1" in apply_spans(copies[0].text, copies[0].removed)
    assert "Tuesday tide letter" not in apply_spans(copies[0].text, copies[0].removed)


def test_documents_without_a_url_are_left_alone():
    docs = [Document(f"n{i}", None, _page(i, "tides")) for i in range(6)]
    _run(docs, min_pages=3, min_share=0.3)
    assert all(d.removed == [] for d in docs)


@pytest.mark.parametrize("pages,host_pages,expected", [(3, 10, True), (2, 4, False), (3, 11, False), (4, 12, True)])
def test_is_template_needs_both_bounds(pages, host_pages, expected):
    assert bool(is_template(pages, host_pages, 3, 0.3)) is expected
    assert is_template(np.array([pages]), np.array([host_pages]), 3, 0.3).tolist() == [expected]


def test_block_keys_fold_case_punctuation_and_numbers_in_words_but_not_bare_numbers():
    assert block_key("Updated 3 May 2024 — by Staff") == block_key("updated 17 May 2025: by staff")
    assert block_key("$139.99") != block_key("$499.00")
    assert block_key("...") == 0
    assert host_of("https://WWW.Example.ORG:8080/x") == "example.org" and host_of("not a url") == "not a url"
    assert host_of(None) is None
    k = template_keys("example.org", ["Sign up", "", "sign-up!"])
    assert k[0] == k[2] and k[1] == 0 and k[0] >> np.uint64(32) == template_keys("example.org", ["x"])[0] >> np.uint64(32)


def test_bad_thresholds_are_refused_with_the_option_name():
    with pytest.raises(ValueError, match="template_min_pages"):
        SiteTemplates(min_pages=1)
    with pytest.raises(ValueError, match="template_min_share"):
        SiteTemplates(min_share=1.5)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), max_size=12), max_size=30), st.integers(1, 64))
def test_key_counter_counts_like_a_counter(batches, buffer):
    kc = KeyCounter(buffer_keys=buffer)
    ref = Counter()
    for b in batches:
        kc.add(np.array(b, dtype=np.uint64))
        ref.update(b)
    probe = np.arange(0, 45, dtype=np.uint64)
    assert kc.get(probe).tolist() == [ref.get(int(x), 0) for x in probe]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1), max_size=200))
def test_u64_set_adds_like_a_set(values):
    s, ref = U64Set(4), set()
    for v in values:
        assert s.add(v) == (v not in ref)
        ref.add(v)
    assert s.size == len(ref)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 700), max_size=12))
def test_chunked_rows_keep_every_row_in_order_with_little_slack(batch_sizes):
    from cleaner.containers.compact import ChunkedRows
    rows = ChunkedRows(3, np.uint32, chunk_rows=512)
    total = 0
    for n in batch_sizes:
        block = np.arange(total, total + n, dtype=np.uint32)
        rows.append(np.stack([block, block * 2, block + 7], axis=1))
        total += n
    assert rows.rows == total
    assert rows.column(0).tolist() == list(range(total)) and rows.column(2).tolist() == [x + 7 for x in range(total)]
    assert rows.nbytes() <= 12 * (total + max(total // 8, ChunkedRows.FIRST_CHUNK_ROWS))


def test_the_applier_alone_marks_the_same_spans_at_any_ordinal_and_holds_only_templates():
    docs = _corpus()
    step = _run(docs, min_pages=3, min_share=0.3)
    ap = SiteTemplates.applying(step.decision)
    assert ap.decision.keys.size == 3 and ap.decision.hosts.size == 1   # only the host that has templates
    again = Document(docs[2].id, docs[2].url, docs[2].text)
    ap.apply(7 << 40, again)  # an engine whose ordinals are (shard << k) | position
    assert again.removed == docs[2].removed and ap.stats.spans == 3
    other = Document(docs[-1].id, docs[-1].url, docs[-1].text)
    ap.apply(0, other)
    assert other.removed == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 40), max_size=12), max_size=40), st.integers(1, 64))
def test_repeat_counter_counts_exactly_like_a_counter(batches, buffer):
    from cleaner.containers.compact import RepeatCounter
    c, ref = RepeatCounter(buffer_keys=buffer), Counter()
    for b in batches:
        c.add(np.asarray(b, dtype=np.uint64))
        ref.update(b)
    keys, counts = c.repeated()
    assert dict(zip(keys.tolist(), counts.tolist())) == {k: v for k, v in ref.items() if v >= 2}
    assert sorted(c.once.tolist()) == c.once.tolist() == sorted(k for k, v in ref.items() if v == 1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 30), max_size=300), st.integers(1, 16))
def test_sorted_u64_set_answers_like_a_set(keys, pending):
    from cleaner.containers.compact import SortedU64Set
    s, ref = SortedU64Set(min_pending=pending), set()
    for k in keys:
        assert s.add(k) == (k not in ref)
        ref.add(k)
    assert s.size == len(ref) and s.nbytes() >= 8 * len(ref) - 8 * s._pending.size
