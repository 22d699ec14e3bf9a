"""Paths through pyarrow's filesystems: local paths, ``file://``, ``s3://``, ``gs://``, ``hdfs://``.

The Ray engine lists and reads its inputs and writes its work files and output shards
through :mod:`pyarrow.fs`, so ``s3://bucket/crawl/`` works wherever pyarrow finds
credentials (the usual AWS environment variables, profile or instance role). Plain local
paths keep the local engine's listing (:func:`cleaner.io.readers.list_inputs`), so both
engines see the same files in the same order and give records the same ids.
"""
from __future__ import annotations

import contextlib
import os
import posixpath
import shutil
import tempfile
from dataclasses import dataclass
from typing import Iterator

from ...io.readers import SUFFIX_HELP, InputError, list_inputs

#: Bytes copied at a time between filesystems.
COPY_CHUNK_BYTES = 8 << 20


def is_uri(path: str) -> bool:
    """True for ``scheme://...`` paths (``s3://``, ``file://``, ...), False for plain local paths."""
    return "://" in path


def resolve(path: str):
    """``(pyarrow FileSystem, path inside it)`` of a local path or URI.

    Raises ``OSError``/``pyarrow.ArrowInvalid`` (from pyarrow) for an unknown scheme or a
    bucket that cannot be reached; the message names the bucket or scheme.
    """
    import pyarrow.fs as pafs
    return pafs.FileSystem.from_uri(path if is_uri(path) else os.path.abspath(path))


def join(base: str, *parts: str) -> str:
    """``base/part/...`` with ``/`` separators for URIs and the OS separator for local paths."""
    return posixpath.join(base, *parts) if is_uri(base) else os.path.join(base, *parts)


@dataclass(frozen=True)
class InputShard:
    """One input file: the unit of work of the Ray engine's map stages.

    ``index`` is its place in input order (the local engine's order), ``path`` the file
    (local path or URI), ``root`` the folder its record ids are relative to.
    """

    index: int
    path: str
    root: str
    size: int = -1          # bytes, as listed (for the resume key)
    mtime_ns: int = -1      # modification time, as listed


def list_input_shards(inputs: list[str], exclude: tuple[str, ...] = ()) -> list[InputShard]:
    """Every readable file under ``inputs``, in the local engine's order (sorted, files before subfolders).

    As :func:`cleaner.io.readers.list_inputs`: names starting with ``.`` and everything
    under an ``exclude`` folder (the run's own output) are skipped. Raises
    :class:`cleaner.io.readers.InputError` for a missing path, a named file of unknown
    suffix or a folder without input files.
    """
    found: list[tuple[str, str, int, int]] = []
    for p in inputs:
        if is_uri(p):
            found.extend(_list_uri(p, tuple(e for e in exclude if is_uri(e))))
        else:
            for path, root in list_inputs([p], tuple(e for e in exclude if not is_uri(e))):
                st = os.stat(path)
                found.append((path, root, st.st_size, st.st_mtime_ns))
    return [InputShard(i, *f) for i, f in enumerate(found)]


def _list_uri(uri: str, exclude: tuple[str, ...] = ()) -> list[tuple[str, str, int, int]]:
    import pyarrow.fs as pafs
    fs, base = resolve(uri)
    base = base.rstrip("/") or base
    info = fs.get_file_info(base)
    scheme = uri.split("://", 1)[0] + "://"
    skip = tuple(resolve(e)[1].rstrip("/") + "/" for e in exclude)

    def to_uri(p: str) -> str:  # pyarrow's path back to a URI: "s3://" + "bucket/key"
        return scheme + p

    if info.type == pafs.FileType.Directory:
        infos = {i.path: i for i in fs.get_file_info(pafs.FileSelector(base, recursive=True))
                 if i.type == pafs.FileType.File}
        out = []
        for p in _walk_order(base, list(infos)):
            parts = posixpath.relpath(p, base).split("/")
            # every file, as the local listing (a name that says nothing is sniffed when read)
            if not any(x.startswith(".") for x in parts) and not p.startswith(skip):
                out.append((to_uri(p), to_uri(base), _size(infos[p]), _mtime(infos[p])))
        if not out:
            raise InputError(f"{uri}: no input files in this folder; cleaner reads {SUFFIX_HELP}")
        return out
    if info.type == pafs.FileType.File:
        return [(to_uri(base), to_uri(posixpath.dirname(base)), _size(info), _mtime(info))]
    raise InputError(f"{uri}: no such file or folder; check the path")


