"""The repeated-paragraph step (:mod:`cleaner.corpus.paragraphs`) as a Ray Data shuffle by paragraph key.

Rows: one per distinct paragraph key of a document, ``(key, ord, host, id)`` (8 + 8 + 4
bytes and the id). The shuffle by key puts every row of a paragraph in one group, where
:func:`~cleaner.corpus.paragraphs.group_rows` (the very function the local engine calls on
each of its disk partitions) decides; the driver gets the boilerplate keys and, for each
repeated paragraph, the ordinal and id of its first copy (a :class:`ParagraphDecision`),
proportional to repeated paragraphs, not to the corpus. Ordinals of both engines follow
input order, so the first copy, and the output, are the same.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pyarrow as pa

from ...corpus.paragraphs import ParagraphDecision, RepeatedParagraphs, group_rows, sort_rows
from ...document import Document
from ...steps import CorpusStep
from .corpus import _collect, _empty, _Stage, shuffle_groups

BOILER, REPEAT = 0, 1


class ParagraphStage(_Stage):
    """Repeated paragraphs: shuffle by paragraph key."""

    name = "paragraph-dup"
    schema = pa.schema([("key", pa.uint64()), ("ord", pa.int64()), ("host", pa.uint32()), ("id", pa.string())])
    out_schema = pa.schema([("kind", pa.int8()), ("key", pa.uint64()), ("count", pa.uint32()),
                            ("ord", pa.int64()), ("id", pa.string())])

    @staticmethod
    def step_class() -> type[CorpusStep]:
        return RepeatedParagraphs

    def rows(self, step: CorpusStep, items: Iterable[tuple[int, Document]]) -> pa.Table:
        keys: list[int] = []
        ords: list[int] = []
        hosts: list[int] = []
        ids: list[str] = []
        for ord_, doc in items:
            fp = step.fingerprint(doc)
            if fp is None:
                continue
            hk, ks = fp
            keys += ks
            ords += [ord_] * len(ks)
            hosts += [hk] * len(ks)
            ids += [doc.id] * len(ks)
        return pa.table({"key": pa.array(keys, pa.uint64()), "ord": pa.array(ords, pa.int64()),
                         "host": pa.array(hosts, pa.uint32()), "id": pa.array(ids, pa.string())}, schema=self.schema)

    def group(self, t: pa.Table) -> pa.Table:
        """Boilerplate and repeated paragraphs among the keys of ``t`` (all rows of each key)."""
        if t.num_rows == 0:
            return _empty(self.out_schema)
        keys = t.column("key").to_numpy()
        ords = t.column("ord").to_numpy()
        order = sort_rows(keys, ords)
        keys, ords = keys[order], ords[order]
        hosts = t.column("host").to_numpy()[order]
        g = group_rows(keys, ords, hosts, self.options.paragraph_min_hosts, self.options.paragraph_repeat_hosts)
        ids = t.column("id").take(pa.array(order[g.repeat_first_row])).to_pylist() if g.repeat_keys.size else []
        nb, nr = g.boiler_keys.size, g.repeat_keys.size
        return pa.table({"kind": pa.array([BOILER] * nb + [REPEAT] * nr, pa.int8()),
                         "key": pa.array(np.r_[g.boiler_keys, g.repeat_keys].astype(np.uint64), pa.uint64()),
                         "count": pa.array(np.r_[g.boiler_hosts, g.repeat_docs].astype(np.uint32), pa.uint32()),
                         "ord": pa.array(np.r_[np.full(nb, -1, np.int64), ords[g.repeat_first_row]], pa.int64()),
                         "id": pa.array([""] * nb + ids, pa.string())}, schema=self.out_schema)

    def decide(self, ds, cpus: int) -> ParagraphDecision:
        t = _collect(shuffle_groups(ds, "key", self.group, cpus, ds.size_bytes()), self.out_schema)
        kind = t.column("kind").to_numpy()
        keys = t.column("key").to_numpy()
        count = t.column("count").to_numpy()
        ords = t.column("ord").to_numpy()
        ids = t.column("id").to_pylist()
        b, r = kind == BOILER, kind == REPEAT
        observed = len(ds.unique("ord")) if ds.count() else 0   # documents with a paragraph counted
        d = ParagraphDecision.sorted_from(keys[b], count[b], keys[r], ords[r],
                                          [ids[i] for i in np.flatnonzero(r).tolist()], count[r], observed,
                                          **ParagraphDecision.settings_of(self.options))
        self.figures = {"documents": observed, "driver_bytes": d.nbytes()}
        return d
