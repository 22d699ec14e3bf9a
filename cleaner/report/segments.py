"""Cut a document into kept and removed pieces, each removed piece owned by one span.

Spans may overlap (a chrome rule and a template on the same line). Each removed
character is attributed to the first span covering it in ``(start, -end, rule)`` order,
the same attribution ``report.json`` uses when it counts characters by rule, so what
``cleaner explain`` shows adds up to what the report says.
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Iterable

from ..document import RULE_KINDS, Document, Span


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of ``Document.text``: kept (``span is None``) or removed by ``span``.

    ``also`` holds the other spans that cover part of a removed piece.
    """

    start: int
    end: int
    span: Span | None = None
    also: tuple[Span, ...] = ()


def _order(s: Span) -> tuple[int, int, str]:
    return (s.start, -s.end, s.rule)


def pieces(doc: Document, cuts: Iterable[int] = ()) -> list[Piece]:
    """The document's text as consecutive pieces covering ``[0, len(doc.text))``.

    ``cuts`` are extra offsets where a piece must end (e.g. anchors to link to); spans
    are clipped to the text. Runs in ``O((spans + cuts) * overlap)``: a sweep over the
    sorted span boundaries keeping the spans open at each point.
    """
    n = len(doc.text)
    cut_at = {c for c in cuts if 0 < c < n}
    spans = sorted({Span(max(0, s.start), min(n, s.end), s.rule, s.detail)
                    for s in doc.removed if min(n, s.end) > max(0, s.start)}, key=_order)
    bounds = sorted({0, n, *cut_at,
                     *(s.start for s in spans), *(s.end for s in spans)})
    out: list[Piece] = []
    active: list[Span] = []
    nxt = 0
    for a, b in zip(bounds, bounds[1:]):
        active = [s for s in active if s.end > a]
        while nxt < len(spans) and spans[nxt].start <= a:
            active.append(spans[nxt])
            nxt += 1
        owner = min(active, key=_order) if active else None
        others = tuple(s for s in active if s is not owner)
        prev = out[-1] if out else None
        if prev is not None and prev.span == owner and a not in cut_at:
            also = prev.also + tuple(s for s in others if s not in prev.also)
            out[-1] = Piece(prev.start, b, owner, also)
        else:
            out.append(Piece(a, b, owner, others))
    return out


def kind_of(rule: str) -> str:
    """The family prefix of a rule (``chrome``, ``dup``, ``site``, ...)."""
    return rule.split(".", 1)[0]


def kind_label(kind: str) -> str:
    """The reader's name of a kind of removal: ``site`` -> ``site template``."""
    return RULE_KINDS.get(kind, kind)


def removed_by_rule(doc: Document) -> dict[str, tuple[int, int]]:
    """``{rule: (spans, characters)}`` of one document, characters attributed as in :func:`pieces`."""
    chars: dict[str, int] = {}
    for p in pieces(doc):
        if p.span is not None:
            chars[p.span.rule] = chars.get(p.span.rule, 0) + p.end - p.start
    counts: dict[str, int] = {}
    for s in doc.removed:
        counts[s.rule] = counts.get(s.rule, 0) + 1
    return {r: (counts[r], chars.get(r, 0)) for r in sorted(counts)}


#: Characters shown as escapes instead of raw: C0/C1 controls (tab and newline stay), DEL,
#: and the bidirectional overrides and isolates that can reorder what a reader sees.
_INVISIBLE = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))}
_INVISIBLE.update({c: f"\\u{c:04x}" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
#: Lone surrogates (possible in text decoded from JSON) cannot be written as UTF-8.
_INVISIBLE.update({c: "\ufffd" for c in range(0xD800, 0xE000)})
_INVISIBLE = MappingProxyType(_INVISIBLE)


def visible(text: str) -> str:
    """``text`` with control and bidi-override characters written as ``\\xNN``/``\\uNNNN``.

    A CR-LF pair is shown as a line break, a lone surrogate as U+FFFD. Pages are hostile
    input: an escape sequence printed raw can drive a terminal, a bidi override can make a
    reader see text in another order than the pipeline did.
    """
    return text.replace("\r\n", "\n").translate(_INVISIBLE)


#: The drop reason of an exact duplicate (``cleaner.corpus.exact.ExactDuplicates.reason``).
EXACT_DUPLICATE = "exact-duplicate"


def similarity_note(reason: str | None, similarity: object) -> str | None:
    """How a duplicate's ``similarity`` reads: ``"identical text (exact duplicate)"`` for an
    exact duplicate of the kept document (similarity 1.0 by definition, nothing was estimated);
    for an exact copy of a document that a later step dropped as a near-duplicate of the kept
    one (``duplicate_of`` names the chain's survivor, ``similarity`` its weakest link, under 1)
    that it is such a copy, with that similarity; ``"estimated Jaccard similarity S"`` for
    another duplicate; ``None`` without a similarity."""
    if similarity is None:
        return None
    if reason == EXACT_DUPLICATE:
        if isinstance(similarity, (int, float)) and similarity < 1:
            return f"exact copy of a near-duplicate of it (estimated Jaccard similarity {similarity})"
        return "identical text (exact duplicate)"
    return f"estimated Jaccard similarity {similarity}"
