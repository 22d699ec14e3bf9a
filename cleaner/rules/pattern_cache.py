"""Compiled rule patterns kept on disk between runs, so that a run does not pay for compiling them.

Compiling a rule pattern with the ``regex`` module is mostly Python work (parsing,
full case folding of every alternative, packing character sets): 2-50 ms a pattern, about
0.9 s for all of the shipped rules, and about 0.25 s for the patterns one typical page
needs. That is half the time of ``cleaner clean one.html``, paid again by every process.
The result of that work is a short list of opcodes that ``regex``'s C core turns into a
pattern object in microseconds. This module keeps that list, per pattern, in the user's
cache (:func:`cleaner.user_cache.user_cache_dir`), under a folder named by the
``regex`` and Python versions, and builds the pattern object from it on the next run.

The opcodes are recorded from ``regex``'s own compilation (the arguments its compiler
hands to the C core, ``regex._regex.compile``); nothing here parses or compiles patterns.
Entries are ``marshal`` data (plain numbers, strings, tuples and dicts: loading cannot run
code), written to a temporary file and renamed, checked against a digest in their file
name and against the pattern text they hold. Any fault (no cache folder, a file of
another layout, a ``regex`` release that compiles differently) falls back to
``regex.compile``: the cache changes how long a run takes, never what a pattern matches.
Set ``CLEANER_PATTERN_CACHE=0`` to switch it off.
"""
from __future__ import annotations

import hashlib
import os
import sys
import threading

import regex

from ..compile_recorder import CompileRecorder

#: Layout of the cached entries (part of the folder name).
CACHE_LAYOUT = 1
#: Environment variable that switches the cache off when set to ``0``.
ENV_SWITCH = "CLEANER_PATTERN_CACHE"

_LOCK = threading.Lock()


def cache_dir() -> str:
    """The folder of the cached patterns: per ``regex`` version, Python version and layout."""
    from ..user_cache import user_cache_dir
    py = f"{sys.implementation.name}{sys.version_info[0]}.{sys.version_info[1]}"
    return user_cache_dir(f"regex-{regex.__version__}-{py}-v{CACHE_LAYOUT}")


def _enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1") != "0"


def _key(src: str, flags: int) -> str:
    return hashlib.blake2b(f"{flags}\0{src}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _compile_recording(src: str, flags: int) -> tuple["regex.Pattern[str]", tuple | None]:
    """``regex.compile(src, flags)`` (not from ``regex``'s in-memory cache) and the arguments
    it passed to the C core (``None`` when they could not be seen)."""
    main = sys.modules.get("regex._main") or sys.modules.get("regex.regex")
    core = getattr(main, "_regex", None)
    if main is None or core is None or isinstance(core, CompileRecorder):
        return regex.compile(src, flags), None
    rec = CompileRecorder(core)
    with _LOCK:
        main._regex = rec
        try:
            pattern = regex.compile(src, flags, cache_pattern=False)
        finally:
            main._regex = core
    args = rec.args
    if not args or args[0] != src:
        return pattern, None
    # flags come as IntFlag members, which marshal does not write: kept as the plain ints they are
    return pattern, tuple(int(a) if isinstance(a, int) and type(a) is not int else a for a in args)


def _load(path: str, src: str) -> "regex.Pattern[str] | None":
    from ..user_cache import read_marshal
    args = read_marshal(path)
    if not isinstance(args, tuple) or not args or args[0] != src:
        return None
    try:
        main = sys.modules.get("regex._main") or sys.modules.get("regex.regex")
        return main._regex.compile(*args)  # type: ignore[union-attr]
    except Exception:  # noqa: BLE001 - an entry this regex cannot use: compile instead
        return None


def _store(path: str, args: tuple) -> None:
    from ..user_cache import write_marshal
    write_marshal(path, args)   # an argument marshal cannot write: no cache, same pattern


def compile_pattern(src: str, flags: int = regex.V1) -> "regex.Pattern[str]":
    """``regex.compile(src, flags)``, from the on-disk cache when an earlier run compiled it.

    Raises ``regex.error`` for a pattern that does not compile (never cached).
    """
    if not _enabled():
        return regex.compile(src, flags)
    path = os.path.join(cache_dir(), _key(src, flags) + ".marshal")
    got = _load(path, src)
    if got is not None:
        return got
    pattern, args = _compile_recording(src, flags)
    if args is not None:
        _store(path, args)
    return pattern
