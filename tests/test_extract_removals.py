"""What extraction left out, shown in place with its reason; the clean text never changes."""
from __future__ import annotations

import dataclasses
import json

import pytest

from cleaner.config import Options
from cleaner.document import Document, Span, apply_spans
from cleaner.extract.main_content import extract
from cleaner.extract.removals import NOT_MAIN, align, count_left_out, with_left_out
from cleaner.engines.local.run import run

from test_explain import explain_cli  # noqa: F401  (fixture)
from test_report_html import parse

ARTICLE = [
    "This lemon tart has a crisp pastry shell and a sharp, silky filling that sets in the oven in about twenty minutes.",
    "Rub the butter into the flour until it looks like breadcrumbs, then add the egg yolk and a spoon of cold water.",
    "Whisk the eggs with the sugar, the lemon zest and the juice, pour the filling into the baked shell and bake it gently.",
]
PAGE = ("<!doctype html><html><head><meta charset='utf-8'><title>Lemon tart | Bakes</title></head><body>"
        "<nav><ul><li><a href='/'>Home</a></li><li><a href='/recipes'>All our recipes</a></li></ul></nav>"
        "<div id='cookie-banner' class='cookie-consent'><p>We use cookies to improve your experience. By continuing "
        "you accept our cookie policy.</p><button>Accept all cookies</button></div>"
        "<main><article><h1>Lemon tart</h1>" + "".join(f"<p>{p}</p>" for p in ARTICLE) + "</article>"
        "<aside class='related'><h3>Related recipes</h3><ul><li><a href='/r/1'>Orange drizzle cake</a></li>"
        "<li><a href='/r/2'>Lime pie with meringue</a></li><li><a href='/r/3'>Blueberry muffins</a></li></ul></aside>"
        "</main><footer><p>Copyright Bakes Ltd. All rights reserved.</p>"
        "<p><a href='/privacy'>Privacy policy</a></p></footer></body></html>")
EXPECTED = {"extract.prune.nav@1": "All our recipes", "extract.prune.cookie@1": "We use cookies to improve",
            "extract.prune.related@1": "Lime pie with meringue", "extract.prune.footer@1": "Copyright Bakes Ltd."}


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "tart.html"
    path.write_text(PAGE, encoding="utf-8")
    return path


def test_explain_shows_nav_cookie_banner_related_box_and_footer_in_place(page, explain_cli):  # noqa: F811
    p = explain_cli(str(page))
    assert p.returncode == 0, p.stderr
    body = p.stdout.split("-" * 72 + "\n", 1)[1]
    for rule, text in EXPECTED.items():
        marker = next((m for m in body.split("[-")[1:] if m.startswith(rule + ":")), None)
        assert marker is not None and text in marker.split("-]")[0], (rule, body)
    # in place: the nav and banner before the article, the related box and footer after it
    assert body.index("All our recipes") < body.index(ARTICLE[0]) < body.index("Lime pie") < body.index("Copyright")
    head = p.stdout.split("-" * 72)[0]
    assert "a cookie or consent banner, pruned before extraction" in head


def test_the_clean_text_is_the_same_with_and_without_alignment(page, tmp_path):
    plain = run([str(page)], Options(progress=False, workers=1), None).clean_texts
    detailed = run([str(page)], Options(progress=False, workers=1, extraction_detail=True), None).clean_texts
    assert plain == detailed and all(a in plain[0] for a in ARTICLE)
    docs = []
    run([str(page)], Options(progress=False, workers=1, extraction_detail=True), None, emit=lambda d, t: docs.append(d))
    view = with_left_out(docs[0])
    assert apply_spans(view.text, view.removed) == plain[0]
    assert {s.rule for s in view.removed} >= set(EXPECTED)


def test_html_explain_draws_extraction_in_its_own_colour(page, tmp_path, explain_cli):  # noqa: F811
    out = tmp_path / "x.html"
    assert explain_cli(str(page), "--format", "html", "-o", str(out)).returncode == 0
    el = parse(out.read_text(encoding="utf-8"))
    classes = {a.get("class") for t, a in el.tags if t == "span"}
    assert "rm k-extract" in classes
    titles = " ".join(a.get("title", "") for t, a in el.tags if t == "span")
    for rule in EXPECTED:
        assert rule in titles


def test_report_counts_characters_left_out_by_reason(page, tmp_path):
    rep = run([str(page)], Options(progress=False, workers=1), str(tmp_path / "out")).report
    by = rep["characters"]["removed_by_extraction"]
    assert set(EXPECTED) <= set(by)
    # the element's text as lxml's text_content() joins it (no separator between the items)
    assert by["extract.prune.related@1"] == len("".join(("Related recipes", "Orange drizzle cake",
                                                         "Lime pie with meringue", "Blueberry muffins")))
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Characters left out by extraction, by reason" in html


