"""The Ray engine against the local engine on one machine, same corpus, same options.

Usage:
    python benchmarks/ray_vs_local.py [INPUT ...] [--shards K] [--docs N] [--cpus C]

INPUT: files or folders (e.g. ../shared/eval/scrapinghub/html, or
../shared/eval/neardup-scrapinghub/input.jsonl); a JSONL file is split into ``--shards``
files, because the Ray engine's unit of parallel work is one input file. Without INPUT,
an invented corpus of ``--docs`` text records (a template host, near and exact
duplicates) in ``--shards`` files is used.

Printed, all measured in this one run:

- local engine, ``--workers C``;
- Ray start-up (``ray.init`` with C CPUs, this process), then the Ray engine twice: the
  first run pays for starting worker processes and importing cleaner in them, the second
  runs on warm workers;
- the ratios Ray / local, and whether both engines gave the same clean set and drop reasons.

On one machine Ray is expected to be slower: the same work plus task scheduling, the
object store, shuffles and a second read of the spool per corpus step. It pays off
where the machine count grows, not here.
"""
from __future__ import annotations

import argparse
import dataclasses
import glob
import gzip
import json
import os
import random
import sys
import tempfile
import time
import tracemalloc

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cleaner.config import Options  # noqa: E402
from cleaner.engines.local.run import run  # noqa: E402

WORDS = ("harbour channel storm bridge library council river market bakery village station meadow "
         "ferry lighthouse school garden mill survey tide volunteer museum orchard quarry canal").split()


def invented_corpus(folder: str, docs: int, shards: int, seed: int = 7, copies: bool = True) -> list[str]:
    """``docs`` text records over ``shards`` JSONL files: 1 in 10 a near copy, 1 in 20 an exact copy
    (none with ``copies=False``), a template block on one host in 40."""
    rng = random.Random(seed)
    recs = []
    for i in range(docs):
        if i % 10 == 9 and recs and copies:
            src = recs[rng.randrange(len(recs))]
            words = src["text"].split(" ")
            words[rng.randrange(len(words))] = rng.choice(WORDS)
            recs.append({"id": f"n{i:06d}", "url": f"https://n{i % 50}.example/{i}", "text": " ".join(words)})
            continue
        if i % 20 == 14 and recs and copies:
            recs.append({"id": f"x{i:06d}", "url": f"https://x{i % 50}.example/{i}", "text": recs[-1]["text"]})
            continue
        paras = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 60))).capitalize() + "." for _ in range(4)]
        url = f"https://host{i % 40}.example/p/{i}"
        if i % 40 == 0:
            paras.append(f"Sign up for the host newsletter, issue {i}, and read every story first.")
        recs.append({"id": f"d{i:06d}", "url": url, "text": "\n\n".join(paras)})
    return _write_shards(folder, recs, shards)


