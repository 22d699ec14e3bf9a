"""The Ray engine's parts that need no Ray: input listing through pyarrow, and the shuffle group functions."""
from __future__ import annotations

import os

import numpy as np
import pyarrow as pa

from cleaner.config import Options
from cleaner.corpus.near import NearDuplicates
from cleaner.document import Document
from cleaner.engines.ray.corpus import split_drops
from cleaner.engines.ray.exact import ExactStage
from cleaner.engines.ray.near import NearStage
from cleaner.engines.ray.templates import TemplatesStage
from cleaner.engines.ray.shards import iter_shard_records, ordinal, shard_of
from cleaner.engines.ray.storage import list_input_shards
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


def test_uri_listing_skips_the_output_folder_and_dot_folders(tmp_path):
    _tree(tmp_path)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "clean-00000-00000.jsonl").write_text('{"text": "x"}\n', encoding="utf-8")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "f.txt").write_text("x\n", encoding="utf-8")
    names = [s.path.rsplit("/", 2)[-2:] for s in list_input_shards([f"file://{tmp_path}"], exclude=(f"file://{tmp_path}/out",))]
    assert ["out", "clean-00000-00000.jsonl"] not in names and [".cache", "f.txt"] not in names
    assert len(names) == 6  # notes.md too: a file of any name is an input (sniffed when read)


def test_ordinals_keep_input_order_across_shards():
    ords = [ordinal(s, p) for s in range(3) for p in (0, 1, 5_000_000)]
    assert ords == sorted(ords) and [shard_of(o) for o in ords] == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_split_drops_groups_by_shard_in_ordinal_order():
    ords = np.array([ordinal(2, 1), ordinal(0, 7), ordinal(2, 0)], dtype=np.int64)
    from cleaner.corpus.drops import DropDecision
    parts = split_drops(DropDecision.by_ordinal(ords, ["k1", "k7", "k0"], np.array([0.9, 0.8, 0.7], dtype=np.float32)))
    assert sorted(parts) == [0, 2]
    assert parts[2].ords.tolist() == [ordinal(2, 0), ordinal(2, 1)] and parts[2].kept_ids == ["k0", "k1"]


def test_template_group_counts_copies_of_a_page_once():
    stage = TemplatesStage(Options(template_min_pages=3, template_min_share=0.3))
    block, other = (1 << 32) | 7, (1 << 32) | 9   # packed keys: host key 1 in the high half
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
    assert sorted(stage.group(t).to_pylist(), key=lambda r: r["ord"]) == [{"ord": 1, "kept": "b", "kept_ord": 3},
                                                                          {"ord": 5, "kept": "b", "kept_ord": 3}]
    assert stage.group(t.slice(0, 1)).num_rows == 0


def _near_docs():
    import random
    rng = random.Random(5)
    words = "tide ferry quay gull rope sail mast hull keel buoy pier dock crane cargo net reef".split()
    texts = [" ".join(rng.choice(words) for _ in range(120)) for _ in range(12)]
    for src in (0, 3, 7):  # near copies: a few words changed
        w = texts[src].split()
        for k in range(0, len(w), 40):
            w[k] = "lighthouse"
        texts.append(" ".join(w))
    texts.append(texts[5])  # an exact copy is a near-duplicate too
    return [Document(f"d{i:02d}", None, t) for i, t in enumerate(texts)]


def test_near_stage_functions_find_the_local_engines_clusters():
    opts = Options()
    docs = _near_docs()
    local = NearDuplicates.from_options(opts)
    for i, d in enumerate(docs):
        local.observe(i, d.id, local.fingerprint(d))
    local.decide()
    stage = NearStage(opts)
    fps = stage.rows(stage.make_step(), enumerate(docs))  # ordinal = position
    members = stage.members(stage.explode(fps))
    joined = stage.join(pa.concat_tables([stage.as_membership(members), stage.as_payload(fps)]))
    pairs = stage.group(joined).to_pylist()
    assert pairs, "the corpus has near-duplicates"
    in_pairs = {p["a"] for p in pairs} | {p["b"] for p in pairs}
    position = {d.id: i for i, d in enumerate(docs)}
    clustered = set()
    for i, d in enumerate(docs):
        local.apply(i, d)
        if d.dropped:
            clustered |= {i, position[d.drop_detail["duplicate_of"]]}
    assert in_pairs == clustered


def test_near_join_attaches_each_documents_payload_to_its_memberships():
    stage = NearStage(Options())
    fps = stage.rows(stage.make_step(), enumerate(_near_docs()[:3]))
    mem = pa.table({"bucket": pa.array([7, 9, 7], pa.uint64()), "ord": pa.array([2, 2, 0], pa.int64())})
    joined = stage.join(pa.concat_tables([stage.as_payload(fps), stage.as_membership(mem)])).sort_by("bucket")
    assert joined.column("ord").to_pylist() in ([2, 0, 2], [0, 2, 2])
    by_ord = dict(zip(fps.column("ord").to_pylist(), fps.column("sketch").to_pylist()))
    assert all(r["sketch"] == by_ord[r["ord"]] for r in joined.to_pylist())


def test_group_functions_keep_the_groups_of_one_partition_apart():
    exact = ExactStage(Options())
    t = pa.table({"ord": pa.array([1, 2, 3, 4], pa.int64()), "key": pa.array([8, 9, 8, 5], pa.uint64()),
                  "id": ["b", "a", "a", "c"]})
    assert exact.group(t).to_pylist() == [{"ord": 1, "kept": "a", "kept_ord": 3}]
    near = NearStage(Options())
    sig = np.arange(128, dtype=np.uint32).tobytes()
    sketch = (np.arange(100, dtype=np.uint32) * 7).tobytes()
    # equal documents, but in two different buckets of one document each: no pair
    t = pa.table({"bucket": pa.array([1, 1 | 1 << 32], pa.uint64()), "ord": pa.array([1, 2], pa.int64()),
                  "size": pa.array([100, 100], pa.uint32()), "sig": [sig, sig], "sketch": [sketch, sketch]})
    assert near.group(t).num_rows == 0
    t2 = t.set_column(0, "bucket", pa.array([5, 5], pa.uint64()))
    assert near.group(t2).to_pylist() == [{"a": 1, "b": 2}]


def test_pass1_of_a_shard_resumes_from_its_finished_spool(tmp_path):
    from cleaner.engines.ray.shards import iter_spool, run_pass1
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


def test_near_members_merge_buckets_with_the_same_documents():
    stage = NearStage(Options())
    band = lambda b, key: (b << 32) | key  # noqa: E731
    t = pa.table({"bucket": pa.array([band(0, 5), band(0, 5), band(1, 9), band(1, 9), band(2, 4), band(2, 4),
                                      band(2, 4), band(3, 7)], pa.uint64()),
                  "ord": pa.array([1, 2, 2, 1, 1, 2, 3, 1], pa.int64())})
    got = stage.members(t).to_pylist()
    sets: dict[int, list[int]] = {}
    for r in got:
        sets.setdefault(r["bucket"], []).append(r["ord"])
    # bands 0 and 1 hold {1, 2}: one set; band 2 holds {1, 2, 3}; band 3 has one document: none
    assert sorted(sorted(v) for v in sets.values()) == [[1, 2], [1, 2, 3]]
