"""Near-duplicate documents: MinHash signatures, LSH banding, verification, union-find clusters.

MinHash (Broder 1997, "On the resemblance and containment of documents") estimates the
Jaccard similarity of two shingle sets by the share of equal minimum hash values; LSH
banding (Leskovec, Rajaraman, Ullman, *Mining of Massive Datasets*, ch. 3) splits a
signature of ``b * r`` values into ``b`` bands of ``r`` rows, and two documents become
candidates when any band is equal. Candidates are verified against the threshold with the
signature estimate, joined by union-find, and each cluster keeps one survivor.

Survivor rule (deterministic, independent of input order): the member with the most
shingles (the most text), ties broken by the smallest id.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import regex
import xxhash

from ..document import Document, apply_spans
from ..steps import CorpusStep

MERSENNE_61 = np.uint64((1 << 61) - 1)
MAX_HASH_32 = np.uint64(0xFFFFFFFF)
#: A bucket larger than this is verified against its first member only, not pairwise.
MAX_PAIRWISE_BUCKET = 64

_WORD = regex.compile(r"\w+", regex.V1)
_NO_SPACE_SCRIPT = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")


def uses_spaces(text: str) -> bool:
    """False when most letters belong to scripts written without spaces (CJK, Thai, ...)."""
    sample = text[:2000]
    letters = sum(ch.isalpha() for ch in sample)
    if not letters:
        return True
    return len(_NO_SPACE_SCRIPT.findall(sample)) < 0.3 * letters


def shingles(text: str, word_n: int = 5, char_n: int = 5) -> np.ndarray:
    """Distinct 32-bit hashes of the text's shingles, as a ``uint64`` array.

    Space-delimited text: word ``word_n``-grams of case-folded ``\\w+`` tokens; text
    written without spaces: character ``char_n``-grams of its letters and digits. A text
    shorter than one shingle gives a single shingle of all it has; an empty text none.
    """
    folded = text.casefold()
    if uses_spaces(folded):
        toks = _WORD.findall(folded)
        n = word_n
        grams = [" ".join(toks[i:i + n]) for i in range(max(1, len(toks) - n + 1))] if toks else []
    else:
        chars = "".join(_WORD.findall(folded))
        n = char_n
        grams = [chars[i:i + n] for i in range(max(1, len(chars) - n + 1))] if chars else []
    if not grams:
        return np.zeros(0, dtype=np.uint64)
    return np.unique(np.fromiter((xxhash.xxh32_intdigest(g.encode("utf-8")) for g in grams), dtype=np.uint64, count=len(grams)))


def optimal_bands(threshold: float, num_perm: int, fp_weight: float = 0.5) -> tuple[int, int]:
    """LSH ``(bands, rows)`` that minimise the weighted false-positive and false-negative areas.

    The candidate probability of a pair with Jaccard ``s`` is ``1 - (1 - s**r)**b``; the
    false-positive area is its integral below the threshold, the false-negative area the
    integral of its complement above (the criterion datasketch's MinHashLSH uses).
    """
    xs = np.linspace(0, 1, 1001)
    best, best_err = (1, num_perm), float("inf")
    for b in range(1, num_perm + 1):
        r = num_perm // b
        p = 1 - (1 - xs ** r) ** b
        below, above = xs < threshold, xs >= threshold
        fp = np.trapezoid(p[below], xs[below]) if below.any() else 0.0
        fn = np.trapezoid(1 - p[above], xs[above]) if above.any() else 0.0
        err = fp_weight * fp + (1 - fp_weight) * fn
        if err < best_err:
            best, best_err = (b, r), err
    return best


class MinHasher:
    """MinHash signatures of shingle-hash arrays: ``num_perm`` universal hash functions.

    ``h_i(x) = ((a_i * x + b_i) mod (2**61 - 1)) & 0xFFFFFFFF`` as in datasketch's MinHash,
    with ``a_i, b_i`` drawn from ``numpy.random.default_rng(seed)``.
    """

    def __init__(self, num_perm: int = 128, seed: int = 42):
        rng = np.random.default_rng(seed)
        self.a = rng.integers(1, int(MERSENNE_61), size=num_perm, dtype=np.uint64)
        self.b = rng.integers(0, int(MERSENNE_61), size=num_perm, dtype=np.uint64)
        self.num_perm = num_perm

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """``uint32`` array of length ``num_perm``; all ones for an empty set."""
        if hashes.size == 0:
            return np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        with np.errstate(over="ignore"):
            v = (np.outer(hashes, self.a) + self.b) % MERSENNE_61
        return (v & MAX_HASH_32).min(axis=0).astype(np.uint32)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        p = self.parent.setdefault(x, x)
        while p != self.parent[p]:
            self.parent[p] = self.parent[self.parent[p]]
            p = self.parent[p]
        self.parent[x] = p
        return p

    def union(self, x: int, y: int) -> None:
        rx, ry = self.find(x), self.find(y)
        if rx != ry:
            self.parent[max(rx, ry)] = min(rx, ry)


class NearDuplicates(CorpusStep):
    """Drop documents whose estimated Jaccard similarity to a kept one is at least the threshold."""

    name = "near-dup"

    def __init__(self, threshold: float = 0.7, num_perm: int = 128, word_n: int = 5, char_n: int = 5,
                 min_shingles: int = 10, seed: int = 42):
        super().__init__()
        self.threshold, self.word_n, self.char_n, self.min_shingles = threshold, word_n, char_n, min_shingles
        self.hasher = MinHasher(num_perm, seed)
        self.bands, self.rows = optimal_bands(threshold, num_perm)
        self._sigs: list[np.ndarray] = []
        self._sizes: list[int] = []
        self._ids: list[str] = []
        self._index: list[int] = []
        self.dup_of: dict[int, tuple[str, float]] = {}
        self.clusters: list[int] = []

    @classmethod
    def from_options(cls, options) -> "NearDuplicates":
        return cls(options.near_dup_jaccard, options.minhash_permutations, options.shingle_words,
                   options.shingle_chars, options.min_shingles, options.seed)

    def fingerprint(self, doc: Document) -> Any:
        sh = shingles(apply_spans(doc.text, doc.removed), self.word_n, self.char_n)
        return (self.hasher.signature(sh), int(sh.size))

    def observe(self, index: int, doc_id: str, fp: Any) -> None:
        sig, size = fp
        if size == 0:
            return
        self._sigs.append(sig)
        self._sizes.append(size)
        self._ids.append(doc_id)
        self._index.append(index)

    def decide(self) -> None:
        n = len(self._sigs)
        if n < 2:
            return
        sigs = np.vstack(self._sigs)
        sizes = np.asarray(self._sizes)
        uf = _UnionFind()
        r = self.rows
        for band in range(self.bands):
            part = np.ascontiguousarray(sigs[:, band * r:(band + 1) * r])
            keys = np.fromiter((xxhash.xxh3_64_intdigest(row.tobytes()) for row in part), dtype=np.uint64, count=n)
            order = np.argsort(keys, kind="stable")
            sk = keys[order]
            starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
            ends = np.r_[starts[1:], n]
            for s, e in zip(starts, ends):
                if e - s < 2:
                    continue
                members = order[s:e]
                pairs = ([(members[i], members[j]) for i in range(len(members)) for j in range(i + 1, len(members))]
                         if len(members) <= MAX_PAIRWISE_BUCKET else [(members[0], m) for m in members[1:]])
                for i, j in pairs:
                    if uf.find(int(i)) == uf.find(int(j)):
                        continue
                    if self._similar(sigs, sizes, int(i), int(j)):
                        uf.union(int(i), int(j))
        groups: dict[int, list[int]] = {}
        for x in list(uf.parent):
            groups.setdefault(uf.find(x), []).append(x)
        for members in groups.values():
            if len(members) < 2:
                continue
            keep = min(members, key=lambda m: (-sizes[m], self._ids[m]))
            self.clusters.append(len(members))
            for m in members:
                if m != keep:
                    sim = float(np.mean(sigs[m] == sigs[keep]))
                    self.dup_of[self._index[m]] = (self._ids[keep], round(sim, 4))

    def _similar(self, sigs: np.ndarray, sizes: np.ndarray, i: int, j: int) -> bool:
        est = float(np.mean(sigs[i] == sigs[j]))
        return est >= self.threshold

    def apply(self, index: int, doc: Document) -> None:
        hit = self.dup_of.get(index)
        if hit is not None and doc.dropped is None:
            doc.dropped = "near-duplicate"
            doc.drop_detail = {"duplicate_of": hit[0], "similarity": hit[1]}
            self.stats.dropped += 1

    def index_bytes(self) -> int:
        return sum(s.nbytes for s in self._sigs) + 8 * len(self._sizes)

    def report(self) -> dict[str, Any]:
        sizes: dict[str, int] = {}
        for n in sorted(self.clusters):
            sizes[str(n)] = sizes.get(str(n), 0) + 1
        return {"clusters": len(self.clusters), "bands": self.bands, "rows": self.rows,
                "largest_cluster": max(self.clusters, default=0), "dropped_documents": len(self.dup_of),
                "cluster_sizes": sizes}
