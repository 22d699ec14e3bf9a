"""Comparing the blocks of one page: exact keys, character n-gram sets, Jaccard similarity
and containment, and an index of kept paragraphs (exact Jaccard, or MinHash LSH from
ekzhu/datasketch on long pages; Broder 1997) that finds the most similar earlier one.

Used by :mod:`cleaner.page.duplicates`; nothing here decides what a duplicate is.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import regex

from ..rules import text_shape

#: Character n-gram size of the shingles compared for near-duplicates.
SHINGLE_CHARS = 5
#: Pages with more kept paragraphs than this look up near-duplicates with MinHash LSH.
#: Measured with ``benchmarks/markers.py``: on pages of 128 paragraphs LSH took 2.3 times as
#: long as exact pairwise Jaccard, on 256 paragraphs 0.8 times, on 512 0.35 times.
EXACT_MAX_PARAGRAPHS = 200
#: MinHash signature length for the in-page LSH.
INPAGE_PERMUTATIONS = 128
#: The LSH bands and rows are tuned for this much below the Jaccard threshold, so that a pair
#: at the threshold becomes a candidate with probability > 0.999 (the exact check then
#: decides); tuned at the threshold itself, datasketch's bands miss about 40 % of such pairs.
LSH_RECALL_MARGIN = 0.3

_ROLL_BASE = np.uint64(1_000_003)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
_LOW32 = np.uint64(0xFFFFFFFF)
# Our own linear patterns: the standard library's ``re`` is several times faster than
# ``regex`` at these, and they need no time-out.
_NORM = re.compile(r"[\W_]+")
_SPACED = _NORM
#: For ASCII text ``[\W_]`` is every character but ``[A-Za-z0-9]``: each becomes a blank.
_ASCII_BLANKS = str.maketrans({chr(c): " " for c in range(128) if not chr(c).isalnum()})
_CHUNK = re.compile(".{%d}" % SHINGLE_CHARS, re.S)   # consecutive, non-overlapping n-grams
_CODE_PUNCT = regex.compile(r"`|[_=/\\(){}<>$#@:.\-](?=\S)")
_LOWER_START = regex.compile(r"^\W*\p{Ll}")
_CREDIT = regex.compile(r"\s*[(（][^()（）\n]{1,40}[)）]\s*$")


def normalize_block(text: str) -> str:
    """Case-folded text with punctuation, backticks and white space removed: the key of exact repeats."""
    return _NORM.sub("", text.casefold())


def spaced_form(text: str) -> str:
    """Case-folded words separated by single blanks, padded with one blank each side (for containment)."""
    return " " + shingle_text(text) + " "


def shingle_text(text: str) -> str:
    """Case-folded words separated by single blanks: what :func:`char_grams` and :func:`spaced_form` cut up.

    Every white-space character is a non-word character, so the substitution leaves single
    blanks only, and stripping the ends equals splitting and joining on white space. ASCII
    text (most blocks) takes that second form: ``casefold`` is ``lower`` there, and a
    translation table turns every non-word character into a blank, faster than the pattern.
    """
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_BLANKS).split())
    return _SPACED.sub(" ", text.casefold()).strip(" ")


def char_shingles(text: str, n: int = SHINGLE_CHARS) -> frozenset[int]:
    """The set of 32-bit hashes of the character ``n``-grams of the normalised text.

    Normalised: case-folded, punctuation and runs of blanks turned into one blank. The
    hash is a polynomial rolling hash over code points with a 64-bit finaliser, computed
    with numpy (stable across processes and runs, unlike Python's ``hash``). A text shorter
    than ``n`` characters gives one shingle of all it has; an empty text none.
    """
    s = shingle_text(text)
    if not s:
        return frozenset()
    cps = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    width = min(n, len(cps))
    count = len(cps) - width + 1
    h = np.zeros(count, dtype=np.uint64)
    for k in range(width):
        h = h * _ROLL_BASE + cps[k:k + count]
    h ^= h >> np.uint64(33)
    h *= _MIX
    h ^= h >> np.uint64(29)
    return frozenset((h & _LOW32).tolist())


def char_grams(text: str, n: int = SHINGLE_CHARS) -> frozenset[str]:
    """The set of character ``n``-grams of the normalised text, as strings (normalised as in :func:`char_shingles`).

    For comparing blocks of one page: exact (no hash collisions) and several times faster to
    build than :func:`char_shingles`, whose stable integer hashes MinHash needs.
    """
    return grams_of(shingle_text(text), n)


def grams_of(s: str, n: int = SHINGLE_CHARS) -> frozenset[str]:
    """:func:`char_grams` of a text already in :func:`shingle_text` form.

    A text of more than :data:`ZIP_FROM_CHARS` characters has its n-grams joined from ``n``
    shifted copies of it (``zip``): 15 % less time than slicing at each position on 800
    characters, but more on short texts, which are sliced.
    """
    if len(s) <= n:
        return frozenset((s,)) if s else frozenset()
    if len(s) > ZIP_FROM_CHARS:
        return frozenset(map("".join, zip(*(s[k:] for k in range(n)))))
    return frozenset([s[i:i + n] for i in range(len(s) - n + 1)])


#: Length (characters) from which :func:`grams_of` joins shifted copies rather than slicing (measured: even at about 80).
ZIP_FROM_CHARS = 96


def max_gram_count(s: str, n: int = SHINGLE_CHARS) -> int:
    """An upper bound of ``len(grams_of(s, n))``: one n-gram per start position."""
    return max(len(s) - n + 1, 1) if s else 0


def min_gram_count(s: str) -> int:
    """A lower bound of ``len(grams_of(s))``: the distinct n-grams that start at 0, n, 2n, ...

    About a fifth of the count, for a fifth of the work of building the set.
    """
    if len(s) <= SHINGLE_CHARS:
        return 1 if s else 0
    return len(set(_CHUNK.findall(s)))


def shingle_hashes(grams: frozenset[int]) -> np.ndarray:
    """Shingle hashes, sorted, as a ``uint64`` array (the MinHash input)."""
    return np.array(sorted(grams), dtype=np.uint64)


def jaccard(a: frozenset, b: frozenset) -> float:
    """Jaccard similarity ``|a ∩ b| / |a ∪ b|`` of two shingle sets (0 for two empty sets)."""
    if not a or not b:
        return 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter)


def containment(small: frozenset, big: frozenset) -> float:
    """Share of ``small``'s shingles found in ``big`` (0 when ``small`` is empty)."""
    return len(small & big) / len(small) if small else 0.0


def could_match(grams: frozenset, union: set, threshold: float) -> bool:
    """False when no set whose shingles all lie in ``union`` can reach :func:`jaccard` ``>= threshold`` with ``grams``.

    For any such set ``b``: ``|grams & b| <= |grams & union|`` and ``|grams | b| >= |grams|``,
    so ``jaccard(grams, b) <= |grams & union| / |grams|``; rounding to float keeps that order,
    so the bound rules out exactly what :func:`jaccard` would reject too. ``grams`` not empty.
    """
    return len(grams & union) / len(grams) >= threshold


def is_sentence(text: str) -> bool:
    """True when the block ends like a sentence, ignoring a trailing credit such as ``(AP Photo)``."""
    if not text.rstrip().endswith((")", "）")):
        return text_shape.ends_sentence(text)  # no credit to cut: skip the regular expression's scan
    return text_shape.ends_sentence(_CREDIT.sub("", text))


def looks_like_code(text: str) -> bool:
    """True for a fragment that reads like inline code: backticks, code punctuation, lower-case start."""
    return _CODE_PUNCT.search(text) is not None or _LOWER_START.match(text) is not None



class LSHFactory:
    """Builds MinHash signatures and LSH indexes for one marker, reusing what does not change.

    datasketch computes the LSH bands and rows for a threshold by numeric integration each
    time an index is created; that and the hash permutations are computed once here.
    """

    def __init__(self, threshold: float, seed: int, num_perm: int = INPAGE_PERMUTATIONS):
        from datasketch import MinHash, MinHashLSH
        self.threshold, self.seed, self.num_perm = threshold, seed, num_perm
        self.perms = MinHash(num_perm=num_perm, seed=seed).permutations
        probe = MinHashLSH(threshold=max(0.05, threshold - LSH_RECALL_MARGIN), num_perm=num_perm)
        self.params = (probe.b, probe.r)

    def candidate_probability(self, similarity: float) -> float:
        """Probability that a pair of this Jaccard similarity shares an LSH band: ``1 - (1 - s^r)^b``."""
        b, r = self.params
        return 1.0 - (1.0 - similarity ** r) ** b

    def minhash(self, grams: frozenset[int]):
        from datasketch import MinHash
        m = MinHash(num_perm=self.num_perm, seed=self.seed, hashfunc=int, permutations=self.perms, scheme="affine32")
        m.update_batch(shingle_hashes(grams))
        return m

    def index(self):
        from datasketch import MinHashLSH
        return MinHashLSH(num_perm=self.num_perm, params=self.params)


class ParagraphIndex:
    """Kept paragraphs of one page, searchable for the most similar earlier one.

    Exact Jaccard over all kept paragraphs (with a size filter) while there are at most
    ``exact_max``; past that, a MinHash LSH index proposes candidates and the exact
    similarity confirms them. An item is anything with ``grams()`` (:func:`char_grams`)
    and ``hashes()`` (:func:`char_shingles`) methods.

    Before any of that, a query is checked against the union of all kept shingles
    (:func:`could_match`): most paragraphs of a page are new, and for them that one set
    intersection rules out every kept paragraph at once.
    """

    def __init__(self, threshold: float, factory, exact_max: int = EXACT_MAX_PARAGRAPHS):
        self.threshold, self.factory, self.exact_max = threshold, factory, exact_max
        self.items: list[tuple[int, frozenset[str]]] = []
        self.kept: list[tuple[int, Any]] = []
        self.lsh = None
        self.union: set[str] = set()   # every shingle of every kept paragraph

    def _build_lsh(self) -> None:
        self.lsh = self.factory().index()
        for pos, item in self.kept:
            self.lsh.insert(pos, self.factory().minhash(item.hashes()))

    def add(self, pos: int, item: Any) -> None:
        self.kept.append((pos, item))
        grams = item.grams()
        self.items.append((pos, grams))
        self.union.update(grams)
        if self.lsh is not None:
            self.lsh.insert(pos, self.factory().minhash(item.hashes()))
        elif len(self.items) > self.exact_max:
            self._build_lsh()

    def best(self, item: Any) -> tuple[int, float] | None:
        """The earliest kept paragraph with Jaccard similarity >= threshold to ``item``, and that similarity."""
        grams = item.grams()
        if not grams or not could_match(grams, self.union, self.threshold):
            return None
        if self.lsh is not None:
            cands = sorted(self.lsh.query(self.factory().minhash(item.hashes())))
            lookup = dict(self.items)
            pool = [(p, lookup[p]) for p in cands]
        else:
            pool = self.items
        n = len(grams)
        for pos, other in pool:
            m = len(other)
            if min(n, m) < self.threshold * max(n, m):
                continue  # sizes too different for the threshold
            j = jaccard(grams, other)
            if j >= self.threshold:
                return pos, j
        return None
