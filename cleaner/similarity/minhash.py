"""Shingles and MinHash signatures as packed numpy arrays.

Public API (stable; the local engine and the Ray engine both call it):

- :func:`uses_spaces` ``(text) -> bool``: word shingles (True) or character shingles (False);
- :func:`shingles` ``(text, word_n, char_n) -> uint64[k]``: sorted distinct shingle hashes;
- :class:`MinHasher` ``(num_perm, seed)``: ``.signature(hashes) -> uint32[num_perm]`` and
  ``.signatures(list_of_hash_arrays) -> uint32[n, num_perm]`` (one numpy pass per batch);
- :func:`estimate_jaccard` ``(sig_a, sig_b) -> float`` and :func:`exact_jaccard`
  ``(hashes_a, hashes_b) -> float``;
- :func:`bottom_k` ``(hashes, k) -> uint32[min(k, n)]`` and :func:`sketch_jaccard`
  ``(sketch_a, sketch_b, k) -> float``: the verification sketch (exact Jaccard similarity
  for sets of at most ``k`` shingles, an unbiased estimate with standard error
  ``sqrt(J (1 - J) / k)`` above; Broder 1997, Cohen and Kaplan 2007 "Summarizing data using
  bottom-k sketches").

MinHash (Broder 1997, "On the resemblance and containment of documents") estimates the
Jaccard similarity of two shingle sets as the share of equal per-function minima. The
hash functions are multiply-add-shift, ``h_i(x) = (a_i * x + b_i) mod 2**64 >> 32`` with
odd ``a_i`` (Dietzfelbinger et al. 1997); their inputs are already well-mixed 64-bit
shingle hashes, where 2-independent families behave like fully random ones
(Mitzenmacher and Vadhan 2008, "Why simple hash functions work"). This avoids the
``mod (2**61 - 1)`` of datasketch's MinHash, which numpy computes slowly.
"""
from __future__ import annotations

import sys
from typing import Sequence

import numpy as np
import regex
import xxhash

from ..containers.runs import run_mask
from ..rules.pattern_cache import compile_pattern

#: Signature value of an empty shingle set (larger than any real minimum).
EMPTY_VALUE = np.uint32(0xFFFFFFFF)
#: Rows of the (shingles x permutations) matrix computed at a time: the temporary
#: matrix (8 bytes x 1024 x num_perm, 1 MiB at 128) stays in the CPU cache.
CHUNK_SHINGLES = 1024
#: Share of word characters from scripts written without spaces at or above which a
#: text gets character shingles instead of word shingles.
NO_SPACE_SHARE = 0.3
#: Characters of a text looked at to decide its script.
SCRIPT_SAMPLE_CHARS = 2000

_SPLITMIX_1 = np.uint64(0xBF58476D1CE4E5B9)
_SPLITMIX_2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_CHAR_SALT = np.uint64(0x243F6A8885A308D3)
_U30, _U27, _U31, _U32 = np.uint64(30), np.uint64(27), np.uint64(31), np.uint64(32)
_HIGH_HALF = 1 if sys.byteorder == "little" else 0

_WORD = compile_pattern(r"\w+", regex.V1)
_NO_SPACE_SCRIPT = compile_pattern(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]", 0)


