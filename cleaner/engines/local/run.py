"""The local engine: read, extract and mark in a process pool, then corpus passes, then write.

Shape of a run (see ``README.md``)::

    pass 1  (workers)  raw record (or page file, read there) -> decode -> extract -> markers
                       -> spool lines, compressed + fingerprint of the first corpus step
            (driver)   write the spool files in input order
    pass k  (workers)  spooled Document -> earlier corpus steps' decisions applied -> fingerprint of step k
            (driver)   observe the fingerprints in input order, decide
    final   (workers)  every corpus step's decisions applied -> filters -> apply spans -> encoded lines, compressed
            (driver)   write them in input order -> clean / dropped / rejects

(see :mod:`cleaner.engines.local.passes`: no step is computed twice, span marks are kept
per document). The driver does no per-record work: with two workers on two cores, every
CPU second it spends is one a worker waits for.

Pass 1 writes *spool files* of at most :data:`SPOOL_FILE_RECORDS` input records (fewer
when ``spool_batch_records`` is smaller); each is written to ``OUTDIR/.work/`` under its
final name only when complete (temporary name, fsync, rename), so a run stopped at any
point (``kill -9`` included) and started again with the same command skips finished
files. Corpus passes and the final write are redone from the spool (with the kept span
marks rewritten), which makes the output depend only on the input and the options, never
on the number of workers or on where a run was interrupted. The spool is keyed by the
options and the inputs' names, sizes and modification times; a change to either starts over.

Every input record ends in exactly one of clean, dropped or rejects; ``report.json``
states the records in and the three counts, and the run fails rather than finish with a
record unaccounted for. Workers are separate processes: a worker that dies on a record
(a crash in a parser, the out-of-memory killer) or stops answering costs that record,
which goes to rejects, never the run.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
from collections import deque
from itertools import count, islice
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from ...config import Options
from ...document import Document
from ...errors import RunError
from ...io import remote
from ...io.listing import STDIN, kind_of, listings_kept, record_id_for
from ...io.readers import iter_records, list_inputs
from ...io.writers import ShardedWriter, dumps, pack_lines, remove_shards, write_json_atomic
from ...pipeline import build_corpus_steps
from ...steps import Marker
from ...version import __version__
from ..result import RunResult
from ..resume import WORK_DIR, local_resume_key
from ..spool import write_spool
from ..totals import RunTotals
from .ahead import FingerprintsAhead
from .pool import Chunk, PageFile, WorkerPool
from .procs import INTERRUPTS, LIVE_POOLS, _peak_rss_mb, _process_use, stop_executor

if TYPE_CHECKING:
    from .passes import PassSetup


# --------------------------------------------------------------------------- the run


def _progress(options: Options, desc: str, total: int | None = None, unit: str = "doc", unit_scale: bool = False):
    """A progress bar on standard error (tqdm), with a total and an ETA where ``total`` is known.

    A terminal that reports no width (a bare pseudo-terminal, some CI consoles) gets the
    ``COLUMNS`` or 80-column width instead of tqdm's zero-width bar, which prints nothing.
    Without ``options.progress`` a :class:`_NoBar` (tqdm is not even imported: a tenth of a
    one-page run's set-up).
    """
    if not options.progress:
        return _NoBar()
    from tqdm import tqdm
    try:
        sized = os.get_terminal_size(sys.stderr.fileno()).columns > 0
    except (OSError, ValueError, AttributeError):
        sized = False
    width = {"dynamic_ncols": True} if sized else {"ncols": shutil.get_terminal_size((80, 20)).columns}
    return tqdm(total=total, desc=desc, unit=unit, file=sys.stderr, leave=False, unit_scale=unit_scale, **width)


class _NoBar:
    """The part of tqdm's bar the passes use, doing nothing but count (progress switched off)."""

    n = 0

    def update(self, n: int = 1) -> None:
        self.n += n

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


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
    if outdir is not None and remote.is_url(outdir):
        return _run_to_url(inputs, options, outdir, emit)
    exclude = (outdir,) if outdir is not None else ()
    if outdir is not None and any(os.path.isdir(p) and os.path.realpath(p) == os.path.realpath(outdir) for p in inputs):
        raise RunError(f"the output folder {outdir!r} is an input folder; choose another folder with -o "
                       "(a folder inside the input folder is fine: it is not read)")
    with listings_kept():   # the run lists its inputs once
        return _run_listed(inputs, options, outdir, emit, on_reject, tuple(steps), exclude)


def _run_listed(inputs: list[str], options: Options, outdir: str | None,
                emit: Callable[[Document, str], None] | None,
                on_reject: Callable[[dict[str, Any]], None] | None, steps: tuple[Marker, ...],
                exclude: tuple[str, ...]) -> RunResult:
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
        with INTERRUPTS:
            return _run(inputs, options, outdir, workdir, emit, t_start, exclude, on_reject, steps)
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


def _prepare_workdir(workdir: str, key: str) -> bool:
    """Make ``workdir`` the spool folder of the run keyed ``key`` (emptied when it held another
    run's spool); returns True when it holds no spool file of pass 1 to resume from."""
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
        return True
    return not any(name.startswith("pass1-") for name in os.listdir(workdir))


#: Records in one spool file at most (fewer when ``spool_batch_records`` is smaller): the unit of
#: resuming and of the corpus passes' tasks, small enough that every worker gets several of them.
SPOOL_FILE_RECORDS = 64
#: Spool files handed to the pool ahead of the one the driver writes next, per worker.
FILES_IN_FLIGHT_PER_WORKER = 2
#: Records in the first chunk of a run (at most): handed over as soon as they are read, while the
#: driver reads the rest of the first spool file.
FIRST_CHUNK_RECORDS = 4


def _workers_fill_cores(options: Options) -> bool:
    """True when the workers have every core: then reading the inputs would cost them the
    driver's CPU, so they read page files themselves; with a core to spare (``--workers 1``
    on two cores) the driver reads on it while they work."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return options.resolved_workers() >= cores


def page_files(inputs: list[str], options: Options, exclude: tuple[str, ...] = ()) -> list[PageFile] | None:
    """The input files as :class:`PageFile` items when every one is a local page file (one record,
    read by the worker that works it), else ``None`` (the driver reads the records)."""
    out = []
    for path, root in list_inputs(inputs, exclude):
        if path == STDIN or remote.is_url(path):
            return None
        kind = options.input_type if options.input_type != "auto" else kind_of(path)[0]
        if kind not in ("html", "text"):
            return None
        out.append(PageFile(path, record_id_for(path, root), root))
    return out


def _pass1(inputs: list[str], options: Options, workdir: str, exclude: tuple[str, ...] = (),
           inline: bool = False, notes: list[dict[str, Any]] | None = None,
           steps: tuple[Marker, ...] = (), pages: list[PageFile] | None = None,
           total: int | None = None,
           ahead: "FingerprintsAhead | None" = None,
           pool: WorkerPool | None = None) -> tuple[list[str], dict[str, float], int, int]:
    """Run pass 1, one spool file of at most :data:`SPOOL_FILE_RECORDS` records after another.

    The driver reads the records (or hands over ``pages``, which the workers read), cuts
    each spool file's records into chunks for the workers, handing each chunk over as soon
    as it is read (the first one of the run holds :data:`FIRST_CHUNK_RECORDS`, so that the
    workers start at once), and writes the spool files in order from the compressed chunks
    they return, while the workers hold the next files' chunks. When the number of records
    is known (``pages``, or ``total``) the last file goes in chunks of one record, so that
    no worker waits for another's long chunk at the end. ``inline``: work in this process,
    no pool (the one-file stdout mode, where starting a worker would cost more than the
    page). ``ahead``: given, the driver fingerprints each spool file it wrote for the later
    corpus steps (:mod:`cleaner.engines.local.ahead`) while the workers extract the next
    ones. ``pool``: the run's pool, perhaps started already (made here when ``None``);
    closed here.

    Returns the spool files in input order, seconds by step, the number of spool files
    taken from an earlier interrupted run, and the number of input records read.
    """
    times: dict[str, float] = {}
    spools: list[str] = []
    resumed = n_read = 0
    from ...io.readers import ReadProgress, input_bytes
    if pool is None:
        pool = WorkerPool(options, inline=inline, steps=steps)
    bar: Any = _NoBar()
    try:
        total = len(pages) if pages is not None else total
        if pages is not None:   # the workers read: the bar counts the pages done
            records: Iterable[Any] = pages
            read = None
            bar = _progress(options, "extract+mark", total=len(pages))
        else:   # a total in bytes of input (known from the listing) gives an ETA; records are counted beside it
            read = ReadProgress(input_bytes(inputs, exclude) if options.progress else 0)
            records = iter_records(inputs, options, exclude, notes, read if options.progress else None)
            bar = _progress(options, "extract+mark", total=read.total, unit="B", unit_scale=True)
        n_done = [0]

        def advance(n: int) -> None:
            n_done[0] += n
            if read is None:
                bar.update(n)
                return
            bar.set_postfix_str(f"{n_done[0]} records", refresh=False)
            bar.update(max(0, read.position() - bar.n))

        warmed = [False]

        def write(path: str, chunks: list[Chunk], n: int, file_no: int) -> None:
            if ahead is not None and not warmed[0] and _waiting(running, chunks):
                warmed[0] = True
                _import_tail_modules()   # the driver waits for the first chunks anyway
            # Each chunk is fingerprinted ahead as it comes back, only while the driver would wait
            # anyway (never slowing pass 1); a file with a chunk left out is fingerprinted in its passes.
            keep = ahead is not None and ahead.start_file(file_no)
            frames: list[bytes] = []
            for i, c in enumerate(chunks):
                got, secs, _ = pool.collect(c)
                frames.extend(got)
                for k, v in secs.items():
                    times[k] = times.get(k, 0.0) + v
                if keep and _waiting(running, chunks[i + 1:]):
                    ahead.add_frames(file_no, got)   # type: ignore[union-attr]
                elif keep:
                    keep = False
                    ahead.drop_file(file_no)   # type: ignore[union-attr]
            write_spool(path, frames=frames)
            advance(n)
            if keep:
                ahead.end_file(file_no)   # type: ignore[union-attr]

        per_file = max(1, min(options.spool_batch_records, SPOOL_FILE_RECORDS))
        size = max(1, min(options.batch_size, per_file // (2 * pool.workers)))
        first = min(size, FIRST_CHUNK_RECORDS)   # the run's first chunk: the workers wait for it
        running: deque[tuple[str, list[Chunk], int, int]] = deque()   # spool files the workers hold, in order
        it = iter(records)
        for b in count():
            INTERRUPTS.check()
            path = os.path.join(workdir, f"pass1-{b:06d}.jsonl.zst")
            if os.path.exists(path):   # finished by an interrupted run: its records are read past
                n = sum(1 for _ in islice(it, per_file))
                if not n:
                    break
                spools.append(path)
                n_read += n
                resumed += 1
                advance(n)
                continue
            # The last file (when the number of records is known) goes in chunks of one record.
            step = 1 if total is not None and n_read + per_file >= total else size
            chunks: list[Chunk] = []
            n = 0
            while n < per_file:
                piece = list(islice(it, min(min(first, step) if first else step, per_file - n)))
                if not piece:
                    break
                first = 0
                chunks.append(pool.submit(piece))
                n += len(piece)
            if not n:
                break
            spools.append(path)
            n_read += n
            running.append((path, chunks, n, b))
            while len(running) > pool.workers * FILES_IN_FLIGHT_PER_WORKER:
                write(*running.popleft())
        while running:
            INTERRUPTS.check()
            write(*running.popleft())
    except BaseException:   # Ctrl-C (or a failure) while the workers hold chunks: do not wait for them
        pool.kill()
        raise
    finally:
        bar.close()
        pool.close()
    if ahead is not None:
        for k, v in ahead.seconds.items():
            times[k] = times.get(k, 0.0) + v
    return spools, times, resumed, n_read


#: Modules that the corpus passes, the final pass and the report import when they first need them
#: (``numpy.ma``: by ``numpy.unique``). A driver with a core to spare imports them while it waits
#: for the first chunks of pass 1: on 692 pages they had taken 40 to 60 ms of the run's tail.
TAIL_MODULES = ("numpy.ma", "cleaner.report.html")


def _import_tail_modules() -> None:
    import importlib
    for name in TAIL_MODULES:
        importlib.import_module(name)


def _waiting(running: "deque[tuple[str, list[Chunk], int, int]]", rest: "list[Chunk] | tuple[()]" = ()) -> bool:
    """True when the workers still hold some of the chunks the driver collects next (or there is
    none): ``rest``, the rest of the spool file being written, or else the next spool file's.
    Then the driver has time to fingerprint ahead; with many workers it would fall behind them."""
    upcoming = rest or (running[0][1] if running else ())
    return not upcoming or any(c.future is not None and not c.future.done() for c in upcoming)


def pack_output(plan: "PassSetup", res: dict[str, Any]) -> dict[str, Any]:
    """A final-pass result with its encoded lines as one segment per kind, compressed
    (:func:`pack_lines`): ``res["segments"] = {kind: (lines, packed)}``. Runs where the task ran."""
    from .passes import ENCODED
    if plan.output != ENCODED:
        return res
    by_kind: dict[str, list[bytes]] = {}
    for kind, line in res["items"]:
        by_kind.setdefault(kind, []).append(line)
    fmt = plan.options.output_format
    res["segments"] = {kind: (lines, pack_lines(lines, fmt)) for kind, lines in by_kind.items()}
    res["items"] = []
    return res


def _run(inputs: list[str], options: Options, outdir: str | None, workdir: str,
         emit: Callable[[Document, str], None] | None, t_start: float, exclude: tuple[str, ...] = (),
         on_reject: Callable[[dict[str, Any]], None] | None = None,
         user_steps: tuple[Marker, ...] = ()) -> RunResult:
    from . import passes as cp
    key = local_resume_key(options, inputs, exclude, user_steps)
    fresh = _prepare_workdir(workdir, key)
    notes: list[dict[str, Any]] = []   # warnings about whole input files (a WARC file without documents)
    inline = outdir is None and emit is None
    pool = WorkerPool(options, inline=inline, steps=user_steps)
    try:
        if fresh:   # every record is to be worked: the workers start while the driver lists and reads
            pool.start()
        pages = page_files(inputs, options, exclude)
        spare_core = not _workers_fill_cores(options)
        # With a core to spare the driver reads the inputs and fingerprints ahead for the corpus passes.
        ahead = FingerprintsAhead(options) if spare_core and not inline else None
    except BaseException:
        pool.kill()
        raise
    spools, times, resumed, n_read = _pass1(inputs, options, workdir, exclude,
                                            inline=inline, notes=notes, steps=user_steps,
                                            pages=None if spare_core else pages,
                                            total=len(pages) if pages is not None else None, ahead=ahead,
                                            pool=pool)

    # A corpus step compares documents: on the one record of a one-page run (no report) none can act.
    steps = [] if inline and n_read <= 1 else build_corpus_steps(options, os.path.join(workdir, "corpus"))
    # Corpus passes (workers fingerprint, the driver observes and decides): step k sees steps 0..k-1 applied.
    bases, appliers = cp.corpus_passes(spools, steps, options, workdir, lambda d: _progress(options, d), times, ahead)
    if ahead is not None:
        ahead.forget_prints()   # their memory is free for the final pass, which reads the documents kept

    # Final pass: apply, filter, encode (workers); write in spool order (driver).
    result = RunResult(report={})
    tally = RunTotals()
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

    segments = options.output_format != "parquet"   # JSON Lines are written a spool file's lines of a kind at a time
    held: dict[str, list[bytes]] = {}   # the sink's lines of the spool file being finished, by kind

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
        if writers and segments:
            held.setdefault(kind, []).append(dumps(rec))
        elif writers:
            writers[kind].write(rec)
        elif kind == "clean" and emit is None:
            result.clean_texts.append(text)
        if emit is not None and doc is not None:
            emit(doc, text)

    plan = cp.final_plan(options, workdir, steps, appliers, cp.RECORD if options.output_format == "parquet" else cp.ENCODED,
                         ahead)
    files = [(p, i, bases[i]) for i, p in enumerate(spools)]
    if emit is not None or not writers:
        results: Iterable[dict[str, Any]] = (cp.finish_file(plan, *f, sink=sink) for f in files)
    else:   # encoded and compressed in the workers (here, with one worker): the same segments either way
        results = cp.run_ordered(plan, "finish", files, options.resolved_workers(), then=pack_output)
    bar = _progress(options, "write", total=n_read)  # every record read is written once (rejects too)
    n_docs = 0
    for res in results:
        INTERRUPTS.check()
        for kind, (lines, packed) in res.get("segments", {}).items():
            writers[kind].write_segment(lines, packed)
        for kind, lines in held.items():
            writers[kind].write_segment(lines)
        held.clear()
        for kind, record in res["items"]:   # Parquet: records
            writers[kind].write(record)
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
        "cleaner_version": __version__,
        "inputs": inputs,
        **tally.report_fields(options.max_step_failure_share),
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
        INTERRUPTS.check()
        write_json_atomic(os.path.join(outdir, "report.json"), report)  # last: the mark of a finished run
        shutil.rmtree(workdir, ignore_errors=True)
    return result
