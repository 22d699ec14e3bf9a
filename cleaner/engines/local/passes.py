"""The local engine's corpus passes and final pass: spool files in a process pool, decisions in the driver.

Pass ``k`` fingerprints corpus step ``k`` on every document with steps ``0 .. k-1``
applied; the final pass applies every step, finishes each document
(:class:`~cleaner.engines.local.run.RunTotals`) and encodes its output line. The per-document work of
both (reading the spool, applying earlier decisions, fingerprinting, serialising) runs
in worker processes, one spool file per task; the driver only feeds the fingerprints to
``observe_batch`` and writes the encoded lines, both in spool order, so the output does
not depend on the number of workers.

No step is computed twice: after ``decide`` a step travels to the workers as
``CorpusStep.applying(decision)`` (the decision alone: template keys, or sorted ordinals
of dropped documents). A step that marks spans (``marks_spans``, e.g. site templates) is applied
once, in the next pass, and its marks are kept per document in
``OUTDIR/.work/marks/`` (one small zstd JSON file per spool file and step, only for the
documents it marked); later passes and the final pass read them back instead of hashing
blocks again. Marks are rewritten by every run, so a run resumed from its spool (``kill
-9`` included) gives the same bytes.
"""
from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing as mp
import os
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from ...config import Options
from ...corpus.drops import settle_decisions
from ...document import Document, Span
from ...io.writers import dumps
from ...pipeline import build_corpus_steps
from .ahead import FingerprintsAhead, unchanged_for
from .procs import INTERRUPTS, LIVE_POOLS, die_with_parent, stop_executor, tune_worker_gc, widen_pipes
from ..spool import RecordResult, read_spool
from ..totals import RunTotals, finish_outcomes
from ...steps import CorpusStep, StepStats

MARKS_DIR = "marks"
#: Spool files handed to the pool ahead of the one the driver waits for, per worker.
IN_FLIGHT_PER_WORKER = 2
#: How the final pass hands a finished document back: the encoded line, or the record (Parquet).
ENCODED, RECORD = "encoded", "record"

APPLY, RECORD_MARKS, REPLAY = "apply", "record", "replay"


@dataclass
class PassSetup:
    """What every task of one pass needs (inherited by forked workers, not pickled per task).

    ``appliers``: the decided steps before the current one (:meth:`CorpusStep.applying`);
    ``modes[j]``: how applier ``j`` acts on a document: ``apply`` (compute), ``record``
    (compute and keep the marks), ``replay`` (read the kept marks); ``step_no``: the step
    to fingerprint, ``None`` in the final pass; ``output``: :data:`ENCODED` or :data:`RECORD`.
    """

    options: Options
    marks_dir: str
    appliers: list[CorpusStep]
    modes: list[str]
    step_no: int | None = None
    output: str = ENCODED
    step: CorpusStep | None = field(default=None, repr=False)  # built where the tasks run
    #: Fingerprints the driver computed during pass 1 (:mod:`cleaner.engines.local.ahead`), or ``None``.
    ahead: "FingerprintsAhead | None" = field(default=None, repr=False)

    def fingerprinter(self) -> CorpusStep:
        if self.step is None:
            assert self.step_no is not None
            self.step = build_corpus_steps(self.options)[self.step_no]
        return self.step


def marks_path(marks_dir: str, step_no: int, file_no: int) -> str:
    """Where the marks of corpus step ``step_no`` on the documents of spool file ``file_no`` are kept."""
    return os.path.join(marks_dir, f"{step_no:02d}-{file_no:06d}.json.zst")


def _write_marks(path: str, marks: dict[int, Any]) -> None:
    import zstandard
    tmp = f"{path}.{os.getpid()}.tmp"   # a worker of a broken pool may still be writing its own
    with open(tmp, "wb") as fh:
        fh.write(zstandard.ZstdCompressor(level=1).compress(json.dumps(marks, separators=(",", ":")).encode("utf-8")))
    os.replace(tmp, path)


def _read_marks(path: str) -> dict[int, Any]:
    import zstandard
    with open(path, "rb") as fh:
        data = zstandard.ZstdDecompressor().decompress(fh.read())
    return {int(k): v for k, v in json.loads(data).items()}


