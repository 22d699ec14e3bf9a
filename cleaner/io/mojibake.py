"""Repair of double-encoded text ("mojibake"): "cafÃ©" -> "café", "donâ€™t" -> "don’t".

A page written in UTF-8, read as Latin-1 or Windows-1252 and encoded to UTF-8 again shows
each non-ASCII character as two or three Latin-1 ones. ftfy (rspeer/python-ftfy) finds
and undoes such sequences; only its encoding repair is used (``ftfy.fix_encoding``):
quotes, widths, ligatures and HTML entities stay as the page has them.

ftfy runs only on text holding a likely mojibake pair (:data:`SUSPECT`: a UTF-8 lead byte
as Windows-1252 shows it, followed by a continuation byte as Windows-1252 shows it), so
clean text, French and German included, costs one regular-expression scan.
"""
from __future__ import annotations

import re

#: The characters other than U+0080-U+00BF that Windows-1252 shows for a UTF-8 continuation byte (0x80-0xBF).
_CP1252_CONTINUATIONS = ("\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                         "\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122")

#: A UTF-8 lead byte (0xC2-0xF4) shown as a Windows-1252/Latin-1 character, followed by a
#: continuation byte (0x80-0xBF) shown the same way: the trace of double encoding.
SUSPECT = re.compile("[\u00c2-\u00f4][\u0080-\u00bf" + _CP1252_CONTINUATIONS + "]")

#: :data:`SUSPECT` in the UTF-8 bytes of a text: U+00C2-U+00F4 are 0xC3 0x82-0xB4, then the UTF-8
#: form of one continuation character (U+0080-U+00BF are 0xC2 0x80-0xBF). A search of page bytes
#: finds the rare pair several times faster than a search of the decoded text (mostly ASCII,
#: often stored with two bytes a character once one is not Latin-1).
SUSPECT_UTF8 = re.compile(rb"\xc3[\x82-\xb4](?:\xc2[\x80-\xbf]|"
                          + b"|".join(re.escape(c.encode("utf-8")) for c in _CP1252_CONTINUATIONS) + rb")")


def utf8_may_hold_suspect(data: bytes, text_is_slice: bool) -> bool:
    """False only when a text decoded from ``data`` as UTF-8 surely holds no :data:`SUSPECT` pair.

    ``text_is_slice``: the text is one contiguous piece of ``data`` decoded strictly (nothing
    replaced, nothing removed inside it); then a pair in the text is a :data:`SUSPECT_UTF8`
    match in ``data``. Otherwise (bytes replaced by U+FFFD, control characters removed, which
    can bring two characters together) only the first character is sure to leave a trace: every
    U+00C2-U+00F4 in the text comes from a 0xC3 byte.
    """
    if b"\xc3" not in data:
        return False
    return not text_is_slice or SUSPECT_UTF8.search(data) is not None


def repair_mojibake(text: str | None) -> str | None:
    """``text`` with double-encoded sequences decoded once more; unchanged when none is found.

    ``None`` gives ``None``. Never raises for any ``str``: when ftfy cannot tell, the text
    is returned as it came.
    """
    if not text or SUSPECT.search(text) is None:
        return text
    import ftfy

    try:
        fixed = ftfy.fix_encoding(text)
    except Exception:  # noqa: BLE001 - a repair that fails leaves the text as it was
        return text
    return fixed
