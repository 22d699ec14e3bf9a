"""Shingles, MinHash signatures and bottom-k sketches."""
import numpy as np
from hypothesis import given, settings, strategies as st

from cleaner.similarity.minhash import (MinHasher, bottom_k, estimate_jaccard, exact_jaccard, shingles, sketch_jaccard,
                                   uses_spaces)

WORDS = ("river bank loan harbour ferry timber mill cotton press quarry lantern orchard beacon anvil furnace "
         "meadow granary tannery chapel market wharf signal bridge cannery depot").split()


def _text(rng, n):
    return " ".join(rng.choice(WORDS, n))


def test_word_shingles_ignore_case_and_punctuation_but_not_word_order():
    a = shingles("The ferry left the harbour at dawn, loaded with timber.")
    b = shingles("the FERRY left the harbour at dawn loaded with timber")
    c = shingles("The harbour left the ferry at dawn, loaded with timber.")
    assert np.array_equal(a, b)
    assert a.size == 10 - 5 + 1
    assert not np.array_equal(a, c)


def test_a_text_shorter_than_one_shingle_gives_one_shingle_and_no_words_gives_none():
    assert shingles("two words").size == 1
    assert not np.array_equal(shingles("two words"), shingles("two word"))
    assert shingles("... -- !!").size == 0


def test_text_without_spaces_gets_character_shingles():
    zh = "山谷里的老磨坊去年秋天重新开工，村民用它加工本地种植的荞麦和燕麦。"
    assert not uses_spaces(zh)
    assert uses_spaces("A plain English sentence with a 漢 character.")
    sh = shingles(zh, 5, 5)
    letters = sum(ch.isalnum() for ch in zh)
    assert sh.size == letters - 5 + 1  # all character 5-grams distinct here
    # one changed character touches at most 5 shingles
    changed = zh.replace("荞麦", "小麦")
    inter = np.intersect1d(sh, shingles(changed, 5, 5)).size
    assert inter >= sh.size - 2 * 5


def test_shingle_hashes_do_not_depend_on_the_process():
    import subprocess
    import sys
    code = ("from cleaner.similarity.minhash import shingles, MinHasher;"
            "print(MinHasher(4, 9).signature(shingles('alpha beta gamma delta epsilon zeta')).tolist())")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert len(outs) == 1
    assert outs.pop().strip() == str(MinHasher(4, 9).signature(shingles("alpha beta gamma delta epsilon zeta")).tolist())


def test_signatures_in_a_batch_equal_one_by_one_and_empty_is_all_ones():
    rng = np.random.default_rng(1)
    mh = MinHasher(64, seed=7)
    sets = [shingles(_text(rng, n)) for n in (3, 40, 400, 0, 9000)]
    batch = mh.signatures(sets)
    for s, row in zip(sets, batch):
        assert np.array_equal(mh.signature(s), row)
    assert np.all(batch[3] == 0xFFFFFFFF)
    assert batch.shape == (5, 64) and batch.dtype == np.uint32


def test_seed_changes_the_family_but_not_the_estimate_quality():
    a = np.arange(1, 2001, dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    b = a[500:].copy()  # J = 1500 / 2000 = 0.75
    for seed in (1, 2):
        mh = MinHasher(256, seed)
        est = estimate_jaccard(mh.signature(np.sort(a)), mh.signature(np.sort(b)))
        assert abs(est - 0.75) < 0.1
    assert not np.array_equal(MinHasher(8, 1).a, MinHasher(8, 2).a)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 300), st.integers(0, 300), st.integers(1, 300))
def test_minhash_estimate_is_close_to_exact_jaccard(only_a, only_b, common):
    base = np.random.default_rng(only_a * 1000 + only_b).integers(0, 2**63, only_a + only_b + common, dtype=np.uint64)
    base = np.unique(base)
    a = np.sort(base[:only_a + common])
    b = np.sort(base[only_a:])
    mh = MinHasher(256, 3)
    est = estimate_jaccard(mh.signature(a), mh.signature(b))
    assert abs(est - exact_jaccard(a, b)) < 0.15  # > 4 standard errors at 256 permutations


def test_bottom_k_sketch_is_exact_for_small_sets_and_close_for_large_ones():
    rng = np.random.default_rng(5)
    small_a = shingles(_text(rng, 30))
    small_b = np.union1d(small_a[:20], shingles(_text(rng, 8)))
    assert sketch_jaccard(bottom_k(small_a, 64), bottom_k(small_b, 64), 64) == exact_jaccard(small_a, small_b)
    big = rng.permutation(np.unique(rng.integers(0, 2**63, 20000, dtype=np.uint64)))
    a, b = big[:15000], big[5000:]  # J = 10000 / 20000, membership independent of the hash value
    est = sketch_jaccard(bottom_k(np.sort(a), 512), bottom_k(np.sort(b), 512), 512)
    assert abs(est - 0.5) < 0.1
    assert sketch_jaccard(bottom_k(a[:0], 8), bottom_k(b[:0], 8), 8) == 1.0


def test_the_coefficients_from_the_cache_are_the_generators(tmp_path, monkeypatch):
    """The hash family read back from the user's cache is the one numpy's generator draws for the seed."""
    import numpy as np

    from cleaner.similarity import minhash

    monkeypatch.setenv("CLEANER_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(minhash, "_COEFFICIENTS", {})
    rng = np.random.default_rng(7)
    a = rng.integers(0, 1 << 63, size=16, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
    b = rng.integers(0, 1 << 63, size=16, dtype=np.uint64) * np.uint64(2)
    first = minhash.MinHasher(16, 7)
    assert np.array_equal(first.a, a) and np.array_equal(first.b, b) and any(tmp_path.rglob("16-7.marshal"))
    monkeypatch.setattr(minhash, "_COEFFICIENTS", {})       # a new process: read from the cache
    monkeypatch.setattr(np.random, "default_rng", None)     # ... without drawing again
    again = minhash.MinHasher(16, 7)
    assert np.array_equal(again.a, a) and np.array_equal(again.b, b)
    assert again.a.dtype == np.uint64 and not again.a.flags.writeable


def _naive_sketch_jaccard(a, b, k):
    """The definition: the k smallest values of the union; of those, the share found in both
    sketches (a value occurring twice across the two counts as in both)."""
    if not len(a) and not len(b):
        return 1.0
    values = list(a) + list(b)
    union = sorted(set(values))[:k]
    return sum(values.count(v) >= 2 for v in union) / len(union)


@given(st.lists(st.integers(0, 40), max_size=30), st.lists(st.integers(0, 40), max_size=30), st.integers(1, 40),
       st.booleans())
def test_sketch_jaccard_is_its_definition(a, b, k, distinct):
    if distinct:   # sketches as bottom_k makes them, but for a 32-bit collision: sorted, distinct
        a, b = sorted(set(a)), sorted(set(b))
    else:
        a, b = sorted(a), sorted(b)
    got = sketch_jaccard(np.array(a, dtype=np.uint32), np.array(b, dtype=np.uint32), k)
    assert got == _naive_sketch_jaccard(a, b, k)
