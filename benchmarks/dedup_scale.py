"""Duplicate steps at scale: docs/s, bytes of index per document, peak memory; beside datasketch.

Usage::

    python benchmarks/dedup_scale.py [N] [--engines cleaner,datasketch] [--threshold 0.55] [--workers 1,2]

N synthetic documents (default 100 000; see ``dedup_synth.py``) are spooled as pass 1
would (with the first step's fingerprint) and go through cleaner's corpus passes and
final pass exactly as the local engine runs them (:mod:`cleaner.engines.local.passes`: site
templates, exact duplicates, near duplicates; each step observes the documents with the
earlier steps' decisions applied, then every step is applied and each document finished),
in ``--workers`` processes (1 by default: the CPU time of one process is then the whole
cost; ``--workers 1,2`` also prints the wall-time speed-up of two workers), and, in a
separate process, through datasketch's
``MinHashLSH`` (the same word 5-gram shingles of the same documents, one
``MinHash.update_batch`` per document, ``query`` then ``insert`` in one pass; no
templates, no verification, no clusters). Each engine runs in its own subprocess so that its peak resident memory
(``ru_maxrss``) is its own; the memory of the process before the first document
(interpreter, numpy, vocabulary) is measured and given apart.

Prints docs/s of the duplicate work (CPU time of the process, document generation
excluded: the machine may be shared, and CPU time does not count waiting for it; with
more than one worker it counts the driver only, see ``corpus_passes_driver_cpu_seconds``), index
bytes per document as the steps report them, peak memory, planted versus found
duplicates, and the ratios between the engines measured in this run.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _current_rss_mb() -> float:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return _rss_mb()


def run_cleaner(n: int, threshold: float, workdir: str, workers: int = 1) -> dict:
    workers = int(workers)
    from cleaner.engines.local import passes as cp
    from cleaner.config import Options
    from cleaner.document import Document
    from cleaner.io.writers import dumps
    from cleaner.engines.spool import RecordResult, write_spool
    from cleaner.pipeline import build_corpus_steps
    from dedup_synth import Corpus

    corpus = Corpus(n, seed=0)
    base_mb = _current_rss_mb()
    options = Options(near_dup_jaccard=threshold, progress=False, workers=workers)
    steps = build_corpus_steps(options, os.path.join(workdir, "corpus"))
    gen = work = 0.0
    t_wall = time.perf_counter()

    # Pass 1 as the local engine spools it: each document with the first step's fingerprint.
    spools = []
    for b0 in range(0, n, SPOOL_DOCS):
        lines = []
        for i in range(b0, min(n, b0 + SPOOL_DOCS)):
            t0 = time.process_time()
            s = corpus.doc(i)
            gen += time.process_time() - t0
            t0 = time.process_time()
            d = Document(s.id, s.url, s.text)
            lines.append(dumps(RecordResult(doc=d, fingerprint=steps[0].fingerprint(d)).to_json()))
            work += time.process_time() - t0
        spools.append(os.path.join(workdir, f"pass1-{len(spools):06d}.jsonl.zst"))
        write_spool(spools[-1], lines)
    t_wall_gen = time.perf_counter() - t_wall

    # Corpus passes and the final pass exactly as cleaner.engines.local.run runs them.
    peak_index: dict[str, int] = {}
    rss_after: dict[str, float] = {}
    index_of = {s.name: s.index_bytes for s in steps}
    decide = {s.name: s.decide for s in steps}
    for s in steps:  # record each step's index at its largest and the memory after its decide
        def timed_decide(name=s.name):
            peak_index[name] = index_of[name]()
            decision = decide[name]()
            peak_index[name] = max(peak_index[name], index_of[name]())
            rss_after[name] = round(_current_rss_mb(), 1)
            return decision
        s.decide = timed_decide
    t0, w0 = time.process_time(), time.perf_counter()
    bases, appliers = cp.corpus_passes(spools, steps, options, workdir, lambda d: _NoBar(), {})
    plan = cp.final_plan(options, workdir, steps, appliers, cp.ENCODED)
    files = [(p, i, bases[i]) for i, p in enumerate(spools)]
    dropped = {"exact-duplicate": 0, "near-duplicate": 0}
    for res in cp.run_ordered(plan, "finish", files, workers):
        for reason, c in res["tally"].drop_reasons.items():
            dropped[reason] = dropped.get(reason, 0) + c
    driver_passes = time.process_time() - t0
    work += driver_passes
    wall_passes = time.perf_counter() - w0
    planted = {"exact": int((corpus.kind == 2).sum()), "near": int((corpus.kind == 1).sum())}
    near = next(s for s in steps if s.name == "near-dup")
    return {"engine": "cleaner", "documents": n, "workers": workers, "cpu_seconds": round(work, 2),
            "docs_per_s": round(n / work, 1), "generation_seconds": round(gen, 2),
            "corpus_passes_wall_seconds": round(wall_passes, 1),
            "corpus_passes_driver_cpu_seconds": round(driver_passes, 2), "spool_wall_seconds": round(t_wall_gen, 1),
            "index_bytes_per_doc": {k: round(v / n, 1) for k, v in peak_index.items()},
            "index_bytes_per_doc_all_steps": round(sum(peak_index.values()) / n, 1),
            "near_dup_disk_bytes_per_doc": round(near.disk_bytes() / n, 1),
            "near_dup_decide_peak_bytes_per_doc": near.report()["decide_peak_bytes_per_indexed_document"],
            "bands_rows": [near.bands, near.rows],
            "baseline_rss_mb": round(base_mb, 1), "peak_rss_mb": round(_rss_mb(), 1),
            "rss_after_decide_mb": rss_after, "planted_copies": planted, "dropped": dropped, "templates": steps[0].report()}


#: Documents per spool file (the local engine's default ``spool_batch_records``).
SPOOL_DOCS = 1000


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def run_datasketch(n: int, threshold: float) -> dict:
    from datasketch import MinHash, MinHashLSH

    from cleaner.similarity.minhash import shingles
    from dedup_synth import Corpus

    corpus = Corpus(n, seed=0)
    base_mb = _current_rss_mb()
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    gen = work = 0.0
    found = 0
    for i in range(n):
        t0 = time.process_time()
        s = corpus.doc(i)
        gen += time.process_time() - t0
        t0 = time.process_time()
        sh = shingles(s.text, 5, 5)
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([int(x).to_bytes(8, "little") for x in sh.tolist()])
        found += bool(lsh.query(m))   # single pass: a document with an earlier candidate is a duplicate
        lsh.insert(s.id, m, check_duplication=False)
        work += time.process_time() - t0
    return {"engine": "datasketch MinHashLSH", "documents": n, "cpu_seconds": round(work, 2),
            "docs_per_s": round(n / work, 1), "generation_seconds": round(gen, 2),
            "baseline_rss_mb": round(base_mb, 1), "peak_rss_mb": round(_rss_mb(), 1),
            "documents_with_an_earlier_candidate": found}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="duplicate steps at scale")
    ap.add_argument("n", nargs="?", type=int, default=100_000)
    ap.add_argument("--engines", default="cleaner,datasketch")
    ap.add_argument("--threshold", type=float, default=0.55)
    ap.add_argument("--workers", default="1",
                    help="worker processes of cleaner's corpus passes; a list (1,2) runs cleaner once per "
                         "count and prints the wall-time speed-up of the corpus passes against the first")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        t_wall = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="dedup-scale-") as wd:
            res = run_cleaner(args.n, args.threshold, wd, args.workers) if args.child == "cleaner" else run_datasketch(args.n, args.threshold)
        res["wall_seconds_total"] = round(time.perf_counter() - t_wall, 1)
        print(json.dumps(res))
        return 0
    results = {}
    counts = [int(w) for w in str(args.workers).split(",")]
    for engine in args.engines.split(","):
        for w in counts if engine == "cleaner" else counts[:1]:
            out = subprocess.run([sys.executable, os.path.abspath(__file__), str(args.n), "--child", engine,
                                  "--threshold", str(args.threshold), "--workers", str(w)], capture_output=True, text=True)
            if out.returncode != 0:
                print(out.stderr, file=sys.stderr)
                return out.returncode
            res = json.loads(out.stdout.strip().splitlines()[-1])
            results.setdefault(engine, res)
            if engine == "cleaner":
                results[f"cleaner-{w}"] = res
            print(json.dumps(res))
    if len(counts) > 1 and "cleaner" in results:
        w0 = results[f"cleaner-{counts[0]}"]["corpus_passes_wall_seconds"]
        for w in counts[1:]:
            wk = results[f"cleaner-{w}"]["corpus_passes_wall_seconds"]
            print(f"corpus passes + final pass, wall: {counts[0]} worker(s) {w0:.1f} s, {w} workers {wk:.1f} s: "
                  f"{w0 / max(wk, 1e-9):.2f}x")
    if "cleaner" in results and "datasketch" in results:
        c, d = results["cleaner"], results["datasketch"]
        print(f"speed ratio cleaner/datasketch: {c['docs_per_s'] / d['docs_per_s']:.2f}x "
              f"(cleaner also removes templates and exact duplicates and verifies candidates)")
        cm, dm = c["peak_rss_mb"] - c["baseline_rss_mb"], d["peak_rss_mb"] - d["baseline_rss_mb"]
        print(f"peak memory above baseline: cleaner {cm:.0f} MB, datasketch {dm:.0f} MB "
              f"({dm / max(cm, 1e-9):.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
