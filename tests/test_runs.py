"""The one helper for runs of equal rows in sorted columns (cleaner.containers.runs)."""
from __future__ import annotations

import numpy as np
from hypothesis import given, strategies as st

from cleaner.containers.runs import distinct, run_counts, run_mask, run_starts, runs


def test_empty_columns_have_no_runs():
    z = np.zeros(0, np.uint64)
    assert run_mask(z).size == 0 and run_starts(z).size == 0
    s, e = runs(z)
    assert s.size == 0 and e.size == 0
    k, c = run_counts(z)
    assert k.size == 0 and c.dtype == np.uint32


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2)), max_size=40), st.integers(1, 3))
def test_runs_of_two_columns_match_a_plain_loop(rows, min_size):
    rows = sorted(rows)
    a = np.array([r[0] for r in rows], np.int64)
    b = np.array([r[1] for r in rows], np.int64)
    want, i = [], 0
    while i < len(rows):
        j = i
        while j < len(rows) and rows[j] == rows[i]:
            j += 1
        if j - i >= min_size:
            want.append((i, j))
        i = j
    s, e = runs(a, b, min_size=min_size)
    assert list(zip(s.tolist(), e.tolist())) == want
    k, c = run_counts(np.sort(a))
    assert dict(zip(k.tolist(), c.tolist())) == {x: int((a == x).sum()) for x in set(a.tolist())}


@given(st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 5), max_size=60))
def test_distinct_is_the_sorted_set_of_the_keys(values):
    keys = np.array(values, np.uint64)
    got = distinct(keys)
    assert got.tolist() == sorted(set(values)) and got.dtype == np.uint64
