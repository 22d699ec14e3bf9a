"""Menus printed one item a line, forum furniture and reply headings: both sides of each kind.

Every input here is invented. Chrome must go; timetables, lists the text holds, poems,
headings, refrains and signatures' first copies must stay. The markers run in the
pipeline's order (chrome rules, page title, in-page duplicates, settle).
"""
from __future__ import annotations

import pytest

from cleaner.config import Options
from cleaner.document import Document, apply_spans
from cleaner.pipeline import build_markers
from cleaner.rules import text_shape
from cleaner.rules.engine import MIN_MENU_KEPT

BODY = ("The harbour board agreed on Monday to rebuild the north pier before winter, after divers found "
        "that two of its oak piles had rotted through at the waterline.")
BODY2 = ("Work will start in September and the pier stays open to walkers on weekdays, the board said, "
         "while the fishing boats move to the south quay for six weeks.")


@pytest.fixture(scope="module")
def markers():
    return build_markers(Options())


def clean(markers, text: str, title: str | None = None) -> str:
    doc = Document("t", None, text, title)
    for m in markers:
        doc.removed.extend(m.mark(doc))
    return apply_spans(text, doc.removed)


def lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip()]


# ------------------------------------------------------------------ menus: what goes


@pytest.mark.parametrize("menu", [
    ["Home", "News", "Sport", "Weather", "Contact"],
    ["Startseite", "Region", "Politik", "Kultur", "Anmelden"],
    ["Menu", "Accueil", "Potager", "À propos", "Rechercher"],
    ["首页", "新闻", "本地", "体育", "视频"],
])
def test_menu_at_the_top_of_a_page_goes(markers, menu):
    out = clean(markers, "\n".join(menu) + f"\n\nA harbour story\n\n{BODY}\n\n{BODY2}\n")
    assert lines(out) == ["A harbour story", BODY, BODY2]


def test_menu_at_the_foot_of_a_page_goes(markers):
    out = clean(markers, f"{BODY}\n\n{BODY2}\n\nAbout us\nTerms of use\nPrivacy notice\nHelp centre\n")
    assert lines(out) == [BODY, BODY2]


def test_menu_without_blank_lines_around_it_goes_but_the_headline_after_it_stays(markers):
    # Extracted HTML has no blank lines: the headline is long, so it ends the run.
    text = f"News\nSport\nBusiness\nOpinion\nWeather\nNorth pier to be rebuilt before the winter storms\n{BODY}\n{BODY2}"
    # as the page's title field holds the headline, the text does not repeat it
    title = "North pier to be rebuilt before the winter storms"
    assert lines(clean(markers, text, title)) == [BODY, BODY2]
    # without a title field (text input) the headline moves there, and nothing else goes (issue 15)
    doc = Document("t", None, text)
    for m in markers:
        m(doc)
    assert lines(apply_spans(text, doc.removed)) == [BODY, BODY2] and doc.title == title


def test_share_bar_printed_one_network_a_line_goes_in_the_middle_of_a_page(markers):
    text = f"{BODY}\n\nShare this article\nFacebook\nWhatsApp\nE-Mail\n\n{BODY2}"
    assert lines(clean(markers, text)) == [BODY, BODY2]


@pytest.mark.parametrize("n", [4, 3])
def test_menu_needs_min_run_lines(markers, n):
    items = ["Home", "Archive", "Events", "Contact"][:n]
    out = lines(clean(markers, "\n".join(items) + f"\n\n{BODY}"))
    assert (out == [BODY]) == (n >= 4 and n >= MIN_MENU_KEPT)


def test_a_blank_line_splits_a_menu_run(markers):
    text = f"Home\nArchive\n\nEvents\nContact\n\n{BODY}\n\n{BODY2}"
    assert lines(clean(markers, text)) == ["Home", "Archive", "Events", "Contact", BODY, BODY2]


# ------------------------------------------------------------------ menus: what stays


#: Texts with short lines that are content, not a menu: each must come out whole.
SHORT_LINED_CONTENT = [
    pytest.param(f"Opening hours\nMon\n9-17\nTue\nClosed\nWed\n9-17\n\n{BODY}", id="timetable-at-the-top"),
    pytest.param(f"{BODY}\n\nMonday\nClosed\nTuesday\nClosed\nWednesday\nOpen late", id="timetable-without-digits-at-the-foot"),
    pytest.param(f"{BODY}\n\nOak\nLarch\nChestnut\nElm\n\n{BODY2}", id="short-list-inside-the-article"),
    pytest.param(f"{BODY}\n\nThe divers named four woods the board could use instead:\nOak\nLarch\nChestnut\nElm", id="list-introduced-with-a-colon-at-the-foot"),
    pytest.param(f"{BODY}\n\n- Oak\n- Larch\n- Chestnut\n- Elm", id="bulleted-list-at-the-foot"),
    pytest.param("Salt Wind\n\nGrey gulls\nOver the pier\nLow tide\nOld rope\nSalt wind\nHome again", id="a-page-that-is-only-a-short-lined-poem"),
    pytest.param((f"{BODY}\n\nGrey gulls over the pier at dawn,\nthe old rope creaking in the wind,\n"
                  "low tide and the boats lie down,\nsalt wind, and we are home again."), id="a-poem-after-the-prose"),
    pytest.param(f"Introduction\nBackground\n{BODY}\n\nMethods\n{BODY2}", id="headings"),
]