def mix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser applied element-wise to a ``uint64`` array (a new array)."""
    x = x ^ (x >> _U30)
    x *= _SPLITMIX_1
    x ^= x >> _U27
    x *= _SPLITMIX_2
    x ^= x >> _U31
    return x


#: Code-point ranges of scripts written without spaces between words: Thai and Lao,
#: Myanmar, Khmer, Hiragana and Katakana, CJK ideographs (with extensions and
#: compatibility forms), Hangul is left out (it uses spaces).
NO_SPACE_RANGES = ((0x0E00, 0x0EFF), (0x1000, 0x109F), (0x1780, 0x17FF), (0x3040, 0x30FF),
                   (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3134F))


def _no_space_share(codepoints: np.ndarray) -> float:
    """Share of ``codepoints`` (``uint32``) in :data:`NO_SPACE_RANGES`."""
    if codepoints.size == 0:
        return 0.0
    hit = np.zeros(codepoints.size, dtype=bool)
    for lo, hi in NO_SPACE_RANGES:
        hit |= (codepoints >= lo) & (codepoints <= hi)
    return float(np.count_nonzero(hit)) / codepoints.size


def _codepoints(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")


def uses_spaces(text: str) -> bool:
    """False when at least 30 % of the word characters belong to scripts written without spaces (CJK, Thai, ...)."""
    sample = text[:SCRIPT_SAMPLE_CHARS]
    if sample.isascii():
        return True
    return _no_space_share(_codepoints("".join(_WORD.findall(sample)))) < NO_SPACE_SHARE


def _ngrams(units: np.ndarray, n: int) -> np.ndarray:
    """Order-sensitive 64-bit hashes of every window of ``n`` consecutive unit hashes.

    ``sum(units[i + k] * C**k) mod 2**64`` over the window (``C`` odd), then the splitmix64
    finaliser; the units are already random 64-bit hashes, so two different windows
    collide with probability about 2**-64. Fewer than ``n`` units give one window of all.
    """
    m = units.size
    if m == 0:
        return units
    n = min(n, m)
    length = m - n + 1
    with np.errstate(over="ignore"):
        acc = units[:length].copy()
        for k in range(1, n):
            acc *= _GOLDEN
            acc += units[k:k + length]
        acc += np.uint64(n)
        return mix64(acc)


def shingles(text: str, word_n: int = 5, char_n: int = 5) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the shingles of ``text``: ``uint64[k]``.

    Space-delimited text: word ``word_n``-grams of case-folded ``\\w+`` tokens. Text written
    without spaces (see :func:`uses_spaces`): character ``char_n``-grams of its letters and
    digits (punctuation and white space left out). A text shorter than one shingle gives
    one shingle of all it has; a text without letters or digits gives none (``k == 0``).
    The hashes depend only on the text and the n-gram sizes (xxh3 of each token or the
    code point of each character, combined over the window by :func:`_ngrams`), never on
    the process or the platform.
    """
    toks = _WORD.findall(text.casefold())
    if not toks:
        return np.zeros(0, dtype=np.uint64)
    with np.errstate(over="ignore"):
        joined = None if text.isascii() else "".join(toks)
        if joined is None or _no_space_share(_codepoints(joined[:SCRIPT_SAMPLE_CHARS])) < NO_SPACE_SHARE:
            h = xxhash.xxh3_64_intdigest
            units = np.array([h(t.encode("utf-8", "surrogatepass")) for t in toks], dtype=np.uint64)
            grams = _ngrams(units, word_n)
        else:
            grams = _ngrams(mix64(_codepoints(joined).astype(np.uint64) ^ _CHAR_SALT), char_n)
    grams.sort()
    return grams[run_mask(grams)]


def exact_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    """Jaccard similarity ``|a & b| / |a | b|`` of two sorted distinct hash arrays (1.0 for two empty sets)."""
    if a.size == 0 and b.size == 0:
        return 1.0
    inter = np.intersect1d(a, b, assume_unique=True).size
    return inter / (a.size + b.size - inter)


def bottom_k(hashes: np.ndarray, k: int) -> np.ndarray:
    """``uint32[min(k, n)]``, ascending: the high 32 bits of the ``k`` smallest shingle hashes.

    ``hashes`` is a sorted distinct ``uint64`` array as :func:`shingles` returns; a set of at
    most ``k`` shingles is kept whole, so two such sketches give the exact Jaccard similarity.
    """
    return (np.asarray(hashes[:k], dtype=np.uint64) >> _U32).astype(np.uint32)


def sketch_jaccard(a: np.ndarray, b: np.ndarray, k: int) -> float:
    """Jaccard similarity from two :func:`bottom_k` sketches built with the same ``k``.

    The ``k`` smallest values of the union of the sketches are the ``k`` smallest of the
    union of the sets; the share of them present in both sketches estimates the Jaccard
    similarity, exactly when both sets have at most ``k`` shingles. (A value that occurs
    twice in the two sketches counts as present in both: sketch values are distinct
    within a sketch but for a 32-bit collision.)

    One sort of the two sketches together: in it a value present in both stands next to
    itself, the union is the values without such a repeat, and its first ``k`` are read.
    A few vector operations per pair, against a dozen in ``numpy``'s set functions: the
    verification of a bucket of near-copies is mostly this call.
    """
    if a.size == 0 and b.size == 0:
        return 1.0
    both = np.concatenate((a, b))
    both.sort()
    repeats = both[1:] == both[:-1]            # value i is followed by itself
    first = np.ones(both.size, dtype=bool)      # the union: each value once, its first place
    first[1:] = ~repeats
    union = np.flatnonzero(first)[:k]
    shared = np.zeros(both.size, dtype=bool)
    shared[:-1] = repeats
    return float(np.count_nonzero(shared[union])) / union.size


