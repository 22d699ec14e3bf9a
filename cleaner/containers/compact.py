"""Compact containers for corpus steps: growable numpy columns, a uint64 hash set, key counts, disk stores.

None of them holds one Python object per document: a corpus of 10 M documents costs a
few bytes a document in each.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from typing import Iterator, Sequence

import numpy as np

from .runs import run_counts, run_starts

#: Keys buffered by :class:`KeyCounter` before they are sorted and merged into the counts
#: (or a quarter of the distinct keys counted so far, when that is more: merging is linear,
#: so this keeps the number of merges logarithmic and the buffer small beside the counts).
COUNTER_BUFFER_KEYS = 1 << 20
#: Load factor above which :class:`U64Set` doubles its table.
MAX_SET_LOAD = 0.5
_EMPTY_SLOT = np.uint64(0)


class Column:
    """A growable 1-D numpy array (amortised doubling): ``append``, ``extend``, ``view``."""

    def __init__(self, dtype: np.dtype | type, capacity: int = 1024):
        self._a = np.zeros(max(1, capacity), dtype=dtype)
        self.size = 0

    def _reserve(self, extra: int) -> None:
        need = self.size + extra
        if need > self._a.size:
            grown = np.zeros(max(need, 2 * self._a.size), dtype=self._a.dtype)
            grown[:self.size] = self._a[:self.size]
            self._a = grown

    def append(self, value) -> None:
        self._reserve(1)
        self._a[self.size] = value
        self.size += 1

    def extend(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=self._a.dtype)
        self._reserve(values.size)
        self._a[self.size:self.size + values.size] = values
        self.size += values.size

    def view(self) -> np.ndarray:
        """The filled part (a view: valid until the next append)."""
        return self._a[:self.size]

    def nbytes(self) -> int:
        """Bytes allocated (capacity, not only the filled part)."""
        return int(self._a.nbytes)


class ChunkedRows:
    """Rows of ``width`` values appended into numpy chunks (no copy on growth).

    A new chunk holds an eighth of the rows stored so far (at least ``FIRST_CHUNK_ROWS``,
    at most ``chunk_rows``), so the memory is the rows themselves plus at most 12.5 %
    (or ``FIRST_CHUNK_ROWS`` rows); :meth:`column` gathers one column into a contiguous
    array when it is needed.
    """

    FIRST_CHUNK_ROWS = 64
    GROWTH_DIVISOR = 8

    def __init__(self, width: int, dtype: np.dtype | type, chunk_rows: int = 1 << 16):
        self.width, self.dtype, self.chunk_rows = width, np.dtype(dtype), chunk_rows
        self._chunks: list[np.ndarray] = []
        self._free = 0      # unfilled rows of the last chunk
        self.rows = 0

    def append(self, rows: np.ndarray) -> None:
        rows = np.asarray(rows, dtype=self.dtype).reshape(-1, self.width)
        k = 0
        while k < rows.shape[0]:
            if self._free == 0:
                size = min(self.chunk_rows, max(self.FIRST_CHUNK_ROWS, self.rows // self.GROWTH_DIVISOR))
                self._chunks.append(np.empty((size, self.width), dtype=self.dtype))
                self._free = size
            last = self._chunks[-1]
            used = last.shape[0] - self._free
            take = min(self._free, rows.shape[0] - k)
            last[used:used + take] = rows[k:k + take]
            self._free -= take
            self.rows += take
            k += take

    def column(self, j: int) -> np.ndarray:
        """Column ``j`` of every row, as one contiguous array of ``rows`` values."""
        out = np.empty(self.rows, dtype=self.dtype)
        start = 0
        for c, chunk in enumerate(self._chunks):
            n = chunk.shape[0] - (self._free if c == len(self._chunks) - 1 else 0)
            out[start:start + n] = chunk[:n, j]
            start += n
        return out

    def nbytes(self) -> int:
        """Bytes allocated (the filled rows and the rest of the last chunk)."""
        return sum(int(c.nbytes) for c in self._chunks)


class U64Set:
    """A set of 64-bit integers in one open-addressing numpy table (16 bytes per key at most)."""

    def __init__(self, capacity: int = 1024):
        size = 1 << max(4, int(capacity * 2 - 1).bit_length())
        self._t = np.zeros(size, dtype=np.uint64)
        self._has_zero = False  # 0 marks an empty slot, so the key 0 is kept aside
        self.size = 0

    def add(self, key: int) -> bool:
        """Insert ``key``; True when it was not there yet."""
        k = np.uint64(key)
        if k == _EMPTY_SLOT:
            new, self._has_zero = not self._has_zero, True
            self.size += new
            return new
        t = self._t
        mask = t.size - 1
        i = int(k) & mask
        while True:
            v = t[i]
            if v == _EMPTY_SLOT:
                t[i] = k
                self.size += 1
                if self.size > MAX_SET_LOAD * t.size:
                    self._grow()
                return True
            if v == k:
                return False
            i = (i + 1) & mask

    def _grow(self) -> None:
        old = self._t[self._t != _EMPTY_SLOT]
        self._t = np.zeros(self._t.size * 2, dtype=np.uint64)
        mask = self._t.size - 1
        t = self._t
        for k in old.tolist():
            i = k & mask
            while t[i] != _EMPTY_SLOT:
                i = (i + 1) & mask
            t[i] = k

    def nbytes(self) -> int:
        return int(self._t.nbytes)


class KeyCounter:
    """Occurrence counts of 64-bit keys as two sorted numpy arrays (``keys``, ``counts``).

    Keys are buffered and merged by sort + ``reduceat``: 12 bytes per distinct key once
    merged, instead of a ``Counter`` entry (about 100 bytes) per key.
    """

    def __init__(self, buffer_keys: int = COUNTER_BUFFER_KEYS):
        self.buffer_keys = buffer_keys
        self._buf = Column(np.uint64, 256)
        self.keys = np.zeros(0, dtype=np.uint64)
        self.counts = np.zeros(0, dtype=np.uint32)

    def add(self, keys: np.ndarray) -> None:
        """Count each of ``keys`` once more (duplicates inside ``keys`` count each time)."""
        self._buf.extend(keys)
        if self._buf.size >= max(self.buffer_keys, self.keys.size // 4):
            self.merge()

    def merge(self) -> None:
        """Fold the buffer into the sorted arrays (called by :meth:`add` and before reading)."""
        if self._buf.size == 0:
            return
        nk, nc = run_counts(np.sort(self._buf.view()))
        self._buf = Column(np.uint64, 256)
        keys = np.concatenate([self.keys, nk])
        counts = np.concatenate([self.counts, nc])
        order = np.argsort(keys, kind="stable")  # two sorted runs: timsort merges them in linear time
        keys, counts = keys[order], counts[order]
        starts = run_starts(keys)
        self.keys = keys[starts]
        self.counts = np.add.reduceat(counts, starts).astype(np.uint32) if keys.size else counts

    def get(self, keys: np.ndarray) -> np.ndarray:
        """``uint32`` counts of ``keys`` (0 for keys never added)."""
        self.merge()
        keys = np.asarray(keys, dtype=np.uint64)
        pos = np.searchsorted(self.keys, keys)
        pos = np.minimum(pos, max(0, self.keys.size - 1))
        hit = self.keys[pos] == keys if self.keys.size else np.zeros(keys.size, dtype=bool)
        return np.where(hit, self.counts[pos] if self.keys.size else 0, 0).astype(np.uint32)

    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.counts.nbytes + self._buf.nbytes())


def _member(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(hit, position)``: whether each of ``keys`` is in ``sorted_keys``, and where."""
    if sorted_keys.size == 0:
        return np.zeros(keys.size, dtype=bool), np.zeros(keys.size, dtype=np.int64)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return sorted_keys[pos] == keys, pos


