"""The page title printed again in the text: the title field keeps it, the text loses it.

Two shapes: the title as the first line of the text, and a reply heading that repeats it
anywhere ("Re: <thread title>" above each forum post, "AW:", "RE :", "回复："). A reply
prefix never hides a repeat: :func:`strip_reply_prefix` takes it off before comparing.

A section or category label printed right above the headline ("Blog", "News", "Politik")
goes with it (``dup.title-label@1``), and so do further copies of the headline in the head
of the page, before its first paragraph of prose.

Text input (scraped text, WET) has no title field: :func:`text_headline` decides whether
its first kept line is the page's headline (printed again near the top, a " | Site name"
suffix, or the words of the URL's last path segment) and the marker then fills ``title``
with it, site-name suffix dropped, and marks the line, so that HTML and text records come
out alike.
"""
from __future__ import annotations

from typing import Iterable

import regex

from ..document import Document, Span, line_span, visible_blocks
from ..rules.ids import named_by_any
from ..rules.pattern_cache import compile_pattern
from ..steps import Marker

#: Separators between a headline and a site name in ``<title>`` ("Headline | Site", "Headline - Site").
_SITE_SEPARATOR = compile_pattern(r"\s+[|\-–—:·•»]+\s+", 0)
_NORM = compile_pattern(r"[\W_]+", 0)
#: Reply prefixes of forum posts and mail subjects, possibly stacked ("Re: Re[2]: AW:").
_REPLY_PREFIX = compile_pattern(r"^\s*(?:(?:(?i:re|aw|sv|antw|rif|ynt|odp|vs|res)(?:\[\d+\]|\^\d+)?|回复|回覆|答复|返信)\s*[:：]\s*)+", 0)
#: Rule name of the spans this marker makes.
RULE = "dup.title@1"
#: Rule name of a section label right above the headline.
LABEL_RULE = "dup.title-label@1"
#: Shown by ``cleaner explain`` beside the rule.
RULE_DESCRIPTIONS = {RULE: "the page title printed again in the text (it stays in the title field)",
                     LABEL_RULE: "a section or category label printed right above the headline (Blog, News, Politik)"}
#: A text headline has at most this many words (:func:`cleaner.rules.text_shape.word_count`) ...
MAX_HEADLINE_WORDS = 30
#: ... and at most this many characters.
MAX_HEADLINE_CHARS = 250
#: A site name after a separator has at most this many words.
MAX_SITE_WORDS = 5
#: The headline's copies are looked for among this many kept lines after it.
HEAD_LINES = 8
#: A kept line with at least this many words that ends like a sentence is prose: the head of the page ends there.
PROSE_WORDS = 12
#: A first line without other evidence is a headline when it has at least this many words and prose follows it.
MIN_BARE_HEADLINE_WORDS = 4
#: Share of the URL slug's words (3 or more) that a first line must hold to be taken for the headline (0-1).
MIN_SLUG_SHARE = 0.75
_SLUG_WORD = compile_pattern(r"[\p{L}\p{N}]+", 0)


def title_key(text: str) -> str:
    """Case-folded letters and digits only: the key under which a line equals a title."""
    return _NORM.sub("", text.casefold())


def strip_reply_prefix(text: str) -> tuple[str, bool]:
    """``text`` without a leading reply prefix ("Re: ", "AW:", "RE :"), and whether it had one."""
    if ":" not in text and "：" not in text:
        return text, False   # every prefix ends with a colon: most lines need no pattern match
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


def split_site_name(line: str, url: str | None = None, next_line: str | None = None) -> tuple[str, str | None]:
    """``("Headline", "Site")`` for ``"Headline | Site"``; ``(line, None)`` without such a suffix.

    The suffix is the last part after a separator (:data:`_SITE_SEPARATOR`), of at most
    :data:`MAX_SITE_WORDS` words, after a headline part of at least two words. It must be
    shorter than the headline part, unless other evidence names it the site: a word of it
    is a label of ``url``'s host ("Harbour news | Harbour Times" on harbour.example), or
    ``next_line`` repeats the headline part (the headline printed again below).
    """
    from ..rules.text_shape import word_count

    text = line.strip()
    seps = list(_SITE_SEPARATOR.finditer(text))
    if not seps:
        return text, None
    head, site = text[:seps[-1].start()].strip(), text[seps[-1].end():].strip()
    if not site or word_count(site) > MAX_SITE_WORDS or word_count(head) < 2:
        return text, None
    if len(site) >= len(head) and not (_names_host(site, url) or
                                       (next_line is not None and title_key(next_line) == title_key(head))):
        return text, None
    return head, site


