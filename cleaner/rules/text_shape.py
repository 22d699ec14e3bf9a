"""Text shapes that rules and in-page duplicate detection compute: words, code, list items, labels.

These are the small measurements that regular expressions cannot express well: how many
words a line holds when half the page is written without spaces, whether a line belongs to
a code block, whether it is a bare label. Everything here is a pure function of its input.
"""
from __future__ import annotations

import functools
import itertools
import re
from typing import Sequence

import regex

from ..re_cache import compile_re
from .pattern_cache import compile_pattern

#: A line indented by at least this many spaces (or one tab) is code or preformatted text.
CODE_INDENT_SPACES = 4
#: Letters of scripts written without spaces that count as one word (Japanese and Chinese
#: words average about two characters).
NO_SPACE_CHARS_PER_WORD = 2
#: A label ("Blog", "Mon", "Closed", "10:00 AM - 8:00 PM") has at most this many words.
MAX_LABEL_WORDS = 2
#: A teaser in a related-links list: a list item of at most this many words ...
MAX_TEASER_ITEM_WORDS = 50
#: ... or a plain line of at most this many words without sentence end (a headline); a
#: longer line, or a sentence, is article text and ends the list.
MAX_TEASER_LINE_WORDS = 25
#: A headline may ask a question ("Which liner lasts longest?"): a question of at most this
#: many words is a teaser too; a longer one is prose.
MAX_TEASER_QUESTION_WORDS = 10

#: A menu item printed alone on a line ("Startseite", "What's new", "Terms and rules") has at
#: most this many words ...
MAX_MENU_ITEM_WORDS = 3
#: ... or, written without spaces ("APIリファレンス", "首页"), at most this many characters.
MAX_MENU_ITEM_CHARS_NO_SPACE = 10
#: A prose line (it fixes where a page's text starts and ends) ends like a sentence and has
#: at least this many words; a caption or a one-line paragraph counts.
MIN_PROSE_WORDS = 3
#: A line of at least this many words is prose whatever its ending.
MIN_PROSE_WORDS_ANY_END = 20

#: Below this code point no character belongs to a script written without spaces (Thai starts it).
NO_SPACE_START = "\u0e00"
_LETTER_TOKEN = re.compile(r"\S*[^\W\d_]\S*")  # stdlib re: faster, and enough for letters
#: A character at or past :data:`NO_SPACE_START` (``max(text) < NO_SPACE_START`` is its absence).
_FROM_NO_SPACE_START = compile_re("[" + NO_SPACE_START + "-\U0010ffff]")
_NO_SPACE = compile_pattern(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]", 0)
_SPACED_WORD = compile_pattern(r"[^\s\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]*[\p{L}--[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]][^\s\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]*", regex.V1)
_WHITE_SPACE = regex.compile(r"\s", regex.V1)
#: Code point ranges (start, end exclusive) searched for characters on which the stdlib
#: ``re`` word test of the fast path and the ``regex`` one of :data:`_SPACED_WORD` agree: the
#: Basic Multilingual Plane (Latin, Cyrillic, Greek, Arabic, curly quotes, dashes, symbols)
#: and the emoji blocks. A character outside them always takes the ``regex`` path.
AGREEMENT_RANGES = ((0x0000, 0x10000), (0x1F000, 0x1FC00))


def _agreeing_ranges() -> list[tuple[int, int]]:
    """Code point ranges ``(start, end exclusive)`` within :data:`AGREEMENT_RANGES` of the
    characters that both word tests read alike, character by character: white space to both
    or to neither, a letter to both or to neither, none of a script written without spaces.
    A text made only of them has as many ``_LETTER_TOKEN`` matches as ``_SPACED_WORD`` matches
    (both count the runs of non-blanks that hold a letter)."""
    no_space = "\\p{Han}\\p{Hiragana}\\p{Katakana}\\p{Thai}\\p{Lao}\\p{Khmer}\\p{Myanmar}"
    classes = (re.compile(r"\s+"), regex.compile(r"\s+", regex.V1), re.compile(r"[^\W\d_]+"),
               regex.compile(rf"[\p{{L}}--[{no_space}]]+", regex.V1), regex.compile(rf"[{no_space}]+"))
    out = []
    for lo, hi in AGREEMENT_RANGES:
        pool = "".join(map(chr, range(lo, hi)))

        def members(run) -> int:
            # One byte per character of the pool, 1 where ``run`` (runs of one class) matches it.
            flags = bytearray(len(pool))
            for m in run.finditer(pool):
                flags[m.start():m.end()] = b"\x01" * (m.end() - m.start())
            return int.from_bytes(flags, "little")

        space_re, space_regex, letter_re, letter_regex, no_space_regex = map(members, classes)
        differ = (space_re ^ space_regex) | (letter_re ^ letter_regex) | no_space_regex
        out += [(lo + m.start(), lo + m.end()) for m in re.finditer(rb"\x00+", differ.to_bytes(len(pool), "little"))]
    return out


