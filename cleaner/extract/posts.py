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