@pytest.mark.parametrize("text", SHORT_LINED_CONTENT)
def test_short_lined_content_stays(markers, text):
    assert lines(clean(markers, text)) == lines(text)


@pytest.mark.parametrize("line, item", [
    ("Terms and rules", True), ("APIリファレンス", True), ("What's new", True),
    ("Mon 9-17", False), ("- Oak", False), ("The end.", False), ("Opening hours:", False),
    ("Snails multiplying after adding new plants", False),
])
def test_menu_item_shape(line, item):
    assert text_shape.is_menu_item(line) is item


# ------------------------------------------------------------------ forums

POST_A = ("My new pond pump hums loudly at night since I moved it to the deeper end, and I wonder whether "
          "the intake is clogged or the pump is simply failing.")
POST_B = ("Pumps hum like that when the impeller has sand in it; take the cover off, rinse the impeller under "
          "the tap and put it back before you buy a new one.")
POST_C = "That was it, a whole spoon of sand came out and now it is silent again, thank you."


def forum_page(title_line: str = "Pond pump hums loudly at night") -> str:
    return (f"{title_line}\n\n"
            "lily_pad\nNew Member\nJoined: Apr 3, 2023\nPosts: 12\nMay 1, 2024 #1\n"
            f"{POST_A}\nReply\nQuote\nReport\nTwo ponds, one cat, no fish left.\n\n"
            "reed_warbler\nWell-known Member\nJoined: Jun 9, 2015\nPosts: 3,204\nMay 1, 2024 #2\n"
            f"Re: {title_line}\n{POST_B}\nReply\nQuote\nReport\n\n"
            "lily_pad\nNew Member\nJoined: Apr 3, 2023\nPosts: 12\nMay 2, 2024 #3\n"
            f"RE : {title_line}\n{POST_C}\nLast edited: May 2, 2024\nReply\nQuote\nReport\n"
            "Two ponds, one cat, no fish left.\n\n"
            "You must log in or register to reply here.\n\nSimilar threads\nBlanket weed in a small pond\n"
            "Which liner lasts longest?\n")


def test_forum_furniture_goes_and_every_post_stays(markers):
    # the thread title moves to the title field (its reply-heading copies are the evidence) and
    # the signature repeated under lily_pad's posts goes, its first copy too (issue 15)
    doc = Document("t", None, forum_page())
    for m in markers:
        m(doc)
    assert lines(apply_spans(doc.text, doc.removed)) == [POST_A, POST_B, POST_C]
    assert doc.title == "Pond pump hums loudly at night"


def test_reply_prefix_does_not_hide_the_title_field(markers):
    text = f"AW: Pond pump hums loudly at night\n{POST_A}\nAW: Pond pump hums loudly at night\n{POST_B}"
    assert lines(clean(markers, text, title="Pond pump hums loudly at night")) == [POST_A, POST_B]


def test_a_line_that_only_starts_with_re_is_content(markers):
    text = f"{POST_A}\nRe: the pump, I bought it in 2019.\n{POST_B}"
    assert lines(clean(markers, text, "Pond pump hums loudly at night")) == lines(text)


def test_a_repeated_sentence_away_from_chrome_is_a_refrain(markers):
    refrain = "Two ponds, one cat, no fish left."
    text = f"{POST_A}\n{refrain}\n{POST_B}\n{refrain}\n{POST_C}"
    assert lines(clean(markers, text)) == lines(text)


def test_forum_profile_needs_an_anchor_line(markers):
    # user-name-like and rank-like lines without any Joined/Posts line are not a profile block
    text = f"{BODY}\n\nmoderator_notes\nMember\n\n{BODY2}"
    assert lines(clean(markers, text)) == lines(text)


def test_cleaning_the_cleaned_forum_again_changes_nothing(markers):
    once = clean(markers, forum_page())
    assert clean(markers, once) == once


@pytest.mark.parametrize("question, teaser", [
    ("Which liner lasts longest?", True),
    (text_shape.MAX_TEASER_QUESTION_WORDS * "word " + "why?", False),
    ("Was it the pump? Or the pipe?", False),
])
def test_a_short_question_is_a_headline_in_a_related_list(markers, question, teaser):
    text = f"{BODY}\n\nRelated stories\nBlanket weed in a small pond\n{question}\n\n{BODY2}"
    out = lines(clean(markers, text))
    assert out == ([BODY, BODY2] if teaser else [BODY, question, BODY2])


def test_a_list_of_short_lines_that_is_most_of_the_page_is_its_content(markers):
    categories = ["Watercolour Paint", "Acrylic Paint", "Oil Paint", "Brushes", "Canvas Boards", "Easels",
                  "Colour Pencils", "Markers", "Sketch Books", "Printmaking", "Clay Tools", "Frames"]
    text = "\n".join(categories) + "\nDeep discounts on every brand while stocks last!"
    assert lines(clean(markers, text)) == lines(text)
