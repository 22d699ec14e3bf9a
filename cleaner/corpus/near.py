"""Near-duplicate documents: MinHash signatures, LSH banding, verification, union-find clusters.

The building blocks live in :mod:`cleaner.similarity.minhash` (shingles, signatures), :mod:`cleaner.similarity.lsh` (bands,
buckets, verification of one bucket) and :mod:`cleaner.similarity.clusters` (clusters, survivors); this
module wires them into the local engine's :class:`NearDuplicates` corpus step and
re-exports them, so ``from cleaner.corpus.near import shingles, MinHasher, optimal_bands,
band_keys, bucket_pairs, UnionFind, choose_survivors`` works for every engine.

How a run goes:

1. ``fingerprint`` (per document): the shingle hashes of the text left after chrome,
   in-page duplicates and site templates are marked (word 5-grams, or character 5-grams
   for CJK and Thai), so that shared templates do not make different pages look alike.
2. ``prepare`` turns a batch of shingle arrays into MinHash signatures, LSH band keys (the
   low 32 bits of each band's key: a collision only adds a candidate, which verification
   rejects), shingle counts and bottom-k sketches (``verify_shingles`` values) where the
   documents are (a worker process); ``observe_batch`` (or ``observe``, which buffers
   documents and prepares them a batch at a time) stores them: signatures, sketches and
   each band's keys go to files in the work folder, only the shingle count (``uint32``)
   stays in memory.
3. ``decide``: per band, read that band's keys from disk and sort them; each group of equal keys is a bucket; the pairs
   of a bucket are verified (size-ratio bound, the signature estimate within
   ``ESTIMATE_SLACK`` of the threshold, then the bottom-k sketch: the exact Jaccard
   similarity for documents of at most ``verify_shingles`` shingles, so very short texts
   never collapse on an estimate) and joined with union-find.
4. Each cluster keeps one survivor (:mod:`cleaner.similarity.clusters`: most shingles, then smallest id;
   independent of input order); every other member is dropped with ``duplicate_of`` and
   the sketch similarity to the survivor.

Bands and rows come from the threshold (:func:`optimal_bands` with ``min_recall =
CANDIDATE_RECALL``: a pair at the threshold becomes a candidate with probability >= 0.95).

Memory: 4 bytes per document (the shingle count), plus, during ``decide`` only, one
band's keys, their sort order and the union-find array (about 24 bytes per document).
Disk: ``4 * num_perm`` bytes of signature, ``4 * bands`` of band keys and up to
``4 * verify_shingles`` bytes of sketch per document.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..document import Document, apply_spans
from ..containers.compact import ChunkedRows, RowStore, SpillDir, StringStore
from .drops import DropDecision, DropStep, drops_from_clusters
from ..similarity.lsh import band_keys, bucket_pairs, buckets, candidate_probability, optimal_bands, verification_order
from .paragraphs import RULE as PARAGRAPH_RULE
from ..similarity.minhash import MinHasher, bottom_k, estimate_jaccard, exact_jaccard, shingles, sketch_jaccard, uses_spaces
from ..similarity.clusters import UnionFind, choose_survivors, pick_survivor, survivor_key

__all__ = ["NearDuplicates", "shingles", "uses_spaces", "MinHasher", "estimate_jaccard", "exact_jaccard",
           "bottom_k", "sketch_jaccard", "optimal_bands", "candidate_probability", "band_keys", "buckets", "bucket_pairs", "UnionFind", "choose_survivors",
           "pick_survivor", "survivor_key"]

#: Documents whose signatures are computed together in one numpy pass.
SIGNATURE_BATCH_DOCS = 1024
#: Most bands the local engine uses (4 bytes of index per document each).
MAX_BANDS = 32
#: Probability that a pair exactly at the threshold becomes an LSH candidate.
CANDIDATE_RECALL = 0.95
#: Sketches kept in memory while verifying (then the cache starts again): at most
#: 4 * verify_shingles bytes each.
SKETCH_CACHE_DOCS = 4096


def near_settings(threshold: float, bands: int, rows: int) -> dict[str, Any]:
    """The near-duplicate step's settings as its report gives them (both engines)."""
    return {"threshold": threshold, "bands": bands, "rows": rows,
            "candidate_probability_at_threshold": round(float(candidate_probability(threshold, bands, rows)), 3)}


class _Rows:
    """``store[indexes]`` for :func:`bucket_pairs`: rows of a :class:`RowStore` read on demand."""

    def __init__(self, store: RowStore):
        self.store = store

    def __getitem__(self, indexes) -> np.ndarray:
        return self.store.take(np.asarray(indexes))


