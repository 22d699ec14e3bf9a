"""Streaming readers, chosen by file suffix.

``iter_records(paths, options)`` walks files and folders (recursively, in sorted order, so
runs are reproducible) and yields :class:`RawRecord` for every record it can read and
:class:`ReadError` for every one it cannot; it never raises for bad content.

Suffixes: ``.html``/``.htm`` (one page), ``.txt`` (one text), ``.jsonl``/``.ndjson`` (one
record a line, with an ``html`` or ``text`` field), ``.warc`` (response records),
``.parquet``; each but Parquet may end in ``.gz`` or ``.zst`` as well.
"""
from __future__ import annotations

import gzip
import io
import json
import os
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Iterable, Iterator

from ..config import Options

#: Bytes read at a time from compressed streams.
READ_CHUNK_BYTES = 1 << 20

COMPRESSIONS = (".gz", ".zst")
KINDS = {".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text", ".text": "text",
         ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".warc": "warc", ".arc": "warc",
         ".parquet": "parquet"}


@dataclass(slots=True)
class RawRecord:
    """One input record before decoding and extraction.

    Exactly one of ``html`` (bytes or str) and ``text`` is set. ``source`` is the input
    file, ``position`` the record's place in it (line number for JSONL, record number for
    WARC and Parquet, 0 for single-page files). ``extra`` keeps the record's other fields.
    """

    id: str
    url: str | None
    source: str
    position: int
    html: bytes | str | None = None
    text: str | None = None
    http_charset: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ReadError:
    """A record that could not be read: where it was and why."""

    source: str
    position: int
    error: str
    id: str | None = None


class InputError(Exception):
    """An input path that cannot be used at all (missing, unknown suffix)."""


def kind_of(path: str) -> tuple[str | None, str | None]:
    """``(kind, compression)`` of a path by its suffixes, e.g. ``("jsonl", ".zst")``."""
    name = path.lower()
    comp = None
    for c in COMPRESSIONS:
        if name.endswith(c):
            comp, name = c, name[: -len(c)]
            break
    if name.endswith(".warc.gz"):  # pragma: no cover - handled above
        return "warc", ".gz"
    ext = os.path.splitext(name)[1]
    return KINDS.get(ext), comp


def list_inputs(paths: Iterable[str]) -> list[tuple[str, str]]:
    """Every readable file under ``paths`` as ``(path, id_root)`` pairs, sorted within folders.

    Raises :class:`InputError` for a path that does not exist or a named file whose
    suffix is unknown (files of unknown suffix inside folders are skipped).
    """
    out: list[tuple[str, str]] = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    full = os.path.join(root, f)
                    if kind_of(full)[0] and not f.startswith("."):
                        out.append((full, p))
        elif os.path.isfile(p):
            if not kind_of(p)[0]:
                raise InputError(f"{p}: unknown input type; name files *.html, *.htm, *.txt, *.jsonl, "
                                 "*.warc or *.parquet (optionally .gz or .zst)")
            out.append((p, os.path.dirname(p)))
        else:
            raise InputError(f"{p}: no such file or folder")
    return out


def record_id_for(path: str, root: str) -> str:
    """A file's record id: its path relative to the input root, with ``/`` separators."""
    rel = os.path.relpath(path, root) if root else os.path.basename(path)
    return rel.replace(os.sep, "/")


class _Limited(io.RawIOBase):
    """A read-only stream that raises once more than ``limit`` bytes came out of ``inner``."""

    def __init__(self, inner: BinaryIO, limit: int):
        self.inner, self.limit, self.count = inner, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, b) -> int:  # type: ignore[override]
        data = self.inner.read(min(len(b), READ_CHUNK_BYTES))
        self.count += len(data)
        if self.count > self.limit:
            raise OSError(f"decompressed size exceeds max_decompressed_bytes={self.limit} (a decompression bomb?)")
        b[: len(data)] = data
        return len(data)


def open_binary(path: str, limit: int) -> BinaryIO:
    """Open a file for reading, decompressing ``.gz``/``.zst`` by suffix, at most ``limit`` bytes out."""
    _, comp = kind_of(path)
    raw = open(path, "rb")
    if comp == ".gz":
        inner: BinaryIO = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
    elif comp == ".zst":
        import zstandard
        inner = zstandard.ZstdDecompressor().stream_reader(raw)  # type: ignore[assignment]
    else:
        return raw  # type: ignore[return-value]
    return io.BufferedReader(_Limited(inner, limit), READ_CHUNK_BYTES)  # type: ignore[return-value]


