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

#: A UTF-8 lead byte (0xC2-0xF4) shown as a Windows-1252/Latin-1 character, followed by a
#: continuation byte (0x80-0xBF) shown the same way: the trace of double encoding.
SUSPECT = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]")


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
