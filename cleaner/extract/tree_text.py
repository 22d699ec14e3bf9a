"""Plain text of an lxml tree, one block element a line, optionally skipping some subtrees.

Used for ``--no-extract`` and to know which lines of a page come only from its chrome.
"""
from __future__ import annotations

import functools
import re
from typing import Collection

import lxml.etree
import lxml.html

from ..rules.pattern_cache import compile_pattern

#: Elements that start and end a line of text (HTML block-level and table elements).
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "td",
    "th", "tr", "ul",
})

_WORD = compile_pattern(r"\w+", 0)
# What ``_WORD`` finds in lower-cased ASCII text: ``regex``'s ``\w`` holds no other ASCII character.
_ASCII_WORD = re.compile(r"[a-z0-9_]+")


def render_lines(root: lxml.html.HtmlElement, skip: Collection[lxml.html.HtmlElement] = ()) -> list[str]:
    """The text of ``root`` as lines (white space folded, blank lines dropped), subtrees in ``skip`` left out.

    A skipped element's tail (the text after it) is kept. Iterative, so deep trees are fine.
    """
    parts: list[str] = []
    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag in BLOCK_TAGS
        if event == "start":
            if block:
                parts.append("\n")
            if el in skip:
                walker.skip_subtree()
                continue
            if el.text and tag:
                parts.append(el.text)
        else:
            if block:
                parts.append("\n")
            if el.tail and el is not root:
                parts.append(el.tail)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return [line for line in lines if line]


@functools.lru_cache(maxsize=4096)
def line_key(line: str) -> str:
    """A line reduced to its lower-cased words, for matching lines rendered in different ways.

    Memoised for the last 4,096 lines (a page's worth; a few MB at most): extraction keys the
    same lines in several places (restored lists, link lines, form prompts, left-out blocks):
    180,000 calls on the 692 evaluation pages, 107,000 of them repeats.
    """
    if line.isascii():   # most lines; the standard library's ``re`` finds ASCII words faster
        return " ".join(_ASCII_WORD.findall(line.lower()))
    return " ".join(_WORD.findall(line.lower()))


def render_blocks(root: lxml.html.HtmlElement, skip: Collection[lxml.html.HtmlElement] = ()) -> list[tuple[str, int]]:
    """Like :func:`render_lines`, with each line's count of characters inside links: ``[(line, link_chars)]``.

    A text node that is a single line break (``"\n"``, common between tags of the source)
    ends a line too, as a block element does.
    """
    out: list[tuple[str, int]] = []
    line: list[str] = []   # the text pieces of the current line
    linked = 0             # characters of those pieces inside a link, each piece white space folded
    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    depth_a = 0
    for event, el in walker:
        tag = el.tag
        if not isinstance(tag, str):
            tag = ""
        if event == "start":
            if tag in BLOCK_TAGS and line:
                if s := " ".join("".join(line).split()):
                    out.append((s, min(len(s), linked)))
                line, linked = [], 0
            if el in skip:
                walker.skip_subtree()
                continue
            if tag == "a":
                depth_a += 1
            text = el.text
            if not text or not tag:
                continue
        else:
            if tag == "a" and el not in skip:
                depth_a -= 1
            if tag in BLOCK_TAGS and line:
                if s := " ".join("".join(line).split()):
                    out.append((s, min(len(s), linked)))
                line, linked = [], 0
            text = el.tail
            if not text or el is root:
                continue
        if text == "\n":
            if line:
                if s := " ".join("".join(line).split()):
                    out.append((s, min(len(s), linked)))
                line, linked = [], 0
        else:
            line.append(text)
            if depth_a:
                linked += len(" ".join(text.split()))
    if line and (s := " ".join("".join(line).split())):
        out.append((s, min(len(s), linked)))
    return out
