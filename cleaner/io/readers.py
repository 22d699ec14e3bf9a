"""Streaming readers: which files an input names, what each holds, and its records.

``iter_records(paths, options)`` walks files and folders (recursively, in sorted order, so
runs are reproducible) and yields :class:`RawRecord` for every record it can read and
:class:`ReadError` for every one it cannot; it never raises for bad content.

An input is a local file or folder, ``-`` (standard input), or a URL that fsspec can
open (``s3://``, ``gs://``, ``hf://``, ``file://``, ``https://``; :mod:`cleaner.io.remote`).
Inside a folder, names starting with ``.`` and the run's own output folder are skipped;
every other file is read.

What a file holds, by suffix: ``.html``/``.htm``/``.xhtml`` (one page), ``.txt`` (one text),
``.jsonl``/``.ndjson``/``.json`` (one JSON object a line, or one JSON array of objects),
``.warc``/``.wet``/``.arc`` (WARC response, resource and conversion records),
``.parquet``, ``.arrow`` (Arrow IPC, as Hugging Face ``save_to_disk`` writes). All but
Parquet and Arrow may end in ``.gz`` or ``.zst`` as well; such files are decompressed
here, as a stream, at most ``max_decompressed_bytes`` of them. A file whose suffix says
nothing (``index.php``, ``page.html?id=2``, ``README``) is sniffed by content
(:mod:`cleaner.io.sniff`: gzip/zstd magic, then WARC, Parquet, JSON Lines, HTML, plain
text); one that is none of these is one reject of kind ``unknown-type``. The
``input_type`` option forces one kind for every file.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import sys
from typing import BinaryIO, Iterable, Iterator

from ..config import Options
from . import remote
from .listing import (COMPRESSIONS, INPUT_TYPES, KINDS, STDIN, SUFFIX_HELP, kind_of, list_inputs,  # noqa: F401
                      local_path, record_id_for, stdin_copy)
from .mapping import fix_surrogates, from_mapping, json_safe  # noqa: F401 - re-exported
from .records import (BOMB, NO_TEXT, NOT_JSON, NOT_OBJECT, NOT_UTF8, TOO_LARGE, UNKNOWN_TYPE,  # noqa: F401
                      UNREADABLE, UNSUPPORTED, InputError, RawRecord, ReadError)
from .warc import HTML_TYPES, TEXT_TYPES, WARC_DOCUMENT_TYPES, content_type, unbrotli  # noqa: F401 - re-exported

#: Bytes read at a time from compressed streams.
READ_CHUNK_BYTES = 1 << 20

class DecompressionLimit(OSError):
    """A compressed input inflated past ``max_decompressed_bytes``."""


class TruncatedInput(OSError):
    """A compressed input that ends before its end-of-stream marker."""


class _Limited(io.RawIOBase):
    """A read-only stream that raises :class:`DecompressionLimit` once more than ``limit`` bytes came out of ``inner``."""

    def __init__(self, inner: BinaryIO, limit: int, closers: list):
        self.inner, self.limit, self.count, self.closers = inner, limit, 0, closers
        self._read = getattr(inner, "read1", inner.read)

    def readable(self) -> bool:
        return True

    def tell(self) -> int:
        """Decompressed bytes given out so far (fastwarc asks where the stream starts)."""
        return self.count

    def readinto(self, b) -> int:  # type: ignore[override]
        try:
            # read1: what one step of decompression gives, so a later fault loses nothing before it
            data = self._read(min(len(b), READ_CHUNK_BYTES))
        except EOFError as e:  # not EOFError: warcio takes that for the normal end of an archive
            raise TruncatedInput(f"compressed stream ends early (truncated file?): {e}") from None
        self.count += len(data)
        if self.count > self.limit:
            raise DecompressionLimit(f"decompressed size exceeds max_decompressed_bytes={self.limit} "
                                     "(a decompression bomb?); raise --max-decompressed-bytes if the file is genuine")
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            for c in self.closers:
                c.close()
        super().close()


_SUFFIX = object()


class ReadProgress:
    """How far reading the inputs got, in bytes as stored (compressed bytes for a .gz file):
    the total known up front from the listing, so a progress bar can show an ETA.

    Pass one to :func:`iter_records`; :meth:`position` is cheap (a ``tell()``).
    """

    def __init__(self, total: int):
        self.total = total
        self.finished = 0                 # bytes of the files read to their end
        self.raw: BinaryIO | None = None  # the file being read, as stored

    def position(self) -> int:
        here = 0
        try:
            if self.raw is not None and not self.raw.closed:
                here = self.raw.tell()
        except (OSError, ValueError):
            pass
        return min(self.total, self.finished + here)


_TRACKED: list[ReadProgress] = []   # the progress of the iter_records running in this process, if any


def input_bytes(paths: Iterable[str], exclude: Iterable[str] = ()) -> int:
    """Total size in bytes of every input file, as stored (a listing and a stat per file)."""
    return sum(_size(p) for p, _ in list_inputs(paths, exclude))


def _size(path: str) -> int:
    try:
        return remote.signature(local_path(path))[0]
    except (OSError, ValueError):
        return 0


def open_binary(path: str, limit: int, buffered: bool = True, compression: object = _SUFFIX) -> BinaryIO:
    """Open a file or URL for reading, decompressing it, at most ``limit`` bytes out.

    ``compression``: ``".gz"``, ``".zst"`` or ``None``; by default taken from the suffix.
    Reading past ``limit`` decompressed bytes raises :class:`DecompressionLimit`, a
    truncated stream :class:`TruncatedInput`, a corrupt one ``OSError``/``zstandard.ZstdError``.
    ``buffered=False`` returns a raw stream whose ``read(n)`` may return fewer bytes: a
    reader that buffers by itself (warcio) then gets every byte before a fault.
    """
    comp = kind_of(path)[1] if compression is _SUFFIX else compression
    raw = remote.open_raw(local_path(path))
    if _TRACKED:
        _TRACKED[-1].raw = raw
    if comp == ".gz":
        # (not zlib-ng's GzipNGFile: on a truncated stream it stops up to a block before what is readable)
        inner: BinaryIO = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
    elif comp == ".zst":
        import zstandard
        inner = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)  # type: ignore[assignment]
    else:
        return raw  # type: ignore[return-value]
    limited = _Limited(inner, limit, [inner, raw])
    if not buffered:  # read(n) gives what one step of decompression gives: short reads, nothing held back
        return limited  # type: ignore[return-value]
    return io.BufferedReader(limited, READ_CHUNK_BYTES)  # type: ignore[return-value]


def describe_error(e: BaseException) -> tuple[str, str]:
    """``(kind, message)`` for an exception raised while reading a file; the message says what to do."""
    name = type(e).__name__
    if isinstance(e, DecompressionLimit):
        return BOMB, str(e)
    if isinstance(e, TruncatedInput):
        return UNREADABLE, str(e)
    if isinstance(e, EOFError):
        return UNREADABLE, f"compressed stream ends early (truncated file?): {e}"
    if isinstance(e, gzip.BadGzipFile):
        return UNREADABLE, f"not a gzip file ({e}); rename it without .gz if it is not compressed"
    if name == "ZstdError":
        return UNREADABLE, f"not a readable zstd stream ({e}); rename it without .zst if it is not compressed"
    if name == "NotAnArchive":
        return UNREADABLE, f"not a readable WARC file: {e}"
    if name == "ArchiveLoadFailed":
        return UNREADABLE, f"not a readable WARC/ARC file: {' '.join(str(e).split())[:300]}"
    if name in ("ArrowInvalid", "ArrowIOError", "ArrowException", "ArrowNotImplementedError"):
        return UNREADABLE, f"not a readable Parquet or Arrow file: {e}"
    return UNREADABLE, f"{name}: {e}"


def resolve_kind(path: str, options: Options) -> tuple[str | None, str | None]:
    """``(kind, compression)`` of one input file: the ``input_type`` option, else the suffix, else sniffed.

    ``kind`` is ``None`` for a file that is none of the formats cleaner reads. Raises
    ``OSError`` when the file cannot be opened.
    """
    from .sniff import SNIFF_BYTES, compression_of, decompress_head, sniff

    forced = getattr(options, "input_type", "auto")
    kind, comp = kind_of(path) if path != STDIN else (None, None)
    if kind is not None and forced == "auto":
        return kind, comp
    with remote.open_raw(local_path(path)) as fh:
        head = fh.read(SNIFF_BYTES)
    comp = comp or compression_of(head)
    if forced != "auto":
        return forced, comp
    inner = decompress_head(head, comp)
    found = sniff(inner)
    if found == "parquet" and comp:
        return None, comp
    return found, comp


def _binary_reason(path: str, comp: str | None) -> str | None:
    """Why the start of an input file of unknown type is binary data ("looks like binary data: ..."), else ``None``."""
    from .decode import NotTextError, decode_text
    from .sniff import SNIFF_BYTES, decompress_head
    try:
        with remote.open_raw(local_path(path)) as fh:
            decode_text(decompress_head(fh.read(SNIFF_BYTES), comp))
    except NotTextError as e:
        return str(e)
    except Exception:  # noqa: BLE001 - only the wording of the reject depends on it
        return None
    return None


def iter_records(paths: Iterable[str], options: Options, exclude: Iterable[str] = (),
                 notes: list[dict] | None = None, progress: ReadProgress | None = None) -> Iterator[RawRecord | ReadError]:
    """Yield every record of every input, in a stable order; see the module docstring.

    A file that cannot be read to its end yields one :class:`ReadError` (position -1)
    after the records read before the fault. Raises :class:`InputError` only for paths
    (see :func:`list_inputs`), before the first record. ``notes`` collects warnings about
    whole files (a WARC file with no document) as ``{"source", "warning"}`` dicts;
    ``progress`` is kept up to date with the bytes read.
    """
    for path, root in list_inputs(paths, exclude):
        if progress is None:
            yield from iter_file_records(path, root, options, notes)
            continue
        _TRACKED.append(progress)
        try:
            yield from iter_file_records(path, root, options, notes)
        finally:
            _TRACKED.remove(progress)
            progress.raw = None
        progress.finished += _size(path)


def iter_file_records(path: str, root: str, options: Options,
                      notes: list[dict] | None = None) -> Iterator[RawRecord | ReadError]:
    """The records of one input file whose ids are relative to ``root`` (see :func:`list_inputs`).

    A file that cannot be read to its end yields one :class:`ReadError` (position -1)
    after the records read before the fault; a file of unknown type yields one of kind
    ``unknown-type``; never raises for bad content. A WARC/WET file without any document
    prints a warning on standard error and adds it to ``notes``.
    """
    last = None
    documents = items = 0
    kind = None
    try:
        kind, comp = resolve_kind(path, options)
        if kind is None:
            name = path.rsplit("/", 1)[-1] if remote.is_url(path) else os.path.basename(path) or path
            binary = _binary_reason(path, comp)
            content = (f"its content {binary}; if it is HTML, text, JSON Lines, WARC or Parquet all the same, "
                       "force its type with --input-type" if binary else
                       f"its content is none of HTML, text, JSON Lines, WARC, Parquet; name it {SUFFIX_HELP} "
                       "or force a type with --input-type")
            yield ReadError(path, 0, f"unknown input type: {name!r} is not named like a file cleaner reads and "
                            + content, record_id_for(path, root), UNKNOWN_TYPE)
            return
        for item in _READERS[kind](path, root, kind, comp, options):
            last = item.position
            items += 1
            if isinstance(item, RawRecord):
                item.kind = kind
                documents += 1
            yield item
    except Exception as e:  # noqa: BLE001 - a library's own error on a broken file
        k, msg = describe_error(e)
        where = "the file" if last is None else f"the rest of the file after record {last}"
        yield ReadError(path, -1, f"cannot read {where}: {msg}", None, k)
        return
    if items == 0 and (kind != "warc" or _size(path) == 0):
        warning = f"{path}: no record in this file (empty, or blank lines only); nothing of it is in the output"
    elif kind == "warc" and documents == 0:
        warning = (f"{path}: no document in this WARC/WET file (only records such as warcinfo, request or "
                   "metadata); nothing of it is in the output")
    else:
        return
    print(f"cleaner: warning: {warning}", file=sys.stderr)
    if notes is not None:
        notes.append({"source": path, "warning": warning})


def _read_page(path: str, root: str, kind: str, comp: str | None, options: Options) -> Iterator[RawRecord | ReadError]:
    rid = record_id_for(path, root)
    with open_binary(path, options.max_decompressed_bytes, compression=comp) as fh:
        data = fh.read(options.max_input_bytes + 1)
    if len(data) > options.max_input_bytes:
        yield ReadError(path, 0, f"record larger than max_input_bytes={options.max_input_bytes}; "
                        "raise --max-input-bytes to keep it", rid, TOO_LARGE)
        return
    if kind == "html":
        from .canonical import declared_url
        yield RawRecord(rid, declared_url(data), path, 0, html=data)  # checked for binary data where it is decoded
        return
    from .decode import NotTextError, decode_text
    try:
        text = decode_text(data)
    except NotTextError as e:
        yield ReadError(path, 0, str(e), rid, e.kind)
        return
    yield RawRecord(rid, None, path, 0, text=text)


def _json_msg(msg: str) -> str:
    """A ``json`` error message without its own trailing "at" ("Invalid control character at")."""
    return msg[:-3] if msg.endswith(" at") else msg


def _no_nan(name: str) -> None:
    """JSON's non-standard NaN/Infinity become null, so the output stays standard JSON."""
    return None


