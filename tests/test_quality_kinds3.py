"""Issue 15, third round: kinds of leak and loss found page by page, each from both sides.

Inputs are invented here.
"""
from __future__ import annotations

from cleaner.config import Options
from cleaner.extract.main_content import extract
from cleaner.extract.page_mojibake import repair_page_mojibake

PROSE = ("The ferry crossing at night was tried for six months, and the harbour council counted "
         "the passengers on every boat before it voted again in the spring.")


def _page(body: str) -> str:
    return f"<html><head><title>Night ferry</title></head><body><article>{body}</article></body></html>"


def _double_encoded(s: str) -> str:
    """``s`` as UTF-8 bytes read as Latin-1 and kept as text (C1 controls included)."""
    return s.encode("utf-8").decode("latin-1")


def test_double_encoded_page_is_repaired_before_extraction():
    # "we’ll" double-encoded carries C1 controls (U+0080, U+0099) that extraction would drop
    bad = _double_encoded("we’ll")
    assert "\u0080" in bad and "\u0099" in bad
    html = _page(f"<p>{PROSE} Next year {bad} see whether the café stays open.</p><p>{PROSE}</p>")
    text = extract(html, Options()).text
    assert "we’ll see" in text and "café" in text
    assert "â" not in text


def test_repair_is_off_with_the_option_and_leaves_clean_pages_alone():
    bad = _double_encoded("we’ll")
    html = _page(f"<p>{PROSE} Next year {bad} see.</p>")
    from dataclasses import replace
    assert "we’ll see" not in extract(html, replace(Options(), repair_encoding=False)).text
    clean = _page(f"<p>{PROSE} Le café–bar « Chez Zoé » reste ouvert, 5 €.</p>")
    assert repair_page_mojibake(clean) is clean or repair_page_mojibake(clean) == clean
    assert repair_page_mojibake("<p>Grüße aus Köln – 10 € für Straße</p>") == "<p>Grüße aus Köln – 10 € für Straße</p>"


# ----------------------------------------------------------------- form fields and their prompts

def _post(extra: str) -> str:
    return _page(f"<h1>Seasoning an old skillet</h1><p>{PROSE}</p><div class='tools'><ul><li>3</li><li>{extra}</li></ul></div>"
                 f"<p>{PROSE.replace('ferry', 'bus')}</p>")


def test_a_field_prompt_beside_a_text_box_goes():
    tip = ("<span class='tip'><div><span>Number of coins to give:</span><input type='text' name='n' value='1'></div>"
           "<div><span>Optional note to the author:</span><br><input type='text' name='note'></div>"
           "<div><input type='hidden' name='id' value='7'><a class='btn'>Send</a></div></span>")
    text = extract(_post(tip), Options()).text
    assert "Number of coins" not in text and "Optional note" not in text
    assert "The ferry crossing at night" in text and "The bus crossing at night" in text


def test_labels_and_quote_form_prompts_go():
    form = ("<form><p><label for='nm'>First and Last name</label><input id='nm' type='text'></p>"
            "<p><label>Moving to <select><option>Ohio</option></select></label></p>"
            "<div style='display:none'>Leave this field blank <input type='text' name='hp'></div>"
            "<button>Start your quote</button></form>")
    text = extract(_page(f"<p>{PROSE}</p>{form}<p>{PROSE.replace('ferry', 'tram')}</p>"), Options()).text
    assert "First and Last name" not in text and "Moving to" not in text and "Leave this field blank" not in text
    assert "The tram crossing at night" in text


def test_text_around_check_boxes_and_long_text_near_a_field_stays():
    tasks = ("<ul><li><input type='checkbox' checked> Write the timetable for the winter crossings</li>"
             "<li><input type='checkbox'> Ask the crew which nights they can cover</li></ul>")
    quiz = (f"<p>{PROSE} Fill in the blank before you read on, and check your answer against the "
            f"council minutes: <input type='text' name='a'></p>")
    text = extract(_page(f"<p>{PROSE}</p>{tasks}{quiz}"), Options()).text
    assert "Write the timetable for the winter crossings" in text
    assert "Ask the crew which nights they can cover" in text
    assert "check your answer against the council minutes" in text


# ----------------------------------------------------------------- an article extraction folded into one line

def test_a_glued_article_gets_its_lines_back():
    from cleaner.extract.glued import split_glued
    from cleaner.extract.main_content import parse_html

    paras = [PROSE.replace("ferry", w) for w in ("ferry", "bus", "tram", "boat", "train", "coach", "barge", "cable car")]
    html = _page("<h1>Night crossings</h1><div class='by'>By <a>Ines Varga</a></div><p>Published on 01/25/26</p>"
                 + "".join(f"<p>{p}</p>" for p in paras))
    root = parse_html(html)
    glued = " ".join(["Night crossings", "By Ines Varga", "Published on 01/25/26"] + paras)
    lines = split_glued(root, glued).split("\n")
    assert lines[:4] == ["Night crossings", "By Ines Varga", "Published on 01/25/26", paras[0]]
    assert lines[-1] == paras[-1]


def test_text_with_lines_or_from_elsewhere_stays_as_it_is():
    from cleaner.extract.glued import split_glued
    from cleaner.extract.main_content import parse_html

    paras = [PROSE.replace("ferry", w) for w in ("ferry", "bus", "tram", "boat", "train", "coach", "barge", "cable car")]
    root = parse_html(_page("".join(f"<p>{p}</p>" for p in paras[:2])))
    glued = " ".join(paras)            # most of it is not in the article: no split
    assert split_glued(root, glued) == glued
    several = "\n".join(paras)
    assert split_glued(root, several) == several
