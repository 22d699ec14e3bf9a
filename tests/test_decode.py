"""Decoding page bytes: declared charset first, control characters out, UTF-16 intact."""
import codecs

from cleaner.io.decode import MAX_UTF8_REPLACEMENT_SHARE, decode_html, decode_text, strip_control_chars

FRENCH = "Le marché du quartier rouvre après rénovation : les maraîchers reviennent dès l'aube."


def _page(body: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{body}</p></body></html>"


def test_latin1_bytes_with_meta_charset_decode_without_replacement_or_mojibake():
    data = _page(FRENCH, '<meta charset="iso-8859-1">').encode("latin-1")
    text, enc = decode_html(data)
    assert FRENCH in text
    assert "\ufffd" not in text and "Ã" not in text
    assert enc == "cp1252"  # WHATWG: the iso-8859-1 label means windows-1252


def test_http_charset_wins_over_meta():
    data = _page(FRENCH, '<meta charset="utf-8">').encode("latin-1")
    text, _ = decode_html(data, http_charset="ISO-8859-1")
    assert FRENCH in text


def test_utf16_with_bom_is_not_broken_by_nul_removal():
    data = codecs.BOM_UTF16_LE + _page(FRENCH).encode("utf-16-le")
    text, enc = decode_html(data)
    assert enc == "utf-16-le" and FRENCH in text


def test_nul_and_backspace_are_removed_but_text_after_them_stays():
    data = _page("first part\x00 and\x08 after the NUL").encode("utf-8")
    text, _ = decode_html(data)
    assert "\x00" not in text and "\x08" not in text
    assert "after the NUL" in text


def test_form_feed_becomes_a_line_break_and_tabs_stay():
    assert strip_control_chars("a\x0cb\tc\x1fd") == "a\nb\tcd"


def test_declared_utf8_with_a_few_stray_bytes_stays_utf8():
    good = ("é" * 3000).encode("utf-8")
    n_bad = int(MAX_UTF8_REPLACEMENT_SHARE * 3000)  # at the share: still believed
    data = b'<meta charset="utf-8">' + good + b"\xff" * n_bad
    text, enc = decode_html(data)
    assert enc == "utf-8" and text.count("é") == 3000


def test_declared_utf8_that_is_really_latin1_is_guessed():
    data = ('<meta charset="utf-8"><p>' + FRENCH * 20 + "</p>").encode("latin-1")
    text, enc = decode_html(data)
    assert enc != "utf-8"
    assert "\ufffd" not in text and "marché" in text


def test_plain_text_files_lose_nul_but_keep_other_control_characters():
    assert decode_text("line one\x00\nline \x1btwo".encode()) == "line one\nline \x1btwo"


def test_utf16_plain_text_with_bom_decodes():
    assert decode_text(codecs.BOM_UTF16_LE + "Zeile eins\nZeile zwei".encode("utf-16-le")) == "Zeile eins\nZeile zwei"
