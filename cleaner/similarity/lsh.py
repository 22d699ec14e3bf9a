"""LSH banding of MinHash signatures, candidate buckets, and verification of one bucket.

Public API (stable; shared by the local engine and the Ray engine):

- :func:`optimal_bands` ``(threshold, num_perm, max_bands=None, fp_weight=0.5,
  min_recall=None) -> (bands, rows)`` and :func:`candidate_probability`;
- :func:`band_keys` ``(signatures: uint32[n, P], bands, rows) -> uint64[n, bands]``;
- :func:`buckets` ``(keys: uint64[n], min_size=2) -> iterator of int64[m]``: the members
  of each bucket of one band (equal keys), in ascending index order;
- :func:`bucket_pairs` ``(member_indexes, signatures, threshold, sizes=None,
  exact=None) -> list[(i, j, similarity)]``: the verified pairs of one bucket.

Banding follows Leskovec, Rajaraman and Ullman, *Mining of Massive Datasets*, ch. 3: a
signature of ``bands * rows`` values is cut into ``bands`` bands; two documents are
candidates when all ``rows`` values of any band agree, which happens with probability
``1 - (1 - s**rows)**bands`` for Jaccard similarity ``s``. Candidates are then verified,
because banding is approximate (ekzhu/datasketch#105).
"""
from __future__ import annotations

from typing import Callable, Iterator, Sequence

import numpy as np

from ..containers.runs import runs
from .minhash import mix64

#: A bucket with more members than this is verified against a bounded set of leaders
#: instead of pairwise, so one huge bucket cannot cost O(m**2).
MAX_PAIRWISE_BUCKET = 256
#: Leaders kept per huge bucket; a member matching none of them becomes one, up to this many.
MAX_LEADERS = 1024
#: How far below the threshold a MinHash estimate may be for a pair still to get an exact
#: check (about three standard deviations of the estimate at 128 permutations).
ESTIMATE_SLACK = 0.15
#: Points of the numerical integration in :func:`optimal_bands`.
_INTEGRATION_POINTS = 1001
_BAND_SALT = np.uint64(0x452821E638D01377)


def candidate_probability(similarity, bands: int, rows: int):
    """Probability that a pair of Jaccard similarity ``similarity`` shares at least one band."""
    return 1.0 - (1.0 - np.asarray(similarity, dtype=np.float64) ** rows) ** bands


