"""Which language a document is in: ``language`` (ISO 639-1 code) and ``language_score`` (0-1).

The identifier is py3langid (a maintained packaging of langid.py: a naive Bayes model over
byte n-grams, 97 languages and more, its model shipped inside the wheel; nothing is
downloaded). Labels are ISO 639-1 codes (``de``, ``ja``); a language without one keeps the
model's ISO 639-3 code. ``language_score`` is the model's normalised probability of that
label. The answer is worked out once per document, on the extracted text before any
removal, and is also what the chrome rules use to choose their languages when it is
confident (:func:`cleaner.rules.lang.page_languages`).

Cost: the model loads once per process, before the worker processes are forked (0.5 s
to unpack the wheel's file the first time, a few hundredths of a second from the user's
cache after); a document then costs under a millisecond (its first :data:`SAMPLE_CHARS`
characters are looked at).
"""
from __future__ import annotations

from typing import Any

import regex

from ..document import Document
from ..steps import Filter

#: Characters of a document's text given to the identifier (its start says the language).
SAMPLE_CHARS = 2_000
#: Drop reason of a document whose language is not among ``keep_languages``.
LANGUAGE = "language"
_LETTER = regex.compile(r"\p{L}")
_IDENTIFIER: list[Any] = []


def _identifier() -> Any:
    """py3langid's identifier with normalised probabilities, loaded once per process.

    The wheel's model is xz-compressed (0.5 s to unpack); its arrays are kept unpacked in
    the user's cache (:func:`_cache_path`, about 70 MB of plain ``.npy`` and raw arrays,
    no pickles), from which the probability table is memory-mapped (only the rows a text
    uses are read) and the tokenizer's tables are read whole: a few hundredths of a second.
    Its features are then counted by :mod:`cleaner.page.langid_walk` (the same scores, a
    fraction of the time).
    Any fault with the cache falls back to the wheel's file.
    """
    if not _IDENTIFIER:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
        path = _cache_path()
        try:
            ident, output = _from_cache(path, LanguageIdentifier)
        except Exception:  # noqa: BLE001 - no cache yet, or one of another layout: the wheel's model
            ident, output = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True), None
            _to_cache(ident, path)
        from .langid_walk import install
        install(ident, output=output)   # its features counted by table lookups over the whole text, not a loop over bytes
        _IDENTIFIER.append(ident)
    return _IDENTIFIER[0]


#: Layout version of the unpacked model in the cache (part of its folder name).
CACHE_LAYOUT = 2


def _cache_path() -> str:
    """The folder where the unpacked model is kept: per py3langid version, model file size and layout."""
    import os

    import py3langid
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    model = os.path.join(str(MODEL_DIR), str(MODEL_FILE))
    ver = getattr(py3langid, "__version__", None)
    if ver is None:  # pragma: no cover - every release so far has it
        from importlib.metadata import version
        ver = version("py3langid")
    from ..user_cache import user_cache_dir
    return user_cache_dir(f"py3langid-{ver}-{os.path.getsize(model)}-v{CACHE_LAYOUT}")


def _from_cache(path: str, cls: Any) -> tuple[Any, Any]:
    """The identifier (a ``cls``) from the cache folder ``path``, and its ``tk_output`` as the array read."""
    import json
    import mmap
    import os

    import numpy as np
    with open(os.path.join(path, "meta.json"), encoding="utf-8") as fh:
        meta = json.load(fh)

    def mapped(name: str, code: str) -> memoryview:
        """The file as a read-only memory map seen as machine integers: indexed like an
        ``array.array`` from Python, paged in only where the tokenizer goes, shared by workers."""
        with open(os.path.join(path, name), "rb") as fh:
            return memoryview(mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)).cast(code)

    output = np.load(os.path.join(path, "tk_output.npy"), allow_pickle=False)
    return cls(np.load(os.path.join(path, "nb_ptc.npy"), mmap_mode="r", allow_pickle=False),
               np.load(os.path.join(path, "nb_pc.npy"), allow_pickle=False), meta["nb_classes"],
               mapped("tk_nextmove.bin", meta["nextmove_code"]), output.tolist(),
               norm_probs=True, tk_row=mapped("tk_row.bin", meta["row_code"])), output


def _to_cache(ident: Any, path: str) -> None:
    """Write the unpacked model into a temporary folder, then rename it (a reader never sees half a model)."""
    import json
    import os
    import shutil
    import tempfile

    import numpy as np
    parent = os.path.dirname(path)
    tmp = None
    try:
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(dir=parent, prefix=".py3langid-")
        np.save(os.path.join(tmp, "nb_ptc.npy"), np.ascontiguousarray(ident.nb_ptc))
        np.save(os.path.join(tmp, "nb_pc.npy"), np.asarray(ident.nb_pc))
        np.save(os.path.join(tmp, "tk_output.npy"), np.array(ident.tk_output, dtype=np.int64))
        for name, arr in (("tk_nextmove.bin", ident.tk_nextmove), ("tk_row.bin", ident.tk_row)):
            with open(os.path.join(tmp, name), "wb") as fh:
                arr.tofile(fh)
        with open(os.path.join(tmp, "meta.json"), "w", encoding="utf-8") as fh:
            json.dump({"nb_classes": list(ident.nb_classes), "nextmove_code": ident.tk_nextmove.typecode,
                       "row_code": ident.tk_row.typecode}, fh)
        os.replace(tmp, path)
        tmp = None
    except (OSError, ValueError, TypeError, AttributeError):
        pass  # no cache: the next run unpacks the wheel's model again
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def identify(text: str) -> tuple[str | None, float | None]:
    """``(language code, score 0-1)`` of ``text``; ``(None, None)`` for text without a letter."""
    sample = text[:SAMPLE_CHARS]
    if not _LETTER.search(sample):
        return None, None
    lang, score = _identifier().classify(sample)
    return str(lang), round(float(score), 4)


class LanguageCodeError(ValueError):
    """A ``keep_languages`` code that no document can be labelled with (a usage error)."""


def check_languages(value: str) -> None:
    """Raise :class:`LanguageCodeError` when a code of a ``keep_languages`` value is no label the identifier gives.

    A typo (``english``, ``eng``) would otherwise drop every document of a corpus as ``language``.
    """
    codes = parse_languages(value)
    if not codes:
        return
    known = set(map(str, _identifier().nb_classes))
    unknown = sorted(codes - known)
    if unknown:
        raise LanguageCodeError(f"--keep-languages: unknown language code(s) {', '.join(unknown)}; use the codes the "
                         f"language field holds (ISO 639-1 where there is one), e.g. de,en,ja; "
                         f"known: {', '.join(sorted(known))}")


def parse_languages(value: str) -> frozenset[str]:
    """The codes of a ``keep_languages`` option value (``"de, en"``), lower-cased; empty for ``""``."""
    return frozenset(s.strip().lower() for s in value.split(",") if s.strip())


class LanguageLabel(Filter):
    """Label each document's language; with ``keep`` non-empty, drop documents in other languages.

    Sets ``doc.language`` and ``doc.language_score``; a dropped document gets the reason
    ``language`` and ``drop_detail`` ``{"language": code, "language_score": score}``.
    """

    name = "language@1"

    def __init__(self, keep: frozenset[str] = frozenset()):
        super().__init__()
        self.keep = keep
        _identifier()  # loaded now: in the driver before forking, so workers share it

    def reason(self, doc: Document) -> str | None:
        doc.language, doc.language_score = identify(doc.text)
        if self.keep and doc.language not in self.keep:
            doc.drop_detail = {"language": doc.language, "language_score": doc.language_score}
            return LANGUAGE
        return None
