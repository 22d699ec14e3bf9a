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
