"""The run with trafilatura's comparison reuses its fast run's main-extractor result (main_content.MainPass):
same text as a run that extracts again, one extractor call fewer, nothing of trafilatura left replaced."""
import pytest
import trafilatura.core as core
import trafilatura.main_extractor as mx

from cleaner.config import Options
from cleaner.extract import main_content as X

PROSE = ("The harbour ferries leave every hour from the northern pier, and the timetable changes with the "
         "seasons, so travellers should check the board beside the ticket office before they plan a trip. ")
ARTICLE = ("<html><head><title>Ferries</title></head><body><div class='menu'>"
           + "".join(f"<a href='/s{i}'>Section {i}</a> " for i in range(30))
           + "</div><div class='story'><h2>Timetables</h2>" + "".join(f"<p>{PROSE * (i + 1)}</p>" for i in range(4))
           + "<ul><li>Pier one</li><li>Pier two</li></ul></div><div class='sidebar'><p>Other news</p></div></body></html>")
SHORT = "<html><body><div><span>Opening hours: nine to five.</span></div></body></html>"


@pytest.fixture
def counted(monkeypatch):
    """Counts the calls of trafilatura's main extractor (as trafilatura's core calls it)."""
    calls = []
    real = core.extract_content

    def counting(tree, options):
        calls.append(tree)
        return real(tree, options)

    monkeypatch.setattr(core, "extract_content", counting)
    return calls


def _tree(html):
    return X._parse_clean(html)


@pytest.mark.parametrize("thread", [False, True])
def test_the_comparison_run_reuses_the_fast_runs_extractor_result(counted, thread):
    opts = Options()
    main = X.MainPass()
    fast = X._trafilatura(_tree(ARTICLE), None, thread, opts, fast=True, main=main)
    assert main.reusable and main.text and fast
    del counted[:]
    reused = X._trafilatura(_tree(ARTICLE), None, thread, opts, main=main)
    calls_reused = len(counted)
    del counted[:]
    again = X._trafilatura(_tree(ARTICLE), None, thread, opts)
    assert reused == again
    assert calls_reused == len(counted) - 1


def test_a_recovered_result_is_not_reused(counted):
    """Below its minimum size trafilatura's extractor recovers wild text, which the fast setting changes."""
    opts = Options()
    main = X.MainPass()
    X._trafilatura(_tree(SHORT), None, False, opts, fast=True, main=main)
    assert main.recovered and not main.reusable
    del counted[:]
    reused = X._trafilatura(_tree(SHORT), None, False, opts, main=main)
    calls_reused = len(counted)
    del counted[:]
    assert reused == X._trafilatura(_tree(SHORT), None, False, opts)
    assert calls_reused == len(counted) >= 1


def test_trafilatura_is_left_as_it_was():
    extractor, recover = core.extract_content, mx.recover_wild_text
    main = X.MainPass()
    X._trafilatura(_tree(ARTICLE), None, False, Options(), fast=True, main=main)
    assert (core.extract_content, mx.recover_wild_text) == (extractor, recover)
    X._trafilatura(_tree(ARTICLE), None, False, Options(), main=main)
    assert (core.extract_content, mx.recover_wild_text) == (extractor, recover)


def test_a_failing_run_leaves_trafilatura_as_it_was(monkeypatch):
    extractor, recover = core.extract_content, mx.recover_wild_text

    def broken(*args, **kwargs):
        raise RuntimeError("extractor failed")

    monkeypatch.setattr(core, "extract_content", broken)
    with pytest.raises(RuntimeError):
        X._trafilatura(_tree(ARTICLE), None, False, Options(), fast=True, main=X.MainPass())
    assert core.extract_content is broken and mx.recover_wild_text is recover
    monkeypatch.undo()
    assert core.extract_content is extractor


def test_extract_gives_the_same_text_with_and_without_the_reuse(monkeypatch):
    """A page whose fast result covers little of the page goes to the comparison; reuse changes nothing there."""
    page = ("<html><body><article><h2>Timetables</h2>" + "".join(f"<p>{PROSE}</p>" for _ in range(3)) + "</article>"
            + "".join(f"<div class='x{i}'><p>{PROSE * 2}</p></div>" for i in range(40)) + "</body></html>")
    seconds = {}
    with_reuse = X.extract(page, Options(), seconds=seconds)
    assert "extract.trafilatura-comparison" in seconds
    monkeypatch.setattr(X, "MainPass", lambda: None)
    assert X.extract(page, Options()) == with_reuse
