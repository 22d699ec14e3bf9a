"""Near-duplicate documents: MinHash signatures, LSH banding, verification, union-find clusters.

The building blocks live in :mod:`.minhash` (shingles, signatures), :mod:`.lsh` (bands,
buckets, verification of one bucket) and :mod:`.unionfind` (clusters, survivors); this
module wires them into the local engine's :class:`NearDuplicates` corpus step and
re-exports them, so ``from cleaner.dedup.near import shingles, MinHasher, optimal_bands,
band_keys, bucket_pairs, UnionFind, choose_survivors`` works for every engine.

How a run goes:

1. ``fingerprint`` (per document): the shingle hashes of the text left after chrome,
   in-page duplicates and site templates are marked (word 5-grams, or character 5-grams
   for CJK and Thai), so that shared templates do not make different pages look alike.
2. ``observe`` buffers documents and computes MinHash signatures a batch at a time; the
   signatures go to a disk-backed ``memmap`` in the work folder; only the LSH band keys
   (``uint64``, one per band) and the shingle count (``uint32``) stay in memory. Shingle
   sets of small documents (fewer than ``min_shingles``) go to disk too.
3. ``decide``: per band, sort the keys; each group of equal keys is a bucket; the pairs
   of a bucket are verified (size-ratio bound, then the exact Jaccard similarity of the
   shingle sets for small documents, the MinHash estimate otherwise) and joined with
   union-find.
4. Each cluster keeps one survivor (:mod:`.unionfind`: most shingles, then smallest id;
   independent of input order); every other member is dropped with ``duplicate_of`` and
   the similarity to the survivor (exact for small documents, else the MinHash estimate).

Memory: ``8 * bands + 4`` bytes per document while observing (plus, during ``decide``,
one band's sort order and the union-find array: about 20 bytes per document more).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..document import Document, apply_spans
from ..steps import CorpusStep
from .compact import Column, RowStore, SpillDir, StringStore
from .lsh import MAX_PAIRWISE_BUCKET, band_keys, bucket_pairs, buckets, optimal_bands
from .minhash import MinHasher, estimate_jaccard, exact_jaccard, shingles, uses_spaces
from .unionfind import UnionFind, choose_survivors, pick_survivor, survivor_key

__all__ = ["NearDuplicates", "shingles", "uses_spaces", "MinHasher", "estimate_jaccard", "exact_jaccard",
           "optimal_bands", "band_keys", "buckets", "bucket_pairs", "UnionFind", "choose_survivors",
           "pick_survivor", "survivor_key"]

#: Documents whose signatures are computed together in one numpy pass.
SIGNATURE_BATCH_DOCS = 1024
#: Most bands the local engine uses (8 bytes of index per document each).
MAX_BANDS = 16


class NearDuplicates(CorpusStep):
    """Drop documents whose Jaccard similarity to a kept one is at least the threshold."""

    name = "near-dup"

    def __init__(self, threshold: float = 0.7, num_perm: int = 128, word_n: int = 5, char_n: int = 5,
                 min_shingles: int = 256, seed: int = 42, workdir: str | None = None,
                 max_bands: int = MAX_BANDS):
        super().__init__()
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near_dup_jaccard must be in (0, 1], not {threshold}")
        self.threshold, self.word_n, self.char_n, self.min_shingles = threshold, word_n, char_n, min_shingles
        self.hasher = MinHasher(num_perm, seed)
        self.bands, self.rows = optimal_bands(threshold, num_perm, max_bands)
        self.workdir = workdir
        self._spill: SpillDir | None = None
        self._pending: list[tuple[int, str, np.ndarray]] = []
        self.sizes = Column(np.uint32)
        self._keys = Column(np.uint64)
        self.dropped_index = np.zeros(0, dtype=np.int64)   # pipeline ordinals, sorted
        self.kept_of = np.zeros(0, dtype=np.int64)         # local ordinal of each one's survivor
        self.similarity = np.zeros(0, dtype=np.float32)
        self.clusters: list[int] = []
        self.candidate_pairs = 0
        self.verified_pairs = 0

    @classmethod
    def from_options(cls, options, workdir: str | None = None) -> "NearDuplicates":
        return cls(options.near_dup_jaccard, options.minhash_permutations, options.shingle_words,
                   options.shingle_chars, options.min_shingles, options.seed, workdir)

    # ------------------------------------------------------------------ storage

    def _open(self) -> None:
        if self._spill is None:
            self._spill = SpillDir(self.workdir, "near-dup")
            self._sigs = RowStore(self._spill.file("signatures.u32"), self.hasher.num_perm, np.uint32)
            self._where = RowStore(self._spill.file("ordinals.i64"), 1, np.int64)
            self._small_at = RowStore(self._spill.file("small-offsets.i64"), 2, np.int64)
            self._small = RowStore(self._spill.file("small-shingles.u64"), 1, np.uint64)
            self.ids = StringStore(self._spill.file("ids"))

    def _flush(self) -> None:
        if not self._pending:
            return
        self._open()
        hashes = [h for _, _, h in self._pending]
        sigs = self.hasher.signatures(hashes)
        self._sigs.append(sigs)
        self._keys.extend(band_keys(sigs, self.bands, self.rows).ravel())
        self._where.append(np.array([i for i, _, _ in self._pending], dtype=np.int64))
        offsets = np.full((len(hashes), 2), -1, dtype=np.int64)
        for k, (_, doc_id, h) in enumerate(self._pending):
            self.ids.append(doc_id)
            self.sizes.append(h.size)
            if h.size < self.min_shingles:
                offsets[k] = (self._small.rows, h.size)
                self._small.append(h)
        self._small_at.append(offsets)
        self._pending = []

    def _exact(self, i: int, j: int) -> float | None:
        at = self._small_at.array()
        (si, ni), (sj, nj) = at[i], at[j]
        if ni < 0 or nj < 0:
            return None
        small = self._small.array()
        return exact_jaccard(small[si:si + ni, 0], small[sj:sj + nj, 0])

    def _similarity(self, i: int, j: int) -> float:
        s = self._exact(i, j)
        return estimate_jaccard(self._sigs.array()[i], self._sigs.array()[j]) if s is None else s

    # ------------------------------------------------------------------ the step

    def fingerprint(self, doc: Document) -> Any:
        return shingles(apply_spans(doc.text, doc.removed), self.word_n, self.char_n)

    def observe(self, index: int, doc_id: str, fp: Any) -> None:
        h = np.asarray(fp, dtype=np.uint64)
        if h.size == 0:
            return
        self._pending.append((index, doc_id, h))
        if len(self._pending) >= SIGNATURE_BATCH_DOCS:
            self._flush()

    def decide(self) -> None:
        self._flush()
        n = self.sizes.size
        if n < 2:
            return
        sigs = self._sigs.array()
        sizes = self.sizes.view()
        keys = self._keys.view().reshape(n, self.bands)
        uf = UnionFind(n)
        for band in range(self.bands):
            for members in buckets(np.ascontiguousarray(keys[:, band])):
                if len({uf.find(int(m)) for m in members}) == 1:
                    continue
                if members.size > MAX_PAIRWISE_BUCKET:
                    members = members[np.lexsort(np.asarray(sigs[np.sort(members)]).T[::-1])]
                self.candidate_pairs += members.size * (members.size - 1) // 2
                for i, j, _ in bucket_pairs(members, sigs, self.threshold, sizes, self._exact):
                    self.verified_pairs += 1
                    uf.union(i, j)
        clusters = uf.clusters()
        self.clusters = [int(c.size) for c in clusters]
        dropped: list[int] = []
        kept: list[int] = []
        for c in clusters:
            k = pick_survivor(c.tolist(), sizes, self.ids)
            for m in c.tolist():
                if m != k:
                    dropped.append(m)
                    kept.append(k)
        where = self._where.array()[:, 0]
        sims = np.array([self._similarity(d, k) for d, k in zip(dropped, kept)], dtype=np.float32)
        at = where[np.asarray(dropped, dtype=np.int64)]
        order = np.argsort(at, kind="stable")
        self.dropped_index = at[order]
        self.kept_of = np.asarray(kept, dtype=np.int64)[order]
        self.similarity = sims[order]

    def apply(self, index: int, doc: Document) -> None:
        if self.dropped_index.size == 0 or doc.dropped is not None:
            return
        pos = int(np.searchsorted(self.dropped_index, index))
        if pos < self.dropped_index.size and self.dropped_index[pos] == index:
            doc.dropped = "near-duplicate"
            doc.drop_detail = {"duplicate_of": self.ids[int(self.kept_of[pos])],
                               "similarity": round(float(self.similarity[pos]), 4)}
            self.stats.dropped += 1

    def index_bytes(self) -> int:
        """Bytes of the in-memory index: band keys and shingle counts (signatures live on disk)."""
        return 8 * self._keys.size + 4 * self.sizes.size

    def disk_bytes(self) -> int:
        """Bytes the step keeps in its work folder (signatures, ids, small shingle sets)."""
        if self._spill is None:
            return 0
        import os
        return sum(os.path.getsize(os.path.join(self._spill.path, f)) for f in os.listdir(self._spill.path))

    def report(self) -> dict[str, Any]:
        n = max(1, self.sizes.size)
        return {"clusters": len(self.clusters), "bands": self.bands, "rows": self.rows,
                "threshold": self.threshold, "indexed_documents": self.sizes.size,
                "largest_cluster": max(self.clusters, default=0), "dropped_documents": int(self.dropped_index.size),
                "candidate_pairs": self.candidate_pairs, "verified_pairs": self.verified_pairs,
                "index_bytes_per_indexed_document": round(self.index_bytes() / n, 1),
                "disk_bytes_per_indexed_document": round(self.disk_bytes() / n, 1)}
