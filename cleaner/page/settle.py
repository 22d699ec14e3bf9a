"""Run per-document markers again until none finds anything new.

The markers look at neighbours: a run of ALL-CAPS labels, a caption printed twice, a
section under a header. Removing an in-page duplicate can make two lines neighbours that
were not, so that cleaning the cleaned text would find more. :class:`Settle` runs the
markers over what is left until a round adds nothing (at most :data:`MAX_SETTLE_ROUNDS`),
which makes the pipeline idempotent: ``clean(clean(x)) == clean(x)``.
"""
from __future__ import annotations

from typing import Iterable

from ..document import Document, Span
from ..steps import Marker

#: Rounds over all markers at most (each round only adds spans, so the loop ends anyway).
MAX_SETTLE_ROUNDS = 4


class Settle(Marker):
    """Re-run ``markers`` over a document's remaining lines until they mark nothing new.

    Runs only when a rule family listed in ``after`` (default: in-page duplicates) removed
    something, since otherwise the first pass already saw the final neighbours. The spans it
    returns carry the rule names of the markers that found them.
    """

    name = "settle"

    def __init__(self, markers: list[Marker], after: tuple[str, ...] = ("dup.",)):
        super().__init__()
        self.markers, self.after = markers, after

    def mark(self, doc: Document) -> Iterable[Span]:
        if not any(s.rule.startswith(self.after) for s in doc.removed):
            return []
        found: list[Span] = []
        for _ in range(MAX_SETTLE_ROUNDS):
            scratch = Document(doc.id, doc.url, doc.text, doc.title, doc.metadata, doc.removed + found,
                               language=doc.language, language_score=doc.language_score)
            before = len(found)
            for m in self.markers:
                new = list(m.mark(scratch))
                m.stats.spans += len(new)   # counted where found (the documents and seconds are settle's)
                scratch.removed.extend(new)
                found.extend(new)
            if len(found) == before:
                break
        return found


class ThenSettle(Marker):
    """Run ``marker``; when it marked anything, run ``settle`` over what is left.

    For a marker that must run after the others (the text headline takes the first line the
    reader sees) but whose removal, like any other, can make new neighbours. The spans
    returned are the marker's, then the settle's; nothing runs again when the marker finds nothing.
    """

    def __init__(self, marker: Marker, settle: Settle):
        super().__init__()
        self.marker, self.settle = marker, settle
        self.name = marker.name

    @property
    def disabled_rules(self) -> tuple[str, ...]:  # type: ignore[override]
        """The wrapped marker's: it decides what it marks (the text title takes no title when its rule is off)."""
        return self.marker.disabled_rules

    @disabled_rules.setter
    def disabled_rules(self, value: tuple[str, ...]) -> None:
        self.marker.disabled_rules = value

    def mark(self, doc: Document) -> Iterable[Span]:
        spans = list(self.marker.mark(doc))
        if not spans:
            return spans
        scratch = Document(doc.id, doc.url, doc.text, doc.title, doc.metadata, doc.removed + spans)
        return spans + list(self.settle.mark(scratch))
