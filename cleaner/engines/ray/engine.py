"""The Ray engine: the local engine's pipeline as Ray Data stages over input shards.

Shape of a run (one input file = one shard; every arrow is a Ray Data stage)::

    shards ─map─> pass 1: read, decode, extract, mark     (DocumentProcessor, as locally)
                  spool OUTDIR/.work/pass1-NNNNNN.jsonl.zst per shard
    for each corpus step k (site templates, exact, near duplicates):
    shards ─map─> spool with steps < k applied -> fingerprint rows of step k
           ─shuffle─> by host key | by text key | by (LSH band, band key)
           ─> decisions on the driver (template keys; drops: union-find over verified pairs)
    shards ─map─> spool, every step applied, RunTotals.finish -> clean-S-N / dropped-S-N / rejects-S-N
    driver: report.json (and report.html) from the shards' totals

The per-document work is the local engine's (:class:`~cleaner.engines.local.run.DocumentProcessor`,
the steps' ``fingerprint`` and ``apply``, :class:`~cleaner.engines.local.run.RunTotals`); the
decisions are the steps' own (:mod:`cleaner.corpus`'s decision functions and objects),
built from shuffles in :mod:`.corpus`, :mod:`.templates`, :mod:`.exact`, :mod:`.near` and
:mod:`.paragraphs`. So the same input and options give the same clean documents and drop
reasons as ``--engine local``; output files are per input shard
(``clean-SSSSS-NNNNN.jsonl.gz``) instead of one numbered sequence.

Paths go through :mod:`pyarrow.fs` (:mod:`.storage`): inputs and OUTDIR may be
``s3://...``. On a cluster of several machines OUTDIR must be reachable from every node
(object store or shared file system): the spool and the output shards are written by the
workers. Pass 1 resumes per shard: a rerun of the same command skips shards whose spool
is complete; corpus stages and the final write are redone.
"""
from __future__ import annotations

import json
import logging
import os
import sys
import tempfile
import time
from typing import Any, Iterable

from ...config import Options
from ...corpus.drops import DropDecision, settle_decisions
from ...steps import Marker
from ...errors import RunError
from ...pipeline import build_corpus_steps
from ...version import __version__
from ..local.procs import _peak_rss_mb
from ..result import RunResult
from ..resume import RUN_ONLY_OPTIONS, resume_key
from . import storage
from .corpus import split_drops
from .stages import stages_for
from .shards import iter_steps_applied, run_pass1, write_shard
from .storage import InputShard, list_input_shards

WORK_DIR = ".work"
STATE_FILE = "state.json"
#: Output name prefixes, as the local engine's.
OUTPUT_PREFIXES = ("clean-", "dropped-", "rejects-", ".clean-", ".dropped-", ".rejects-")  # and unfinished ones


def import_ray():
    """The ``ray`` module with Ray Data, or an error that says how to install it."""
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError as e:
        raise RunError(f"--engine ray needs Ray Data ({e}); install it with: pip install 'cleaner[ray]'") from None
    return ray


def run_ray(inputs: list[str], options: Options, outdir: str, steps: Iterable[Marker] = ()) -> RunResult:
    """Clean a corpus on Ray: see the module docstring.

    ``steps``: a user's own markers, run in pass 1 after the built-in ones; they travel to
    the Ray workers by (cloud)pickle, their classes by value unless defined in ``cleaner``.

    Joins the cluster at ``options.ray_address`` when set; else uses the Ray already
    initialised in this process, or starts a local one with ``options.workers`` CPUs (and
    stops it at the end). Raises :class:`cleaner.io.readers.InputError` for a missing
    input, :class:`~cleaner.engines.local.run.RunError` when Ray is missing or unreachable.
    """
    t_start = time.perf_counter()
    ray = import_ray()
    if any(_same_folder(p, outdir) for p in inputs):
        raise RunError(f"the output folder {outdir!r} is an input folder; choose another folder with -o "
                       "(a folder inside the input folder is fine: it is not read)")
    shards = list_input_shards(inputs, exclude=(outdir,))
    steps = tuple(steps)
    _ship_steps_by_value(ray, steps)
    started = _connect(ray, options)
    try:
        return _run(ray, shards, inputs, options, outdir, t_start, steps)
    except ray.exceptions.RayError as e:
        raise RunError(f"a Ray task failed: {e}; the workers' logs are under /tmp/ray/session_latest/logs "
                       "on each node, and the same command resumes from the finished input shards") from None
    finally:
        if started:
            ray.shutdown()


