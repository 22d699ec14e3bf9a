"""Which language a document is in: ``language`` (ISO 639-1 code) and ``language_score`` (0-1).

The identifier is py3langid (a maintained packaging of langid.py: a naive Bayes model over
byte n-grams, 97 languages and more, its model shipped inside the wheel; nothing is
downloaded). Labels are ISO 639-1 codes (``de``, ``ja``); a language without one keeps the
model's ISO 639-3 code. ``language_score`` is the model's normalised probability of that
label. The answer is worked out once per document, on the extracted text before any
removal, and is also what the chrome rules use to choose their languages when it is
confident (:func:`cleaner.rules.lang.page_languages`).

Cost: the model loads once per process (~0.6 s, before the worker processes are forked);
a document then costs about 1 ms (its first :data:`SAMPLE_CHARS` characters are looked at).
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
    """py3langid's identifier with normalised probabilities, loaded once per process."""
    if not _IDENTIFIER:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier
        _IDENTIFIER.append(LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True))
    return _IDENTIFIER[0]


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
