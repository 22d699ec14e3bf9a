"""Whole invented pages through the per-document markers a run uses (chrome rules, then
in-page duplicates): what must go, what must stay, and that cleaning clean text changes nothing."""
from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from cleaner.config import load_options
from cleaner.document import Document, apply_spans
from cleaner.pipeline import build_markers
from cleaner.engines.local.run import run

NEWS = """Skip to Content Twitter Header Image

Ferry Line Extends Winter Service to the Outer Islands

Travel

Ferry Line Extends Winter Service to the Outer Islands
Travel

Travel

Ferry Line Extends Winter Service to the Outer Islands

2025-02-11 08:05 Last Updated At:08:05

The island ferry company said on Monday that it would keep its two largest boats running through January and February, ending a decade in which the outer islands were served only twice a week in the cold months. Residents had campaigned for the change since the school on the largest island closed.

A harbour master waves the morning boat out of Port Ellen. (Photo: Lena Holm)

A harbour master waves the morning boat out of Port Ellen. (Photo: Lena Holm)

The company will pay for the extra crossings from a regional transport grant, and it expects the number of winter passengers to double within three years as families return to the islands.

Local councillors welcomed the decision but warned that the piers on two of the smaller islands need repairs before the boats can dock safely in winter storms.



Harbour Gull

** This column is the sole responsibility of the author and does not represent the position of the publisher. **

Nobody who grew up on the islands believes a timetable until the first boat actually arrives. My grandmother kept every printed timetable since 1961 in a drawer in the kitchen, and most of them were wrong by March.

Winter Is Long

Still, something has changed. The new boats are bigger, the crews are younger, and for the first time in years the harbour cafe plans to stay open all winter.

Recommended Stories"""

COOKIES = """Skip to main content
Storing user settings in cookies
Browsers keep a cookie only after the server sends a Set-Cookie header or a script writes document.cookie.
A small helper keeps the parsing in one place:
const getSetting = (key) => { return document.cookie.split('; ').find((c) => c.startsWith(key + '=')); };
Cookies marked HttpOnly cannot be read by scripts, so keep the session id in one of those.
If your site has a privacy policy, it should list each cookie and how long it lives.
Please enable JavaScript to view the comments.
This website uses cookies to improve your experience. Accept | Reject
Privacy Policy | Terms of Use | Cookie Settings"""

POEM = """Harbour song
Oars in the water, oars in the water,
the lantern swings and the night is wide.
Oars in the water, oars in the water,
and nobody sleeps on the tide.
Steady, steady.
Steady, steady.
The island is dark and the harbour is near.
Oars in the water, oars in the water,
and that is the end of the year.
Ferry office hours
Sat
Closed
Sun
Closed
Mon
7:30 AM - 6:00 PM
Tue
7:30 AM - 6:00 PM
Share this page: Facebook | X | Email"""

JAPANESE = """ログイン
新規登録
ホーム > 地域 > 交通
最終更新日：2025年2月11日 08:05
離島フェリーが冬も運航を続けます
フェリー会社は月曜日、冬の間も大型船二隻の運航を続けると発表しました。
島の住民は、学校が閉校してから何年もこの変更を求めてきました。
乗船するときの注意点
・出航の三十分前までに乗り場に着く
・荒天の日は運航情報を確認する
冬の海は荒れやすいので、時間に余裕を持って出かけましょう。
この記事をシェアする
Xでシェア
関連記事
島の学校が再開へ"""

PROMO = """How to keep bread fresh for a week
Bread goes stale because the starch in it slowly crystallises, and that happens fastest at fridge temperature, not at room temperature.
Keep the loaf in a cloth bag on the counter for the first two days, then slice what is left and freeze the slices in a sealed box.
Get our free baking letter with a new recipe and a storage tip sent to your inbox every Sunday morning.
BAKING CLUB
VIDEOS
Some links on this page are affiliate links, and we earn a commission if you buy through them.
Toast frozen slices straight from the freezer; there is no need to thaw them first.
Follow us for weekly recipes | About | Advertise"""


@pytest.fixture(scope="module")
def markers():
    return build_markers(load_options())


def clean(markers, text):
    doc = Document("t", None, text)
    for m in markers:
        m(doc)
    return apply_spans(text, doc.removed), doc


