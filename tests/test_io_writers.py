"""Writers: sharding by size, atomic shards, reproducible bytes in every output format."""
from __future__ import annotations

import dataclasses
import glob
import gzip
import io
import json
import os

import pyarrow.parquet as pq
import pytest
import zstandard

from cleaner.config import Options
from cleaner.io.writers import FORMATS, ShardedWriter, output_record, remove_shards, write_json_atomic
from cleaner.engines.local.run import run

from conftest import read_outputs

RECORDS = [{"id": f"d{i}", "url": f"https://ex.org/{i}", "text": f"Paragraph {i} " + "Ünïcode words " * (i % 7),
            "n": i, "tags": ["a", str(i)]} for i in range(300)]


def read_back(path: str) -> list[dict]:
    """Records of one shard, whatever its format."""
    if path.endswith(".parquet"):
        return pq.read_table(path).to_pylist()
    data = open(path, "rb").read()
    if path.endswith(".gz"):
        data = gzip.decompress(data)
    elif path.endswith(".zst"):
        data = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def _write(outdir, fmt, records, shard_bytes):
    os.makedirs(outdir, exist_ok=True)
    with ShardedWriter(str(outdir), "clean", fmt, shard_bytes) as w:
        for r in records:
            w.write(r)
    return w


@pytest.mark.parametrize("fmt", FORMATS)
def test_shards_split_by_size_and_hold_every_record_in_order(tmp_path, fmt):
    w = _write(tmp_path, fmt, RECORDS, shard_bytes=8_000)
    names = sorted(os.listdir(tmp_path))
    assert names == [f"clean-{i:05d}.{fmt}" for i in range(len(names))] and len(names) > 3
    assert w.paths == [str(tmp_path / n) for n in names] and w.count == len(RECORDS)
    back = [r for p in w.paths for r in read_back(p)]
    assert back == RECORDS


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_same_records_give_the_same_bytes(tmp_path, fmt):
    _write(tmp_path / "a", fmt, RECORDS, shard_bytes=20_000)
    _write(tmp_path / "b", fmt, RECORDS, shard_bytes=20_000)
    a, b = read_outputs(tmp_path / "a"), read_outputs(tmp_path / "b")
    assert a and a == b


def test_gzip_shards_carry_no_time_stamp(tmp_path):
    w = _write(tmp_path, "jsonl.gz", RECORDS[:3], shard_bytes=1 << 20)
    head = open(w.paths[0], "rb").read(10)
    assert head[:2] == b"\x1f\x8b" and head[4:8] == b"\x00\x00\x00\x00"


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_shard_is_invisible_until_complete(tmp_path, fmt):
    w = ShardedWriter(str(tmp_path), "clean", fmt, shard_bytes=1 << 30)
    for r in RECORDS[:50]:
        w.write(r)
    if fmt == "parquet":
        w._flush_rows()  # a row group on disk, the shard still open
    assert glob.glob(str(tmp_path / "clean-*")) == []
    w.close()
    assert [os.path.basename(p) for p in glob.glob(str(tmp_path / "*"))] == [f"clean-00000.{fmt}"]
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


def test_a_writer_without_records_leaves_no_file(tmp_path):
    _write(tmp_path, "jsonl.gz", [], shard_bytes=100)
    assert os.listdir(tmp_path) == []


def test_parquet_keeps_fields_whose_types_change(tmp_path, monkeypatch):
    import cleaner.io.writers as writers
    monkeypatch.setattr(writers, "PARQUET_ROW_GROUP_ROWS", 2)
    rows = [{"id": "a", "x": None}, {"id": "b", "x": None},       # a column of nulls first
            {"id": "c", "x": "text"}, {"id": "d", "x": "more"},    # then strings: a wider schema
            {"id": "e", "x": 5, "y": {}}, {"id": "f", "x": "mixed", "y": "s"},  # no common type
            {"id": "g", "new": True}]
    w = _write(tmp_path, "parquet", rows, shard_bytes=1 << 30)
    back = [r for p in w.paths for r in read_back(p)]
    assert [r["id"] for r in back] == list("abcdefg")
    assert [r.get("x") for r in back] == [None, None, "text", "more", "5", "mixed", None]
    assert back[4]["y"] == "{}" and back[5]["y"] == "s" and back[6]["new"] is True