def _ship_steps_by_value(ray, steps: tuple[Marker, ...]) -> None:
    """Let cloudpickle carry the user steps' own modules by value (a test file or a script
    that Ray workers, on any node, could not import), or raise :class:`RunError` naming the step."""
    import sys
    for step in steps:
        mod = type(step).__module__
        if mod != "__main__" and mod.split(".")[0] != "cleaner" and mod in sys.modules:
            ray.cloudpickle.register_pickle_by_value(sys.modules[mod])
        try:
            ray.cloudpickle.dumps(step)
        except Exception as e:  # noqa: BLE001 - any pickling failure: say which step
            raise RunError(f"the step {step.name!r} cannot be sent to Ray workers ({type(e).__name__}: {e}); "
                           "keep on it only what pickles (compile patterns in mark(), or hold them as strings)") from None


def _same_folder(a: str, b: str) -> bool:
    if storage.is_uri(a) or storage.is_uri(b):
        return a.rstrip("/") == b.rstrip("/")
    return os.path.isdir(a) and os.path.realpath(a) == os.path.realpath(b)


def _connect(ray, options: Options) -> bool:
    """Join or start Ray; True when this call started it.

    ``options.ray_address``, else the ``RAY_ADDRESS`` environment variable, names a cluster
    to join; without either, a new local Ray with ``options.workers`` CPUs is started
    (never a stray one left running on this machine).
    """
    if ray.is_initialized():
        return False
    kw: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
    address = options.ray_address or os.environ.get("RAY_ADDRESS", "")
    try:
        if address:
            # This process's cleaner code goes with the job, so workers run the same version
            # (the nodes need cleaner's dependencies: pip install 'cleaner[ray]').
            package = os.path.dirname(os.path.abspath(sys.modules[__name__.split(".")[0]].__file__))   # cleaner/
            ray.init(address=address, runtime_env={"py_modules": [package]},
                     **kw)
        else:
            ray.init(address="local", num_cpus=options.resolved_workers(), **kw)
    except (ConnectionError, RuntimeError, ValueError) as e:
        raise RunError(f"cannot join the Ray cluster at {address or '(local)'}: {e}; "
                       "check --ray-address (ray://HOST:10001 or HOST:6379) and that the cluster is up") from None
    return True


def _configure(ray, options: Options) -> int:
    """Ray Data settings for a run; returns the shuffle partition count (cluster CPUs)."""
    from ray.data.context import ShuffleStrategy
    ctx = ray.data.DataContext.get_current()
    hash_shuffle = getattr(ShuffleStrategy, "SHUFFLE_V2", ShuffleStrategy.HASH_SHUFFLE)  # the newest Ray has
    ctx.shuffle_strategy = {"sort": ShuffleStrategy.SORT_SHUFFLE_PULL_BASED, "hash": hash_shuffle}[options.ray_shuffle]
    ctx.enable_progress_bars = options.progress
    ctx.verbose_stats_logs = False
    logging.getLogger("ray.data").setLevel(logging.WARNING)
    return max(1, int(ray.cluster_resources().get("CPU", 1)))


#: Options that do not change the spool: a run with other values resumes it.
RUN_ONLY = RUN_ONLY_OPTIONS + ("engine", "ray_address", "ray_shuffle", "spool_batch_records")


def run_key(options: Options, shards: list[InputShard], steps: Iterable[Marker] = ()) -> str:
    """:func:`cleaner.engines.resume.resume_key` of a Ray run: the input shards as listed
    (path, root, size, modification time); the Ray-only options change nothing."""
    return resume_key(options, [[s.path, s.root, s.size, s.mtime_ns] for s in shards], steps, RUN_ONLY)


def _prepare_workdir(workdir: str, key: str) -> None:
    """Keep a previous run's spool only when it came from the same inputs and options."""
    state = storage.join(workdir, STATE_FILE)
    if storage.exists(state):
        with storage.open_read(state) as fh:
            try:
                same = json.loads(fh.read().decode("utf-8")).get("key") == key
            except ValueError:
                same = False
        if not same:
            storage.delete_dir(workdir)
    storage.make_dirs(workdir)
    if not storage.exists(state):
        with storage.open_write(state) as out:
            out.write(json.dumps({"key": key, "engine": "ray"}).encode("utf-8"))


