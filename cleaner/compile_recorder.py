"""A stand-in for a regular-expression engine's C core that keeps what one compilation handed it.

Both pattern caches (:mod:`cleaner.rules.pattern_cache` for ``regex``, :mod:`cleaner.re_cache`
for the standard library's ``re``) record a pattern by letting the engine compile it as
usual with this object in place of its C module (``regex._regex``, ``re._compiler._sre``):
the arguments of the C ``compile`` call are what a later run needs to build the same
pattern without compiling it again.
"""
from __future__ import annotations

from typing import Any


class CompileRecorder:
    """Stands in for an engine's C module while one pattern compiles; ``args`` holds what its ``compile`` got
    (``None`` until it is called). Every other attribute is the C module's own."""

    def __init__(self, core: Any):
        self._core = core
        self.args: tuple | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._core, name)

    def compile(self, *args: Any) -> Any:
        self.args = args
        return self._core.compile(*args)
