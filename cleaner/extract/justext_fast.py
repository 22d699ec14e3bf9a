"""jusText's paragraphs and their context-free classes for trafilatura's fallback, made faster, same results.

trafilatura 2.3.1 (``trafilatura.external.try_justext``) runs jusText 3.0.2 on a cleaned tree:
``ParagraphMaker.make_paragraphs(tree)``, ``classify_paragraphs(...)``, then
``revise_paragraph_classification(...)``. This module replaces the first two:

* :class:`ParagraphMaker` walks the tree with ``lxml.etree.iterwalk`` instead of
  ``lxml.sax.saxify`` (a Python SAX callback per node and per text), builds the
  ``dom_path`` / ``xpath`` strings only for the paragraphs that are kept, and reads each
  element's tag name once.
* :class:`Paragraph` computes its ``text`` (a join and a white-space fold) once rather than
  at each of the ~8 reads that classification and revision make.
* :func:`classify_paragraphs` splits each text once and turns a stoplist into its
  lower-cased frozenset once per stoplist object (jusText's ``define_stoplist`` is an
  ``lru_cache`` keyed by the stoplist itself, so every call hashes and compares trafilatura's
  ~154,000-word tuple).

Why the results are the same. The walk emits the events that ``lxml.sax.saxify`` (lxml 6.2)
emits, in its order: for an element, its start, its text, its children, its end, its tail
(the root's tail too); for a comment or a processing instruction only its tail (saxify passes
a PI's text to ``processingInstruction``, which jusText ignores, and a comment's text to
nobody); before and after the root, the processing instructions next to it, each with its
tail; an entity reference fails on its tag, as saxify's ``_getNsTag`` does (trafilatura
catches that and keeps no jusText text, with either). Each event goes through the same state
machine as jusText's ``ParagraphMaker`` (paragraph tags, ``<br><br>``, links, blank texts).
A paragraph's path is the element path at the moment it was started, held as a pointer into
a linked stack of ``(name, order, parent)`` nodes and written out when it is kept. The
white-space fold (:func:`fold_whitespace`) is jusText's ``normalize_whitespace`` (a run
holding ``\\n`` or ``\\r`` becomes ``\\n``, any other run one space) done by two regular
expressions without a Python callback. Classification makes the same comparisons on the same
integers and floats. The tests compare every attribute with jusText's on generated trees and
on the sample pages; :func:`install` does nothing unless the versions are the ones read
(jusText 3.0.2, trafilatura 2.3.1, lxml 6.2).

Source: jusText 3.0.2 (``justext/core.py``, ``justext/paragraph.py``) by Jan Pomikálek and
Michal Belica, BSD licence; the algorithm is from Pomikálek's thesis "Removing Boilerplate and
Duplicate Content from Web Corpora" (Masaryk University, 2011). Written anew here; only the
rules are jusText's.
"""
from __future__ import annotations

import re
from typing import Any, Iterable

import lxml.etree
from justext.core import ParagraphMaker as _JustextMaker
from justext.core import (LENGTH_HIGH_DEFAULT, LENGTH_LOW_DEFAULT, MAX_LINK_DENSITY_DEFAULT, NO_HEADINGS_DEFAULT,
                          PARAGRAPH_TAGS, STOPWORDS_HIGH_DEFAULT, STOPWORDS_LOW_DEFAULT, define_stoplist)
from justext.paragraph import Paragraph as _JustextParagraph

#: The versions whose code this module reproduces: (jusText, trafilatura, lxml major.minor).
SUPPORTED = ("3.0.2", "2.3.1", (6, 2))

# A run of white space without a line break, of two characters or more, or one other than a space.
_FLAT_RUN = re.compile(r"[^\S\n\r]{2,}|[^\S\n\r ]")
# After _FLAT_RUN: a run of spaces and line breaks holding a line break (its spaces are single).
_BROKEN_RUN = re.compile(r" ?[\n\r][\n\r ]*")
_PI = lxml.etree.ProcessingInstruction
_EVENTS = ("start", "end", "comment", "pi")


