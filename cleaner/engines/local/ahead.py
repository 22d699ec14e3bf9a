"""Fingerprints of the later corpus steps, computed by an idle driver while pass 1 runs.

With fewer workers than cores (``--workers 1`` on two cores) the driver waits through
pass 1 for the workers, and afterwards the corpus passes wait for it: pass ``k``
fingerprints step ``k`` on every document with the decisions of steps ``0 .. k-1``
applied. Most documents come out of those decisions unchanged (a page whose site has no
template, which no earlier step dropped), and for them the fingerprint is the one the
document had right after pass 1. So the driver computes, for each spool file, the
fingerprints of steps ``1 ..`` on the documents as pass 1 left them, a chunk at a time as
the workers return them (the last file's chunks are of one record: little is left to do
when the workers are done), and at the end of the file the batch that ``step.prepare``
makes of them (:class:`FilePrints`); for step 0 it keeps the fingerprints pass 1 wrote,
their batch and the documents' ids, so that pass 0 does not read the file at all. Pass
``k`` takes a document's fingerprint from there when the earlier steps marked nothing on it that step
``k`` reads (:attr:`cleaner.steps.CorpusStep.fingerprint_ignores`), and the whole prepared
batch when that holds for every document of the file and none was dropped. Steps'
``fingerprint`` and ``prepare`` are pure, so the result is the same either way: the
output does not change, only when the work is done.

The fingerprints are kept in memory up to :data:`MAX_BYTES`; spool files past that (and
files resumed from an earlier run) are fingerprinted in their pass, as without this module.

The driver also keeps, up to :data:`MAX_DOC_BYTES`, the JSON objects of each spool file it
read (marshalled: :meth:`FingerprintsAhead.outcomes` makes fresh outcomes of them each
time), so that the later passes and the final pass do not decompress and decode the file
again: the same objects as :func:`cleaner.engines.spool.read_spool` gives, a quarter of its time.
"""
from __future__ import annotations

import marshal
import pickle
import time
from dataclasses import dataclass, field
from typing import Any, Sequence

from ...config import Options
from ...document import Span
from ...pipeline import build_corpus_steps
from ...steps import CorpusStep
from ..spool import RecordResult, read_spool_json, spool_json

#: Memory the fingerprints computed ahead may take in the driver (pickled size), in bytes.
MAX_BYTES = 256 << 20
#: Memory the spool files' documents kept for the later passes may take in the driver (marshalled size), in bytes.
MAX_DOC_BYTES = 256 << 20


@dataclass
class FilePrints:
    """The fingerprints of one spool file's documents as pass 1 left them.

    ``positions``: positions in the file of the documents pass 1 did not drop, in order;
    ``prints[k]``: step ``k``'s fingerprint of each of them (same order);
    ``batches[k]``: ``steps[k].prepare(prints[k])``; ``n``: the file's documents (its
    records but the rejects); ``ids``: the ids of the documents at ``positions``.
    """

    positions: list[int]
    prints: dict[int, list[Any]]
    batches: dict[int, Any]
    n: int = 0
    ids: list[str] = field(default_factory=list)


@dataclass
class _OpenFile:
    """What :class:`FingerprintsAhead` has of a spool file whose chunks are still coming."""

    keep_docs: bool
    active: bool
    blobs: list[bytes] = field(default_factory=list)   # each chunk's JSON objects, marshalled
    positions: list[int] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    prints: dict[int, list[Any]] = field(default_factory=dict)
    n: int = 0
    docs: list[RecordResult] = field(default_factory=list)   # those of the chunk being added


