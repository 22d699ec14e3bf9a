"""Form fields and the words around them: lines that extraction keeps and no reader needs.

A text field carries its prompt beside it as plain text ("Number of slices to send:",
"First and Last name", "Leave this field blank", "Moving To"): a quote form in a service
page, a tip box under each forum post, a sign-up box in an article. trafilatura keeps such
words as lines of their own; they are never main content. A field's *box* is the highest
element around a field (:data:`FIELD_TAGS`) whose text stays within
:data:`MAX_FIELD_BOX_WORDS` words and that holds no heading; each ``<label>`` of such a
field (by ``for`` or by holding it) counts too. The lines of those boxes are taken out of
the extracted text (:func:`field_prompt_keys`); the tree is not changed, because removing
elements before trafilatura runs changes which container it picks (measured: a price
table lost on one page, a sign-in dialog gained on another).

Buttons, hidden fields, check boxes and radio buttons are not looked at: a task list's
check boxes ("- [x] write the tests") sit inside content.
"""
from __future__ import annotations

import itertools

import lxml.html

from .tree_text import line_key, render_lines
from ..rules.pattern_cache import compile_pattern

#: Elements a reader types into or picks from.
FIELD_TAGS = ("input", "textarea", "select")
#: ``<input>`` types that are not text fields (no prompt of their own to remove).
NOT_TEXT_INPUTS = frozenset({"hidden", "submit", "button", "image", "reset", "checkbox", "radio", "file", "range", "color"})
#: A field's box holds at most this many words (its prompt, a hint, a button label).
MAX_FIELD_BOX_WORDS = 12
#: Tags a field's box never grows into.
_STOP = frozenset({"body", "html", "main", "article", "form", "table", "tbody", "tr", "ul", "ol"})
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_WORD = compile_pattern(r"\w+", 0)


def _few_words(el: lxml.html.HtmlElement) -> bool:
    """True when the text of ``el`` has at most :data:`MAX_FIELD_BOX_WORDS` words.

    Stops at the word past the limit: a field's box climbs into ancestors holding much of the page.
    """
    return next(itertools.islice(_WORD.finditer(el.text_content()), MAX_FIELD_BOX_WORDS, None), None) is None


def is_text_field(el: lxml.html.HtmlElement) -> bool:
    """True for a ``<textarea>``, a ``<select>`` and an ``<input>`` one types text into."""
    if el.tag != "input":
        return True
    return (el.get("type") or "text").strip().lower() not in NOT_TEXT_INPUTS


def field_box(field: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    """The highest ancestor of ``field`` with at most :data:`MAX_FIELD_BOX_WORDS` words and no heading; ``None`` when even its parent is larger."""
    box = None
    el = field.getparent()
    while el is not None and el.tag not in _STOP and _few_words(el) \
            and next(el.iter(*_HEADINGS), None) is None:
        box = el
        el = el.getparent()
    return box


def field_boxes(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    """The boxes of the page's text fields that hold text, and the labels of those fields."""
    found = list(root.iter(*FIELD_TAGS, "label"))   # one pass over the tree for fields and labels
    fields = [f for f in found if f.tag != "label" and is_text_field(f)]
    if not fields:
        return []
    boxes: list[lxml.html.HtmlElement] = []
    ids = {f.get("id") for f in fields if f.get("id")}
    for f in fields:
        box = field_box(f)
        if box is not None and box.text_content().strip():
            boxes.append(box)
    for label in (el for el in found if el.tag == "label"):
        if (label.get("for") in ids or any(is_text_field(x) for x in label.iter(*FIELD_TAGS))) \
                and _few_words(label):
            boxes.append(label)
    return boxes


def field_prompt_keys(root: lxml.html.HtmlElement) -> set[str]:
    """Keys (:func:`cleaner.extract.tree_text.line_key`) of the lines of :func:`field_boxes`; empty on a page without text fields."""
    return {k for box in field_boxes(root) for x in render_lines(box) if (k := line_key(x))}


def drop_prompt_lines(text: str, keys: set[str]) -> str:
    """``text`` without the lines made only of field prompts (one or several glued: "Name:Email:").

    ``keys``: :func:`field_prompt_keys`. A line goes when its key is a sequence of those keys.
    """
    if not keys:
        return text
    ordered = sorted(keys, key=len, reverse=True)
    return "\n".join(x for x in text.split("\n") if not _only_prompts(line_key(x), ordered))


def _only_prompts(key: str, ordered: list[str]) -> bool:
    if not key:
        return False
    while key:
        for p in ordered:
            if key == p or key.startswith(p + " "):
                key = key[len(p) + 1:]
                break
        else:
            return False
    return True