def fold_whitespace(text: str) -> str:
    """jusText's ``normalize_whitespace``: each white-space run (``str.isspace``) becomes ``"\\n"``
    when it holds ``\\n`` or ``\\r``, else ``" "``. Linear in ``len(text)``."""
    if "  " not in text and text.isprintable():
        return text   # every white-space character but " " is unprintable: all runs are single spaces
    text = _FLAT_RUN.sub(" ", text)
    if "\n" in text or "\r" in text:
        text = _BROKEN_RUN.sub("\n", text)
    return text


class Paragraph(_JustextParagraph):
    """A jusText paragraph whose ``text`` is computed once, when it is made.

    Same attributes as ``justext.paragraph.Paragraph`` (``dom_path``, ``xpath``,
    ``text_nodes``, ``chars_count_in_links``, ``tags_count``, ``class_type``) and the same
    methods; ``text`` is refreshed by :meth:`append_text` (the only way jusText changes
    ``text_nodes``).
    """

    text = ""   # shadows jusText's property: set per instance

    def __init__(self, dom_path: str, xpath: str, text_nodes: list[str], chars_in_links: int, tags: int):
        self.dom_path = dom_path
        self.xpath = xpath
        self.text_nodes = text_nodes
        self.chars_count_in_links = chars_in_links
        self.tags_count = tags
        self.class_type = ""
        self.text = fold_whitespace("".join(text_nodes).strip())

    def append_text(self, text: str) -> str:
        """Append ``text`` folded (as jusText does) and recompute ``text``; returns the folded text."""
        text = fold_whitespace(text)
        self.text_nodes.append(text)
        self.text = fold_whitespace("".join(self.text_nodes).strip())
        return text


class ParagraphMaker:
    """Drop-in for ``justext.core.ParagraphMaker`` as trafilatura uses it (``make_paragraphs`` only)."""

    @classmethod
    def make_paragraphs(cls, root: Any) -> list[_JustextParagraph]:
        """The paragraphs jusText's maker finds in ``root`` (an element or an element tree), in order."""
        return make_paragraphs(root)


def make_paragraphs(root: Any) -> list[_JustextParagraph]:
    """jusText 3.0.2's paragraphs of ``root`` as ``lxml.sax.saxify`` (lxml 6.2) would feed them.

    A root that is not an element (a comment, a PI, the missing root of an empty tree) goes to
    jusText's own maker.
    """
    try:
        element = root.getroot()
    except AttributeError:
        element = root
    if not isinstance(getattr(element, "tag", None), str):
        return _JustextMaker.make_paragraphs(root)
    raw = _Walk().run(element)
    return _paragraphs(raw)


