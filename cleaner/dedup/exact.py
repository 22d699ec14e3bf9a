"""Exact duplicate documents: the same normalised text as an earlier document."""
from __future__ import annotations

from typing import Any

import xxhash

from ..document import Document, apply_spans
from ..steps import CorpusStep
from .inpage import normalize_block


class ExactDuplicates(CorpusStep):
    """Drop every document whose normalised clean text equals an earlier document's (input order)."""

    name = "exact-dup"

    def __init__(self) -> None:
        super().__init__()
        self.first: dict[int, int] = {}
        self.ids: dict[int, str] = {}
        self.dup_of: dict[int, int] = {}

    def fingerprint(self, doc: Document) -> Any:
        return xxhash.xxh3_64_intdigest(normalize_block(apply_spans(doc.text, doc.removed)).encode("utf-8"))

    def observe(self, index: int, doc_id: str, fp: Any) -> None:
        if fp in self.first:
            self.dup_of[index] = self.first[fp]
        else:
            self.first[fp] = index
            self.ids[index] = doc_id

    def apply(self, index: int, doc: Document) -> None:
        j = self.dup_of.get(index)
        if j is not None and doc.dropped is None:
            doc.dropped = "exact-duplicate"
            doc.drop_detail = {"duplicate_of": self.ids[j], "similarity": 1.0}
            self.stats.dropped += 1

    def report(self) -> dict[str, Any]:
        per_survivor: dict[int, int] = {}
        for j in self.dup_of.values():
            per_survivor[j] = per_survivor.get(j, 1) + 1
        sizes: dict[str, int] = {}
        for n in sorted(per_survivor.values()):
            sizes[str(n)] = sizes.get(str(n), 0) + 1
        return {"clusters": len(per_survivor), "largest_cluster": max(per_survivor.values(), default=0),
                "cluster_sizes": sizes}
