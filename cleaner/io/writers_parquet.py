"""Parquet shards that read as one dataset: fixed types for the pipeline's own fields, one schema per kind.

``pyarrow.dataset`` and Hugging Face ``datasets`` take the schema of a folder of Parquet
files from one file and refuse (or mis-read) files whose schema differs. Two things made
shards differ: a column whose values were all null in one shard got Arrow's ``null`` type
there and ``string`` in the next, and an input field first seen (or changing type) late in
the run made a shard of its own with more columns. So:

* the fields the pipeline writes itself (:data:`FIELD_TYPES`: ``id``, ``text``,
  ``language_score``, ``source_line``, ``position``, ...) always have the same Arrow type;
* when a writer closes, :func:`unify_shards` gives every shard it wrote the union of their
  schemas (a missing column null, a type promoted, e.g. ``int64`` to ``double``); a column
  whose types cannot be unified is JSON text (``string``) in every shard, as it already is
  inside one shard. Row groups and the order of rows stay as they were.
"""
from __future__ import annotations

import json
import os
from typing import Any, Sequence

#: Arrow types of the fields the pipeline writes (clean, dropped and rejects records).
FIELD_TYPES = {**{k: "string" for k in ("id", "url", "title", "text", "language", "source", "reason",
                                       "duplicate_of", "kind", "error", "warc_date", "warc_language")},
               **{k: "float64" for k in ("language_score", "similarity")},
               **{k: "int64" for k in ("source_line", "source_row", "source_offset", "position")}}
#: zstd level of the columns (as :data:`cleaner.io.writers.ZSTD_LEVEL`).
ZSTD_LEVEL = 6


def _errors() -> tuple[type[BaseException], ...]:
    import pyarrow as pa
    return (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, OverflowError)


def _json_text(values: Sequence[Any]):
    """A string array of ``values``: strings as they are, anything else as compact JSON, ``None`` null."""
    import pyarrow as pa
    return pa.array([None if v is None else v if isinstance(v, str) else
                     json.dumps(v, ensure_ascii=False, separators=(",", ":")) for v in values], pa.string())


def rows_to_table(rows: list[dict[str, Any]]):
    """A pyarrow table of JSON-ready records; a column whose values share no Parquet type holds JSON text.

    Fields of :data:`FIELD_TYPES` get their fixed type (a column of nulls too).
    """
    import pyarrow as pa

    names: dict[str, None] = {}
    for r in rows:
        names.update(dict.fromkeys(r))
    cols, fields = [], []
    for name in names:
        values = [r.get(name) for r in rows]
        fixed = FIELD_TYPES.get(name)
        try:
            arr = pa.array(values, type=pa.type_for_alias(fixed)) if fixed else pa.array(values)
            if not _parquet_ok(arr.type):
                raise pa.ArrowInvalid("no Parquet type")
        except _errors():
            arr = _json_text(values)
        cols.append(arr)
        fields.append(pa.field(name, arr.type))
    return pa.Table.from_arrays(cols, schema=pa.schema(fields))


def _parquet_ok(t) -> bool:
    """False for types Parquet cannot store (a struct without fields, at any depth)."""
    import pyarrow as pa

    if pa.types.is_struct(t):
        return t.num_fields > 0 and all(_parquet_ok(t.field(i).type) for i in range(t.num_fields))
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _parquet_ok(t.value_type)
    return True


def merged_schema(a, b):
    """The schema that holds columns of both ``a`` and ``b`` (types promoted), or ``None``."""
    import pyarrow as pa

    try:
        return pa.unify_schemas([a, b], promote_options="permissive")
    except _errors():
        return None


def conform(table, schema, as_text: bool = False):
    """``table`` with exactly the columns of ``schema`` (missing ones null), or ``None`` when it has
    other columns or a value that does not cast. With ``as_text``, a column that ``schema``
    makes ``string`` from another type is written as JSON text (instead of refused)."""
    import pyarrow as pa

    if not set(table.column_names) <= set(schema.names):
        return None
    cols = []
    try:
        for f in schema:
            if f.name not in table.column_names:
                cols.append(pa.nulls(len(table), f.type))
                continue
            col = table.column(f.name)
            if col.type.equals(f.type):
                cols.append(col)
            elif as_text and pa.types.is_string(f.type) and not pa.types.is_null(col.type):
                cols.append(_json_text(col.to_pylist()))
            else:
                cols.append(col.cast(f.type))
    except _errors():
        return None
    return pa.Table.from_arrays(cols, schema=schema)


def common_schema(schemas: Sequence[Any]):
    """One schema holding every column of ``schemas`` in first-seen order: types promoted where
    Arrow can (``null`` to anything, ``int64`` to ``double``), ``string`` (JSON text) where not."""
    import pyarrow as pa

    order: dict[str, list[Any]] = {}
    for sch in schemas:
        for f in sch:
            order.setdefault(f.name, []).append(f.type)
    fields = []
    for name, types in order.items():
        try:
            t = pa.unify_schemas([pa.schema([pa.field(name, x)]) for x in types],
                                 promote_options="permissive").field(name).type
        except _errors():
            t = pa.string()
        fields.append(pa.field(name, t))
    return pa.schema(fields)


def unify_shards(paths: Sequence[str]) -> None:
    """Rewrite the Parquet files of ``paths`` whose schema is not their :func:`common_schema`.

    Each is rewritten row group by row group (same rows, same row groups) under a hidden
    temporary name, synced and renamed over the old file. Raises ``OSError`` when a file
    cannot be read or written, ``ValueError`` when a column cannot take the common type.
    """
    import pyarrow.parquet as pq

    schemas = [pq.read_schema(p) for p in paths]
    target = common_schema(schemas)
    for path, sch in zip(paths, schemas):
        if sch.equals(target):
            continue
        tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".unify.tmp")
        src = pq.ParquetFile(path)
        with pq.ParquetWriter(tmp, target, compression="zstd", compression_level=ZSTD_LEVEL,
                              write_statistics=True) as out:
            for i in range(src.num_row_groups):
                part = conform(src.read_row_group(i), target, as_text=True)
                if part is None:
                    raise ValueError(f"{path}: row group {i} does not fit the shards' common schema {target}")
                out.write_table(part)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