def assert_idempotent(markers, text):
    once, _ = clean(markers, text)
    doc = Document("t", None, once)
    for m in markers:
        m(doc)
    assert doc.removed == [], [once[s.start:s.end] for s in doc.removed]


def lines(text):
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


def test_news_page_with_every_fault(markers):
    out, doc = clean(markers, NEWS)
    head = "Ferry Line Extends Winter Service to the Outer Islands"
    caption = "A harbour master waves the morning boat out of Port Ellen."  # its "(Photo: Lena Holm)" credit goes
    for gone in ("Skip to Content", "Header Image", "Last Updated At", "Harbour Gull", "sole responsibility",
                 "Recommended Stories"):
        assert gone not in out
    assert "Travel" not in lines(out)
    # the headline moves to the title field, as for an HTML page (issue 15)
    assert out.count(head) == 0 and doc.title == head and out.count(caption) == 1 and "Lena Holm" not in out
    # the appended column is kept whole, its pen name and disclaimer gone
    for kept in ("Nobody who grew up on the islands", "Winter Is Long", "harbour cafe plans to stay open"):
        assert out.count(kept) == 1
    order = ["The island ferry company", caption, "The company will pay", "Local councillors", "Nobody who grew up"]
    assert [out.index(s) for s in order] == sorted(out.index(s) for s in order)
    rules = {s.rule for s in doc.removed}
    assert {"chrome.skip-link@2", "chrome.dateline@1", "chrome.disclaimer@1", "chrome.byline@1", "chrome.related@2",
            "chrome.section-label@1", "dup.headline@1", "dup.caption@1"} <= rules
    assert_idempotent(markers, NEWS)


def test_cookie_tutorial_keeps_every_sentence_about_cookies(markers):
    out, doc = clean(markers, COOKIES)
    # the headline (a bare first line before prose) moves to the title field (issue 15)
    assert lines(out) == lines(COOKIES)[2:7] and doc.title == lines(COOKIES)[1]
    assert_idempotent(markers, COOKIES)


def test_poem_and_timetable_keep_their_repetition(markers):
    out, _ = clean(markers, POEM)
    assert lines(out) == lines(POEM)[:-1]
    assert "Steady, steady.\nSteady, steady." in out and "Sun\nClosed" in out
    assert_idempotent(markers, POEM)


def test_japanese_page_keeps_lines_without_spaces_or_ascii_punctuation(markers):
    out, doc = clean(markers, JAPANESE)
    # the headline before the first paragraph moves to the title field (issue 15)
    assert lines(out) == lines(JAPANESE)[5:11] and doc.title == lines(JAPANESE)[4]
    assert_idempotent(markers, JAPANESE)


def test_prompts_written_as_prose_and_caps_labels_go(markers):
    out, doc = clean(markers, PROMO)
    assert lines(out) == [lines(PROMO)[i] for i in (1, 2, 7)] and doc.title == lines(PROMO)[0]
    assert_idempotent(markers, PROMO)


def test_duplicates_removed_first_make_new_neighbours_that_are_settled(markers):
    para = next(ln for ln in lines(NEWS) if ln.startswith("The island ferry company"))
    other = next(ln for ln in lines(NEWS) if ln.startswith("The company will pay"))
    text = f"{para}\n{other}\nBAKING CLUB\n{para}\nVIDEOS\nToast frozen slices straight from the freezer."
    out, doc = clean(markers, text)
    assert lines(out) == [para, other, "Toast frozen slices straight from the freezer."]
    assert {s.rule for s in doc.removed} == {"dup.paragraph@1", "chrome.caps-labels@1"}
    assert_idempotent(markers, text)


PIECES = [ln for page in (NEWS, COOKIES, POEM, JAPANESE, PROMO) for ln in page.splitlines()]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=25))
def test_any_mix_of_these_lines_is_idempotent(markers, picked):
    assert_idempotent(markers, "\n".join(picked))


def test_a_run_on_a_text_file_uses_these_markers(tmp_path):
    src = tmp_path / "page.txt"
    src.write_text(NEWS, encoding="utf-8")
    options = dataclasses.replace(load_options(), workers=1, progress=False)
    result = run([str(src)], options, None)
    (text,) = result.clean_texts
    assert "Recommended Stories" not in text and text.count("Ferry Line Extends Winter Service") == 0
