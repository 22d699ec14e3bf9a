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

    def fake(root, url, thread, options, fast=False):
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


def test_low_coverage_runs_the_comparison_and_a_small_pruned_share_skips_the_rerun(calls):
    X.extract(page(3), Options())
    assert [fast for _, fast in calls] == [True, False]  # fast first, then with the comparison
    assert calls[0][0] is calls[1][0]                     # both on the pruned page


def test_a_large_pruned_share_reruns_on_the_unpruned_page(calls):
    X.extract(page(40), Options())
    # pruned page: fast, then with the comparison; unpruned page: with the comparison at once
    # (a page that needs this run nearly always needs the comparison there too)
    assert [fast for _, fast in calls] == [True, False, False]
    assert calls[2][0].find(".//nav") is not None and calls[0][0].find(".//nav") is None


def test_a_fast_result_that_covers_the_page_is_kept_without_the_comparison(monkeypatch):
    seen = []

    def fake(root, url, thread, options, fast=False):
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


def test_a_fast_result_made_of_link_lines_runs_the_comparison(monkeypatch):
    from cleaner.extract.main_region import coverage, link_line_share
    seen = []
    fast_text = MENU_LINES + "\n" + SHORT_PROSE   # the page with its menu: not little of it, mostly link lines
    root = X.parse_html(MENU_PAGE)
    assert coverage(fast_text, root) >= X.COMPARISON_COVERAGE   # so coverage alone would not compare
    assert link_line_share(root, fast_text) >= X.COMPARISON_LINK_SHARE

    def fake(root, url, thread, options, fast=False):
        seen.append(fast)
        return fast_text if fast else " ".join(["harbour ferries leave hourly"] * 40)
    monkeypatch.setattr(X, "_trafilatura", fake)
    got = X.extract(MENU_PAGE, Options())
    assert seen == [True, False]
    assert "World and more news" not in got.text and "harbour ferries" in got.text


def test_a_fast_result_with_a_few_link_lines_in_its_prose_skips_the_comparison(monkeypatch):
    seen = []
    prose = " ".join(["harbour ferries leave hourly"] * 40)

    def fake(root, url, thread, options, fast=False):
        seen.append(fast)
        return SECTIONS[0] + "\n" + prose
    monkeypatch.setattr(X, "_trafilatura", fake)
    X.extract(MENU_PAGE, Options())
    assert seen == [True]


def test_a_fast_result_without_a_line_of_prose_runs_the_comparison(monkeypatch):
    # a grid of items (name, size, price): the fast run kept one block of several, covering
    # enough of the page for coverage alone to skip the comparison
    items = "\n".join(f"Desk lamp model {i}\nFor desks up to 120 cm\nStarting at ${40 + i}" for i in range(12))
    html = ("<html><head><title>t</title></head><body><div class='grid'>"
            + "".join(f"<div><h3>Desk lamp model {i}</h3><p>For desks up to 120 cm</p><p>Starting at ${40 + i}</p></div>"
                      for i in range(16)) + "</div></body></html>")
    seen = []

    def fake(root, url, thread, options, fast=False):
        seen.append(fast)
        return items
    monkeypatch.setattr(X, "_trafilatura", fake)
    X.extract(html, Options())
    assert seen == [True, False]


def test_a_fast_result_with_a_line_of_prose_that_covers_the_page_skips_the_comparison(monkeypatch):
    items = "\n".join(f"Desk lamp model {i}\nFor desks up to 120 cm\nStarting at ${40 + i}" for i in range(12))
    html = ("<html><head><title>t</title></head><body><div class='grid'>" + PARA
            + "".join(f"<div><h3>Desk lamp model {i}</h3><p>For desks up to 120 cm</p><p>Starting at ${40 + i}</p></div>"
                      for i in range(12)) + "</div></body></html>")
    seen = []

    def fake(root, url, thread, options, fast=False):
        seen.append(fast)
        return " ".join(["harbour ferries leave hourly"] * 40) + "\n" + items
    monkeypatch.setattr(X, "_trafilatura", fake)
    X.extract(html, Options())
    assert seen == [True]


def test_a_fast_result_without_prose_that_holds_the_whole_page_skips_the_comparison(monkeypatch):
    # all 16 items kept: nothing is left for the comparison to add (and a one-line page pays nothing)
    items = "\n".join(f"Desk lamp model {i}\nFor desks up to 120 cm\nStarting at ${40 + i}" for i in range(16))
    html = ("<html><head><title>t</title></head><body><div class='grid'>"
            + "".join(f"<div><h3>Desk lamp model {i}</h3><p>For desks up to 120 cm</p><p>Starting at ${40 + i}</p></div>"
                      for i in range(16)) + "</div></body></html>")
    seen = []

    def fake(root, url, thread, options, fast=False):
        seen.append(fast)
        return items
    monkeypatch.setattr(X, "_trafilatura", fake)
    X.extract(html, Options())
    assert seen == [True]
