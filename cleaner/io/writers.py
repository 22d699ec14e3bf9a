"""Sharded, atomic, reproducible writers: ``clean-00000.jsonl.gz``, ``dropped-...``, ``rejects-...``.

A shard is written under a hidden temporary name (``.clean-00000.jsonl.gz.tmp``), synced
to disk and renamed when complete, so a reader never sees half a shard and ``clean-*``
never matches a temporary file. Output bytes depend only on the records: gzip headers
carry no time stamp or file name, zstd frames no checksum of the time, JSON keys keep the
order they were given in, Parquet row groups are cut at record counts that depend on the
records only.

Formats (``--output-format``): ``jsonl``, ``jsonl.gz``, ``jsonl.zst`` and ``parquet``
(zstd-compressed columns; one column per record field; a field whose values do not share
one type is stored as JSON text; the pipeline's own fields have fixed types, and every
shard of a kind has the same schema: :mod:`cleaner.io.writers_parquet`).

Records come one at a time (:meth:`ShardedWriter.write`) or as *segments*, runs of encoded
lines (:meth:`ShardedWriter.write_segment`) that a worker process may already have
compressed (:func:`pack_lines`): a ``jsonl.gz`` shard written by segments is one gzip
member whose deflate stream is the segments' own, each ended by a sync flush, so the
writer only copies them and keeps the CRC. Its bytes depend on the segments (and on
where shards end), not on which process compressed them.

Deflate is zlib-ng's (``zlib_ng``, the ``zlib-ng`` package): at the same level it writes
streams of about the size zlib writes (0.8 % larger on cleaned pages) in about a third of
the time; any gzip reader reads them. Its bytes are not zlib's, and they are the same in
every process and run.
"""
from __future__ import annotations

import json
import os
import struct
import zlib
from typing import Any, BinaryIO, Sequence

from zlib_ng import zlib_ng

#: Compression levels: a fair speed/size trade-off for corpora that are read many times.
GZIP_LEVEL = 6
ZSTD_LEVEL = 6
#: A Parquet row group is written once this many bytes of JSON-encoded records are buffered.
PARQUET_ROW_GROUP_BYTES = 64 << 20
#: ... or this many records, whichever comes first.
PARQUET_ROW_GROUP_ROWS = 50_000
FORMATS = ("jsonl", "jsonl.gz", "jsonl.zst", "parquet")
#: Shard name prefixes a run writes; a new run into the same folder removes their old shards first.
SHARD_PREFIXES = ("clean", "dropped", "rejects")


def dumps(record: dict[str, Any]) -> bytes:
    """One JSON line, UTF-8, no ASCII escaping of non-Latin text.

    Lone surrogates, which readers already replace, would be written as ``?`` rather
    than make invalid UTF-8.
    """
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8", "replace")


#: The gzip header the writer gives a shard: no file name, no time stamp (as ``gzip.GzipFile`` with ``mtime=0``).
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
#: The last, empty deflate block that ends a shard written by segments.
_DEFLATE_END = zlib_ng.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS).flush()


