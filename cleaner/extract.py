"""Main-content extraction: HTML bytes to ``(title, text)`` with trafilatura.

The page is parsed once by lxml with ``huge_tree`` on (libxml2 otherwise stops at a text
node over 10 MB and silently loses the rest of the page), scripts, styles and other
non-content elements are dropped before trafilatura sees the tree, and trafilatura runs
with its own process-wide duplicate cache off (``deduplicate=False``): duplicate removal
is this project's job, and a shared cache would make results depend on what a worker saw
earlier. Comments are excluded, tables kept.
"""
from __future__ import annotations

from dataclasses import dataclass

import lxml.etree
import lxml.html

from .config import Options
from .io.decode import decode_html, strip_control_chars

#: Elements that never hold main content; removed with their text before extraction.
NON_CONTENT_TAGS = ("script", "style", "noscript", "template", "svg", "math", "canvas", "iframe", "object", "embed")
#: Element nesting depth past which a page is refused (real pages stay under ~100; jusText and
#: trafilatura take time quadratic in depth, minutes for a few thousand levels).
MAX_HTML_DEPTH = 512
_TOO_DEEP = lxml.etree.XPath("boolean(" + "/".join(["*"] * MAX_HTML_DEPTH) + ")")

#: JSON-LD scripts up to this size are kept for trafilatura (characters).
MAX_JSON_LD_CHARS = 200_000


class ExtractionError(Exception):
    """A page that cannot be parsed or yields no tree."""


@dataclass(slots=True)
class Extracted:
    """What extraction gives: the main text (paragraphs one a line), the title, the codec used."""

    text: str
    title: str | None
    encoding: str


def parse_html(html: str) -> lxml.html.HtmlElement:
    """Parse a page with lxml, tolerant of broken markup and huge text nodes.

    Raises :class:`ExtractionError` when libxml2 returns no document at all, or one nested
    deeper than :data:`MAX_HTML_DEPTH` elements.
    """
    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True, recover=True)
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (lxml.etree.ParserError, ValueError) as e:
        raise ExtractionError(f"HTML could not be parsed: {e}") from e
    if root is None:
        raise ExtractionError("HTML could not be parsed: empty document")
    if _TOO_DEEP(root):
        raise ExtractionError(f"HTML nested more than MAX_HTML_DEPTH={MAX_HTML_DEPTH} elements deep; "
                              "such a page is broken or hostile and is not extracted")
    return root


def strip_non_content(root: lxml.html.HtmlElement) -> None:
    """Drop scripts, styles and other non-content elements in place (their tails stay).

    JSON-LD blocks up to ``MAX_JSON_LD_CHARS`` stay: trafilatura reads a forum thread's
    schema.org type from them.
    """
    doomed = [el for el in root.iter(*NON_CONTENT_TAGS)
              if not (el.tag == "script" and (el.get("type") or "").lower() == "application/ld+json"
                      and len(el.text or "") <= MAX_JSON_LD_CHARS)]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def page_title(root: lxml.html.HtmlElement) -> str | None:
    """The ``<title>`` text, white space folded, or ``None``."""
    t = root.find(".//title")
    if t is None or not (t.text_content() or "").strip():
        return None
    return " ".join(t.text_content().split())


def extract(html: bytes | str, options: Options, url: str | None = None, http_charset: str | None = None) -> Extracted:
    """Extract the main content of one page.

    ``html``: raw bytes (decoded by :func:`cleaner.io.decode.decode_html`, declared charset
    first) or an already decoded string. Returns :class:`Extracted` whose ``text`` has one
    paragraph, heading, list item or table row per line; empty when the page holds no main
    content. Raises :class:`ExtractionError` for a page that cannot be parsed.
    """
    import trafilatura

    from .htmlprep import find_chrome
    from .htmltext import line_key, render_lines

    if isinstance(html, bytes):
        text, enc = decode_html(html, http_charset)
    else:
        text, enc = strip_control_chars(html), "str"
    if not text.strip():
        return Extracted("", None, enc)
    root = parse_html(text)
    strip_non_content(root)
    title = headline(root)
    import os  # DEV
    kinds = [k for k in os.environ.get('CLEANER_PRUNE', 'landmark,consent,comments,related').split(',') if k]  # DEV
    mode = os.environ.get('CLEANER_MODE', 'filter')  # DEV
    from .pagekind import is_discussion
    thread = is_discussion(root, url)
    if thread:
        kinds = [k for k in kinds if k != "comments"]
    chrome = find_chrome(root, kinds)
    if mode == 'prune':
        for _, el in chrome:
            el.drop_tree()
    doc = trafilatura.bare_extraction(
        root, url=url, include_comments=thread, include_tables=True, deduplicate=False,
        with_metadata=False, favor_precision=options.favor == "precision",
        favor_recall=options.favor == "recall")
    body = (doc.text or "") if doc is not None else ""
    if doc is not None and doc.comments:
        body = f"{body}\n{doc.comments}".strip()
    if mode == 'filter' and chrome and body:
        els = [el for _, el in chrome]
        chrome_keys = {line_key(x) for el in els for x in render_lines(el)}
        body_el = root.find("body")
        rest = {line_key(x) for x in render_lines(body_el if body_el is not None else root, skip=set(els))}
        only = chrome_keys - rest - {""}
        body = "\n".join(x for x in body.split("\n") if line_key(x) not in only)
    return Extracted(body, title, enc)


def headline(root: lxml.html.HtmlElement) -> str | None:
    """The page's title as a reader sees it: its one ``<h1>``, a headline-classed heading, else ``<title>``.

    Uses trafilatura's title heuristics (``trafilatura.metadata.extract_title``), which also
    cut a site name off ``<title>`` ("Headline | Site"); white space folded.
    """
    from trafilatura.metadata import extract_title

    t = extract_title(root) or page_title(root)
    return " ".join(t.split()) if t else None


def html_to_text(html: bytes | str, http_charset: str | None = None) -> tuple[str, str | None]:
    """All visible text of a page, one block element a line, without main-content extraction.

    Returns ``(text, title)``; used when extraction is switched off (``--no-extract``).
    """
    text = decode_html(html, http_charset)[0] if isinstance(html, bytes) else strip_control_chars(html)
    if not text.strip():
        return "", None
    root = parse_html(text)
    strip_non_content(root)
    title = page_title(root)
    for t in root.iter("title", "head"):
        t.drop_tree() if t.getparent() is not None else None
    block = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "br", "pre", "blockquote",
             "section", "article", "header", "footer", "nav", "ul", "ol", "table", "figcaption", "dd", "dt"}
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in block:
            el.tail = "\n" + (el.tail or "")
    lines = [" ".join(line.split()) for line in root.text_content().splitlines()]
    return "\n".join(line for line in lines if line), title