class _Appliers:
    """The earlier steps' decisions applied to the documents of one spool file, in order."""

    def __init__(self, plan: PassSetup, file_no: int):
        self.plan, self.file_no = plan, file_no
        self.seconds = [0.0] * len(plan.appliers)
        self.recorded: dict[int, dict[int, Any]] = {}
        self.replayed: dict[int, dict[int, Any]] = {}
        for j, (ap, mode) in enumerate(zip(plan.appliers, plan.modes)):
            ap.stats = StepStats()
            if mode == RECORD_MARKS:
                self.recorded[j] = {}
            elif mode == REPLAY:
                self.replayed[j] = _read_marks(marks_path(plan.marks_dir, j, file_no))

    def __call__(self, ordinal: int, pos: int, doc: Document) -> None:
        for j, ap in enumerate(self.plan.appliers):
            t0 = time.perf_counter()
            marks = self.replayed.get(j)
            if marks is not None:
                m = marks.get(pos)
                if m is not None:
                    doc.removed.extend(Span(*s) for s in m["s"])
                    ap.stats.spans += len(m["s"])
                    if m.get("d") and doc.dropped is None:
                        doc.dropped, doc.drop_detail = m["d"][0], m["d"][1]
                        ap.stats.dropped += 1
            else:
                before, was = len(doc.removed), doc.dropped
                ap.apply(ordinal, doc)
                rec = self.recorded.get(j)
                if rec is not None and (len(doc.removed) > before or doc.dropped != was):
                    rec[pos] = {"s": [[s.start, s.end, s.rule, s.detail] for s in doc.removed[before:]],
                                "d": [doc.dropped, doc.drop_detail] if doc.dropped != was else None}
            self.seconds[j] += time.perf_counter() - t0

    def close(self) -> None:
        for j, marks in self.recorded.items():
            _write_marks(marks_path(self.plan.marks_dir, j, self.file_no), marks)


def _outcomes(plan: PassSetup, path: str, file_no: int) -> Iterable[RecordResult]:
    """Spool file ``file_no``'s outcomes: as the driver kept them during pass 1 (``plan.ahead``), else read from ``path``."""
    kept = plan.ahead.outcomes(file_no) if plan.ahead is not None else None
    return kept if kept is not None else read_spool(path)


def fingerprint_file(plan: PassSetup, path: str, file_no: int, base: int) -> dict[str, Any]:
    """One spool file of pass ``plan.step_no``: each document's fingerprint, earlier steps applied.

    ``base``: ordinal of the file's first document (ignored in pass 0, which applies
    nothing). Returns ``{"n": documents, "pos": int64[m] positions in the file, "ids":
    [m ids], "batch": step.prepare(m fingerprints), "seconds": {step: s}}``.
    """
    step = plan.fingerprinter()
    ahead = plan.ahead.get(file_no) if plan.ahead is not None else None
    if plan.step_no == 0 and ahead is not None and 0 in ahead.batches:   # nothing applied: pass 1's, kept ahead
        return {"n": ahead.n, "pos": np.asarray(ahead.positions, dtype=np.int64), "ids": ahead.ids,
                "batch": ahead.batches[0], "seconds": {step.name: 0.0}}
    apply = _Appliers(plan, file_no)
    ahead = ahead if plan.step_no else None
    known = ahead.prints.get(plan.step_no) if ahead is not None else None  # type: ignore[arg-type]
    at = dict(zip(ahead.positions, range(len(ahead.positions)))) if known is not None else {}  # type: ignore[union-attr]
    computed = 0   # fingerprints computed here, not taken from ``known``
    pos_list: list[int] = []
    ids: list[str] = []
    fps: list[Any] = []
    t_fp = 0.0
    n = 0
    for o in _outcomes(plan, path, file_no):
        doc = o.doc
        if doc is None:
            continue
        pos = n
        n += 1
        before = len(doc.removed)
        apply(base + pos, pos, doc)
        if doc.dropped is not None:
            continue
        t0 = time.perf_counter()
        if plan.step_no == 0:
            fps.append(o.fingerprint)
        elif known is not None and pos in at and unchanged_for(step, doc.removed[before:]):
            fps.append(known[at[pos]])
        else:
            fps.append(step.fingerprint(doc))
            computed += 1
        t_fp += time.perf_counter() - t0
        pos_list.append(pos)
        ids.append(doc.id)
    apply.close()
    t0 = time.perf_counter()
    if known is not None and not computed and pos_list == ahead.positions:  # type: ignore[union-attr]
        batch = ahead.batches[plan.step_no]  # type: ignore[union-attr,index]
    else:
        batch = step.prepare(fps)
    t_fp += time.perf_counter() - t0
    seconds = {ap.name: s for ap, s in zip(plan.appliers, apply.seconds)}
    seconds[step.name] = seconds.get(step.name, 0.0) + t_fp
    return {"n": n, "pos": np.asarray(pos_list, dtype=np.int64), "ids": ids, "batch": batch, "seconds": seconds}


