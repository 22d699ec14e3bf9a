"""Plain text of an lxml tree, one block element a line, optionally skipping some subtrees.

Used for ``--no-extract`` and to know which lines of a page come only from its chrome.
"""
from __future__ import annotations

import functools
from typing import Collection

import lxml.etree
import lxml.html
import regex

#: Elements that start and end a line of text (HTML block-level and table elements).
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
    "header", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "td",
    "th", "tr", "ul",
})

_WORD = regex.compile(r"\w+")


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
    return " ".join(_WORD.findall(line.lower()))


def render_blocks(root: lxml.html.HtmlElement, skip: Collection[lxml.html.HtmlElement] = ()) -> list[tuple[str, int]]:
    """Like :func:`render_lines`, with each line's count of characters inside links: ``[(line, link_chars)]``."""
    parts: list[tuple[str, bool]] = []
    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    depth_a = 0
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag in BLOCK_TAGS
        if event == "start":
            if block:
                parts.append(("\n", False))
            if el in skip:
                walker.skip_subtree()
                continue
            if tag == "a":
                depth_a += 1
            if el.text and tag:
                parts.append((el.text, depth_a > 0))
        else:
            if tag == "a" and el not in skip:
                depth_a -= 1
            if block:
                parts.append(("\n", False))
            if el.tail and el is not root:
                parts.append((el.tail, depth_a > 0))
    out: list[tuple[str, int]] = []
    line: list[str] = []
    linked = 0
    for text, in_link in parts + [("\n", False)]:
        if text == "\n":
            s = " ".join("".join(line).split())
            if s:
                out.append((s, min(len(s), linked)))
            line, linked = [], 0
        else:
            line.append(text)
            if in_link:
                linked += len(" ".join(text.split()))
    return out