def _read_jsonl(path: str, root: str, kind: str, comp: str | None, options: Options) -> Iterator[RawRecord | ReadError]:
    base = record_id_for(path, root)
    limit = options.max_input_bytes
    with open_binary(path, options.max_decompressed_bytes, compression=comp) as fh:
        is_json = (path[: -len(comp)] if comp and path.lower().endswith(comp) else path).lower().endswith(".json")
        if is_json and fh.peek(64)[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"["):
            yield from _read_json_array(fh, path, base, options)
            return
        lineno = 0
        while True:
            line = fh.readline(limit + 1)
            if not line:
                break
            lineno += 1
            if len(line) > limit and not line.endswith(b"\n"):
                # Skip the rest of an over-long line without holding it in memory.
                while line and not line.endswith(b"\n"):
                    line = fh.readline(READ_CHUNK_BYTES)
                yield ReadError(path, lineno, f"line longer than max_input_bytes={limit}; "
                                "raise --max-input-bytes to keep it", None, TOO_LARGE)
                continue
            if lineno == 1 and line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
            if not line.strip():
                continue
            try:
                # without its line break: a string left open is "Unterminated string", not a control character past the line's end
                obj = json.loads(line.rstrip(b"\r\n").decode("utf-8"), parse_constant=_no_nan)
            except UnicodeDecodeError as e:
                yield ReadError(path, lineno, f"line is not valid UTF-8 (byte {e.start}: {e.reason}); "
                                "JSON Lines must be UTF-8", None, NOT_UTF8)
                continue
            except json.JSONDecodeError as e:
                yield ReadError(path, lineno, f"line is not JSON: {_json_msg(e.msg)} at column {e.colno}", None, NOT_JSON)
                continue
            except RecursionError:
                yield ReadError(path, lineno, "line is JSON nested too deeply to read", None, NOT_JSON)
                continue
            yield from_mapping(obj, path, lineno, f"{base}:{lineno}", options)


