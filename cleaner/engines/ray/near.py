"""Near duplicates (:mod:`cleaner.corpus.near`) as Ray Data shuffles by LSH bucket."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pyarrow as pa

from ...config import Options
from ...corpus.drops import DropDecision
from ...document import Document
from ...steps import CorpusStep
from .corpus import _U32, _collect, _empty, _runs, _Stage, shuffle_groups

#: Documents whose MinHash signatures are computed together in one numpy pass.
SIGNATURE_BATCH_DOCS = 1024


class NearStage(_Stage):
    """Near duplicates: MinHash signatures, shuffles by LSH bucket, union-find on the driver.

    Three shuffles keep the data moved small although a document is in ``bands`` buckets:

    1. ``(bucket, ordinal)`` rows (16 bytes a document a band) by bucket: the members of
       every bucket with two or more documents, buckets with the same members merged;
    2. those memberships and each document's verification payload (shingle count,
       signature, bottom-k sketch) by ordinal: the payload joins its memberships;
    3. the joined rows by bucket: :func:`~cleaner.similarity.lsh.bucket_pairs` verifies each
       bucket as ``NearDuplicates.decide`` does.

    A bucket is ``band << 32 | low 32 bits of the band key``, the local engine's key; after
    step 1 it is a 64-bit hash of the bucket's member ordinals (two different member sets
    with equal hashes would be verified as one: odds about ``sets**2 / 2**64``).
    """

    name = "near-dup"
    out_schema = pa.schema([("a", pa.int64()), ("b", pa.int64())])
    member_schema = pa.schema([("bucket", pa.uint64()), ("ord", pa.int64())])
    joined_schema = pa.schema([("bucket", pa.uint64()), ("ord", pa.int64()), ("payload", pa.bool_()),
                               ("size", pa.uint32()), ("sig", pa.binary()), ("sketch", pa.binary())])

    def __init__(self, options: Options):
        super().__init__(options)
        proto = self.make_step()
        self.bands, self.rows_per_band = proto.bands, proto.rows
        self.threshold, self.k = proto.threshold, proto.k
        self.num_perm = proto.hasher.num_perm
        self.schema = pa.schema([("ord", pa.int64()), ("id", pa.string()), ("size", pa.uint32()),
                                 ("sig", pa.binary()), ("sketch", pa.binary()),
                                 ("bkeys", pa.list_(pa.uint32()))])

    @staticmethod
    def step_class() -> type[CorpusStep]:
        from ...corpus.near import NearDuplicates
        return NearDuplicates

    # ------------------------------------------------------------------ per shard

    def rows(self, step: CorpusStep, items: Iterable[tuple[int, Document]]) -> pa.Table:
        """One row per document with shingles: ordinal, id, size, signature, sketch, band keys (``step.prepare``)."""
        cols: dict[str, list] = {k: [] for k in self.schema.names}
        pending: list[tuple[int, str, Any]] = []

        def flush() -> None:
            if not pending:
                return
            b = step.prepare([h for _, _, h in pending])
            starts = np.r_[0, np.cumsum(b.sketch_sizes)]
            for r, i in enumerate(b.kept.tolist()):
                cols["ord"].append(pending[i][0])
                cols["id"].append(pending[i][1])
                cols["size"].append(int(b.sizes[r]))
                cols["sig"].append(b.signatures[r].tobytes())
                cols["sketch"].append(b.sketches[starts[r]:starts[r + 1]].tobytes())
                cols["bkeys"].append(b.band_keys[r])
            pending.clear()

        for ord_, doc in items:
            pending.append((ord_, doc.id, step.fingerprint(doc)))  # no shingles: left out by prepare
            if len(pending) >= SIGNATURE_BATCH_DOCS:
                flush()
        flush()
        return pa.table(cols, schema=self.schema)

    # ------------------------------------------------------------------ shuffle 1: buckets

    def explode(self, t: pa.Table) -> pa.Table:
        """One ``(bucket, ordinal)`` row per document and band."""
        n = t.num_rows
        if n == 0:
            return _empty(self.member_schema)
        bk = t.column("bkeys").combine_chunks().flatten().to_numpy().astype(np.uint64).reshape(n, self.bands)
        band = np.arange(self.bands, dtype=np.uint64) << _U32
        return pa.table({"bucket": pa.array((bk | band[None, :]).ravel(), pa.uint64()),
                         "ord": pa.array(np.repeat(t.column("ord").to_numpy(), self.bands), pa.int64())},
                        schema=self.member_schema)

    def members(self, t: pa.Table) -> pa.Table:
        """The members of every bucket in ``t`` that has two or more documents, keyed by member set.

        Buckets with the same members (a near-duplicate pair shares most of its bands)
        get the same key, a hash of their ordinals, and are verified once: verification
        depends on the members only, and union-find makes a repeated bucket a no-op.
        """
        import xxhash
        if t.num_rows < 2:
            return _empty(self.member_schema)
        t = t.sort_by([("bucket", "ascending"), ("ord", "ascending")])
        ords = t.column("ord").to_numpy()
        keys, members = [], []
        for s0, e0 in _runs(t.column("bucket").to_numpy(), min_size=2):
            keys.append(np.full(e0 - s0, xxhash.xxh3_64_intdigest(ords[s0:e0].tobytes()), dtype=np.uint64))
            members.append(ords[s0:e0])
        if not keys:
            return _empty(self.member_schema)
        rows = np.unique(np.stack([np.concatenate(keys), np.concatenate(members).astype(np.uint64)], axis=1), axis=0)
        return pa.table({"bucket": pa.array(rows[:, 0], pa.uint64()), "ord": pa.array(rows[:, 1].astype(np.int64), pa.int64())},
                        schema=self.member_schema)

    # ------------------------------------------------------------------ shuffle 2: join by ordinal

    def as_membership(self, t: pa.Table) -> pa.Table:
        n = t.num_rows
        return pa.table({"bucket": t.column("bucket"), "ord": t.column("ord"),
                         "payload": pa.array(np.zeros(n, bool)), "size": pa.array(np.zeros(n, np.uint32)),
                         "sig": pa.array([b""] * n, pa.binary()), "sketch": pa.array([b""] * n, pa.binary())},
                        schema=self.joined_schema)

    def as_payload(self, t: pa.Table) -> pa.Table:
        n = t.num_rows
        return pa.table({"bucket": pa.array(np.zeros(n, np.uint64)), "ord": t.column("ord"),
                         "payload": pa.array(np.ones(n, bool)), "size": t.column("size"),
                         "sig": t.column("sig"), "sketch": t.column("sketch")}, schema=self.joined_schema)

    def join(self, t: pa.Table) -> pa.Table:
        """Each membership row of ``t`` with its document's payload (payload rows without a membership go)."""
        is_payload = t.column("payload").to_numpy(zero_copy_only=False)
        pay = t.filter(pa.array(is_payload))
        mem = t.filter(pa.array(~is_payload))
        if mem.num_rows == 0 or pay.num_rows == 0:
            return _empty(self.joined_schema).drop_columns(["payload"])
        pay = pay.sort_by("ord")
        at = np.searchsorted(pay.column("ord").to_numpy(), mem.column("ord").to_numpy())
        take = pa.array(at)
        return pa.table({"bucket": mem.column("bucket"), "ord": mem.column("ord"),
                         "size": pay.column("size").take(take), "sig": pay.column("sig").take(take),
                         "sketch": pay.column("sketch").take(take)})

    # ------------------------------------------------------------------ shuffle 3: verify

    def group(self, t: pa.Table) -> pa.Table:
        """The verified pairs ``(a, b)`` of ordinals of every LSH bucket in ``t``, each pair once."""
        if t.num_rows < 2:
            return _empty(self.out_schema)
        t = t.sort_by([("bucket", "ascending"), ("ord", "ascending")])
        # one row per (member set, document): partitions of the first shuffle may each have sent it
        first = [s0 for s0, _ in _runs(t.column("bucket").to_numpy(), t.column("ord").to_numpy())]
        t = t.take(pa.array(first, pa.int64()))
        parts = [self.bucket(t.slice(s0, e0 - s0)) for s0, e0 in _runs(t.column("bucket").to_numpy(), min_size=2)]
        if not parts:
            return _empty(self.out_schema)
        pairs = pa.concat_tables(parts)  # a pair found in several bands is sent once per partition
        ab = np.unique(np.stack([pairs.column("a").to_numpy(), pairs.column("b").to_numpy()], axis=1), axis=0)
        return pa.table({"a": pa.array(ab[:, 0], pa.int64()), "b": pa.array(ab[:, 1], pa.int64())}, schema=self.out_schema)

    def bucket(self, t: pa.Table) -> pa.Table:
        """One LSH bucket's verified pairs, its rows in input order, verified as the local engine does."""
        from ...similarity.lsh import bucket_pairs, verification_order
        from ...similarity.minhash import sketch_jaccard
        m = t.num_rows
        ords = t.column("ord").to_numpy()
        sizes = t.column("size").to_numpy()
        sigs = np.frombuffer(b"".join(t.column("sig").to_pylist()), dtype=np.uint32).reshape(m, self.num_perm)
        sketches = [np.frombuffer(b, dtype=np.uint32) for b in t.column("sketch").to_pylist()]
        members = verification_order(np.arange(m, dtype=np.int64), sigs)  # rows are in input order
        pairs = bucket_pairs(members, sigs, self.threshold, sizes,
                             lambda i, j: sketch_jaccard(sketches[i], sketches[j], self.k))
        return pa.table({"a": pa.array([int(ords[i]) for i, _, _ in pairs], pa.int64()),
                         "b": pa.array([int(ords[j]) for _, j, _ in pairs], pa.int64())}, schema=self.out_schema)

    # ------------------------------------------------------------------ driver

    def decide(self, ds, cpus: int) -> DropDecision:
        from ...corpus.drops import drops_from_clusters
        from ...corpus.near import near_settings
        from ...similarity.minhash import sketch_jaccard
        from ...similarity.clusters import UnionFind
        fps = ds  # materialized by the engine: read three times here
        indexed = fps.count()
        mem = shuffle_groups(fps.map_batches(self.explode, batch_format="pyarrow"), "bucket", self.members,
                             cpus, 16 * self.bands * indexed).materialize()
        n_mem = mem.count()
        per_doc = (fps.size_bytes() or 0) / max(1, indexed)
        if n_mem:
            both = mem.map_batches(self.as_membership, batch_format="pyarrow").union(
                fps.map_batches(self.as_payload, batch_format="pyarrow"))
            joined = shuffle_groups(both, "ord", self.join, cpus, int(fps.size_bytes() or 0) + 40 * n_mem)
            edges = _collect(shuffle_groups(joined, "bucket", self.group, cpus, int(per_doc * n_mem)), self.out_schema)
        else:  # no bucket holds two documents: nothing to verify
            edges = _empty(self.out_schema)
        del mem
        a = edges.column("a").to_numpy().astype(np.int64)
        b = edges.column("b").to_numpy().astype(np.int64)
        nodes = np.unique(np.concatenate([a, b]))
        uf = UnionFind(int(nodes.size))
        for i, j in zip(np.searchsorted(nodes, a).tolist(), np.searchsorted(nodes, b).tolist()):
            uf.union(i, j)
        clusters = uf.clusters()
        members = np.unique(np.concatenate(clusters)) if clusters else np.zeros(0, np.int64)
        info = _collect(fps.map_batches(_Select(nodes[members]), batch_format="pyarrow"), self.schema).sort_by("ord")
        assert info.num_rows == members.size, "every clustered document has a fingerprint row"
        # Node index -> info row (both ascending by ordinal); only clustered nodes are read.
        pos = {int(n): k for k, n in enumerate(members.tolist())}
        ids = _Sparse(pos, info.column("id").to_pylist())
        sizes = _Sparse(pos, info.column("size").to_pylist())
        sketches = [np.frombuffer(x, dtype=np.uint32) for x in info.column("sketch").to_pylist()]
        d = drops_from_clusters(clusters, sizes, ids, lambda m: nodes[m],
                                lambda i, j: sketch_jaccard(sketches[pos[i]], sketches[pos[j]], self.k),
                                self.options.near_dup_keep, near_settings(self.threshold, self.bands, self.rows_per_band))
        driver = int(a.nbytes + b.nbytes + nodes.nbytes + uf.nbytes() + sum(x.nbytes for x in sketches)
                     + sum(len(i) for i in info.column("id").to_pylist()) + 4 * info.num_rows)
        self.figures = {"indexed_documents": indexed, "documents": indexed, "bucket_memberships": n_mem,
                        "verified_pairs": int(a.size), "driver_bytes": driver}
        return d




class _Sparse:
    """A read-only sequence view ``view[node] = values[pos[node]]`` for the clustered nodes only."""

    def __init__(self, pos: dict[int, int], values: list):
        self.pos, self.values = pos, values

    def __getitem__(self, node: int):
        return self.values[self.pos[int(node)]]


class _Select:
    """Keep the rows whose ordinal is in a sorted array (a Ray Data map function)."""

    def __init__(self, ords: np.ndarray):
        self.ords = np.asarray(ords, dtype=np.int64)

    def __call__(self, t: pa.Table) -> pa.Table:
        if self.ords.size == 0 or t.num_rows == 0:
            return t.slice(0, 0)
        o = t.column("ord").to_numpy()
        return t.filter(pa.array(np.isin(o, self.ords)))
