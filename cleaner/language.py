"""Which language a document is in: ``language`` (ISO 639-1 code) and ``language_score`` (0-1).

The identifier is py3langid (a maintained packaging of langid.py: a naive Bayes model over
byte n-grams, 97 languages and more, its model shipped inside the wheel; nothing is
downloaded). Labels are ISO 639-1 codes (``de``, ``ja``); a language without one keeps the
model's ISO 639-3 code. ``language_score`` is the model's normalised probability of that
label. The answer is worked out once per document, on the extracted text before any
removal, and is also what the chrome rules use to choose their languages when it is
confident (:func:`cleaner.rules.lang.page_languages`).

Cost: the model loads once per process, before the worker processes are forked (0.5 s
to unpack the wheel's file the first time, ~0.06 s from the user's cache after); a document
then costs about 1.6 ms (its first :data:`SAMPLE_CHARS` characters are looked at).
"""
from __future__ import annotations

from typing import Any

import regex

from .document import Document
from .steps import Filter

#: Characters of a document's text given to the identifier (its start says the language).
SAMPLE_CHARS = 5_000
#: Drop reason of a document whose language is not among ``keep_languages``.
LANGUAGE = "language"
_LETTER = regex.compile(r"\p{L}")
_IDENTIFIER: list[Any] = []


def _identifier() -> Any:
    """py3langid's identifier with normalised probabilities, loaded once per process.

    The wheel's model is xz-compressed (0.5 s to unpack); its arrays are kept unpacked in
    the user's cache (:func:`_cache_path`, about 70 MB, plain ``.npz`` without pickles),
    which loads in a tenth of that. Any fault with the cache falls back to the wheel's file.
    """
    if not _IDENTIFIER:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
        path = _cache_path()
        try:
            ident = _from_cache(path, LanguageIdentifier)
        except Exception:  # noqa: BLE001 - no cache yet, or one of another layout: the wheel's model
            ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            _to_cache(ident, path)
        _IDENTIFIER.append(ident)
    return _IDENTIFIER[0]


def _cache_path() -> str:
    """Where the unpacked model is kept: per py3langid version and model file size."""
    import os
    from importlib.metadata import version

    from py3langid.langid import MODEL_DIR, MODEL_FILE
    model = os.path.join(str(MODEL_DIR), str(MODEL_FILE))
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "cleaner", f"py3langid-{version('py3langid')}-{os.path.getsize(model)}.npz")


def _from_cache(path: str, cls: Any) -> Any:
    import array

    import numpy as np
    with np.load(path, allow_pickle=False) as d:
        return cls(d["nb_ptc"], d["nb_pc"], d["nb_classes"].tolist(),
                   array.array(str(d["nextmove_code"]), d["tk_nextmove"].tobytes()), d["tk_output"].tolist(),
                   norm_probs=True, tk_row=array.array(str(d["row_code"]), d["tk_row"].tobytes()))


def _to_cache(ident: Any, path: str) -> None:
    """Write the unpacked model under a temporary name, then rename (a reader never sees half a file)."""
    import os
    import tempfile

    import numpy as np
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, nb_ptc=ident.nb_ptc, nb_pc=ident.nb_pc, nb_classes=np.array(ident.nb_classes),
                     tk_nextmove=np.frombuffer(ident.tk_nextmove, dtype=ident.tk_nextmove.typecode),
                     nextmove_code=np.array(ident.tk_nextmove.typecode),
                     tk_output=np.array(ident.tk_output, dtype=np.int64),
                     tk_row=np.frombuffer(ident.tk_row, dtype=ident.tk_row.typecode),
                     row_code=np.array(ident.tk_row.typecode))
        os.replace(tmp, path)
    except (OSError, ValueError, TypeError):
        pass  # no cache: the next run unpacks the wheel's model again


def identify(text: str) -> tuple[str | None, float | None]:
    """``(language code, score 0-1)`` of ``text``; ``(None, None)`` for text without a letter."""
    sample = text[:SAMPLE_CHARS]
    if not _LETTER.search(sample):
        return None, None
    lang, score = _identifier().classify(sample)
    return str(lang), round(float(score), 4)


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