@dataclass
class PreparedBatch:
    """What :meth:`NearDuplicates.prepare` makes of ``n`` documents' shingle arrays (small, picklable).

    ``signatures``: ``uint32[n, num_perm]``; ``band_keys``: ``uint32[n, bands]`` (low halves);
    ``sizes``: ``uint32[n]`` shingle counts; ``sketches``: the bottom-k sketches one after
    the other (``uint32``), ``sketch_sizes[i]`` values each. Documents without shingles
    are left out: ``kept[i]`` is the position of row ``i`` in the batch given to ``prepare``.
    """

    signatures: np.ndarray
    band_keys: np.ndarray
    sizes: np.ndarray
    sketches: np.ndarray
    sketch_sizes: np.ndarray
    kept: np.ndarray


class NearDuplicates(DropStep):
    """Drop documents whose Jaccard similarity to a kept one is at least the threshold."""

    name = "near-dup"
    reason = "near-duplicate"

    def __init__(self, threshold: float = 0.55, num_perm: int = 128, word_n: int = 5, char_n: int = 5,
                 verify_shingles: int = 512, seed: int = 42, workdir: str | None = None,
                 max_bands: int = MAX_BANDS, keep: str = "longest"):
        super().__init__()
        self.keep = keep
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"near_dup_jaccard must be in (0, 1], not {threshold}")
        if verify_shingles < 1:
            raise ValueError(f"verify_shingles must be at least 1, not {verify_shingles}; 512 is the default")
        self.threshold, self.word_n, self.char_n, self.k = threshold, word_n, char_n, verify_shingles
        self.hasher = MinHasher(num_perm, seed)
        self.bands, self.rows = optimal_bands(threshold, num_perm, max_bands, min_recall=CANDIDATE_RECALL)
        self.workdir = workdir
        self._spill: SpillDir | None = None
        self._pending: list[tuple[int, str, np.ndarray]] = []
        self._sizes = ChunkedRows(1, np.uint32)   # shingle count per indexed document (the band keys are on disk)
        self.decision = DropDecision(settings=near_settings(threshold, self.bands, self.rows))
        self.candidate_pairs = 0
        self.verified_pairs = 0
        self.decide_peak_bytes = 0
        self._sketch_cache: dict[int, np.ndarray] = {}   # sketches read while verifying one stretch of buckets

    @classmethod
    def from_options(cls, options, workdir: str | None = None) -> "NearDuplicates":
        return cls(options.near_dup_jaccard, options.minhash_permutations, options.shingle_words,
                   options.shingle_chars, options.verify_shingles, options.seed, workdir,
                   keep=options.near_dup_keep)

    # ------------------------------------------------------------------ storage

    def _open(self) -> None:
        if self._spill is None:   # _spill set last: a stop (Ctrl-C) in between leaves nothing half open for close()
            spill = SpillDir(self.workdir, "near-dup")
            self._sigs = RowStore(spill.file("signatures.u32"), self.hasher.num_perm, np.uint32)
            self._where = RowStore(spill.file("ordinals.i64"), 1, np.int64)
            self._sketch_at = RowStore(spill.file("sketch-offsets.i64"), 1, np.int64)
            self._sketch = RowStore(spill.file("sketches.u32"), 1, np.uint32)
            self._band_keys = [RowStore(spill.file(f"band-{b:03d}.u32"), 1, np.uint32) for b in range(self.bands)]
            self.ids = StringStore(spill.file("ids"))
            self._spill = spill

    def prepare(self, fingerprints: Sequence[Any]) -> PreparedBatch:
        """Signatures, band keys, sizes and sketches of a batch of :meth:`fingerprint` results.

        Pure computation (no state is changed): it runs where the documents are.
        """
        hashes = [np.asarray(h, dtype=np.uint64) for h in fingerprints]
        kept = np.array([i for i, h in enumerate(hashes) if h.size], dtype=np.int64)
        hashes = [hashes[i] for i in kept.tolist()]
        sigs = self.hasher.signatures(hashes) if hashes else np.zeros((0, self.hasher.num_perm), np.uint32)
        bks = band_keys(sigs, self.bands, self.rows).astype(np.uint32) if hashes else np.zeros((0, self.bands), np.uint32)
        sketches = [bottom_k(h, self.k) for h in hashes]
        return PreparedBatch(sigs, bks, np.array([h.size for h in hashes], dtype=np.uint32),
                             np.concatenate(sketches) if sketches else np.zeros(0, np.uint32),
                             np.array([sk.size for sk in sketches], dtype=np.int64), kept)

    def observe_batch(self, indexes: Sequence[int], doc_ids: Sequence[str], batch: PreparedBatch) -> None:
        """Store a batch made by :meth:`prepare`; ``indexes[i]`` and ``doc_ids[i]`` belong to the i-th fingerprint given to it."""
        self._flush()
        if batch.kept.size == 0:
            return
        self._open()
        self._sigs.append(batch.signatures)
        for b, store in enumerate(self._band_keys):
            store.append(batch.band_keys[:, b])
        self._sizes.append(batch.sizes)
        self._where.append(np.asarray(indexes, dtype=np.int64)[batch.kept])
        self.ids.extend([doc_ids[i] for i in batch.kept.tolist()])
        starts = np.zeros(batch.sketch_sizes.size, dtype=np.int64)
        np.cumsum(batch.sketch_sizes[:-1], out=starts[1:])
        self._sketch_at.append(starts + self._sketch.rows)
        self._sketch.append(batch.sketches)

    def _flush(self) -> None:
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        self.observe_batch([i for i, _, _ in pending], [d for _, d, _ in pending],
                           self.prepare([h for _, _, h in pending]))

    def _sketch_of(self, i: int) -> np.ndarray:
        hit = self._sketch_cache.get(i)
        if hit is not None:
            return hit
        n = self._sketch_at.rows
        at = self._sketch_at.span(i, min(i + 2, n))
        sk = self._sketch.span(int(at[0]), int(at[1]) if at.size > 1 else self._sketch.rows)
        if len(self._sketch_cache) >= SKETCH_CACHE_DOCS:
            self._sketch_cache.clear()
        self._sketch_cache[i] = sk
        return sk

    def _verify(self, i: int, j: int) -> float:
        """Jaccard similarity from the bottom-k sketches (exact for small documents)."""
        return sketch_jaccard(self._sketch_of(i), self._sketch_of(j), self.k)

    # ------------------------------------------------------------------ the step

    #: Later copies of repeated paragraphs (corpus.paragraph@1) still count here: two
    #: documents that share their paragraphs are what this step looks for.
    fingerprint_ignores = frozenset({PARAGRAPH_RULE})

    def fingerprint(self, doc: Document) -> Any:
        kept = [s for s in doc.removed if s.rule not in self.fingerprint_ignores]
        return shingles(apply_spans(doc.text, kept), self.word_n, self.char_n)

    def observe(self, index: int, doc_id: str, fp: Any) -> None:
        h = np.asarray(fp, dtype=np.uint64)
        if h.size == 0:
            return
        self._pending.append((index, doc_id, h))
        if len(self._pending) >= SIGNATURE_BATCH_DOCS:
            self._flush()

    def decide(self) -> DropDecision:
        try:
            return self._decide()
        finally:
            self.close()

    def close(self) -> None:
        if self._spill is not None:
            for store in (self._sigs, self._where, self._sketch_at, self._sketch, *self._band_keys, self.ids):
                store.close()

    def _decide(self) -> DropDecision:
        self._flush()
        n = self._sizes.rows
        if n < 2:
            return self.decision
        sigs = _Rows(self._sigs)
        sizes = self._sizes.column(0)
        uf = UnionFind(n)
        # while decide runs: the index, the sizes, union-find, and one band's column,
        # sort order (int64) and sorted keys
        self.decide_peak_bytes = self.index_bytes() + sizes.nbytes + uf.nbytes() + n * (4 + 8 + 4)
        for band in range(self.bands):
            for members in buckets(self._band_keys[band].span(0, n)):
                if len({uf.find(int(m)) for m in members}) == 1:
                    continue
                members = verification_order(members, sigs)
                self.candidate_pairs += members.size * (members.size - 1) // 2
                for i, j, _ in bucket_pairs(members, sigs, self.threshold, sizes, self._verify,
                                            lambda i, j: uf.find(i) == uf.find(j)):
                    self.verified_pairs += 1
                    uf.union(i, j)
        self.decision = drops_from_clusters(uf.clusters(), sizes, self.ids, lambda m: self._where.take(m)[:, 0],
                                            self._verify, self.keep, near_settings(self.threshold, self.bands, self.rows))
        self._sketch_cache.clear()
        return self.decision

    def index_bytes(self) -> int:
        """Bytes of the in-memory index: the shingle counts (band keys, signatures and sketches live on disk)."""
        return self._sizes.nbytes()

    def disk_bytes(self) -> int:
        """Bytes the step keeps in its work folder (signatures, sketches, ids, ordinals)."""
        if self._spill is None:
            return 0
        return sum(os.path.getsize(os.path.join(self._spill.path, f)) for f in os.listdir(self._spill.path))

    def report(self) -> dict[str, Any]:
        n = max(1, self._sizes.rows)
        return {**self.decision.report(), "indexed_documents": self._sizes.rows, "candidate_pairs": self.candidate_pairs,
                "verified_pairs": self.verified_pairs,
                "index_bytes_per_indexed_document": round(self.index_bytes() / n, 1),
                "decide_peak_bytes_per_indexed_document": round(self.decide_peak_bytes / n, 1),
                "disk_bytes_per_indexed_document": round(self.disk_bytes() / n, 1)}
