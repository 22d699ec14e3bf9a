"""Duplicate steps at scale: docs/s, bytes of index per document, peak memory; beside datasketch.

Usage::

    python benchmarks/dedup_scale.py [N] [--engines cleaner,datasketch] [--threshold 0.55]

N synthetic documents (default 100 000; see ``dedup_synth.py``) go, streamed, through
cleaner's corpus steps exactly as the local engine runs them (site templates, exact
duplicates, near duplicates: each step observes the documents with the earlier steps
applied, then every step is applied), and, in a separate process, through datasketch's
``MinHashLSH`` (the same word 5-gram shingles of the same documents, one
``MinHash.update_batch`` per document, ``query`` then ``insert`` in one pass; no
templates, no verification, no clusters). Each engine runs in its own subprocess so that its peak resident memory
(``ru_maxrss``) is its own; the memory of the process before the first document
(interpreter, numpy, vocabulary) is measured and given apart.

Prints docs/s of the duplicate work (document generation excluded), index bytes per
document as the steps report them, peak memory, planted versus found duplicates, and
the ratios between the engines measured in this run.
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


def run_cleaner(n: int, threshold: float, workdir: str) -> dict:
    from cleaner.config import Options
    from cleaner.document import Document
    from cleaner.pipeline import build_corpus_steps
    from dedup_synth import Corpus

    corpus = Corpus(n, seed=0)
    base_mb = _current_rss_mb()
    steps = build_corpus_steps(Options(near_dup_jaccard=threshold, progress=False), workdir)
    gen = work = 0.0
    peak_index = {}
    rss_after = {}

    def docs():
        nonlocal gen
        for i in range(n):
            t0 = time.perf_counter()
            s = corpus.doc(i)
            d = Document(s.id, s.url, s.text)
            gen += time.perf_counter() - t0
            yield i, d

    for k, step in enumerate(steps):
        for i, d in docs():
            t0 = time.perf_counter()
            for prev in steps[:k]:
                prev.apply(i, d)
            if d.dropped is None:
                step.observe(i, d.id, step.fingerprint(d))
            work += time.perf_counter() - t0
        t0 = time.perf_counter()
        peak_index[step.name] = step.index_bytes()
        step.decide()
        work += time.perf_counter() - t0
        peak_index[step.name] = max(peak_index[step.name], step.index_bytes())
        rss_after[step.name] = round(_current_rss_mb(), 1)
    dropped = {"exact-duplicate": 0, "near-duplicate": 0}
    for i, d in docs():
        t0 = time.perf_counter()
        for step in steps:
            step.apply(i, d)
        work += time.perf_counter() - t0
        if d.dropped:
            dropped[d.dropped] += 1
    planted = {"exact": int((corpus.kind == 2).sum()), "near": int((corpus.kind == 1).sum())}
    near = next(s for s in steps if s.name == "near-dup")
    return {"engine": "cleaner", "documents": n, "seconds": round(work, 2), "docs_per_s": round(n / work, 1),
            "generation_seconds": round(gen, 2),
            "index_bytes_per_doc": {k: round(v / n, 1) for k, v in peak_index.items()},
            "near_dup_disk_bytes_per_doc": round(near.disk_bytes() / n, 1),
            "bands_rows": [near.bands, near.rows],
            "baseline_rss_mb": round(base_mb, 1), "peak_rss_mb": round(_rss_mb(), 1),
            "rss_after_decide_mb": rss_after, "planted_copies": planted, "dropped": dropped, "templates": steps[0].report()}


def run_datasketch(n: int, threshold: float) -> dict:
    from datasketch import MinHash, MinHashLSH

    from cleaner.dedup.minhash import shingles
    from dedup_synth import Corpus

    corpus = Corpus(n, seed=0)
    base_mb = _current_rss_mb()
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    gen = work = 0.0
    found = 0
    for i in range(n):
        t0 = time.perf_counter()
        s = corpus.doc(i)
        gen += time.perf_counter() - t0
        t0 = time.perf_counter()
        sh = shingles(s.text, 5, 5)
        m = MinHash(num_perm=128, seed=1)
        m.update_batch([int(x).to_bytes(8, "little") for x in sh.tolist()])
        found += bool(lsh.query(m))   # single pass: a document with an earlier candidate is a duplicate
        lsh.insert(s.id, m, check_duplication=False)
        work += time.perf_counter() - t0
    return {"engine": "datasketch MinHashLSH", "documents": n, "seconds": round(work, 2),
            "docs_per_s": round(n / work, 1), "generation_seconds": round(gen, 2),
            "baseline_rss_mb": round(base_mb, 1), "peak_rss_mb": round(_rss_mb(), 1),
            "documents_with_an_earlier_candidate": found}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="duplicate steps at scale")
    ap.add_argument("n", nargs="?", type=int, default=100_000)
    ap.add_argument("--engines", default="cleaner,datasketch")
    ap.add_argument("--threshold", type=float, default=0.55)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        with tempfile.TemporaryDirectory(prefix="dedup-scale-") as wd:
            res = run_cleaner(args.n, args.threshold, wd) if args.child == "cleaner" else run_datasketch(args.n, args.threshold)
        print(json.dumps(res))
        return 0
    results = {}
    for engine in args.engines.split(","):
        out = subprocess.run([sys.executable, os.path.abspath(__file__), str(args.n), "--child", engine,
                              "--threshold", str(args.threshold)], capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr, file=sys.stderr)
            return out.returncode
        results[engine] = json.loads(out.stdout.strip().splitlines()[-1])
        print(json.dumps(results[engine]))
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
