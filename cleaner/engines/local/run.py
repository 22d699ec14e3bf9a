"""The local engine: read, extract and mark in a process pool, then corpus passes, then write.

Shape of a run (see ``README.md``)::

    pass 1  (workers)  raw record -> decode -> extract -> markers -> spooled Document
                                                        + fingerprint of the first corpus step
    pass k  (workers)  spooled Document -> earlier corpus steps' decisions applied -> fingerprint of step k
            (driver)   observe the fingerprints in input order, decide
    final   (workers)  every corpus step's decisions applied -> filters -> apply spans -> encoded line
            (driver)   write the lines in input order -> clean / dropped / rejects

(see :mod:`cleaner.engines.local.passes`: no step is computed twice, span marks are kept per document).

Pass 1 works in *batches* of ``spool_batch_records`` input records; each finished batch
is written to ``OUTDIR/.work/`` under its final name only when complete (temporary name,
fsync, rename), so a run stopped at any point (``kill -9`` included) and started again with
the same command skips finished batches. Corpus passes and the final write are redone from
the spool (with the kept span marks rewritten), which makes the output depend only on the input and the options, never on the
number of workers or on where a run was interrupted. The spool is keyed by the options and
the inputs' names, sizes and modification times; a change to either starts over.

Every input record ends in exactly one of clean, dropped or rejects; ``report.json``
states the records in and the three counts, and the run fails rather than finish with a
record unaccounted for. Workers are separate processes: a worker that dies on a record
(a crash in a parser, the out-of-memory killer) or stops answering costs that record,
which goes to rejects, never the run.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import multiprocessing as mp
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

from ...config import Options
from ...document import Document
from ...extract.main_content import ExtractionError
from ...io.decode import NotTextError
from ...io.readers import RawRecord, ReadError, iter_records, list_inputs
from ...io.writers import ShardedWriter, dumps, remove_shards, write_json_atomic
from ...steps import Marker
from ...pipeline import build_corpus_steps, build_filters, build_markers  # noqa: F401 - also this module's names
from ...errors import (BAD_HTML, FAILED, NO_MEMORY, REGEX_TIMEOUT, TIMEOUT, TOO_DEEP, WORKER_DIED,  # noqa: F401
                     RecordTimeout, RunError)
from .procs import LIVE_POOLS, STOP_WAIT_S, _peak_rss_mb, _process_use, die_with_parent, stop_executor  # noqa: F401
from ..spool import Outcome, read_spool, write_spool  # noqa: F401
from ..totals import (DROPPED_EXAMPLES, REJECT_EXAMPLES, SAMPLE_DOCS, TOP_TEMPLATE_HOSTS, Tally,  # noqa: F401
                    _count_rules, _count_template_host)

#: Format version of the spool; a run never resumes from a spool of another version.
SPOOL_VERSION = 3
WORK_DIR = ".work"
#: A worker process is replaced by a fresh one after this many records (bounds any slow leak).
WORKER_RECYCLE_RECORDS = 20_000
#: A chunk of records whose result has not come back after ``doc_timeout_s`` per record plus
#: this margin is taken for a hung worker: the pool is stopped and the batch redone one record at a time (seconds).
HANG_MARGIN_S = 60.0
# --------------------------------------------------------------------------- steps


# --------------------------------------------------------------------------- per record


def reject_record(source: str, position: int, error: str, rid: str | None = None, kind: str = FAILED) -> dict[str, Any]:
    """The rejects-file record: where the input was (file, line or record number; -1 for the
    unread rest of a file), its id when known, the short kind of reason, and the message."""
    return {"source": source, "position": position, "id": rid, "kind": kind, "error": error}


class _Alarm:
    """A per-record time limit using ``SIGALRM`` (main thread of a process only)."""

    def __init__(self, seconds: float):
        self.seconds = seconds if seconds > 0 and hasattr(signal, "setitimer") else 0

    def _fire(self, *_: Any) -> None:
        raise RecordTimeout()

    def __enter__(self) -> None:
        if self.seconds:
            self.prev = signal.signal(signal.SIGALRM, self._fire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.prev)


class DocumentProcessor:
    """Pass 1 for one record: decode, extract, run the markers, fingerprint for the first corpus step.

    One instance lives in each worker process; it holds the compiled rules and step state
    of that process only. ``steps``: a user's own markers (``cleaner.run(..., steps=)``),
    run after the built-in ones.
    """

    def __init__(self, options: Options, steps: Iterable[Marker] = ()):
        from ...page.language import LanguageLabel, parse_languages
        self.options = options
        self.language = LanguageLabel(parse_languages(options.keep_languages))
        #: When a dict, extraction adds its seconds by stage here (``benchmarks/throughput.py``).
        self.stage_seconds: dict[str, float] | None = None
        self.markers = build_markers(options) + list(steps)   # a user's own markers run after the built-in ones
        self.filters = build_filters(options)
        steps = build_corpus_steps(options)
        self.first_step = steps[0] if steps else None

    def to_document(self, raw: RawRecord) -> Document:
        """Decode and extract one record; text records skip extraction; double encoding repaired (``repair_encoding``)."""
        doc = self._to_document(raw)
        doc.provenance = raw.provenance()
        if self.options.repair_encoding and doc.dropped is None:
            from ...io.mojibake import repair_mojibake
            doc.text = repair_mojibake(doc.text) or ""
            doc.title = repair_mojibake(doc.title)
        return doc

    def _to_document(self, raw: RawRecord) -> Document:
        meta = dict(raw.extra)
        if raw.dropped is not None:
            return Document(raw.id, raw.url, "", None, meta, dropped=raw.dropped)
        if raw.html is not None:
            if self.options.extract:
                from ...extract.main_content import extract
                from ...extract.removals import wants_detail
                detail = self.options.extraction_detail or wants_detail(raw.id)
                ex = extract(raw.html, self.options, raw.url, raw.http_charset, self.stage_seconds, left_out=detail)
                return Document(raw.id, raw.url, ex.text, ex.title, meta, left_out=ex.left_out or [],
                                left_out_chars=ex.left_out_chars or {})
            from ...extract.main_content import html_to_text
            text, title = html_to_text(raw.html, raw.http_charset)
            return Document(raw.id, raw.url, text, title, meta)
        return Document(raw.id, raw.url, raw.text or "", None, meta)

    def __call__(self, raw: RawRecord | ReadError) -> Outcome:
        if isinstance(raw, ReadError):
            return Outcome(reject=reject_record(raw.source, raw.position, raw.error, raw.id, raw.kind))
        times: dict[str, float] = {}
        try:
            with _Alarm(self.options.doc_timeout_s):
                t0 = time.perf_counter()
                doc = self.to_document(raw)
                times["extract"] = time.perf_counter() - t0
                if doc.dropped is None:
                    t0 = time.perf_counter()
                    self.language(doc)
                    times[self.language.name] = time.perf_counter() - t0
                for m in self.markers if doc.dropped is None else ():
                    t0 = time.perf_counter()
                    m(doc)
                    times[m.name] = times.get(m.name, 0.0) + time.perf_counter() - t0
                for f in self.filters if doc.dropped is None else ():
                    t0 = time.perf_counter()
                    f(doc)
                    times[f.name] = times.get(f.name, 0.0) + time.perf_counter() - t0
                fp = None
                if self.first_step is not None and doc.dropped is None:
                    t0 = time.perf_counter()
                    fp = self.first_step.fingerprint(doc)
                    times[self.first_step.name] = time.perf_counter() - t0
        except RecordTimeout:
            return self._reject(raw, f"took longer than doc_timeout_s={self.options.doc_timeout_s} s; "
                                     "raise --doc-timeout-s to keep such records", TIMEOUT)
        except TimeoutError as e:
            return self._reject(raw, f"a regular expression timed out (regex_timeout_s={self.options.regex_timeout_s}): "
                                     f"{e}; fix that rule's pattern (catastrophic backtracking?) or switch it off "
                                     "with --disable-rules ID", REGEX_TIMEOUT)
        except RecursionError:
            return self._reject(raw, "document nested too deeply to process", TOO_DEEP)
        except NotTextError as e:
            return self._reject(raw, str(e), e.kind)
        except ExtractionError as e:
            return self._reject(raw, str(e), BAD_HTML)
        except MemoryError:
            return self._reject(raw, "out of memory on this record; lower --max-input-bytes or use fewer --workers", NO_MEMORY)
        except Exception as e:  # noqa: BLE001 - one broken record must not stop the batch
            return self._reject(raw, f"{type(e).__name__}: {e}", FAILED)
        return Outcome(doc=doc, fingerprint=fp, seconds=times)

    @staticmethod
    def _reject(raw: RawRecord, error: str, kind: str) -> Outcome:
        return Outcome(reject=reject_record(raw.source, raw.position, error, raw.id, kind))


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
                for m in self.processor.markers:
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


# --------------------------------------------------------------------------- spool


#: Options that change neither the spool nor the output, so changing them keeps a resumable spool.
RUN_ONLY_OPTIONS = ("workers", "progress", "fail_on_reject", "batch_size", "output_format", "shard_size_mb")


def options_fingerprint(options: Options, inputs: list[str], exclude: tuple[str, ...] = (),
                        steps: Iterable[Marker] = ()) -> str:
    """A hash of what decides pass-1 output: the options that change documents, the versioned
    names of a user's markers, and every input file's path, size and modification time (an
    edited input, or a user step of another name or version, starts the run over)."""
    data: dict[str, Any] = {k: v for k, v in options.to_dict().items() if k not in RUN_ONLY_OPTIONS}
    data["inputs"] = [p if "://" in p else os.path.abspath(p) for p in inputs]
    from ...io.remote import is_url, signature
    files = []
    for path, _ in list_inputs(inputs, exclude):
        size, version = (-1, os.urandom(8).hex()) if path == "-" else signature(path)  # standard input never resumes
        files.append([path if is_url(path) else os.path.abspath(path), size, version])
    data["files"] = files
    names = [s.name for s in steps]
    if names:  # absent without user steps: the key of a plain run stays what it was
        data["user_steps"] = names
    data["spool_version"] = SPOOL_VERSION
    from ...version import __version__
    data["cleaner"] = __version__
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- the run


@dataclass
class RunResult:
    """Totals of a finished run, and where its output went."""

    report: dict[str, Any]
    clean_texts: list[str] = field(default_factory=list)   # filled only in stdout mode

    @property
    def rejected(self) -> int:
        return self.report["documents"]["rejected"]


def _batches(it: Iterable[Any], n: int) -> Iterator[list[Any]]:
    it = iter(it)
    while True:
        chunk = list(islice(it, n))
        if not chunk:
            return
        yield chunk


def _progress(options: Options, desc: str, total: int | None = None, unit: str = "doc", unit_scale: bool = False):
    """A progress bar on standard error (tqdm), with a total and an ETA where ``total`` is known.

    A terminal that reports no width (a bare pseudo-terminal, some CI consoles) gets the
    ``COLUMNS`` or 80-column width instead of tqdm's zero-width bar, which prints nothing.
    """
    from tqdm import tqdm
    try:
        sized = os.get_terminal_size(sys.stderr.fileno()).columns > 0
    except (OSError, ValueError, AttributeError):
        sized = False
    width = {"dynamic_ncols": True} if sized else {"ncols": shutil.get_terminal_size((80, 20)).columns}
    return tqdm(total=total, desc=desc, unit=unit, disable=not options.progress, file=sys.stderr,
                leave=False, unit_scale=unit_scale, **width)


def run(inputs: list[str], options: Options, outdir: str | None,
        emit: Callable[[Document, str], None] | None = None,
        on_reject: Callable[[dict[str, Any]], None] | None = None, steps: Iterable[Marker] = ()) -> RunResult:
    """Clean a corpus.

    ``inputs``: files or folders (see :mod:`cleaner.io.readers`). ``outdir``: where shards,
    ``report.json`` and ``report.html`` go; ``None`` keeps nothing on disk and returns the
    clean texts in :attr:`RunResult.clean_texts` (the one-page command-line mode).
    ``emit``, when given, is called with every document that was not rejected, clean or
    dropped, once all steps and filters ran, with the spans still uncut in ``doc.removed``
    and the text it has after the cut (``cleaner explain`` shows documents this way);
    with ``emit`` and no ``outdir``, :attr:`RunResult.clean_texts` stays empty.
    ``on_reject``, when given, is called with every rejects record (instead of the line
    printed on standard error when there is no ``outdir``).
    ``steps``: a user's own markers, run in pass 1 after the built-in ones (:func:`build_markers`).

    Raises :class:`RunError` when the output folder cannot be used, and
    :class:`cleaner.io.readers.InputError` for a missing or unknown input path.
    """
    from ...io import remote
    if outdir is not None and remote.is_url(outdir):
        return _run_to_url(inputs, options, outdir, emit)
    exclude = (outdir,) if outdir is not None else ()
    if outdir is not None and any(os.path.isdir(p) and os.path.realpath(p) == os.path.realpath(outdir) for p in inputs):
        raise RunError(f"the output folder {outdir!r} is an input folder; choose another folder with -o "
                       "(a folder inside the input folder is fine: it is not read)")
    list_inputs(inputs, exclude, warn=True)  # fail fast on a missing path, before any work
    _check_rules(options)  # and on a bad rules file, before OUTDIR/.work is made
    t_start = time.perf_counter()
    tmp_root = None
    if outdir is None:
        tmp_root = tempfile.mkdtemp(prefix="cleaner-")
        workdir = tmp_root
    else:
        workdir = os.path.join(outdir, WORK_DIR)
        _check_outdir(outdir, workdir)
    try:
        return _run(inputs, options, outdir, workdir, emit, t_start, exclude, on_reject, tuple(steps))
    except BaseException:   # Ctrl-C: a corpus pass's pool is held by a suspended generator; stop it now
        for ex in list(LIVE_POOLS):
            LIVE_POOLS.discard(ex)
            stop_executor(ex)
        raise
    finally:
        if tmp_root:
            shutil.rmtree(tmp_root, ignore_errors=True)


def _run_to_url(inputs: list[str], options: Options, url: str,
                emit: Callable[[Document, str], None] | None) -> RunResult:
    """A run into a remote OUTDIR: written to a local staging folder (where a stopped run
    resumes), then uploaded, ``report.json`` last (:func:`cleaner.io.remote.publish`)."""
    from ...io import remote
    local = remote.staging_dir(url)
    try:
        remote.unpublish_report(url)
    except Exception as e:  # noqa: BLE001 - any filesystem's own error: the folder cannot be used
        raise RunError(f"cannot write to the output folder {url!r} ({type(e).__name__}: {e}); "
                       "check the URL and credentials") from None
    result = run(inputs, options, local, emit)
    remote.publish(local, url)
    shutil.rmtree(local, ignore_errors=True)
    return result


def _check_rules(options: Options) -> None:
    """Load the rules ``options`` select (raises :class:`RuleError`) and print the selection's warnings.

    Cheap for the run: forked workers find the compiled patterns in the regex module's cache.
    """
    from ...rules.engine import select_rules
    warnings: list[str] = []
    select_rules(options, warnings)
    for w in warnings:
        print(f"cleaner: warning: {w}", file=sys.stderr)


def _check_outdir(outdir: str, workdir: str) -> None:
    """Create the output folder and its spool folder, or raise :class:`RunError` saying what to do."""
    try:
        os.makedirs(workdir, exist_ok=True)
        probe = os.path.join(outdir, ".cleaner-write-test")
        with open(probe, "wb") as fh:
            fh.write(b"ok")
        os.remove(probe)
    except OSError as e:
        raise RunError(f"cannot write to the output folder {outdir!r} ({e.strerror or e}); "
                       "choose another folder with -o or fix its permissions") from None


def _prepare_workdir(workdir: str, key: str) -> None:
    state_path = os.path.join(workdir, "state.json")
    if os.path.exists(state_path):
        try:
            with open(state_path, encoding="utf-8") as fh:
                state = json.load(fh)
        except (OSError, ValueError):
            state = {}
        if state.get("key") != key:
            print("cleaner: inputs or options changed since the interrupted run; starting over", file=sys.stderr)
            shutil.rmtree(workdir)
    os.makedirs(workdir, exist_ok=True)
    if not os.path.exists(state_path):
        write_json_atomic(state_path, {"key": key})


def _pass1(inputs: list[str], options: Options, workdir: str, exclude: tuple[str, ...] = (),
           inline: bool = False, notes: list[dict[str, Any]] | None = None,
           steps: tuple[Marker, ...] = ()) -> tuple[list[str], dict[str, float], int, int]:
    """Run pass 1 batch by batch; the workers process one batch while the driver reads the
    next and writes the previous one's spool. ``inline``: work in this process, no pool (the
    one-file stdout mode, where starting a worker would cost more than the page).

    Returns the spool files in input order, seconds by step, the number of batches taken
    from an earlier interrupted run, and the number of input records read.
    """
    times: dict[str, float] = {}
    spools: list[str] = []
    resumed = n_read = 0
    from ...io.readers import ReadProgress, input_bytes
    read = ReadProgress(input_bytes(inputs, exclude) if options.progress else 0)
    records = iter_records(inputs, options, exclude, notes, read if options.progress else None)
    pool = WorkerPool(options, inline=inline, steps=steps)
    # A total in bytes of input (known from the listing) gives an ETA; records are counted beside it.
    bar = _progress(options, "extract+mark", total=read.total, unit="B", unit_scale=True)
    n_done = [0]

    def advance(n: int) -> None:
        n_done[0] += n
        bar.set_postfix_str(f"{n_done[0]} records", refresh=False)
        bar.update(max(0, read.position() - bar.n))

    def write(job: tuple[str, _Job]) -> None:
        path, started = job
        results = pool.finish(started)
        for _, secs in results:
            for k, v in secs.items():
                times[k] = times.get(k, 0.0) + v
        write_spool(path, [line for line, _ in results])
        advance(len(started.batch))

    running: tuple[str, _Job] | None = None   # the batch the workers hold while the next one is read
    try:
        for b, batch in enumerate(_batches(records, max(1, options.spool_batch_records))):
            path = os.path.join(workdir, f"pass1-{b:06d}.jsonl.zst")
            spools.append(path)
            n_read += len(batch)
            if os.path.exists(path):
                resumed += 1
                advance(len(batch))
                continue
            started = (path, pool.start(batch))
            if running is not None:
                write(running)
            running = started
        if running is not None:
            write(running)
    except BaseException:   # Ctrl-C (or a failure) while the workers hold a batch: do not wait for it
        pool.kill()
        raise
    finally:
        bar.close()
        pool.close()
    return spools, times, resumed, n_read


def _run(inputs: list[str], options: Options, outdir: str | None, workdir: str,
         emit: Callable[[Document, str], None] | None, t_start: float, exclude: tuple[str, ...] = (),
         on_reject: Callable[[dict[str, Any]], None] | None = None,
         user_steps: tuple[Marker, ...] = ()) -> RunResult:
    from . import passes as cp
    key = options_fingerprint(options, inputs, exclude, user_steps)
    _prepare_workdir(workdir, key)
    notes: list[dict[str, Any]] = []   # warnings about whole input files (a WARC file without documents)
    spools, times, resumed, n_read = _pass1(inputs, options, workdir, exclude,
                                            inline=outdir is None and emit is None, notes=notes, steps=user_steps)

    steps = build_corpus_steps(options, os.path.join(workdir, "corpus"))
    # Corpus passes (workers fingerprint, the driver observes and decides): step k sees steps 0..k-1 applied.
    bases, appliers = cp.corpus_passes(spools, steps, options, workdir, lambda d: _progress(options, d), times)

    # Final pass: apply, filter, encode (workers); write in spool order (driver).
    result = RunResult(report={})
    tally = Tally()
    writers: dict[str, ShardedWriter] = {}
    if outdir is not None:
        # report.json is written last: while it is missing, the shards are not a finished run.
        for name in ("report.json", "report.html"):
            if os.path.exists(os.path.join(outdir, name)):
                os.remove(os.path.join(outdir, name))
        remove_shards(outdir)
        shard_bytes = int(options.shard_size_mb * (1 << 20))
        writers = {"clean": ShardedWriter(outdir, "clean", options.output_format, shard_bytes),
                   "dropped": ShardedWriter(outdir, "dropped", options.output_format, shard_bytes),
                   "rejects": ShardedWriter(outdir, "rejects", options.output_format, shard_bytes)}

    def sink(kind: str, rec: dict[str, Any], text: str, doc: Document | None) -> None:
        if kind == "rejects" and on_reject is not None:
            on_reject(rec)
        if kind == "rejects" and not writers:
            if on_reject is not None:
                return
            print(f"cleaner: rejected {rec['source']}"
                  f"{'' if rec['position'] in (0, -1) else ':' + str(rec['position'])}: {rec['error']}",
                  file=sys.stderr)
            return
        if writers:
            writers[kind].write(rec)
        elif kind == "clean" and emit is None:
            result.clean_texts.append(text)
        if emit is not None and doc is not None:
            emit(doc, text)

    plan = cp.final_plan(options, workdir, steps, appliers, cp.RECORD if options.output_format == "parquet" else cp.ENCODED)
    files = [(p, i, bases[i]) for i, p in enumerate(spools)]
    in_process = emit is not None or not writers or options.resolved_workers() <= 1
    results = (cp.finish_file(plan, *f, sink=sink) for f in files) if in_process else \
        cp.run_ordered(plan, "finish", files, options.resolved_workers())
    bar = _progress(options, "write", total=n_read)  # every record read is written once (rejects too)
    n_docs = 0
    for res in results:
        for kind, payload in res["items"]:
            if isinstance(payload, bytes):
                writers[kind].write_line(payload)
            else:
                writers[kind].write(payload)
        tally.merge(res["tally"])
        for step, st in zip(steps, res["stats"]):
            step.stats.spans += st.spans
            step.stats.dropped += st.dropped
        for step in steps:
            times[step.name] = times.get(step.name, 0.0) + res["seconds"].get(step.name, 0.0)
        n_docs += res["n"]
        bar.update(res["n"])
    bar.close()
    for w in writers.values():
        w.close()
    tally.check(n_read, workdir)
    counts = tally.counts
    for step in steps:  # a step's seconds: every pass, in the workers and in the driver
        step.stats.seconds = times.get(step.name, 0.0)

    elapsed = time.perf_counter() - t_start
    report = {
        "cleaner_version": _version(),
        "inputs": inputs,
        **tally.report_fields(),
        "input_warnings": notes,
        "seconds_by_step": {k: round(v, 3) for k, v in sorted(times.items())},
        "corpus_steps": {s.name: {**s.stats.to_dict(), **s.report(),
                                  "index_bytes": s.index_bytes(),
                                  "index_bytes_per_document": round(s.index_bytes() / max(1, n_docs), 1)}
                         for s in steps},
        "run": {"seconds": round(elapsed, 3), "documents_per_second": round(counts["in"] / elapsed, 2) if elapsed else None,
                "workers": options.resolved_workers(), "batches_resumed": resumed,
                "peak_memory_mb": round(_peak_rss_mb(), 1), **_process_use()},
        "options": options.to_dict(),
        "outputs": {k: [os.path.basename(p) for p in w.paths] for k, w in writers.items()},
        **({"user_steps": [m.name for m in user_steps]} if user_steps else {}),   # their seconds: seconds_by_step
    }
    result.report = report
    if outdir is not None:
        from ...report.html import write_report_html
        write_report_html(os.path.join(outdir, "report.html"), report, tally.samples)
        write_json_atomic(os.path.join(outdir, "report.json"), report)  # last: the mark of a finished run
        shutil.rmtree(workdir, ignore_errors=True)
    return result


def _version() -> str:
    from ...version import __version__
    return __version__