def finish_file(plan: PassSetup, path: str, file_no: int, base: int,
                sink: Callable[[str, dict[str, Any], str, Document | None], None] | None = None) -> dict[str, Any]:
    """One spool file of the final pass: apply every step, finish and count each document.

    ``sink(kind, record, clean_text, doc)`` takes each output in spool order when given
    (``doc`` is ``None`` for a reject); without it the outputs come back in ``"items"`` as
    ``(kind, encoded line)`` (or ``(kind, record)`` when ``plan.output`` is :data:`RECORD`).
    Returns ``{"n", "tally": RunTotals, "items", "stats": [StepStats per step], "seconds"}``.
    """
    apply = _Appliers(plan, file_no)
    tally = RunTotals()
    items: list[tuple[str, Any]] = []
    encode = plan.output == ENCODED

    def keep(kind: str, rec: dict[str, Any], text: str, doc: Document | None) -> None:
        items.append((kind, dumps(rec) if encode else rec))

    n = finish_outcomes(_outcomes(plan, path, file_no), lambda pos, doc: apply(base + pos, pos, doc), tally,
                        plan.options, sink if sink is not None else keep)
    apply.close()
    if plan.ahead is not None:
        plan.ahead.forget_docs(file_no)
    return {"n": n, "tally": tally, "items": items, "stats": [ap.stats for ap in plan.appliers],
            "seconds": {ap.name: s for ap, s in zip(plan.appliers, apply.seconds)}}


# --------------------------------------------------------------------------- running tasks

_PLAN: PassSetup | None = None  # one per corpus-pass worker process, set by the pool initializer


def _init_worker(plan: PassSetup) -> None:
    global _PLAN
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver handles Ctrl-C
    die_with_parent()
    tune_worker_gc()
    _PLAN = plan


def _task(fn_name: str, then: Then | None, path: str, file_no: int, base: int) -> dict[str, Any]:
    assert _PLAN is not None
    res = TASKS[fn_name](_PLAN, path, file_no, base)
    return then(_PLAN, res) if then is not None else res


TASKS: dict[str, Callable[..., dict[str, Any]]] = {"fingerprint": fingerprint_file, "finish": finish_file}
#: A last step of every task, where the task runs: ``then(plan, result) -> result`` (a module-level function).
Then = Callable[[PassSetup, dict[str, Any]], dict[str, Any]]


def run_ordered(plan: PassSetup, fn_name: str, files: list[tuple[str, int, int]], workers: int,
                in_process: bool = False, then: Then | None = None) -> Iterator[dict[str, Any]]:
    """Results of ``TASKS[fn_name]`` on ``files`` (``(path, file_no, base)``), in that order.

    ``workers`` processes (forked: they inherit ``plan`` without pickling it), or the
    calling process itself when ``workers`` is 1 or ``in_process``. A task whose worker
    fails (a dead process) is run again here, so a failure costs time, never output.
    ``then(plan, result)``, when given, finishes each result where its task ran (the
    final pass compresses its output lines there, not in the driver).
    """
    task = TASKS[fn_name]

    def fn(plan: PassSetup, path: str, file_no: int, base: int) -> dict[str, Any]:
        res = task(plan, path, file_no, base)
        return then(plan, res) if then is not None else res

    if workers <= 1 or in_process or len(files) <= 1:
        for path, file_no, base in files:
            yield fn(plan, path, file_no, base)
        return
    ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    ex = cf.ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(plan,))
    widen_pipes(ex)
    LIVE_POOLS.add(ex)
    try:
        pending: deque[tuple[tuple[str, int, int], cf.Future]] = deque()
        todo = iter(files)
        for item in todo:
            pending.append((item, ex.submit(_task, fn_name, then, *item)))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                break
        while pending:
            item, fut = pending.popleft()
            nxt = next(todo, None)
            submitted = False
            try:
                if nxt is not None:   # a pool broken meanwhile refuses the task here
                    pending.append((nxt, ex.submit(_task, fn_name, then, *nxt)))
                    submitted = True
                res = fut.result()
            except cf.process.BrokenProcessPool as e:
                print(f"cleaner: a corpus-pass worker died ({e}); finishing this pass in the main process",
                      file=sys.stderr)
                ex.shutdown(wait=False, cancel_futures=True)
                yield fn(plan, *item)
                for rest, _ in pending:
                    yield fn(plan, *rest)
                if nxt is not None and not submitted:
                    yield fn(plan, *nxt)
                for rest in todo:
                    yield fn(plan, *rest)
                return
            yield res
    except BaseException:   # Ctrl-C, or the consumer stopped early (GeneratorExit): do not wait for running tasks
        stop_executor(ex)
        raise
    finally:
        LIVE_POOLS.discard(ex)
        ex.shutdown(wait=True, cancel_futures=True)


