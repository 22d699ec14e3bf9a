"""Runs of equal rows in sorted columns: the one helper every group-by-sort in the package uses.

Corpus steps group rows by sorting them (numpy ``argsort`` / ``lexsort``, pyarrow
``sort_by``) and then cut the sorted columns where a value changes: equal template keys,
text keys, LSH band keys, paragraph keys, union-find roots, shards of ordinals. Given
one or more columns sorted together:

- :func:`run_mask` ``(*cols) -> bool[n]``: True on the first row of each run;
- :func:`run_starts` ``(*cols) -> int64[r]``: the index of each run's first row;
- :func:`runs` ``(*cols, min_size=1) -> (starts, ends)``: both ends of each run at least
  ``min_size`` rows long (``ends`` exclusive);
- :func:`run_counts` ``(sorted_keys) -> (distinct keys, uint32 counts)``;
- :func:`distinct` ``(keys) -> sorted distinct keys`` (what ``np.unique`` gives for a 1-D array).

A row starts a run when any of the columns differs from the row before it.
"""
from __future__ import annotations

import numpy as np


def run_mask(*sorted_cols: np.ndarray) -> np.ndarray:
    """``bool[n]``: True where a run of equal rows starts (the first row, and every change in any column)."""
    n = sorted_cols[0].shape[0]
    mask = np.zeros(n, dtype=bool)
    if n == 0:
        return mask
    mask[0] = True
    for c in sorted_cols:
        mask[1:] |= c[1:] != c[:-1]
    return mask


def run_starts(*sorted_cols: np.ndarray) -> np.ndarray:
    """``int64[r]``: the index of the first row of each run of equal rows."""
    return np.flatnonzero(run_mask(*sorted_cols))


def runs(*sorted_cols: np.ndarray, min_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``(starts, ends)`` (``int64``, ``ends`` exclusive) of the runs of equal rows at least ``min_size`` long."""
    starts = run_starts(*sorted_cols)
    ends = np.empty_like(starts)
    ends[:-1] = starts[1:]
    ends[-1:] = sorted_cols[0].shape[0]
    if min_size > 1:
        keep = ends - starts >= min_size
        return starts[keep], ends[keep]
    return starts, ends


def run_counts(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys of a sorted array and how often each occurs (``uint32``)."""
    starts, ends = runs(sorted_keys)
    return sorted_keys[starts], (ends - starts).astype(np.uint32)


def distinct(keys: np.ndarray) -> np.ndarray:
    """The sorted distinct values of the 1-D array ``keys`` (``np.unique(keys)``).

    Sorts and keeps each run's first row: numpy 2's ``unique`` imports ``numpy.ma`` on its
    first call, a fifth of the corpus steps' set-up in a one-page run.
    """
    s = np.sort(keys)
    return s[run_mask(s)]