def test_output_record_never_lets_an_input_field_overwrite_a_pipeline_field():
    rec = output_record({"id": "a", "text": "clean"}, {"text": "raw", "input_text": "x", "lang": "en"})
    assert rec == {"id": "a", "text": "clean", "input_text": "raw", "input_input_text": "x", "lang": "en"}


def test_remove_shards_removes_old_and_half_written_shards_only(tmp_path):
    for n in ("clean-00000.jsonl.gz", ".clean-00001.jsonl.gz.tmp", "rejects-00000.parquet",
              "clean-notes.txt", "report.json", "my-data.jsonl"):
        (tmp_path / n).write_text("x")
    remove_shards(str(tmp_path))
    assert sorted(os.listdir(tmp_path)) == ["clean-notes.txt", "my-data.jsonl", "report.json"]


def test_write_json_atomic_replaces_the_file_whole(tmp_path):
    path = tmp_path / "report.json"
    write_json_atomic(str(path), {"a": 1})
    write_json_atomic(str(path), {"b": "é"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"b": "é"} and os.listdir(tmp_path) == ["report.json"]


@pytest.mark.parametrize("fmt", ["jsonl.zst", "parquet", "jsonl"])
def test_output_format_option_end_to_end(small_corpus, tmp_path, fmt):
    opts = Options(progress=False, workers=1, output_format=fmt)
    res = run([str(small_corpus)], opts, str(tmp_path / "out"))
    files = res.report["outputs"]
    assert all(n.endswith("." + fmt) for names in files.values() for n in names)
    clean = [r for n in files["clean"] for r in read_back(str(tmp_path / "out" / n))]
    rejects = [r for n in files["rejects"] for r in read_back(str(tmp_path / "out" / n))]
    assert len(clean) == res.report["documents"]["clean"] and len(rejects) == 1
    assert rejects[0]["kind"] == "not-json"
    again = run([str(small_corpus)], dataclasses.replace(opts, workers=2), str(tmp_path / "out2"))
    assert again.report["outputs"] == files
    assert read_outputs(tmp_path / "out") == read_outputs(tmp_path / "out2")


@pytest.mark.parametrize("fmt", ("jsonl.gz", "jsonl", "jsonl.zst"))
@pytest.mark.parametrize("shard_bytes", (1 << 30, 8_000, 1))
def test_segments_packed_anywhere_give_the_same_bytes_and_records(tmp_path, fmt, shard_bytes):
    """The final pass writes a spool file's lines of a kind at a time, packed by a worker or not."""
    from cleaner.io.writers import dumps, pack_lines
    lines = [dumps(r) for r in RECORDS]
    written = []
    for name, worker_packed in (("a", True), ("b", False)):
        os.makedirs(tmp_path / name)
        with ShardedWriter(str(tmp_path / name), "clean", fmt, shard_bytes) as w:
            for i in range(0, len(lines), 37):
                seg = lines[i:i + 37]
                w.write_segment(seg, pack_lines(seg, fmt) if worker_packed else None)
        written.append(w)
    assert read_outputs(tmp_path / "a") == read_outputs(tmp_path / "b")
    by_line = _write(tmp_path / "c", fmt, RECORDS, shard_bytes)   # shards end where they end record by record
    assert [os.path.basename(p) for p in written[0].paths] == [os.path.basename(p) for p in by_line.paths]
    assert [r for p in written[0].paths for r in read_back(p)] == RECORDS
    assert written[0].count == len(RECORDS)
    if fmt == "jsonl.gz":   # one gzip member, no time stamp, a valid CRC and length (gzip.decompress checks them)
        head = open(written[0].paths[0], "rb").read(10)
        assert head[:2] == b"\x1f\x8b" and head[4:8] == b"\x00\x00\x00\x00"
