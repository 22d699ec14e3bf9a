"""Duplicates inside one page: keep the first copy of a repeated block, mark the rest.

What counts as a duplicate depends on how long the block is and how it repeats
(boundary tests in ``tests/test_inpage.py`` pin every threshold):

- shorter than :data:`MIN_REPEAT_WORDS` words: never. A doubled "Slowly, slowly.", a
  timetable's "Closed" or "10:00 AM - 8:00 PM" are content.
- a sentence of at least :data:`MIN_PARAGRAPH_WORDS` words (a paragraph): an exact repeat
  anywhere on the page; from :data:`MIN_NEAR_WORDS` words also a near repeat (Jaccard
  similarity of character 5-gram sets at or above ``Options.inpage_jaccard``). A long line
  that is not a sentence (a product name in a listing, a compiler message) is treated like
  a headline. A paragraph printed more than :data:`MAX_PLAIN_COPIES` times, each time
  before different content, is a repeated prompt (an interview question put to every guest).
- in between (a headline, a caption): only a *close* repeat, i.e. right after its last copy,
  or separated from it by nothing but one repeated section label ("Blog"), which goes too
  (``chrome.section-label@1``). Two guards keep intentional repetition: a pair of equal
  lines in the middle of a run of short verse lines (a doubled line of a poem), and a value
  that alternates with different labels (``Wed / 10:00-20:00 / Thu / 10:00-20:00``). A
  refrain separated by other lines is not close, so it stays.
- a reply heading ("Re: <headline>", "AW:", "RE :") whose headline is already on the
  page: a duplicate wherever it is (``dup.headline@1``); the prefix never makes a repeat new.
- a short sentence printed again where the first copy and the repeat each sit next to a
  line that other rules removed (a forum signature under each post of one user, before the
  next poster's profile block): ``dup.framed@1``, and its first copy ``dup.signature@1``
  (a signature is no part of the first post either). A refrain sits between verse lines.
- a short block whose text is contained in the previous kept block (inline code printed
  again after its paragraph, a sentence repeated as a pull quote): ``dup.contained@1``,
  compared after dropping backticks and punctuation. Not a heading that restates a phrase,
  and not the first line of a code block that the paragraph introduced.

Short blocks and text without spaces are compared by character n-grams, never word
n-grams. Pages with few paragraphs are compared exactly; past
:data:`EXACT_MAX_PARAGRAPHS` kept paragraphs, MinHash LSH (ekzhu/datasketch; Broder 1997)
proposes candidates and the exact Jaccard similarity confirms them (see
``benchmarks/markers.py`` for the measurement behind the switch).

Rules: ``dup.headline@1``, ``dup.caption@1``, ``dup.paragraph@1``, ``dup.contained@1``, ``dup.framed@1``;
``detail`` names the line and offset of the copy that was kept.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..document import Block, Document, Span, covered, line_span, segment
from ..rules import text_shape
from .block_similarity import (EXACT_MAX_PARAGRAPHS, LSHFactory, ParagraphIndex, char_shingles, containment, grams_of,
                               is_sentence, jaccard, looks_like_code, max_gram_count, min_gram_count, normalize_block,
                               shingle_text)
from .chrome import effective_text
from ..steps import Marker
from .title import strip_reply_prefix

#: Blocks shorter than this (in words, see :func:`cleaner.rules.text_shape.word_count`) are never duplicates.
MIN_REPEAT_WORDS = 5
#: ... except a signature: a short sentence of at least this many words repeated under posts,
#: each copy next to removed chrome (:meth:`InPageDuplicates._short_signature`).
MIN_SIGNATURE_WORDS = 3
#: Sentences at least this long are paragraphs: repeated anywhere on the page, they are duplicates.
MIN_PARAGRAPH_WORDS = 12
#: A sentence-shaped block at least this long is compared with the page's other paragraphs
#: for near copies; shorter ones differ too much by one word (a 16-word sentence with one
#: word changed still has a character 5-gram Jaccard similarity of about 0.83).
MIN_NEAR_WORDS = 25
#: A paragraph repeated at a distance more often than this, each time before different
#: content, is a repeated prompt (the same interview question to each guest), not a duplicate.
MAX_PLAIN_COPIES = 2
#: Template decisions are re-checked on what is left this many times at most (each round
#: can only take prompts away, so the loop ends).
MAX_PROMPT_ROUNDS = 4
#: A repeat without sentence end and at most this long is named a headline.
MAX_HEADLINE_WORDS = 25
#: A close repeat is a near copy when this share of the shorter one's shingles is in the other
#: (an alt text and a figcaption that adds a photo credit).
NEAR_CONTAINMENT = 0.9
#: ... provided the longer one is at most this many times as long (characters): a heading
#: followed by a paragraph that starts with the same words is not a copy.
NEAR_MAX_LENGTH_RATIO = 1.5
#: A contained block is at most this share of the block that contains it (in characters) ...
MAX_CONTAINED_SHARE = 0.5
#: ... and at least this long (characters, after normalising).
MIN_CONTAINED_CHARS = 8
#: A contained block that does not look like code (no backtick, no code punctuation, no
#: lower-case start) must be a sentence of at least this many words (a pull quote, not a heading).
MIN_CONTAINED_PROSE_WORDS = 5

SECTION_LABEL_RULE = "chrome.section-label@1"
FRAMED_RULE = "dup.framed@1"
SIGNATURE_RULE = "dup.signature@1"
#: One line per rule this marker writes, shown by ``cleaner explain`` beside the rule.
RULE_DESCRIPTIONS = {
    "dup.headline@1": "a headline, heading or reply heading printed again on the page (the first copy stays)",
    "dup.caption@1": "an image caption printed twice (alt text and figcaption)",
    "dup.paragraph@1": "a paragraph printed again on the page, exactly or nearly (character 5-gram Jaccard)",
    "dup.contained@1": "a short block already contained in the block before it (inline code, a pull quote)",
    FRAMED_RULE: "a short sentence repeated where each copy sits next to removed chrome (a signature)",
    SIGNATURE_RULE: "the first copy of a forum signature that is repeated under the same user's posts",
    SECTION_LABEL_RULE: "a section label between two copies of a headline (Blog, News)",
}

class _Text:
    """What the rules derive from one block text, computed when first asked for and shared by
    every block of the page with that text (and by the reruns :class:`~cleaner.page.settle.Settle`
    makes over the same page)."""

    __slots__ = ("text", "_normal", "_grams", "_sentence", "_code")

    def __init__(self, text: str):
        self.text = text
        self._normal: str | None = None
        self._grams: frozenset[str] | None = None
        self._sentence: bool | None = None
        self._code: bool | None = None

    def normal(self) -> str:
        """:func:`shingle_text`: case-folded words separated by single blanks."""
        if self._normal is None:
            self._normal = shingle_text(self.text)
        return self._normal

    def key(self) -> str:
        """:func:`normalize_block` of the text, and of its :func:`~cleaner.rules.text_shape.core`:
        ``core`` takes off only bullets, heading marks, frames and blanks, non-word characters
        that ``normalize_block`` drops anyway. That is :meth:`normal` without its blanks (the
        one pattern pass shared by both)."""
        return self.normal().replace(" ", "")

    def grams(self) -> frozenset[str]:
        """Character n-grams (:func:`char_grams`)."""
        if self._grams is None:
            self._grams = grams_of(self.normal())
        return self._grams

    def gram_count_bounds(self, exact: bool = False) -> tuple[int, int]:
        """``(low, high)`` bounds of ``len(self.grams())``, exact once the n-grams are built (or ``exact``)."""
        if self._grams is not None or exact:
            n = len(self.grams())
            return n, n
        s = self.normal()
        return min_gram_count(s), max_gram_count(s)

    def spaced(self) -> str:
        """:func:`spaced_form`, for containment."""
        return " " + self.normal() + " "

    def sentence(self) -> bool:
        """:func:`is_sentence`."""
        if self._sentence is None:
            self._sentence = is_sentence(self.text)
        return self._sentence

    def code(self) -> bool:
        """:func:`looks_like_code`."""
        if self._code is None:
            self._code = looks_like_code(self.text)
        return self._code


@dataclass(slots=True)
class _Item:
    block: Block
    text: str
    key: str
    words: float
    barrier: bool          # code or table row: never compared, breaks adjacency
    label: bool
    reply: bool = False    # a reply heading ("Re: ..."); ``key`` is that of the text after the prefix
    framed: bool = False   # the line right before or right after it was removed (chrome next to it)
    hashed: frozenset[int] | None = None
    facts: _Text | None = None   # derived from ``text``, shared within the page

    def grams(self) -> frozenset[str]:
        """Character n-grams (:func:`char_grams`), computed once per page text."""
        return self.facts.grams()

    def hashes(self) -> frozenset[int]:
        """Hashed character n-grams (:func:`char_shingles`) for MinHash, computed once."""
        if self.hashed is None:
            self.hashed = char_shingles(self.text)
        return self.hashed

    def is_sentence(self) -> bool:
        """:func:`is_sentence` of the text, computed once per page text."""
        return self.facts.sentence()


class InPageDuplicates(Marker):
    """Mark repeated headlines, captions, paragraphs and contained fragments inside one page."""

    name = "dup"

    def __init__(self, jaccard_threshold: float = 0.8, seed: int = 42, exact_max: int = EXACT_MAX_PARAGRAPHS):
        super().__init__()
        self.jaccard_threshold, self.seed, self.exact_max = jaccard_threshold, seed, exact_max
        self._lsh_factory: LSHFactory | None = None
        # What was derived from the blocks of the page seen last: Settle runs this marker
        # again over the same text, where only a few blocks are gone.
        self._memo_text: str | None = None
        self._texts: dict[str, _Text] = {}   # by block text
        self._shapes: dict[tuple[str, bool], tuple[bool, str, float, bool, bool]] = {}  # by (text, code): _shape()
        self._blocks: tuple[list[Block], list[bool]] = ([], [])  # segment() and code_lines() of that page

    def _factory(self) -> LSHFactory:
        if self._lsh_factory is None:
            self._lsh_factory = LSHFactory(self.jaccard_threshold, self.seed)
        return self._lsh_factory

    @classmethod
    def from_options(cls, options) -> "InPageDuplicates":
        return cls(options.inpage_jaccard, options.seed)

    # ------------------------------------------------------------------ helpers

    def _page_memo(self, text: str) -> None:
        """Start new memos when ``text`` is another page than the one seen last."""
        if text is not self._memo_text:
            self._memo_text, self._texts, self._shapes = text, {}, {}
            blocks = segment(text)
            self._blocks = (blocks, text_shape.code_lines([b.text for b in blocks]))

    @staticmethod
    def _shape(facts: _Text, is_code: bool) -> tuple[bool, str, float, bool, bool]:
        """``(barrier, key, words, label, reply)`` of a block text (see :class:`_Item`)."""
        text = facts.text
        barrier = is_code or text_shape.is_table_row(text)
        core = text_shape.core(text)
        rest, reply = strip_reply_prefix(core) if not barrier else (core, False)
        words = text_shape.capped_word_count(rest)   # every threshold below is under text_shape.MANY_WORDS
        if reply:
            label = text_shape.is_label(core)
        else:  # text_shape.is_label(core), reusing the word count (blanks around ``core`` change no count)
            label = not barrier and words <= text_shape.MAX_LABEL_WORDS and bool(core.strip()) and not text_shape.ends_sentence(core)
        # normalize_block(core) is normalize_block(text) (:meth:`_Text.key`) unless a reply prefix went too.
        return barrier, normalize_block(rest) if reply else facts.key(), words, label, reply

    def _items(self, doc: Document) -> list[_Item]:
        self._page_memo(doc.text)
        blocks, code = self._blocks
        texts, shapes = self._texts, self._shapes
        mask = doc.removed_mask()
        out = []
        gone = [covered(mask, b.start, b.end) for b in blocks]
        for idx, (b, is_code) in enumerate(zip(blocks, code)):
            if gone[idx]:
                continue
            text = effective_text(doc.text, b, mask).strip()
            if not text:
                continue
            facts = texts.get(text)
            if facts is None:
                facts = texts[text] = _Text(text)
            shape = shapes.get((text, is_code))
            if shape is None:
                shape = shapes[(text, is_code)] = self._shape(facts, is_code)
            barrier, key, words, label, reply = shape
            out.append(_Item(b, text, key, words, barrier, label, reply,
                             (idx > 0 and gone[idx - 1]) or (idx + 1 < len(blocks) and gone[idx + 1]), facts=facts))
        return out

    @staticmethod
    def _where(doc: Document, item: _Item) -> str:
        line = doc.text.count("\n", 0, item.block.start) + 1
        return f"line {line} (offset {item.block.start})"

    def _name(self, item: _Item, adjacent: bool) -> str:
        if not item.is_sentence() and item.words <= MAX_HEADLINE_WORDS:
            return "dup.headline@1"
        if adjacent and (item.words < MIN_PARAGRAPH_WORDS or not item.is_sentence()):
            return "dup.caption@1"   # a paragraph's length of sentences printed twice in a row is a paragraph
        return "dup.paragraph@1"

    @staticmethod
    def _verse(items: list[_Item], first: int, second: int, gone: set[int]) -> bool:
        """True when the pair ``items[first]``, ``items[second]`` (adjacent) sits inside short verse lines.

        Lines already marked as duplicates (``gone``) are skipped: they will not be there.
        """

        def step(k: int, d: int) -> int:
            k += d
            while 0 <= k < len(items) and k in gone:
                k += d
            return k

        def verse_line(k: int, twin: int) -> bool:
            if k < 0 or k >= len(items):
                return False
            it = items[k]
            if it.barrier or it.label or it.key == items[first].key:
                return False
            if not (text_shape.MAX_LABEL_WORDS < it.words < MIN_PARAGRAPH_WORDS):
                return False
            return not (0 <= twin < len(items) and items[twin].key == it.key)  # a doubled neighbour: captions

        before, after = step(first, -1), step(second, 1)
        return verse_line(before, step(before, -1)) and verse_line(after, step(after, 1))

    @staticmethod
    def _between(items: list[_Item], last: int, i: int, key: str, gone: set[int]) -> list[int] | None:
        """Indices of the label lines between two copies, or ``None`` when anything else sits there.

        Lines already marked as duplicates (``gone``) do not count. The labels must all be the
        same text, and the copy before must not itself follow a different label (a key/value
        list such as a timetable).
        """
        labels = []
        for k in range(last + 1, i):
            it = items[k]
            if it.key == key or k in gone:
                continue
            if not it.label:
                return None
            labels.append(k)
        if len({items[k].key for k in labels}) > 1:
            return None
        before = last - 1
        while before >= 0 and before in gone:
            before -= 1
        if labels and before >= 0:
            if items[before].label and items[before].key != items[labels[0]].key:
                return None
        return labels

    # ------------------------------------------------------------------ marking

    def mark(self, doc: Document) -> Iterable[Span]:
        items = self._items(doc)
        prompts = self._prompts(items)
        for _ in range(MAX_PROMPT_ROUNDS):
            spans, gone = self._mark_items(doc, items, prompts)
            # Removing other duplicates can bring a prompt's copies together; a prompt must
            # still be one on what is left, or cleaning the cleaned text would find more.
            if not prompts:
                break   # nothing to re-check (the intersection below would be empty too)
            still = self._prompts([it for k, it in enumerate(items) if k not in gone]) & prompts
            if still == prompts:
                break
            prompts = still
        return spans

    def _mark_items(self, doc: Document, items: list[_Item], prompts: set[str]) -> tuple[list[Span], set[int]]:
        self._prompt_keys = prompts
        spans: list[Span] = []
        first_by_key: dict[str, int] = {}
        last_by_key: dict[str, int] = {}
        gone: set[int] = set()
        kept: list[int] = []
        paragraphs = ParagraphIndex(self.jaccard_threshold, self._factory, self.exact_max)

        def drop(k: int, rule: str, detail: str) -> None:
            gone.add(k)
            spans.append(line_span(doc.text, items[k].block, rule, detail))
            if kept and k in kept:  # a label kept at first, dropped once the copy after it showed up
                kept.remove(k)

        for i, it in enumerate(items):
            if it.barrier or not it.key:
                kept.append(i)
                continue
            done = False
            if it.reply and it.key in first_by_key:
                drop(i, "dup.headline@1", f"reply heading repeats {self._where(doc, items[first_by_key[it.key]])}")
                continue
            if it.words >= MIN_REPEAT_WORDS and it.key in last_by_key:
                done = self._exact_repeat(doc, items, i, first_by_key[it.key], last_by_key[it.key], drop, gone)
                last_by_key[it.key] = i
            elif it.words >= MIN_SIGNATURE_WORDS and it.key in last_by_key:   # shorter: only as a signature
                done = self._short_signature(doc, items, i, first_by_key[it.key], last_by_key[it.key], drop, gone)
                last_by_key[it.key] = i
            if not done and it.words >= MIN_REPEAT_WORDS and it.key not in first_by_key:
                done = self._near_repeat(doc, items, i, kept, paragraphs, drop, gone)
            if not done and kept:
                done = self._contained(doc, items, i, kept[-1], drop)
            if done:
                continue
            kept.append(i)
            first_by_key.setdefault(it.key, i)
            last_by_key.setdefault(it.key, i)
            if self._paragraph(it, MIN_NEAR_WORDS):
                paragraphs.add(i, it)
        return spans, gone

    @staticmethod
    def _paragraph(it: _Item, min_words: int) -> bool:
        """A block that is a duplicate wherever its copy is: a sentence of at least ``min_words``.

        A long line without sentence end (a product name in a listing, a compiler message, a
        line of code) repeats at a distance on purpose; it goes only when close to its copy.
        """
        return it.words >= min_words and it.is_sentence()

    def _prompts(self, items: list[_Item]) -> set[str]:
        """Keys of paragraphs that repeat as a prompt: a question printed before different content.

        An interview asking each guest the same question, an FAQ block per product: more than
        :data:`MAX_PLAIN_COPIES` copies apart from each other (a copy right after another, or
        after a label, does not count), each followed by a different block. A page printed
        twice or three times repeats what follows too, so it is no prompt.
        """
        where: dict[str, list[int]] = {}
        for i, it in enumerate(items):
            if it.barrier or not it.key or not self._paragraph(it, MIN_PARAGRAPH_WORDS):
                continue
            seen = where.setdefault(it.key, [])
            if seen and all(items[k].label or items[k].key == it.key for k in range(seen[-1] + 1, i)):
                continue  # close to the copy before: not a separate occurrence
            seen.append(i)
        out = set()
        for key, at in where.items():
            if len(at) <= MAX_PLAIN_COPIES:
                continue
            followers = []
            for k in at:
                j = k + 1
                while j < len(items) and (items[j].label or items[j].key == key):
                    j += 1
                followers.append(items[j].key if j < len(items) else None)
            if len(set(followers)) == len(followers):
                out.add(key)
        return out

    def _exact_repeat(self, doc, items, i, first, last, drop, gone) -> bool:
        it = items[i]
        labels = self._between(items, last, i, it.key, gone)
        where = self._where(doc, items[first])
        if self._paragraph(it, MIN_PARAGRAPH_WORDS) and (labels is not None or it.key not in self._prompt_keys):
            drop(i, self._name(it, labels == []), f"repeats {where}")
        elif labels is None and it.framed and items[first].framed and self._short_sentence(it):
            drop(i, FRAMED_RULE, f"repeats {where}; both copies sit next to removed chrome")
            self._drop_first_signature(doc, items, first, i, drop, gone)
            return True
        elif labels is None:
            return False  # a refrain: other lines sit between the copies
        elif not labels and self._verse(items, last, i, gone):
            return False  # a doubled line inside verse
        else:
            drop(i, self._name(it, not labels), f"repeats {where}")
        for k in labels or ():
            if k not in gone:
                drop(k, SECTION_LABEL_RULE, f"section label between copies of {where}")
        return True

    def _short_signature(self, doc, items, i, first, last, drop, gone) -> bool:
        """A repeat shorter than :data:`MIN_REPEAT_WORDS` goes only as a signature: a short
        sentence whose copies both sit next to removed chrome, other lines between them
        (``-- Happy baking from Leeds!`` above each post's removed action bar)."""
        it = items[i]
        if (self._between(items, last, i, it.key, gone) is None and it.framed and items[first].framed
                and self._short_sentence(it)):
            drop(i, FRAMED_RULE, f"repeats {self._where(doc, items[first])}; both copies sit next to removed chrome")
            self._drop_first_signature(doc, items, first, i, drop, gone)
            return True
        return False

    def _drop_first_signature(self, doc, items, first, i, drop, gone) -> None:
        """Mark the first copy of a signature too: a line repeated under posts is the poster's
        signature, not part of the first post (``dup.signature@1``)."""
        if first not in gone:
            drop(first, SIGNATURE_RULE, f"first copy of a signature repeated at {self._where(doc, items[i])}")

    @staticmethod
    def _short_sentence(it: _Item) -> bool:
        """A sentence (or a line with a comma or colon in it) short of a paragraph: a signature's shape."""
        return it.words < MIN_PARAGRAPH_WORDS and (it.is_sentence() or "," in it.text or ":" in it.text)

    def _near_repeat(self, doc, items, i, kept, paragraphs, drop, gone) -> bool:
        it = items[i]
        if self._paragraph(it, MIN_NEAR_WORDS):
            hit = paragraphs.best(it)
            if hit is not None:
                pos, sim = hit
                adjacent = bool(kept) and kept[-1] == pos
                drop(i, self._name(it, adjacent), f"near copy (Jaccard {sim:.2f}) of {self._where(doc, items[pos])}")
                return True
        # A close near copy of the previous kept block (alt text, then a figcaption with a credit).
        if not kept:
            return False
        p = kept[-1]
        prev = items[p]
        if prev.barrier or prev.words < MIN_REPEAT_WORDS or self._between(items, p, i, it.key, gone) != []:
            return False
        long_, short_ = max(len(it.text), len(prev.text)), min(len(it.text), len(prev.text))
        if long_ > NEAR_MAX_LENGTH_RATIO * short_ and self._sizes_apart(it, prev):
            return False  # only the Jaccard similarity could make them copies, and it cannot reach the threshold
        a, b = it.grams(), prev.grams()
        small, big = (a, b) if len(a) <= len(b) else (b, a)
        similar = jaccard(a, b) >= self.jaccard_threshold or (
            long_ <= NEAR_MAX_LENGTH_RATIO * short_ and containment(small, big) >= NEAR_CONTAINMENT)
        if similar:
            if self._verse(items, p, i, gone):
                return False
            drop(i, self._name(it, True), f"near copy of {self._where(doc, prev)}")
            return True
        return False

    def _sizes_apart(self, a: _Item, b: _Item) -> bool:
        """True when the n-gram counts alone keep ``jaccard(a.grams(), b.grams())`` below the threshold.

        For any two sets ``jaccard(x, y) <= |x| / |y|`` (the intersection is at most ``|x|``, the
        union at least ``|y|``); with ``x`` the shorter text's n-grams at most
        :func:`max_gram_count` and ``y`` the longer's at least :func:`min_gram_count`, and float
        division keeping that order, a bound under the threshold rules out what
        :func:`jaccard` would reject. Neither set needs to be built for it.
        """
        shorter, longer = (a, b) if len(a.text) <= len(b.text) else (b, a)
        low = longer.facts.gram_count_bounds()[0]
        return low > 0 and shorter.facts.gram_count_bounds()[1] / low < self.jaccard_threshold

    def _contained(self, doc, items, i, p, drop) -> bool:
        it, prev = items[i], items[p]
        if prev.barrier or len(it.text) > 2 * MAX_CONTAINED_SHARE * len(prev.text):
            return False  # cheap gates first: far too long to be contained
        code = it.facts.code()
        if not (code or (it.words >= MIN_CONTAINED_PROSE_WORDS and it.is_sentence())):
            return False
        inner, outer = it.facts.spaced(), prev.facts.spaced()
        if len(inner.strip()) < MIN_CONTAINED_CHARS or len(inner) > MAX_CONTAINED_SHARE * len(outer):
            return False
        if inner not in outer:
            return False
        if code and i + 1 < len(items):
            nxt = items[i + 1]
            if nxt.barrier or (nxt.facts.code() and nxt.facts.spaced() not in outer):
                return False  # the first line of a code block the paragraph introduced, not a repeat
        drop(i, "dup.contained@1", f"contained in {self._where(doc, prev)}")
        return True
