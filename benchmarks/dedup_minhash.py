"""MinHash signature speed: cleaner's batched numpy MinHasher against datasketch on the same shingles.

Usage::

    python benchmarks/dedup_minhash.py [DOCS] [--perm 128]

Builds DOCS synthetic documents (default 2000), turns each into word 5-gram shingles once,
then times, on exactly those shingles:

- ``cleaner``: ``MinHasher.signatures`` over batches of 1024 documents (shingle hashes
  as ``uint64`` arrays);
- ``datasketch update``: one ``MinHash`` per document, ``update`` called per shingle
  (the usual loop), fed the same 64-bit shingle hashes as 8-byte strings;
- ``datasketch update_batch``: the same with one ``update_batch`` call per document.

It also times shingling itself (text to hashes), which both paths need, and prints the
ratios measured in this run. Times are CPU time of the process (the machine may be
shared).
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402

from cleaner.similarity.minhash import MinHasher, shingles  # noqa: E402
from dedup_synth import Corpus  # noqa: E402

BATCH_DOCS = 1024


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="MinHash signatures: cleaner vs datasketch")
    ap.add_argument("docs", nargs="?", type=int, default=2000)
    ap.add_argument("--perm", type=int, default=128)
    args = ap.parse_args(argv)
    from datasketch import MinHash

    texts = [d.text for d in Corpus(args.docs, seed=1)]
    t0 = time.process_time()
    sh = [shingles(t, 5, 5) for t in texts]
    t_shingle = time.process_time() - t0
    n_sh = sum(s.size for s in sh)
    as_bytes = [[int(x).to_bytes(8, "little") for x in s.tolist()] for s in sh]

    mh = MinHasher(args.perm, 42)
    t0 = time.process_time()
    for k in range(0, len(sh), BATCH_DOCS):
        mh.signatures(sh[k:k + BATCH_DOCS])
    t_ours = time.process_time() - t0

    t0 = time.process_time()
    for doc in as_bytes:
        m = MinHash(num_perm=args.perm, seed=42)
        for s in doc:
            m.update(s)
    t_ds = time.process_time() - t0

    t0 = time.process_time()
    for doc in as_bytes:
        m = MinHash(num_perm=args.perm, seed=42)
        m.update_batch(doc)
    t_dsb = time.process_time() - t0

    print(f"{args.docs} documents, {n_sh} shingles ({n_sh / args.docs:.0f} per document), {args.perm} permutations")
    print(f"shingling (text -> uint64 hashes)         {t_shingle:8.3f} s  {args.docs / t_shingle:10.0f} docs/s")
    print(f"cleaner MinHasher.signatures (batched)    {t_ours:8.3f} s  {args.docs / t_ours:10.0f} docs/s")
    print(f"datasketch MinHash.update per shingle     {t_ds:8.3f} s  {args.docs / t_ds:10.0f} docs/s")
    print(f"datasketch MinHash.update_batch per doc   {t_dsb:8.3f} s  {args.docs / t_dsb:10.0f} docs/s")
    print(f"ratio vs update loop:  {t_ds / t_ours:6.1f}x faster")
    print(f"ratio vs update_batch: {t_dsb / t_ours:6.1f}x faster")
    print(f"ratio incl. shingling vs update loop incl. shingling: {(t_ds + t_shingle) / (t_ours + t_shingle):6.1f}x faster")
    # the two signatures estimate the same thing: check the estimate agrees on a near pair
    a, b = sh[0], np.union1d(sh[0][: int(sh[0].size * 0.8)], sh[1])
    ours = mh.signatures([a, b])
    est = float(np.mean(ours[0] == ours[1]))
    ma, mb = MinHash(args.perm, 42), MinHash(args.perm, 42)
    ma.update_batch([int(x).to_bytes(8, "little") for x in a.tolist()])
    mb.update_batch([int(x).to_bytes(8, "little") for x in b.tolist()])
    exact = np.intersect1d(a, b).size / np.union1d(a, b).size
    print(f"sanity: exact Jaccard {exact:.3f}, cleaner estimate {est:.3f}, datasketch estimate {ma.jaccard(mb):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
