"""The one folder where cleaner keeps what it can always compute again (the unpacked
language model, compiled rule patterns, the rules' literals, staged remote files).

``$CLEANER_CACHE_DIR`` when set, else ``$XDG_CACHE_HOME/cleaner``, else ``~/.cache/cleaner``.
Deleting it loses nothing: the next run rebuilds what it needs, only slower.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import tempfile

#: Bytes of the digest that opens each cache file written by :func:`write_marshal`.
DIGEST_BYTES = 32


def user_cache_dir(*parts: str) -> str:
    """The cache folder, or ``parts`` joined below it (not created here)."""
    root = os.environ.get("CLEANER_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "cleaner")
    return os.path.join(root, *parts)


def read_marshal(path: str) -> object | None:
    """The value kept in a cache file by :func:`write_marshal`, or ``None`` when the file is
    missing, unreadable, torn (its digest does not match) or not ``marshal`` data of this Python."""
    try:
        with open(path, "rb") as fh:
            blob = fh.read()
    except OSError:
        return None
    check, payload = blob[:DIGEST_BYTES], blob[DIGEST_BYTES:]
    if hashlib.blake2b(payload, digest_size=DIGEST_BYTES).digest() != check:
        return None
    try:
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None


def write_marshal(path: str, value: object) -> None:
    """Keep ``value`` (plain strings, numbers, tuples, lists, dicts: loading it cannot run code)
    in the cache file ``path`` as ``marshal`` data opened by its digest, written atomically (a
    temporary file in the same folder, renamed). Errors are ignored: a value ``marshal`` cannot
    write, a read-only home or a full disk means no cache, never a failed run."""
    try:
        payload = marshal.dumps(value)
    except ValueError:
        return
    tmp = None
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".cache-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(hashlib.blake2b(payload, digest_size=DIGEST_BYTES).digest() + payload)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
