"""A page that extraction returned as one long line is given back its lines.

When trafilatura's own extraction finds too little it falls back on its baseline, which
takes the text of the page's ``<article>`` element folded into one line: headline, byline,
"Published on", the photo credit and every paragraph run together. No line rule can then
tell chrome from content, and in-page duplicate removal sees one block. Rendering that
same element one block a line (:func:`cleaner.extract.tree_text.render_lines`) gives the
same words back with their line breaks; only lines whose words the glued text holds are
kept, so nothing trafilatura left out comes back.
"""
from __future__ import annotations

import lxml.html

from .tree_text import line_key, render_lines

#: A single line of extracted text this long (characters) is suspect of being a glued article.
MIN_GLUED_CHARS = 1000
#: The re-rendered lines must give back at least this share of the glued line's words (0-1).
MIN_RECOVERED_SHARE = 0.9


def split_glued(root: lxml.html.HtmlElement, text: str) -> str:
    """``text`` split into the lines of the ``<article>`` it was folded from; unchanged when it has several lines or no article matches.

    ``root``: the parsed page (not changed). Returns lines in the article's order.
    """
    line = text.strip()
    if "\n" in line or len(line) < MIN_GLUED_CHARS:
        return text
    glued = f" {line_key(line)} "
    for article in root.iter("article"):
        if any(a.tag == "article" for a in article.iterancestors()):
            continue
        lines = [x for x in render_lines(article) if (k := line_key(x)) and f" {k} " in glued]
        if sum(len(line_key(x)) + 1 for x in lines) >= MIN_RECOVERED_SHARE * len(glued):
            return "\n".join(lines)
    return text
