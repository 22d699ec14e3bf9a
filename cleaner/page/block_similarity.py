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
_CODE_PUNCT = regex.compile(r"`|[_=/\\(){}<>$#@:.\-](?=\S)")
_LOWER_START = regex.compile(r"^\W*\p{Ll}")
_CREDIT = regex.compile(r"\s*[(（][^()（）\n]{1,40}[)）]\s*$")


def normalize_block(text: str) -> str:
    """Case-folded text with punctuation, backticks and white space removed: the key of exact repeats."""
    return _NORM.sub("", text.casefold())


def spaced_form(text: str) -> str:
    """Case-folded words separated by single blanks, padded with one blank each side (for containment)."""
    return " " + " ".join(_SPACED.sub(" ", text.casefold()).split()) + " "


def char_shingles(text: str, n: int = SHINGLE_CHARS) -> frozenset[int]:
    """The set of 32-bit hashes of the character ``n``-grams of the normalised text.

    Normalised: case-folded, punctuation and runs of blanks turned into one blank. The
    hash is a polynomial rolling hash over code points with a 64-bit finaliser, computed
    with numpy (stable across processes and runs, unlike Python's ``hash``). A text shorter
    than ``n`` characters gives one shingle of all it has; an empty text none.
    """
    s = " ".join(_SPACED.sub(" ", text.casefold()).split())
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
    s = " ".join(_SPACED.sub(" ", text.casefold()).split())
    if len(s) <= n:
        return frozenset((s,)) if s else frozenset()
    return frozenset([s[i:i + n] for i in range(len(s) - n + 1)])


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
    """

    def __init__(self, threshold: float, factory, exact_max: int = EXACT_MAX_PARAGRAPHS):
        self.threshold, self.factory, self.exact_max = threshold, factory, exact_max
        self.items: list[tuple[int, frozenset[str]]] = []
        self.kept: list[tuple[int, Any]] = []
        self.lsh = None

    def _build_lsh(self) -> None:
        self.lsh = self.factory().index()
        for pos, item in self.kept:
            self.lsh.insert(pos, self.factory().minhash(item.hashes()))

    def add(self, pos: int, item: Any) -> None:
        self.kept.append((pos, item))
        self.items.append((pos, item.grams()))
        if self.lsh is not None:
            self.lsh.insert(pos, self.factory().minhash(item.hashes()))
        elif len(self.items) > self.exact_max:
            self._build_lsh()

    def best(self, item: Any) -> tuple[int, float] | None:
        """The earliest kept paragraph with Jaccard similarity >= threshold to ``item``, and that similarity."""
        grams = item.grams()
        if not grams:
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
