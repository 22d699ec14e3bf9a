"""Parquet output reads as one dataset: every shard of a kind has one schema, the pipeline's fields fixed types."""
from __future__ import annotations

import glob
import json

import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
import pytest

import cleaner
from cleaner.io.writers import ShardedWriter

PARAS = ["The harbour authority approved a plan to dredge the eastern channel before the storms.",
         "Fishermen said the silt had narrowed the passage so much that boats wait for high tide.",
         "The council will vote on the budget for the new lighthouse keeper's cottage in spring.",
         "A local bakery won the regional prize for its rye bread for the third year running."]


def _records():
    out = []
    for i, p in enumerate(PARAS):
        rec = {"id": f"r{i}", "text": p, "score": None if i < 2 else i, "batch": i if i < 2 else f"b{i}"}
        if i == 3:
            rec["late"] = {"a": 1}   # a field only the last records have
        out.append(rec)
    return out


@pytest.mark.parametrize("workers", [1, 2])
def test_every_clean_shard_has_one_schema_and_the_folder_reads_as_one_dataset(tmp_path, workers):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    out = tmp_path / "out"
    cleaner.run([src], out, cleaner.Options(output_format="parquet", shard_size_mb=0.0001, workers=workers,
                                            progress=False, near_dedup=False))
    shards = sorted(glob.glob(str(out / "clean-*.parquet")))
    assert len(shards) == 4, "one record a shard, so that the shards' own types would differ"
    schemas = [pq.read_schema(p) for p in shards]
    assert all(s.equals(schemas[0]) for s in schemas), [str(s) for s in schemas]
    sch = schemas[0]
    assert sch.field("title").type == pa.string() and sch.field("language_score").type == pa.float64()
    assert sch.field("score").type == pa.int64() and sch.field("batch").type == pa.string()
    rows = sorted(pads.dataset(shards, format="parquet").to_table().to_pylist(), key=lambda r: r["id"])
    assert [r["id"] for r in rows] == ["r0", "r1", "r2", "r3"]
    assert [r["score"] for r in rows] == [None, None, 2, 3]
    assert [r["batch"] for r in rows] == ["0", "1", "b2", "b3"], "no common type: JSON text in every shard"
    assert [r["late"] for r in rows] == [None, None, None, {"a": 1}], "a late field: null in the shards before"


def test_a_column_of_nulls_keeps_the_pipelines_type(tmp_path):
    w = ShardedWriter(str(tmp_path), "dropped", "parquet", shard_bytes=1)
    w.write({"id": "a", "url": None, "reason": "near-duplicate", "duplicate_of": None, "similarity": None})
    w.write({"id": "b", "url": "https://x.example/", "reason": "near-duplicate", "duplicate_of": "a", "similarity": 0.9})
    w.close()
    schemas = [pq.read_schema(p) for p in w.paths]
    assert len(schemas) == 2 and schemas[0].equals(schemas[1])
    assert schemas[0].field("url").type == pa.string() and schemas[0].field("similarity").type == pa.float64()
