"""Exact duplicates (:mod:`cleaner.corpus.exact`) as a Ray Data shuffle by text key."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pyarrow as pa

from ...corpus.drops import DropDecision
from ...document import Document
from ...steps import CorpusStep
from .corpus import _collect, _empty, _Stage, shuffle_groups


class ExactStage(_Stage):
    """Exact duplicates: shuffle by text key."""

    name = "exact-dup"
    schema = pa.schema([("ord", pa.int64()), ("key", pa.uint64()), ("id", pa.string())])
    out_schema = pa.schema([("ord", pa.int64()), ("kept", pa.string()), ("kept_ord", pa.int64())])

    @staticmethod
    def step_class() -> type[CorpusStep]:
        from ...corpus.exact import ExactDuplicates
        return ExactDuplicates

    def rows(self, step: CorpusStep, items: Iterable[tuple[int, Document]]) -> pa.Table:
        out = []
        for ord_, doc in items:
            key = step.fingerprint(doc)
            if key:  # no words: not indexed, as in the local engine
                out.append({"ord": ord_, "key": key, "id": doc.id})
        return pa.Table.from_pylist(out, schema=self.schema)

    def group(self, t: pa.Table) -> pa.Table:
        """Every member of a group of equal text keys in ``t`` but its survivor (:func:`~cleaner.corpus.exact.exact_drops`)."""
        from ...corpus.exact import exact_drops
        if t.num_rows < 2:
            return _empty(self.out_schema)
        t = t.sort_by([("key", "ascending"), ("ord", "ascending")])
        ords = t.column("ord").to_numpy()
        d = exact_drops(t.column("key").to_numpy(), np.arange(t.num_rows), t.column("id").to_pylist(),
                        lambda m: ords[m], self.options.exact_dup_keep)
        return pa.table({"ord": pa.array(d.ords, pa.int64()), "kept": pa.array(d.kept_ids, pa.string()),
                         "kept_ord": pa.array(d.kept_ords, pa.int64())}, schema=self.out_schema)

    def decide(self, ds, cpus: int) -> DropDecision:
        t = _collect(shuffle_groups(ds, "key", self.group, cpus, ds.size_bytes()), self.out_schema)
        ords = t.column("ord").to_numpy().astype(np.int64)
        kept = t.column("kept").to_pylist()
        d = DropDecision.by_ordinal(ords, kept, np.ones(ords.size, np.float32), t.column("kept_ord").to_numpy())
        self.figures = {"documents": ds.count(),
                        "driver_bytes": int(d.ords.nbytes + d.kept_ords.nbytes) + sum(len(k) for k in kept)}
        return d
