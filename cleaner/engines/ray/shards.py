"""The Ray engine's work on one input shard, in plain Python (no Ray import): testable alone.

A shard is one input file (:class:`~cleaner.engines.ray.storage.InputShard`). Three kinds of
work run on it, each in a Ray task:

- :func:`run_pass1`: read, decode, extract, mark (the local engine's
  :class:`~cleaner.engines.local.run.DocumentProcessor`), spool the outcomes to the work folder;
- :func:`iter_steps_applied`: read the spool back with earlier corpus steps applied, for
  the fingerprints of the next corpus step;
- :func:`write_shard`: apply every corpus step, finish and count each document exactly as
  the local engine does (the same :func:`cleaner.engines.totals.finish_outcomes`) and
  write the shard's ``clean-*``, ``dropped-*`` and ``rejects-*`` files.

Documents are numbered by their *ordinal* ``shard << ORDINAL_SHIFT | position``
(:func:`ordinal`): increasing in input order, unique across the corpus, known inside a
task without any coordination.
"""
from __future__ import annotations

import io
import json
import os
import tempfile
from typing import Any, Iterator

from ...config import Options
from ...document import Document
from ...io.readers import RawRecord, ReadError, iter_file_records
from ...io.writers import ShardedWriter, dumps
from ..document_work import DocumentProcessor
from ..spool import RecordResult
from ..totals import RunTotals, finish_outcomes
from ...steps import CorpusStep, Marker
from . import storage
from .storage import InputShard

#: Bits of an ordinal that hold the document's position inside its shard (4 billion a shard).
ORDINAL_SHIFT = 32
#: Output kinds, in the order the local engine writes them.
OUTPUT_KINDS = ("clean", "dropped", "rejects")
SPOOL_COMPRESSION = "zstd"


def ordinal(shard: int, position: int) -> int:
    """The corpus-wide ordinal of the ``position``-th document (rejects not counted) of a shard."""
    return (shard << ORDINAL_SHIFT) | position


def shard_of(ordinal_: int) -> int:
    """The shard an ordinal belongs to."""
    return ordinal_ >> ORDINAL_SHIFT


def spool_path(workdir: str, shard: int) -> str:
    """Where pass 1 keeps the outcomes of one shard."""
    return storage.join(workdir, f"pass1-{shard:06d}.jsonl.zst")


# --------------------------------------------------------------------------- reading


def iter_shard_records(shard: InputShard, options: Options) -> Iterator[RawRecord | ReadError]:
    """Every record of one input file, as :func:`cleaner.io.readers.iter_records` gives them.

    A remote file is read from a local copy; ``source`` then names the remote path.
    """
    with storage.local_copy(shard) as (path, root):
        for rec in iter_file_records(path, root, options):
            if path != shard.path:
                rec.source = shard.path
            yield rec


# --------------------------------------------------------------------------- pass 1


def summary_path(workdir: str, shard: int) -> str:
    """Where pass 1 keeps a shard's record count and seconds by step (written before the spool)."""
    return storage.join(workdir, f"pass1-{shard:06d}.json")


def run_pass1(shard: InputShard, options: Options, workdir: str, steps: tuple[Marker, ...] = ()) -> dict[str, Any]:
    """Pass 1 over one shard, spooled to ``workdir``; skipped when its spool exists (resume).

    ``steps``: a user's own markers, run after the built-in ones (:func:`cleaner.engines.local.run.build_markers`).

    Returns ``{"shard", "records", "resumed", "seconds": {step: s}}``.
    """
    path, summary = spool_path(workdir, shard.index), summary_path(workdir, shard.index)
    if storage.exists(path):
        with storage.open_read(summary) as fh:
            return {**json.loads(fh.read().decode("utf-8")), "resumed": True}
    proc = DocumentProcessor(options, steps)
    proc.first_step = None  # the corpus stages fingerprint from the spool, after earlier steps
    times: dict[str, float] = {}
    n = 0
    tmp = path + ".tmp"
    with storage.open_write(tmp, SPOOL_COMPRESSION) as out:
        for raw in iter_shard_records(shard, options):
            o = proc(raw)
            out.write(dumps(o.to_json()))
            for k, v in o.seconds.items():
                times[k] = times.get(k, 0.0) + v
            n += 1
    result = {"shard": shard.index, "records": n, "seconds": times}
    with storage.open_write(summary) as fh:
        fh.write(json.dumps(result).encode("utf-8"))
    storage.move(tmp, path)  # last: a spool under its final name is complete, and so is its summary
    return {**result, "resumed": False}


def iter_spool(workdir: str, shard: int) -> Iterator[RecordResult]:
    """The outcomes of one shard's pass 1, in input order."""
    with storage.open_read(spool_path(workdir, shard), SPOOL_COMPRESSION) as raw:
        for line in io.TextIOWrapper(raw, encoding="utf-8"):
            yield RecordResult.from_json(json.loads(line))


def iter_steps_applied(workdir: str, shard: int, steps: list[CorpusStep]) -> Iterator[tuple[int, RecordResult]]:
    """``(ordinal, outcome)`` of each document of a shard with ``steps`` applied in order.

    Rejects are skipped; ``steps`` are instances loaded with the decisions for this shard.
    """
    pos = 0
    for o in iter_spool(workdir, shard):
        if o.doc is None:
            continue
        ord_ = ordinal(shard, pos)
        pos += 1
        for step in steps:
            step.apply(ord_, o.doc)
        yield ord_, o


# --------------------------------------------------------------------------- final pass


class _Outputs:
    """The shard's writers: straight into a local output folder, or staged and uploaded."""

    def __init__(self, outdir: str, shard: int, options: Options):
        self.outdir = outdir
        self.remote = storage.is_uri(outdir)
        self.stage = tempfile.mkdtemp(prefix="cleaner-out-") if self.remote else outdir
        shard_bytes = int(options.shard_size_mb * (1 << 20))
        self.writers = {k: ShardedWriter(self.stage, f"{k}-{shard:05d}", options.output_format, shard_bytes)
                        for k in OUTPUT_KINDS}

    def close(self) -> dict[str, list[str]]:
        names: dict[str, list[str]] = {}
        for kind, w in self.writers.items():
            w.close()
            names[kind] = [os.path.basename(p) for p in w.paths]
            if self.remote:
                for p in w.paths:
                    storage.upload(p, storage.join(self.outdir, os.path.basename(p)))
        if self.remote:
            import shutil
            shutil.rmtree(self.stage, ignore_errors=True)
        return names


def write_shard(shard: int, workdir: str, outdir: str, steps: list[CorpusStep], options: Options) -> dict[str, Any]:
    """Apply every corpus step to one shard's documents, finish them and write its output files.

    Returns ``{"shard", "tally": RunTotals.to_json(), "outputs": {kind: [file names]},
    "step_stats": {step: StepStats.to_dict()}}``.
    """
    out = _Outputs(outdir, shard, options)
    tally = RunTotals()

    def apply(pos: int, doc: Document) -> None:
        for step in steps:
            step.apply(ordinal(shard, pos), doc)

    finish_outcomes(iter_spool(workdir, shard), apply, tally, options,
                    lambda kind, record, text, doc: out.writers[kind].write(record))
    return {"shard": shard, "tally": tally.to_json(), "outputs": out.close(),
            "step_stats": {s.name: s.stats.to_dict() for s in steps}}
