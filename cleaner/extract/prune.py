"""Pruning of site chrome in the parsed page, before main-content extraction.

trafilatura judges elements by words in their class and id and by link density. Chrome
that the markup *names* (ARIA landmark roles, ``<nav>``, modal dialogs, the ``hidden``
attribute), consent banners, comment threads and related-links boxes recognised by their
own heading slip through it; this module removes them from the lxml tree first.

Every pruner is guarded so that a class name alone never removes content (the fault of
class-keyword rules reported in mozilla/readability#807): an element is removed only
when it holds neither the page's ``<h1>`` nor its ``<main>`` and no more than
``MAX_PRUNE_SHARE`` of the page text. Landmark roles follow WAI-ARIA 1.2 and the HTML-AAM
mapping (a ``<header>``/``<footer>`` scoped to ``<body>`` is the banner/contentinfo landmark).
"""
from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from typing import Iterable

import lxml.etree
import lxml.html
import regex

from ..rules.pattern_cache import compile_pattern

#: An element is never pruned when it holds more than this share of the page's text (0-1).
MAX_PRUNE_SHARE = 0.5
#: A consent banner is short: at most this many characters of text.
MAX_CONSENT_CHARS = 3000
#: A related-links box needs at least this many links ...
MIN_RELATED_LINKS = 2
#: ... and this share of its items (list items or child blocks) holding a link (0-1).
MIN_RELATED_LINKED_ITEMS = 0.6
#: A heading that names a box has at most this many words.
MAX_BOX_HEADING_WORDS = 8
#: A heading's wrapper may hold this many words besides the heading (spacers, labels).
MAX_WRAPPER_EXTRA_WORDS = 15
#: Repeated comment items: at least this many siblings with the same comment class.
MIN_COMMENT_ITEMS = 2
#: Text after a comment-thread heading counts as part of the thread when each of its blocks is at most this many words.
MAX_THREAD_TAIL_WORDS = 12

#: ARIA roles of chrome (WAI-ARIA 1.2 landmark and widget roles that never hold main content).
CHROME_ROLES = frozenset({"navigation", "menu", "menubar", "search", "banner", "contentinfo",
                          "dialog", "alertdialog", "tooltip", "toolbar"})
#: Elements that are chrome by definition (HTML living standard).
CHROME_TAGS = ("nav", "menu")
#: Sectioning elements: a ``<header>``/``<footer>`` inside one of them belongs to it, not to the site.
SECTIONING = frozenset({"article", "aside", "main", "nav", "section"})

# Class/id words of consent-management banners: generic words and the element names of
# common consent platforms (OneTrust, Cookiebot, Didomi, Usercentrics, Quantcast, TrustArc,
# Osano, iubenda, Termly, CookieYes, Complianz, Borlabs, Klaro, Sourcepoint).
_CONSENT_WORDS = ("cookie", "consent", "gdpr", "onetrust", "optanon", "cybot", "didomi", "usercentrics", "qc-cmp",
                  "truste", "osano", "iubenda", "termly", "cky-", "cmplz", "borlabs", "klaro", "sp_message",
                  *(f"privacy{sep}{noun}" for sep in ("", "-", "_") for noun in ("banner", "notice", "bar")))
_CONSENT_ATTR = compile_pattern("|".join(map(regex.escape, _CONSENT_WORDS)), regex.I)
# Words of the banner's own text: it speaks of cookies or consent ...
_CONSENT_TEXT = compile_pattern(
    r"\bcookies?\b|\bconsent|\bgdpr\b|datenschutz|\bcookie-?richtlinie|galletas|\bprivacy", regex.I)
# ... and offers a choice.
_CONSENT_ACTION = compile_pattern(
    r"\b(?:accept|agree|allow|reject|decline|deny|refuse|manage|customi[sz]e|settings|preferences|got it|ok(?:ay)?|"
    r"understood|dismiss|close|akzeptieren|zustimmen|ablehnen|einstellungen|accepter|refuser|paramètres|"
    r"aceptar|rechazar|configurar|accetta|rifiuta|aceitar|rejeitar)\b", regex.I)

