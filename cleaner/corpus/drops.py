"""Corpus steps whose decisions are documents to drop: the exact and near-duplicate steps.

After ``decide`` such a step holds a :class:`DropDecision` (the documents to drop, by
pipeline ordinal, each with the id of the kept twin and their Jaccard similarity). The
same object is all an applier needs, wherever it runs: a worker process of the local
engine (:meth:`DropStep.applier`) or a Ray task given one shard's part of it
(:meth:`DropStep.from_decisions`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from ..document import Document
from ..steps import CorpusStep

#: Decimal places of the similarity written in a dropped record's ``similarity``.
SIMILARITY_DECIMALS = 4


@dataclass
class DropDecision:
    """Documents to drop: ``ords`` sorted ``int64[n]`` pipeline ordinals, ``kept_ids[i]`` the id
    of the survivor of ``ords[i]``, ``similarity[i]`` (``float32[n]``) their Jaccard similarity."""

    ords: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    kept_ids: list[str] = field(default_factory=list)
    similarity: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    @classmethod
    def by_ordinal(cls, ords: np.ndarray, kept_ids: Sequence[str], similarity: np.ndarray) -> "DropDecision":
        """The same drops in any order, sorted by ordinal (a stable sort)."""
        order = np.argsort(np.asarray(ords, dtype=np.int64), kind="stable")
        return cls(np.asarray(ords, dtype=np.int64)[order], [kept_ids[i] for i in order.tolist()],
                   np.asarray(similarity, dtype=np.float32)[order])

    def __len__(self) -> int:
        return int(self.ords.size)

    def find(self, ordinal: int) -> tuple[str, float] | None:
        """``(kept id, similarity)`` when the document at ``ordinal`` is dropped, else ``None`` (binary search)."""
        pos = int(np.searchsorted(self.ords, ordinal))
        if pos < self.ords.size and self.ords[pos] == ordinal:
            return self.kept_ids[pos], float(self.similarity[pos])
        return None


class DropStep(CorpusStep):
    """A corpus step that drops documents, naming for each the kept twin (``reason``: the drop reason)."""

    reason = ""
    drops: DropDecision

    @classmethod
    def from_decisions(cls, decision: DropDecision) -> "DropStep":
        """A step that only applies decisions taken elsewhere (another process, a Ray shuffle)."""
        step = cls.__new__(cls)
        CorpusStep.__init__(step)
        step.drops = decision
        return step

    def applier(self) -> "DropStep":
        """The decisions alone (memory: the drops only)."""
        return type(self).from_decisions(self.drops)

    def apply(self, index: int, doc: Document) -> None:
        if doc.dropped is not None or not len(self.drops):
            return
        hit = self.drops.find(index)
        if hit is not None:
            doc.dropped = self.reason
            doc.drop_detail = {"duplicate_of": hit[0], "similarity": round(hit[1], SIMILARITY_DECIMALS)}
            self.stats.dropped += 1