def _size(info) -> int:
    return int(info.size) if info.size is not None else -1


def _mtime(info) -> int:
    return int(info.mtime_ns) if info.mtime_ns is not None else -1


def _walk_order(base: str, files: list[str]) -> list[str]:
    """``files`` under ``base`` in :func:`os.walk` order with sorted names: a folder's files, then its subfolders."""
    def key(p: str) -> tuple:
        parts = posixpath.relpath(p, base).split("/")
        # (0, name) for the file itself sorts before (1, subfolder, ...) at every level.
        return tuple((1, d) for d in parts[:-1]) + ((0, parts[-1]),)
    return sorted(files, key=key)


@contextlib.contextmanager
def local_copy(shard: InputShard) -> Iterator[tuple[str, str]]:
    """``(local path, local root)`` of a shard, giving the same record ids as the shard itself.

    Local paths are used in place. A URI is copied to a temporary folder under the same
    relative path (so :func:`cleaner.io.readers.record_id_for` gives the same id) and
    removed afterwards; the copy needs as much local disk as the file's size.
    """
    if not is_uri(shard.path):
        yield shard.path, shard.root
        return
    rel = posixpath.relpath(shard.path, shard.root) if shard.path != shard.root else posixpath.basename(shard.path)
    tmp = tempfile.mkdtemp(prefix="cleaner-in-")
    try:
        dest = os.path.join(tmp, *rel.split("/"))
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        fs, path = resolve(shard.path)
        with fs.open_input_stream(path, compression=None) as src, open(dest, "wb") as out:  # bytes as stored
            shutil.copyfileobj(src, out, COPY_CHUNK_BYTES)
        yield dest, tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def make_dirs(path: str) -> None:
    """Create a folder (and its parents) on its filesystem; a no-op on object stores."""
    fs, p = resolve(path)
    fs.create_dir(p, recursive=True)


def exists(path: str) -> bool:
    """True when a file exists at ``path``."""
    import pyarrow.fs as pafs
    fs, p = resolve(path)
    return fs.get_file_info(p).type == pafs.FileType.File


def list_files(folder: str) -> list[str]:
    """Names (not paths) of the files directly in ``folder``, sorted; empty when it does not exist."""
    import pyarrow.fs as pafs
    fs, p = resolve(folder)
    infos = fs.get_file_info(pafs.FileSelector(p, allow_not_found=True))
    return sorted(posixpath.basename(i.path) for i in infos if i.type == pafs.FileType.File)


def delete(path: str) -> None:
    """Delete a file; a missing file is not an error."""
    fs, p = resolve(path)
    with contextlib.suppress(FileNotFoundError):
        fs.delete_file(p)


def delete_dir(path: str) -> None:
    """Delete a folder and everything in it; a missing folder is not an error."""
    import pyarrow.fs as pafs
    fs, p = resolve(path)
    if fs.get_file_info(p).type == pafs.FileType.Directory:
        fs.delete_dir(p)


def open_write(path: str, compression: str | None = None):
    """A binary output stream at ``path`` (``compression``: ``"zstd"``, ``"gzip"`` or ``None``)."""
    fs, p = resolve(path)
    return fs.open_output_stream(p, compression=compression)


def open_read(path: str, compression: str | None = None):
    """A binary input stream of ``path`` (``compression`` as in :func:`open_write`)."""
    fs, p = resolve(path)
    return fs.open_input_stream(p, compression=compression)


def move(src: str, dest: str) -> None:
    """Rename ``src`` to ``dest`` on one filesystem (a copy and delete on object stores)."""
    fs, s = resolve(src)
    _, d = resolve(dest)
    fs.move(s, d)


def upload(local_path: str, dest: str) -> None:
    """Copy a local file to ``dest`` (any filesystem) under a temporary name, then rename it."""
    if not is_uri(dest):
        shutil.copyfile(local_path, dest + ".tmp")
        os.replace(dest + ".tmp", dest)
        return
    with open(local_path, "rb") as src, open_write(dest + ".tmp") as out:
        shutil.copyfileobj(src, out, COPY_CHUNK_BYTES)
    move(dest + ".tmp", dest)
