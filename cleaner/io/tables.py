"""Tables as records: Parquet files and Arrow files (Hugging Face ``datasets`` saved with ``save_to_disk``).

Rows become records through :func:`cleaner.io.mapping.from_mapping`, with the same field
options as JSON Lines (``--text-field``, ``--html-field``, ``--id-field``, ``--url-field``).
Arrow files are read with pyarrow alone (IPC stream format, as ``save_to_disk`` writes it,
or the IPC file format), so no ``datasets`` import and nothing downloaded.
"""
from __future__ import annotations

from typing import Any, BinaryIO, Iterator

from ..config import Options
from .mapping import from_mapping
from .records import UNREADABLE, RawRecord, ReadError

#: Rows read from a Parquet file at a time (a row may hold a whole page).
PARQUET_BATCH_ROWS = 256
#: Files ``datasets.Dataset.save_to_disk`` writes beside its Arrow shards: metadata, not records.
HF_METADATA_FILES = ("state.json", "dataset_info.json", "dataset_dict.json")


def read_parquet(fh: BinaryIO, path: str, base: str, options: Options) -> Iterator[RawRecord | ReadError]:
    """The rows of a Parquet file (a seekable binary stream) in order; ``base`` is the id prefix (``base:row``).

    Raises ``pyarrow.ArrowInvalid`` and kin for a file that is not Parquet.
    """
    import pyarrow.parquet as pq

    with pq.ParquetFile(fh) as pf:
        n = 0
        for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            for row in batch.to_pylist():
                yield from_mapping(row, path, n, f"{base}:{n}", options)
                n += 1


def read_arrow(fh: BinaryIO, path: str, base: str, options: Options) -> Iterator[RawRecord | ReadError]:
    """The rows of an Arrow IPC file, stream format (``save_to_disk``) or file format, in order.

    Raises ``pyarrow.ArrowInvalid`` for bytes that are neither.
    """
    import pyarrow as pa
    import pyarrow.ipc as ipc

    reader: Any
    if fh.read(6) == b"ARROW1":  # the IPC file format starts with this magic; the stream format does not
        fh.seek(0)
        f = ipc.open_file(pa.PythonFile(fh, mode="r"))
        batches: Iterator[Any] = (f.get_batch(i) for i in range(f.num_record_batches))
    else:
        fh.seek(0)
        reader = ipc.open_stream(pa.PythonFile(fh, mode="r"))
        batches = iter(reader)
    n = 0
    for batch in batches:
        for start in range(0, batch.num_rows, PARQUET_BATCH_ROWS):
            for row in batch.slice(start, PARQUET_BATCH_ROWS).to_pylist():
                yield from_mapping(row, path, n, f"{base}:{n}", options)
                n += 1


def compressed_table(path: str) -> ReadError:
    """The reject for a Parquet or Arrow file behind .gz/.zst (they compress inside and need seeking)."""
    return ReadError(path, -1, "a Parquet or Arrow file cannot be read through .gz/.zst (they compress inside); "
                     "decompress it first", None, UNREADABLE)