def test_alignment_keeps_matched_lines_and_anchors_the_rest():
    blocks = [("Menu", "extract.prune.nav@1"), ("Title here", None), ("First paragraph.", None),
              ("Share this", None), ("Second paragraph.", None), ("Footer", "extract.prune.footer@1")]
    text = "Title here\nFirst paragraph.\nSecond paragraph."
    out = align(blocks, text)
    assert out == [[0, "Menu", "extract.prune.nav@1"], [text.index("Second"), "Share this", NOT_MAIN],
                   [len(text), "Footer", "extract.prune.footer@1"]]
    doc = Document("d", None, text, removed=[Span(text.index("First"), text.index("Second"), "chrome.x@1")])
    view = with_left_out(doc, out)
    assert apply_spans(view.text, view.removed) == apply_spans(text, doc.removed)
    moved = next(s for s in view.removed if s.rule == "chrome.x@1")
    assert view.text[moved.start:moved.end] == "First paragraph.\n"


def test_cheap_counts_come_from_the_pruned_elements():
    import lxml.html
    root = lxml.html.fromstring("<html><body><nav>Home News</nav><p>Text</p></body></html>")
    nav = root.find(".//nav")
    assert count_left_out([("landmark", nav)], len("Text"), "Te") == {"extract.prune.nav@1": 9, NOT_MAIN: 2}


def test_one_page_in_sixteen_is_aligned_in_a_plain_run():
    from cleaner.extract.removals import DETAIL_EVERY, wants_detail
    share = sum(wants_detail(f"page-{i}.html") for i in range(4000)) / 4000
    assert abs(share - 1 / DETAIL_EVERY) < 0.02
    ex = extract(PAGE.encode(), Options())
    assert ex.left_out is None and ex.left_out_chars["extract.prune.footer@1"] > 0


def test_explain_of_a_rejected_record_says_so_and_why(tmp_path, explain_cli):  # noqa: F811
    recs = [{"id": "fine", "text": "A short and ordinary record about the harbour."},
            {"id": "huge", "text": "word " * 400}, {"id": "numbers", "html": 123}]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    p = explain_cli(str(path), "--id", "numbers")
    assert p.returncode == 0, p.stderr
    status = next(l for l in p.stdout.splitlines() if l.startswith("status"))
    assert status.startswith("status    REJECTED (no-text-field)") and "--html-field" in status
    assert "in.jsonl, position 3" in p.stdout
    # a record rejected before its id was read is named by file and line
    p = explain_cli(str(path), "--id", "huge", "--max-input-bytes", "500")
    assert p.returncode == 2 and "2 records were rejected ('in.jsonl:2', 'numbers'" in p.stderr
    p = explain_cli(str(path), "--id", "in.jsonl:2", "--max-input-bytes", "500")
    assert p.returncode == 0 and "REJECTED (too-large)" in p.stdout


def test_report_samples_show_what_extraction_left_out(tmp_path):
    from cleaner.extract.removals import wants_detail
    name = next(f"tart-{i}.html" for i in range(1000) if wants_detail(f"tart-{i}.html"))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / name).write_text(PAGE, encoding="utf-8")
    run([str(tmp_path / "in")], Options(progress=False, workers=1), str(tmp_path / "out"))
    el = parse((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    titles = [a.get("title", "") for t, a in el.tags if t == "span" and "k-extract" in (a.get("class") or "")]
    assert any("extract.prune.cookie@1" in t for t in titles) and any("extract.prune.nav@1" in t for t in titles)


def test_a_short_block_is_not_kept_because_its_word_is_part_of_a_longer_one():
    blocks = [("Home", "extract.prune.nav@1"), ("Homework for the weekend is on page two.", None)]
    out = align(blocks, "Homework for the weekend is on page two.")
    assert out == [[0, "Home", "extract.prune.nav@1"]]
    assert align([("page two", None)], "Homework for the weekend is on page two.") == []


def test_offsets_named_in_details_follow_the_text_they_name():
    text = "Kept line.\nKept line."
    doc = Document("d", None, text, removed=[Span(11, 21, "dup.paragraph@1", "repeats block at offset 0")])
    view = with_left_out(doc, [[0, "Menu", "extract.prune.nav@1"]])
    dup = next(s for s in view.removed if s.rule == "dup.paragraph@1")
    assert dup.detail == "repeats block at offset 5" and view.text[5:15] == "Kept line."