def pack_lines(lines: Sequence[bytes], fmt: str) -> bytes | None:
    """Encoded lines as a piece of a ``fmt`` shard written by segments: raw deflate ended by a
    sync flush (``jsonl.gz``), the lines themselves (``jsonl``), or ``None`` for a format
    whose shard is compressed as one stream by the writer (``jsonl.zst``: one zstd frame,
    which every zstd reader reads whole)."""
    data = b"".join(lines)
    if fmt == "jsonl.gz":
        c = zlib_ng.compressobj(GZIP_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
        return c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    if fmt == "jsonl":
        return data
    return None


def output_record(own: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """``own`` fields first, then the input's other fields; an input field named like one of
    ``own`` (``text``, ``title``, ...) is kept as ``input_<name>`` rather than overwrite it."""
    out = dict(own)
    for k, v in extra.items():
        key = k
        while key in out:
            key = "input_" + key
        out[key] = v
    return out


def shard_name(prefix: str, n: int, fmt: str) -> str:
    """``clean-00003.jsonl.gz``: the name of shard ``n`` (0-based)."""
    return f"{prefix}-{n:05d}.{fmt}"


def remove_shards(outdir: str, prefixes: tuple[str, ...] = SHARD_PREFIXES) -> None:
    """Delete the finished shards and left-over temporary shards of ``prefixes`` in ``outdir``."""
    for name in os.listdir(outdir):
        bare = name[1:] if name.startswith(".") and name.endswith(".tmp") else name
        head, _, rest = bare.partition("-")
        if head in prefixes and rest[:5].isdigit() and os.path.isfile(os.path.join(outdir, name)):
            os.remove(os.path.join(outdir, name))


def _sync_close(fh: BinaryIO) -> None:
    fh.flush()
    os.fsync(fh.fileno())
    fh.close()


class ShardedWriter:
    """Write JSON records to ``OUTDIR/{prefix}-{NNNNN}.{fmt}``, a new shard every ``shard_bytes``.

    ``fmt`` is one of :data:`FORMATS`; ``shard_bytes`` counts the uncompressed JSON of the
    records (a shard ends after the record that crosses it). Shards appear under their
    final name only when complete (hidden temporary name, fsync, :func:`os.replace`).
    ``close()`` must be called; ``paths`` lists the finished shards. Raises ``ValueError``
    for an unknown format and ``OSError`` when the folder cannot be written.
    """

    def __init__(self, outdir: str, prefix: str, fmt: str = "jsonl.gz", shard_bytes: int = 256 << 20):
        if fmt not in FORMATS:
            raise ValueError(f"unknown output format {fmt!r}; formats: {', '.join(FORMATS)}")
        self.outdir, self.prefix, self.fmt, self.shard_bytes = outdir, prefix, fmt, max(1, shard_bytes)
        self.paths: list[str] = []
        self.count = 0
        self._n = 0
        self._size = 0
        self._fh: BinaryIO | None = None      # JSONL: the (compressing) stream of the open shard
        self._raw: BinaryIO | None = None     # JSONL: the file under it
        self._crc: int | None = None          # jsonl.gz written by segments: the CRC-32 of the open shard
        self._pq: Any = None                  # Parquet: the open pyarrow ParquetWriter
        self._schema: Any = None
        self._rows: list[dict[str, Any]] = []
        self._rows_bytes = 0

    def _final(self) -> str:
        return os.path.join(self.outdir, shard_name(self.prefix, self._n, self.fmt))

    def _tmp(self) -> str:
        return os.path.join(self.outdir, "." + shard_name(self.prefix, self._n, self.fmt) + ".tmp")

    def write(self, record: dict[str, Any]) -> None:
        """Append one record; starts the next shard once this one holds ``shard_bytes``."""
        data = dumps(record)
        if self.fmt == "parquet":
            self._rows.append(record)
            self._rows_bytes += len(data)
            if self._rows_bytes >= PARQUET_ROW_GROUP_BYTES or len(self._rows) >= PARQUET_ROW_GROUP_ROWS:
                self._flush_rows()
            self._size += len(data)
            self.count += 1
            if self._size >= self.shard_bytes:
                self._finish()
        else:
            self.write_line(data)

    def write_line(self, data: bytes) -> None:
        """Append one record already encoded by :func:`dumps` (JSONL formats only: Parquet needs :meth:`write`)."""
        if self.fmt == "parquet":
            raise ValueError("write_line takes encoded JSON lines; give Parquet writers the record with write()")
        if self._crc is not None:   # a shard begun by segments goes on so
            self.write_segment([data])
            return
        if self._fh is None:
            self._open_jsonl()
        self._fh.write(data)  # type: ignore[union-attr]
        self._size += len(data)
        self.count += 1
        if self._size >= self.shard_bytes:
            self._finish()

    def write_segment(self, lines: Sequence[bytes], packed: bytes | None = None) -> None:
        """Append encoded lines (:func:`dumps`) as segments of the shards they fall in.

        ``packed``: ``pack_lines(lines, fmt)``, made where the lines were (a worker), or
        ``None`` to pack them here. A shard still ends after the line that crosses
        ``shard_bytes``; a segment that such a line ends early is cut there, and its
        parts packed here. A format without segments (``jsonl.zst``), or a shard begun
        with :meth:`write_line`, takes the lines one by one.
        """
        if self.fmt == "parquet":
            raise ValueError("write_segment takes encoded JSON lines; give Parquet writers the record with write()")
        lines = list(lines)
        if self.fmt not in ("jsonl.gz", "jsonl") or (self._fh is not None and self._crc is None):
            for line in lines:
                self.write_line(line)
            return
        while lines:
            room, acc, cut = self.shard_bytes - self._size, 0, len(lines)
            for i, line in enumerate(lines):
                acc += len(line)
                if acc >= room:
                    cut = i + 1
                    break
            part, lines = lines[:cut], lines[cut:]
            if packed is None or lines:
                packed = pack_lines(part, self.fmt)
            self._put_segment(part, packed, acc)  # type: ignore[arg-type]
            packed = None
            if self._size >= self.shard_bytes:
                self._finish()

    def _put_segment(self, lines: list[bytes], packed: bytes, size: int) -> None:
        if self._raw is None:
            self._raw = open(self._tmp(), "wb")
            self._fh = self._raw
            self._crc = 0
            if self.fmt == "jsonl.gz":
                self._raw.write(GZIP_HEADER)
        self._raw.write(packed)
        if self.fmt == "jsonl.gz":
            crc = self._crc
            for line in lines:
                crc = zlib.crc32(line, crc)
            self._crc = crc
        self._size += size
        self.count += len(lines)

    def _open_jsonl(self) -> None:
        self._raw = open(self._tmp(), "wb")
        if self.fmt == "jsonl.gz":
            from zlib_ng import gzip_ng
            self._fh = gzip_ng.GzipNGFile(filename="", mode="wb", fileobj=self._raw, compresslevel=GZIP_LEVEL, mtime=0)  # type: ignore[assignment]
        elif self.fmt == "jsonl.zst":
            import zstandard
            self._fh = zstandard.ZstdCompressor(level=ZSTD_LEVEL).stream_writer(self._raw, closefd=False)  # type: ignore[assignment]
        else:
            self._fh = self._raw

    # ---------------------------------------------------------------- Parquet

    def _flush_rows(self) -> None:
        """Write the buffered rows as one row group, in this shard if their columns fit it, else in a new one."""
        if not self._rows:
            return
        import pyarrow.parquet as pq
        from .writers_parquet import conform, merged_schema, rows_to_table

        table = rows_to_table(self._rows)
        self._rows, self._rows_bytes = [], 0
        if self._pq is not None and not table.schema.equals(self._schema):
            fitted = conform(table, self._schema)
            if fitted is None:      # new columns or types: they start a shard of their own
                merged = merged_schema(self._schema, table.schema)
                self._finish_file()
                fitted = conform(table, merged) if merged is not None else None
            table = fitted if fitted is not None else table
        if self._pq is None:
            self._schema = table.schema
            self._pq = pq.ParquetWriter(self._tmp(), table.schema, compression="zstd",
                                        compression_level=ZSTD_LEVEL, write_statistics=True)
        self._pq.write_table(table)

    def _finish_file(self) -> None:
        """Close and publish the open Parquet file (without touching the row buffer)."""
        if self._pq is None:
            return
        self._pq.close()
        self._pq = None
        with open(self._tmp(), "rb") as fh:
            os.fsync(fh.fileno())
        self._publish()

    # ---------------------------------------------------------------- shards

    def _publish(self) -> None:
        final = self._final()
        os.replace(self._tmp(), final)
        self.paths.append(final)
        self._n += 1
        self._size = 0

    def _finish(self) -> None:
        if self.fmt == "parquet":
            self._flush_rows()
            self._finish_file()
            return
        if self._fh is None:
            return
        if self._fh is not self._raw:
            self._fh.close()
        elif self._crc is not None and self.fmt == "jsonl.gz":   # written by segments: end the gzip member
            self._raw.write(_DEFLATE_END + struct.pack("<II", self._crc, self._size & 0xFFFFFFFF))  # type: ignore[union-attr]
        _sync_close(self._raw)  # type: ignore[arg-type]
        self._fh = self._raw = None
        self._crc = None
        self._publish()

    def close(self) -> None:
        """Finish the open shard. A writer that got no record leaves no file.

        Parquet: every shard is then given one schema, the union of theirs
        (:func:`cleaner.io.writers_parquet.unify_shards`), so that the folder reads as one dataset.
        """
        self._finish()
        if self.fmt == "parquet" and len(self.paths) > 1:
            from .writers_parquet import unify_shards
            unify_shards(self.paths)

    def __enter__(self) -> "ShardedWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_json_atomic(path: str, obj: Any) -> None:
    """Write ``obj`` as indented JSON to ``path`` via a hidden temporary file, fsync and a rename."""
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write((json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode("utf-8", "replace"))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
