"""Site templates (:mod:`cleaner.corpus.templates`) as a Ray Data shuffle by host key."""
from __future__ import annotations

from typing import Any, Iterable

import numpy as np
import pyarrow as pa

from ...document import Document
from ...steps import CorpusStep
from .corpus import _collect, _empty, _Stage, shuffle_groups


class TemplatesStage(_Stage):
    """Site templates: shuffle by host key."""

    name = "site-templates"
    schema = pa.schema([("hk", pa.uint64()), ("pk", pa.uint64()), ("keys", pa.list_(pa.uint64()))])
    out_schema = pa.schema([("key", pa.uint64()), ("pages", pa.uint32()), ("host_pages", pa.uint32())])

    @staticmethod
    def step_class() -> type[CorpusStep]:
        from ...corpus.templates import SiteTemplates
        return SiteTemplates

    def rows(self, step: CorpusStep, items: Iterable[tuple[int, Document]]) -> pa.Table:
        out = []
        for _, doc in items:
            fp = step.fingerprint(doc)
            if fp is not None:
                hk, pk, keys = fp
                out.append({"hk": hk, "pk": pk, "keys": keys})
        return pa.Table.from_pylist(out, schema=self.schema)

    def group(self, t: pa.Table) -> pa.Table:
        """The template blocks of the hosts in ``t``: ``key``, pages it is on, its host's distinct pages."""
        from ...corpus.templates import template_blocks
        if t.num_rows == 0:
            return _empty(self.out_schema)
        _, first = np.unique(t.column("pk").to_numpy(), return_index=True)  # exact copies of a page count once
        hk = t.column("hk").to_numpy()[first]
        hosts, host_pages = np.unique(hk, return_counts=True)
        lists = t.column("keys").take(pa.array(first)).combine_chunks()
        flat = lists.flatten().to_numpy()
        if flat.size == 0:
            return _empty(self.out_schema)
        counts = np.unique(flat, return_counts=True)
        keys, pages, of_host = template_blocks(*counts, hosts, host_pages, self.options.template_min_pages,
                                               self.options.template_min_share)
        return pa.table({"key": pa.array(keys, pa.uint64()), "pages": pa.array(pages, pa.uint32()),
                         "host_pages": pa.array(of_host, pa.uint32())}, schema=self.out_schema)

    def decide(self, ds, cpus: int) -> Any:
        from ...corpus.templates import TemplateDecision
        t = _collect(shuffle_groups(ds, "hk", self.group, cpus, ds.size_bytes()), self.out_schema)
        d = TemplateDecision.from_blocks(t.column("key").to_numpy(), t.column("pages").to_numpy(),
                                         t.column("host_pages").to_numpy(), self.options.template_min_pages,
                                         self.options.template_min_share)
        self.figures = {"documents": ds.count(), "driver_bytes": d.nbytes()}  # ds is materialized
        return d
