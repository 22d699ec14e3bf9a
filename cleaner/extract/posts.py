"""The posts of a thread as its markup names them (schema.org microdata).

A forum or Q&A page that types itself ``QAPage`` or ``DiscussionForumPosting`` in microdata
also names the body of each post: the ``text`` (or ``articleBody``) property of each
``Question``, ``Answer``, ``DiscussionForumPosting`` and, on a forum thread, ``Comment``
item (a reply). trafilatura often keeps one post container only (the answers without the
question, the question without the replies) or keeps the remarks under each post; the
posts' own bodies, in page order, are the thread.

On a Q&A page (one with a ``Question`` item) a ``Comment`` is a short remark under a
question or answer ("Can you share the log?"), not a post, and is left out; on a forum
thread replies are ``Comment`` items and are posts.

A thread page without such markup (:func:`repeated_posts`) often repeats one container per
post; when trafilatura kept a few posts and that container, repeated, holds much more text,
the repeated containers are the thread. Quotes (``<blockquote>``) repeat earlier posts and
are never taken for the posts.
"""
from __future__ import annotations

import lxml.etree
import lxml.html

#: Page-level item types that declare a thread.
THREAD_TYPES = frozenset({"QAPage", "DiscussionForumPosting"})
#: Item types whose ``text`` is a post; ``Comment`` counts only where there is no ``Question``.
POST_TYPES = frozenset({"Question", "Answer", "DiscussionForumPosting"})
#: Properties holding a post's body.
BODY_PROPS = frozenset({"text", "articleBody"})

_ITEMS = lxml.etree.XPath("descendant-or-self::*[@itemtype]")   # the type is often on <html> or <body>
_PROPS = lxml.etree.XPath("descendant-or-self::*[@itemprop]")


def _type(el: lxml.html.HtmlElement) -> str:
    """The last path part of ``el``'s ``itemtype`` ("https://schema.org/Answer" -> "Answer")."""
    return (el.get("itemtype") or "").strip().rstrip("/").rsplit("/", 1)[-1]


def _item_of(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The nearest ancestor of ``el`` that is an item (``itemscope`` or ``itemtype``)."""
    for p in el.iterancestors():
        if p.get("itemscope") is not None or p.get("itemtype"):
            return p
    return None


def thread_posts(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The body elements of the posts of a thread page, in page order; empty on any other page.

    A body nested in another post's body is part of it and not listed again.
    """
    types = {_type(el) for el in _ITEMS(root)}
    if not types & THREAD_TYPES:
        return []
    posts = POST_TYPES if "Question" in types else POST_TYPES | {"Comment"}
    found: list[lxml.html.HtmlElement] = []
    for el in _PROPS(root):
        if not set(el.get("itemprop", "").split()) & BODY_PROPS:
            continue
        item = _item_of(el)
        if item is not None and _type(item) in posts:
            found.append(el)
    chosen = set(found)
    return [el for el in found if not any(a in chosen for a in el.iterancestors())]


def posts_text(posts: list[lxml.html.HtmlElement]) -> str:
    """The text of ``posts`` (from :func:`thread_posts`), one block a line.

    As :func:`cleaner.extract.tree_text.render_lines`, but a ``<pre>`` keeps its lines and
    their indentation (code in an answer) and an item of an unordered list starts with
    "- ", as in trafilatura's text (an ordered list's items carry their numbers already).
    """
    from .tree_text import BLOCK_TAGS

    lines: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        line = " ".join("".join(buf).split())
        buf.clear()
        if line and line != "-":
            lines.append(line)

    for post in posts:
        walker = lxml.etree.iterwalk(post, events=("start", "end"))
        for event, el in walker:
            tag = el.tag if isinstance(el.tag, str) else ""
            if event == "start":
                if tag in BLOCK_TAGS:
                    flush()
                if tag == "pre":
                    lines.extend(x.rstrip() for x in el.text_content().split("\n") if x.strip())
                    walker.skip_subtree()
                    continue
                if tag == "li" and el.getparent() is not None and el.getparent().tag == "ul":
                    buf.append("- ")
                if el.text and tag:
                    buf.append(el.text)
            else:
                if tag in BLOCK_TAGS:
                    flush()
                if el.tail and el is not post:
                    buf.append(el.tail)
        flush()
    return "\n".join(lines)


#: A thread page without post microdata: a class repeated on at least this many elements
#: (not nested in one another) is a candidate post container ...
MIN_REPEATS = 3
#: ... when its lines hold at least this share of the extracted text's characters (0-1) ...
MIN_TEXT_SHARE = 0.5
#: ... and its posts' text replaces the extracted text when it is at least this many times
#: longer: trafilatura kept the first post or a few and left the others, which share its container.
#: On the 692 evaluation pages 2 thread pages take it (forum threads, word F1 0.54 -> 0.91 and
#: 0.57 -> 0.94), none loses; with the quotes of a post counted as posts, one of them lost.
REPEAT_GAIN = 1.5

_CLASSED = lxml.etree.XPath("descendant-or-self::*[@class]")
#: Every element inside a ``<blockquote>`` of the document: one query instead of one per element.
_QUOTED = lxml.etree.XPath("//blockquote//*")


def repeated_posts(root: lxml.html.HtmlElement, text: str) -> list[lxml.html.HtmlElement]:
    """The containers of a thread's posts found by repetition, in page order, or an empty list.

    Of the classes (tag and whole ``class`` value) on at least :data:`MIN_REPEATS` elements
    whose lines hold :data:`MIN_TEXT_SHARE` of ``text`` (the extracted text), the one with the
    least text: the most specific container of the posts (a post's body rather than the post
    with its author card). The caller compares its text with ``text`` (:data:`REPEAT_GAIN`).
    """
    from collections import defaultdict

    from .tree_text import line_key, render_lines

    lines = [(line_key(x), len(x)) for x in text.split("\n") if x.strip()]
    total = sum(n for _, n in lines)
    if not total:
        return []
    groups: dict[tuple[str, str], list[lxml.html.HtmlElement]] = defaultdict(list)
    quoted = set(_QUOTED(root))
    for el in _CLASSED(root):
        if isinstance(el.tag, str) and el.tag != "blockquote" and el not in quoted:
            groups[(el.tag, el.get("class"))].append(el)   # a quote repeats a post, it is none
    candidates: list[tuple[int, list[lxml.html.HtmlElement]]] = []
    for els in groups.values():
        if len(els) < MIN_REPEATS:
            continue
        members = set(els)
        top = [e for e in els if not any(a in members for a in e.iterancestors())]
        chars = sum(len(e.text_content()) for e in top)   # raw text, white space included
        if len(top) >= MIN_REPEATS and chars >= MIN_TEXT_SHARE * total:
            candidates.append((chars, top))
    for _, top in sorted(candidates, key=lambda c: c[0]):   # the least text first; rendered only until one holds
        keys = {line_key(x) for e in top for x in render_lines(e)}
        if sum(n for k, n in lines if k in keys) >= MIN_TEXT_SHARE * total:
            return top
    return []