def estimate_jaccard(sig_a: np.ndarray, sig_b: np.ndarray) -> float:
    """MinHash estimate of the Jaccard similarity: the share of equal signature values."""
    return float(np.count_nonzero(sig_a == sig_b)) / sig_a.shape[-1]


def _coefficients(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The hash functions' coefficients ``(a, b)``, ``uint64[num_perm]`` each (``a`` odd, ``b`` even),
    drawn from ``numpy.random.default_rng(seed)``.

    Kept in memory per process and in the user's cache per numpy version (which fixes the
    generator's stream), so a run does not import ``numpy.random`` (a fiftieth of a one-page run)
    to draw the same numbers again.
    """
    key = (num_perm, seed)
    got = _COEFFICIENTS.get(key)
    if got is not None:
        return got
    from ..user_cache import read_marshal, user_cache_dir, write_marshal
    path = user_cache_dir(f"minhash-coefficients-numpy{np.__version__}-v1", f"{num_perm}-{seed}.marshal")
    cached = read_marshal(path)
    if isinstance(cached, tuple) and len(cached) == 2 and all(isinstance(x, bytes) and len(x) == 8 * num_perm
                                                            for x in cached):
        a, b = (np.frombuffer(x, dtype="<u8").astype(np.uint64) for x in cached)
    else:
        rng = np.random.default_rng(seed)
        a = rng.integers(0, 1 << 63, size=num_perm, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        b = rng.integers(0, 1 << 63, size=num_perm, dtype=np.uint64) * np.uint64(2)
        write_marshal(path, (a.astype("<u8").tobytes(), b.astype("<u8").tobytes()))
    a.flags.writeable = b.flags.writeable = False
    _COEFFICIENTS[key] = (a, b)
    return a, b


_COEFFICIENTS: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}


class MinHasher:
    """MinHash signatures of shingle-hash arrays with ``num_perm`` hash functions.

    ``num_perm``: signature length (>= 1); ``seed``: the functions' coefficients come from
    ``numpy.random.default_rng(seed)``, so one seed gives one family everywhere.
    Raises ``ValueError`` for ``num_perm < 1``.
    """

    def __init__(self, num_perm: int = 128, seed: int = 42):
        if num_perm < 1:
            raise ValueError(f"num_perm must be at least 1, not {num_perm}; 128 is usual")
        self.num_perm = num_perm
        self.seed = seed
        self.a, self.b = _coefficients(num_perm, seed)

    def _minima(self, x: np.ndarray) -> np.ndarray:
        """``uint32[len(x), num_perm]``: every hash function applied to every shingle hash.

        The high 32 bits of each 64-bit product are read through a ``uint32`` view (no
        shift, no copy); the byte order decides which half of the view that is.
        """
        with np.errstate(over="ignore"):
            v = np.multiply(x[:, None], self.a[None, :])
            v += self.b
        return v.view(np.uint32)[:, _HIGH_HALF::2]

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """``uint32[num_perm]``: the per-function minima; all ``0xFFFFFFFF`` for an empty set."""
        return self.signatures([hashes])[0]

    def signatures(self, hash_arrays: Sequence[np.ndarray]) -> np.ndarray:
        """``uint32[n, num_perm]``: the signatures of ``n`` shingle-hash arrays in one pass.

        The arrays are concatenated and processed ``CHUNK_SHINGLES`` rows at a time with
        ``numpy.minimum.reduceat``, so the cost is a few vector operations per batch rather
        than per shingle.
        """
        n = len(hash_arrays)
        out = np.full((n, self.num_perm), EMPTY_VALUE, dtype=np.uint32)
        lengths = np.fromiter((h.size for h in hash_arrays), dtype=np.int64, count=n)
        nonempty = np.flatnonzero(lengths)
        if nonempty.size == 0:
            return out
        flat = np.concatenate([np.asarray(hash_arrays[i], dtype=np.uint64) for i in nonempty])
        starts = np.zeros(nonempty.size, dtype=np.int64)
        np.cumsum(lengths[nonempty][:-1], out=starts[1:])
        ends = starts + lengths[nonempty]
        total = flat.size
        for c0 in range(0, total, CHUNK_SHINGLES):
            c1 = min(total, c0 + CHUNK_SHINGLES)
            # documents overlapping [c0, c1): each becomes one segment of this chunk
            first = int(np.searchsorted(ends, c0, side="right"))
            last = int(np.searchsorted(starts, c1, side="left"))
            seg = np.maximum(starts[first:last], c0) - c0
            mins = np.minimum.reduceat(self._minima(flat[c0:c1]), seg, axis=0)
            rows = nonempty[first:last]
            out[rows] = np.minimum(out[rows], mins)
        return out