def _cached_agreeing_ranges() -> list[tuple[int, int]]:
    """:func:`_agreeing_ranges`, kept in the user's cache (:mod:`cleaner.user_cache`).

    Computing them reads every character of :data:`AGREEMENT_RANGES` with five patterns,
    about 17 ms at each start of a process (a one-page run takes 0.5 s). They depend only on
    the Unicode tables of Python and of ``regex``, so the file is named by both versions; a
    file that cannot be read or written is ignored (the ranges are computed, never wrong).
    """
    import json
    import os
    import sys
    import unicodedata

    from ..user_cache import user_cache_dir

    path = user_cache_dir(f"word-ranges-v1-py{sys.version_info[0]}.{sys.version_info[1]}-"
                          f"unicode{unicodedata.unidata_version}-regex{getattr(regex, '__version__', '?')}.json")
    try:
        with open(path, encoding="utf-8") as fh:
            got = [(int(a), int(b)) for a, b in json.load(fh)]
        if got and all(lo <= a < b <= hi for a, b in got for lo, hi in [_range_of(a)]):
            return got
    except (OSError, ValueError, TypeError):
        pass
    got = _agreeing_ranges()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(got, fh)
        os.replace(tmp, path)
    except OSError:
        pass
    return got


def _range_of(cp: int) -> tuple[int, int]:
    """The range of :data:`AGREEMENT_RANGES` holding code point ``cp`` (``(0, 0)`` for none)."""
    return next(((lo, hi) for lo, hi in AGREEMENT_RANGES if lo <= cp < hi), (0, 0))


def _char_class(ranges: list[tuple[int, int]]) -> str:
    """A stdlib ``re`` character-class body listing the code point ``ranges`` (start, end exclusive)."""
    return "".join(re.escape(chr(a)) + ("-" + re.escape(chr(b - 1)) if b - 1 > a else "") for a, b in ranges)


#: A character outside the agreeing set: only then does :func:`word_count` need ``regex``.
_DISAGREEING = compile_re("[^" + _char_class(_cached_agreeing_ranges()) + "]")
_LIST_MARKER = regex.compile(r"^\s*(?:[-*+•▪►◦‣]\s+|・\s*)")
_HEADING_MARK = regex.compile(r"#{1,6}\s+")
_FRAME = "*_=~ \t"
_CLOSERS = "\"'”’»)]）」』】 \t"
_SENTENCE_END = ".!?。！？…"
_FENCE = regex.compile(r"^\s*(?:```|~~~)")
_DIGIT = regex.compile(r"\d")


@functools.lru_cache(maxsize=16384)
def word_count(text: str) -> float:
    """Words in ``text``: space-delimited tokens holding a letter, plus letters of
    scripts written without spaces divided by :data:`NO_SPACE_CHARS_PER_WORD`.

    Digits and punctuation alone are not words: ``"10:00 AM - 8:00 PM"`` has 2.
    """
    if _letter_tokens_count(text):
        return len(_LETTER_TOKEN.findall(text))
    no_space = len(_NO_SPACE.findall(text))
    return len(_SPACED_WORD.findall(text)) + no_space / NO_SPACE_CHARS_PER_WORD


def _letter_tokens_count(text: str) -> bool:
    """True when :func:`word_count` of ``text`` is its number of ``_LETTER_TOKEN`` matches: no
    character of a script without spaces (``max(text) < NO_SPACE_START``, tested without a
    Python loop over the characters: ``isascii`` is a flag of the string, the pattern a C scan),
    or only characters on which both word tests agree (curly quotes, dashes)."""
    return text.isascii() or _FROM_NO_SPACE_START.search(text) is None or _DISAGREEING.search(text) is None


#: Word counts from this many up are all the same to the markers (every threshold they compare
#: a :func:`capped_word_count` with is below it).
MANY_WORDS = 32


@functools.lru_cache(maxsize=16384)
def capped_word_count(text: str) -> float:
    """``min(word_count(text), MANY_WORDS)``, reading no further than the :data:`MANY_WORDS`-th
    word when the count is one of ``_LETTER_TOKEN`` matches (a long paragraph is not split whole).

    For comparisons with thresholds below :data:`MANY_WORDS` only (the prose test, the
    in-page duplicates' sizes): a line of more words gives :data:`MANY_WORDS`.
    """
    if _letter_tokens_count(text):
        if len(text) < 2 * MANY_WORDS - 1:   # fewer words than that whatever it holds: count them all
            return len(_LETTER_TOKEN.findall(text))
        return len(list(itertools.islice(_LETTER_TOKEN.finditer(text), MANY_WORDS)))
    return min(word_count(text), MANY_WORDS)


