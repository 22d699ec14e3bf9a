"""The one folder where cleaner keeps what it can always compute again (the unpacked
language model, compiled rule patterns, the rules' literals, staged remote files).

``$CLEANER_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/cleaner``, else ``~/.cache/cleaner``.
Deleting it loses nothing: the next run rebuilds what it needs, only slower.
"""
from __future__ import annotations

import os


def user_cache_dir(*parts: str) -> str:
    """The cache folder, or ``parts`` joined below it (not created here)."""
    root = os.environ.get("CLEANER_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "cleaner")
    return os.path.join(root, *parts)
