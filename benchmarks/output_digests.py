#!/usr/bin/env python3
"""Record or compare digests of what ``cleaner clean`` writes, to prove a change byte-identical.

Usage::

    python benchmarks/output_digests.py record DIGESTS.json INPUT [INPUT ...] [--workers 1 2]
    python benchmarks/output_digests.py compare DIGESTS.json INPUT [INPUT ...] [--workers 1 2]

For each input and each worker count, runs ``cleaner clean INPUT -o TMP --workers N`` (the
same code path as the command line) and takes a SHA-256 of the decompressed contents of
each kind of shard (clean, dropped, rejects), in shard-name order. ``record`` writes them
to DIGESTS.json; ``compare`` runs again and lists every difference (exit 1 when any).
"""
from __future__ import annotations

import argparse
import glob
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile

KINDS = ("clean", "dropped", "rejects")


def digests(outdir: str) -> dict[str, str]:
    """SHA-256 hex digest per shard kind over the decompressed shard contents, in name order."""
    out = {}
    for kind in KINDS:
        h = hashlib.sha256()
        for p in sorted(glob.glob(os.path.join(outdir, f"{kind}-*.jsonl*"))):
            with (gzip.open(p, "rb") if p.endswith(".gz") else open(p, "rb")) as fh:
                h.update(fh.read())
        out[kind] = h.hexdigest()
    return out


def run_all(inputs: list[str], workers: list[int]) -> dict[str, dict[str, str]]:
    """``{"INPUT --workers N": {kind: digest}}`` for every input and worker count."""
    exe = os.path.join(os.path.dirname(sys.executable), "cleaner")
    res = {}
    for inp in inputs:
        for w in workers:
            with tempfile.TemporaryDirectory() as tmp:
                out = os.path.join(tmp, "out")
                subprocess.run([exe, "clean", inp, "-o", out, "--workers", str(w), "--no-progress"],
                               check=True, stdout=subprocess.DEVNULL)
                res[f"{inp} --workers {w}"] = digests(out)
                print(f"{inp} --workers {w}: " + " ".join(f"{k}={v[:12]}" for k, v in res[f'{inp} --workers {w}'].items()),
                      flush=True)
    return res


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mode", choices=("record", "compare"))
    ap.add_argument("digests", help="JSON file of digests")
    ap.add_argument("inputs", nargs="+")
    ap.add_argument("--workers", type=int, nargs="+", default=[1])
    a = ap.parse_args()
    now = run_all(a.inputs, a.workers)
    if a.mode == "record":
        with open(a.digests, "w") as fh:
            json.dump(now, fh, indent=1, sort_keys=True)
        return 0
    with open(a.digests) as fh:
        then = json.load(fh)
    bad = [f"{k}: {kind} differs" for k, d in now.items() if k in then for kind in KINDS if d[kind] != then[k][kind]]
    bad += [f"{k}: not recorded" for k in now if k not in then]
    print("\n".join(bad) if bad else f"identical: {len(now)} runs")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