def _write_shards(folder: str, recs: list[dict], shards: int) -> list[str]:
    os.makedirs(folder, exist_ok=True)
    per = -(-len(recs) // shards)
    for k in range(shards):
        with open(os.path.join(folder, f"part-{k:04d}.jsonl"), "w", encoding="utf-8") as fh:
            for r in recs[k * per:(k + 1) * per]:
                fh.write(json.dumps(r) + "\n")
    return [folder]


def split_inputs(inputs: list[str], folder: str, shards: int) -> list[str]:
    """JSONL files cut into ``shards`` files (one Ray task each); folders and other files as they are."""
    out = []
    for p in inputs:
        if os.path.isfile(p) and p.endswith(".jsonl"):
            with open(p, encoding="utf-8") as fh:
                recs = [json.loads(line) for line in fh if line.strip()]
            out += _write_shards(os.path.join(folder, os.path.basename(p)[:-6]), recs, shards)
        else:
            out.append(p)
    return out


def clean_set(outdir: str) -> tuple[list, list]:
    def rows(kind):
        out = []
        for p in sorted(glob.glob(os.path.join(outdir, f"{kind}-*"))):
            with gzip.open(p, "rt", encoding="utf-8") as fh:
                out += [json.loads(line) for line in fh if line.strip()]
        return out
    return (sorted((r["id"], r["text"]) for r in rows("clean")),
            sorted((r["id"], r["reason"], r.get("duplicate_of")) for r in rows("dropped")))


def timed(fn):
    t0 = time.perf_counter()
    r = fn()
    return r, time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("inputs", nargs="*")
    ap.add_argument("--shards", type=int, default=8, help="input files to cut a JSONL input (or the invented corpus) into")
    ap.add_argument("--docs", type=int, default=4000, help="documents of the invented corpus")
    ap.add_argument("--cpus", type=int, default=2, help="local workers and Ray CPUs")
    ap.add_argument("--unique", action="store_true", help="invented corpus without near or exact copies "
                    "(run with and without it to see the driver memory that duplicates take)")
    ap.add_argument("--repeat", type=int, default=1, help="repeat the local run and the warm Ray run, keep the fastest")
    a = ap.parse_args()

    import ray

    opts = Options(progress=False, workers=a.cpus)
    with tempfile.TemporaryDirectory() as tmp:
        inputs = (split_inputs(a.inputs, os.path.join(tmp, "in"), a.shards) if a.inputs
                  else invented_corpus(os.path.join(tmp, "in"), a.docs, a.shards, copies=not a.unique))
        runs = [timed(lambda: run(inputs, opts, os.path.join(tmp, "local"))) for _ in range(a.repeat)]
        local, t_local = runs[-1][0], min(t for _, t in runs)
        _, t_init = timed(lambda: ray.init(address="local", num_cpus=a.cpus, include_dashboard=False, log_to_driver=False,
                                           logging_level="ERROR"))
        from cleaner.engines.ray.engine import run_ray
        ropts = dataclasses.replace(opts, engine="ray")
        _, t_cold = timed(lambda: run_ray(inputs, ropts, os.path.join(tmp, "ray1")))
        runs = [timed(lambda: run_ray(inputs, ropts, os.path.join(tmp, "ray2"))) for _ in range(a.repeat)]
        remote, t_warm = runs[-1][0], min(t for _, t in runs)
        tracemalloc.start()  # one more run, not timed: the driver's memory
        run_ray(inputs, ropts, os.path.join(tmp, "ray3"))
        _, driver_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        ray.shutdown()
        same = clean_set(os.path.join(tmp, "local")) == clean_set(os.path.join(tmp, "ray2"))
        d = local.report["documents"]
        print(f"corpus: {d['in']} records, {remote.report['run']['shards']} shards; "
              f"{d['clean']} clean, {d['dropped']} dropped, {d['rejected']} rejected; {a.cpus} CPUs")
        print(f"local engine          {t_local:8.2f} s   {d['in'] / t_local:8.1f} records/s")
        print(f"ray start-up          {t_init:8.2f} s")
        print(f"ray engine, cold      {t_cold:8.2f} s   {d['in'] / t_cold:8.1f} records/s   {t_cold / t_local:5.2f}x local")
        print(f"ray engine, warm      {t_warm:8.2f} s   {d['in'] / t_warm:8.1f} records/s   {t_warm / t_local:5.2f}x local")
        print(f"ray seconds by step (warm): {remote.report['seconds_by_step']}")
        n = d["in"]
        print(f"driver: Python heap peak {driver_peak / 1e6:.1f} MB = {driver_peak / n:.0f} bytes/record "
              "(tracemalloc: Ray's client objects included, the process's fixed imports not)")
        for name, st in remote.report["corpus_steps"].items():
            print(f"  {name:15s} decisions kept on the driver: {st['index_bytes']:>9d} bytes "
                  f"({st['index_bytes_per_document']} bytes/document)")
        print(f"same clean set and drop reasons: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