# Class/id words of comment threads, matched on word parts ("CommentBox" -> comment, box).
_COMMENT_WORD = compile_pattern(r"^(?:comments?|commentlist|disqus|respond|replies|reply)$", regex.I)
# Cheap first test before splitting class names into words.
_COMMENT_HINT_WORDS = ("comment", "repl", "respond", "disqus")
_COMMENT_HINT = compile_pattern("|".join(_COMMENT_HINT_WORDS), regex.I)
# A container named for the whole thread (plural or list words).
_THREAD_ATTR = compile_pattern(r"(?:^|[-_ ])(?:comments|commentlist|comment-?list|comments?-?(?:area|section|wrap(?:per)?|thread|container)|disqus_thread)(?:$|[-_ ])", regex.I)
# A heading that opens a comment thread: "Comments (3)", "12 comments", "Leave a reply", "Kommentare".
_THREAD_HEADING = compile_pattern(
    r"^\s*(?:\d+\s+(?:comments?|responses?|replies|kommentare?|commentaires?|comentarios?)\b|"
    r"(?:comments?|kommentare?|commentaires?|comentarios?|reader comments|responses?|discussion)\b\s*(?:\(\s*\d+[^)]*\)|\d+)?\s*[:.]?\s*$|"
    r"(?:leave|post|add|write) a (?:comment|reply|response)|join the discussion)", regex.I)

# Headings of related-links boxes. Language-bound phrases, anchored at the heading's start.
RELATED_HEADINGS = (
    # en
    r"more (?:from|on|in|about|stories|news|articles|posts|videos|like this|to (?:read|explore))\b", r"related\b",
    r"recommended\b", r"you (?:may|might|could) (?:also )?(?:like|enjoy|be interested)", r"read (?:more|next|also)\b",
    r"also read\b", r"(?:what|where) to read next", r"keep reading\b", r"up next\b", r"(?:most )?popular\b",
    r"most (?:read|viewed|shared|emailed|commented)\b", r"trending\b", r"top stories\b", r"latest (?:news|stories|articles|posts)\b",
    r"editor'?s? picks?\b", r"don'?t miss\b", r"similar (?:posts|articles|stories|products|items)\b",
    r"other (?:stories|articles|news|posts)\b", r"from (?:around )?the web\b", r"sponsored\b", r"(?:people|customers) also\b",
    r"recent (?:posts|articles|stories)\b",
    # de, fr, es, pt, it, nl, ru
    r"mehr zum thema\b", r"weitere (?:artikel|beiträge|nachrichten)\b", r"das könnte sie (?:auch )?interessieren",
    r"ähnliche (?:artikel|beiträge)\b", r"meistgelesen", r"(?:à )?lire aussi\b", r"sur le même sujet\b",
    r"articles similaires\b", r"les plus lus\b", r"(?:te )?puede interesar", r"noticias relacionadas\b", r"(?:lo )?más leíd",
    r"artículos relacionados\b", r"leia (?:também|mais)\b", r"veja também\b", r"mais lidas\b", r"notícias relacionadas\b",
    r"leggi anche\b", r"articoli correlati\b", r"potrebbe interessarti", r"lees ook\b", r"gerelateerde",
    r"читайте также", r"по теме\b", r"похожие", r"популярное",
)
_RELATED_HEADING = compile_pattern(r"^\s*(?:" + "|".join(RELATED_HEADINGS) + ")", regex.I)

#: Containers a box never grows into.
_BOX_STOP = frozenset({"body", "html", "main", "article"})
_ATTR_SPLIT = compile_pattern(r"[\s\-_:]+", 0)
# Headings of reference lists (bibliographies): citations, not prose.
REFERENCE_HEADINGS = (
    r"references?", r"bibliography", r"works cited", r"citations?", r"sources?", r"literature cited",
    r"cited (?:works|literature)", r"literatur(?:verzeichnis)?", r"einzelnachweise", r"quellen", r"références",
    r"bibliographie", r"referencias", r"bibliografía", r"referências", r"bibliografia", r"riferimenti",
    r"список литературы", r"литература", r"источники",
)
_REFERENCE_HEADING = compile_pattern(r"^\s*(?:\d+[.)]?\s*)?(?:" + "|".join(REFERENCE_HEADINGS) + r")\s*:?\s*$", regex.I)
_CITATION = compile_pattern(r"\b(?:1[6-9]|20)\d\d\b|doi|https?://|\bvol\.|\bpp?\.\s*\d", regex.I)
#: A reference list has at least this many entries ...
MIN_REFERENCES = 2
#: ... and this share of them looks like a citation (a year, a DOI, a URL, a volume or page number; 0-1).
MIN_CITATION_SHARE = 0.6

