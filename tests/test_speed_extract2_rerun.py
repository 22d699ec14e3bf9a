"""The unpruned rerun renders the chrome's lines only when its text is long enough to win: drop_lines never
lengthens a text, so a rerun shorter than RERUN_GAIN times the current text loses with or without them."""
from hypothesis import given, settings, strategies as st

from cleaner.config import Options
from cleaner.extract import main_content as X
from cleaner.extract.main_region import coverage, has_prose, page_chars, region_text, restore_lists
from cleaner.extract.prune import find_chrome

LINES = st.sampled_from(["harbour ferries leave hourly", "Home", "section3", "About us", "", "  ", "Contact section4",
                         " ".join(["timetable"] * 12), "x"])
TEXTS = st.lists(LINES, max_size=12).map("\n".join)
PAGE = ("<html><head><title>t</title></head><body><nav>" + "".join(f"<a href='/{i}'>section{i}</a> " for i in range(40))
        + "<a href='/h'>Home</a><p>About us</p></nav><main><p>" + " ".join(["harbour ferries leave hourly"] * 20)
        + "</p></main></body></html>")


def _old_improve(body, root, chrome, visible, text, rerun):
    """Step 5 of _improve as it was (the comparison not taken), the unpruned run's text given."""
    if chrome and coverage(body, root, visible) < X.RERUN_COVERAGE \
            and X.chrome_share(root, chrome, visible) >= X.MIN_RERUN_CHROME_SHARE:
        again = X.drop_lines(rerun, X.chrome_only_lines(root, chrome))
        if len(again) >= X.RERUN_GAIN * len(body):
            body = again
    if coverage(body, root, visible) < X.FALLBACK_COVERAGE and not has_prose(body):
        return region_text(root, body)
    return restore_lists(root, body)


def _pruned():
    root = X._parse_clean(PAGE)
    chrome = [el for _, el in find_chrome(root, X.prune_kinds(False))]
    for el in chrome:
        el.drop_tree()
    return root, chrome


@settings(max_examples=300, deadline=None)
@given(TEXTS, TEXTS)
def test_rerun_keeps_the_text_it_kept_before(body, rerun):
    root, chrome = _pruned()
    assert chrome
    visible = page_chars(root)
    # a fake trafilatura: the pruned tree gives ``body`` (the comparison keeps it), a fresh tree ``rerun``
    fake = (lambda tree, url, thread, options, fast=False, gate=None: body if tree is root else rerun)
    saved = X._trafilatura
    X._trafilatura = fake
    try:
        got = X._improve(body, root, chrome, visible, PAGE, None, False, Options(), X._Stages(None))
    finally:
        X._trafilatura = saved
    want_root, want_chrome = _pruned()
    assert got == _old_improve(body, want_root, want_chrome, page_chars(want_root), PAGE, rerun)