def _read_json_array(fh: BinaryIO, path: str, base: str, options: Options) -> Iterator[RawRecord | ReadError]:
    """A ``.json`` file holding one array of records (read whole, so at most ``max_input_bytes``)."""
    data = fh.read(options.max_input_bytes + 1)
    if len(data) > options.max_input_bytes:
        yield ReadError(path, 0, f"a JSON array file larger than max_input_bytes={options.max_input_bytes}; "
                        "convert it to JSON Lines (one object a line), e.g. jq -c '.[]'", None, TOO_LARGE)
        return
    try:
        arr = json.loads(data.decode("utf-8-sig"), parse_constant=_no_nan)
    except UnicodeDecodeError as e:
        yield ReadError(path, 0, f"file is not valid UTF-8 (byte {e.start}: {e.reason})", None, NOT_UTF8)
        return
    except (json.JSONDecodeError, RecursionError) as e:
        yield ReadError(path, 0, f"file is not JSON: {getattr(e, 'msg', e)}", None, NOT_JSON)
        return
    if not isinstance(arr, list):  # pragma: no cover - the file starts with "["
        arr = [arr]
    for n, obj in enumerate(arr, 1):
        yield from_mapping(obj, path, n, f"{base}:{n}", options)


def _read_warc(path: str, root: str, kind: str, comp: str | None, options: Options) -> Iterator[RawRecord | ReadError]:
    from .sniff import compression_of
    from .warc import read_warc
    with open_binary(path, options.max_decompressed_bytes, compression=comp) as probe:
        head = probe.read(64)
    if comp is None and compression_of(head):  # gzip or zstd records in a file named plain .warc
        comp = compression_of(head)
        with open_binary(path, options.max_decompressed_bytes, compression=comp) as probe:
            head = probe.read(64)
    arc = path.lower().endswith((".arc", ".arc.gz", ".arc.zst")) or head.lstrip().startswith(b"filedesc://")
    # Unbuffered: the archive parser buffers by itself and gets every byte before a fault.
    with open_binary(path, options.max_decompressed_bytes, buffered=False, compression=comp) as fh:
        yield from read_warc(fh, path, record_id_for(path, root), arc, options, head)


def _read_table(path: str, root: str, kind: str, comp: str | None, options: Options) -> Iterator[RawRecord | ReadError]:
    from .tables import compressed_table, read_arrow, read_parquet
    if comp:
        yield compressed_table(path)
        return
    base = record_id_for(path, root)
    with remote.open_raw(local_path(path)) as fh:
        yield from (read_parquet if kind == "parquet" else read_arrow)(fh, path, base, options)


_READERS = {"html": _read_page, "text": _read_page, "jsonl": _read_jsonl, "warc": _read_warc,
            "parquet": _read_table, "arrow": _read_table}