class _Shipped:
    """A step's decision in the object store: one object for all shards, or a drop decision's part per shard."""

    def __init__(self, ray, decision: Any):
        if isinstance(decision, DropDecision):
            self.refs = {s: ray.put(d) for s, d in split_drops(decision).items()}
            self.empty: Any = DropDecision()
            self.one = None
        else:
            self.refs, self.empty, self.one = {}, None, ray.put(decision)

    def get(self, shard: int) -> Any:
        import ray
        if self.one is not None:
            return ray.get(self.one)
        ref = self.refs.get(shard)
        return self.empty if ref is None else ray.get(ref)


class _ShardTask:
    """Base of the map functions over shard items: loads the earlier steps for a shard."""

    def __init__(self, options: Options, workdir: str, stages: list, shipped: list[_Shipped]):
        self.options, self.workdir, self.stages, self.shipped = options, workdir, stages, shipped

    def loaded_steps(self, shard: int) -> list:
        return [st.load(sh.get(shard)) for st, sh in zip(self.stages, self.shipped)]

    @staticmethod
    def shards(batch) -> list[InputShard]:
        return [InputShard(r["index"], r["path"], r["root"]) for r in batch.to_pylist()]


class _Pass1(_ShardTask):
    steps: tuple[Marker, ...] = ()   # a user's markers (set by _run)

    def __call__(self, batch):
        import pyarrow as pa
        out = [json.dumps(run_pass1(s, self.options, self.workdir, self.steps)) for s in self.shards(batch)]
        return pa.table({"summary": out})


class _Fingerprints(_ShardTask):
    def __init__(self, options, workdir, stages, shipped, stage):
        super().__init__(options, workdir, stages, shipped)
        self.stage = stage

    def __call__(self, batch):
        import pyarrow as pa
        tables = []
        for s in self.shards(batch):
            step = self.stage.make_step()
            docs = ((o, out.doc) for o, out in iter_steps_applied(self.workdir, s.index, self.loaded_steps(s.index))
                    if out.doc is not None and out.doc.dropped is None)
            tables.append(self.stage.rows(step, docs))
        return pa.concat_tables(tables) if tables else self.stage.schema.empty_table()


class _Write(_ShardTask):
    def __init__(self, options, workdir, stages, shipped, outdir):
        super().__init__(options, workdir, stages, shipped)
        self.outdir = outdir

    def __call__(self, batch):
        import pyarrow as pa
        out = [json.dumps(write_shard(s.index, self.workdir, self.outdir, self.loaded_steps(s.index), self.options))
               for s in self.shards(batch)]
        return pa.table({"summary": out})


#: Ray tasks per CPU in a map stage over shards: a task takes several shards when there are
#: more, so that thousands of small files do not cost thousands of tasks and blocks.
TASKS_PER_CPU = 4


def _over_shards(ray, shards: list[InputShard], fn, cpus: int):
    """A map stage calling ``fn`` on each shard (one at a time), about ``TASKS_PER_CPU`` tasks per CPU."""
    items = [{"index": s.index, "path": s.path, "root": s.root} for s in shards]
    ds = ray.data.from_items(items, override_num_blocks=max(1, min(len(items), TASKS_PER_CPU * cpus)))
    return ds.map_batches(fn, batch_size=1, batch_format="pyarrow")


def _summaries(ds) -> list[dict[str, Any]]:
    rows = [json.loads(r["summary"]) for r in ds.take_all()]
    return sorted(rows, key=lambda r: r["shard"])


def _run(ray, shards: list[InputShard], inputs: list[str], options: Options, outdir: str, t_start: float,
         user_steps: tuple[Marker, ...] = ()) -> RunResult:
    partitions = _configure(ray, options)
    workdir = storage.join(outdir, WORK_DIR)
    storage.make_dirs(outdir)
    _prepare_workdir(workdir, run_key(options, shards, user_steps))

    times: dict[str, float] = {}
    pass1 = _Pass1(options, workdir, [], [])
    pass1.steps = user_steps
    p1 = _summaries(_over_shards(ray, shards, pass1, partitions))
    for r in p1:
        for k, v in r["seconds"].items():
            times[k] = times.get(k, 0.0) + v

    stages = stages_for(options, build_corpus_steps(options))
    shipped: list[_Shipped] = []
    decisions: list[Any] = []
    reports: dict[str, dict[str, Any]] = {}
    for k, stage in enumerate(stages):
        t0 = time.perf_counter()
        fps = _over_shards(ray, shards, _Fingerprints(options, workdir, stages[:k], shipped[:k], stage), partitions).materialize()
        decision = stage.decide(fps, partitions)
        decisions.append(decision)
        shipped.append(_Shipped(ray, decision))
        times[stage.name] = time.perf_counter() - t0
        reports[stage.name] = stage.report(decision)
        del fps

    for k, (decision, settled) in enumerate(zip(decisions, settle_decisions(decisions))):
        if settled is not decision:  # a decision that depends on what later steps drop
            shipped[k] = _Shipped(ray, settled)

    # report.json is written last: while it is missing, the shards are not a finished run.
    for name in storage.list_files(outdir):
        if name.startswith(OUTPUT_PREFIXES) or name in ("report.json", "report.html"):
            storage.delete(storage.join(outdir, name))
    t0 = time.perf_counter()
    written = _summaries(_over_shards(ray, shards, _Write(options, workdir, stages, shipped, outdir), partitions))
    if options.output_format == "parquet" and not storage.is_uri(outdir):
        _unify_parquet(outdir, written)   # each task wrote its own shards: one schema for all of a kind
    times["write"] = time.perf_counter() - t0

    report, samples = _report(inputs, options, p1, written, stages, reports, times, partitions, t_start)
    if user_steps:
        report["user_steps"] = [m.name for m in user_steps]   # their seconds: seconds_by_step
    _write_report(outdir, report, samples)
    storage.delete_dir(workdir)
    return RunResult(report=report)


