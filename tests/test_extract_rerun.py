"""trafilatura's extra runs happen only where they can gain.

Its fallback comparison (readability, jusText) runs only when the fast run kept little of
the page; the run on the unpruned page only when coverage stays low and a fair share was pruned.
"""
import pytest

from cleaner.extract import main_content as X
from cleaner.config import Options
from cleaner.extract.main_region import page_chars

PARA = "<p>" + " ".join(["harbour ferries leave hourly"] * 40) + "</p>"


def page(nav_words: int) -> str:
    nav = "<nav>" + "".join(f"<a href='/{i}'>section{i}</a> " for i in range(nav_words)) + "</nav>"
    return f"<html><head><title>t</title></head><body>{nav}<main>{PARA}</main></body></html>"


@pytest.fixture
def calls(monkeypatch):
    """Records trafilatura runs as ``(root, fast)``; each returns a short text, so the coverage is always low."""
    seen = []

    def fake(root, url, thread, options, fast=False, gate=None):
        seen.append((root, fast))
        return "harbour ferries"
    monkeypatch.setattr(X, "_trafilatura", fake)
    return seen


def test_chrome_share_is_the_pruned_part_of_the_page_text():
    root = X.parse_html(page(10))
    assert X.chrome_share(root, []) == 0
    nav = root.find(".//nav")
    nav.drop_tree()
    removed = len(" ".join(nav.text_content().split()))
    assert X.chrome_share(root, [nav]) == pytest.approx(removed / (removed + page_chars(root)))


@pytest.mark.parametrize("nav_words", [3, 40])   # pruned shares about 0.03 and 0.25
def test_low_coverage_runs_the_comparison_and_a_small_pruned_share_skips_the_rerun(calls, nav_words):
    X.extract(page(nav_words), Options())
    assert [fast for _, fast in calls] == [True, False]  # fast, then with the comparison
    assert calls[0][0] is calls[1][0]                     # both on the pruned page


def test_a_large_pruned_share_reruns_on_the_unpruned_page(calls):
    X.extract(page(80), Options())
    # pruned page: fast, then with the comparison; unpruned page: with the comparison at once
    # (a page that needs this run nearly always needs the comparison there too)
    assert [fast for _, fast in calls] == [True, False, False]
    assert calls[2][0].find(".//nav") is not None and calls[0][0].find(".//nav") is None


def test_a_fast_result_that_covers_the_page_is_kept_without_the_comparison(monkeypatch):
    seen = []

    def fake(root, url, thread, options, fast=False, gate=None):
        seen.append(fast)
        return " ".join(["harbour ferries leave hourly"] * 40)
    monkeypatch.setattr(X, "_trafilatura", fake)
    X.extract(page(3), Options())
    assert seen == [True]


# A page whose menu is not marked as one (no <nav>, no menu class): the pruning keeps it, and a
# fast result made of its link lines is the menu taken for the article.
SECTIONS = [f"{w.title()} and more news" for w in ("world", "sport", "weather", "local", "arts", "science", "money",
                                                  "travel", "food", "homes", "cars", "jobs", "health", "books")]
MENU_PAGE = ("<html><head><title>t</title></head><body><div class='top'>"
             + "".join(f"<div><a href='/{i}'>{s}</a></div>" for i, s in enumerate(SECTIONS))
             + "</div><div class='story'>" + PARA + "</div></body></html>")
MENU_LINES = "\n".join(SECTIONS)
SHORT_PROSE = " ".join(["harbour ferries leave hourly"] * 6)


def test_link_line_share_counts_lines_that_are_a_links_whole_text():
    from cleaner.extract.main_region import link_line_share
    root = X.parse_html(MENU_PAGE)
    assert link_line_share(root, MENU_LINES) == 1.0
    menu_chars = sum(map(len, SECTIONS))
    assert link_line_share(root, MENU_LINES + "\n" + SHORT_PROSE) == pytest.approx(menu_chars / (menu_chars + len(SHORT_PROSE)))
    # a line that only holds a link's words among others is no link line; nor is prose
    assert link_line_share(root, "Read the World and more news and the sport news here today") == 0.0
    assert link_line_share(root, "") == 0.0


