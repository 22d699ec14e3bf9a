"""The pass-1 process pool of the local engine, made to survive a worker that dies or hangs."""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import signal
import sys
from dataclasses import dataclass
from typing import Iterable

from ...config import Options
from ...errors import WORKER_DIED
from ...io.readers import RawRecord, ReadError
from ...io.writers import dumps
from ...steps import Marker
from ..document_work import DocumentProcessor, reject_record
from ..spool import Outcome
from .procs import die_with_parent, stop_executor

#: A worker process is replaced by a fresh one after this many records (bounds any slow leak).
WORKER_RECYCLE_RECORDS = 20_000
#: A chunk of records whose result has not come back after ``doc_timeout_s`` per record plus
#: this margin is taken for a hung worker: the pool is stopped and the batch redone one record at a time (seconds).
HANG_MARGIN_S = 60.0

_PROCESSOR: DocumentProcessor | None = None  # one per worker process, set by the pool initializer

def _init_worker(options: Options, steps: tuple[Marker, ...] = ()) -> None:
    global _PROCESSOR
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver handles Ctrl-C
    die_with_parent()
    _PROCESSOR = DocumentProcessor(options, steps)


def _work_chunk(raws: list[RawRecord | ReadError]) -> list[tuple[bytes, dict[str, float]]]:
    """Pass 1 for a chunk of records in a worker: each as a spool line and its seconds by step."""
    assert _PROCESSOR is not None
    out = []
    for raw in raws:
        o = _PROCESSOR(raw)
        out.append((dumps(o.to_json()), o.seconds))
    return out


@dataclass
class _Job:
    """A batch handed to the pool: its chunks and their futures (``None``: the pool refused it)."""

    batch: list[RawRecord | ReadError]
    chunks: list[list[RawRecord | ReadError]]
    futures: list[cf.Future] | None
    generation: int
    done: list[tuple[bytes, dict[str, float]]] | None = None   # the results, when worked in the driver


class WorkerPool:
    """The pass-1 process pool, made to survive a worker that dies or hangs.

    A batch is cut in chunks handed to the pool; results come back in input order. When a
    worker dies (``BrokenProcessPool``) or a chunk gives no result within its time limit,
    the pool is stopped and the batch is redone one record at a time in a fresh pool, so
    that only the record at fault is lost (it goes to rejects, kind ``worker-died``).
    """

    def __init__(self, options: Options, inline: bool = False, steps: Iterable[Marker] = ()):
        # A bad rule file fails here, at start-up, not in every worker.
        self.steps = tuple(steps)   # a user's markers: inherited by forked workers, pickled for spawned ones
        self.processor = DocumentProcessor(options, self.steps)   # the driver's own: inline work, compiling before forking
        self.inline = inline
        self.options = options
        self.workers = options.resolved_workers()
        self._ex: cf.ProcessPoolExecutor | None = None
        self._records = 0
        self._generation = 0   # one more each time the pool is stopped

    def _pool(self) -> cf.ProcessPoolExecutor:
        if self._ex is not None and self._records >= WORKER_RECYCLE_RECORDS:
            self._ex.shutdown(wait=True)
            self._ex = None
        if self._ex is None:
            if self.options.extract:
                import trafilatura  # noqa: F401 - imported once here, inherited by forked workers
            if self.workers > 1:  # compiled once here, inherited by forked workers (else each compiles)
                for m in self.processor.pipeline.markers():
                    for rule in getattr(m, "rules", ()):
                        rule.compile_all()
            ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
            self._ex = cf.ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                              initargs=(self.options, self.steps))
            self._records = 0
        return self._ex

    def _limit(self, n: int) -> float | None:
        """Seconds to wait for the result of ``n`` records, or ``None`` (no per-record limit set)."""
        t = self.options.doc_timeout_s
        return n * t + HANG_MARGIN_S if t > 0 else None

    def kill(self) -> None:
        """Stop every worker now (a hung worker never returns by itself)."""
        ex, self._ex = self._ex, None
        self._generation += 1
        if ex is None:
            return
        stop_executor(ex)

    def close(self) -> None:
        if self._ex is not None:
            self._ex.shutdown(wait=True, cancel_futures=True)
            self._ex = None

    def start(self, batch: list[RawRecord | ReadError]) -> "_Job":
        """Hand ``batch`` to the workers and return at once; :meth:`finish` collects it.

        The driver can read the next batch and write the previous one's spool while the
        workers process this one.
        """
        if self.inline:  # one input in stdout mode: no process to start, nothing to hand over
            proc = self.processor
            done = [(dumps(o.to_json()), o.seconds) for o in map(proc, batch)]
            return _Job(batch, [batch], None, self._generation, done)
        size = max(1, min(self.options.batch_size, len(batch) // (self.workers * 4) or 1))
        chunks = [batch[i:i + size] for i in range(0, len(batch), size)]
        try:
            pool = self._pool()
            futures: list[cf.Future] | None = [pool.submit(_work_chunk, c) for c in chunks]
        except KeyboardInterrupt:
            self.kill()
            raise
        except Exception:  # noqa: BLE001 - a broken pool: finish() finds the record at fault
            futures = None
        self._records += len(batch)
        return _Job(batch, chunks, futures, self._generation)

    def finish(self, job: "_Job") -> list[tuple[bytes, dict[str, float]]]:
        """Spool lines and seconds by step for a started batch, in input order."""
        if job.done is not None:
            return job.done
        if job.futures is not None and job.generation != self._generation:
            return self.finish(self.start(job.batch))  # its pool was stopped for another batch's fault
        try:
            if job.futures is None:
                raise RuntimeError("the worker pool could not take the batch")
            out: list[tuple[bytes, dict[str, float]]] = []
            for c, f in zip(job.chunks, job.futures):
                out.extend(f.result(timeout=self._limit(len(c))))
            return out
        except KeyboardInterrupt:
            self.kill()
            raise
        except Exception as e:  # noqa: BLE001 - a dead or hung worker, or a bug: find the record at fault
            print(f"cleaner: a worker failed ({type(e).__name__}: {e}); redoing this batch of {len(job.batch)} "
                  "records one at a time", file=sys.stderr)
            self.kill()
            return self._one_by_one(job.batch)

    def run(self, batch: list[RawRecord | ReadError]) -> list[tuple[bytes, dict[str, float]]]:
        """Spool lines and seconds by step for ``batch``, in input order."""
        return self.finish(self.start(batch))

    def _one_by_one(self, batch: list[RawRecord | ReadError]) -> list[tuple[bytes, dict[str, float]]]:
        out: list[tuple[bytes, dict[str, float]]] = []
        for raw in batch:
            try:
                out.extend(self._pool().submit(_work_chunk, [raw]).result(timeout=self._limit(1)))
                continue
            except cf.TimeoutError:
                why = f"no result after {self._limit(1):.0f} s (a hang inside a parser?); the worker was stopped"
            except cf.process.BrokenProcessPool:
                why = "the worker process died on this record (a crash in a parser, or killed for lack of memory)"
            except Exception as e:  # noqa: BLE001
                why = f"{type(e).__name__}: {e}"
            self.kill()
            rid = raw.id
            out.append((dumps(Outcome(reject=reject_record(raw.source, raw.position, why, rid, WORKER_DIED)).to_json()), {}))
        self._records += len(batch)
        return out