def _unify_parquet(outdir: str, written: list[dict[str, Any]]) -> None:
    """Give the Parquet shards of each kind, written by many tasks, one schema (:func:`cleaner.io.writers_parquet.unify_shards`)."""
    from ...io.writers_parquet import unify_shards
    kinds = {k for w in written for k in w["outputs"]}
    for kind in sorted(kinds):
        paths = [os.path.join(outdir, n) for w in written for n in w["outputs"].get(kind, [])]
        if len(paths) > 1:
            unify_shards(paths)


def _report(inputs, options, p1, written, stages, reports, times, partitions, t_start):
    """``report.json``'s content (the local engine's fields) and the samples for ``report.html``, from the shards' totals."""
    from ..totals import RunTotals
    tally = RunTotals()
    outputs: dict[str, list[str]] = {"clean": [], "dropped": [], "rejects": []}
    step_stats: dict[str, dict[str, float]] = {}
    for w in written:  # in shard order: examples and samples are the first ones in input order
        tally.merge(RunTotals.from_json(w["tally"]))
        for k, names in w["outputs"].items():
            outputs[k].extend(names)
        for name, st in w["step_stats"].items():
            acc = step_stats.setdefault(name, {})
            for k, v in st.items():
                acc[k] = acc.get(k, 0) + v
    tally.check(sum(r["records"] for r in p1), "the work folder OUTDIR/.work")
    elapsed = time.perf_counter() - t_start
    counts = tally.counts
    n_docs = counts["in"] - counts["rejected"]
    corpus = {}
    for st in stages:
        r = reports[st.name]
        s = step_stats.get(st.name, {})
        corpus[st.name] = {"documents": r.get("documents", 0), "spans": int(s.get("spans", 0)),
                           "dropped": int(s.get("dropped", 0)), "seconds": round(times.get(st.name, 0.0), 3),
                           **{k: v for k, v in r.items() if k not in ("documents", "driver_bytes")},
                           "index_bytes": r.get("driver_bytes", 0),
                           "index_bytes_per_document": round(r.get("driver_bytes", 0) / max(1, n_docs), 1)}
    report = {
        "cleaner_version": __version__,
        "inputs": inputs,
        **tally.report_fields(options.max_step_failure_share),
        "seconds_by_step": {k: round(v, 3) for k, v in sorted(times.items())},
        "corpus_steps": corpus,
        "run": {"engine": "ray", "seconds": round(elapsed, 3),
                "documents_per_second": round(counts["in"] / elapsed, 2) if elapsed else None,
                "workers": partitions, "shards": len(written),
                "shards_resumed": sum(1 for r in p1 if r["resumed"]),
                "driver_peak_memory_mb": round(_peak_rss_mb(), 1)},
        "options": options.to_dict(),
        "outputs": outputs,
    }
    return report, tally.samples


def _write_report(outdir: str, report: dict[str, Any], samples: list[dict[str, Any]]) -> None:
    """``report.html``, then ``report.json`` (its presence marks a finished run), into OUTDIR."""
    from ...io.writers import write_json_atomic
    from ...report.html import write_report_html
    with tempfile.TemporaryDirectory(prefix="cleaner-report-") as tmp:
        write_report_html(os.path.join(tmp, "report.html"), report, samples)
        write_json_atomic(os.path.join(tmp, "report.json"), report)
        for n in ("report.html", "report.json"):
            storage.upload(os.path.join(tmp, n), storage.join(outdir, n))