class _Walk:
    """One pass of jusText's paragraph state machine over the events saxify would emit.

    Result of :meth:`run`: ``[(path, text_nodes, chars_in_links, tags_count)]`` for the kept
    paragraphs (those with a non-blank text node), ``path`` a ``(name, order, parent)`` node or ``None``.
    """

    __slots__ = ("kept", "nodes", "texts", "links", "tags", "start", "in_link", "after_br")

    def __init__(self):
        self.kept: list[tuple] = []
        self.nodes: list[str] = []
        self.texts = False        # a text joined the open paragraph (not only a <br>'s space)
        self.links = 0
        self.tags = 0
        self.start = None         # the open paragraph's path: where it was started
        self.in_link = False
        self.after_br = False

    def run(self, root) -> list[tuple]:
        """Walk the PIs before ``root``, ``root`` with its tail, the PIs after it; then end the document."""
        before = []
        sibling = root.getprevious()
        while getattr(sibling, "tag", None) is _PI:
            before.append(sibling)
            sibling = sibling.getprevious()
        for pi in reversed(before):
            self.characters(pi.tail)
        self.tree(root)
        sibling = root.getnext()
        while getattr(sibling, "tag", None) is _PI:
            self.characters(sibling.tail)
            sibling = sibling.getnext()
        self.new_paragraph(None)
        return self.kept

    def new_paragraph(self, path) -> None:
        """Keep the open paragraph if it has text; open an empty one at ``path``.

        jusText keeps a paragraph when ``paragraph and paragraph.contains_text()``: its length
        (that of its stripped text) is not 0, so a paragraph of ``<br>`` spaces only is dropped.
        """
        if self.texts:
            self.kept.append((self.start, self.nodes, self.links, self.tags))
            self.texts = False
        if self.nodes:
            self.nodes = []
        self.links = 0
        self.tags = 0
        self.start = path

    def characters(self, text: str | None) -> None:
        """jusText's ``characters``: a non-blank text joins the open paragraph, folded."""
        if not text or text.isspace():
            return
        text = fold_whitespace(text)
        self.nodes.append(text)
        self.texts = True
        if self.in_link:
            self.links += len(text)
        self.after_br = False

    def tree(self, root) -> None:
        """The events of ``root``'s subtree and of its tail; the hot loop, so written out in one piece."""
        paragraph_tags = PARAGRAPH_TAGS
        characters = self.characters
        new_paragraph = self.new_paragraph
        path = None                 # the element path: a (name, order, parent) node
        counts: list[dict] = [{}]   # per open element (and the document): its children's names counted
        for event, el in lxml.etree.iterwalk(root, events=_EVENTS):
            if event == "start":
                tag = el.tag
                # saxify's local name (_getNsTag); an entity's tag is a function: fails here, as there
                name = tag.split("}", 1)[1] if tag[0] == "{" and "}" in tag else tag
                siblings = counts[-1]
                order = siblings.get(name, 0) + 1
                siblings[name] = order
                counts.append({})
                path = (name, order, path)
                if name in paragraph_tags or (name == "br" and self.after_br):
                    if name == "br":
                        self.tags -= 1   # <br><br> separates paragraphs and is no tag of them
                    new_paragraph(path)
                else:
                    self.after_br = name == "br"
                    if self.after_br:
                        self.nodes.append(" ")
                    elif name == "a":
                        self.in_link = True
                    self.tags += 1
                text = el.text
            elif event == "end":
                name = path[0]
                path = path[2]
                counts.pop()
                if name in paragraph_tags:
                    new_paragraph(path)
                if name == "a":
                    self.in_link = False
                text = el.tail
            else:   # a comment or a processing instruction: only its tail counts
                text = el.tail
            if text and not text.isspace():   # (characters() checks this too: here it saves a call)
                characters(text)


def _paragraphs(raw: Iterable[tuple]) -> list[Paragraph]:
    """:class:`Paragraph` objects of the :class:`_Walk` result, with their paths written out."""
    written: dict[int, tuple[str, str]] = {}   # id(path node) -> (dom_path, xpath); nodes alive in ``raw``
    out = []
    for path, nodes, links, tags in raw:
        dom, xpath = _path_strings(path, written)
        out.append(Paragraph(dom, xpath, nodes, links, tags))
    return out


def _path_strings(path, written: dict[int, tuple[str, str]]) -> tuple[str, str]:
    """``(dom_path, xpath)`` of a path node as jusText's ``PathInfo`` writes them:
    ``"html.body.div"`` and ``"/html[1]/body[1]/div[2]"``; ``("", "/")`` for the empty path."""
    if path is None:
        return "", "/"
    chain = []
    node = path
    while node is not None and id(node) not in written:
        chain.append(node)
        node = node[2]
    dom, xpath = written[id(node)] if node is not None else ("", "")
    for node in reversed(chain):
        name, order, _ = node
        dom = f"{dom}.{name}" if dom else name
        xpath = f"{xpath}/{name}[{order}]"
        written[id(node)] = (dom, xpath)
    return dom, xpath


#: Stoplists already turned into stop-word sets: id(stoplist) -> (stoplist, set). The stoplist is
#: kept so that its id cannot be reused by another object while it is here.
_STOPSETS: dict[int, tuple[Any, frozenset]] = {}
#: At most this many stoplists are kept (trafilatura passes one tuple, or one set per language).
_STOPSETS_MAX = 8