def _runs(monkeypatch, html: str, fast_text: str, full_text: str | None = None) -> tuple[list[bool], str]:
    """The trafilatura runs ``extract`` makes (``fast`` flags) when the fast run gives
    ``fast_text`` and the run with the comparison ``full_text``, and the text extracted."""
    seen: list[bool] = []

    def fake(root, url, thread, options, fast=False, gate=None):
        seen.append(fast)
        return fast_text if fast or full_text is None else full_text
    monkeypatch.setattr(X, "_trafilatura", fake)
    return seen, X.extract(html, Options()).text


def _grid(n: int, lead: str = "") -> str:
    """A page of ``n`` item blocks (name, size, price), ``lead`` before them."""
    return ("<html><head><title>t</title></head><body><div class='grid'>" + lead
            + "".join(f"<div><h3>Desk lamp model {i}</h3><p>For desks up to 120 cm</p><p>Starting at ${40 + i}</p></div>"
                      for i in range(n)) + "</div></body></html>")


def _items(n: int) -> str:
    return "\n".join(f"Desk lamp model {i}\nFor desks up to 120 cm\nStarting at ${40 + i}" for i in range(n))


def test_a_fast_result_made_of_link_lines_runs_the_comparison(monkeypatch):
    from cleaner.extract.main_region import coverage, link_line_share
    fast_text = MENU_LINES + "\n" + SHORT_PROSE   # the page with its menu: not little of it, mostly link lines
    root = X.parse_html(MENU_PAGE)
    assert coverage(fast_text, root) >= X.COMPARISON_COVERAGE   # so coverage alone would not compare
    assert link_line_share(root, fast_text) >= X.COMPARISON_LINK_SHARE
    seen, text = _runs(monkeypatch, MENU_PAGE, fast_text, " ".join(["harbour ferries leave hourly"] * 40))
    assert seen == [True, False]
    assert "World and more news" not in text and "harbour ferries" in text


def test_a_fast_result_with_a_few_link_lines_in_its_prose_skips_the_comparison(monkeypatch):
    seen, _ = _runs(monkeypatch, MENU_PAGE, SECTIONS[0] + "\n" + " ".join(["harbour ferries leave hourly"] * 40))
    assert seen == [True]


def test_a_fast_result_without_a_line_of_prose_runs_the_comparison(monkeypatch):
    # a grid of items: the fast run kept 12 blocks of 16, covering enough of the page for
    # coverage alone to skip the comparison
    seen, _ = _runs(monkeypatch, _grid(16), _items(12))
    assert seen == [True, False]


def test_a_fast_result_with_a_line_of_prose_that_covers_the_page_skips_the_comparison(monkeypatch):
    seen, _ = _runs(monkeypatch, _grid(12, PARA), " ".join(["harbour ferries leave hourly"] * 40) + "\n" + _items(12))
    assert seen == [True]


def test_a_fast_result_without_prose_that_holds_the_whole_page_skips_the_comparison(monkeypatch):
    # all 16 items kept: nothing is left for the comparison to add (and a one-line page pays nothing)
    seen, _ = _runs(monkeypatch, _grid(16), _items(16))
    assert seen == [True]


class _Spy:
    """Stands in for trafilatura's recall escalation; counts the calls."""

    def __init__(self, real):
        self.real, self.calls = real, 0

    def __call__(self, *a, **k):
        self.calls += 1
        return self.real(*a, **k)


# A short article amid a long page of other text: trafilatura's own sequence would retry it in
# recall mode (short, and under a fifth of the page) unless the escalation is off.
SHORT_AMID_LONG = ("<html><body><article><p>" + " ".join(["harbour ferries leave hourly"] * 12) + "</p></article>"
                   + "<ul>" + "".join(f"<li><a href='/{i}'>unrelated catalogue entry number {i}</a></li>" for i in range(200))
                   + "</ul>"
                   + "</body></html>")


@pytest.mark.parametrize("fast", [True, False])
def test_only_the_fast_run_skips_trafilaturas_recall_escalation(monkeypatch, fast):
    import trafilatura.core as core
    spy = _Spy(core.html2txt)   # the escalation measures the page with html2txt first
    monkeypatch.setattr(core, "html2txt", spy)
    before = core.ESCALATION_MAX_LENGTH
    X._trafilatura(X.parse_html(SHORT_AMID_LONG), None, False, Options(), fast=fast)
    assert (spy.calls == 0) is fast
    assert core.ESCALATION_MAX_LENGTH == before   # the setting is restored after the run
