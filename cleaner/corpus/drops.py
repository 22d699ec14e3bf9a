"""Corpus steps whose decisions are documents to drop: the exact and near-duplicate steps.

After ``decide`` such a step holds a :class:`DropDecision` (the documents to drop, by
pipeline ordinal, each with the id and ordinal of the kept twin and their Jaccard
similarity). Both engines build it with :func:`drops_from_clusters` (one survivor per
cluster, :func:`~cleaner.similarity.clusters.pick_survivor`) and report it with
:meth:`DropDecision.report`. The same object is all an applier needs, wherever it runs
(``DropStep.applying(decision)``): a worker process of the local engine, or a Ray task
given one shard's part of it (:meth:`DropDecision.part`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from ..document import Document
from ..similarity.clusters import size_histogram, survivor_pairs
from ..steps import CorpusStep

#: Decimal places of the similarity written in a dropped record's ``similarity``.
SIMILARITY_DECIMALS = 4


@dataclass
class DropDecision:
    """Documents to drop: ``ords`` sorted ``int64[n]`` pipeline ordinals, ``kept_ids[i]`` the id
    of the survivor of ``ords[i]``, ``similarity[i]`` (``float32[n]``) their Jaccard similarity,
    ``kept_ords[i]`` (``int64[n]``) the survivor's ordinal (one survivor per cluster: the
    clusters of the report). ``settings``: the step's settings, for :meth:`report`."""

    ords: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    kept_ids: list[str] = field(default_factory=list)
    similarity: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    kept_ords: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def by_ordinal(cls, ords: np.ndarray, kept_ids: Sequence[str], similarity: np.ndarray,
                   kept_ords: np.ndarray | None = None, settings: dict[str, Any] | None = None) -> "DropDecision":
        """The same drops in any order, sorted by ordinal (a stable sort)."""
        ords = np.asarray(ords, dtype=np.int64)
        order = np.argsort(ords, kind="stable")
        kept = np.zeros(ords.size, np.int64) if kept_ords is None else np.asarray(kept_ords, dtype=np.int64)
        return cls(ords[order], [kept_ids[i] for i in order.tolist()],
                   np.asarray(similarity, dtype=np.float32)[order], kept[order], dict(settings or {}))

    def __len__(self) -> int:
        return int(self.ords.size)

    def find(self, ordinal: int) -> tuple[str, float] | None:
        """``(kept id, similarity)`` when the document at ``ordinal`` is dropped, else ``None`` (binary search)."""
        pos = int(np.searchsorted(self.ords, ordinal))
        if pos < self.ords.size and self.ords[pos] == ordinal:
            return self.kept_ids[pos], float(self.similarity[pos])
        return None

    def part(self, positions: np.ndarray) -> "DropDecision":
        """The drops at ``positions`` (ascending), e.g. those of one shard."""
        return DropDecision(self.ords[positions], [self.kept_ids[i] for i in positions.tolist()],
                            self.similarity[positions], self.kept_ords[positions])

    def following(self, later: Sequence["DropDecision"]) -> "DropDecision":
        """These drops, each kept twin that one of ``later`` (settled) decisions drops replaced by its survivor.

        An exact copy of a page that the near-duplicate step drops then names the page that
        step kept: a ``duplicate_of`` always names a document that stays. The similarity
        becomes the chain's weakest link (for an exact copy, the later step's similarity).
        """
        if not len(self) or not any(len(x) for x in later):
            return self
        kept_ids = list(self.kept_ids)
        kept_ords = self.kept_ords.copy()
        similarity = self.similarity.copy()
        for x in later:
            if not len(x):
                continue
            at = np.minimum(np.searchsorted(x.ords, kept_ords), x.ords.size - 1)
            for i in np.nonzero(x.ords[at] == kept_ords)[0].tolist():
                j = int(at[i])
                kept_ids[i], kept_ords[i] = x.kept_ids[j], x.kept_ords[j]
                similarity[i] = min(similarity[i], x.similarity[j])
        return DropDecision(self.ords, kept_ids, similarity, kept_ords, self.settings)

    def cluster_sizes(self) -> list[int]:
        """The size of every cluster (its survivor and the documents dropped for it)."""
        _, counts = np.unique(self.kept_ords, return_counts=True)
        return [int(c) + 1 for c in counts.tolist()]

    def report(self) -> dict[str, Any]:
        """The step's figures for ``report.json``, the same in every engine."""
        sizes = self.cluster_sizes()
        return {"clusters": len(sizes), "largest_cluster": max(sizes, default=0),
                "cluster_sizes": size_histogram(sizes), "dropped_documents": len(self), **self.settings}


def drops_from_clusters(clusters: Iterable[Sequence[int] | np.ndarray], sizes: Any, ids: Any,
                        ordinals: Callable[[np.ndarray], np.ndarray],
                        similarity: Callable[[int, int], float] | None = None, keep: str = "longest",
                        settings: dict[str, Any] | None = None) -> DropDecision:
    """The decision of a dropping step: one survivor per cluster, every other member dropped.

    ``clusters``: sets of members (any numbering: positions in an engine's table, indexes
    in a step's stores), each ascending in input order; ``sizes[m]`` and ``ids[m]``: the
    shingle count and id of member ``m`` (``sizes`` unused unless ``keep="longest"``);
    ``ordinals(members) -> int64[]``: their pipeline ordinals; ``similarity(dropped, kept)``
    (1.0 when ``None``); ``keep``: the survivor rule of :func:`~cleaner.similarity.clusters.pick_survivor`.
    """
    dropped: list[int] = []
    kept: list[int] = []
    kept_ids: list[str] = []
    sims: list[float] = []
    for m, k in survivor_pairs(clusters, sizes, ids, keep):
        dropped.append(m)
        kept.append(k)
        kept_ids.append(ids[k])
        sims.append(1.0 if similarity is None else float(similarity(m, k)))
    n = len(dropped)
    ords = ordinals(np.asarray(dropped + kept, dtype=np.int64)) if n else np.zeros(0, np.int64)
    return DropDecision.by_ordinal(ords[:n], kept_ids, np.asarray(sims, dtype=np.float32), ords[n:], settings)


def settle_decisions(decisions: list[Any]) -> list[Any]:
    """The decisions of a run's corpus steps (in pipeline order), each told what later steps drop.

    A drop decision names, for a kept twin that a later step drops, that document's
    survivor instead (:meth:`DropDecision.following`); a decision with ``with_drops`` (the
    repeated-paragraph step's: a kept copy that a later step drops moves to that document's
    survivor) is replaced by ``decision.with_drops(later drop decisions)``; the others stay
    as they are. Settled from the last step back, so each sees the later ones settled. Both
    engines call it once every step has decided.
    """
    out = list(decisions)
    for k in range(len(out) - 1, -1, -1):
        later = [x for x in out[k + 1:] if isinstance(x, DropDecision)]
        d = out[k]
        if isinstance(d, DropDecision):
            out[k] = d.following(later)
        elif hasattr(d, "with_drops"):
            out[k] = d.with_drops(later)
    return out


class DropStep(CorpusStep):
    """A corpus step that drops documents, naming for each the kept twin (``reason``: the drop reason)."""

    reason = ""
    decision: DropDecision

    def apply(self, index: int, doc: Document) -> None:
        if doc.dropped is not None or not len(self.decision):
            return
        hit = self.decision.find(index)
        if hit is not None:
            doc.dropped = self.reason
            doc.drop_detail = {"duplicate_of": hit[0], "similarity": round(hit[1], SIMILARITY_DECIMALS)}
            self.stats.dropped += 1
