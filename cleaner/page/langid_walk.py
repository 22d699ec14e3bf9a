"""py3langid's byte n-gram features counted by table lookups over the whole text at once.

py3langid (a packaging of langid.py: Lui and Baldwin, "langid.py: An Off-the-shelf Language
Identification Tool", ACL 2012) finds the features of a text with an Aho-Corasick automaton
over its UTF-8 bytes: ``py3langid.langid.visit_counts`` walks it one byte at a time in a
Python loop (about 1 ms for the 2,000 characters :mod:`cleaner.page.language` gives it;
measured, three quarters of the identifier's time).

In an Aho-Corasick automaton the state after a text is the trie node of the longest suffix
of the text that is in the trie, so it depends only on the text's last ``D`` bytes, ``D`` the
depth of the trie. The state at every position is then the state reached from the start
state by the ``D`` bytes that end there: ``D`` vectorised table lookups for all positions
together (the first ``D - 1`` positions are walked one by one, as they have fewer bytes
before them). The features are counted as the loop counts them (a ``Counter`` fed in text
order, so in the order they are first met: py3langid's score, ``_sparse_score``, is a float32
dot product whose value depends on the order of its terms): the scores are the same to the bit.

``D`` is the depth of the trie of the model a py3langid version ships (:data:`TRIE_DEPTH`,
measured as the largest number of steps from the start state to any state); the test suite
checks, on the installed model, that depth and that every transition is the one the window
gives. With another py3langid version the loop stays.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

#: py3langid version -> depth of its model's trie (bytes): the versions whose model was measured.
TRIE_DEPTH = {"0.4.0": 6}


class FeatureWalk:
    """The automaton of one model as arrays: ``counts(data)`` gives the features of ``data``
    (bytes) and their counts, as ``visit_counts`` gives them, or ``None`` for none."""

    __slots__ = ("nextmove", "rowbase", "output", "depth")

    def __init__(self, nextmove: Any, rows: Any, output: Any, depth: int):
        self.nextmove = np.asarray(nextmove)                          # row-displaced transition table
        self.rowbase = np.asarray(rows, dtype=np.int64) << 8          # each state's row offset
        self.output = np.asarray(output, dtype=np.int64)              # state -> feature, -1 for none
        self.depth = depth

    def states(self, data: bytes) -> np.ndarray:
        """The automaton's state after each byte of ``data`` (``int64``, one per byte)."""
        a = np.frombuffer(data, dtype=np.uint8)
        n, d = len(a), self.depth
        head = min(n, d - 1)
        out = np.empty(n, dtype=np.int64)
        state = 0
        for i in range(head):   # fewer than d bytes before: the walk itself
            state = int(self.nextmove[self.rowbase[state] + a[i]])
            out[i] = state
        if n > head:
            b = a.astype(np.int64)
            nextmove, rowbase = self.nextmove, self.rowbase
            st = nextmove[rowbase[0] + b[:n - d + 1]]   # from the start state
            for k in range(1, d):   # the d bytes ending at each position
                st = nextmove[rowbase[st] + b[k:n - d + 1 + k]]
            out[head:] = st
        return out

    def counts(self, data: bytes) -> Counter | None:
        """``{feature: count}`` in the order features are first met; ``None`` when there is none."""
        found = self.output[self.states(data)]
        found = found[found >= 0]
        return Counter(found.tolist()) if len(found) else None


def install(ident: Any, output: Any = None) -> bool:
    """Make py3langid count ``ident``'s features with a :class:`FeatureWalk` (other identifiers
    keep the loop). ``output``: the model's ``tk_output`` as an array when the caller has it
    (else read from ``ident``). Returns whether it was installed: only for the py3langid
    versions of :data:`TRIE_DEPTH`; never raises."""
    try:
        import py3langid
        import py3langid.langid as langid
        depth = TRIE_DEPTH.get(getattr(py3langid, "__version__", ""))
        if depth is None or not hasattr(langid, "visit_counts"):
            return False
        walk = FeatureWalk(ident.tk_nextmove, ident.tk_row, ident.tk_output if output is None else output, depth)
    except Exception:  # noqa: BLE001 - anything unexpected: py3langid's own loop
        return False
    loop = getattr(langid.visit_counts, "loop", langid.visit_counts)
    table = ident.tk_nextmove

    def visit_counts(nm, rowbase, out, text):
        if nm is table:
            return walk.counts(text)
        return loop(nm, rowbase, out, text)

    visit_counts.loop = loop  # type: ignore[attr-defined]
    langid.visit_counts = visit_counts
    return True