def optimal_bands(threshold: float, num_perm: int, max_bands: int | None = None,
                  fp_weight: float = 0.5, min_recall: float | None = None) -> tuple[int, int]:
    """LSH ``(bands, rows)`` with ``bands * rows <= num_perm`` (and ``bands <= max_bands``).

    Without ``min_recall``: the pair minimising the weighted false-positive and
    false-negative areas (integrals of the candidate probability below the threshold and
    of its complement above; the criterion of datasketch's ``MinHashLSH``). With
    ``min_recall``: the most rows (fewest false candidates) for which a pair exactly at the
    threshold still becomes a candidate with at least that probability, using as many
    bands as allowed; this suits callers that verify every candidate, where a false
    candidate costs a comparison but a missed one costs a duplicate. Raises
    ``ValueError`` for a threshold outside ``(0, 1]`` or ``num_perm < 1``.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {threshold}")
    if num_perm < 1:
        raise ValueError(f"num_perm must be at least 1, not {num_perm}")
    if min_recall is not None:
        cap = num_perm if max_bands is None else max(1, min(num_perm, max_bands))
        for r in range(num_perm, 0, -1):
            b = min(cap, num_perm // r)
            if b >= 1 and candidate_probability(threshold, b, r) >= min_recall:
                return b, r
        return min(cap, num_perm), 1
    xs = np.linspace(0.0, 1.0, _INTEGRATION_POINTS)
    below, above = xs < threshold, xs >= threshold
    best, best_err = (1, num_perm), float("inf")
    top = num_perm if max_bands is None else max(1, min(num_perm, max_bands))
    for b in range(1, top + 1):
        for r in range(1, num_perm // b + 1):
            p = candidate_probability(xs, b, r)
            fp = float(np.trapezoid(p[below], xs[below])) if below.sum() > 1 else 0.0
            fn = float(np.trapezoid(1.0 - p[above], xs[above])) if above.sum() > 1 else 0.0
            err = fp_weight * fp + (1.0 - fp_weight) * fn
            if err < best_err - 1e-12:
                best, best_err = (b, r), err
    return best


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``uint64[n, bands]``: one 64-bit key per band of each signature.

    ``signatures`` is ``uint32[n, P]`` with ``P >= bands * rows``; band ``k`` covers
    columns ``k*rows .. (k+1)*rows - 1``. Equal keys in one band column mean equal band
    values (up to a 64-bit hash collision, which verification catches). Raises
    ``ValueError`` when the signatures are too short for the banding.
    """
    sig = np.asarray(signatures)
    if sig.ndim != 2 or sig.shape[1] < bands * rows:
        raise ValueError(f"signatures of shape {sig.shape} cannot hold {bands} bands of {rows} rows; "
                         "build the MinHasher with num_perm >= bands * rows")
    out = np.empty((sig.shape[0], bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for k in range(bands):
            acc = np.full(sig.shape[0], _BAND_SALT + np.uint64(k), dtype=np.uint64)
            for c in range(k * rows, (k + 1) * rows):
                acc = mix64(acc ^ sig[:, c].astype(np.uint64))
            out[:, k] = acc
    return out


def buckets(keys: np.ndarray, min_size: int = 2) -> Iterator[np.ndarray]:
    """The index sets of equal keys in a ``uint64[n]`` band column, each ascending.

    Only buckets of at least ``min_size`` members are yielded, in the order of their key.
    """
    n = keys.shape[0]
    if n < min_size:
        return
    order = np.argsort(keys, kind="stable")
    sk = keys[order]
    starts, ends = runs(sk, min_size=min_size)
    for s, e in zip(starts.tolist(), ends.tolist()):
        yield order[s:e]


def verification_order(members: np.ndarray, signatures) -> np.ndarray:
    """The order in which :func:`bucket_pairs` should see a bucket's members, in every engine.

    ``members``: ascending (input order); ``signatures[members]`` their rows. A bucket of
    at most ``MAX_PAIRWISE_BUCKET`` members stays as it is (every pair is checked); a
    larger one, checked against leaders, goes by signature (lexicographic), then input
    order, so its leaders do not depend on how the input was ordered or split.
    """
    members = np.asarray(members, dtype=np.int64)
    if members.size <= MAX_PAIRWISE_BUCKET:
        return members
    members = np.sort(members)
    return members[np.lexsort(np.asarray(signatures[members]).T[::-1])]


def _pairwise_similarity(sigs: np.ndarray) -> np.ndarray:
    """``float64[m, m]``: estimated Jaccard similarity of every pair of ``m`` signatures."""
    m, p = sigs.shape
    sim = np.empty((m, m), dtype=np.float64)
    for i in range(m):
        sim[i] = np.count_nonzero(sigs == sigs[i], axis=1) / p
    return sim


def bucket_pairs(member_indexes: Sequence[int] | np.ndarray, signatures: np.ndarray, threshold: float,
                 sizes: np.ndarray | None = None,
                 exact: Callable[[int, int], float | None] | None = None,
                 connected: Callable[[int, int], bool] | None = None) -> list[tuple[int, int, float]]:
    """The pairs of one LSH bucket whose similarity is at least ``threshold``.

    ``member_indexes``: document ordinals (rows of ``signatures``, a ``uint32[n, P]`` array
    or memmap); give them in a canonical order (for instance ascending by signature) for a
    result that does not depend on input order. ``sizes`` (shingle counts, optional): a pair
    whose size ratio ``min/max`` is below the threshold is rejected without a look at its
    signatures, since ``J(A, B) <= min(|A|, |B|) / max(|A|, |B|)``. ``exact(i, j)``
    (optional) returns a better similarity than the signature estimate (the exact Jaccard
    similarity, or a larger sketch's estimate), or ``None``; pairs whose signature estimate
    is ``ESTIMATE_SLACK`` or more below the threshold are rejected before it is asked.

    Returns ``[(i, j, similarity)]`` with ``i`` before ``j`` in ``member_indexes`` order.
    Buckets over ``MAX_PAIRWISE_BUCKET`` members are checked against up to
    ``MAX_LEADERS`` leaders (the first members that matched no earlier leader) instead of
    every pair.

    In a bucket checked pair by pair, a pair whose two members are already joined is not
    verified: joined by pairs returned earlier for this bucket, or by ``connected(i, j)``
    (optional; the caller's clusters so far, e.g. from earlier bands). The pairs returned
    then join the same clusters as every pair above the threshold would (a pair inside a
    cluster adds nothing to it), with one verification per member joined instead of one
    per pair: a bucket of 150 near-copies, found again in each band, took 27,000
    verifications instead of under 150.
    """
    members = np.asarray(member_indexes, dtype=np.int64)
    m = members.size
    if m < 2:
        return []
    sigs = np.asarray(signatures[np.sort(members)])
    sigs = sigs[np.searchsorted(np.sort(members), members)]
    sz = None if sizes is None else np.asarray(sizes)[members].astype(np.float64)

    def verdict(a: int, b: int, est: float) -> float | None:
        if sz is not None and min(sz[a], sz[b]) < threshold * max(sz[a], sz[b]):
            return None
        sim = exact(int(members[a]), int(members[b])) if exact is not None else None
        sim = est if sim is None else sim
        return sim if sim >= threshold else None

    out: list[tuple[int, int, float]] = []
    if m <= MAX_PAIRWISE_BUCKET:
        sim = _pairwise_similarity(sigs)
        # a candidate needs an estimate near the threshold at least; exact checks decide the rest
        slack = 0.0 if exact is None else ESTIMATE_SLACK
        ii, jj = np.nonzero(np.triu(sim >= threshold - slack, k=1))
        # union-find over the bucket's members, joined by the pairs returned: a list, not
        # clusters.UnionFind, whose numpy parent array (4 bytes an ordinal, for a corpus) makes
        # each find a numpy scalar access: a bucket of 250 members took 3x as long with it
        root = list(range(m))

        def find(x: int) -> int:
            while root[x] != x:
                root[x] = root[root[x]]
                x = root[x]
            return x

        for a, b in zip(ii.tolist(), jj.tolist()):
            ra, rb = find(a), find(b)
            if ra == rb or (connected is not None and connected(int(members[a]), int(members[b]))):
                continue
            s = verdict(a, b, float(sim[a, b]))
            if s is not None:
                out.append((int(members[a]), int(members[b]), s))
                root[rb] = ra
        return out
    leaders: list[int] = []
    p = sigs.shape[1]
    for a in range(m):
        matched = False
        if leaders:
            est = np.count_nonzero(sigs[leaders] == sigs[a], axis=1) / p
            for li in np.flatnonzero(est >= threshold - ESTIMATE_SLACK).tolist():
                s = verdict(leaders[li], a, float(est[li]))
                if s is not None:
                    out.append((int(members[leaders[li]]), int(members[a]), s))
                    matched = True
                    break
        if not matched and len(leaders) < MAX_LEADERS:
            leaders.append(a)
    return out
