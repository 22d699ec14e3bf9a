"""Fingerprints of the later corpus steps, computed by an idle driver while pass 1 runs.

With fewer workers than cores (``--workers 1`` on two cores) the driver waits through
pass 1 for the workers, and afterwards the corpus passes wait for it: pass ``k``
fingerprints step ``k`` on every document with the decisions of steps ``0 .. k-1``
applied. Most documents come out of those decisions unchanged (a page whose site has no
template, which no earlier step dropped), and for them the fingerprint is the one the
document had right after pass 1. So the driver computes, for each spool file it has just
written, the fingerprints of steps ``1 ..`` on the documents as pass 1 left them, and the
batch that ``step.prepare`` makes of them (:class:`FilePrints`). Pass ``k`` takes a
document's fingerprint from there when the earlier steps marked nothing on it that step
``k`` reads (:attr:`cleaner.steps.CorpusStep.fingerprint_ignores`), and the whole prepared
batch when that holds for every document of the file and none was dropped. Steps'
``fingerprint`` and ``prepare`` are pure, so the result is the same either way: the
output does not change, only when the work is done.

The fingerprints are kept in memory up to :data:`MAX_BYTES`; spool files past that (and
files resumed from an earlier run) are fingerprinted in their pass, as without this module.
"""
from __future__ import annotations

import pickle
import time
from dataclasses import dataclass
from typing import Any, Sequence

from ...config import Options
from ...document import Span
from ...pipeline import build_corpus_steps
from ...steps import CorpusStep
from ..spool import read_spool

#: Memory the fingerprints computed ahead may take in the driver (pickled size), in bytes.
MAX_BYTES = 256 << 20


@dataclass
class FilePrints:
    """The fingerprints of one spool file's documents as pass 1 left them.

    ``positions``: positions in the file of the documents pass 1 did not drop, in order;
    ``prints[k]``: step ``k``'s fingerprint of each of them (same order);
    ``batches[k]``: ``steps[k].prepare(prints[k])``.
    """

    positions: list[int]
    prints: dict[int, list[Any]]
    batches: dict[int, Any]


class FingerprintsAhead:
    """Computes and holds :class:`FilePrints` for the spool files of pass 1 (see the module).

    ``options``: the run's options (the corpus steps they switch on); ``max_bytes``: the memory
    budget (:data:`MAX_BYTES` when ``None``). :attr:`seconds` holds the time spent by step name.
    """

    def __init__(self, options: Options, max_bytes: int | None = None):
        self.steps: list[CorpusStep] = build_corpus_steps(options)
        self.max_bytes = MAX_BYTES if max_bytes is None else max_bytes
        self.bytes = 0
        self.files: dict[int, FilePrints] = {}
        self.seconds: dict[str, float] = {}

    @property
    def active(self) -> bool:
        """True while there are steps to compute ahead (step 0's fingerprint comes from pass 1) and room left."""
        return len(self.steps) > 1 and self.bytes < self.max_bytes

    def add(self, path: str, file_no: int) -> None:
        """Fingerprint the documents of spool file ``file_no`` (just written at ``path``) for steps ``1 ..``."""
        if not self.active:
            return
        docs = [(pos, o.doc) for pos, o in enumerate(o for o in read_spool(path) if o.doc is not None)
                if o.doc.dropped is None]
        prints: dict[int, list[Any]] = {}
        batches: dict[int, Any] = {}
        for k in range(1, len(self.steps)):
            step = self.steps[k]
            t0 = time.perf_counter()
            prints[k] = [step.fingerprint(doc) for _, doc in docs]
            batches[k] = step.prepare(prints[k])
            self.seconds[step.name] = self.seconds.get(step.name, 0.0) + time.perf_counter() - t0
        self.files[file_no] = FilePrints([pos for pos, _ in docs], prints, batches)
        self.bytes += len(pickle.dumps((prints, batches), protocol=pickle.HIGHEST_PROTOCOL))

    def get(self, file_no: int) -> FilePrints | None:
        """What was computed for spool file ``file_no``, or ``None``."""
        return self.files.get(file_no)

    def forget(self, step_no: int) -> None:
        """Free step ``step_no``'s fingerprints (its pass is done)."""
        for f in self.files.values():
            f.prints.pop(step_no, None)
            f.batches.pop(step_no, None)


def unchanged_for(step: CorpusStep, added: Sequence[Span]) -> bool:
    """True when spans ``added`` by earlier corpus steps leave ``step``'s fingerprint as it was."""
    ignores = step.fingerprint_ignores
    return all(s.rule in ignores for s in added)
