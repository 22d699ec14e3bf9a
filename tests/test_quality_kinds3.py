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
