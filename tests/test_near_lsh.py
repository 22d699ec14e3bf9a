"""LSH banding, buckets, verification of one bucket, union-find and the survivor rule."""
import random

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cleaner.similarity.lsh import (MAX_PAIRWISE_BUCKET, band_keys, bucket_pairs, buckets, candidate_probability,
                               optimal_bands)
from cleaner.similarity.minhash import MinHasher
from cleaner.similarity.clusters import UnionFind, choose_survivors


@pytest.mark.parametrize("threshold", [0.5, 0.55, 0.7, 0.85])
def test_bands_for_a_verified_index_keep_recall_at_the_threshold(threshold):
    b, r = optimal_bands(threshold, 128, max_bands=32, min_recall=0.95)
    assert b <= 32 and b * r <= 128
    assert candidate_probability(threshold, b, r) >= 0.95
    # one row more would miss the recall target with the bands allowed
    assert candidate_probability(threshold, min(32, 128 // (r + 1)), r + 1) < 0.95


def test_error_area_bands_rise_with_the_threshold_and_reject_bad_input():
    rows = [optimal_bands(t, 128)[1] for t in (0.3, 0.5, 0.7, 0.9)]
    assert rows == sorted(rows) and rows[0] < rows[-1]
    with pytest.raises(ValueError):
        optimal_bands(0.0, 128)
    with pytest.raises(ValueError):
        band_keys(np.zeros((3, 10), dtype=np.uint32), 4, 3)


def test_band_keys_are_equal_exactly_where_a_band_is_equal():
    sig = np.random.default_rng(0).integers(0, 2**32, (4, 12), dtype=np.uint32)
    sig[1, 0:4] = sig[0, 0:4]      # band 0 shared by docs 0 and 1
    sig[3, 8:12] = sig[2, 8:12]    # band 2 shared by docs 2 and 3
    keys = band_keys(sig, 3, 4)
    assert keys.shape == (4, 3) and keys.dtype == np.uint64
    assert keys[0, 0] == keys[1, 0] and keys[0, 1] != keys[1, 1]
    assert keys[2, 2] == keys[3, 2] and keys[2, 0] != keys[3, 0]
    assert keys[0, 0] != keys[0, 1]  # the same values in two bands do not collide by construction
    assert [m.tolist() for m in buckets(keys[:, 0])] == [[0, 1]]


def _sigs_with_similarity(rng, sims, p=128):
    """Signatures of a reference and of documents agreeing with it on a given share of positions."""
    ref = rng.integers(0, 2**32, p, dtype=np.uint32)
    rows = [ref]
    for s in sims:
        row = rng.integers(0, 2**32, p, dtype=np.uint32)
        row[: int(round(s * p))] = ref[: int(round(s * p))]
        rows.append(row)
    return np.vstack(rows)


def test_bucket_pairs_keep_pairs_at_the_threshold_and_reject_those_below():
    sigs = _sigs_with_similarity(np.random.default_rng(1), [0.5, 0.49])
    pairs = bucket_pairs([0, 1, 2], sigs, 0.5)
    assert [(i, j) for i, j, _ in pairs] == [(0, 1)]
    assert pairs[0][2] == pytest.approx(0.5)


def test_bucket_pairs_trust_the_exact_similarity_over_the_estimate():
    sigs = _sigs_with_similarity(np.random.default_rng(2), [0.9, 0.6])
    exact = {(0, 1): 0.3, (0, 2): 0.71, (1, 2): None}
    pairs = bucket_pairs([0, 1, 2], sigs, 0.7, exact=lambda i, j: exact[(i, j)])
    assert [(i, j, s) for i, j, s in pairs] == [(0, 2, 0.71)]


def test_bucket_pairs_reject_pairs_whose_sizes_forbid_the_threshold():
    sigs = _sigs_with_similarity(np.random.default_rng(3), [1.0])
    sizes = np.array([100, 69])
    assert bucket_pairs([0, 1], sigs, 0.7, sizes=sizes) == []
    assert len(bucket_pairs([0, 1], sigs, 0.7, sizes=np.array([100, 70]))) == 1


def test_a_huge_bucket_is_verified_against_leaders_and_still_joins_every_member():
    rng = np.random.default_rng(4)
    m = MAX_PAIRWISE_BUCKET + 50
    sigs = _sigs_with_similarity(rng, [0.95] * (m - 1))
    pairs = bucket_pairs(list(range(m)), sigs, 0.8)
    uf = UnionFind(m)
    for i, j, _ in pairs:
        uf.union(i, j)
    assert [c.tolist() for c in uf.clusters()] == [list(range(m))]
    assert len(pairs) < m * 2  # not quadratic


def test_union_find_clusters_are_sorted_and_skip_singletons():
    uf = UnionFind(8)
    for a, b in [(5, 1), (6, 7), (1, 3)]:
        uf.union(a, b)
    assert [c.tolist() for c in uf.clusters()] == [[1, 3, 5], [6, 7]]
    assert uf.find(5) == 1 and not uf.union(3, 5)
    assert UnionFind(3).clusters() == []


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 11), st.integers(0, 11)), max_size=20), st.randoms())
def test_clusters_do_not_depend_on_the_order_of_unions(edges, rnd):
    def partition(es):
        uf = UnionFind(12)
        for a, b in es:
            uf.union(a, b)
        return [c.tolist() for c in uf.clusters()]
    shuffled = list(edges)
    rnd.shuffle(shuffled)
    assert partition(edges) == partition([(b, a) for a, b in shuffled])


