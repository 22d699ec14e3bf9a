"""Double-encoded text repaired in a decoded page, before parsing: "weâ\\x80\\x99ll" -> "we’ll".

A page written in UTF-8, read as Windows-1252 and saved as UTF-8 again carries each
curly quote as three characters, the last two of them C1 control characters
("â", U+0080, U+0099). Extraction loses the controls (trafilatura drops them), which
leaves a bare "â" that no later repair can undo ("weâll"), and splits "we'll" into other
words. So the repair (:func:`cleaner.io.mojibake.repair_mojibake`, ftfy's encoding fix)
runs on the decoded page, once, before parsing.

Only the runs of non-ASCII characters that hold a likely mojibake pair
(:data:`cleaner.io.mojibake.SUSPECT`) go through ftfy: markup and ASCII text are never
touched, and a clean page costs one regular-expression scan (on the 692 evaluation pages
the same output as ftfy on the whole page, a quarter of its time).
"""
from __future__ import annotations

import re

from ..io.decode import DecodedPage
from ..io.mojibake import SUSPECT, repair_mojibake, utf8_may_hold_suspect

_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def repair_page_mojibake(html: str, decoded: DecodedPage | None = None) -> str:
    """``html`` with its double-encoded runs decoded once more; the same object when none is found.

    ``decoded``: what :func:`cleaner.io.decode.decode_page` gave with ``html`` as its text, when
    ``html`` came so; a page read from UTF-8 bytes is then cleared by a search of its bytes
    (:func:`cleaner.io.mojibake.utf8_may_hold_suspect`) instead of its text.
    """
    if html.isascii():   # a flag of the string, no scan
        return html
    if decoded is not None and decoded.utf8_source is not None \
            and not utf8_may_hold_suspect(decoded.utf8_source, decoded.utf8_slice):
        return html
    if SUSPECT.search(html) is None:
        return html
    return _NON_ASCII_RUN.sub(_repair_run, html)


def _repair_run(m: re.Match) -> str:
    run = m.group()
    return (repair_mojibake(run) or run) if SUSPECT.search(run) else run
