"""The local engine: read, extract and mark in a process pool, then corpus passes, then write.

Shape of a run (see ``README.md``)::

    pass 1  (workers)  raw record -> decode -> extract -> markers -> spooled Document
                                                        + fingerprint of the first corpus step
    pass k  (driver)   spooled Document -> earlier corpus steps applied -> fingerprint of step k
    final   (driver)   every corpus step applied -> filters -> apply spans -> clean / dropped / rejects

Pass 1 works in *batches* of ``BATCH_RECORDS`` input records; each finished batch is
written to ``OUTDIR/.work/`` under its final name only when complete, so a run stopped at
any point (``kill -9`` included) and started again with the same command skips finished
batches. Corpus passes and the final write are redone from the spool, which makes the
output depend only on the input and the options, never on the number of workers or on
where a run was interrupted.
"""
from __future__ import annotations

import hashlib
import io
import json
import multiprocessing as mp
import os
import resource
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Callable, Iterable, Iterator

from .config import Options
from .document import Document, Span, apply_spans
from .io.readers import RawRecord, ReadError, iter_records
from .io.writers import ShardedWriter, dumps, write_json_atomic
from .steps import CorpusStep, Marker, StepStats

#: Input records per pass-1 batch: the unit of resuming and of spool files.
BATCH_RECORDS = 2000
#: Format version of the spool; a run never resumes from a spool of another version.
SPOOL_VERSION = 1
WORK_DIR = ".work"


class RecordTimeout(Exception):
    """A record took longer than ``doc_timeout_s``."""


class RunError(Exception):
    """A run that cannot start or finish (bad options, unusable output folder)."""


# --------------------------------------------------------------------------- steps


def build_markers(options: Options) -> list[Marker]:
    """The per-document markers that ``options`` switch on, in the order they run."""
    from .dedup.inpage import InPageDuplicates
    from .rules import ChromeRules
    from .rules.engine import select_rules

    markers: list[Marker] = [ChromeRules(select_rules(options), options.regex_timeout_s)]
    if options.inpage_dedup:
        markers.append(InPageDuplicates.from_options(options))
    return markers


def build_corpus_steps(options: Options, workdir: str | None = None) -> list[CorpusStep]:
    """The corpus steps that ``options`` switch on, in the order they run.

    ``workdir``: where steps keep their disk-backed arrays (a temporary folder when ``None``).
    """
    steps: list[CorpusStep] = []
    if options.templates:
        from .dedup.templates import SiteTemplates
        steps.append(SiteTemplates.from_options(options, workdir))
    if options.exact_dedup:
        from .dedup.exact import ExactDuplicates
        steps.append(ExactDuplicates.from_options(options, workdir))
    if options.near_dedup:
        from .dedup.near import NearDuplicates
        steps.append(NearDuplicates.from_options(options, workdir))
    return steps


# --------------------------------------------------------------------------- per record


@dataclass
class Outcome:
    """What pass 1 makes of one input record: a document (with a fingerprint) or a reject."""

    doc: Document | None = None
    fingerprint: Any = None
    reject: dict[str, Any] | None = None
    seconds: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        if self.reject is not None:
            return {"reject": self.reject}
        fp = self.fingerprint.tolist() if hasattr(self.fingerprint, "tolist") else self.fingerprint
        return {"doc": self.doc.to_json(), "fp": fp, "t": self.seconds}  # type: ignore[union-attr]

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Outcome":
        if "reject" in d:
            return cls(reject=d["reject"])
        return cls(doc=Document.from_json(d["doc"]), fingerprint=d.get("fp"), seconds=d.get("t") or {})


