"""Streaming readers, chosen by file suffix.

``iter_records(paths, options)`` walks files and folders (recursively, in sorted order, so
runs are reproducible) and yields :class:`RawRecord` for every record it can read and
:class:`ReadError` for every one it cannot; it never raises for bad content.

Suffixes: ``.html``/``.htm``/``.xhtml`` (one page), ``.txt`` (one text), ``.jsonl``/``.ndjson``/
``.json`` (one JSON object a line, or one JSON array of objects), ``.warc``/``.arc``
(response and resource records), ``.parquet``. All but Parquet may end in ``.gz`` or
``.zst`` as well; such files are decompressed here, as a stream, at most
``max_decompressed_bytes`` of them (a WARC is then handed to warcio as plain bytes, so a
``.warc.gz`` is decompressed once, whether it was gzipped record by record or as a whole).
"""
from __future__ import annotations

import base64
import datetime
import decimal
import gzip
import io
import json
import math
import os
import re
from dataclasses import dataclass, field
from email.message import Message
from typing import Any, BinaryIO, Iterable, Iterator

from ..config import Options

#: Bytes read at a time from compressed streams.
READ_CHUNK_BYTES = 1 << 20
#: Rows read from a Parquet file at a time (a row may hold a whole page).
PARQUET_BATCH_ROWS = 256

COMPRESSIONS = (".gz", ".zst")
KINDS = {".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text", ".text": "text",
         ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".warc": "warc", ".arc": "warc",
         ".parquet": "parquet"}
SUFFIX_HELP = ("*.html, *.htm, *.txt, *.jsonl, *.ndjson, *.json, *.warc, *.arc or *.parquet "
               "(all but Parquet optionally ending in .gz or .zst)")

#: Short names of the reasons a record goes to rejects (``ReadError.kind``, ``kind`` in the rejects file).
NOT_JSON, NOT_UTF8, NOT_OBJECT, NO_TEXT = "not-json", "not-utf8", "not-object", "no-text-field"
TOO_LARGE, UNREADABLE, BOMB, UNSUPPORTED = "too-large", "unreadable-file", "decompression-limit", "unsupported-encoding"

#: MIME types of WARC records that hold a page (anything else is dropped as "not a text page").
HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
TEXT_TYPES = ("text/plain",)
#: WARC record types that hold a document; the others (request, metadata, warcinfo, revisit, ...) are not records here.
WARC_DOCUMENT_TYPES = ("response", "resource")


@dataclass(slots=True)
class RawRecord:
    """One input record before decoding and extraction.

    At most one of ``html`` (bytes or str) and ``text`` is set. ``source`` is the input
    file, ``position`` the record's place in it (line number for JSONL, record number for
    WARC and Parquet, 0 for single-page files). ``extra`` keeps the record's other fields
    (JSON-ready). ``dropped`` is set instead of content when the reader already knows the
    record holds no page (a WARC response that is an image, or has HTTP status 404).
    """

    id: str
    url: str | None
    source: str
    position: int
    html: bytes | str | None = None
    text: str | None = None
    http_charset: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    dropped: str | None = None


@dataclass(slots=True)
class ReadError:
    """A record that could not be read: where it was, why, and the short ``kind`` of reason.

    ``position`` is -1 when the rest of a file could not be read (one reject stands for it).
    """

    source: str
    position: int
    error: str
    id: str | None = None
    kind: str = UNREADABLE


class InputError(Exception):
    """An input path that cannot be used at all (missing, unknown suffix, nothing readable)."""


class DecompressionLimit(OSError):
    """A compressed input inflated past ``max_decompressed_bytes``."""


class TruncatedInput(OSError):
    """A compressed input that ends before its end-of-stream marker."""


def kind_of(path: str) -> tuple[str | None, str | None]:
    """``(kind, compression)`` of a path by its suffixes: ``"a.warc.gz"`` gives ``("warc", ".gz")``."""
    name = path.lower()
    comp = None
    for c in COMPRESSIONS:
        if name.endswith(c):
            comp, name = c, name[: -len(c)]
            break
    ext = os.path.splitext(name)[1]
    return KINDS.get(ext), comp


