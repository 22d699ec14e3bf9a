"""Which files an input names: local files and folders, ``-`` (standard input), URLs; and what their names say.

:func:`list_inputs` gives ``(path, id_root)`` pairs in a stable order (sorted names, a
folder's files before its subfolders); :func:`kind_of` the reader kind a name says.
"""
from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from typing import Iterable, Iterator

from . import remote
from .records import InputError

#: Bytes copied at a time from standard input.
READ_CHUNK_BYTES = 1 << 20

COMPRESSIONS = (".gz", ".zst")
KINDS = {".html": "html", ".htm": "html", ".xhtml": "html", ".txt": "text", ".text": "text",
         ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".warc": "warc", ".arc": "warc", ".wet": "warc",
         ".parquet": "parquet", ".arrow": "arrow"}
#: Values of the ``input_type`` option besides ``auto``.
INPUT_TYPES = ("html", "text", "jsonl", "warc", "parquet", "arrow")
SUFFIX_HELP = ("*.html, *.htm, *.xhtml, *.txt, *.jsonl, *.ndjson, *.json, *.warc, *.wet, *.arc, *.parquet or *.arrow "
               "(all but Parquet and Arrow optionally ending in .gz or .zst); other files are sniffed by content")
#: The input name that stands for standard input.
STDIN = "-"


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


def _is_dataset_metadata(name: str, arrow_below: bool) -> bool:
    """True for the JSON files ``save_to_disk`` writes beside (or above) a dataset's Arrow shards;
    ``arrow_below``: the file's folder or one under it holds ``.arrow`` files."""
    from .tables import HF_METADATA_FILES
    return arrow_below and name in HF_METADATA_FILES


def _arrow_under(folder: str) -> bool:
    for _, _, files in os.walk(folder):
        if any(f.endswith(".arrow") for f in files):
            return True
    return False


#: The state file of a run's spool folder, relative to its output folder.
WORK_STATE = os.path.join(".work", "state.json")


def is_output_folder(folder: str) -> bool:
    """True for the output folder of a cleaner run: its ``report.json`` names a cleaner version,
    or its ``.work/state.json`` (a run still going or stopped) is there."""
    if os.path.isfile(os.path.join(folder, WORK_STATE)):
        return True
    try:
        with open(os.path.join(folder, "report.json"), encoding="utf-8") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return '"cleaner_version"' in head


def _earlier_output(folder: str, warn: bool) -> bool:
    """:func:`is_output_folder`; with ``warn``, saying on standard error that the folder is left out."""
    if not is_output_folder(folder):
        return False
    if warn:
        print(f"cleaner: warning: {folder} is the output folder of a cleaner run; its files are not read as input "
              "(give it as an input of its own to clean its clean shards again)", file=sys.stderr)
    return True


def _output_shards(folder: str, warn: bool) -> list[tuple[str, str]]:
    """The ``clean-*`` shards of an earlier run's output folder given as an input: its clean
    documents, to be cleaned again; its report files, dropped and rejects shards and spool
    are no documents of it. Raises :class:`InputError` when it holds no clean shard."""
    shards = sorted(f for f in os.listdir(folder) if f.startswith("clean-") and os.path.isfile(os.path.join(folder, f)))
    if not shards:
        raise InputError(f"{folder}: the output folder of a cleaner run without clean shards (clean-*); "
                         "nothing to read in it")
    if warn:
        print(f"cleaner: note: {folder} is the output folder of a cleaner run: reading its {len(shards)} clean "
              "shard(s) (clean-*), not its report, dropped or rejects files", file=sys.stderr)
    return [(os.path.join(folder, f), folder) for f in shards]


#: Listings kept while :func:`listings_kept` holds, by ``(paths, exclude)``; ``None``: none kept.
_KEPT: dict[tuple[tuple[str, ...], tuple[str, ...]], list[tuple[str, str]]] | None = None


@contextmanager
def listings_kept() -> Iterator[None]:
    """Within it, :func:`list_inputs` walks the same inputs once: later calls without ``warn`` get
    the first listing again. A run lists its inputs for its checks, its resume key and its
    reading; on 692 linked pages each listing took 35 ms (a ``realpath`` of every file)."""
    global _KEPT
    outer = _KEPT
    _KEPT = {} if outer is None else outer
    try:
        yield
    finally:
        _KEPT = outer


def list_inputs(paths: Iterable[str], exclude: Iterable[str] = (), warn: bool = False) -> list[tuple[str, str]]:
    """Every file under ``paths`` as ``(path, id_root)`` pairs, sorted within folders.

    Folders and files whose name starts with ``.`` are skipped, and so is everything under
    an ``exclude`` folder (the run's own output folder, when it lies inside an input) or
    under the output folder of an earlier run (:func:`is_output_folder`, with a warning; such a
    folder given itself as an input gives its ``clean-*`` shards only, with a note), and
    the metadata files of a saved Hugging Face dataset (``state.json``, ...). Files of
    any name are listed (those of unknown suffix are sniffed when read). ``-`` stands for
    standard input; URLs are listed through fsspec. Raises :class:`InputError` for a
    path that does not exist or a folder holding no file. ``warn``: say on standard error
    which earlier output folders are left out (the run says it once, when it starts).
    Within :func:`listings_kept`, a listing made earlier is given again (a copy).
    """
    paths, exclude = tuple(paths), tuple(exclude)
    kept = _KEPT.get((paths, exclude)) if _KEPT is not None and not warn else None
    if kept is not None:
        return list(kept)
    listed = _list_inputs(paths, exclude, warn)
    if _KEPT is not None:
        _KEPT[(paths, exclude)] = list(listed)
    return listed


