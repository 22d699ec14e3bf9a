"""Index and listing pages: a section front made only of teaser cards holds no main text.

A teaser card is a headline, at most one short summary sentence, and a date line (in any
order within the card). A page whose kept text is nothing but such cards (at least
:data:`MIN_CARDS` of them, most with a date) is a list of links to articles, not an
article; training on it teaches the model headlines without their stories. It is dropped
with the reason ``"no main content"``, the same reason as a page where extraction found
nothing.

The test is on shapes only (no words of a language), so that it holds in every language:

- a *headline* line: no sentence end, 2 to :data:`MAX_HEADLINE_WORDS` words;
- a *summary* line: one sentence of at most :data:`MAX_SUMMARY_WORDS` words;
- a *date* line: a date (numeric, with a month name in en/de/fr/es, or CJK 年月日), with at
  most :data:`MAX_DATE_LINE_WORDS` words besides it ("May 3, 2024 · 4 min read");
- anything else (a paragraph, two summary sentences in a row, a table, code) means the
  page has text of its own, and it stays.
"""
from __future__ import annotations

from typing import Iterable

from ..document import Document, apply_spans
from ..rules import text_shape
from ..rules.pattern_cache import compile_pattern
from ..steps import Filter

#: A page needs at least this many teaser cards (headline lines) to be an index.
MIN_CARDS = 4
#: ... and at least this share of its cards must carry a date line (0-1).
MIN_DATED_SHARE = 0.6
#: A teaser headline has at most this many words (:func:`cleaner.rules.text_shape.word_count`).
MAX_HEADLINE_WORDS = 20
#: A teaser summary is one sentence of at most this many words.
MAX_SUMMARY_WORDS = 40
#: A date line holds at most this many words besides the date ("4 min read", a byline name).
MAX_DATE_LINE_WORDS = 6
#: A line longer than this is never part of a teaser card (characters).
MAX_LINE_CHARS = 400
#: The reason a dropped index page is given.
REASON = "no main content"

_MONTHS = ("jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|f[ée]v(?:rier)?|m[äa]r(?:ch|z|s)?|apr(?:il)?|avr(?:il)?|"
           "ma[iy]|mai|jun[ei]?|juin|jul[iy]?|juil(?:let)?|aug(?:ust)?|ao[uû]t|sep(?:t|tember|tiembre|tembre)?|"
           "o[ck]t(?:ober|obre|ubre)?|nov(?:ember|embre|iembre)?|de[cz](?:ember|embre)?|d[ée]c(?:embre)?|"
           "ene(?:ro)?|febrero|marzo|abr(?:il)?|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
           "janvier|février|mars|juillet|janeiro")
_DATE = compile_pattern(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|"
    r"\d{1,2}\s*月\s*\d{1,2}\s*日|"
    rf"(?i:\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\b\d{{1,2}}(?:\.|er|º)?\s+(?:de\s+)?(?:{_MONTHS})\.?,?\s+(?:de\s+)?\d{{4}})", 0)


_SENTENCE_END = compile_pattern(r"[.!?。！？](?:\s|$)", 0)


def is_date_line(text: str) -> bool:
    """True for a line that is a date with at most :data:`MAX_DATE_LINE_WORDS` other words."""
    m = _DATE.search(text)
    if m is None:
        return False
    rest = text[:m.start()] + " " + text[m.end():]
    return text_shape.word_count(rest) <= MAX_DATE_LINE_WORDS


def line_kind(text: str) -> str:
    """``"date"``, ``"headline"``, ``"summary"``, ``"label"`` (one word, no sentence end) or ``"other"`` for one kept line."""
    s = text_shape.core(text).strip()
    if not s or len(s) > MAX_LINE_CHARS or text_shape.is_table_row(s):
        return "other"
    words = text_shape.word_count(s)
    if words > MAX_SUMMARY_WORDS:
        return "other"
    if words <= MAX_HEADLINE_WORDS and is_date_line(s):
        return "date"
    if not text_shape.ends_sentence(s):
        if words < 2:
            return "label"
        return "headline" if words <= MAX_HEADLINE_WORDS else "other"
    if len(_SENTENCE_END.findall(s)) <= 1:
        return "summary"
    return "other"


def is_teaser_index(lines: Iterable[str]) -> bool:
    """True when ``lines`` (the kept lines of a page) are teaser cards and nothing else.

    A card starts at a headline line; it may hold one summary and one date line; one-word
    lines (labels) are passed over. Two summaries in one card, more than two summary or
    date lines before the first headline, or any other line, and the page is not an index.
    """
    kinds = []
    for x in lines:
        if not x.strip():
            continue
        k = line_kind(x)
        if k == "other":
            return False    # most pages stop at their first paragraph
        if k != "label":
            kinds.append(k)
    cards = dated = 0
    summary = date = False
    loose = 0   # summary/date lines before the first headline
    for k in kinds:
        if k == "headline":
            cards += 1
            dated += date
            summary = date = False
            continue
        if cards == 0:
            loose += 1
            if loose > 2:
                return False
            continue
        if k == "summary":
            if summary:
                return False    # two sentences in one card: text of its own
            summary = True
        elif k == "date":
            date = True
    dated += date
    if loose and cards:   # a date or summary above the first headline belongs to the first card
        dated = min(cards, dated + (1 if "date" in kinds[:loose] else 0))
    return cards >= MIN_CARDS and dated >= MIN_DATED_SHARE * cards


class IndexPage(Filter):
    """Drop a page whose kept text is only teaser cards (:func:`is_teaser_index`) with reason ``"no main content"``."""

    name = "index.teasers"

    def reason(self, doc: Document) -> str | None:
        if not doc.text:
            return None
        kept = apply_spans(doc.text, doc.removed)
        return REASON if is_teaser_index(kept.split("\n")) else None
