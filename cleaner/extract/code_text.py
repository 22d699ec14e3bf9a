"""Code as a page prints it: line numbers beside code blocks go, source indentation outside code goes.

Line numbers: a highlighted code block often carries its line numbers as text of their own
(Pygments' ``<span class="linenos">``, a gutter table cell), which extraction glues to the
code ("5version: 2", "18sphinx:"); :func:`drop_line_numbers` removes those elements from
the parsed page when they hold nothing but numbers (:data:`LINE_NUMBER_CLASSES`).

Indentation that came from the page's source, not from code, is taken off extracted lines.

trafilatura keeps the white space of a text node now and then (a table cell, a forum
post's tail text, a shop's price block), so a line of extracted text can start with the
tabs or spaces that indented the HTML source: "\\t\\t\\tUpvotes: 0", "          Regular price".
Such a line looks like indented code, and code is never chrome and never a duplicate
(:func:`cleaner.rules.text_shape.code_lines`), so the furniture on it stayed. Real code keeps
its indentation: a line is left as it is when its text is a line of one of the page's
code elements (:data:`CODE_TAGS`); so does an item of a nested list ("    - item", "    2. item"),
which trafilatura indents on purpose.
"""
from __future__ import annotations

import re
from typing import Iterable

import lxml.html

#: Elements whose text keeps its indentation (code, preformatted text, their old spellings).
CODE_TAGS = ("pre", "code", "textarea", "xmp", "listing", "plaintext", "samp")

#: An indented list item as trafilatura writes nested lists: "    - item", "    3. item".
_NESTED_ITEM = re.compile(r"[ \t]+(?:[-*•][ \t]|\w{1,4}[.)][ \t])")


#: Class names of the elements that hold a code block's line numbers (Pygments, Prism,
#: highlight.js' line-number plugin, Rouge and Hexo gutters, CodeMirror): inside a ``<pre>``, or a
#: table cell or ``<div>`` of its own beside it.
LINE_NUMBER_CLASSES = frozenset(("linenos", "lineno", "linenodiv", "line-numbers-rows", "hljs-ln-numbers", "rouge-gutter",
                                 "gutter", "CodeMirror-linenumber", "line-number", "line-numbers"))
_ONLY_NUMBERS = re.compile(r"[\d\s.:]*")


def _numbers_class(el: lxml.html.HtmlElement) -> bool:
    return _numbers_value(el.get("class"))


def _numbers_value(cls: str | None) -> bool:
    """True when the class attribute value ``cls`` names one of :data:`LINE_NUMBER_CLASSES`."""
    return bool(cls) and not LINE_NUMBER_CLASSES.isdisjoint(cls.split())


def drop_line_numbers(root: lxml.html.HtmlElement, class_values: Iterable[str] | None = None) -> int:
    """Remove, in place, the elements of :data:`LINE_NUMBER_CLASSES` that hold only numbers (their tails stay).

    Returns how many were removed. Only ``<pre>`` descendants, ``<td>`` and ``<div>`` elements
    are looked at (one pass over the tree in C: about 0.4 ms a page); an element of such a
    class holding words (a layout "gutter") is left alone. ``class_values``: the distinct values
    of the ``class`` attributes under ``root`` (repeats allowed, but slower), when the caller has them
    (:class:`cleaner.extract.prune.PageAttrs`): a page none of whose distinct values names a
    line-number class (all but a few) is then passed without the walk over its elements.
    """
    if class_values is not None and LINE_NUMBER_CLASSES.isdisjoint(" ".join(class_values).split()):
        return 0    # the class names of all distinct values at once: no value names a line-number class
    found = []
    for el in root.iter("pre", "td", "div"):
        if el.tag == "pre":
            found.extend(d for d in el.iterdescendants() if _numbers_class(d))
        elif _numbers_class(el):
            found.append(el)
    done = 0
    for el in found:
        if el.getparent() is not None and _ONLY_NUMBERS.fullmatch(el.text_content()):
            el.drop_tree()
            done += 1
    return done


def _indented(line: str) -> bool:
    """Same test as :func:`cleaner.rules.text_shape.is_indented_code` (a tab or four spaces)."""
    return line.startswith("\t") or line.startswith("    ")


def _fold(line: str) -> str:
    return " ".join(line.split())


def dedent_source_lines(root: lxml.html.HtmlElement, text: str) -> str:
    """``text`` with the leading white space taken off indented lines that no code element of ``root`` holds.

    ``root``: the parsed page the text was extracted from. A page without any indented
    line is returned unchanged without looking at the tree.
    """
    lines = text.split("\n")
    todo = [i for i, line in enumerate(lines) if _indented(line) and line.strip() and not _NESTED_ITEM.match(line)]
    if not todo:
        return text
    code: set[str] = set()
    for el in root.iter(*CODE_TAGS):
        code.update(_fold(x) for x in el.text_content().split("\n"))
    changed = False
    for i in todo:
        if _fold(lines[i]) not in code:
            lines[i] = lines[i].lstrip()
            changed = True
    return "\n".join(lines) if changed else text
