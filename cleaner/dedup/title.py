"""The page title printed again as the first line of the text: the title field keeps it, the text loses it."""
from __future__ import annotations

from typing import Iterable

import regex

from ..document import Document, Span, kept_blocks, line_span
from ..steps import Marker

#: Separators between a headline and a site name in ``<title>`` ("Headline | Site", "Headline - Site").
_SITE_SEPARATOR = regex.compile(r"\s+[|\-–—:·•»]+\s+")
_NORM = regex.compile(r"[\W_]+")
#: Rule name of the spans this marker makes.
RULE = "dup.title@1"


def title_key(text: str) -> str:
    """Case-folded letters and digits only: the key under which a line equals a title."""
    return _NORM.sub("", text.casefold())


def title_keys(title: str) -> set[str]:
    """Keys of the title and of its parts around a site-name separator ("Headline | Site" -> both parts)."""
    keys = {title_key(title)}
    parts = _SITE_SEPARATOR.split(title)
    if len(parts) > 1:
        keys.update(title_key(p) for p in parts)
    return {k for k in keys if k}


class PageTitle(Marker):
    """Mark the first kept block when it equals ``Document.title``, so the title is never there twice.

    Training text then starts with the body; a consumer that wants the headline prepends
    ``title``. Only the first block is looked at: a later line that happens to repeat the
    title is content.
    """

    name = "dup.title"

    def mark(self, doc: Document) -> Iterable[Span]:
        if not doc.title:
            return
        blocks = kept_blocks(doc)
        if blocks and title_key(blocks[0].text) in title_keys(doc.title):
            yield line_span(doc.text, blocks[0], RULE, "equals the title field")
