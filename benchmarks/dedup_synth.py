"""Synthetic web-like text documents for the duplicate benchmarks (not a benchmark itself).

Every document is rebuilt from ``(seed, ordinal)`` alone, so a benchmark can stream any
number of them without holding them in memory, and every engine sees the same corpus.
A document belongs to a host and carries that host's template lines (a newsletter
prompt with a changing number, an author box, a footer with a year); 10 % of documents
are near-duplicate copies (2 % of words changed) and 5 % exact copies of an earlier one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

#: Words in the invented vocabulary.
VOCAB_WORDS = 20000
#: Documents per host.
DOCS_PER_HOST = 50
#: Shares of near-duplicate and exact copies.
NEAR_SHARE, EXACT_SHARE = 0.10, 0.05
#: Words changed in a near-duplicate copy.
EDIT_RATE = 0.02
#: Words in a document: uniform between these.
MIN_WORDS, MAX_WORDS = 80, 500
WORDS_PER_PARAGRAPH = 60

_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "pa", "qu", "do", "fe", "gi", "ha", "ju",
              "bo", "ce", "wi", "xo", "ly", "an", "el", "or"]


def vocabulary(seed: int = 0) -> list[str]:
    """``VOCAB_WORDS`` distinct invented words."""
    rng = np.random.default_rng(seed)
    words: set[str] = set()
    out = []
    while len(out) < VOCAB_WORDS:
        w = "".join(_SYLLABLES[i] for i in rng.integers(0, len(_SYLLABLES), rng.integers(2, 5)))
        if w not in words:
            words.add(w)
            out.append(w)
    return out


@dataclass
class SynthDoc:
    id: str
    url: str
    text: str
    kind: str          # "base", "near" or "exact"
    source: int        # ordinal of the base document a copy was made from (own ordinal for a base)


class Corpus:
    """``n`` synthetic documents, rebuilt on demand from ``(seed, ordinal)``."""

    def __init__(self, n: int, seed: int = 0):
        self.n, self.seed = n, seed
        self.vocab = np.array(vocabulary(seed), dtype=object)
        kinds = np.random.default_rng([seed, 1]).random(n)
        self.kind = np.where(kinds < NEAR_SHARE, 1, np.where(kinds < NEAR_SHARE + EXACT_SHARE, 2, 0))
        self.kind[0] = 0

    def _body(self, i: int) -> list[str]:
        rng = np.random.default_rng([self.seed, 2, i])
        n = int(rng.integers(MIN_WORDS, MAX_WORDS + 1))
        # Zipf-like word frequencies, as in real text
        idx = np.minimum(rng.zipf(1.3, n) - 1, VOCAB_WORDS - 1)
        return list(self.vocab[idx])

    def source_of(self, i: int) -> int:
        if self.kind[i] == 0:
            return i
        return int(np.random.default_rng([self.seed, 3, i]).integers(0, i))

    def doc(self, i: int) -> SynthDoc:
        src = self.source_of(i)
        while self.kind[src] != 0:  # copies of copies go back to the base
            src = self.source_of(src)
        words = self._body(src)
        if self.kind[i] == 1:
            rng = np.random.default_rng([self.seed, 4, i])
            flip = rng.random(len(words)) < EDIT_RATE
            words = [w[::-1] if f else w for w, f in zip(words, flip)]
        paras = [" ".join(words[k:k + WORDS_PER_PARAGRAPH]).capitalize() + "."
                 for k in range(0, len(words), WORDS_PER_PARAGRAPH)]
        host = f"host{i // DOCS_PER_HOST:06d}.test"
        template = [f"Get the {host} letter: {3 + i % 7} stories every morning, free.",
                    f"About the author: staff writer at {host} since {2000 + i % 20}.",
                    f"Copyright {2020 + i % 5} {host}. All rights reserved."]
        kind = ("base", "near", "exact")[int(self.kind[i])]
        return SynthDoc(f"s{i:08d}", f"https://{host}/p/{i}", "\n\n".join(paras + template), kind, src)

    def __iter__(self) -> Iterator[SynthDoc]:
        for i in range(self.n):
            yield self.doc(i)