def strip_list_marker(text: str) -> str:
    """``text`` without a leading bullet (``-``, ``*``, ``•``, ``・``) and surrounding blanks."""
    m = _LIST_MARKER.match(text)
    return (text[m.end():] if m else text).strip()


def is_list_item(text: str) -> bool:
    """True for a line that starts with a bullet (``- item``, ``• item``, ``・項目``)."""
    return _LIST_MARKER.match(text) is not None


def core(text: str) -> str:
    """What line rules look at: no bullet, no Markdown heading marks, no ``**``/``__`` frame."""
    s = strip_list_marker(text)
    if s.startswith("#"):
        m = _HEADING_MARK.match(s)
        if m:
            s = s[m.end():]
    return s.strip(_FRAME)


def ends_sentence(text: str) -> bool:
    """True when the line ends with sentence punctuation (``.`` ``!`` ``?`` ``。`` ...)."""
    s = text.rstrip().rstrip(_CLOSERS)
    return bool(s) and s[-1] in _SENTENCE_END


def is_indented_code(line: str) -> bool:
    """True for a line indented like code: a tab or :data:`CODE_INDENT_SPACES` spaces."""
    return line.startswith("\t") or line.startswith(" " * CODE_INDENT_SPACES)


def is_table_row(line: str) -> bool:
    """True for a Markdown table row (``| a | b |``), the shape extraction gives tables."""
    return line.lstrip().startswith("|")


def is_label(text: str) -> bool:
    """True for a bare label: at most :data:`MAX_LABEL_WORDS` words, no sentence end."""
    s = text.strip()
    return bool(s) and word_count(s) <= MAX_LABEL_WORDS and not ends_sentence(s)


def is_menu_item(text: str) -> bool:
    """True for a line shaped like one menu item: no bullet, no digit, no sentence end, and
    at most :data:`MAX_MENU_ITEM_WORDS` words (or :data:`MAX_MENU_ITEM_CHARS_NO_SPACE`
    characters without a blank).

    A bulleted line is a list the text holds; a digit marks a timetable or a price.
    """
    s = text.strip()
    if not s or is_list_item(s) or has_digit(s) or ends_sentence(s) or s.endswith((":", "：")):
        return False
    if word_count(s) <= MAX_MENU_ITEM_WORDS:
        return True
    return " " not in s and len(s) <= MAX_MENU_ITEM_CHARS_NO_SPACE


def is_prose(text: str) -> bool:
    """True for a line of running text: a sentence of at least :data:`MIN_PROSE_WORDS`
    words, or any line of at least :data:`MIN_PROSE_WORDS_ANY_END` words (code and table rows never)."""
    if is_indented_code(text) or is_table_row(text):
        return False
    n = capped_word_count(text)   # MIN_PROSE_WORDS_ANY_END < MANY_WORDS
    return n >= MIN_PROSE_WORDS_ANY_END or (n >= MIN_PROSE_WORDS and ends_sentence(text))


def has_digit(text: str) -> bool:
    """True when ``text`` holds a digit."""
    return _DIGIT.search(text) is not None


def is_teaser(text: str) -> bool:
    """True for a line shaped like an entry of a related-links list.

    A list item of at most :data:`MAX_TEASER_ITEM_WORDS` words, or a headline: a plain line
    of at most :data:`MAX_TEASER_LINE_WORDS` words that does not end like a sentence, or a
    question of at most :data:`MAX_TEASER_QUESTION_WORDS` words. A plain
    sentence is article text resuming after the list (news sites print one sentence a
    paragraph); code and table rows are never teasers.
    """
    if is_indented_code(text) or is_table_row(text):
        return False
    if is_list_item(text):
        return word_count(text) <= MAX_TEASER_ITEM_WORDS
    n = word_count(text)
    if n <= MAX_TEASER_QUESTION_WORDS and text.rstrip().endswith(("?", "？")) and text.count("?") + text.count("？") == 1:
        return True
    return n <= MAX_TEASER_LINE_WORDS and not ends_sentence(text)


def code_lines(lines: Sequence[str]) -> list[bool]:
    """For each line, whether it is code: inside a ``` or ~~~ fence (fences included) or indented."""
    out, inside = [], False
    for line in lines:
        fence = _FENCE.match(line) is not None
        out.append(inside or fence or is_indented_code(line))
        if fence:
            inside = not inside
    return out


#: Predicates that rule files may name (``member_shape = "teaser"``); versioned by the rule using them.
SHAPES = {"teaser": is_teaser, "label": is_label, "menu_item": is_menu_item, "any": lambda text: True}