def list_inputs(paths: Iterable[str], exclude: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Every readable file under ``paths`` as ``(path, id_root)`` pairs, sorted within folders.

    Folders and files whose name starts with ``.`` are skipped, and so is everything under
    an ``exclude`` folder (the run's own output folder, when it lies inside an input).
    Raises :class:`InputError` for a path that does not exist, a named file whose suffix is
    unknown, or a folder holding no readable file (files of unknown suffix inside folders
    are skipped).
    """
    skip = {os.path.realpath(e) for e in exclude}
    out: list[tuple[str, str]] = []
    for p in paths:
        if os.path.isdir(p):
            n = len(out)
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and os.path.realpath(os.path.join(root, d)) not in skip)
                for f in sorted(files):
                    full = os.path.join(root, f)
                    if kind_of(full)[0] and not f.startswith("."):
                        out.append((full, p))
            if len(out) == n:
                raise InputError(f"{p}: no input files in this folder; cleaner reads {SUFFIX_HELP}")
        elif os.path.isfile(p):
            if not kind_of(p)[0]:
                raise InputError(f"{p}: unknown input type; name files {SUFFIX_HELP}")
            out.append((p, os.path.dirname(p)))
        else:
            raise InputError(f"{p}: no such file or folder; check the path")
    return out


def record_id_for(path: str, root: str) -> str:
    """A file's record id: its path relative to the input root, with ``/`` separators."""
    rel = os.path.relpath(path, root) if root else os.path.basename(path)
    return rel.replace(os.sep, "/")


class _Limited(io.RawIOBase):
    """A read-only stream that raises :class:`DecompressionLimit` once more than ``limit`` bytes came out of ``inner``."""

    def __init__(self, inner: BinaryIO, limit: int, closers: list):
        self.inner, self.limit, self.count, self.closers = inner, limit, 0, closers
        self._read = getattr(inner, "read1", inner.read)

    def readable(self) -> bool:
        return True

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


def open_binary(path: str, limit: int, buffered: bool = True) -> BinaryIO:
    """Open a file for reading, decompressing ``.gz``/``.zst`` by suffix, at most ``limit`` bytes out.

    Reading past ``limit`` decompressed bytes raises :class:`DecompressionLimit`, a
    truncated stream :class:`TruncatedInput`, a corrupt one ``OSError``/``zstandard.ZstdError``.
    ``buffered=False`` returns a raw stream whose ``read(n)`` may return fewer bytes: a
    reader that buffers by itself (warcio) then gets every byte before a fault.
    """
    _, comp = kind_of(path)
    raw = open(path, "rb")
    if comp == ".gz":
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
    if name == "ArchiveLoadFailed":
        return UNREADABLE, f"not a readable WARC/ARC file: {' '.join(str(e).split())[:300]}"
    if name in ("ArrowInvalid", "ArrowIOError", "ArrowException", "ArrowNotImplementedError"):
        return UNREADABLE, f"not a readable Parquet file: {e}"
    return UNREADABLE, f"{name}: {e}"


def iter_records(paths: Iterable[str], options: Options, exclude: Iterable[str] = ()) -> Iterator[RawRecord | ReadError]:
    """Yield every record of every input, in a stable order; see the module docstring.

    A file that cannot be read to its end yields one :class:`ReadError` (position -1)
    after the records read before the fault. Raises :class:`InputError` only for paths
    (see :func:`list_inputs`), before the first record.
    """
    for path, root in list_inputs(paths, exclude):
        yield from iter_file_records(path, root, options)


def iter_file_records(path: str, root: str, options: Options) -> Iterator[RawRecord | ReadError]:
    """The records of one input file whose ids are relative to ``root`` (see :func:`list_inputs`).

    A file that cannot be read to its end yields one :class:`ReadError` (position -1)
    after the records read before the fault; never raises for bad content.
    """
    kind, _ = kind_of(path)
    reader = {"html": _read_page, "text": _read_page, "jsonl": _read_jsonl,
              "warc": _read_warc, "parquet": _read_parquet}[kind]  # type: ignore[index]
    last = None
    try:
        for item in reader(path, root, kind, options):  # type: ignore[arg-type]
            last = item.position
            yield item
    except Exception as e:  # noqa: BLE001 - a library's own error on a broken file
        k, msg = describe_error(e)
        where = "the file" if last is None else f"the rest of the file after record {last}"
        yield ReadError(path, -1, f"cannot read {where}: {msg}", None, k)


def _read_page(path: str, root: str, kind: str, options: Options) -> Iterator[RawRecord | ReadError]:
    rid = record_id_for(path, root)
    with open_binary(path, options.max_decompressed_bytes) as fh:
        data = fh.read(options.max_input_bytes + 1)
    if len(data) > options.max_input_bytes:
        yield ReadError(path, 0, f"record larger than max_input_bytes={options.max_input_bytes}; "
                        "raise --max-input-bytes to keep it", rid, TOO_LARGE)
        return
    if kind == "html":
        yield RawRecord(rid, None, path, 0, html=data)  # checked for binary data where it is decoded
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


def _read_jsonl(path: str, root: str, kind: str, options: Options) -> Iterator[RawRecord | ReadError]:
    base = record_id_for(path, root)
    limit = options.max_input_bytes
    with open_binary(path, options.max_decompressed_bytes) as fh:
        comp = kind_of(path)[1]
        is_json = (path[: -len(comp)] if comp else path).lower().endswith(".json")
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
                obj = json.loads(line.decode("utf-8"), parse_constant=_no_nan)
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


_SURROGATE = re.compile("[\ud800-\udfff]")


def fix_surrogates(s: str) -> str:
    """``s`` with lone UTF-16 surrogates (valid in JSON escapes, not encodable as UTF-8) replaced by U+FFFD."""
    try:
        s.encode("utf-8")
        return s
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", s)


def json_safe(value: Any) -> Any:
    """``value`` made JSON-ready: bytes as UTF-8 text (else ``base64:...``), dates as ISO 8601,
    decimals as text, non-finite floats as ``None``; dict keys become strings."""
    if isinstance(value, str):
        return fix_surrogates(value)
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {fix_surrogates(str(k)): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (bytes, bytearray, memoryview)):
        b = bytes(value)
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            return "base64:" + base64.b64encode(b).decode("ascii")
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)


def from_mapping(obj: Any, path: str, position: int, default_id: str, options: Options) -> RawRecord | ReadError:
    """A JSONL or Parquet row as a record: the configured fields, the rest kept in ``extra``.

    The HTML field wins over the text field when both hold a non-empty value. Returns a
    :class:`ReadError` for a non-object, a record without either field, or a field larger
    than ``max_input_bytes``.
    """
    if not isinstance(obj, dict):
        kind = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}.get(type(obj), "null")
        return ReadError(path, position, f"record is a JSON {kind}, not an object", None, NOT_OBJECT)
    rid = obj.get(options.id_field)
    rid = default_id if rid is None or rid == "" else str(json_safe(rid))
    html, text, url = obj.get(options.html_field), obj.get(options.text_field), obj.get(options.url_field)
    url = fix_surrogates(url) if isinstance(url, str) and url else None
    own = (options.id_field, options.html_field, options.text_field, options.url_field)
    extra = {fix_surrogates(str(k)): json_safe(v) for k, v in obj.items() if k not in own}
    if isinstance(html, (bytes, bytearray)):
        html = bytes(html)
    if isinstance(text, (bytes, bytearray)):
        from .decode import NotTextError, decode_text
        try:
            text = decode_text(bytes(text))
        except NotTextError as e:
            return ReadError(path, position, str(e), rid, e.kind)
    value = html if isinstance(html, (str, bytes)) and html else text if isinstance(text, str) else None
    if value is None:
        return ReadError(path, position, f"record has no string field {options.html_field!r} or "
                         f"{options.text_field!r} (fields: {', '.join(map(str, list(obj)[:12]))}); "
                         "name the fields with --html-field / --text-field", rid, NO_TEXT)
    if len(value) > options.max_input_bytes:
        return ReadError(path, position, f"record larger than max_input_bytes={options.max_input_bytes}; "
                         "raise --max-input-bytes to keep it", rid, TOO_LARGE)
    if value is html:
        return RawRecord(rid, url, path, position, html=fix_surrogates(html) if isinstance(html, str) else html, extra=extra)
    return RawRecord(rid, url, path, position, text=fix_surrogates(text).replace("\x00", ""), extra=extra)  # type: ignore[arg-type]


