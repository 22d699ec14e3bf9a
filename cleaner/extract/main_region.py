"""The page's main region and the checks that tell when trafilatura took too little of it.

trafilatura picks one container; on listings, product grids, service pages and some
forums it picks a small one (a teaser, one post) and the rest of the main content is
lost. Two checks use the page's text once chrome is pruned (:mod:`cleaner.extract.prune`):

- *coverage*: the share of that text the extraction kept;
- *prose*: whether the extraction holds one real paragraph (``PROSE_WORDS`` words);
- *link text*: the share of the extraction made of lines that are a link's whole text (a
  menu taken for content, the classic boilerplate signal: Kohlschütter, Fankhauser and
  Nejdl 2010, "Boilerplate detection using shallow text features").

:func:`region_text` is the recall fallback: the lines of ``<main>`` (or of ``<body>``)
that are not link lists, plus every line the extraction already had.
"""
from __future__ import annotations

import lxml.html

from .tree_text import line_key, render_blocks
from ..rules.pattern_cache import compile_pattern

#: A ``<main>`` (or ``role=main``) element is the region only when it holds this much text (characters).
MIN_MAIN_CHARS = 500
#: A paragraph of prose has at least this many words.
PROSE_WORDS = 25
#: In the region fallback, a line new to the extraction stays unless more than this share of its characters is link text (0-1).
MAX_LINK_SHARE = 0.5
#: A line longer than this is no link line (characters): menus and link lists are short lines.
MAX_LINK_LINE_CHARS = 200
#: A list is put back only when each item has at most this many words (bullet points, not a gallery of captions).
MAX_RESTORED_ITEM_WORDS = 40
#: Elements of the region that never hold main content: forms and their controls, side boxes, footers.
NOT_CONTENT = ("form", "aside", "footer", "select", "button", "label", "input", "textarea", "script")

_WORD = compile_pattern(r"\w+", 0)


def page_chars(root: lxml.html.HtmlElement) -> int:
    """Characters of visible text in ``<body>`` (white space folded, scripts left out)."""
    body = root.find("body")
    body = body if body is not None else root
    n = sum(len(s.text or "") for s in body.iter("script"))
    return max(0, len(" ".join(body.text_content().split())) - n)


def coverage(text: str, root: lxml.html.HtmlElement, chars: int | None = None) -> float:
    """Share of the page's visible text (``page_chars``) that ``text`` holds, capped at 1.

    ``chars``: ``page_chars(root)`` when the caller has it already.
    """
    return min(1.0, len(text) / max(1, page_chars(root) if chars is None else chars))


def link_line_share(root: lxml.html.HtmlElement, text: str) -> float:
    """Share (0-1) of the characters of ``text``'s lines that are link lines: lines of at most
    :data:`MAX_LINK_LINE_CHARS` characters equal to the whole text of a link (``<a>``) of
    ``root`` (compared by :func:`~cleaner.extract.tree_text.line_key`)."""
    lines = [x for x in text.split("\n") if x.strip()]
    total = sum(len(x) for x in lines)
    if not total:
        return 0.0
    short = [(x, line_key(x)) for x in lines if len(x) <= MAX_LINK_LINE_CHARS]   # a menu's lines are short
    if not short:
        return 0.0
    keys = {k for _, k in short if k}
    linked = {k for a in root.iter("a") if (k := line_key(a.text_content())) in keys}
    return sum(len(x) for x, k in short if k in linked) / total


def has_prose(text: str) -> bool:
    """True when ``text`` has a line of at least ``PROSE_WORDS`` words."""
    return any(len(_WORD.findall(line)) >= PROSE_WORDS for line in text.split("\n"))


def main_region(root: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """``<main>`` or the first ``role=main`` element when it holds ``MIN_MAIN_CHARS``, else ``<body>``."""
    for el in root.iter():
        if isinstance(el.tag, str) and (el.tag == "main" or "main" in (el.get("role") or "").lower().split()):
            if len(el.text_content()) >= MIN_MAIN_CHARS:
                return el
            break
    body = root.find("body")
    return body if body is not None else root


def region_text(root: lxml.html.HtmlElement, extracted: str) -> str:
    """The main region as lines, link lists left out, lines of ``extracted`` always in; changes ``root``.

    Forms, side boxes and footers of the region are removed first.
    """
    region = main_region(root)
    for el in [e for e in region.iter(*NOT_CONTENT) if e is not region]:
        if el.getparent() is not None:
            el.drop_tree()
    have = {line_key(x) for x in extracted.split("\n")}
    lines = [line for line, linked in render_blocks(region)
             if line_key(line) in have or linked <= MAX_LINK_SHARE * len(line)]
    return "\n".join(lines)


def restore_lists(root: lxml.html.HtmlElement, extracted: str) -> str:
    """Put back lists that trafilatura dropped between paragraphs it kept.

    trafilatura's recovery of "wild" text (a page with no content container, e.g. ``<p>``
    and ``<ul>`` right under ``<body>``) takes paragraphs only, so a bullet list between
    two kept paragraphs disappears (adbar/trafilatura#233). A ``<ul>``/``<ol>`` comes back,
    after the line of the paragraph just before it, when none of its items is in the text,
    that paragraph is, its items are bullet-sized (``MAX_RESTORED_ITEM_WORDS``) and not
    mostly link text.
    """
    lines = extracted.split("\n")
    keys: list[str] = []   # the lines' keys, made at the first list rendered (a page may have none)
    present: set[str] = set()
    everything = ""
    inserts: dict[int, list[str]] = {}
    for lst in root.iter("ul", "ol"):
        if lst.getparent() is None or any(a.tag in ("ul", "ol") for a in lst.iterancestors()):
            continue
        # the paragraph before first: a list with none (2 in 5 on the evaluation pages) is never rendered
        prev = block_before(lst)
        if prev is None:
            continue
        items = render_blocks(lst)
        if items and not everything:
            keys = [line_key(x) for x in lines]
            present = set(keys)
            everything = " " + " ".join(keys) + " "
        if not restorable(items, everything):
            continue
        before = render_blocks(prev)
        anchor = line_key(before[-1][0]) if before else ""
        if anchor and anchor in present:
            inserts.setdefault(keys.index(anchor), []).extend(f"- {t}" for t, _ in items)
    return with_inserts(lines, inserts) if inserts else extracted


def block_before(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The element before ``el`` among its siblings that holds text (comments and blank ones passed over), or ``None``."""
    prev = el.getprevious()
    while prev is not None and (not isinstance(prev.tag, str) or not prev.text_content().strip()):
        prev = prev.getprevious()
    return prev


def restorable(items: list[tuple[str, int]], everything: str) -> bool:
    """Whether a list rendered as ``items`` (:func:`render_blocks`) may come back: it has items, none
    of them is a line of the text (``everything``: the lines' keys joined by blanks, blank-framed),
    they are bullet-sized and not mostly link text."""
    if not items or any(f" {line_key(t)} " in everything for t, _ in items):
        return False
    if any(len(_WORD.findall(t)) > MAX_RESTORED_ITEM_WORDS for t, _ in items):
        return False
    return sum(linked for _, linked in items) <= MAX_LINK_SHARE * sum(len(t) for t, _ in items)


def with_inserts(lines: list[str], inserts: dict[int, list[str]]) -> str:
    """``lines`` joined by line breaks, the lines of ``inserts[i]`` after line ``i``."""
    out: list[str] = []
    for i, line in enumerate(lines):
        out.append(line)
        out.extend(inserts.get(i, ()))
    return "\n".join(out)
