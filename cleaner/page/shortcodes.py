"""Unrendered shortcodes and encoded data: the page builder's markup printed as text.

A WordPress page whose theme or plugin is missing prints its shortcodes instead of running
them: ``[vc_row full_width="stretch_row"][vc_column width="1/2"]Text[/vc_column]``. The
tags carry dozens of attribute words per paragraph and nothing a reader sees. This marker
marks each tag (not the text between tags) with ``chrome.shortcode@1``; the text stays.

A tag is marked when it has the shortcode shape (``[name attr="value" ...]``, ``[/name]``)
and either belongs to a page-builder family (:data:`FAMILIES`: ``vc_``, ``et_pb_``,
``fusion_`` ...), or is a core WordPress shortcode (:data:`CORE`) or a snake_case name
(``split_line_heading``) written with at least one attribute or as a closing tag. Bracketed text such as ``[1]``, ``[Video]``, ``[sic]``
or a Markdown link ``[text](url)`` has no such shape and stays.

Such pages also print a widget's configuration as a base64 or percent-encoded blob of
hundreds of characters without a blank (``JTVCc2VhcmNod3Bf...``): marked too
(``chrome.encoded-blob@1``).
"""
from __future__ import annotations

from typing import Iterable

import re

from ..document import Document, Span
from ..steps import Marker

RULE = "chrome.shortcode@1"
BLOB_RULE = "chrome.encoded-blob@1"
#: Shown by ``cleaner explain`` beside the rules.
RULE_DESCRIPTIONS = {RULE: "an unrendered WordPress / page-builder shortcode tag printed as text ([vc_row ...], [/button])",
                     BLOB_RULE: "a run of base64 or percent-encoded data printed as text (an encoded widget configuration)"}
#: A run of base64 / percent-encoding characters without a blank at least this long is data, not text (characters).
MIN_BLOB_CHARS = 200
#: ... and it must mix letters and digits like encoded data does (share of digits, 0-1).
MIN_BLOB_DIGIT_SHARE = 0.05
#: Name prefixes of page-builder shortcodes (WPBakery, Divi, Avada, Enfold, Shortcodes Ultimate, ...).
FAMILIES = ("vc_", "et_pb_", "fusion_", "av_", "su_", "mk_", "cs_", "ux_", "tdc_", "td_", "kc_", "tm_", "rev_slider",
            "nectar_", "x_", "themify_", "tatsu_", "wpb_")
#: Core and common plugin shortcodes, marked with an attribute or as a closing tag.
CORE = ("button", "caption", "gallery", "embed", "audio", "video", "playlist", "contact-form-7", "gravityform",
        "ninja_form", "wpforms", "column", "row", "section", "tab", "tabs", "toggle", "accordion", "divider",
        "spacer", "icon", "box", "note", "quote", "highlight", "dropcap", "one_half", "one_third", "two_third",
        "one_fourth", "three_fourth", "one_half_last", "one_third_last")
_ATTR = r"""[A-Za-z_][\w-]*\s*=\s*(?:"[^"\]]{0,400}"|'[^'\]]{0,400}'|[“”″][^\]“”″]{0,400}[“”″]|[^\s\]"'\n]+)"""
_TAG = re.compile(r"\[(/)?([a-z][a-z0-9_-]{1,40})((?:\s+" + _ATTR + r")*)\s*/?\]")


_BLOB = re.compile(r"[A-Za-z0-9+/%=_-]{" + str(MIN_BLOB_CHARS) + ",}")


#: Cheap first test: some token of MIN_BLOB_CHARS characters without a blank at all.
_LONG_TOKEN = re.compile(r"\S{" + str(MIN_BLOB_CHARS) + ",}")
#: Width of the aligned windows :func:`has_long_token` looks into: a run of MIN_BLOB_CHARS
#: characters covers at least one whole window (``2 * width - 1 <= MIN_BLOB_CHARS``).
_WINDOW = (MIN_BLOB_CHARS + 1) // 2


def has_long_token(text: str) -> bool:
    """True when ``text`` holds :data:`MIN_BLOB_CHARS` characters in a row without white space.

    Such a run covers a whole window ``text[k:k + _WINDOW]`` (``k`` a multiple of the width)
    with no blank and no line break in it; prose has a blank in every window, so the pattern,
    which starts a scan at every character, runs only on text that has such a window.
    """
    w = _WINDOW
    if all(" " in part or "\n" in part for part in (text[k:k + w] for k in range(0, len(text) - w + 1, w))):
        return False
    return _LONG_TOKEN.search(text) is not None


def blob_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every run of at least :data:`MIN_BLOB_CHARS` base64 / percent-encoding
    characters with at least :data:`MIN_BLOB_DIGIT_SHARE` digits (a URL has slashes and dots
    between words, so it breaks into shorter runs; a long word has no digits)."""
    out = []
    for m in _BLOB.finditer(text):
        run = m.group()
        if sum(c.isdigit() for c in run) >= MIN_BLOB_DIGIT_SHARE * len(run) and any(c.isupper() for c in run):
            out.append((m.start(), m.end()))
    return out


def shortcode_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every shortcode tag in ``text`` (see the module docstring), in order."""
    if "[" not in text:
        return []
    out = []
    for m in _TAG.finditer(text):
        closing, name, attrs = m.group(1), m.group(2), m.group(3)
        if name.startswith(FAMILIES) or ((name in CORE or "_" in name) and (closing or attrs.strip())):
            out.append((m.start(), m.end()))
    return out


class Shortcodes(Marker):
    """Mark unrendered shortcode tags (:func:`shortcode_spans`, ``chrome.shortcode@1``) and runs
    of encoded data (:func:`blob_spans`, ``chrome.encoded-blob@1``); the text between them stays."""

    name = "chrome.shortcode"

    def mark(self, doc: Document) -> Iterable[Span]:
        out = [Span(a, b, RULE, "shortcode tag printed as text") for a, b in shortcode_spans(doc.text)]
        if has_long_token(doc.text):
            out += [Span(a, b, BLOB_RULE, f"{b - a} characters of encoded data") for a, b in blob_spans(doc.text)]
        return out