def reject_record(source: str, position: int, error: str, rid: str | None = None) -> dict[str, Any]:
    """The rejects-file record: where the input was, its id when known, and why."""
    return {"source": source, "position": position, "id": rid, "error": error}


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
    of that process only.
    """

    def __init__(self, options: Options):
        self.options = options
        self.markers = build_markers(options)
        steps = build_corpus_steps(options)
        self.first_step = steps[0] if steps else None

    def to_document(self, raw: RawRecord) -> Document:
        """Decode and extract one record; text records skip extraction."""
        meta = dict(raw.extra)
        if raw.html is not None:
            if self.options.extract:
                from .extract import extract
                ex = extract(raw.html, self.options, raw.url, raw.http_charset)
                return Document(raw.id, raw.url, ex.text, ex.title, meta)
            from .extract import html_to_text
            text, title = html_to_text(raw.html, raw.http_charset)
            return Document(raw.id, raw.url, text, title, meta)
        return Document(raw.id, raw.url, raw.text or "", None, meta)

    def __call__(self, raw: RawRecord | ReadError) -> Outcome:
        if isinstance(raw, ReadError):
            return Outcome(reject=reject_record(raw.source, raw.position, raw.error, raw.id))
        times: dict[str, float] = {}
        try:
            with _Alarm(self.options.doc_timeout_s):
                t0 = time.perf_counter()
                doc = self.to_document(raw)
                times["extract"] = time.perf_counter() - t0
                for m in self.markers:
                    t0 = time.perf_counter()
                    m(doc)
                    times[m.name] = times.get(m.name, 0.0) + time.perf_counter() - t0
                fp = None
                if self.first_step is not None and doc.dropped is None:
                    t0 = time.perf_counter()
                    fp = self.first_step.fingerprint(doc)
                    times[self.first_step.name] = time.perf_counter() - t0
        except RecordTimeout:
            return Outcome(reject=reject_record(raw.source, raw.position,
                                                f"took longer than doc_timeout_s={self.options.doc_timeout_s}", raw.id))
        except TimeoutError as e:
            return Outcome(reject=reject_record(raw.source, raw.position,
                                                f"a rule's regular expression timed out ({e}); check --extra-rules", raw.id))
        except RecursionError:
            return Outcome(reject=reject_record(raw.source, raw.position, "document nested too deeply to parse", raw.id))
        except MemoryError:
            return Outcome(reject=reject_record(raw.source, raw.position, "out of memory on this record", raw.id))
        except Exception as e:  # noqa: BLE001 - one broken record must not stop the batch
            return Outcome(reject=reject_record(raw.source, raw.position, f"{type(e).__name__}: {e}", raw.id))
        return Outcome(doc=doc, fingerprint=fp, seconds=times)


_PROCESSOR: DocumentProcessor | None = None  # one per worker process, set by the pool initializer


def _init_worker(options: Options) -> None:
    global _PROCESSOR
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the driver handles Ctrl-C
    _PROCESSOR = DocumentProcessor(options)


def _work(raw: RawRecord | ReadError) -> Outcome:
    assert _PROCESSOR is not None
    return _PROCESSOR(raw)


# --------------------------------------------------------------------------- spool


def _open_spool_write(path: str):
    import zstandard
    return zstandard.ZstdCompressor(level=1).stream_writer(open(path, "wb"), closefd=True)


def _read_spool(path: str) -> Iterator[Outcome]:
    import zstandard
    with open(path, "rb") as raw:
        with io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(raw), encoding="utf-8") as fh:
            for line in fh:
                yield Outcome.from_json(json.loads(line))


def options_fingerprint(options: Options, inputs: list[str]) -> str:
    """A hash of what decides pass-1 output: inputs and the options that change documents."""
    skip = {"workers", "progress", "fail_on_reject", "batch_size"}
    data = {k: v for k, v in options.to_dict().items() if k not in skip}
    data["inputs"] = [os.path.abspath(p) for p in inputs]
    data["spool_version"] = SPOOL_VERSION
    from . import __version__
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


def _progress(options: Options, desc: str, total: int | None = None, unit: str = "doc"):
    from tqdm import tqdm
    return tqdm(total=total, desc=desc, unit=unit, disable=not options.progress, file=sys.stderr,
                dynamic_ncols=True, leave=False)


def run(inputs: list[str], options: Options, outdir: str | None,
        emit: Callable[[Document, str], None] | None = None) -> RunResult:
    """Clean a corpus.

    ``inputs``: files or folders (see :mod:`cleaner.io.readers`). ``outdir``: where shards,
    ``report.json`` and ``report.html`` go; ``None`` keeps nothing on disk and returns the
    clean texts in :attr:`RunResult.clean_texts` (the one-page command-line mode).
    ``emit``, when given, is called with each clean document and its clean text.

    Raises :class:`RunError` when the output folder cannot be used, and
    :class:`cleaner.io.readers.InputError` for a missing or unknown input path.
    """
    from .io.readers import list_inputs
    list_inputs(inputs)  # fail fast on a missing path, before any work
    t_start = time.perf_counter()
    tmp_root = None
    if outdir is None:
        tmp_root = tempfile.mkdtemp(prefix="cleaner-")
        workdir = tmp_root
    else:
        os.makedirs(outdir, exist_ok=True)
        workdir = os.path.join(outdir, WORK_DIR)
    try:
        return _run(inputs, options, outdir, workdir, emit, t_start)
    finally:
        if tmp_root:
            shutil.rmtree(tmp_root, ignore_errors=True)


def _prepare_workdir(workdir: str, key: str) -> None:
    state_path = os.path.join(workdir, "state.json")
    if os.path.exists(state_path):
        try:
            with open(state_path, encoding="utf-8") as fh:
                state = json.load(fh)
        except (OSError, ValueError):
            state = {}
        if state.get("key") != key:
            shutil.rmtree(workdir)  # another input or configuration: start over
    os.makedirs(workdir, exist_ok=True)
    if not os.path.exists(state_path):
        write_json_atomic(state_path, {"key": key})


def _pass1(inputs: list[str], options: Options, workdir: str) -> tuple[list[str], dict[str, float], int]:
    """Run pass 1 batch by batch; returns the spool files in order, time by step, batches resumed."""
    workers = options.resolved_workers()
    times: dict[str, float] = {}
    spools: list[str] = []
    resumed = 0
    records = iter_records(inputs, options)
    pool = None
    local: DocumentProcessor | None = None
    bar = _progress(options, "extract+mark", unit="rec")
    try:
        for b, batch in enumerate(_batches(records, BATCH_RECORDS)):
            path = os.path.join(workdir, f"pass1-{b:06d}.jsonl.zst")
            spools.append(path)
            if os.path.exists(path):
                resumed += 1
                bar.update(len(batch))
                continue
            if workers > 1 and len(batch) > 1 and pool is None:
                ctx = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
                pool = ctx.Pool(workers, initializer=_init_worker, initargs=(options,), maxtasksperchild=2000)
            if pool is not None:
                results: Iterable[Outcome] = pool.imap(_work, batch, chunksize=max(1, min(options.batch_size, len(batch) // (workers * 4) or 1)))
            else:
                local = local or DocumentProcessor(options)
                results = map(local, batch)
            tmp = path + ".tmp"
            with _open_spool_write(tmp) as out:
                for o in results:
                    out.write(dumps(o.to_json()))
                    for k, v in o.seconds.items():
                        times[k] = times.get(k, 0.0) + v
                    bar.update(1)
            os.replace(tmp, path)
    finally:
        bar.close()
        if pool is not None:
            pool.terminate()
    return spools, times, resumed


def _iter_docs(spools: list[str]) -> Iterator[Outcome]:
    for p in spools:
        yield from _read_spool(p)


def _run(inputs: list[str], options: Options, outdir: str | None, workdir: str,
         emit: Callable[[Document, str], None] | None, t_start: float) -> RunResult:
    key = options_fingerprint(options, inputs)
    _prepare_workdir(workdir, key)
    spools, times, resumed = _pass1(inputs, options, workdir)

    steps = build_corpus_steps(options, os.path.join(workdir, "corpus"))
    n_docs = 0
    # Corpus passes: step k sees documents with steps 0..k-1 applied.
    for k, step in enumerate(steps):
        bar = _progress(options, f"corpus: {step.name}")
        index = 0
        for o in _iter_docs(spools):
            if o.doc is None:
                continue
            doc = o.doc
            for prev in steps[:k]:
                prev.apply(index, doc)
            if doc.dropped is None:
                fp = o.fingerprint if k == 0 else step.timed(step.fingerprint, doc)
                step.timed(step.observe, index, doc.id, fp)
            index += 1
            bar.update(1)
        n_docs = index
        bar.close()
        step.timed(step.decide)
        times[step.name] = times.get(step.name, 0.0) + step.stats.seconds
        step.stats.seconds = 0.0

    # Final pass: apply, filter, write.
    result = RunResult(report={})
    counts = {"in": 0, "clean": 0, "dropped": 0, "rejected": 0}
    drop_reasons: dict[str, int] = {}
    chars_by_rule: dict[str, int] = {}
    chars_in = chars_out = 0
    writers: dict[str, ShardedWriter] = {}
    if outdir is not None:
        for name in os.listdir(outdir):
            if name.split("-")[0] in ("clean", "dropped", "rejects") and os.path.isfile(os.path.join(outdir, name)):
                os.remove(os.path.join(outdir, name))
        shard_bytes = int(options.shard_size_mb * (1 << 20))
        writers = {"clean": ShardedWriter(outdir, "clean", options.output_format, shard_bytes),
                   "dropped": ShardedWriter(outdir, "dropped", options.output_format, shard_bytes),
                   "rejects": ShardedWriter(outdir, "rejects", options.output_format, shard_bytes)}
    bar = _progress(options, "write")
    index = 0
    samples: list[dict[str, Any]] = []
    for o in _iter_docs(spools):
        counts["in"] += 1
        if o.reject is not None:
            counts["rejected"] += 1
            if writers:
                writers["rejects"].write(o.reject)
            else:
                print(f"cleaner: rejected {o.reject['source']}"
                      f"{'' if o.reject['position'] in (0, -1) else ':' + str(o.reject['position'])}: {o.reject['error']}",
                      file=sys.stderr)
            continue
        doc = o.doc
        assert doc is not None
        for step in steps:
            step.apply(index, doc)
        index += 1
        text = apply_spans(doc.text, doc.removed)
        if doc.dropped is None and len(text.strip()) < options.min_doc_chars:
            doc.dropped = "no main content" if not doc.text.strip() else "empty after cleaning"
        chars_in += len(doc.text)
        _count_rules(doc, chars_by_rule)
        if doc.dropped is not None:
            counts["dropped"] += 1
            drop_reasons[doc.dropped] = drop_reasons.get(doc.dropped, 0) + 1
            if writers:
                writers["dropped"].write({"id": doc.id, "url": doc.url, "reason": doc.dropped, **doc.drop_detail})
        else:
            counts["clean"] += 1
            chars_out += len(text)
            rec = {"id": doc.id, "url": doc.url, "title": doc.title, "text": text, **doc.metadata}
            if writers:
                writers["clean"].write(rec)
            else:
                result.clean_texts.append(text)
            if emit is not None:
                emit(doc, text)
        if len(samples) < SAMPLE_DOCS and doc.removed and doc.dropped is None:
            samples.append(doc.to_json())
        bar.update(1)
    bar.close()
    for w in writers.values():
        w.close()

    elapsed = time.perf_counter() - t_start
    report = {
        "cleaner_version": _version(),
        "inputs": inputs,
        "documents": counts,
        "dropped_by_reason": dict(sorted(drop_reasons.items())),
        "characters": {"in": chars_in, "out": chars_out, "removed_by_rule": dict(sorted(chars_by_rule.items()))},
        "seconds_by_step": {k: round(v, 3) for k, v in sorted(times.items())},
        "corpus_steps": {s.name: {**s.stats.to_dict(), **s.report(),
                                  "index_bytes": s.index_bytes(),
                                  "index_bytes_per_document": round(s.index_bytes() / max(1, n_docs), 1)}
                         for s in steps},
        "run": {"seconds": round(elapsed, 3), "documents_per_second": round(counts["in"] / elapsed, 2) if elapsed else None,
                "workers": options.resolved_workers(), "batches_resumed": resumed,
                "peak_memory_mb": round(_peak_rss_mb(), 1)},
        "options": options.to_dict(),
        "outputs": {k: [os.path.basename(p) for p in w.paths] for k, w in writers.items()},
    }
    result.report = report
    if outdir is not None:
        write_json_atomic(os.path.join(outdir, "report.json"), report)
        try:
            from .report.html import write_report_html
            write_report_html(os.path.join(outdir, "report.html"), report, samples)
        except ImportError:
            pass
        shutil.rmtree(workdir, ignore_errors=True)
    return result


#: Documents kept for the side-by-side sample of ``report.html``.
SAMPLE_DOCS = 12


def _count_rules(doc: Document, acc: dict[str, int]) -> None:
    """Add each rule's removed characters; a character cut by two rules counts for the first."""
    from .document import merge_ranges
    done: list[tuple[int, int]] = []
    for s in sorted(doc.removed, key=lambda s: (s.start, -s.end, s.rule)):
        overlap = merge_ranges([(max(a, s.start), min(b, s.end)) for a, b in done if a < s.end and b > s.start])
        n = (s.end - s.start) - sum(b - a for a, b in overlap)
        if n > 0:
            acc[s.rule] = acc.get(s.rule, 0) + n
        done = merge_ranges(done + [(s.start, s.end)])


def _peak_rss_mb() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    c = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return max(r, c)


def _version() -> str:
    from . import __version__
    return __version__
