"""Rule files parsed once per content, the parsed form kept in the user's cache.

Parsing the shipped rule files with :mod:`tomllib` takes 50-80 ms, a tenth of a one-page
run (``cleaner clean one.html``), paid again by every process. :func:`load_toml` keeps the
parsed table of each file in the user's cache (:func:`cleaner.user_cache.user_cache_dir`),
named by a digest of the file's bytes and the Python version, as ``marshal`` data (plain
strings, numbers, booleans, lists and dicts: loading cannot run code), written to a
temporary file and renamed. A table that ``marshal`` cannot write (a TOML date) is not
kept; a missing, foreign or broken entry is parsed again. The cache changes how long a
run takes, never what a rule file says.
"""
from __future__ import annotations

import hashlib
import os
import sys
from typing import Any

#: Layout of the cached entries (part of the folder name).
CACHE_LAYOUT = 1


def cache_dir() -> str:
    """The folder of the parsed rule files: per Python version and layout."""
    from ..user_cache import user_cache_dir
    py = f"{sys.implementation.name}{sys.version_info[0]}.{sys.version_info[1]}"
    return user_cache_dir(f"rule-files-{py}-v{CACHE_LAYOUT}")


def load_toml(path: str) -> dict[str, Any]:
    """The table of the TOML file at ``path``, as :func:`tomllib.loads` gives it.

    Raises :class:`OSError` when the file cannot be read, :class:`UnicodeDecodeError` when it
    is no UTF-8 and ``toml_parser().TOMLDecodeError`` when it is no valid TOML (an invalid file
    is never cached).
    """
    with open(path, "rb") as fh:
        data = fh.read()
    digest = hashlib.blake2b(data, digest_size=20).hexdigest()
    entry = os.path.join(cache_dir(), f"{digest}.marshal")
    table = _load(entry)
    if table is not None:
        return table
    table = toml_parser().loads(data.decode("utf-8"))
    _store(entry, table)
    return table


def toml_parser():
    """:mod:`tomllib` (Python 3.11+), else the ``tomli`` package it came from."""
    try:
        import tomllib
    except ImportError:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    return tomllib


def _load(entry: str) -> dict[str, Any] | None:
    from ..user_cache import read_marshal
    table = read_marshal(entry)
    return table if isinstance(table, dict) else None


def _store(entry: str, table: dict[str, Any]) -> None:
    from ..user_cache import write_marshal
    write_marshal(entry, table)   # a value marshal cannot write (a TOML date): not kept