def content_type(value: str | None) -> tuple[str, str | None]:
    """``(mime type, charset)`` of a Content-Type header, e.g. ``("text/html", "iso-8859-1")``."""
    if not value:
        return "", None
    m = Message()
    m["content-type"] = value
    charset = m.get_param("charset")
    if isinstance(charset, tuple):  # RFC 2231 form
        charset = charset[2]
    mime = value.split(";", 1)[0].strip().lower()
    return mime, (str(charset).strip().strip("'\"") or None) if charset else None


def _read_warc(path: str, root: str, kind: str, options: Options) -> Iterator[RawRecord | ReadError]:
    from warcio.archiveiterator import ARCIterator, WARCIterator
    from warcio.bufferedreaders import BufferedReader

    base = record_id_for(path, root)
    supported = set(BufferedReader.get_supported_decompressors()) | {"identity", "", "br"}
    with open_binary(path, options.max_decompressed_bytes, buffered=False) as fh:
        # Parse as the suffix says (a text file is then no archive at all), never converting
        # ARC to WARC: that would invent random record ids and make runs differ.
        iterator = ARCIterator if path.lower().endswith((".arc", ".arc.gz", ".arc.zst")) else WARCIterator
        for n, rec in enumerate(iterator(fh, arc2warc=False)):
            if rec.rec_type not in WARC_DOCUMENT_TYPES:
                continue
            h = rec.rec_headers
            url = h.get_header("WARC-Target-URI") or h.get_header("uri") or None
            rid = h.get_header("WARC-Record-ID") or f"{base}:{n}"
            date = h.get_header("WARC-Date") or h.get_header("archive-date")
            extra = {"warc_date": date} if date else {}
            http = rec.http_headers
            status = None
            if http is not None and rec.rec_type == "response":
                ctype = http.get_header("Content-Type")
                try:
                    status = int(http.get_statuscode() or 0)
                except ValueError:
                    status = 0
            else:
                ctype = h.get_header("Content-Type")
            mime, charset = content_type(ctype)
            if status is not None and not 200 <= status < 300:
                yield RawRecord(rid, url, path, n, extra=extra, dropped=f"HTTP status {status}")
                continue
            if mime and mime not in HTML_TYPES + TEXT_TYPES:
                yield RawRecord(rid, url, path, n, extra=extra, dropped=f"not a text page ({mime})")
                continue
            encoding = ((http.get_header("Content-Encoding") if http is not None else None) or "").strip().lower()
            if encoding not in supported:
                yield ReadError(path, n, f"HTTP body has Content-Encoding {encoding!r}, which cannot be decoded here",
                                rid, UNSUPPORTED)
                continue
            if encoding == "br":  # warcio's own brotli path fails with brotli >= 1.0 (warcio issue #73)
                from warcio.bufferedreaders import ChunkedDataReader
                chunked = (http.get_header("Transfer-Encoding") or "").strip().lower() == "chunked"
                body = ChunkedDataReader(rec.raw_stream) if chunked else rec.raw_stream
                data = unbrotli(body, options.max_input_bytes + 1)
            else:
                data = rec.content_stream().read(options.max_input_bytes + 1)
            if len(data) > options.max_input_bytes:
                yield ReadError(path, n, f"record larger than max_input_bytes={options.max_input_bytes}; "
                                "raise --max-input-bytes to keep it", rid, TOO_LARGE)
                continue
            if mime in TEXT_TYPES:
                from .decode import NotTextError, decode_html
                try:
                    text = decode_html(data, charset)[0]
                except NotTextError as e:
                    yield ReadError(path, n, str(e), rid, e.kind)
                    continue
                yield RawRecord(rid, url, path, n, text=text, extra=extra)
            else:
                yield RawRecord(rid, url, path, n, html=data, http_charset=charset, extra=extra)


def unbrotli(stream: BinaryIO, limit: int) -> bytes:
    """Brotli-decompress ``stream``, at most ``limit`` bytes out (a brotli bomb stops there).

    Raises ``brotli.error`` for a stream that is not brotli.
    """
    import brotli

    d, out = brotli.Decompressor(), bytearray()
    while len(out) < limit:
        chunk = stream.read(READ_CHUNK_BYTES)
        if not chunk:
            break
        out += d.process(chunk, output_buffer_limit=limit - len(out))
        while len(out) < limit and not d.can_accept_more_data():
            out += d.process(b"", output_buffer_limit=limit - len(out))
    return bytes(out[:limit])


def _read_parquet(path: str, root: str, kind: str, options: Options) -> Iterator[RawRecord | ReadError]:
    if kind_of(path)[1]:
        yield ReadError(path, -1, "a Parquet file cannot be read through .gz/.zst (Parquet compresses inside); "
                        "decompress it first", None, UNREADABLE)
        return
    import pyarrow.parquet as pq

    base = record_id_for(path, root)
    with pq.ParquetFile(path) as pf:
        n = 0
        for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS):
            for row in batch.to_pylist():
                yield from_mapping(row, path, n, f"{base}:{n}", options)
                n += 1
