"""Compiled patterns of the standard library's ``re`` kept on disk between runs.

``import trafilatura`` compiles about 260 ``re`` patterns (its own, courlan's, htmldate's,
tld's), and a few of cleaner's modules compile large character classes: about 0.05 s of
the 0.45-0.5 s of ``cleaner clean one.html``, paid again by every process. ``re`` turns a
pattern into a list of opcodes in Python (``re._parser``, ``re._compiler``) and hands it to
its C core (``_sre.compile``), which builds the pattern object in microseconds. This module
keeps the arguments of that last call, per pattern text and flags, in the user's cache
(:func:`cleaner.user_cache.user_cache_dir`) under a folder named by the Python build, and
on the next run builds the pattern object from them: the same object ``re`` would build.
It is :mod:`cleaner.rules.pattern_cache` for ``re`` instead of ``regex``.

- :func:`compile_re` is ``re.compile`` through the cache, for cleaner's own costly patterns;
- :func:`recording` routes every ``re`` compilation in the process through the cache while
  it is active, for the imports of libraries that compile patterns when imported. The
  ``re`` module is restored when it ends.

The arguments are recorded from ``re``'s own compilation (nothing here parses a pattern).
Each group of patterns is one ``marshal`` file (plain numbers, strings, lists, tuples and
dicts: loading cannot run code), written atomically and checked by its digest; ``_sre``
checks the opcodes again when it builds a pattern. Any fault (no cache folder, a torn file,
another Python, ``re`` internals this module does not know) falls back to ``re`` itself:
the cache changes how long a run takes, never what a pattern matches. Patterns compiled
with ``re.DEBUG`` are not cached. ``CLEANER_PATTERN_CACHE=0`` switches it off, as it does
for rule patterns.
"""
from __future__ import annotations

import atexit
import contextlib
import os
import re
import sys
import threading
from typing import Any, Iterator

from .compile_recorder import CompileRecorder

#: Layout of the cached entries (part of the folder name).
CACHE_LAYOUT = 1
#: Entries a group keeps at most (a process that compiles patterns built from data stops adding).
MAX_ENTRIES = 4096
#: The environment variable shared with :mod:`cleaner.rules.pattern_cache`.
ENV_SWITCH = "CLEANER_PATTERN_CACHE"

_LOCK = threading.RLock()
_GROUPS: dict[str, "_Group"] = {}


def _internals() -> tuple[Any, Any] | None:
    """``(re._compiler, _sre)`` when they have the shape this module relies on, else ``None``."""
    compiler = getattr(re, "_compiler", None)
    core = getattr(compiler, "_sre", None)
    if compiler is None or core is None or not callable(getattr(compiler, "compile", None)) \
            or not callable(getattr(core, "compile", None)):
        return None
    return compiler, core


def _enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "1") != "0" and _internals() is not None


def cache_dir() -> str:
    """The folder of the cached groups: per Python build, ``_sre`` version and layout."""
    import hashlib

    from .user_cache import user_cache_dir
    core = _internals()
    magic = getattr(core[1], "MAGIC", 0) if core else 0
    build = hashlib.blake2b(f"{sys.version}\0{magic}".encode(), digest_size=6).hexdigest()
    return user_cache_dir(f"re-{sys.implementation.name}{sys.version_info[0]}.{sys.version_info[1]}-{build}"
                          f"-v{CACHE_LAYOUT}")


def _plain(args: tuple) -> tuple | None:
    """The recorded ``_sre.compile`` arguments past the pattern text, as plain values ``marshal`` writes.

    ``re`` passes its opcodes as int subclasses (named constants) and the flags as an
    ``IntFlag``: both are kept as the ints they are.
    """
    if len(args) != 6:
        return None
    _, flags, code, groups, groupindex, indexgroup = args
    try:
        return (int(flags), [int(c) for c in code], int(groups), {str(k): int(v) for k, v in dict(groupindex).items()},
                tuple(indexgroup))
    except (TypeError, ValueError):
        return None


class _Group:
    """One cache file: ``{(pattern, flags): _sre.compile arguments}``, read once, written when it grew."""

    def __init__(self, name: str):
        from .user_cache import read_marshal
        self.path = os.path.join(cache_dir(), f"{name}.marshal")
        got = read_marshal(self.path)
        self.entries: dict[tuple, tuple] = got if isinstance(got, dict) else {}
        self.grew = False

    def compile(self, pattern: str | bytes, flags: int, compiler: Any, core: Any, real: Any) -> Any:
        """The compiled ``pattern``, from the entry when there is one, else compiled by ``real`` and recorded."""
        key = (pattern, int(flags))
        args = self.entries.get(key)
        if args is not None:
            try:
                return core.compile(pattern, *args)
            except Exception:  # noqa: BLE001 - an entry this Python cannot use: compile instead
                del self.entries[key]
        rec = CompileRecorder(core)
        with _LOCK:
            compiler._sre = rec
            try:
                compiled = real(pattern, flags)
            finally:
                compiler._sre = core
        got = _plain(rec.args) if rec.args and rec.args[0] is pattern else None
        if got is not None and len(self.entries) < MAX_ENTRIES:
            self.entries[key] = got
            self.grew = True
        return compiled

    def save(self) -> None:
        from .user_cache import write_marshal
        if self.grew:
            self.grew = False
            write_marshal(self.path, self.entries)   # a failed write means no cache, same patterns


def _group(name: str) -> _Group:
    with _LOCK:
        group = _GROUPS.get(name)
        if group is None:
            group = _GROUPS[name] = _Group(name)
            atexit.register(group.save)
        return group


def compile_re(pattern: str, flags: int = 0) -> "re.Pattern[str]":
    """``re.compile(pattern, flags)``, from the on-disk cache (group ``cleaner``) when a run compiled it before.

    Raises ``re.error`` for a pattern that does not compile (never cached).
    """
    got = _internals()
    if not _enabled() or got is None or flags & re.DEBUG:
        return re.compile(pattern, flags)
    compiler, core = got
    return _group("cleaner").compile(pattern, flags, compiler, core, compiler.compile)


@contextlib.contextmanager
def recording(name: str) -> Iterator[None]:
    """While active, every ``re`` compilation of the process goes through the cache group ``name``.

    For the import of a library that compiles its patterns when imported (``with
    recording("trafilatura"): import trafilatura``). ``re``'s in-memory cache stays in front
    of it. New entries are written when the block ends. Nested or concurrent blocks leave
    ``re`` to the first one.
    """
    got = _internals()
    if not _enabled() or got is None:
        yield
        return
    compiler, core = got
    with _LOCK:
        real = compiler.compile
        if getattr(real, "_cleaner_re_cache", False):
            real = None    # another block is active
        else:
            group = _group(name)

            def cached(p: Any, flags: int = 0) -> Any:
                if isinstance(p, (str, bytes)) and not flags & re.DEBUG:
                    return group.compile(p, flags, compiler, core, real)
                return real(p, flags)

            cached._cleaner_re_cache = True   # type: ignore[attr-defined]
            compiler.compile = cached
    if real is None:
        yield
        return
    try:
        yield
    finally:
        with _LOCK:
            compiler.compile = real
        group.save()
