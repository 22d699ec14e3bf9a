"""``cleaner show OUTDIR``: a readable look at what a run wrote."""
from __future__ import annotations

import glob
import gzip
import io
import json
import os
import sys
from typing import Any, Iterator

#: Rejected records listed by ``cleaner show`` (all are in the rejects shards).
REJECTS_SHOWN = 10


def iter_output(outdir: str, prefix: str) -> Iterator[dict[str, Any]]:
    """Records of the ``prefix-*`` shards of a run folder, in shard order (JSONL, gz, zst or Parquet)."""
    for path in sorted(glob.glob(os.path.join(outdir, f"{prefix}-*"))):
        if path.endswith(".parquet"):
            import pyarrow.parquet as pq
            yield from pq.read_table(path).to_pylist()
            continue
        if path.endswith(".gz"):
            fh = gzip.open(path, "rt", encoding="utf-8")
        elif path.endswith(".zst"):
            import zstandard
            fh = io.TextIOWrapper(zstandard.ZstdDecompressor().stream_reader(open(path, "rb")), encoding="utf-8")
        elif path.endswith(".jsonl"):
            fh = open(path, encoding="utf-8")
        else:
            continue
        with fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)


def show_main(outdir: str, limit: int, chars: int) -> int:
    """Print the summary of ``report.json``, ``limit`` clean documents, every drop reason and the first rejects."""
    rep_path = os.path.join(outdir, "report.json")
    if not os.path.isdir(outdir):
        print(f"cleaner: error: {outdir}: no such folder; give the output folder of a run "
              "(`cleaner clean INPUT -o OUTDIR`, then `cleaner show OUTDIR`)", file=sys.stderr)
        return 2
    if not os.path.exists(rep_path):
        print(f"cleaner: error: {outdir} holds no report.json, so it is no finished cleaner output; clean into "
              "an output folder first (`cleaner clean INPUT -o OUTDIR`, then `cleaner show OUTDIR`), "
              "or let an interrupted run finish", file=sys.stderr)
        return 2
    with open(rep_path, encoding="utf-8") as fh:
        rep = json.load(fh)
    from .messages import summary_line
    print(summary_line(rep, outdir))
    removed = rep["characters"].get("removed_by_rule", {})
    if removed:
        top = sorted(removed.items(), key=lambda kv: -kv[1])[:8]
        print("characters removed by rule: " + ", ".join(f"{r} {n}" for r, n in top))
    for i, rec in enumerate(iter_output(outdir, "clean")):
        if i >= limit:
            break
        text = rec.get("text") or ""
        head = f"--- clean {rec.get('id')}  {rec.get('url') or ''}".rstrip()
        print(f"\n{head}\n    title: {rec.get('title') or '(no title)'}")
        print(text[:chars] + (" [...]" if len(text) > chars else ""))
    dropped = list(iter_output(outdir, "dropped"))
    if dropped:
        print(f"\n--- dropped ({len(dropped)})")
        for rec in dropped:
            extra = f" of {rec['duplicate_of']} (similarity {rec.get('similarity')})" if rec.get("duplicate_of") else ""
            print(f"{rec.get('id')}: {rec.get('reason')}{extra}")
    rejected = rep["documents"].get("rejected", 0)
    if rejected:
        print(f"\n--- rejected ({rejected})")
        for i, rec in enumerate(iter_output(outdir, "rejects")):
            if i >= REJECTS_SHOWN:
                print(f"... and {rejected - REJECTS_SHOWN} more in {os.path.join(outdir, 'rejects-*')}")
                break
            print(f"{_where(rec)} [{rec.get('kind')}]: {rec.get('error')}")
    return 0


def _where(rec: dict[str, Any]) -> str:
    """Where a rejected record was: its file, and the line or record number unless the whole file."""
    pos = rec.get("position")
    return f"{rec.get('source')}{'' if pos in (0, -1, None) else ':' + str(pos)}"