def _list_inputs(paths: tuple[str, ...], exclude: tuple[str, ...], warn: bool) -> list[tuple[str, str]]:
    skip = {os.path.realpath(e) for e in exclude if not remote.is_url(e)}
    skip_urls = tuple(e.rstrip("/") + "/" for e in exclude if remote.is_url(e))
    out: list[tuple[str, str]] = []
    for p in paths:
        if p == STDIN:
            out.append((STDIN, ""))
        elif remote.is_url(p):
            out.extend(_list_url(p, skip_urls))
        elif os.path.isdir(p) and is_output_folder(p):
            out.extend(_output_shards(p, warn))
        elif os.path.isdir(p):
            n = len(out)
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and os.path.realpath(os.path.join(root, d)) not in skip
                                 and not _earlier_output(os.path.join(root, d), warn))
                meta = any(f in ("state.json", "dataset_info.json", "dataset_dict.json") for f in files)
                arrow = meta and _arrow_under(root)
                for f in sorted(files):
                    if not f.startswith(".") and not _is_dataset_metadata(f, arrow):
                        out.append((os.path.join(root, f), p))
            if len(out) == n:
                raise InputError(f"{p}: no input files in this folder; cleaner reads {SUFFIX_HELP}")
        elif os.path.isfile(p):
            out.append((p, os.path.dirname(p)))
        else:
            raise InputError(f"{p}: no such file or folder; check the path")
    return _read_once(out, warn)


def _read_once(listed: list[tuple[str, str]], warn: bool) -> list[tuple[str, str]]:
    """``listed`` without the later listings of a local file listed already (given twice, or
    given and inside a folder also given): each file is read once, as its first listing names
    it; with ``warn`` each file left out is named on standard error."""
    seen: set[str] = set()
    out = []
    for path, root in listed:
        if path != STDIN and not remote.is_url(path):
            real = os.path.realpath(path)
            if real in seen:
                if warn:
                    print(f"cleaner: warning: {path} is listed more than once in the inputs; read once",
                          file=sys.stderr)
                continue
            seen.add(real)
        out.append((path, root))
    return out


def _list_url(url: str, skip: tuple[str, ...]) -> list[tuple[str, str]]:
    try:
        what = remote.kind_of_path(url)
    except (ImportError, ValueError, OSError) as e:
        raise InputError(f"{url}: cannot open this URL ({type(e).__name__}: {e}); "
                         "install the fsspec filesystem for its scheme (e.g. s3fs for s3://)") from None
    if what == "file":
        return [(url, remote.dirname(url))]
    if what == "missing":
        raise InputError(f"{url}: no such file or folder; check the path")
    root = url.rstrip("/")
    files = remote.walk_files(url)
    out = []
    for f in files:
        rel = remote.relpath(f, root)
        parts = rel.split("/")
        if any(x.startswith(".") for x in parts) or (f.rstrip("/") + "/").startswith(skip) or \
                any(f.startswith(s) for s in skip):
            continue
        folder = f.rsplit("/", 1)[0] + "/"
        if parts[-1].endswith(".json") and _is_dataset_metadata(
                parts[-1], any(g.startswith(folder) and g.endswith(".arrow") for g in files)):
            continue
        out.append((f, root))
    if not out:
        raise InputError(f"{url}: no input files in this folder; cleaner reads {SUFFIX_HELP}")
    return out


def record_id_for(path: str, root: str) -> str:
    """A file's record id: its path relative to the input root, with ``/`` separators."""
    if remote.is_url(path):
        return remote.relpath(path, root) if root else path.rsplit("/", 1)[-1]
    rel = os.path.relpath(path, root) if root else os.path.basename(path)
    return rel.replace(os.sep, "/")


_STDIN_COPY: list[str] = []


def stdin_copy() -> str:
    """The path of a temporary copy of standard input, made on first use (removed at exit).

    Standard input is read once, whole, so that it can be sniffed and read like a file.
    """
    if not _STDIN_COPY:
        d = tempfile.mkdtemp(prefix="cleaner-stdin-")
        atexit.register(shutil.rmtree, d, True)
        path = os.path.join(d, "stdin")
        with open(path, "wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out, READ_CHUNK_BYTES)
        _STDIN_COPY.append(path)
    return _STDIN_COPY[0]


def local_path(path: str) -> str:
    """Where the bytes of an input are: the path itself, or the copy of standard input for ``-``."""
    return stdin_copy() if path == STDIN else path
