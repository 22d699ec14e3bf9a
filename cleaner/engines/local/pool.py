"""The pass-1 process pool of the local engine, made to survive a worker that dies or hangs.

The driver hands the workers *chunks* of input items and gets back, for each chunk, its
spool lines already encoded and compressed (one zstd frame), so that it does no
per-record work: it only concatenates the frames of a spool file and writes them. An
input item is a record the driver read (:class:`RawRecord`, :class:`ReadError`) or, for a
one-page file, a :class:`PageFile` that the worker reads itself.
"""
from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import signal
import sys
from dataclasses import dataclass
from typing import Iterable, Union

from ...config import Options
from ...errors import WORKER_DIED
from ...io.readers import RawRecord, ReadError, iter_file_records
from ...io.writers import dumps
from ...steps import Marker
from ..document_work import DocumentProcessor, reject_record
from ..spool import RecordResult, spool_frame
from .procs import die_with_parent, stop_executor, tune_worker_gc, widen_pipes

#: A worker process is replaced by a fresh one after this many records (bounds any slow leak).
WORKER_RECYCLE_RECORDS = 20_000
#: A chunk of records whose result has not come back after ``doc_timeout_s`` per record plus
#: this margin is taken for a hung worker: the pool is stopped and the chunk redone one record at a time (seconds).
HANG_MARGIN_S = 60.0


@dataclass(frozen=True, slots=True)
class PageFile:
    """An input file that holds exactly one record (an HTML or text page), read by the worker.

    ``source``, ``position`` and ``id`` are what a reject of it says, as for a read record.
    """

    source: str
    id: str
    root: str
    position: int = 0


Item = Union[RawRecord, ReadError, PageFile]
#: What a chunk gives back: its spool lines as zstd frames, seconds by step, and the number of lines.
ChunkResult = tuple[list[bytes], dict[str, float], int]

_PROCESSOR: DocumentProcessor | None = None  # one per worker process, set by the pool initializer


def _init_worker(options: Options, steps: tuple[Marker, ...] = ()) -> None:
    global _PROCESSOR
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver handles Ctrl-C
    die_with_parent()
    _PROCESSOR = DocumentProcessor(options, steps)
    tune_worker_gc()


def _records(item: Item, options: Options) -> Iterable[RawRecord | ReadError]:
    if isinstance(item, PageFile):
        return iter_file_records(item.source, item.root, options)
    return (item,)


def work_items(processor: DocumentProcessor, items: Iterable[Item]) -> ChunkResult:
    """Pass 1 for some items: their spool lines (one zstd frame), seconds by step and number of lines."""
    lines: list[bytes] = []
    seconds: dict[str, float] = {}
    for item in items:
        for raw in _records(item, processor.options):
            o = processor(raw)
            lines.append(dumps(o.to_json()))
            for k, v in o.seconds.items():
                seconds[k] = seconds.get(k, 0.0) + v
    return [spool_frame(lines)], seconds, len(lines)


def _ready() -> None:
    """The task :meth:`WorkerPool.start` hands the pool: none, but it makes the pool start its workers."""


def _work_chunk(items: list[Item]) -> ChunkResult:
    assert _PROCESSOR is not None
    return work_items(_PROCESSOR, items)


@dataclass
class Chunk:
    """Items handed to the pool and their future (``None``: the pool refused them, or worked in the driver)."""

    items: list[Item]
    future: cf.Future | None
    generation: int
    done: ChunkResult | None = None   # the result, when worked in the driver