def _names_host(site: str, url: str | None) -> bool:
    """True when a word of ``site`` (three letters or more) is a label of ``url``'s host, ``www`` and the suffix aside."""
    from urllib.parse import urlsplit

    if not url:
        return False
    labels = (urlsplit(url).hostname or "").casefold().split(".")[:-1]
    words = {w.casefold() for w in _SLUG_WORD.findall(site) if len(w) >= 3}
    return bool(words & (set(labels) - {"www"}))


def _slug_words(url: str | None) -> list[str]:
    from urllib.parse import unquote, urlsplit

    if not url:
        return []
    path = unquote(urlsplit(url).path).rstrip("/")
    last = path.rsplit("/", 1)[-1]
    last = regex.sub(r"\.[a-z0-9]{2,5}$", "", last, flags=regex.I)
    return [w.casefold() for w in _SLUG_WORD.findall(last) if not w.isdigit()]


def text_headline(first_line: str, copies: Iterable[str] = (), url: str | None = None,
                  next_line: str | None = None) -> str | None:
    """The page's headline when ``first_line`` (the first kept line of a text) is one, else ``None``.

    It is one when it is short (:data:`MAX_HEADLINE_WORDS`, :data:`MAX_HEADLINE_CHARS`),
    does not end like a sentence, and: one of ``copies`` (lines other steps removed as
    duplicates, or the line right above the first prose) equals it; or it ends in a site name ("Headline | Site"); or it holds
    :data:`MIN_SLUG_SHARE` of the words (three or more) of the URL's last path segment; or
    it has at least :data:`MIN_BARE_HEADLINE_WORDS` words and ``next_line`` (the kept line
    after it) is a paragraph of prose (:data:`PROSE_WORDS` words, sentence end).
    Returns the headline without the site name.

    Only evidence that a second cleaning cannot find again is used (the removed copies are
    gone from a cleaned text; the prose line after a bare headline becomes the first line,
    and prose is no headline), so cleaning a cleaned text takes no new title from it.
    """
    from ..rules.text_shape import core, ends_sentence, word_count

    first = core(first_line).strip()
    if not first or len(first) > MAX_HEADLINE_CHARS or ends_sentence(first) or word_count(first) > MAX_HEADLINE_WORDS:
        return None
    if word_count(first) < 2:
        return None
    head, site = split_site_name(first, url, next_line)
    keys = {title_key(first), title_key(head)}
    if any(title_key(strip_reply_prefix(core(c))[0]) in keys for c in copies):
        return head
    if site is not None:
        return head
    slug = _slug_words(url)
    if len(slug) >= 3:
        words = {w.casefold() for w in _SLUG_WORD.findall(head)}
        if sum(w in words for w in slug) >= MIN_SLUG_SHARE * len(slug):
            return head
    if next_line is not None and word_count(first) >= MIN_BARE_HEADLINE_WORDS:
        if _is_prose(core(next_line)):
            return head
    return None


