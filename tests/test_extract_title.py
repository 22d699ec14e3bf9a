"""The page title goes to Document.title and is never printed twice."""
import json
import os
import subprocess
import sys

from cleaner.page.title import RULE, PageTitle, title_keys
from cleaner.document import Document, apply_spans, line_span, segment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def clean(doc: Document) -> str:
    PageTitle()(doc)
    return apply_spans(doc.text, doc.removed)


def test_first_line_equal_to_the_title_is_marked():
    doc = Document("d", None, "Ferry timetable changes\nBoats leave every twenty minutes.", "Ferry timetable changes")
    assert clean(doc) == "Boats leave every twenty minutes."
    assert [s.rule for s in doc.removed] == [RULE]


def test_case_punctuation_and_site_suffix_do_not_hide_the_repeat():
    doc = Document("d", None, "FERRY TIMETABLE CHANGES!\nBoats leave.", "Ferry timetable changes | Example Gazette")
    assert clean(doc) == "Boats leave."


def test_a_later_line_repeating_the_title_is_content():
    text = "Boats leave every twenty minutes.\nFerry timetable changes\nTickets stay valid."
    doc = Document("d", None, text, "Ferry timetable changes")
    assert clean(doc) == text


def test_a_first_line_that_only_starts_like_the_title_stays():
    text = "Ferry timetable changes anger commuters in the bay\nBoats leave."
    assert clean(Document("d", None, text, "Ferry timetable changes")) == text


def test_no_title_no_mark():
    assert clean(Document("d", None, "Ferry\nBoats leave.", None)) == "Ferry\nBoats leave."


def test_first_kept_line_is_looked_at_after_chrome_is_marked():
    text = "Skip to content\nFerry timetable changes\nBoats leave."
    doc = Document("d", None, text, "Ferry timetable changes")
    doc.removed.append(line_span(text, segment(text)[0], "chrome.skip-link@1"))
    assert clean(doc) == "Boats leave."


def test_title_keys_split_site_names_only_at_spaced_separators():
    assert title_keys("Ferry-timetable changes") == {"ferrytimetablechanges"}
    assert title_keys("Ferry timetable changes - Gazette") == {"ferrytimetablechangesgazette", "ferrytimetablechanges", "gazette"}


def test_cli_puts_the_headline_in_the_title_field_and_once_in_no_text(tmp_path):
    para = ("The harbour authority approved a new ferry timetable on Tuesday after months of consultation "
            "with commuters and local businesses along the bay.")
    html = (f"<html><head><title>Ferry timetable changes | Gazette</title></head><body><article>"
            f"<h1>Ferry timetable changes</h1><p>{para}</p><p>{para.replace('Tuesday', 'Friday')}</p></article></body></html>")
    src = tmp_path / "in"
    src.mkdir()
    (src / "page.html").write_text(html, encoding="utf-8")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": ROOT}
    subprocess.run([sys.executable, "-m", "cleaner", "clean", str(src), "-o", str(out), "--workers", "1", "--no-progress"],
                   check=True, env=env, capture_output=True)
    import gzip
    shard = next(p for p in out.iterdir() if p.name.startswith("clean-"))
    rec = json.loads(gzip.open(shard, "rt", encoding="utf-8").readline())
    assert rec["title"] == "Ferry timetable changes"
    assert "Ferry timetable changes" not in rec["text"]
    assert rec["text"].startswith("The harbour authority")