class WorkerPool:
    """The pass-1 process pool, made to survive a worker that dies or hangs.

    Chunks of items go to the pool (:meth:`submit`); their results are collected in
    input order (:meth:`collect`). When a worker dies (``BrokenProcessPool``) or a chunk
    gives no result within its time limit, the pool is stopped and that chunk is redone
    one record at a time in a fresh pool, so that only the record at fault is lost (it
    goes to rejects, kind ``worker-died``); the other chunks the stopped pool held are
    handed to the fresh pool again.
    """

    def __init__(self, options: Options, inline: bool = False, steps: Iterable[Marker] = ()):
        # A bad rule file fails here, at start-up, not in every worker.
        self.steps = tuple(steps)   # a user's markers: inherited by forked workers, pickled for spawned ones
        self.processor = DocumentProcessor(options, self.steps)   # the driver's own: inline work, failing early
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
                from ...extract.main_content import load_trafilatura
                from ...extract.xpath_install import install
                load_trafilatura()  # imported once here, inherited by forked workers,
                install()           # with faster copies of its XPaths (cleaner.extract.xpath_install)
            import zstandard  # noqa: F401 - the workers compress spool lines; so do those of the later passes' pools
            # Rules are compiled by each worker as its pages need them, at the same time: compiling
            # them all here first would keep every worker waiting for the driver.
            ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
            self._ex = cf.ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                              initargs=(self.options, self.steps))
            widen_pipes(self._ex)
            self._records = 0
        return self._ex

    def start(self) -> None:
        """Start the worker processes now, not at the first chunk: a run starts them before it
        lists and reads its inputs, so that the workers are ready when the first records are."""
        if self.inline:
            return
        try:
            self._pool().submit(_ready)
        except KeyboardInterrupt:
            self.kill()
            raise
        except Exception:  # noqa: BLE001 - a pool that cannot start: submit() and collect() find out
            pass

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

    def submit(self, items: list[Item]) -> Chunk:
        """Hand ``items`` to the workers and return at once; :meth:`collect` gets the result."""
        if self.inline:  # one input in stdout mode: no process to start, nothing to hand over
            return Chunk(items, None, self._generation, work_items(self.processor, items))
        try:
            future: cf.Future | None = self._pool().submit(_work_chunk, items)
        except KeyboardInterrupt:
            self.kill()
            raise
        except Exception:  # noqa: BLE001 - a broken pool: collect() finds the record at fault
            future = None
        self._records += len(items)
        return Chunk(items, future, self._generation)

    def collect(self, chunk: Chunk) -> ChunkResult:
        """The result of a submitted chunk (waiting for it)."""
        if chunk.done is not None:
            return chunk.done
        if chunk.future is not None and chunk.generation != self._generation:
            return self.collect(self.submit(chunk.items))  # its pool was stopped for another chunk's fault
        try:
            if chunk.future is None:
                raise RuntimeError("the worker pool could not take the chunk")
            return chunk.future.result(timeout=self._limit(len(chunk.items)))
        except KeyboardInterrupt:
            self.kill()
            raise
        except Exception as e:  # noqa: BLE001 - a dead or hung worker, or a bug: find the record at fault
            print(f"cleaner: a worker failed ({type(e).__name__}: {e}); redoing these {len(chunk.items)} "
                  "records one at a time", file=sys.stderr)
            self.kill()
            return self._one_by_one(chunk.items)

    def _one_by_one(self, items: list[Item]) -> ChunkResult:
        frames: list[bytes] = []
        seconds: dict[str, float] = {}
        n = 0
        for item in items:
            try:
                got, secs, k = self._pool().submit(_work_chunk, [item]).result(timeout=self._limit(1))
                frames.extend(got)
                for name, v in secs.items():
                    seconds[name] = seconds.get(name, 0.0) + v
                n += k
                continue
            except cf.TimeoutError:
                why = f"no result after {self._limit(1):.0f} s (a hang inside a parser?); the worker was stopped"
            except cf.process.BrokenProcessPool:
                why = "the worker process died on this record (a crash in a parser, or killed for lack of memory)"
            except Exception as e:  # noqa: BLE001
                why = f"{type(e).__name__}: {e}"
            self.kill()
            reject = reject_record(item.source, item.position, why, item.id, WORKER_DIED)
            frames.append(spool_frame([dumps(RecordResult(reject=reject).to_json())]))
            n += 1
        self._records += len(items)
        return frames, seconds, n
