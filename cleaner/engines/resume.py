"""What a stopped run resumes from: the spool's version, the work folder and the key that
says whether a spool was made from the same inputs and options (both engines)."""
from __future__ import annotations

import hashlib
import json
import os
from typing import Any, Iterable

from ..config import Options
from ..io.readers import list_inputs
from ..steps import Marker

#: Format version of the spool; a run never resumes from a spool of another version.
SPOOL_VERSION = 4
WORK_DIR = ".work"

#: Options that change neither the spool nor the output, so changing them keeps a resumable spool.
RUN_ONLY_OPTIONS = ("workers", "progress", "fail_on_reject", "batch_size", "output_format", "shard_size_mb")


def resume_key(options: Options, files: list[list[Any]], steps: Iterable[Marker] = (),
               run_only: tuple[str, ...] = RUN_ONLY_OPTIONS, extra: dict[str, Any] | None = None) -> str:
    """The key of a spool (16 hex digits): a hash of what decides pass-1 output, for both engines.

    The options that change documents (all but ``run_only``), ``files`` (each input file's
    path, size and version as the engine lists them: an edited input starts over), the
    versioned names of a user's markers (another name or version starts over), the spool
    format and cleaner's version; ``extra``: more fields an engine keys on.
    """
    data: dict[str, Any] = {k: v for k, v in options.to_dict().items() if k not in run_only}
    data.update(extra or {})
    data["files"] = files
    names = [s.name for s in steps]
    if names:  # absent without user steps: the key of a plain run stays what it was
        data["user_steps"] = names
    data["spool_version"] = SPOOL_VERSION
    from ..version import __version__
    data["cleaner"] = __version__
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def local_resume_key(options: Options, inputs: list[str], exclude: tuple[str, ...] = (),
                     steps: Iterable[Marker] = ()) -> str:
    """:func:`resume_key` of a local run over ``inputs`` (files and folders, ``exclude`` left out).

    Standard input never resumes (its key is new each time).
    """
    from ..io.remote import is_url, signature
    files = []
    for path, _ in list_inputs(inputs, exclude):
        size, version = (-1, os.urandom(8).hex()) if path == "-" else signature(path)
        files.append([path if is_url(path) else os.path.abspath(path), size, version])
    return resume_key(options, files, steps,
                      extra={"inputs": [p if "://" in p else os.path.abspath(p) for p in inputs]})