class TextTitle(Marker):
    """For a document without a title (text input; a page with no headline): take its first
    kept line for the title when :func:`text_headline` says it is the headline, and mark the
    line (with a bare label right above it) as :class:`PageTitle` does for HTML.

    Runs after the other markers, on what they left: the first kept line is then the one a
    reader sees first, and the copies the in-page duplicate step removed are its evidence.
    Fills ``Document.title`` (no text changes but the marked spans).
    """

    name = "dup.text-title"

    def mark(self, doc: Document) -> Iterable[Span]:
        if doc.title or not doc.text or named_by_any(self.disabled_rules, RULE):   # switched off: no title taken either
            return
        blocks = visible_blocks(doc)[:HEAD_LINES + 3]
        if not blocks:
            return
        copies = [doc.text[sp.start:sp.end] for sp in doc.removed if sp.rule.startswith("dup.")]
        at, title = self._choose([b.text for b in blocks], copies, doc.url)
        if title is None:
            return
        # its copies further down the head of the page (and labels between them) go as on an HTML page
        copies = [c for c in PageTitle._head(blocks, title_keys(blocks[at].text) | title_keys(title)) if c[0] > at]
        # What a second cleaning would see first must not be a headline in turn (idempotence):
        # when the line after this one and its copies is a headline too, the page's head is
        # ambiguous; none is taken.
        gone = {k for k, _, _ in copies}
        if self._choose([b.text for k, b in enumerate(blocks) if k > at and k not in gone], (), doc.url)[1] is not None:
            return
        doc.title = title
        if at:
            yield line_span(doc.text, blocks[0], LABEL_RULE, "label right above the headline")
        yield line_span(doc.text, blocks[at], RULE, "the first line is the headline, moved to the title field")
        for k, rule, why in copies:
            yield line_span(doc.text, blocks[k], rule, why)

    @staticmethod
    def _choose(lines: list[str], copies, url: str | None) -> tuple[int, str | None]:
        """``(index, headline)`` of the headline among the first kept ``lines`` (the first, or
        the second below a bare label), or ``(0, None)``. Besides ``copies``, the headline printed
        again right above the first line of prose is evidence (:func:`_line_above_prose`)."""
        from ..rules.text_shape import core, is_label

        if len(lines) < 2:
            return 0, None
        if len(lines) > 2 and is_label(core(lines[0])):
            title = text_headline(lines[1], [*copies, *_line_above_prose(lines[2:])], url, lines[2])
            if title is not None:
                return 1, title
        return 0, text_headline(lines[0], [*copies, *_line_above_prose(lines[1:])], url, lines[1])


def _line_above_prose(lines: list[str]) -> list[str]:
    """``[line]`` when one of the first :data:`HEAD_LINES` of ``lines`` stands right above the
    first line of prose (:data:`PROSE_WORDS` words and a sentence end), else ``[]``: where a
    headline printed again over its article stands ("Headline / Home / Contact / Headline /
    <prose>"). A line repeated elsewhere (a refrain, a poem's title in its last verse) is no evidence.
    """
    from ..rules.text_shape import core

    for k, line in enumerate(lines[:HEAD_LINES + 1]):
        if _is_prose(core(line)):
            return [lines[k - 1]] if k > 0 else []
    return []


def _is_prose(core: str) -> bool:
    """A line (its :func:`cleaner.rules.text_shape.core`) of prose: :data:`PROSE_WORDS` words
    or more and a sentence end; the head of a page ends at the first."""
    from ..rules.text_shape import ends_sentence, word_count
    return word_count(core) >= PROSE_WORDS and ends_sentence(core)


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
        blocks = visible_blocks(doc)
        keys = title_keys(strip_reply_prefix(doc.title)[0])
        head = self._head(blocks, keys)
        if head:
            for k, rule, why in head:
                yield line_span(doc.text, blocks[k], rule, why)
            blocks = blocks[max(k for k, _, _ in head) + 1:]
        for b in blocks:
            rest, reply = strip_reply_prefix(b.text)
            if reply and title_key(rest) in keys:
                yield line_span(doc.text, b, RULE, "reply heading repeating the title field")

    @staticmethod
    def _head(blocks, keys: set[str]) -> list[tuple[int, str, str]]:
        """``(index, rule, detail)`` of the headline's copies in the head of the page and of a label above the first.

        The first kept line is looked at, or the second when the first is a bare label
        (:func:`cleaner.rules.text_shape.is_label`); after a first copy, further copies go until
        the first line of prose (:data:`PROSE_WORDS`), or :data:`HEAD_LINES` lines.
        """
        from ..rules.text_shape import core, is_label

        def is_title(k: int) -> bool:
            return title_key(strip_reply_prefix(blocks[k].text)[0]) in keys

        out: list[tuple[int, str, str]] = []
        if blocks and is_title(0):
            out.append((0, RULE, "equals the title field"))
        elif len(blocks) > 1 and is_label(core(blocks[0].text)) and is_title(1):
            out += [(0, LABEL_RULE, "label right above the headline"), (1, RULE, "equals the title field")]
        if not out:
            return out
        labels: list[int] = []   # bare labels since the last copy: they go when another copy follows
        for k in range(out[-1][0] + 1, min(len(blocks), out[-1][0] + 1 + HEAD_LINES)):
            text = core(blocks[k].text)
            if _is_prose(text):
                break
            if is_title(k):
                out += [(j, LABEL_RULE, "label between copies of the headline") for j in labels]
                out.append((k, RULE, "the title printed again in the head of the page"))
                labels = []
            elif is_label(text):
                labels.append(k)
        return out