def iter_records(paths: Iterable[str], options: Options) -> Iterator[RawRecord | ReadError]:
    """Yield every record of every input, in a stable order; see the module docstring."""
    for path, root in list_inputs(paths):
        kind, _ = kind_of(path)
        reader = {"html": _read_page, "text": _read_page, "jsonl": _read_jsonl,
                  "warc": _read_warc, "parquet": _read_parquet}[kind]  # type: ignore[index]
        try:
            yield from reader(path, root, kind, options)  # type: ignore[arg-type]
        except (OSError, EOFError, ValueError, gzip.BadGzipFile) as e:
            yield ReadError(path, -1, f"cannot read the rest of the file: {type(e).__name__}: {e}")
        except Exception as e:  # noqa: BLE001 - a library's own error on a broken file
            yield ReadError(path, -1, f"cannot read the rest of the file: {type(e).__name__}: {e}")


def _read_page(path: str, root: str, kind: str, options: Options) -> Iterator[RawRecord | ReadError]:
    rid = record_id_for(path, root)
    with open_binary(path, options.max_decompressed_bytes) as fh:
        data = fh.read(options.max_input_bytes + 1)
    if len(data) > options.max_input_bytes:
        yield ReadError(path, 0, f"record larger than max_input_bytes={options.max_input_bytes}", rid)
        return
    if kind == "html":
        yield RawRecord(rid, None, path, 0, html=data)
    else:
        from .decode import decode_text
        yield RawRecord(rid, None, path, 0, text=decode_text(data))


def _read_jsonl(path: str, root: str, kind: str, options: Options) -> Iterator[RawRecord | ReadError]:
    base = record_id_for(path, root)
    with open_binary(path, options.max_decompressed_bytes) as fh:
        lineno = 0
        while True:
            line = fh.readline(options.max_input_bytes + 1)
            if not line:
                break
            lineno += 1
            if len(line) > options.max_input_bytes and not line.endswith(b"\n"):
                # Skip the rest of an over-long line without holding it in memory.
                while line and not line.endswith(b"\n"):
                    line = fh.readline(READ_CHUNK_BYTES)
                yield ReadError(path, lineno, f"line longer than max_input_bytes={options.max_input_bytes}")
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line.decode("utf-8"))
            except UnicodeDecodeError as e:
                yield ReadError(path, lineno, f"line is not valid UTF-8: {e}")
                continue
            except json.JSONDecodeError as e:
                yield ReadError(path, lineno, f"line is not JSON: {e.msg} at column {e.colno}")
                continue
            yield _from_mapping(obj, path, lineno, f"{base}:{lineno}", options)


def _from_mapping(obj: Any, path: str, position: int, default_id: str, options: Options) -> RawRecord | ReadError:
    """A JSONL or Parquet row as a record: the configured fields, the rest kept in ``extra``."""
    if not isinstance(obj, dict):
        return ReadError(path, position, f"record is a JSON {type(obj).__name__}, not an object")
    rid = obj.get(options.id_field)
    rid = default_id if rid is None or rid == "" else str(rid)
    html, text = obj.get(options.html_field), obj.get(options.text_field)
    url = obj.get(options.url_field)
    extra = {k: v for k, v in obj.items()
             if k not in (options.id_field, options.html_field, options.text_field, options.url_field)}
    if isinstance(html, str) and html:
        return RawRecord(rid, url if isinstance(url, str) else None, path, position, html=html, extra=extra)
    if isinstance(text, str):
        return RawRecord(rid, url if isinstance(url, str) else None, path, position, text=text.replace("\x00", ""), extra=extra)
    return ReadError(path, position, f"record has no string field {options.html_field!r} or {options.text_field!r}; "
                     "name the fields with --html-field / --text-field", rid)


def _read_warc(path: str, root: str, kind: str, options: Options) -> Iterator[RawRecord | ReadError]:
    from warcio.archiveiterator import ArchiveIterator
    base = record_id_for(path, root)
    with open(path, "rb") as raw:
        for n, rec in enumerate(ArchiveIterator(raw)):
            if rec.rec_type != "response":
                continue
            url = rec.rec_headers.get_header("WARC-Target-URI")
            rid = rec.rec_headers.get_header("WARC-Record-ID") or f"{base}:{n}"
            ctype = (rec.http_headers.get_header("Content-Type") if rec.http_headers else None) or ""
            if ctype and "html" not in ctype.lower() and "text" not in ctype.lower():
                continue
            charset = None
            if "charset=" in ctype.lower():
                charset = ctype.lower().split("charset=", 1)[1].split(";")[0].strip()
            data = rec.content_stream().read(options.max_input_bytes + 1)
            if len(data) > options.max_input_bytes:
                yield ReadError(path, n, f"record larger than max_input_bytes={options.max_input_bytes}", rid)
                continue
            yield RawRecord(rid, url, path, n, html=data, http_charset=charset)


def _read_parquet(path: str, root: str, kind: str, options: Options) -> Iterator[RawRecord | ReadError]:
    import pyarrow.parquet as pq
    base = record_id_for(path, root)
    pf = pq.ParquetFile(path)
    n = 0
    for batch in pf.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            yield _from_mapping(row, path, n, f"{base}:{n}", options)
            n += 1
