"""The Ray engine's parts that need no Ray: input listing through pyarrow, and the shuffle group functions."""
from __future__ import annotations

import os

import numpy as np
import pyarrow as pa

from cleaner.config import Options
from cleaner.engines.ray_corpus import ExactStage, NearStage, TemplatesStage, split_drops
from cleaner.engines.shard_work import iter_shard_records, ordinal, shard_of
from cleaner.engines.storage import list_input_shards
from cleaner.io.readers import iter_records, list_inputs


def _tree(root):
    for rel in ["b.txt", "a.jsonl", "z/c.txt", "z/a/d.txt", "y/e.txt", ".hidden.txt", "notes.md"]:
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text('{"text": "x"}\n' if rel.endswith(".jsonl") else "text\n", encoding="utf-8")


def test_uri_listing_has_the_local_order_and_record_ids(tmp_path):
    _tree(tmp_path)
    local = [os.path.relpath(p, tmp_path) for p, _ in list_inputs([str(tmp_path)])]
    shards = list_input_shards([f"file://{tmp_path}"])
    assert [os.path.relpath(s.path[len("file://"):], tmp_path) for s in shards] == local
    assert [s.index for s in shards] == list(range(len(local)))
    opts = Options()
    want = [r.id for r in iter_records([str(tmp_path)], opts)]
    got = [r.id for s in shards for r in iter_shard_records(s, opts)]
    assert got == want and "z/a/d.txt" in got


def test_ordinals_keep_input_order_across_shards():
    ords = [ordinal(s, p) for s in range(3) for p in (0, 1, 5_000_000)]
    assert ords == sorted(ords) and [shard_of(o) for o in ords] == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_split_drops_groups_by_shard_in_ordinal_order():
    ords = np.array([ordinal(2, 1), ordinal(0, 7), ordinal(2, 0)], dtype=np.int64)
    parts = split_drops(ords, ["k1", "k7", "k0"], np.array([0.9, 0.8, 0.7], dtype=np.float32))
    assert sorted(parts) == [0, 2]
    assert parts[2].ords.tolist() == [ordinal(2, 0), ordinal(2, 1)] and parts[2].kept_ids == ["k0", "k1"]


def test_template_group_counts_copies_of_a_page_once():
    stage = TemplatesStage(Options(template_min_pages=3, template_min_share=0.3))
    block, other = 7, 9
    # three rows, but two are the same page content (same page key): the block is on 2 distinct pages
    t = pa.table({"hk": pa.array([1, 1, 1], pa.uint64()), "pk": pa.array([10, 10, 11], pa.uint64()),
                  "keys": pa.array([[block], [block], [block, other]], pa.list_(pa.uint64()))})
    assert stage.group(t).num_rows == 0
    t3 = pa.concat_tables([t, pa.table({"hk": pa.array([1], pa.uint64()), "pk": pa.array([12], pa.uint64()),
                                        "keys": pa.array([[block]], pa.list_(pa.uint64()))})])
    got = stage.group(t3).to_pylist()
    assert got == [{"key": block, "pages": 3, "host_pages": 3}]


def test_exact_group_keeps_the_smallest_id():
    stage = ExactStage(Options())
    t = pa.table({"ord": pa.array([5, 1, 3], pa.int64()), "key": pa.array([4, 4, 4], pa.uint64()),
                  "id": ["m", "z", "b"]})
    assert sorted(stage.group(t).to_pylist(), key=lambda r: r["ord"]) == [{"ord": 1, "kept": "b"}, {"ord": 5, "kept": "b"}]
    assert stage.group(t.slice(0, 1)).num_rows == 0


def test_near_group_verifies_candidates_against_the_threshold():
    stage = NearStage(Options(near_dup_jaccard=0.7, minhash_permutations=64))
    base = np.arange(64, dtype=np.uint32)
    close = base.copy(); close[:10] += 1000          # 54/64 = 0.84 equal: a near-duplicate
    far = base.copy(); far[:40] += 1000              # 24/64 = 0.38: a chance band collision
    sigs = [base, close, far]
    t = pa.table({"band": pa.array([0, 0, 0], pa.int32()), "bkey": pa.array([1, 1, 1], pa.uint64()),
                  "ord": pa.array([30, 10, 20], pa.int64()), "size": pa.array([500, 500, 500], pa.uint32()),
                  "sig": [s.tobytes() for s in sigs], "small": [b"", b"", b""]})
    assert stage.group(t).to_pylist() == [{"a": 10, "b": 30}]


def test_group_functions_keep_the_groups_of_one_partition_apart():
    exact = ExactStage(Options())
    t = pa.table({"ord": pa.array([1, 2, 3, 4], pa.int64()), "key": pa.array([8, 9, 8, 5], pa.uint64()),
                  "id": ["b", "a", "a", "c"]})
    assert exact.group(t).to_pylist() == [{"ord": 1, "kept": "a"}]
    near = NearStage(Options(near_dup_jaccard=0.7, minhash_permutations=64))
    sig = np.arange(64, dtype=np.uint32).tobytes()
    # equal signatures, but in two different bands' buckets of one document each: no pair
    t = pa.table({"band": pa.array([0, 1], pa.int32()), "bkey": pa.array([1, 1], pa.uint64()),
                  "ord": pa.array([1, 2], pa.int64()), "size": pa.array([500, 500], pa.uint32()),
                  "sig": [sig, sig], "small": [b"", b""]})
    assert near.group(t).num_rows == 0
    t2 = t.set_column(0, "band", pa.array([1, 1], pa.int32()))
    assert near.group(t2).to_pylist() == [{"a": 1, "b": 2}]


def test_pass1_of_a_shard_resumes_from_its_finished_spool(tmp_path):
    from cleaner.engines.shard_work import iter_spool, run_pass1
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.jsonl").write_text('{"id": "x", "text": "One line of text."}\n{broken\n', encoding="utf-8")
    shard = list_input_shards([str(src)])[0]
    work = tmp_path / "work"
    work.mkdir()
    first = run_pass1(shard, Options(), str(work))
    assert first["records"] == 2 and not first["resumed"]
    outcomes = list(iter_spool(str(work), 0))
    assert outcomes[0].doc.id == "x"
    assert outcomes[1].reject is not None
    (src / "a.jsonl").unlink()  # a resumed shard is not read again
    assert run_pass1(shard, Options(), str(work))["resumed"]
