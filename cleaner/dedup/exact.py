"""Exact duplicate documents: the same normalised text, a cheap filter before MinHash.

Public API: :func:`text_key` ``(text) -> int``, the 64-bit key of a document's clean text
with case, ASCII punctuation and white space folded (:func:`normalize_text`) (two documents are exact duplicates when
their keys are equal). The survivor of a group of equal keys is the one with the
smallest id (the rule of :mod:`.unionfind`; all members have the same text), so the
result does not depend on input order.

Memory: 8 bytes per document (the ``uint64`` key in a numpy column); the pipeline
ordinals and the ids go to files in the work folder and are read back for the dropped
documents only.
"""
from __future__ import annotations

import string
from typing import Any

import numpy as np
import xxhash

from ..document import Document, apply_spans
from ..steps import CorpusStep
from .compact import ChunkedRows, RowStore, SpillDir, StringStore
from .unionfind import size_histogram

_ASCII_PUNCT = string.punctuation.encode("ascii")
#: Documents buffered before their keys and ids are stored.
PENDING_DOCS = 1024


def normalize_text(text: str) -> bytes:
    """UTF-8 of the case-folded text without white space and ASCII punctuation."""
    return b"".join(text.casefold().encode("utf-8", "surrogatepass").translate(None, _ASCII_PUNCT).split())


def text_key(text: str) -> int:
    """64-bit xxh3 hash of :func:`normalize_text` (0 when nothing is left)."""
    norm = normalize_text(text)
    return xxhash.xxh3_64_intdigest(norm) if norm else 0


class ExactDuplicates(CorpusStep):
    """Drop every document whose normalised clean text equals another's; the smallest id stays."""

    name = "exact-dup"

    def __init__(self, workdir: str | None = None):
        super().__init__()
        self.workdir = workdir
        self._spill: SpillDir | None = None
        self._keys = ChunkedRows(1, np.uint64)   # text key per indexed document
        self._pending: list[tuple[int, int, str]] = []
        self.dropped_index = np.zeros(0, dtype=np.int64)   # pipeline ordinals, sorted
        self.kept_of = np.zeros(0, dtype=np.int64)         # local ordinal of each one's survivor
        self.group_sizes: list[int] = []

    @classmethod
    def from_options(cls, options, workdir: str | None = None) -> "ExactDuplicates":
        return cls(workdir)

    @classmethod
    def from_decisions(cls, ords: np.ndarray, kept_ids: list[str]) -> "ExactDuplicates":
        """A step that only applies decisions taken elsewhere (another process, a Ray shuffle).

        ``ords``: sorted ``int64`` ordinals of the documents to drop; ``kept_ids[i]``: the
        id of the survivor of ``ords[i]``.
        """
        step = cls()
        step.dropped_index = np.asarray(ords, dtype=np.int64)
        step.kept_of = np.arange(len(kept_ids), dtype=np.int64)
        step.ids = list(kept_ids)
        return step

    def applier(self) -> "ExactDuplicates":
        """The decisions alone, as :meth:`from_decisions` takes them (memory: the drops only)."""
        return type(self).from_decisions(self.dropped_index, [self.ids[int(k)] for k in self.kept_of.tolist()])

    def fingerprint(self, doc: Document) -> Any:
        return text_key(apply_spans(doc.text, doc.removed))

    def observe(self, index: int, doc_id: str, fp: Any) -> None:
        if not fp:
            return
        if self._spill is None:
            self._spill = SpillDir(self.workdir, "exact-dup")
            self.ids = StringStore(self._spill.file("ids"))
            self._where = RowStore(self._spill.file("ordinals.i64"), 1, np.int64)
        self._pending.append((fp, index, doc_id))
        if len(self._pending) >= PENDING_DOCS:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._keys.append(np.array([k for k, _, _ in self._pending], dtype=np.uint64))
            self._where.append(np.array([i for _, i, _ in self._pending], dtype=np.int64))
            self.ids.extend([d for _, _, d in self._pending])
            self._pending = []

    def decide(self) -> None:
        self._flush()
        keys = self._keys.column(0)
        n = keys.size
        if n < 2:
            return
        order = np.argsort(keys, kind="stable")
        sk = keys[order]
        starts = np.flatnonzero(np.r_[True, sk[1:] != sk[:-1]])
        ends = np.r_[starts[1:], n]
        big = ends - starts >= 2
        dropped: list[int] = []
        kept: list[int] = []
        for s, e in zip(starts[big].tolist(), ends[big].tolist()):
            members = order[s:e].tolist()
            k = min(members, key=lambda m: self.ids[m])
            self.group_sizes.append(e - s)
            for m in members:
                if m != k:
                    dropped.append(m)
                    kept.append(k)
        at = self._where.take(np.asarray(dropped, dtype=np.int64))[:, 0] if dropped else np.zeros(0, np.int64)
        o = np.argsort(at, kind="stable")
        self.dropped_index = at[o]
        self.kept_of = np.asarray(kept, dtype=np.int64)[o]

    def apply(self, index: int, doc: Document) -> None:
        if self.dropped_index.size == 0 or doc.dropped is not None:
            return
        pos = int(np.searchsorted(self.dropped_index, index))
        if pos < self.dropped_index.size and self.dropped_index[pos] == index:
            doc.dropped = "exact-duplicate"
            doc.drop_detail = {"duplicate_of": self.ids[int(self.kept_of[pos])], "similarity": 1.0}
            self.stats.dropped += 1

    def index_bytes(self) -> int:
        """Bytes of the in-memory index: one ``uint64`` key per document (ordinals and ids live on disk)."""
        return self._keys.nbytes()

    def report(self) -> dict[str, Any]:
        return {"clusters": len(self.group_sizes), "largest_cluster": max(self.group_sizes, default=0),
                "cluster_sizes": size_histogram(self.group_sizes), "dropped_documents": int(self.dropped_index.size)}