def test_survivor_is_the_largest_then_the_smallest_id_whatever_the_order():
    sizes = [10, 30, 30, 5]
    ids = ["d3", "d9", "d2", "d0"]
    out = choose_survivors([[0, 1, 2, 3]], sizes, ids, similarity=lambda i, j: 0.5 + i / 10)
    assert out == {0: ("d2", 0.5), 1: ("d2", 0.6), 3: ("d2", 0.8)}
    perm = [3, 1, 0, 2]
    out2 = choose_survivors([[0, 1, 2, 3]], [sizes[p] for p in perm], [ids[p] for p in perm])
    assert {ids[perm[k]]: v[0] for k, v in out2.items()} == {"d3": "d2", "d9": "d2", "d0": "d2"}


def test_lsh_finds_near_duplicates_of_real_signatures():
    rnd = random.Random(0)
    words = [f"w{i}" for i in range(3000)]
    base = [rnd.choice(words) for _ in range(400)]
    near = list(base)
    for i in rnd.sample(range(400), 8):
        near[i] = "edited"
    other = [rnd.choice(words) for _ in range(400)]
    from cleaner.similarity.minhash import shingles
    mh = MinHasher(128, 1)
    sigs = mh.signatures([shingles(" ".join(t)) for t in (base, near, other)])
    b, r = optimal_bands(0.5, 128, 32, min_recall=0.95)
    keys = band_keys(sigs, b, r)
    found = {tuple(m.tolist()) for k in range(b) for m in buckets(keys[:, k])}
    assert (0, 1) in found and not any(2 in f for f in found)


def _components(n, pairs):
    uf = UnionFind(n)
    for i, j, _ in pairs:
        uf.union(i, j)
    return sorted(map(list, uf.clusters()))


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 30), st.floats(0.3, 0.9), st.booleans())
def test_a_bucket_joins_the_clusters_every_pair_above_the_threshold_joins(seed, m, threshold, earlier):
    """Pairs already joined (in this bucket or, via ``connected``, before it) are not verified
    again, and the clusters are those of every pair at or above the threshold."""
    rng = np.random.default_rng(seed)
    sigs = _sigs_with_similarity(rng, rng.uniform(0.2, 1.0, size=m - 1).tolist())
    sigs[1:] = np.where(rng.random(sigs[1:].shape) < 0.2, sigs[rng.integers(0, m, m - 1)], sigs[1:])
    members = list(range(m))
    est = lambda i, j: float(np.count_nonzero(sigs[i] == sigs[j])) / sigs.shape[1]   # noqa: E731
    every = [(i, j, est(i, j)) for i in members for j in members if i < j and est(i, j) >= threshold]
    seen = []
    before = UnionFind(m)
    if earlier:   # an earlier band joined some members already
        for i, j, _ in every[::3]:
            before.union(i, j)
    got = bucket_pairs(members, sigs, threshold, exact=lambda i, j: seen.append((i, j)) or est(i, j),
                       connected=lambda i, j: before.find(i) == before.find(j))
    assert all(s >= threshold for _, _, s in got)
    joined = [(i, j, 1.0) for i, j, _ in got] + ([(i, j, 1.0) for i, j, _ in every[::3]] if earlier else [])
    assert _components(m, joined) == _components(m, every)
    assert len(got) < m   # a forest: one pair per member joined


def test_a_bucket_of_near_copies_is_verified_once_a_member():
    sigs = np.tile(np.arange(64, dtype=np.uint32), (40, 1))
    seen = []
    pairs = bucket_pairs(list(range(40)), sigs, 0.8, exact=lambda i, j: seen.append((i, j)) or 1.0)
    assert len(pairs) == len(seen) == 39
