"""Hugging Face datasets on disk: ``save_to_disk`` folders (Arrow) and folders of Parquet shards."""
from __future__ import annotations

import dataclasses
import glob
import json
import os

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from cleaner.config import Options
from cleaner.io.readers import RawRecord, iter_records
from cleaner.engines.local.run import run

from conftest import PARAGRAPHS, page_html, read_jsonl_gz

ROWS = {"doc_id": [f"d{i}" for i in range(4)], "body": [f"Row {i}. {p}" for i, p in enumerate(PARAGRAPHS[:4])],
        "link": [f"https://ex.org/{i}" for i in range(4)], "score": [0.5, 1.5, None, 2.0]}
FIELDS = dict(id_field="doc_id", text_field="body", url_field="link")


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False, workers=1, **FIELDS), **kw)


def _rows(outdir, kind):
    return [r for p in sorted(glob.glob(os.path.join(outdir, f"{kind}-*.jsonl.gz"))) for r in read_jsonl_gz(p)]


def _check(records, n=4):
    assert all(isinstance(r, RawRecord) for r in records)
    assert [r.id for r in records] == ROWS["doc_id"][:n] and [r.url for r in records] == ROWS["link"][:n]
    assert [r.text for r in records] == ROWS["body"][:n] and records[1].extra == {"score": 1.5}


def test_a_saved_dataset_and_its_parquet_shards_read_with_the_field_options(tmp_path):
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict(ROWS)
    ds.save_to_disk(str(tmp_path / "saved"))
    datasets.DatasetDict({"train": ds, "test": ds.select([0])}).save_to_disk(str(tmp_path / "splits"))
    ds.to_parquet(str(tmp_path / "shards" / "data" / "train-00000-of-00001.parquet"))
    _check(list(iter_records([str(tmp_path / "saved")], _opts())))
    _check(list(iter_records([str(tmp_path / "shards")], _opts())))
    recs = list(iter_records([str(tmp_path / "splits")], _opts()))  # test/ then train/, no metadata file as a record
    assert [r.id for r in recs] == ["d0"] + ROWS["doc_id"] and all(isinstance(r, RawRecord) for r in recs)
    res = run([str(tmp_path / "saved")], _opts(), str(tmp_path / "out"))
    d = res.report["documents"]
    assert d["in"] == 4 == d["clean"] + d["dropped"] + d["rejected"]
    clean = _rows(tmp_path / "out", "clean")
    assert [r["source_row"] for r in clean] == [0, 1, 2, 3] and clean[0]["source"].endswith(".arrow")


def test_arrow_files_in_stream_and_file_format_without_datasets(tmp_path):
    table = pa.table(ROWS)
    (tmp_path / "ds").mkdir()
    with ipc.new_stream(str(tmp_path / "ds" / "data-00000-of-00002.arrow"), table.schema) as w:
        w.write_table(table.slice(0, 2), max_chunksize=1)
    with ipc.new_file(str(tmp_path / "ds" / "data-00001-of-00002.arrow"), table.schema) as w:
        w.write_table(table.slice(2))
    (tmp_path / "ds" / "state.json").write_text(json.dumps({"_data_files": [{"filename": "data-00000-of-00002.arrow"}]}))
    (tmp_path / "ds" / "dataset_info.json").write_text("{}")
    _check(list(iter_records([str(tmp_path / "ds")], _opts())))


def test_a_broken_arrow_file_is_one_reject_and_html_rows_are_pages(tmp_path):
    (tmp_path / "bad.arrow").write_bytes(b"not arrow at all" * 10)
    table = pa.table({"html": [page_html("Harbour", PARAGRAPHS)], "id": ["p"]})
    with ipc.new_stream(str(tmp_path / "pages.arrow"), table.schema) as w:
        w.write_table(table)
    res = run([str(tmp_path)], Options(progress=False, workers=1), str(tmp_path / "out"))
    assert res.report["documents"] == {"in": 2, "clean": 1, "dropped": 0, "rejected": 1}
    (rej,) = _rows(tmp_path / "out", "rejects")
    assert rej["position"] == -1 and "Arrow" in rej["error"]
