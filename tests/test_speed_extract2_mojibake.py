"""The byte-level mojibake pre-check (cleaner.io.mojibake.utf8_may_hold_suspect) clears a page only when
the text search (SUSPECT) would find nothing, and a decoded page repairs to the same text with it as without."""
from hypothesis import example, given, settings, strategies as st

from cleaner.extract.page_mojibake import repair_page_mojibake
from cleaner.io.decode import DecodedPage, NotTextError, decode_html, decode_page
from cleaner.io.mojibake import _CP1252_CONTINUATIONS, SUSPECT, SUSPECT_UTF8, utf8_may_hold_suspect

# Characters at and around both ends of SUSPECT's two classes, and common neighbours.
EDGE_CHARS = ("\u00c0\u00c1\u00c2\u00c3\u00e9\u00f4\u00f5\u00ff\u007f\u0080\u00a9\u00bf\u00c0\u0151\u0152\u0162"
              + _CP1252_CONTINUATIONS + "\u2012\u2015\u2121\u2123\u20ab\u20ad\ufffd\u00e2a \n\x00\x0c")
TEXTS = st.text(alphabet=st.sampled_from(EDGE_CHARS) | st.characters(exclude_categories=("Cs",)), max_size=12)


@settings(max_examples=1500, deadline=None)
@given(TEXTS)
def test_suspect_in_utf8_bytes_is_suspect_in_text(text):
    found = SUSPECT.search(text) is not None
    assert (SUSPECT_UTF8.search(text.encode("utf-8")) is not None) == found
    if found:
        assert utf8_may_hold_suspect(text.encode("utf-8"), True)
        assert utf8_may_hold_suspect(text.encode("utf-8"), False)


def test_every_lead_and_continuation_pair():
    for lead in range(0xB0, 0x100):
        for trail in [*map(chr, range(0x70, 0xD0)), *_CP1252_CONTINUATIONS, "\u2012", "\u20ad", "\u2123"]:
            text = f"a{chr(lead)}{trail}b"
            assert (SUSPECT_UTF8.search(text.encode("utf-8")) is not None) == (SUSPECT.search(text) is not None), text


PIECES = st.sampled_from([b"<p>text</p>", b"caf\xc3\xa9", b"\xc3\xa2\xe2\x82\xac\xe2\x84\xa2", b"\xc3\xa2\xc2\x80\xc2\x99",
                          b"\xc3\xa9", b"\xc3\x83", b"\xc3", b"\xc2\xa9", b"\xe2\x80\x99", b"\x00", b"\x08", b"\x0c",
                          b"\x1b", b"\x7f", b"\xff", b"\xe9", b"\xef\xbf\xbd", b"\xef\xbb\xbf",
                          b'<?xml version="1.0" encoding="utf-8"?>', b'<meta charset="latin-1">', b"x" * 20])


def _repaired(data, charset, with_facts):
    try:
        page = decode_page(data, charset)
    except NotTextError as e:
        return ("NotTextError", str(e))
    return repair_page_mojibake(page.text, page if with_facts else None)


@settings(max_examples=1500, deadline=None)
@given(st.lists(PIECES, max_size=8).map(b"".join), st.sampled_from([None, "utf-8", "iso-8859-1"]))
@example(b"<p>\xc3\x83\x08\xc2\xa9</p>", None)   # a removed control character brings the pair together
@example(b"<p>\xc3\x83\xff\xc2\xa9</p>", "utf-8")   # so does nothing here: U+FFFD stays between them
def test_decoded_page_repairs_as_its_text_alone(data, charset):
    assert _repaired(data, charset, True) == _repaired(data, charset, False)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=8).map(b"".join), st.sampled_from([None, "utf-8", "iso-8859-1"]))
def test_decode_page_gives_decode_html(data, charset):
    try:
        page = decode_page(data, charset)
    except NotTextError as e:
        try:
            decode_html(data, charset)
        except NotTextError as e2:
            assert str(e2) == str(e)
            return
        raise AssertionError("decode_html did not raise")
    assert (page.text, page.encoding) == decode_html(data, charset)
    assert (page.utf8_source is not None) == (page.encoding == "utf-8")
    if page.utf8_slice:
        assert page.text in data.decode("utf-8")


def test_a_clean_utf8_page_is_cleared_by_its_bytes():
    page = decode_page("<p>caf\u00e9 d\u00e9j\u00e0 \u2019</p>".encode("utf-8"))
    assert page.utf8_slice and not utf8_may_hold_suspect(page.utf8_source, True)
    assert repair_page_mojibake(page.text, page) is page.text
    broken = decode_page("<p>we\u00e2\u20ac\u2122ll</p>".encode("utf-8"))
    assert repair_page_mojibake(broken.text, broken) == "<p>we\u2019ll</p>"
    assert isinstance(broken, DecodedPage)


def _old_decode(data, http_charset):
    """cleaner.io.decode._decode as it was: the U+FFFD share counted on every page declared UTF-8."""
    from cleaner.io import decode as D
    enc = D.declared_charset(data, http_charset)
    if enc:
        text = data.decode(enc, "replace")
        if text.startswith("\ufeff"):
            text = text[1:]
        if enc != "utf-8" or text.count("\ufffd") <= D.MAX_UTF8_REPLACEMENT_SHARE * len(text):
            return text, enc
    return D._undeclared(data)   # unchanged: only the check above was made faster


@settings(max_examples=500, deadline=None)
@given(st.lists(PIECES | st.sampled_from([b"\xef\xbf\xbd", b"\xff", b"a" * 997, b"a" * 998]), max_size=10).map(b"".join),
       st.sampled_from([None, "utf-8", "iso-8859-1"]))
@example(b"\xff" + b"a" * 999, "utf-8")   # one byte replaced in 1000 characters: at the share, still believed
@example(b"\xff" + b"a" * 998, "utf-8")   # just over it: guessed
def test_decode_counts_replacements_as_before(data, charset):
    from cleaner.io.decode import _decode
    assert _decode(data, charset) == _old_decode(data, charset)
