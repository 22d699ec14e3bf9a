"""The second trafilatura run on the unpruned page happens only when it can gain: low coverage and a fair share pruned."""
import pytest

from cleaner import extract as X
from cleaner.config import Options
from cleaner.region import page_chars

PARA = "<p>" + " ".join(["harbour ferries leave hourly"] * 40) + "</p>"


def page(nav_words: int) -> str:
    nav = "<nav>" + "".join(f"<a href='/{i}'>section{i}</a> " for i in range(nav_words)) + "</nav>"
    return f"<html><head><title>t</title></head><body>{nav}<main>{PARA}</main></body></html>"


@pytest.fixture
def calls(monkeypatch):
    """Counts trafilatura runs; each returns a short text, so the coverage is always low."""
    seen = []

    def fake(root, url, thread, options):
        seen.append(root)
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


def test_a_small_pruned_share_skips_the_rerun(calls):
    X.extract(page(3), Options())
    assert len(calls) == 1


def test_a_large_pruned_share_reruns_on_the_unpruned_page(calls):
    X.extract(page(40), Options())
    assert len(calls) == 2
    assert calls[1].find(".//nav") is not None and calls[0].find(".//nav") is None