# --------------------------------------------------------------------------- the passes


def _modes(steps: list[CorpusStep], k: int) -> list[str]:
    """How each of steps ``0 .. k-1`` acts in pass ``k``: marks of a span step are kept by the pass after its own."""
    out = []
    for j in range(k):
        if not steps[j].marks_spans:
            out.append(APPLY)
        else:
            out.append(RECORD_MARKS if j == k - 1 else REPLAY)
    return out


def corpus_passes(spools: list[str], steps: list[CorpusStep], options: Options, workdir: str,
                  progress: Callable[[str], Any], times: dict[str, float],
                  ahead: FingerprintsAhead | None = None) -> tuple[list[int], list[CorpusStep]]:
    """Observe and decide every corpus step in turn; returns each spool file's first ordinal and the appliers.

    ``progress(description)`` makes a progress bar (``update(n)``, ``close()``);
    ``times`` gets the seconds by step added (fingerprints and applying in the workers,
    observing and deciding in the driver). Each step's ``stats.documents`` becomes the
    number of documents it observed (those not dropped by an earlier step); its
    ``stats.seconds`` is left at 0 (the seconds are in ``times``). ``ahead``: fingerprints
    computed during pass 1, taken where the earlier steps left a document unchanged.
    """
    marks_dir = os.path.join(workdir, MARKS_DIR)
    os.makedirs(marks_dir, exist_ok=True)
    workers = options.resolved_workers()
    bases: list[int] = []
    appliers: list[CorpusStep] = []
    try:
        for k, step in enumerate(steps):
            plan = PassSetup(options, marks_dir, appliers, _modes(steps, k), step_no=k, ahead=ahead)
            files = [(p, i, bases[i] if bases else 0) for i, p in enumerate(spools)]
            bar = progress(f"corpus: {step.name}")
            start = 0
            found: list[int] = []
            for res in run_ordered(plan, "fingerprint", files, workers):
                INTERRUPTS.check()
                found.append(start)
                for name, s in res["seconds"].items():
                    times[name] = times.get(name, 0.0) + s
                step.timed(step.observe_batch, (start + res["pos"]).tolist(), res["ids"], res["batch"])
                step.stats.documents += len(res["ids"])
                start += res["n"]
                bar.update(res["n"])
            bar.close()
            bases = bases or found
            if ahead is not None:
                ahead.forget(k)
            decision = step.timed(step.decide)
            times[step.name] = times.get(step.name, 0.0) + step.stats.seconds
            step.stats.seconds = 0.0
            appliers = appliers + [type(step).applying(decision)]
    finally:
        for step in steps:   # a run that stops keeps no spill file open
            step.close()
    if not bases:
        bases = [0] * len(spools)
    for ap, settled in zip(appliers, settle_decisions([ap.decision for ap in appliers])):
        ap.decision = settled  # a decision that depends on what later steps drop
    return bases, appliers


def final_plan(options: Options, workdir: str, steps: list[CorpusStep], appliers: list[CorpusStep],
               output: str, ahead: FingerprintsAhead | None = None) -> PassSetup:
    """The plan of the final pass: every step applied (span steps' marks read back).

    ``ahead``: the documents the driver kept during pass 1, read instead of the spool
    files and freed as each file is finished."""
    modes = [APPLY if getattr(s, "recompute_in_final", False) else m for s, m in zip(steps, _modes(steps, len(steps)))]
    return PassSetup(options, os.path.join(workdir, MARKS_DIR), appliers, modes, output=output, ahead=ahead)
