"""py3langid's features counted by the windowed walk are the byte-by-byte loop's, and so are its scores."""
from __future__ import annotations

import random

import numpy as np
import pytest

import py3langid
import py3langid.langid as langid

from cleaner.page import langid_walk as W
from cleaner.page.language import _identifier, identify

pytestmark = pytest.mark.skipif(getattr(py3langid, "__version__", "") not in W.TRIE_DEPTH,
                                reason="another py3langid: its own loop counts the features")


@pytest.fixture(scope="module")
def model():
    ident = _identifier()
    walk = W.FeatureWalk(ident.tk_nextmove, ident.tk_row, ident.tk_output, W.TRIE_DEPTH[py3langid.__version__])
    return ident, walk


@pytest.fixture(scope="module")
def deepest(model):
    """The shortest byte string reaching each state, found breadth first from the start state: ``{state: bytes}``."""
    ident, walk = model
    words = {0: b""}
    seen = np.zeros(len(walk.rowbase), bool)
    seen[0] = True
    front = np.array([0])
    while len(front):
        targets = walk.nextmove[walk.rowbase[front][:, None] + np.arange(256)].ravel()   # (states x 256)
        states, first = np.unique(targets, return_index=True)
        fresh = ~seen[states]
        for state, at in zip(states[fresh].tolist(), first[fresh].tolist()):
            words[state] = words[int(front[at // 256])] + bytes([at % 256])
        seen[states] = True
        front = states[fresh].astype(np.int64)
    return words


def _loop(ident, data: bytes):
    return langid.visit_counts.__dict__.get("loop", langid.visit_counts)(ident.tk_nextmove, ident._rowbase, ident.tk_output, data)


def test_the_model_trie_is_as_deep_as_recorded(deepest):
    assert max(len(w) for w in deepest.values()) == W.TRIE_DEPTH[py3langid.__version__]


def test_the_walk_gives_the_states_and_counts_of_the_loop(model, deepest):
    ident, walk = model
    rnd = random.Random(7)
    deep = [w for w in deepest.values() if len(w) >= walk.depth - 1]
    texts = [b"", b"a", b"ab", b"abcde", b"abcdef", "Größe 中文 ёж".encode()]
    texts += [bytes(rnd.randrange(256) for _ in range(rnd.randrange(300))) for _ in range(50)]
    # the deepest features back to back, each state needing all of its window
    texts += [b"".join(rnd.choice(deep) for _ in range(rnd.randrange(1, 200))) for _ in range(50)]
    texts += [ident._encode(t) for t in ("The ferries leave every hour from the northern pier.",
                                         "Les bateaux partent toutes les heures.", "Die Fähren fahren stündlich.")]
    for data in texts:
        state, want = 0, []
        for byte in data:
            state = ident.tk_nextmove[ident._rowbase[state] + byte]
            want.append(state)
        assert walk.states(data).tolist() == want
        got, loop = walk.counts(data), _loop(ident, data)
        assert (got is None) == (loop is None)
        if got is not None:
            assert list(got.items()) == list(loop.items())   # same counts, same order


def test_identify_scores_are_the_loops_to_the_bit(monkeypatch):
    texts = ["The harbour ferries leave every hour from the northern pier. " * 20,
             "Der Hafen liegt am nördlichen Ufer, und die Fähren fahren jede Stunde. " * 10,
             "東京の港から毎時フェリーが出ます。" * 30, "Mixed: the pier, der Hafen, le port, el puerto."]
    fast = [identify(t) for t in texts]
    assert W.install(_identifier())
    monkeypatch.setattr(langid, "visit_counts", langid.visit_counts.loop)
    assert [identify(t) for t in texts] == fast
    raw = [_identifier()._raw_score(_identifier()._encode(t)).tobytes() for t in texts]
    monkeypatch.undo()
    assert [_identifier()._raw_score(_identifier()._encode(t)).tobytes() for t in texts] == raw


def test_another_py3langid_keeps_its_loop(monkeypatch):
    before = langid.visit_counts
    monkeypatch.setattr(py3langid, "__version__", "9.9.9")
    assert not W.install(_identifier())
    assert langid.visit_counts is before
