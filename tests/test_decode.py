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


# --------------------------------------------------------------------------- binary data is not a page

import random  # noqa: E402

import pytest  # noqa: E402

from cleaner.io.decode import MAX_CONTROL_SHARE, MIN_CONTROL_CHARS, NotTextError, not_text_reason  # noqa: E402


def _noise(n: int, seed: int = 5) -> bytes:
    rng = random.Random(seed)
    return bytes(rng.getrandbits(8) for _ in range(n))


@pytest.mark.parametrize("decode", [decode_html, decode_text])
@pytest.mark.parametrize("data", [
    _noise(5000),
    b"\x7fELF\x02\x01\x01\x00" + bytes(8) + _noise(3000, 6),               # a program's header
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _noise(2000, 7),               # an image
    b"%PDF-1.7\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 20,          # mostly ASCII, still not a page
], ids=["random", "elf", "png", "pdf"])
def test_binary_data_is_not_text(decode, data):
    with pytest.raises(NotTextError) as e:
        decode(data)
    assert e.value.kind == "not-text" and "binary data" in str(e.value) and "not a text or HTML page" in str(e.value)


@pytest.mark.parametrize("data", [
    _page("A ferry timetable with one stray\x00 NUL byte in the middle of the prose.").encode("utf-8"),
    _page("Run it and the terminal prints \x1b[1mbold\x1b[0m text, as the manual says. " * 3).encode("utf-8"),
    codecs.BOM_UTF16_LE + _page(FRENCH * 3).encode("utf-16-le"),
    codecs.BOM_UTF16_BE + _page(FRENCH * 3).encode("utf-16-be"),
    _page(FRENCH * 3, '<meta charset="iso-8859-1">').encode("latin-1"),
    (FRENCH * 3).encode("latin-1"),                                         # undeclared, guessed
], ids=["one-nul", "ansi-escape", "utf16-le-bom", "utf16-be-bom", "latin1-declared", "latin1-guessed"])
def test_text_with_a_few_control_characters_or_zero_bytes_of_utf16_stays_text(data):
    text, _ = decode_html(data)
    assert "ferry" in text or "Run it" in text or "marché" in text
    assert decode_text(data)


def test_the_control_share_threshold_needs_both_share_and_count():
    few = "x" * 10 + "\x01" * (MIN_CONTROL_CHARS - 1)                     # a high share, too few to tell
    assert not_text_reason(few) is None
    n = 1000
    at_share = "x" * (n - int(n * MAX_CONTROL_SHARE)) + "\x02" * int(n * MAX_CONTROL_SHARE)
    assert not_text_reason(at_share) is None
    over = at_share + "\x02" * 5
    assert "control characters" in not_text_reason(over)
    assert not_text_reason("tabs\tand\r\nform\x0cfeeds" * 50) is None


# --- the fast path of decode_html (UTF-8 bytes without control bytes) decides like the full checks ---
from hypothesis import given, settings, strategies as st  # noqa: E402

from cleaner.io.decode import _decode, check_text  # noqa: E402

BYTE_PIECES = st.sampled_from([b"<p>text</p>", b"caf\xc3\xa9", b"\xe2\x80\x99", b"\x00", b"\x08", b"\x0b", b"\x0c",
                               b"\x1b", b"\x7f", b"\t\r\n", b"\xc3", b"\xc0\x80", b"\xed\xa0\x80", b"\xef\xbf\xbd",
                               b"\xef\xbf\xbe", b"\xef\xbf\xbf", b"\xff", b"\xe9", b'<meta charset="utf-8">',
                               b'<meta charset="latin-1">', b'<?xml version="1.0" encoding="utf-8"?>', b"%PDF-",
                               b"MZ", b"\xef\xbb\xbf", b"x" * 40])


def _reference(data, charset):
    """decode_html as it was: the full count of control characters, then their removal."""
    text, enc = _decode(data, charset)
    check_text(data, text)
    return strip_control_chars(text), enc


def _outcome(fn, *args):
    try:
        return fn(*args)
    except NotTextError as e:
        return ("NotTextError", str(e))


@settings(max_examples=400, deadline=None)
@given(st.lists(BYTE_PIECES, max_size=8).map(b"".join), st.sampled_from([None, "utf-8", "iso-8859-1"]))
def test_decode_html_decides_like_the_full_checks(data, charset):
    assert _outcome(decode_html, data, charset) == _outcome(_reference, data, charset)


def test_an_ascii_page_is_its_own_mojibake_repair():
    from cleaner.extract.page_mojibake import repair_page_mojibake
    page = "<p>caf&eacute; A\u0303\u00a9</p>".encode("ascii", "ignore").decode()
    assert repair_page_mojibake(page) is page
    assert repair_page_mojibake("caf\u00c3\u00a9") == "caf\u00e9"


def test_undeclared_latin1_text_is_read_as_windows_1252_when_the_guesses_tie():
    """Short French text in Latin-1 decodes equally well as cp1250, cp1252, cp1257...: the tie
    goes to windows-1252 (the WHATWG default), not to a Central European code page."""
    for body in ("The café served crème brûlée to every crew after the regatta.", FRENCH,
                 "Un naïf goûta la crêpe au marché, près du phare."):
        text, enc = decode_html(_page(body).encode("latin-1"))
        assert enc == "cp1252" and body in text


def test_undeclared_central_european_text_keeps_its_clear_guess():
    """A clear guess is kept: Polish in cp1250 is not forced to windows-1252."""
    body = ("Zażółć gęślą jaźń. Łódź i Kraków leżą nad rzekami; mieszkańcy śpiewają pieśni "
            "o źródłach, łąkach i żółtych różach, które kwitną każdej wiosny w ogrodach.") * 3
    text, enc = decode_html(_page(body).encode("cp1250"))
    assert body in text and enc != "cp1252"
