"""Sharded, atomic, reproducible writers: ``clean-00000.jsonl.gz``, ``dropped-...``, ``rejects-...``.

A shard is written under a temporary name and renamed when complete, so a reader never
sees half a shard. Output bytes depend only on the records: gzip headers carry no time
stamp or file name, JSON keys keep the order they were given in.
"""
from __future__ import annotations

import gzip
import io
import json
import os
from typing import Any, BinaryIO

#: Compression levels: a fair speed/size trade-off for corpora that are read many times.
GZIP_LEVEL = 6
ZSTD_LEVEL = 6


def dumps(record: dict[str, Any]) -> bytes:
    """One JSON line, UTF-8, no ASCII escaping of non-Latin text."""
    return (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def _open_compressed(path: str, fmt: str) -> tuple[BinaryIO, list]:
    raw = open(path, "wb")
    if fmt == "jsonl.gz":
        return gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=GZIP_LEVEL, mtime=0), [raw]  # type: ignore[return-value]
    if fmt == "jsonl.zst":
        import zstandard
        return zstandard.ZstdCompressor(level=ZSTD_LEVEL).stream_writer(raw, closefd=False), [raw]  # type: ignore[return-value]
    return raw, []  # type: ignore[return-value]


class ShardedWriter:
    """Write JSON records to ``OUTDIR/{prefix}-{NNNNN}.{fmt}``, a new shard every ``shard_bytes``.

    ``fmt`` is ``jsonl``, ``jsonl.gz``, ``jsonl.zst`` or ``parquet``. Shards appear under
    their final name only when complete (temporary name, then :func:`os.replace`).
    ``close()`` must be called; ``paths`` lists the finished shards.
    """

    def __init__(self, outdir: str, prefix: str, fmt: str = "jsonl.gz", shard_bytes: int = 256 << 20):
        self.outdir, self.prefix, self.fmt, self.shard_bytes = outdir, prefix, fmt, max(1, shard_bytes)
        self.paths: list[str] = []
        self.count = 0
        self._n = 0
        self._fh: BinaryIO | None = None
        self._extra: list = []
        self._rows: list[dict[str, Any]] = []
        self._size = 0
        self._tmp = ""

    def _path(self) -> str:
        return os.path.join(self.outdir, f"{self.prefix}-{self._n:05d}.{self.fmt}")

    def write(self, record: dict[str, Any]) -> None:
        data = dumps(record)
        if self.fmt == "parquet":
            self._rows.append(record)
        else:
            if self._fh is None:
                self._tmp = self._path() + ".tmp"
                self._fh, self._extra = _open_compressed(self._tmp, self.fmt)
            self._fh.write(data)
        self._size += len(data)
        self.count += 1
        if self._size >= self.shard_bytes:
            self._finish()

    def _finish(self) -> None:
        final = self._path()
        if self.fmt == "parquet":
            if not self._rows:
                return
            import pyarrow as pa
            import pyarrow.parquet as pq
            self._tmp = final + ".tmp"
            pq.write_table(pa.Table.from_pylist(self._rows), self._tmp)
            self._rows = []
        else:
            if self._fh is None:
                return
            self._fh.close()
            for f in self._extra:
                f.close()
            self._fh = None
        os.replace(self._tmp, final)
        self.paths.append(final)
        self._n += 1
        self._size = 0

    def close(self) -> None:
        """Finish the open shard. A writer that got no record leaves no file."""
        self._finish()

    def __enter__(self) -> "ShardedWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def write_json_atomic(path: str, obj: Any) -> None:
    """Write ``obj`` as indented JSON to ``path`` via a temporary file and a rename."""
    tmp = path + ".tmp"
    with io.open(tmp, "w", encoding="utf-8") as fh:
        json.dump(obj, fh, ensure_ascii=False, indent=2, sort_keys=False)
        fh.write("\n")
    os.replace(tmp, path)
