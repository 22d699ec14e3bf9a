"""The page title printed again in the text: the title field keeps it, the text loses it.

Two shapes: the title as the first line of the text, and a reply heading that repeats it
anywhere ("Re: <thread title>" above each forum post, "AW:", "RE :", "回复："). A reply
prefix never hides a repeat: :func:`strip_reply_prefix` takes it off before comparing.
"""
from __future__ import annotations

from typing import Iterable

import regex

from ..document import Document, Span, kept_blocks, line_span
from ..steps import Marker

#: Separators between a headline and a site name in ``<title>`` ("Headline | Site", "Headline - Site").
_SITE_SEPARATOR = regex.compile(r"\s+[|\-–—:·•»]+\s+")
_NORM = regex.compile(r"[\W_]+")
#: Reply prefixes of forum posts and mail subjects, possibly stacked ("Re: Re[2]: AW:").
_REPLY_PREFIX = regex.compile(r"^\s*(?:(?:(?i:re|aw|sv|antw|rif|ynt|odp|vs|res)(?:\[\d+\]|\^\d+)?|回复|回覆|答复|返信)\s*[:：]\s*)+")
#: Rule name of the spans this marker makes.
RULE = "dup.title@1"
#: Shown by ``cleaner explain`` beside the rule.
RULE_DESCRIPTIONS = {RULE: "the page title printed again in the text (it stays in the title field)"}


def title_key(text: str) -> str:
    """Case-folded letters and digits only: the key under which a line equals a title."""
    return _NORM.sub("", text.casefold())


def strip_reply_prefix(text: str) -> tuple[str, bool]:
    """``text`` without a leading reply prefix ("Re: ", "AW:", "RE :"), and whether it had one."""
    m = _REPLY_PREFIX.match(text)
    if not m or m.end() >= len(text.rstrip()):
        return text, False
    return text[m.end():], True


def title_keys(title: str) -> set[str]:
    """Keys of the title and of its parts around a site-name separator ("Headline | Site" -> both parts)."""
    keys = {title_key(title)}
    parts = _SITE_SEPARATOR.split(title)
    if len(parts) > 1:
        keys.update(title_key(p) for p in parts)
    return {k for k in keys if k}


class PageTitle(Marker):
    """Mark the first kept block when it equals ``Document.title``, so the title is never there twice,
    and every reply heading ("Re: <title>") that repeats the title.

    Training text then starts with the body; a consumer that wants the headline prepends
    ``title``. Otherwise only the first block is looked at: a later line that happens to
    repeat the title without a reply prefix is content.
    """

    name = "dup.title"

    def mark(self, doc: Document) -> Iterable[Span]:
        if not doc.title:
            return
        blocks = kept_blocks(doc)
        keys = title_keys(strip_reply_prefix(doc.title)[0])
        if blocks and title_key(strip_reply_prefix(blocks[0].text)[0]) in keys:
            yield line_span(doc.text, blocks[0], RULE, "equals the title field")
            blocks = blocks[1:]
        for b in blocks:
            rest, reply = strip_reply_prefix(b.text)
            if reply and title_key(rest) in keys:
                yield line_span(doc.text, b, RULE, "reply heading repeating the title field")
