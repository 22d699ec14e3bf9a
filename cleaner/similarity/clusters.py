"""Clusters of duplicate documents: union-find over ordinals, and one deterministic survivor each.

Public API (stable; shared by the local engine and the Ray engine):

- :class:`UnionFind` ``(n)``: ``union(i, j)``, ``find(i)``, ``clusters() -> list[int64[m]]``;
- :func:`choose_survivors` ``(clusters, sizes, ids, similarity=None) -> {dropped: (kept_id, similarity)}``;
- :func:`pick_survivor` ``(members, sizes, ids) -> ordinal`` and :func:`survivor_key`
  ``(size, doc_id)``: the survivor rule itself.

Survivor rule (independent of input order): in each cluster the member with the most
shingles (the most complete text) survives; among equals, the smallest id (Python string
order). Every other member is dropped with the survivor's id.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from ..containers.runs import run_starts


class UnionFind:
    """Disjoint sets over the ordinals ``0 .. n-1`` in one ``int32``/``int64`` parent array.

    Path halving on ``find``, the smaller ordinal becomes the root on ``union`` (so the
    partition, and each root, depends only on the pairs joined). Memory: 4 bytes per
    ordinal below 2**31, else 8.
    """

    def __init__(self, n: int):
        self.parent = np.arange(n, dtype=np.int32 if n < 2**31 else np.int64)
        self.joined = 0

    def find(self, x: int) -> int:
        """The root of ``x``'s set."""
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return int(x)

    def union(self, x: int, y: int) -> bool:
        """Join the sets of ``x`` and ``y``; True when they were apart."""
        rx, ry = self.find(x), self.find(y)
        if rx == ry:
            return False
        if rx < ry:
            rx, ry = ry, rx
        self.parent[rx] = ry
        self.joined += 1
        return True

    def roots(self) -> np.ndarray:
        """The root of every ordinal (pointer jumping in numpy, no Python loop per ordinal)."""
        p = self.parent.copy()
        while True:
            q = p[p]
            if np.array_equal(q, p):
                return p
            p = q

    def clusters(self) -> list[np.ndarray]:
        """Every set of two or more ordinals, each ascending, ordered by smallest member."""
        if self.joined == 0:
            return []
        roots = self.roots()
        touched = np.flatnonzero(roots != np.arange(roots.size, dtype=roots.dtype))
        cand = np.unique(np.concatenate([touched, roots[touched]]))
        order = np.argsort(roots[cand], kind="stable")
        members, r = cand[order], roots[cand][order]
        starts = run_starts(r)
        return [np.asarray(c, dtype=np.int64) for c in np.split(members, starts[1:])]

    def nbytes(self) -> int:
        """Bytes of the parent array."""
        return int(self.parent.nbytes)


def size_histogram(sizes: Iterable[int]) -> dict[str, int]:
    """``{"2": clusters of 2, "3": clusters of 3, ...}`` in ascending size (the report's ``cluster_sizes``)."""
    out: dict[str, int] = {}
    for n in sorted(int(x) for x in sizes):
        out[str(n)] = out.get(str(n), 0) + 1
    return out


def survivor_key(size: int, doc_id: str) -> tuple[int, str]:
    """Sort key of the survivor rule: most shingles first, then the smallest id."""
    return (-int(size), doc_id)


#: Survivor rules: ``longest`` (:func:`survivor_key`) or ``first`` (the smallest member, i.e.
#: the earliest in input order: both engines number cluster members in input order).
KEEP_RULES = ("longest", "first")


def pick_survivor(members: Sequence[int], sizes: np.ndarray | Sequence[int], ids: Sequence[str],
                  keep: str = "longest") -> int:
    """The survivor of one cluster under :func:`survivor_key` (reads only the members' ids), or
    with ``keep="first"`` the smallest member, with ``keep="smallest-id"`` the smallest id
    (the first such member). Raises ``ValueError`` for another ``keep``."""
    if keep == "first":
        return min(int(m) for m in members)
    if keep == "smallest-id":   # the exact-duplicate rule: members have the same text
        return min((int(m) for m in members), key=lambda m: ids[m])
    if keep != "longest":
        raise ValueError(f"keep must be one of {', '.join(KEEP_RULES)}, not {keep!r}")
    return min((int(m) for m in members), key=lambda m: survivor_key(sizes[m], ids[m]))


def survivor_pairs(clusters: Iterable[Sequence[int] | np.ndarray], sizes: Any, ids: Any,
                   keep: str = "longest") -> Iterator[tuple[int, int]]:
    """``(dropped, survivor)`` for every member of every cluster of two or more but its survivor
    (:func:`pick_survivor`), cluster by cluster, members in the cluster's order."""
    for cluster in clusters:
        members = [int(m) for m in cluster]
        if len(members) < 2:
            continue
        kept = pick_survivor(members, sizes, ids, keep)
        for m in members:
            if m != kept:
                yield m, kept


def choose_survivors(clusters: Iterable[Sequence[int] | np.ndarray], sizes: np.ndarray | Sequence[int],
                     ids: Sequence[str], similarity: Callable[[int, int], float] | None = None,
                     keep: str = "longest") -> dict[int, tuple[str, float]]:
    """Pick one survivor per cluster; map every other member to ``(survivor id, similarity)``.

    ``clusters``: ordinal sets (from :meth:`UnionFind.clusters`); ``sizes[i]``: shingle
    count of ordinal ``i``; ``ids[i]``: its document id (any indexable, e.g. a disk-backed
    id store); ``similarity(dropped, kept)``: the similarity to report (1.0 when ``None``).
    The rule is :func:`survivor_key`, so the result does not depend on input order.
    """
    return {m: (ids[kept], 1.0 if similarity is None else float(similarity(m, kept)))
            for m, kept in survivor_pairs(clusters, sizes, ids, keep)}