def stopword_set(stoplist: Any) -> frozenset:
    """jusText's ``define_stoplist(stoplist)`` (the words lower-cased, as a frozenset), made once per
    stoplist object. A stoplist seen for the first time goes through ``define_stoplist`` itself,
    so an unhashable one fails as it does there."""
    entry = _STOPSETS.get(id(stoplist))
    if entry is not None and entry[0] is stoplist:
        return entry[1]
    words = define_stoplist(stoplist)
    known_stopword_set(stoplist, words)
    return words


def known_stopword_set(stoplist: Any, words: frozenset) -> None:
    """Record ``words`` as :func:`stopword_set` of ``stoplist``: for a caller that knows they are
    what ``define_stoplist`` would make (``stoplist``'s words, all lower case already)."""
    if len(_STOPSETS) >= _STOPSETS_MAX:
        _STOPSETS.clear()
    _STOPSETS[id(stoplist)] = (stoplist, words)


def classify_paragraphs(paragraphs: list, stoplist: Any, length_low: int = LENGTH_LOW_DEFAULT,
                        length_high: int = LENGTH_HIGH_DEFAULT, stopwords_low: float = STOPWORDS_LOW_DEFAULT,
                        stopwords_high: float = STOPWORDS_HIGH_DEFAULT,
                        max_link_density: float = MAX_LINK_DENSITY_DEFAULT,
                        no_headings: bool = NO_HEADINGS_DEFAULT) -> None:
    """jusText's context-free classification: sets each paragraph's ``heading`` (bool) and
    ``cf_class`` (``"short"``, ``"neargood"``, ``"good"`` or ``"bad"``).

    Lengths are in characters of the paragraph's text; densities are the shares of its
    white-space separated words that are stop words (lower-cased) and of its characters that are
    inside links. Same defaults and comparisons as ``justext.core.classify_paragraphs``.
    """
    is_stopword = stopword_set(stoplist).__contains__
    for paragraph in paragraphs:
        text = paragraph.text
        length = len(text)
        words = text.split()
        stopword_density = sum(map(is_stopword, map(str.lower, words))) / len(words) if words else 0
        link_density = paragraph.chars_count_in_links / length if length else 0
        paragraph.heading = bool(not no_headings and paragraph.is_heading)
        if link_density > max_link_density or "\xa9" in text or "&copy" in text or "select" in paragraph.dom_path:
            paragraph.cf_class = "bad"
        elif length < length_low:
            paragraph.cf_class = "bad" if paragraph.chars_count_in_links > 0 else "short"
        elif stopword_density >= stopwords_high:
            paragraph.cf_class = "good" if length > length_high else "neargood"
        else:
            paragraph.cf_class = "neargood" if stopword_density >= stopwords_low else "bad"


_INSTALLED = False


def install() -> bool:
    """Make ``trafilatura.external.try_justext`` use this module's maker and classification.

    Replaces the names ``ParagraphMaker`` and ``classify_paragraphs`` that
    ``trafilatura.external`` imported from jusText (``try_justext`` looks them up there at each
    call); ``revise_paragraph_classification`` stays jusText's. Only for the versions in
    :data:`SUPPORTED`, and only while those names are still jusText's own; otherwise nothing
    changes. Idempotent; never raises. Returns whether this module is in use.
    """
    global _INSTALLED
    if _INSTALLED:
        return True
    try:
        _INSTALLED = _install()
    except Exception:   # pragma: no cover - any surprise leaves trafilatura as it is
        _INSTALLED = False
    return _INSTALLED


def _install() -> bool:
    import justext
    import justext.core
    import trafilatura
    import trafilatura.external as external

    justext_version, trafilatura_version, lxml_version = SUPPORTED
    if (getattr(justext, "__version__", None) != justext_version
            or getattr(trafilatura, "__version__", None) != trafilatura_version
            or lxml.etree.LXML_VERSION[:2] != lxml_version):
        return False
    if external.ParagraphMaker is ParagraphMaker and external.classify_paragraphs is classify_paragraphs:
        return True
    if (external.ParagraphMaker is not justext.core.ParagraphMaker
            or external.classify_paragraphs is not justext.core.classify_paragraphs):
        return False   # someone else replaced them: leave both alone
    external.ParagraphMaker = ParagraphMaker
    external.classify_paragraphs = classify_paragraphs
    return True
