"""What extraction left out of a page, block by block, each with its reason.

Extraction keeps the main content; the rest of the page goes in two ways: the pruning
finders of :mod:`cleaner.extract.prune` take whole elements before trafilatura runs (a nav, a
consent banner, a comment thread, a related-links box, a footer), and trafilatura does not
select some of what is left. This module makes both visible without touching the
extracted text:

1. :func:`page_blocks` renders the page (before pruning) as lines, one block element a
   line, each line tagged with the rule of the pruned element it lies in, or ``None``;
2. :func:`align` matches those lines with the extracted lines (the longest common
   subsequence of their word keys, :func:`cleaner.extract.tree_text.line_key`, by
   :class:`difflib.SequenceMatcher`); a page line that has no match and whose words do
   not appear in the extracted text is *left out*: with its finder's rule
   (``extract.prune.nav@1``, ...) or ``extract.not-main@1``. Each left-out block is
   anchored at the character offset of the extracted line it preceded;
3. :func:`with_left_out` builds a view of a :class:`~cleaner.document.Document` with the
   left-out blocks inserted at their anchors as removed spans, for ``cleaner explain``
   and the report's samples. The document itself, and so the clean text, is never changed.

Shapes: a left-out block is ``[anchor, text, rule]`` (``anchor``: offset into the
extracted text, at a line start or its end; ``text``: the block, white space folded).
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from typing import Iterable, Sequence

import lxml.etree
import lxml.html

from ..document import Document, Span
from .tree_text import BLOCK_TAGS, line_key

#: Rule of a block trafilatura did not select.
NOT_MAIN = "extract.not-main@1"
#: Rule names by pruning reason (:func:`prune_reason`).
PRUNE_RULES = {r: f"extract.prune.{r}@1" for r in
               ("nav", "header", "footer", "search", "menu", "dialog", "hidden", "cookie", "comments", "related",
                "references", "cta")}
RULE_DESCRIPTIONS = {
    NOT_MAIN: "page text that the main-content extractor (trafilatura) did not select",
    PRUNE_RULES["nav"]: "a navigation block, pruned before extraction",
    PRUNE_RULES["header"]: "the site header (banner), pruned before extraction",
    PRUNE_RULES["footer"]: "the site footer, pruned before extraction",
    PRUNE_RULES["search"]: "a search form, pruned before extraction",
    PRUNE_RULES["menu"]: "a menu, pruned before extraction",
    PRUNE_RULES["dialog"]: "a modal dialog, pruned before extraction",
    PRUNE_RULES["hidden"]: "an element hidden from readers, pruned before extraction",
    PRUNE_RULES["cookie"]: "a cookie or consent banner, pruned before extraction",
    PRUNE_RULES["comments"]: "a reader comment thread, pruned before extraction",
    PRUNE_RULES["related"]: "a related-links box, pruned before extraction",
    PRUNE_RULES["references"]: "a reference list, pruned before extraction",
    PRUNE_RULES["cta"]: "a call-to-action box (sign up, book a demo, buy), pruned before extraction",
}
#: Finder kinds of :data:`cleaner.extract.prune.FINDERS` and the reason they stand for (``landmark`` is split by tag and role).
KIND_REASONS = {"consent": "cookie", "comments": "comments", "related": "related", "references": "references",
                "cta": "cta"}
_ROLE_REASONS = (("navigation", "nav"), ("search", "search"), ("banner", "header"), ("contentinfo", "footer"),
                 ("menu", "menu"), ("menubar", "menu"), ("dialog", "dialog"), ("alertdialog", "dialog"))
_OFFSET = re.compile(r"\boffset (\d+)\b")
#: One HTML page in this many (by a hash of its id, so the same pages on any engine and any
#: number of workers) has its left-out blocks aligned in every run, for the report's samples.
DETAIL_EVERY = 16
#: Page lines that pass this many lines are aligned in windows (difflib is quadratic at worst).
MAX_ALIGN_LINES = 4000


def wants_detail(doc_id: str) -> bool:
    """True for the pages whose left-out blocks every run aligns (one in :data:`DETAIL_EVERY`)."""
    import xxhash
    return xxhash.xxh32_intdigest(doc_id.encode("utf-8", "surrogatepass")) % DETAIL_EVERY == 0


def prune_reason(kind: str, el: lxml.html.HtmlElement) -> str:
    """The reason (a key of :data:`PRUNE_RULES`) a finder of kind ``kind`` pruned ``el``."""
    if kind != "landmark":
        return KIND_REASONS.get(kind, kind)
    if el.tag in ("nav", "header", "footer", "menu"):
        return el.tag
    roles = set((el.get("role") or "").lower().split())
    for role, reason in _ROLE_REASONS:
        if role in roles:
            return reason
    if el.get("aria-modal") == "true":
        return "dialog"
    return "hidden"


def prune_rule(kind: str, el: lxml.html.HtmlElement) -> str:
    """The rule name of an element pruned by a finder of kind ``kind`` (``extract.prune.REASON@1``)."""
    reason = prune_reason(kind, el)
    return PRUNE_RULES.get(reason, f"extract.prune.{reason}@1")


def page_blocks(root: lxml.html.HtmlElement, pruned: Iterable[tuple[str, lxml.html.HtmlElement]]) -> list[tuple[str, str | None]]:
    """The page's visible lines as ``[(line, rule or None)]``, before pruning changes the tree.

    ``pruned``: ``(finder kind, element)`` pairs as :func:`cleaner.extract.prune.find_chrome`
    gives them; a line inside one of them carries its :func:`prune_rule`. Lines are
    white space folded; blank lines are left out; ``<head>`` is skipped.
    """
    rules = {el: prune_rule(kind, el) for kind, el in pruned}
    body = root.find("body")
    top = body if body is not None else root
    parts: list[tuple[str, str | None]] = []
    stack: list[str | None] = [None]
    walker = lxml.etree.iterwalk(top, events=("start", "end"))
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            rule = rules.get(el, stack[-1])
            stack.append(rule)   # popped at the element's end event (delivered for a skipped subtree too)
            if tag == "head":
                walker.skip_subtree()
                continue
            if tag in BLOCK_TAGS or el in rules:
                parts.append(("\n", None))
            if el.text and tag:
                parts.append((el.text, rule))
        else:
            if len(stack) > 1:
                stack.pop()
            if tag == "head":
                continue
            if tag in BLOCK_TAGS or el in rules:
                parts.append(("\n", None))
            if el.tail and el is not top:
                parts.append((el.tail, stack[-1]))
    out: list[tuple[str, str | None]] = []
    line: list[str] = []
    line_rule: str | None = None
    for text, rule in parts + [("\n", None)]:
        if text == "\n":
            s = " ".join("".join(line).split())
            if s:
                out.append((s, line_rule))
            line, line_rule = [], None
        else:
            line.append(text)
            if rule is not None and text.strip():
                line_rule = line_rule or rule
    return out


def align(blocks: Sequence[tuple[str, str | None]], text: str) -> list[list]:
    """The blocks of ``blocks`` that ``text`` (the extraction) left out, as ``[anchor, line, rule]``.

    A block is kept when its word key matches an extracted line in the longest common
    subsequence, or when its words occur, whole and in a row, in an extracted line that no
    block matched (trafilatura joins some blocks into one line); a block whose words only
    occur inside a line another block matched is left out, shown whole. ``anchor`` is the offset of the extracted line that follows the
    block (``len(text)`` after the last one). Blocks with no words are ignored.
    """
    if not blocks:
        return []
    lines = text.split("\n")
    starts, pos = [], 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln) + 1
    ekeys = [line_key(ln) for ln in lines]
    pkeys = [line_key(b) for b, _ in blocks]
    matched_p = [-1] * len(blocks)   # extracted line index matched to each page block
    for lo in range(0, len(blocks), MAX_ALIGN_LINES):
        hi = min(len(blocks), lo + MAX_ALIGN_LINES)
        sm = difflib.SequenceMatcher(None, pkeys[lo:hi], ekeys, autojunk=False)
        for a, b, size in sm.get_matching_blocks():
            for k in range(size):
                if pkeys[lo + a + k]:
                    matched_p[lo + a + k] = b + k
    # The words of a block that matched no line are looked for in the extracted lines that no
    # block matched (lines trafilatura joined from several blocks), whole words only: a nav
    # item "Harbour" is not kept because the article's own sentence holds the word.
    taken = {b for b in matched_p if b >= 0}
    joined = " " + " \n ".join(k for i, k in enumerate(ekeys) if k and i not in taken) + " "
    out: list[list] = []
    next_line = 0   # the extracted line following the last kept block
    for i, (line, rule) in enumerate(blocks):
        if not pkeys[i]:
            continue
        if matched_p[i] >= 0:
            next_line = max(next_line, matched_p[i] + 1)
            continue
        if f" {pkeys[i]} " in joined:
            continue
        anchor = starts[next_line] if next_line < len(lines) else len(text)
        out.append([anchor, line, rule or NOT_MAIN])
    return out


def chars_by_rule(left_out: Iterable[Sequence]) -> dict[str, int]:
    """Characters of the left-out blocks by rule."""
    out: dict[str, int] = {}
    for _, line, rule in left_out:
        out[rule] = out.get(rule, 0) + len(line)
    return out


def with_left_out(doc: Document, left_out: Sequence[Sequence] | None = None) -> Document:
    """A view of ``doc`` with its left-out blocks inserted at their anchors as removed spans.

    ``left_out`` defaults to ``doc.left_out``. The other spans move with the text they
    cover; cutting every span of the view gives the same clean text as cutting ``doc``'s
    (:func:`cleaner.document.apply_spans`), and offsets named in their details ("repeats
    block at offset 40") follow. ``doc`` is not changed.
    """
    items = list(doc.left_out if left_out is None else left_out)
    if not items:
        return doc
    text = doc.text
    n = len(text)
    anchors = [min(max(int(x[0]), 0), n) for x in items]
    if n and not text.endswith("\n") and max(anchors) == n:
        text += "\n"   # kept white space at the very end: cutting the spans still gives the same clean text
        anchors = [n + 1 if a == n else a for a in anchors]
        n += 1
    order = sorted(range(len(items)), key=lambda i: anchors[i])   # stable: page order within an anchor
    pieces: list[str] = []
    spans: list[Span] = []
    shifts: list[tuple[int, int]] = []   # (original offset, shift of text at or after it)
    pos = out_len = 0
    for i in order:
        a, line, rule = anchors[i], items[i][1], items[i][2]
        pieces.append(text[pos:a])
        out_len += a - pos
        pos = a
        ins = line + "\n"
        last = spans[-1] if spans else None
        if last is not None and last.rule == rule and last.end == out_len:   # one span for a run of blocks
            spans[-1] = Span(last.start, out_len + len(ins), rule)
        else:
            spans.append(Span(out_len, out_len + len(ins), rule))
        pieces.append(ins)
        out_len += len(ins)
        shifts.append((a, out_len - a))
    pieces.append(text[pos:])
    view = "".join(pieces)

    def moved(off: int, end: bool) -> int:
        shift = 0
        for a, s in shifts:
            if off > a or (off == a and not end):
                shift = s
        return off + shift

    def detail(d: str) -> str:   # "repeats block at offset 40": the kept copy's offset moves too
        return _OFFSET.sub(lambda m: f"offset {moved(int(m.group(1)), False)}", d) if "offset" in d else d

    others = [Span(moved(s.start, False), moved(s.end, True), s.rule, detail(s.detail)) for s in doc.removed]
    return dataclasses.replace(doc, text=view, removed=others + spans, left_out=[], left_out_chars=dict(doc.left_out_chars))


def count_left_out(pruned: Iterable[tuple[str, lxml.html.HtmlElement]], visible: int, text: str) -> dict[str, int]:
    """Characters extraction left out by rule, cheaply (no alignment): each pruned element's
    visible text (white space folded) under its :func:`prune_rule`, and what the pruned page
    held beyond the extracted text (``visible`` characters, :func:`cleaner.extract.main_region.page_chars`)
    under :data:`NOT_MAIN`. Totals only; :func:`align` says which blocks."""
    out: dict[str, int] = {}
    for kind, el in pruned:
        n = len(" ".join(el.text_content().split()))
        if n:
            rule = prune_rule(kind, el)
            out[rule] = out.get(rule, 0) + n
    rest = visible - len(" ".join(text.split()))
    if rest > 0:
        out[NOT_MAIN] = rest
    return out


def left_out(pruned, visible: int, text: str, blocks) -> tuple[list | None, dict[str, int]]:
    """What :func:`cleaner.extract.main_content.extract` reports: ``(align(blocks, text) or None when
    ``blocks`` is None, count_left_out(...))``."""
    return (None if blocks is None else align(blocks, text)), count_left_out(pruned, visible, text)