class FingerprintsAhead:
    """Computes and holds :class:`FilePrints` for the spool files of pass 1 (see the module).

    ``options``: the run's options (the corpus steps they switch on); ``max_bytes``: the memory
    budget (:data:`MAX_BYTES` when ``None``). :attr:`seconds` holds the time spent by step name.
    """

    def __init__(self, options: Options, max_bytes: int | None = None, max_doc_bytes: int | None = None):
        self.steps: list[CorpusStep] = build_corpus_steps(options)
        self.max_bytes = MAX_BYTES if max_bytes is None else max_bytes
        self.max_doc_bytes = MAX_DOC_BYTES if max_doc_bytes is None else max_doc_bytes
        self.bytes = 0
        self.doc_bytes = 0
        self.files: dict[int, FilePrints] = {}
        self.docs: dict[int, bytes] = {}   # file number -> its spool lines' JSON objects, marshalled
        self.seconds: dict[str, float] = {}
        self._open: dict[int, _OpenFile] = {}   # files begun, not ended

    @property
    def active(self) -> bool:
        """True while there are steps to fingerprint ahead and room left."""
        return bool(self.steps) and self.bytes < self.max_bytes

    def add(self, path: str, file_no: int) -> None:
        """Keep and fingerprint the documents of spool file ``file_no``, read from ``path`` (as
        :meth:`start_file`, :meth:`add_frames` of the whole file and :meth:`end_file`)."""
        if self.start_file(file_no):
            self._add_lines(file_no, list(read_spool_json(path)))
            self.end_file(file_no)

    def start_file(self, file_no: int) -> bool:
        """Begin spool file ``file_no``, whose chunks :meth:`add_frames` takes in order; False when
        there is room for neither its documents nor its fingerprints (nothing to add then)."""
        keep_docs = self.doc_bytes < self.max_doc_bytes
        active = self.active
        if not (keep_docs or active):
            return False
        self._open[file_no] = _OpenFile(keep_docs, active)
        return True

    def add_frames(self, file_no: int, frames: Sequence[bytes]) -> None:
        """Keep and fingerprint the documents of the next chunk of spool file ``file_no``: its
        compressed spool lines (:func:`cleaner.engines.spool.spool_frame`), as pass 1 returned them."""
        if file_no in self._open:
            self._add_lines(file_no, list(spool_json(frames)))

    def _add_lines(self, file_no: int, lines: list[dict[str, Any]]) -> None:
        f = self._open[file_no]
        if f.keep_docs:
            f.blobs.append(marshal.dumps(lines))   # before any object of them is used
        if not f.active:
            return
        outcomes = [RecordResult.from_json(d) for d in lines]
        for o in outcomes:
            if o.doc is None:
                continue
            if o.doc.dropped is None:
                f.positions.append(f.n)
                f.ids.append(o.doc.id)
                f.docs.append(o)
            f.n += 1
        for k, step in enumerate(self.steps):   # step 0's fingerprints are pass 1's
            t0 = time.perf_counter()
            prints = f.prints.setdefault(k, [])
            if k == 0:
                prints.extend(o.fingerprint for o in f.docs)
            else:
                prints.extend(step.fingerprint(o.doc) for o in f.docs)  # type: ignore[arg-type]
            self.seconds[step.name] = self.seconds.get(step.name, 0.0) + time.perf_counter() - t0
        f.docs = []

    def end_file(self, file_no: int) -> None:
        """Spool file ``file_no`` is complete: its documents and fingerprints are kept for the passes."""
        f = self._open.pop(file_no, None)
        if f is None:
            return
        if f.keep_docs:
            blob = marshal.dumps(f.blobs)
            self.docs[file_no] = blob
            self.doc_bytes += len(blob)
        if not f.active:
            return
        batches: dict[int, Any] = {}
        for k, step in enumerate(self.steps):
            t0 = time.perf_counter()
            f.prints.setdefault(k, [])
            batches[k] = step.prepare(f.prints[k])
            self.seconds[step.name] = self.seconds.get(step.name, 0.0) + time.perf_counter() - t0
        self.files[file_no] = FilePrints(f.positions, f.prints, batches, f.n, f.ids)
        self.bytes += len(pickle.dumps((f.prints, batches), protocol=pickle.HIGHEST_PROTOCOL))

    def drop_file(self, file_no: int) -> None:
        """Forget what was added of spool file ``file_no`` (not all of its chunks were): its passes read it."""
        self._open.pop(file_no, None)

    def outcomes(self, file_no: int) -> list[RecordResult] | None:
        """Spool file ``file_no``'s outcomes as :func:`cleaner.engines.spool.read_spool` reads them
        (fresh objects at each call), or ``None`` when its documents were not kept."""
        blob = self.docs.get(file_no)
        if blob is None:
            return None
        return [RecordResult.from_json(d) for chunk in marshal.loads(blob) for d in marshal.loads(chunk)]

    def forget_docs(self, file_no: int) -> None:
        """Free spool file ``file_no``'s documents (the final pass has finished it)."""
        blob = self.docs.pop(file_no, None)
        if blob is not None:
            self.doc_bytes -= len(blob)

    def get(self, file_no: int) -> FilePrints | None:
        """What was computed for spool file ``file_no``, or ``None``."""
        return self.files.get(file_no)

    def forget(self, step_no: int) -> None:
        """Free step ``step_no``'s fingerprints (its pass is done)."""
        for f in self.files.values():
            f.prints.pop(step_no, None)
            f.batches.pop(step_no, None)

    def forget_prints(self) -> None:
        """Free every file's fingerprints (the corpus passes are done); the documents stay."""
        self.files.clear()


def unchanged_for(step: CorpusStep, added: Sequence[Span]) -> bool:
    """True when spans ``added`` by earlier corpus steps leave ``step``'s fingerprint as it was."""
    ignores = step.fingerprint_ignores
    return all(s.rule in ignores for s in added)