#: Attributes naming consent banners and comment threads.
CONSENT_ATTRS = ("id", "class", "aria-label")
COMMENT_ATTRS = ("id", "class")
#: Attributes whose values :class:`_Guard` keeps (with the elements holding them) for the finders' scans.
SCANNED_ATTRS = CONSENT_ATTRS
# Attributes that make an element a landmark candidate (the Python test in find_landmarks decides).
_LANDMARK_ATTRS = frozenset({"role", "aria-modal", "hidden"})
# For values that are all ASCII, lower-cased: the words each pattern is the case-insensitive
# alternation of (the pattern is built from them), so their presence is the same test as a
# search for it. ``str.find`` looks for a word several times faster than ``re`` scans for an
# alternation whose branches start with a dozen different letters.
_ASCII_WORDS = {_CONSENT_ATTR: _CONSENT_WORDS, _COMMENT_HINT: _COMMENT_HINT_WORDS}

# Elements that are landmark candidates by their tag alone.
_LANDMARK_TAGS = frozenset({"nav", "menu", "header", "footer"})

_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_WORD = compile_pattern(r"\w+", 0)
_CAMEL = compile_pattern(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", 0)


@dataclass
class PruneReport:
    """How many elements each pruner removed from one page."""

    removed: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        self.removed[kind] = self.removed.get(kind, 0) + n


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _more_words_than(text: str, n: int) -> bool:
    """``_words(text) > n`` for ``n`` >= 0, reading ``text`` only up to its word ``n + 1`` (a parent may hold the whole page)."""
    return next(itertools.islice(_WORD.finditer(text), n, None), None) is not None


def _attr_words(el: lxml.html.HtmlElement) -> list[str]:
    """The class and id of ``el`` split into lower-case word parts: ``"CommentBox c-2"`` -> comment, box, c, 2."""
    out: list[str] = []
    for value in (el.get("class"), el.get("id")):
        if value:
            for token in _ATTR_SPLIT.split(value):
                out.extend(w.lower() for w in _CAMEL.findall(token))
    return out


def _roles(el: lxml.html.HtmlElement) -> set[str]:
    return set((el.get("role") or "").lower().split())


class PageAttrs:
    """What the chrome finders read from every element of a page, read in one pass over the tree.

    ``values[a]`` and ``holders[a]``: the values of attribute ``a`` (one of :data:`SCANNED_ATTRS`)
    and the elements holding them, aligned, in document order; ``landmark_candidates``: the
    elements that may be a landmark, in document order (``<nav>``, ``<menu>``, ``<header>``,
    ``<footer>`` and elements with a ``role``, ``aria-modal`` or ``hidden`` attribute);
    ``with_role``: the elements with a ``role``; ``itemtypes``: the values of every ``itemtype``
    (microdata, for :func:`cleaner.extract.discussion.is_discussion`). Valid while no element is added or removed and
    no attribute changes (text may change): :func:`find_chrome` takes one read earlier.
    """

    __slots__ = ("values", "holders", "landmark_candidates", "with_role", "itemtypes", "_distinct")

    def __init__(self, root: lxml.html.HtmlElement):
        self.values: dict[str, list[str]] = {a: [] for a in SCANNED_ATTRS}
        self.holders: dict[str, list[lxml.html.HtmlElement]] = {a: [] for a in SCANNED_ATTRS}
        self.landmark_candidates: list[lxml.html.HtmlElement] = []
        self.with_role: list[lxml.html.HtmlElement] = []
        self.itemtypes: list[str] = []
        self._distinct: dict[str, list[str]] = {}
        values, holders, candidates, with_role = self.values, self.holders, self.landmark_candidates, self.with_role
        itemtypes = self.itemtypes
        for el in root.iter():
            flagged = el.tag in _LANDMARK_TAGS
            for name, value in el.items():   # [] for comments and processing instructions
                if name in values:
                    values[name].append(value)
                    holders[name].append(el)
                elif name in _LANDMARK_ATTRS:
                    flagged = True
                    if name == "role":
                        with_role.append(el)
                elif name == "itemtype":
                    itemtypes.append(value)
            if flagged:
                candidates.append(el)

    def distinct(self, attr: str) -> list[str]:
        """The distinct values of ``attr`` (one of :data:`SCANNED_ATTRS`), in first-seen order; made once."""
        if attr not in self._distinct:
            self._distinct[attr] = list(dict.fromkeys(self.values[attr]))
        return self._distinct[attr]


class _Guard:
    """Says whether an element may be removed: no ``<h1>``, no ``<main>``, not too much of the page's text.

    Also keeps what the finders read from the whole page (:class:`PageAttrs`: one Python
    pass reading each element's attributes once costs less than the four XPath scans it
    replaces), given or read here.
    """

    def __init__(self, root: lxml.html.HtmlElement, attrs: PageAttrs | None = None):
        self.root = root
        attrs = attrs if attrs is not None else PageAttrs(root)
        self._attrs = attrs
        self._values = attrs.values
        self._holders = attrs.holders
        self._scans: dict[str, tuple[list[str], str, bool, list[int]]] = {}
        self._headings: list[tuple[lxml.html.HtmlElement, str]] | None = None
        #: Elements that may be a landmark, in document order (:attr:`PageAttrs.landmark_candidates`).
        self.landmark_candidates: list[lxml.html.HtmlElement] = attrs.landmark_candidates
        with_role = attrs.with_role
        body = root.find("body")
        self.total = max(1, len((body if body is not None else root).text_content()))
        self.protected: set[lxml.html.HtmlElement] = set()
        for el in root.iter("h1", "main"):
            self.protected.update(el.iterancestors())
            self.protected.add(el)
        for el in with_role:
            if "main" in _roles(el):
                self.protected.update(el.iterancestors())
                self.protected.add(el)

    def values(self, attr: str) -> list[str]:
        """The values of attribute ``attr`` (one of :data:`SCANNED_ATTRS`) on the page, in document order."""
        return self._values[attr]

    def holders(self, attr: str) -> list[lxml.html.HtmlElement]:
        """The elements that have attribute ``attr``, in document order (aligned with :meth:`values`)."""
        return self._holders[attr]

    def scan_text(self, attr: str) -> tuple[list[str], str, bool, list[int]]:
        """For a scan of the values of ``attr``, made once per page and attribute: its distinct values
        (first-seen order), those joined by line breaks (lower-cased when all ASCII), whether they
        are all ASCII, and the offset where each distinct value starts in the joined text.

        A page repeats most class names (every item of a list, every cell): the distinct
        values are under half the characters on the evaluation pages.
        """
        if attr not in self._scans:
            distinct = self._attrs.distinct(attr)
            text = "\n".join(distinct)
            ascii_only = text.isascii()
            starts = list(itertools.accumulate((len(v) + 1 for v in distinct[:-1]), initial=0))
            self._scans[attr] = (distinct, text.lower() if ascii_only else text, ascii_only, starts)
        return self._scans[attr]

    def headings(self) -> list[tuple[lxml.html.HtmlElement, str]]:
        """The page's ``<h1>``-``<h6>`` elements in document order, each with its text (white space folded); read once per page."""
        if self._headings is None:
            self._headings = [(h, " ".join(h.text_content().split())) for h in self.root.iter(*_HEADING_TAGS)]
        return self._headings

    def allows(self, el: lxml.html.HtmlElement) -> bool:
        if el in self.protected or el.getparent() is None:
            return False
        return len(el.text_content()) <= MAX_PRUNE_SHARE * self.total


def _attr_matches(guard: _Guard, attrs: tuple[str, ...], pattern: regex.Pattern) -> list[lxml.html.HtmlElement]:
    """The elements (the root included), in document order, one of whose ``attrs`` values ``pattern`` finds.

    Equal to searching each element's values joined by blanks, when ``pattern`` matches no
    blank and no line break, but several times faster: the distinct values on the page
    (:meth:`_Guard.scan_text`) are scanned at once, by the words of ``_ASCII_WORDS[pattern]``
    when they are all ASCII (``pattern`` is case-insensitive), else by ``pattern``.
    """
    found: set[lxml.html.HtmlElement] = set()
    for a in attrs:
        values = guard.values(a)
        if not values:
            continue
        distinct, text, ascii_only, starts = guard.scan_text(a)
        if ascii_only:
            hits = _word_hits(text, starts, _ASCII_WORDS[pattern])
        else:
            hits = {bisect.bisect_right(starts, m.start()) - 1 for m in pattern.finditer(text)}
        if hits:
            matched = {distinct[k] for k in hits}
            found.update(el for v, el in zip(values, guard.holders(a)) if v in matched)
    return sorted(found, key=_tree_position)


def _word_hits(text: str, starts: list[int], words: Iterable[str]) -> set[int]:
    """Indices of the values (``starts``: where each begins in ``text``) that hold one of ``words``.

    After a hit the search for a word goes on at the next value: a value counts once.
    """
    hits: set[int] = set()
    last = len(starts) - 1
    for w in words:
        i = text.find(w)
        while i >= 0:
            k = bisect.bisect_right(starts, i) - 1
            hits.add(k)
            if k == last:
                break
            i = text.find(w, starts[k + 1])
    return hits


def find_landmarks(root: lxml.html.HtmlElement, guard: _Guard) -> list[lxml.html.HtmlElement]:
    """Navigation, site header/footer, search, menus, modal dialogs and hidden elements."""
    doomed = []
    for el in guard.landmark_candidates:
        if (el.tag in CHROME_TAGS or _roles(el) & CHROME_ROLES or el.get("aria-modal") == "true"
                or el.get("hidden") is not None):
            doomed.append(el)
        elif el.tag in ("header", "footer") and not any(a.tag in SECTIONING for a in el.iterancestors()):
            doomed.append(el)
    return [el for el in doomed if guard.allows(el)]


def _is_consent_banner(el: lxml.html.HtmlElement) -> bool:
    attrs = " ".join(filter(None, (el.get("id"), el.get("class"), el.get("aria-label"))))
    if not _CONSENT_ATTR.search(attrs):
        return False
    text = el.text_content()
    if len(text) > MAX_CONSENT_CHARS or not _CONSENT_TEXT.search(text):
        return False
    if _roles(el) & {"dialog", "alertdialog"} or el.get("aria-modal") == "true":
        return True
    # A banner offers a choice: a button or link whose label is an action.
    return any(_CONSENT_ACTION.search(c.text_content() or c.get("value") or "")
               for c in el.iter("button", "a", "input"))


def find_consent(root: lxml.html.HtmlElement, guard: _Guard) -> list[lxml.html.HtmlElement]:
    """Cookie and consent banners: named so by class/id, speaking of cookies, offering a choice."""
    doomed = [el for el in _attr_matches(guard, CONSENT_ATTRS, _CONSENT_ATTR)
              if el.tag not in ("html", "body") and _is_consent_banner(el)]
    return [el for el in doomed if guard.allows(el)]


def _is_comment_item(el: lxml.html.HtmlElement) -> bool:
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not _COMMENT_HINT.search(attrs):
        return False
    return any(_COMMENT_WORD.match(w) for w in _attr_words(el))


def _in_code(el: lxml.html.HtmlElement) -> bool:
    """True when ``el`` is or sits inside a ``<pre>`` or ``<code>`` element."""
    return el.tag in ("pre", "code") or any(a.tag in ("pre", "code") for a in el.iterancestors())


def find_comments(root: lxml.html.HtmlElement, guard: _Guard) -> list[lxml.html.HtmlElement]:
    """Reader-comment threads: a container named for the thread, repeated comment items, a thread heading.

    A single element whose class merely contains "comment" (``<p class="comment-note">``)
    is not a thread and stays.
    """
    doomed: list[lxml.html.HtmlElement] = []
    items: dict[tuple[lxml.html.HtmlElement, str], list[lxml.html.HtmlElement]] = {}
    for el in _attr_matches(guard, COMMENT_ATTRS, _COMMENT_HINT):
        if el.tag in ("html", "body") or _in_code(el):
            continue   # a highlighter's comment token (<span class="token comment">) is code, not a reader's comment
        attrs = f"{el.get('id') or ''} {el.get('class') or ''}"
        if _THREAD_ATTR.search(attrs):
            doomed.append(el)
        elif el.get("class") and el.getparent() is not None and _is_comment_item(el):
            items.setdefault((el.getparent(), el.get("class")), []).append(el)
    for group in items.values():
        if len(group) >= MIN_COMMENT_ITEMS:
            doomed.extend(group)
    doomed_set = set(doomed)
    for h, text in guard.headings():
        if text and _THREAD_HEADING.match(text) and _words(text) <= MAX_BOX_HEADING_WORDS:
            tail = list(h.itersiblings())
            if all(s in doomed_set or _is_comment_item(s) or not _more_words_than(s.text_content(), MAX_THREAD_TAIL_WORDS)
                   for s in tail if isinstance(s.tag, str)):
                doomed.append(h)
                doomed.extend(s for s in tail if isinstance(s.tag, str))
    return [el for el in doomed if guard.allows(el)]


def _box_heading(box: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The first heading inside ``box`` when it comes before any other text, else ``None``."""
    for el in box.iter():
        if el is box:
            if (el.text or "").strip():
                return None
            continue
        if not isinstance(el.tag, str):
            continue
        if el.tag in _HEADING_TAGS:
            return el
        if (el.text or "").strip():
            return None
    return None


def _link_list_like(el: lxml.html.HtmlElement, skip: lxml.html.HtmlElement | None = None) -> bool:
    """True when ``el`` is mostly a list of links: enough links, and most of its items hold one."""
    links = [a for a in el.iter("a") if (a.text_content() or "").strip()]
    if len(links) < MIN_RELATED_LINKS:
        return False
    items = [li for li in el.iter("li")]
    if not items:
        items = [c for c in el if isinstance(c.tag, str) and c is not skip and c.text_content().strip()]
        if len(items) == 1 and len(items[0]):
            items = [c for c in items[0] if isinstance(c.tag, str) and c.text_content().strip()]
    if not items:
        return False
    linked = sum(1 for it in items if it.tag == "a" or it.find(".//a") is not None)
    return linked / len(items) >= MIN_RELATED_LINKED_ITEMS


def _heading_top(h: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """The outermost wrapper of heading ``h`` that ends with it and holds little else (page-builder sections).

    Climbs while nothing follows inside the parent and the parent's other text stays
    within ``MAX_WRAPPER_EXTRA_WORDS`` words.
    """
    limit = _words(h.text_content()) + MAX_WRAPPER_EXTRA_WORDS
    top = h
    while True:
        parent = top.getparent()
        if parent is None or parent.tag in _BOX_STOP or _more_words_than(parent.text_content(), limit):
            return top
        if (top.tail or "").strip() or any(isinstance(x.tag, str) and x.text_content().strip() for x in top.itersiblings()):
            return top
        top = parent


def find_related(root: lxml.html.HtmlElement, guard: _Guard) -> list[lxml.html.HtmlElement]:
    """Related-links boxes recognised by their heading ("More from ...", "Related", "Recommended").

    The box is the heading's container when the heading opens it, else the heading and
    the list of links right after it; in both cases the links must dominate the box.
    """
    doomed: list[lxml.html.HtmlElement] = []
    for h, text in guard.headings():
        if not text or not _RELATED_HEADING.match(text) or _words(text) > MAX_BOX_HEADING_WORDS:
            continue
        box = h.getparent()
        # Climb through wrappers that hold only the heading.
        while box is not None and box.getparent() is not None and len([c for c in box if isinstance(c.tag, str)]) == 1:
            box = box.getparent()
        if box is not None and box.tag not in _BOX_STOP and _box_heading(box) is h \
                and _link_list_like(box, skip=h):
            doomed.append(box)
            continue
        top = _heading_top(h)
        nxt = top.getnext()
        while nxt is not None and (not isinstance(nxt.tag, str) or not nxt.text_content().strip()):
            nxt = nxt.getnext()
        if nxt is not None and nxt.tag not in _HEADING_TAGS and _link_list_like(nxt):
            doomed.extend((top, nxt))
    return [el for el in doomed if guard.allows(el)]


def find_references(root: lxml.html.HtmlElement, guard: _Guard) -> list[lxml.html.HtmlElement]:
    """Reference lists: a "References"/"Bibliography" heading and the list of citations after it.

    The section runs from the heading to the next heading; it must be a list of
    ``MIN_REFERENCES`` or more entries of which most look like citations.
    """
    doomed: list[lxml.html.HtmlElement] = []
    for h, text in guard.headings():
        if not _REFERENCE_HEADING.match(text):
            continue
        top = _heading_top(h)
        section = []
        for sib in top.itersiblings():
            if not isinstance(sib.tag, str):
                continue
            if sib.tag in _HEADING_TAGS or sib.find(".//h1") is not None or sib.find(".//h2") is not None:
                break
            section.append(sib)
        entries = [li for sib in section for li in ([sib] if sib.tag == "li" else sib.iter("li"))]
        if not entries:
            entries = [sib for sib in section if sib.text_content().strip()]
        if len(entries) < MIN_REFERENCES:
            continue
        cited = sum(1 for e in entries if _CITATION.search(e.text_content()))
        if cited / len(entries) >= MIN_CITATION_SHARE:
            doomed.append(top)
            doomed.extend(section)
    return [el for el in doomed if guard.allows(el)]


#: Elements that may be a call-to-action box: blocks, not the links and buttons inside text and menus.
CTA_TAGS = ("div", "section", "aside", "p", "form")
#: A call-to-action box holds at most this many characters (white space folded): a banner, not a section.
MAX_CTA_CHARS = 400
#: Attributes naming a call-to-action box.
CTA_ATTRS = ("class", "id")
_CTA_WORDS = ("cta", "calltoaction", "call-toaction", "callto-action", "call-to-action")
_CTA_HINT = re.compile("|".join(map(re.escape, _CTA_WORDS)), re.I)
_ASCII_WORDS[_CTA_HINT] = _CTA_WORDS


def _names_cta(el: lxml.html.HtmlElement) -> bool:
    """True when the class or id of ``el`` has the word part "cta" or the words "call to action"."""
    attrs = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not _CTA_HINT.search(attrs):
        return False
    words = _attr_words(el)
    return "cta" in words or "ctas" in words or any(words[i:i + 3] == ["call", "to", "action"] for i in range(len(words)))


def find_cta(root: lxml.html.HtmlElement, guard: _Guard) -> list[lxml.html.HtmlElement]:
    """Call-to-action boxes named so in the markup (``class="blog-cta"``, ``hl-block-cta``,
    ``call-to-action``): a block of at most :data:`MAX_CTA_CHARS` characters asking the reader to
    sign up, book a demo or buy, placed between the paragraphs of an article."""
    doomed = []
    for el in _attr_matches(guard, CTA_ATTRS, _CTA_HINT):   # the class/id scan: few elements pass it
        if el.tag in CTA_TAGS and _names_cta(el) and len(" ".join(el.text_content().split())) <= MAX_CTA_CHARS:
            doomed.append(el)
    return [el for el in doomed if guard.allows(el)]


#: The finders, by kind, in the order they run.
FINDERS = {"landmark": find_landmarks, "consent": find_consent, "comments": find_comments, "related": find_related,
           "references": find_references, "cta": find_cta}


def find_chrome(root: lxml.html.HtmlElement, kinds: Iterable[str] = tuple(FINDERS),
                attrs: PageAttrs | None = None) -> list[tuple[str, lxml.html.HtmlElement]]:
    """The chrome elements of a parsed page as ``(kind, element)``, outermost only, in document order.

    ``kinds`` selects the finders (keys of :data:`FINDERS`); the tree is not changed.
    ``attrs``: :class:`PageAttrs` of ``root`` read earlier (still valid), else read here.
    """
    guard = _Guard(root, attrs)
    found: dict[lxml.html.HtmlElement, str] = {}
    for kind in kinds:
        for el in FINDERS[kind](root, guard):
            found.setdefault(el, kind)
    out = []
    for el, kind in sorted(found.items(), key=lambda kv: _tree_position(kv[0])):
        if not any(a in found for a in el.iterancestors()):
            out.append((kind, el))
    return out


def _tree_position(el: lxml.html.HtmlElement) -> tuple[int, ...]:
    """Child indices from the root down to ``el``: sorting by them gives document order (ancestors first)."""
    path = []
    parent = el.getparent()
    while parent is not None:
        path.append(parent.index(el))
        el, parent = parent, parent.getparent()
    return tuple(reversed(path))


def prune_chrome(root: lxml.html.HtmlElement, kinds: Iterable[str] = tuple(FINDERS)) -> PruneReport:
    """Remove the chrome elements of :func:`find_chrome` from the tree in place; returns counts by kind."""
    report = PruneReport()
    for kind, el in find_chrome(root, kinds):
        el.drop_tree()
        report.add(kind)
    return report


def captions_to_paragraphs(root: lxml.html.HtmlElement) -> int:
    """Replace each ``<figure>`` that has a ``<figcaption>`` by one paragraph of the caption text; returns how many.

    trafilatura drops figures whole; the image's alt and title text, which often repeat the
    caption (a CMS habit), go with the image, so the caption appears once.
    """
    n = 0
    for fig in list(root.iter("figure")):
        cap = fig.find(".//figcaption")
        if fig.getparent() is None or cap is None:
            continue
        text = " ".join(cap.text_content().split())
        if not text:
            continue
        p = lxml.html.Element("p")
        p.text = text
        p.tail = fig.tail
        fig.getparent().replace(fig, p)
        n += 1
    return n
