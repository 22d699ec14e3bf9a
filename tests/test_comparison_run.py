"""The fast run that goes on with trafilatura's comparison gives what the two separate runs gave."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cleaner.config import Options
from cleaner.extract import comparison_run as C
from cleaner.extract import main_content as X

pytestmark = pytest.mark.skipif(not C.supported(), reason="another trafilatura version: the runs stay separate")

PROSE = ("The harbour ferries leave every hour from the northern pier, and in summer the last boat "
         "returns after the fireworks over the old town have ended for the night. ")
WORDS = ("harbour", "ferries", "timetable", "pier", "island", "tickets", "summer", "night")


def _page(blocks: list[str]) -> str:
    return "<html><head><title>Ferries</title></head><body>" + "".join(blocks) + "</body></html>"


def _root(html: str):
    root = X._parse_clean(html)
    return root


def _separately(html: str, wants: bool) -> str:
    """The text as two separate runs give it: the fast run, then, when wanted, the run with the comparison."""
    text = X._trafilatura(_root(html), None, False, Options(), fast=True)
    return X._trafilatura(_root(html), None, False, Options()) if wants else text


# Pages of prose, link lists and boxes with the class names trafilatura's XPaths read.
_CLASS = st.sampled_from(("", "content", "article-body", "sidebar", "comment", "related", "post", "menu",
                          "footer", "story", "entry-content", "widget", "share"))
_prose = st.integers(1, 4).map(lambda n: "<p>" + PROSE * n + "</p>")
_short = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(lambda ws: "<p>" + " ".join(ws) + "</p>")
_links = st.integers(2, 12).map(lambda n: "<ul>" + "".join(f"<li><a href='/s{i}'>Section {i} news</a></li>"
                                                            for i in range(n)) + "</ul>")
_block = st.one_of(_prose, _short, _links)
_box = st.tuples(st.sampled_from(("div", "section", "article", "aside")), _CLASS, st.lists(_block, min_size=1, max_size=4)
                 ).map(lambda t: f"<{t[0]}{f' class={t[1]!r}' if t[1] else ''}>{''.join(t[2])}</{t[0]}>")
PAGES = st.lists(st.one_of(_box, _block), min_size=1, max_size=6).map(_page)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGES, st.booleans())
def test_a_fast_run_that_goes_on_gives_the_text_of_the_runs_it_replaces(html, wants):
    gate = C.Gate(lambda fast_text: wants)
    got = X._trafilatura(_root(html), None, False, Options(), fast=True, gate=gate)
    if gate.verdict is None:   # nothing decided in the run: its text is the fast run's
        assert got == _separately(html, False)
    else:
        assert gate.verdict is wants
        assert got == _separately(html, wants)


def test_the_gate_is_asked_the_fast_text_and_the_comparison_can_change_it():
    # a page whose fast text is its short first box; readability and jusText find the long article
    html = _page(["<div class='story'><p>" + PROSE * 3 + "</p></div>"] * 3)
    asked = []
    gate = C.Gate(lambda fast_text: asked.append(fast_text) or True)
    got = X._trafilatura(_root(html), None, False, Options(), fast=True, gate=gate)
    assert asked == [_separately(html, False)]
    assert gate.verdict is True and got == _separately(html, True)


@pytest.mark.parametrize("rest", [
    "<div><div>" + PROSE * 2 + "</div></div>",
    "<div><span>" + PROSE + "</span><br><span>" + PROSE + "</span></div>",
    "<div class='box'><p>" + PROSE + "</p><p>" + PROSE + "</p></div>",
])
def test_a_fast_text_that_covers_little_of_the_page_goes_on_to_the_recall_escalation(rest):
    """The run with the comparison retries such a text in recall mode and with jusText (far longer
    texts here); the run that goes on from the fast run must do the same."""
    html = _page(["<div class='story'><p>" + PROSE * 3 + "</p></div>"] + [rest] * 12)
    gate = C.Gate(lambda fast_text: True)
    got = X._trafilatura(_root(html), None, False, Options(), fast=True, gate=gate)
    assert gate.verdict is True
    assert got == _separately(html, True)
    assert len(got) > 5 * len(_separately(html, False))


LINKS = "<ul>" + "".join(f"<li><a href='/s{i}'>Section {i} news today</a></li>" for i in range(15)) + "</ul>"


@pytest.mark.parametrize("blocks", [
    ["<article><p>" + PROSE * 2 + "</p></article>"] + ["<div class='sidebar'><p>" + PROSE + "</p></div>", LINKS] * 6,
    ["<div class='story'><p>" + PROSE * 2 + "</p></div>"]
    + ["<table><tr><td>" + PROSE + "</td><td>" + PROSE + "</td></tr></table>"] * 8,
])
def test_the_run_that_goes_on_escalates_as_the_run_with_the_comparison(monkeypatch, blocks):
    """A short text covering little of the page: trafilatura's recall retry and jusText candidate run
    (as the run with the comparison runs them, ``fast`` off), not as in the fast run (never)."""
    import trafilatura.core as core
    calls = []
    retry, justext = core._recall_retry, core.justext_rescue
    monkeypatch.setattr(core, "_recall_retry", lambda t, o, u: calls.append(("retry", o.fast)) or retry(t, o, u))
    monkeypatch.setattr(core, "justext_rescue", lambda t, o: calls.append(("jusText", o.fast)) or justext(t, o))
    html = _page(blocks)
    want = X._trafilatura(_root(html), None, False, Options())
    separate, calls[:] = list(calls), []
    gate = C.Gate(lambda fast_text: True)
    got = X._trafilatura(_root(html), None, False, Options(), fast=True, gate=gate)
    assert separate == [("retry", False), ("jusText", False)]
    assert calls == separate and gate.verdict is True and got == want


def test_a_page_with_a_teaser_block_leaves_the_comparison_to_a_second_run():
    html = _page(["<div class='Teaser-box'><p>" + PROSE + "</p></div>", "<div class='story'><p>" + PROSE * 3 + "</p></div>"])
    gate = C.Gate(lambda fast_text: True)
    got = X._trafilatura(_root(html), None, False, Options(), fast=True, gate=gate)
    assert gate.verdict is None and got == _separately(html, False)


@pytest.mark.parametrize("wants", [False, True])
def test_a_short_fast_text_is_asked_as_trafilaturas_rescue_makes_it_and_rescued_once(monkeypatch, wants):
    """Under min_extracted_size trafilatura's stage 3 (its baseline rescue) makes the fast text: the
    gate is asked that text, and the rescue is made once in the run, as in the fast run alone."""
    import trafilatura.core as core
    html = _page(["<p>" + " ".join(WORDS) + "</p>", "<div><span>" + PROSE + "</span></div>"])
    made = []
    baseline = core.baseline
    monkeypatch.setattr(core, "baseline", lambda tree: made.append(1) or baseline(tree))
    fast = _separately(html, False)
    separate, made[:] = len(made), []
    asked = []
    gate = C.Gate(lambda fast_text: asked.append(fast_text) or wants)
    got = X._trafilatura(_root(html), None, False, Options(), fast=True, gate=gate)
    assert separate == 1 and len(made) == 1
    assert asked == [fast] and gate.verdict is wants
    assert got == _separately(html, wants)


def test_trafilatura_is_as_it_was_after_the_run_and_after_a_fault():
    import trafilatura.core as core
    before = (core._extract_and_compare, core.xmltotxt, core.ESCALATION_MAX_LENGTH)

    def boom(fast_text):
        raise RuntimeError("gate fault")
    html = _page(["<div class='story'><p>" + PROSE * 3 + "</p></div>"])
    with pytest.raises(RuntimeError):
        X._trafilatura(_root(html), None, False, Options(), fast=True, gate=C.Gate(boom))
    assert (core._extract_and_compare, core.xmltotxt, core.ESCALATION_MAX_LENGTH) == before
    X._trafilatura(_root(html), None, False, Options(), fast=True, gate=C.Gate(lambda t: True))
    assert (core._extract_and_compare, core.xmltotxt, core.ESCALATION_MAX_LENGTH) == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(PAGES)
def test_extraction_gives_what_it_gave_with_separate_runs(html):
    def separate(monkeypatch_value):
        saved = C.supported
        C.supported = monkeypatch_value
        try:
            return X.extract(html, Options())
        finally:
            C.supported = saved
    merged, apart = separate(lambda: True), separate(lambda: False)
    assert (merged.text, merged.title) == (apart.text, apart.title)


def test_another_trafilatura_version_keeps_the_runs_apart(monkeypatch):
    import trafilatura
    C.supported.cache_clear()
    monkeypatch.setattr(trafilatura, "__version__", "9.9.9")
    try:
        assert not C.supported()
    finally:
        C.supported.cache_clear()


# Thread pages: trafilatura runs with comments; a comment list it captures before its stage 1.
_comment = st.tuples(st.sampled_from(WORDS), _block).map(
    lambda t: f"<div class='comment'><p class='comment-author'>{t[0]}</p>{t[1]}</div>")
_comments = st.tuples(st.sampled_from(("comment-list", "comments-content", "comments")), st.lists(_comment, min_size=1, max_size=4)
                      ).map(lambda t: f"<div class={t[0]!r}>{''.join(t[1])}</div>")
THREAD_PAGES = st.tuples(st.lists(st.one_of(_box, _block), min_size=1, max_size=5), _comments).map(
    lambda t: _page(t[0] + [t[1]]))
FORUM_LD = ('<script type="application/ld+json">{"@context": "https://schema.org", '
            '"@type": "DiscussionForumPosting", "headline": "Ferries"}</script>')


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(THREAD_PAGES, st.booleans())
def test_on_a_thread_page_the_run_that_goes_on_gives_the_text_and_comments_of_the_runs_it_replaces(html, wants):
    asked = []
    gate = C.Gate(lambda fast_text: asked.append(fast_text) or wants)
    got = X._trafilatura(_root(html), None, True, Options(), fast=True, gate=gate)
    fast = X._trafilatura(_root(html), None, True, Options(), fast=True)
    if gate.verdict is None:
        assert got == fast
    else:
        assert asked == [fast]   # the text the gate is asked holds the comments too, as extraction reads them
        assert gate.verdict is wants
        assert got == (X._trafilatura(_root(html), None, True, Options()) if wants else fast)


def test_the_comments_of_a_thread_are_in_the_text_the_gate_is_asked():
    html = _page(["<div class='story'><p>" + PROSE + "</p></div>",
                  "<div class='comment-list'><div class='comment'><p>" + PROSE.replace("harbour", "river") + "</p></div></div>"])
    asked = []
    gate = C.Gate(lambda fast_text: asked.append(fast_text) or True)
    got = X._trafilatura(_root(html), None, True, Options(), fast=True, gate=gate)
    assert gate.verdict is True and len(asked) == 1 and "river ferries" in asked[0] and "harbour ferries" in asked[0]
    assert got == X._trafilatura(_root(html), None, True, Options())


def test_a_forum_thread_whose_posts_trafilatura_may_salvage_leaves_the_comparison_to_a_second_run():
    html = _page([FORUM_LD, "<div class='story'><p>" + PROSE + "</p></div>",
                  "<div class='comment-list'><div class='comment'><p>" + PROSE + "</p></div></div>"])
    gate = C.Gate(lambda fast_text: True)
    got = X._trafilatura(_root(html), None, True, Options(), fast=True, gate=gate)
    assert gate.verdict is None and got == X._trafilatura(_root(html), None, True, Options(), fast=True)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(THREAD_PAGES, st.sampled_from(("", "<div itemscope itemtype='https://schema.org/DiscussionForumPosting'>"
                                          "<div itemprop='text'><p>{}</p></div></div>")))
def test_thread_extraction_gives_what_it_gave_with_separate_runs(html, posts):
    """A thread page (its URL says so): the posts test, the comparison and the rest as with two runs."""
    if posts:
        html = html.replace("</body>", "".join(posts.format(PROSE[: 40 * k]) for k in (1, 2)) + "</body>")
    saved = C.supported
    try:
        C.supported = lambda: True
        merged = X.extract(html, Options(), url="https://forum.example.org/threads/ferries.12/")
        C.supported = lambda: False
        apart = X.extract(html, Options(), url="https://forum.example.org/threads/ferries.12/")
    finally:
        C.supported = saved
    assert (merged.text, merged.title) == (apart.text, apart.title)


TICKETS = ("Tickets are sold at the pier from early morning, and the ferry office keeps the timetable "
           "for the winter season on its board beside the waiting room.")


def test_a_threads_posts_are_weighed_against_the_fast_text_not_the_comparisons(monkeypatch):
    """The posts replace trafilatura's text only when they hold POSTS_MIN_SHARE of its fast text's
    length; once the run went on with the comparison, its (shorter) text is not weighed again."""
    posts = "".join("<div itemscope itemtype='https://schema.org/DiscussionForumPosting'>"
                    f"<div itemprop='text'><p>{PROSE}</p></div></div>" for _ in range(2))
    html = _page(["<div class='story'><p>" + PROSE + "</p></div>", posts, LINKS])
    real = X._trafilatura
    # the page's link lines, over and over: a fast text that needs the comparison, the posts far under POSTS_MIN_SHARE of it
    long_fast = "\n".join(f"Section {i} news today" for i in range(15) for _ in range(40))

    def run(root, url, thread, options, fast=False, gate=None):
        if gate is None:
            return real(root, url, thread, options, fast)
        gate.verdict = bool(gate.wants(long_fast))
        return TICKETS if gate.verdict else long_fast
    monkeypatch.setattr(X, "_trafilatura", run)
    got = X.extract(html, Options(), url="https://forum.example.org/threads/ferries.12/")
    assert got.text == TICKETS
