"""Exact duplicate documents: the same normalised text, a cheap filter before MinHash.

Public API: :func:`text_key` ``(text) -> int``, the 64-bit key of a document's clean text
with case, ASCII punctuation and white space folded (:func:`normalize_text`) (two documents are exact duplicates when
their keys are equal). The survivor of a group of equal keys is the one with the
smallest id (the rule of :mod:`cleaner.similarity.clusters`; all members have the same text), so the
result does not depend on input order.

Memory: 8 bytes per document (the ``uint64`` key in a numpy column); the pipeline
ordinals and the ids go to files in the work folder and are read back for the dropped
documents only.
"""
from __future__ import annotations

import string
from typing import Any, Callable

import numpy as np
import xxhash

from ..document import Document, apply_spans
from ..containers.compact import ChunkedRows, RowStore, SpillDir, StringStore
from ..containers.runs import runs
from .drops import DropDecision, DropStep, drops_from_clusters

_ASCII_PUNCT = string.punctuation.encode("ascii")
#: Survivor rules: ``smallest-id`` (independent of input order) or ``first`` (input order).
EXACT_KEEP_RULES = ("smallest-id", "first")
#: Documents buffered before their keys and ids are stored.
PENDING_DOCS = 1024


def normalize_text(text: str) -> bytes:
    """UTF-8 of the case-folded text without white space and ASCII punctuation."""
    return b"".join(text.casefold().encode("utf-8", "surrogatepass").translate(None, _ASCII_PUNCT).split())


def text_key(text: str) -> int:
    """64-bit xxh3 hash of :func:`normalize_text` (0 when nothing is left)."""
    norm = normalize_text(text)
    return xxhash.xxh3_64_intdigest(norm) if norm else 0


def exact_drops(sorted_keys: np.ndarray, members: np.ndarray, ids: Any, ordinals: Callable[[np.ndarray], np.ndarray],
                keep: str = "smallest-id") -> DropDecision:
    """The exact-duplicate decision over text keys, in every engine.

    ``sorted_keys``: text keys (:func:`text_key`, never 0) sorted, ``members[i]`` the member
    (any numbering) whose key is ``sorted_keys[i]``, those of one key ascending in input
    order; ``ids[m]``, ``ordinals(members)``: as :func:`~cleaner.corpus.drops.drops_from_clusters`
    takes them. Each group of equal keys keeps one member (``keep``: the smallest id, or
    the ``first`` in input order).
    """
    starts, ends = runs(sorted_keys, min_size=2)
    clusters = (members[s:e] for s, e in zip(starts.tolist(), ends.tolist()))
    return drops_from_clusters(clusters, None, ids, ordinals, keep=keep)


class ExactDuplicates(DropStep):
    """Drop every document whose normalised clean text equals another's; the smallest id stays."""

    name = "exact-dup"
    reason = "exact-duplicate"

    def __init__(self, workdir: str | None = None, keep: str = "smallest-id"):
        super().__init__()
        if keep not in EXACT_KEEP_RULES:
            raise ValueError(f"exact_dup_keep must be one of {', '.join(EXACT_KEEP_RULES)}, not {keep!r}")
        self.keep = keep
        self.workdir = workdir
        self._spill: SpillDir | None = None
        self._keys = ChunkedRows(1, np.uint64)   # text key per indexed document
        self._pending: list[tuple[int, int, str]] = []
        self.decision = DropDecision()

    @classmethod
    def from_options(cls, options, workdir: str | None = None) -> "ExactDuplicates":
        return cls(workdir, options.exact_dup_keep)

    def fingerprint(self, doc: Document) -> Any:
        return text_key(apply_spans(doc.text, doc.removed))

    def observe(self, index: int, doc_id: str, fp: Any) -> None:
        if not fp:
            return
        if self._spill is None:   # _spill set last: a stop (Ctrl-C) in between leaves nothing half open for close()
            spill = SpillDir(self.workdir, "exact-dup")
            self.ids = StringStore(spill.file("ids"))
            self._where = RowStore(spill.file("ordinals.i64"), 1, np.int64)
            self._spill = spill
        self._pending.append((fp, index, doc_id))
        if len(self._pending) >= PENDING_DOCS:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._keys.append(np.array([k for k, _, _ in self._pending], dtype=np.uint64))
            self._where.append(np.array([i for _, i, _ in self._pending], dtype=np.int64))
            self.ids.extend([d for _, _, d in self._pending])
            self._pending = []

    def decide(self) -> DropDecision:
        try:
            self._flush()
            keys = self._keys.column(0)
            if keys.size >= 2:
                order = np.argsort(keys, kind="stable")
                self.decision = exact_drops(keys[order], order, self.ids, lambda m: self._where.take(m)[:, 0], self.keep)
            return self.decision
        finally:
            self.close()

    def close(self) -> None:
        if self._spill is not None:
            self.ids.close()
            self._where.close()

    def index_bytes(self) -> int:
        """Bytes of the in-memory index: one ``uint64`` key per document (ordinals and ids live on disk)."""
        return self._keys.nbytes()
