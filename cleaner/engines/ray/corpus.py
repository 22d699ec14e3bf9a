"""The corpus steps as Ray Data shuffles: the plumbing the stages share (one module a step:
:mod:`.templates`, :mod:`.exact`, :mod:`.near`, :mod:`.paragraphs`; :mod:`.stages` lists them).

Each corpus step (``observe`` everything, ``decide``, ``apply`` in the local engine)
becomes a :class:`_Stage` here, which writes only what is Ray's:

- ``rows``: the documents' fingerprints as rows (computed in the shard map stage, with
  the step's own ``fingerprint``);
- ``group`` and ``decide``: a shuffle of those rows on the cluster, each partition
  decided with the step module's own functions, then the step's decision object on the driver;
- the rest is the step's: ``load`` is ``CorpusStep.applying(decision)`` (one shard's part
  of it), whose ``apply`` marks or drops documents in the final map stage, and
  ``report`` the decision's ``report()``.

Shuffles: rows go to hash partitions of their key (:func:`shuffle_groups`; about
``GROUP_TARGET_BYTES`` a partition), and a group function handles each partition, every
key in it at once with numpy (plain pyarrow/numpy, testable without Ray):

- site templates: by host key; per host, pages with the same content count once, blocks
  are counted over distinct pages, :func:`~cleaner.corpus.templates.template_blocks` decides
  (as in the local engine). All of one host's rows are in one partition (8 bytes a block a page).
- exact duplicates: by text key; :func:`~cleaner.corpus.exact.exact_drops` decides each
  partition (as in the local engine).
- near duplicates: by LSH bucket (band and band key) in three shuffles (see
  :class:`~.near.NearStage`: 16 bytes a document a band, then the signature and bottom-k
  sketch once a document, then again for documents in shared buckets only); each
  bucket is verified with
  :func:`~cleaner.similarity.lsh.bucket_pairs` in the order the local engine uses
  (:func:`~cleaner.similarity.lsh.verification_order`); the verified
  pairs go to the driver, where :class:`~cleaner.similarity.clusters.UnionFind` joins them and
  :func:`~cleaner.corpus.drops.drops_from_clusters` picks one survivor per cluster (as in
  the local engine).

Each step's report figures come from its decision's ``report()`` (both engines); a stage
adds only the Ray figures (``documents``, ``driver_bytes``, ...).

What stays on the driver (all of it proportional to duplicates, not to the corpus):
the template keys (12 bytes each plus 12 a host), the exact-duplicate drops (an ordinal,
the survivor's id), and for near duplicates the verified pairs (16 bytes each), the
union-find parent array over documents that have a verified pair (8 bytes of ordinal
plus 4 of parent each), and each such document's id, shingle count and bottom-k sketch
(up to ``4 * verify_shingles`` bytes) to pick survivors and similarities.
"""
from __future__ import annotations

from typing import Any, Iterator

import numpy as np
import pyarrow as pa

from ...config import Options
from ...containers.runs import runs
from ...corpus.drops import DropDecision
from ...steps import CorpusStep
from .shards import ORDINAL_SHIFT

_U32 = np.uint64(32)


#: Bytes of fingerprint rows one shuffle group should hold; sets the number of groups.
GROUP_TARGET_BYTES = 128 << 20


def _empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


def _runs(*sorted_cols: np.ndarray, min_size: int = 1) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each run of :func:`~cleaner.containers.runs.runs`, as Python ints."""
    starts, ends = runs(*sorted_cols, min_size=min_size)
    return zip(starts.tolist(), ends.tolist())


class _Partitioned:
    """Add a ``part`` column: ``column % parts`` (a Ray Data map function); the shuffle key."""

    def __init__(self, column: str, parts: int):
        self.column, self.parts = column, parts

    def __call__(self, t: pa.Table) -> pa.Table:
        from ...similarity.minhash import mix64
        with np.errstate(over="ignore"):  # mixed first: ordinals and packed keys have regular low bits
            h = mix64(t.column(self.column).to_numpy().astype(np.uint64)) % np.uint64(self.parts)
        return t.append_column("part", pa.array(h.astype(np.int64), pa.int64()))


def shuffle_groups(ds, column: str, fn, cpus: int, size_bytes: int):
    """Shuffle ``ds`` by ``column`` hashed into partitions, and run ``fn`` once per partition.

    A partition holds every row of each of its keys (hosts, text keys, LSH buckets), so
    ``fn`` sees whole groups. ``size_bytes`` (the rows' size, estimated) sets the number
    of partitions: about ``GROUP_TARGET_BYTES`` each, at least one per CPU.
    """
    parts = max(cpus, int(size_bytes // GROUP_TARGET_BYTES) + 1)
    keyed = ds.map_batches(_Partitioned(column, parts), batch_format="pyarrow")
    return keyed.groupby("part", num_partitions=parts).map_groups(fn, batch_format="pyarrow")


def _by_shard(ords: np.ndarray) -> dict[int, np.ndarray]:
    """Positions of ``ords`` (sorted) grouped by shard: ``{shard: index array}``."""
    shards = ords >> np.int64(ORDINAL_SHIFT)
    out: dict[int, np.ndarray] = {}
    starts, ends = runs(shards)
    for s, e in zip(starts.tolist(), ends.tolist()):
        out[int(shards[s])] = np.arange(s, e)
    return out


def split_drops(whole: DropDecision) -> dict[int, DropDecision]:
    """Drops of the whole corpus split by shard (each sorted by ordinal)."""
    return {shard: whole.part(ix) for shard, ix in _by_shard(whole.ords).items()}


class _Stage:
    """A corpus step as Ray Data shuffles: only the Ray plumbing, every decision is the step's.

    A stage writes ``rows`` (one shard's fingerprint rows, with the step's own
    ``fingerprint`` / ``prepare``), ``group`` (one shuffle partition, deciding with the step
    module's functions) and ``decide`` (the shuffles, then the step's decision object on
    the driver, and the Ray figures of the run in ``self.figures``). What the decision
    does and reports is the step's: :meth:`load` is ``CorpusStep.applying``, :meth:`report`
    the decision's ``report()``.
    """

    name = ""

    def __init__(self, options: Options):
        self.options = options
        self.figures: dict[str, Any] = {}

    @staticmethod
    def step_class() -> type[CorpusStep]:  # pragma: no cover - abstract
        raise NotImplementedError

    def make_step(self) -> CorpusStep:
        """The step itself, for its ``fingerprint`` (and ``prepare``)."""
        return self.step_class().from_options(self.options)

    def load(self, decision: Any) -> CorpusStep:
        """The step applying ``decision`` (a shard's part of it), as the local engine applies it."""
        return self.step_class().applying(decision)

    def report(self, decision: Any) -> dict[str, Any]:
        """The step's report figures (``decision.report()``, as the local engine's) and the Ray figures."""
        return {**decision.report(), **self.figures}


def _collect(ds, schema: pa.Schema) -> pa.Table:
    """A (small) dataset's rows as one pyarrow table on the driver."""
    parts = [b for b in ds.iter_batches(batch_format="pyarrow", batch_size=None) if b.num_rows]
    return pa.concat_tables([p.cast(schema) for p in parts]) if parts else _empty(schema)
