"""jusText's stop words as trafilatura's comparison uses them, read from the user's cache.

trafilatura's jusText fallback classifies paragraphs by their share of stop words, taken
from the union of the ~100 stoplists jusText ships (about 154,000 words). trafilatura
builds that union on first use in each process (``trafilatura.external.jt_stoplist_init``,
reading every list: about 0.1 s), and keeps it in ``trafilatura.external.JT_STOPLIST``.
For a run of one page that needs the comparison that is a fifth of the run.
:func:`warm_stoplist` fills ``JT_STOPLIST`` with the same words from the user's cache
(:func:`cleaner.user_cache.user_cache_dir`: one ``marshal`` file per jusText version and
stoplist folder, about 10 ms to read), building and keeping them on the first run. The
words are the ones trafilatura would take (a set, in sorted order); any fault (no
cache, a broken file, another trafilatura that keeps no ``JT_STOPLIST``) leaves trafilatura
to build them itself.
"""
from __future__ import annotations

import hashlib
import os

#: Layout of the cache file (part of its name): 2 keeps, beside the words, whether all of them are lower case.
CACHE_LAYOUT = 2

_WARM = False


def cache_path() -> str | None:
    """The cache file for the installed jusText's stoplists (``None`` when jusText is missing)."""
    from ..user_cache import user_cache_dir
    try:
        import justext
        folder = os.path.join(os.path.dirname(justext.__file__), "stoplists")
        names = sorted(os.listdir(folder))
    except (ImportError, OSError):
        return None
    sizes = [os.path.getsize(os.path.join(folder, n)) for n in names]
    tag = hashlib.blake2b(repr((getattr(justext, "__version__", ""), names, sizes)).encode(), digest_size=12).hexdigest()
    return user_cache_dir(f"justext-stoplist-{tag}-v{CACHE_LAYOUT}.marshal")


def warm_stoplist() -> None:
    """Fill ``trafilatura.external.JT_STOPLIST`` from the cache (once per process); never raises.

    Also puts in the faster jusText paragraphs and classification (:mod:`.justext_fast`).
    """
    global _WARM
    if _WARM:
        return
    _WARM = True
    try:
        import trafilatura.external as external
        from .justext_fast import install, known_stopword_set
    except ImportError:   # pragma: no cover - trafilatura is a dependency
        return
    install()
    if getattr(external, "JT_STOPLIST", "missing") is not None:
        return   # built already, or a trafilatura that keeps no such list
    path = cache_path()
    kept = _load(path) if path else None
    if kept is None:
        words = tuple(sorted(external.jt_stoplist_init()))
        kept = words, all(w == w.lower() for w in words)
        if path:
            _store(path, kept)
    words, lower = kept
    external.JT_STOPLIST = words
    if lower:   # jusText lower-cases them into a set at its first classification (0.09 s): they are already
        known_stopword_set(words, frozenset(words))


def _load(path: str) -> tuple[tuple[str, ...], bool] | None:
    """``(words, all lower case)`` from the cache file, or ``None``."""
    from ..user_cache import read_marshal
    kept = read_marshal(path)
    if not (isinstance(kept, tuple) and len(kept) == 2 and isinstance(kept[1], bool)):
        return None
    words = kept[0]
    return kept if isinstance(words, tuple) and words and all(isinstance(w, str) for w in words[:100]) else None


def _store(path: str, kept: tuple[tuple[str, ...], bool]) -> None:
    from ..user_cache import write_marshal
    write_marshal(path, kept)
