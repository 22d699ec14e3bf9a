"""Is a page a discussion thread (forum, Q&A)? There the replies are the main content, not reader comments.

Signals, any of which decides: schema.org types of a thread (``DiscussionForumPosting``,
``QAPage``) in JSON-LD or microdata; a ``<meta name="generator">`` naming forum software;
the thread URL conventions of common forum engines (Discourse ``/t/slug/123``, also
``/t/123/slug``; XenForo ``/threads/``, also ``index.php?threads/`` without URL rewriting;
vBulletin ``showthread``, phpBB ``viewtopic``, Invision ``?/topic/``, Stack Exchange
``/questions/123``). The URL is the record's, else the page's canonical link.
"""
from __future__ import annotations

import lxml.etree
import lxml.html
import regex

from ..rules.pattern_cache import compile_pattern

# The values of every itemtype attribute (the page's type is often on <html> itself); an XPath to the
# attributes reads them faster than one to the elements that hold them.
_ITEM_TYPES = lxml.etree.XPath("descendant-or-self::*/@itemtype", smart_strings=False)
_SCHEMA_THREAD = compile_pattern(r"DiscussionForumPosting|QAPage", regex.I)
_FORUM_ENGINES = compile_pattern(
    r"discourse|vbulletin|phpbb|xenforo|invision|vanilla|flarum|mybb|simple machines|nodebb|punbb|fluxbb|"
    r"woltlab|yabb|khoros|lithium", regex.I)
_THREAD_URL = compile_pattern(
    r"/t/[^/]+/\d+|/t/\d+(?:/|$)|[/?]threads?/|/topics?/\d|/topic/[^/]*\d|/discussions?/\d|/questions/\d+|showthread|viewtopic|"
    r"topic_show|showtopic|[?&/]topic[=/]|/m-p/\d+|/td-p/\d+", regex.I)


def page_url(root: lxml.html.HtmlElement, url: str | None) -> str | None:
    """The record's URL, else the page's canonical link or ``og:url``, else ``None``."""
    if url:
        return url
    for el in root.iterfind(".//head/link[@rel]"):
        if "canonical" in el.get("rel", "").lower().split() and el.get("href"):
            return el.get("href")
    for el in root.iterfind(".//head/meta[@property='og:url']"):
        if el.get("content"):
            return el.get("content")
    return None


def is_discussion(root: lxml.html.HtmlElement, url: str | None = None, itemtypes: list[str] | None = None) -> bool:
    """True when the page is a forum or Q&A thread (see the module notes for the signals).

    ``itemtypes``: the values of every ``itemtype`` attribute under ``root`` in document order,
    when the caller has read them already (:attr:`cleaner.extract.prune.PageAttrs.itemtypes`).
    """
    for script in root.iterfind(".//script[@type='application/ld+json']"):
        if script.text and _SCHEMA_THREAD.search(script.text):
            return True
    for itemtype in (_ITEM_TYPES(root) if itemtypes is None else itemtypes):
        if _SCHEMA_THREAD.search(itemtype):
            return True
    for el in root.iterfind(".//head/meta[@name]"):
        if el.get("name", "").lower() == "generator" and _FORUM_ENGINES.search(el.get("content", "")):
            return True
    u = page_url(root, url)
    return bool(u and _THREAD_URL.search(u))