def _merge_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Two sorted arrays as one sorted array (a stable sort of two runs is a linear merge)."""
    return np.sort(np.concatenate([a, b]), kind="stable")


class RepeatCounter:
    """Exact counts of 64-bit keys where only repeated keys carry a count.

    Two levels: ``once`` (sorted ``uint64``, 8 bytes a key) holds keys seen exactly once,
    ``keys``/``counts`` (sorted ``uint64`` and ``uint32``, 12 bytes a key) the keys seen
    two or more times. Most blocks of a web page occur on that page only, so they cost 8
    bytes instead of 12. Keys are buffered (``Column``) and folded in by sort and merge
    once the buffer holds ``max(buffer_keys, distinct keys / 4)``.
    """

    def __init__(self, buffer_keys: int = 1 << 16):
        self.buffer_keys = buffer_keys
        self._buf = Column(np.uint64, 256)
        self.once = np.zeros(0, dtype=np.uint64)
        self.keys = np.zeros(0, dtype=np.uint64)
        self.counts = np.zeros(0, dtype=np.uint32)

    def add(self, keys: np.ndarray) -> None:
        """Count each of ``keys`` once more."""
        self._buf.extend(keys)
        if self._buf.size >= max(self.buffer_keys, (self.once.size + self.keys.size) // 4):
            self.merge()

    def merge(self) -> None:
        """Fold the buffer into the two levels (called by :meth:`add` and before reading)."""
        if self._buf.size == 0:
            return
        nk, nc = run_counts(np.sort(self._buf.view()))
        self._buf = Column(np.uint64, 256)
        in_multi, pos = _member(self.keys, nk)
        if in_multi.any():
            np.add.at(self.counts, pos[in_multi], nc[in_multi])
        nk, nc = nk[~in_multi], nc[~in_multi]
        in_once, opos = _member(self.once, nk)
        nc = nc + in_once.astype(np.uint32)          # a key seen once before: one more
        if in_once.any():
            keep = np.ones(self.once.size, dtype=bool)
            keep[opos[in_once]] = False
            self.once = self.once[keep]
        single = nc == 1
        self.once = _merge_sorted(self.once, nk[single])
        if (~single).any():
            keys = np.concatenate([self.keys, nk[~single]])
            counts = np.concatenate([self.counts, nc[~single]])
            order = np.argsort(keys, kind="stable")
            self.keys, self.counts = keys[order], counts[order]

    def repeated(self) -> tuple[np.ndarray, np.ndarray]:
        """``(keys, counts)`` of the keys seen two or more times, sorted by key."""
        self.merge()
        return self.keys, self.counts

    def nbytes(self) -> int:
        return int(self.once.nbytes + self.keys.nbytes + self.counts.nbytes + self._buf.nbytes())


class SortedU64Set:
    """A set of 64-bit integers: a sorted ``uint64`` array (8 bytes a key) and a small :class:`U64Set` in front.

    New keys go to the hash set; once it holds ``max(min_pending, size / 8)`` keys they are
    merged into the sorted array, so memory stays near 8 bytes a key.
    """

    def __init__(self, min_pending: int = 1 << 12):
        self.min_pending = min_pending
        self._sorted = np.zeros(0, dtype=np.uint64)
        self._pending = U64Set()
        self.size = 0

    def add(self, key: int) -> bool:
        """Insert ``key``; True when it was not there yet."""
        k = np.uint64(key)
        i = int(np.searchsorted(self._sorted, k))
        if i < self._sorted.size and self._sorted[i] == k:
            return False
        if not self._pending.add(int(key)):
            return False
        self.size += 1
        if self._pending.size >= max(self.min_pending, self.size // 8):
            self._fold()
        return True

    def _fold(self) -> None:
        t = self._pending._t
        new = np.sort(t[t != _EMPTY_SLOT])
        if self._pending._has_zero:
            new = np.r_[np.zeros(1, dtype=np.uint64), new]
        self._sorted = _merge_sorted(self._sorted, new)
        self._pending = U64Set()

    def nbytes(self) -> int:
        return int(self._sorted.nbytes + self._pending.nbytes())


class SpillDir:
    """A private folder for a step's disk-backed arrays: under ``parent`` or a temporary one.

    Removed by :meth:`cleanup`, or when the owner is garbage-collected.
    """

    def __init__(self, parent: str | None, name: str):
        if parent:
            os.makedirs(parent, exist_ok=True)
        self.path = tempfile.mkdtemp(prefix=f"{name}-", dir=parent or None)
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.path, True)

    def file(self, name: str) -> str:
        return os.path.join(self.path, name)

    def cleanup(self) -> None:
        self._finalizer()


class RowStore:
    """Fixed-width rows (e.g. ``uint32[P]`` signatures) appended to a file, read back on demand."""

    def __init__(self, path: str, width: int, dtype: np.dtype | type):
        self.path, self.width, self.dtype = path, width, np.dtype(dtype)
        self._fh = open(path, "w+b")
        self.rows = 0
        self._map: np.ndarray | None = None

    def append(self, rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, dtype=self.dtype).reshape(-1, self.width)
        self._fh.write(rows.tobytes())
        self.rows += rows.shape[0]
        self._map = None

    def take(self, indexes: np.ndarray) -> np.ndarray:
        """The rows at ``indexes`` (any order, repeats allowed), read with ``pread``.

        Unlike :meth:`array`, nothing stays mapped: the process's resident memory holds
        only the rows returned (the operating system's page cache does the caching).
        """
        self._fh.flush()
        idx = np.asarray(indexes, dtype=np.int64).ravel()
        out = np.empty((idx.size, self.width), dtype=self.dtype)
        row_bytes = self.width * self.dtype.itemsize
        fd = self._fh.fileno() if not self._fh.closed else None
        if fd is None:
            raise ValueError(f"{self.path} is closed; read it before close()")
        for k, i in enumerate(idx.tolist()):
            out[k] = np.frombuffer(os.pread(fd, row_bytes, i * row_bytes), dtype=self.dtype)
        return out

    def span(self, start: int, end: int) -> np.ndarray:
        """Rows ``start .. end - 1`` of a one-column store as a 1-D array, read with ``pread``."""
        self._fh.flush()
        item = self.width * self.dtype.itemsize
        return np.frombuffer(os.pread(self._fh.fileno(), (end - start) * item, start * item), dtype=self.dtype).copy()

    def array(self) -> np.ndarray:
        """All rows as a read-only ``memmap`` of shape ``(rows, width)`` (empty array when none)."""
        if self._map is None:
            self._fh.flush()
            if self.rows == 0:
                self._map = np.zeros((0, self.width), dtype=self.dtype)
            else:
                self._map = np.memmap(self.path, dtype=self.dtype, mode="r", shape=(self.rows, self.width))
        return self._map

    def close(self) -> None:
        self._map = None
        if not self._fh.closed:
            self._fh.close()


class StringStore:
    """Strings (document ids) appended to a file; ``store[i]`` reads one back. Nothing per string in memory."""

    def __init__(self, path: str):
        self._data = open(path + ".bin", "w+b")
        self._offsets = RowStore(path + ".off", 1, np.uint64)
        self._end = 0

    def append(self, s: str) -> int:
        """Store ``s``; returns its ordinal."""
        self.extend([s])
        return self._offsets.rows - 1

    def extend(self, strings: list[str]) -> None:
        """Store several strings with one write."""
        encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
        lengths = np.fromiter((len(b) for b in encoded), dtype=np.uint64, count=len(encoded))
        starts = np.empty(len(encoded), dtype=np.uint64)
        if len(encoded):
            starts[0] = self._end
            np.cumsum(lengths[:-1], out=starts[1:])
            starts[1:] += np.uint64(self._end)
        self._offsets.append(starts)
        self._data.seek(self._end)
        self._data.write(b"".join(encoded))
        self._end += int(lengths.sum())

    def __len__(self) -> int:
        return self._offsets.rows

    def __getitem__(self, i: int) -> str:
        n = self._offsets.rows
        if not 0 <= i < n:
            raise IndexError(f"string {i} of {n}")
        off = self._offsets.span(i, min(i + 2, n))
        start = int(off[0])
        end = int(off[1]) if off.size > 1 else self._end
        self._data.seek(start)
        return self._data.read(end - start).decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        for i in range(len(self)):
            yield self[i]

    def close(self) -> None:
        self._offsets.close()
        if not self._data.closed:
            self._data.close()


class PackedStrings:
    """Immutable strings packed in one UTF-8 blob with ``int64`` offsets.

    Memory: 8 bytes plus the string's UTF-8 bytes each (a Python list of ``str`` costs about
    50 bytes more a string); ``store[i]`` decodes one. Picklable.
    """

    def __init__(self, strings: Sequence[str] = ()):
        encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
        self.offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        if encoded:
            np.cumsum(np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded)), out=self.offsets[1:])
        self.blob = b"".join(encoded)

    def __len__(self) -> int:
        return int(self.offsets.size - 1)

    def __getitem__(self, i: int) -> str:
        i = int(i)
        if not 0 <= i < len(self):
            raise IndexError(f"string {i} of {len(self)}")
        return self.blob[self.offsets[i]:self.offsets[i + 1]].decode("utf-8", "surrogatepass")

    def __iter__(self) -> Iterator[str]:
        for i in range(len(self)):
            yield self[i]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PackedStrings) and self.blob == other.blob and np.array_equal(self.offsets, other.offsets)

    def nbytes(self) -> int:
        return int(self.offsets.nbytes + len(self.blob))
