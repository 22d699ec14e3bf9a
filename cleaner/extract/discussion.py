"""Is a page a discussion thread (forum, Q&A)? There the replies are the main content, not reader comments.

Signals, any of which decides: schema.org types of a thread (``DiscussionForumPosting``,
``QAPage``) in JSON-LD or microdata; a ``<meta name="generator">`` naming forum software;
the thread URL conventions of common forum engines (Discourse ``/t/slug/123``, also
``/t/123/slug``; XenForo ``/threads/``, also ``index.php?threads/`` without URL rewriting;
vBulletin ``showthread``, phpBB ``viewtopic``, Invision ``?/topic/``, Stack Exchange
``/questions/123``). The URL is the record's, else the page's canonical link. A page with
no URL at all (a page saved without it) is a thread when its credit line names forum
software ("Powered by phpBB", "Community platform by XenForo®") and it repeats a container
of posts: two or more elements whose class or id says post, message, reply or comment, each
holding a paragraph (a forum's index names the software too, but lists threads).
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
#: Forum software, as a page's generator or credit line names it.
_ENGINES = (r"discourse|vbulletin|phpbb|xenforo|invision|vanilla|flarum|mybb|simple machines|nodebb|punbb|fluxbb|"
            r"woltlab|yabb|khoros|lithium")
_FORUM_ENGINES = compile_pattern(_ENGINES, regex.I)
_THREAD_URL = compile_pattern(
    r"/t/[^/]+/\d+|/t/\d+(?:/|$)|[/?]threads?/|/topics?/\d|/topic/[^/]*\d|/discussions?/\d|/questions/\d+|showthread|viewtopic|"
    r"topic_show|showtopic|[?&/]topic[=/]|/m-p/\d+|/td-p/\d+", regex.I)
#: A credit line naming forum software in a page's HTML, tags allowed between the words
#: ("Powered by <a href=...>phpBB</a>® Forum Software", "Community platform by XenForo®").
_ENGINE_CREDIT = compile_pattern(
    rf"(?:powered|platform|run|hosted)\s+by\s+(?:<[^<>]{{0,300}}>\s*)*(?:the\s+)?(?:{_ENGINES})\b", regex.I)
#: Elements that may be one post of a thread, by their class or id (a post's own container, not its parts).
_POST_NAMES = compile_pattern(r"(?:^|[\s_-])(?:post|message|reply|comment)s?(?:$|[\s_-]|\d)", regex.I)
#: Characters after a credit line's opening in which the software's name is looked for.
MAX_CREDIT_CHARS = 2_000
#: Characters at the end of a page's HTML where its credit line is looked for (the footer, and
#: the scripts a page may load after it).
CREDIT_TAIL_CHARS = 60_000
#: What a credit line opens with ("Powered by", "Community platform by"), as plain strings:
#: the pattern is tried only where one is found.
CREDIT_OPENINGS = ("owered by", "owered By", "OWERED BY", "latform by")


def credited_thread(root: lxml.html.HtmlElement, page_text: str | None = None) -> bool:
    """A page whose credit line names forum software and which repeats a container of posts (see the module text).

    The credit line is looked for in the last :data:`CREDIT_TAIL_CHARS` characters of the
    page's HTML, by substring search for an opening (:data:`CREDIT_OPENINGS`) and the pattern
    only from there. ``page_text``: that HTML, when the caller has it (else ``root`` serialised).
    """
    if page_text is None:
        page_text = lxml.html.tostring(root, encoding="unicode")
    tail = page_text[-CREDIT_TAIL_CHARS:]
    for opening in CREDIT_OPENINGS:
        at = tail.find(opening)
        while at >= 0:
            if _ENGINE_CREDIT.search(tail[max(0, at - 10):at + MAX_CREDIT_CHARS]):
                return _repeats_posts(root)
            at = tail.find(opening, at + 1)
    return False


def _repeats_posts(root: lxml.html.HtmlElement) -> bool:
    """Two or more elements whose class or id names a post (:data:`_POST_NAMES`), each holding a paragraph."""
    posts = 0
    for el in root.iter("div", "article", "li", "section", "table", "tr"):
        names = f"{el.get('class') or ''} {el.get('id') or ''}"
        if names.strip() and _POST_NAMES.search(names) and el.find(".//p") is not None:
            posts += 1
            if posts >= 2:
                return True
    return False


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


def is_discussion(root: lxml.html.HtmlElement, url: str | None = None, itemtypes: list[str] | None = None,
                  page_text: str | None = None) -> bool:
    """True when the page is a forum or Q&A thread (see the module notes for the signals).

    ``itemtypes``: the values of every ``itemtype`` attribute under ``root`` in document order,
    when the caller has read them already (:attr:`cleaner.extract.prune.PageAttrs.itemtypes`);
    ``page_text``: the page's HTML, when the caller has it (:func:`credited_thread`).
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
    if u is not None:
        return bool(_THREAD_URL.search(u))
    return credited_thread(root, page_text)   # no URL to go by (a saved page): the page's own credit line
