"""Paths that are URLs (``s3://``, ``gs://``, ``hf://``, ``file://``, ``https://``, ...) through fsspec.

Whatever fsspec filesystems are installed work (``s3fs`` for ``s3://``, ``gcsfs`` for
``gs://``, ``huggingface_hub`` for ``hf://``); credentials come from each one's usual
environment. Plain local paths never go through fsspec. Nothing here downloads more than
the files named.
"""
from __future__ import annotations

import os
import posixpath
import re
from typing import Any, BinaryIO

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")


def is_url(path: str) -> bool:
    """True for ``scheme://...`` paths, False for plain local paths (and ``-``, standard input)."""
    return bool(_SCHEME.match(path))


def filesystem(url: str) -> tuple[Any, str]:
    """``(fsspec filesystem, path inside it)`` for a URL.

    Raises ``ImportError``/``ValueError`` (from fsspec) naming the package a scheme needs
    when it is not installed.
    """
    import fsspec
    fs, path = fsspec.core.url_to_fs(url)
    return fs, path


def _to_url(fs: Any, url: str, path: str) -> str:
    """A path fsspec listed, back as a URL of the same scheme."""
    full = fs.unstrip_protocol(path)
    return full if is_url(full) else url.split("://", 1)[0] + "://" + path.lstrip("/")


def kind_of_path(url: str) -> str:
    """``"dir"``, ``"file"`` or ``"missing"`` for a URL."""
    fs, path = filesystem(url)
    try:
        if fs.isdir(path):
            return "dir"
        if fs.isfile(path):
            return "file"
    except FileNotFoundError:
        pass
    return "missing"


def walk_files(url: str) -> list[str]:
    """URLs of every file under folder ``url``, in :func:`os.walk` order with sorted names
    (a folder's files, then its subfolders), so that local and remote runs read in the same order."""
    fs, base = filesystem(url)
    base = base.rstrip("/")
    fs.invalidate_cache(base)
    files = [p for p, info in fs.find(base, detail=True).items() if info.get("type", "file") != "directory"]

    def key(p: str) -> tuple:
        parts = posixpath.relpath(p, base).split("/")
        return tuple((1, d) for d in parts[:-1]) + ((0, parts[-1]),)
    return [_to_url(fs, url, p) for p in sorted(files, key=key)]


def relpath(url: str, root: str) -> str:
    """``url`` relative to the folder URL ``root`` (``/`` separators)."""
    return posixpath.relpath(url.split("://", 1)[1], root.split("://", 1)[1].rstrip("/") or "/")


def dirname(url: str) -> str:
    """The folder URL holding ``url``."""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://{posixpath.dirname(rest)}"


def open_raw(path: str) -> BinaryIO:
    """A binary stream of a local path or URL, bytes as stored (no decompression)."""
    if not is_url(path):
        return open(path, "rb")
    import fsspec
    return fsspec.open(path, "rb").open()  # type: ignore[no-any-return]


def signature(path: str) -> tuple[int, str]:
    """``(size in bytes, version)`` of a file: the modification time (ns) locally, the
    modification time or ETag a remote filesystem reports; a change means an edited input."""
    if not is_url(path):
        st = os.stat(path)
        return st.st_size, str(st.st_mtime_ns)
    fs, p = filesystem(path)
    info = fs.info(p)
    version = next((str(info[k]) for k in ("mtime", "LastModified", "last_modified", "ETag", "etag", "updated", "created")
                    if info.get(k) is not None), "")
    return int(info.get("size") or 0), version


#: Object stores where one upload appears whole or not at all (no temporary name needed).
ATOMIC_PUT_PROTOCOLS = ("s3", "s3a", "gs", "gcs", "az", "abfs", "abfss", "memory")
#: Names a run writes into OUTDIR: the shards' prefixes and the two reports.
OUTPUT_PREFIXES = ("clean-", "dropped-", "rejects-")
REPORTS = ("report.html", "report.json")


def staging_dir(url: str) -> str:
    """The local folder where a run into OUTDIR ``url`` is written before it is uploaded.

    One folder per URL (``$CLEANER_STAGING_DIR``, default ``staging`` in :func:`cleaner.user_cache.user_cache_dir`), kept
    when a run stops, so that the same command resumes from its spool (``.work``) there.
    """
    import hashlib
    from ..user_cache import user_cache_dir
    base = os.environ.get("CLEANER_STAGING_DIR") or user_cache_dir("staging")
    return os.path.join(base, hashlib.sha256(url.rstrip("/").encode()).hexdigest()[:16])


def _output_names(fs: Any, base: str) -> list[str]:
    fs.invalidate_cache(base)  # a listing cached by an earlier run of this process is stale
    try:
        names = [posixpath.basename(p.rstrip("/")) for p in fs.ls(base, detail=False)]
    except FileNotFoundError:
        return []
    return [n for n in names if n in REPORTS or (n.startswith(OUTPUT_PREFIXES) and n.split("-", 1)[1][:5].isdigit())]


def unpublish_report(url: str) -> None:
    """Delete ``report.json`` from OUTDIR ``url`` before a run: while it is missing, OUTDIR holds no finished run.

    Raises ``OSError`` (or the filesystem's own error) when OUTDIR cannot be reached.
    """
    fs, base = filesystem(url)
    fs.makedirs(base, exist_ok=True)
    for name in REPORTS[::-1]:
        p = posixpath.join(base, name)
        if fs.exists(p):
            fs.rm(p)


def publish(local: str, url: str) -> None:
    """Upload a finished local OUTDIR to ``url``: old shards removed, new ones uploaded whole, ``report.json`` last.

    On object stores each file appears whole or not at all; elsewhere it is written under a
    hidden temporary name and renamed. Raises ``OSError`` (or the filesystem's own error).
    """
    fs, base = filesystem(url)
    fs.makedirs(base, exist_ok=True)
    for name in _output_names(fs, base):
        fs.rm(posixpath.join(base, name))
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    names = sorted(n for n in os.listdir(local) if n.startswith(OUTPUT_PREFIXES)) + [n for n in REPORTS if
                                                                                     os.path.exists(os.path.join(local, n))]
    for name in names:  # report.json, the mark of a finished run, goes last
        dest = posixpath.join(base, name)
        if protocol in ATOMIC_PUT_PROTOCOLS:
            fs.put_file(os.path.join(local, name), dest)
        else:
            tmp = posixpath.join(base, f".{name}.tmp")
            fs.put_file(os.path.join(local, name), tmp)
            fs.mv(tmp, dest)
