"""Steps: a subclass writes one method, the base class counts and times it.

Per-document steps (:class:`DocumentStep`) mark spans or drop the document:

- :class:`Marker` looks at one document and returns spans to remove (``mark``);
- :class:`Filter` returns a reason to drop the whole document, or ``None`` (``reason``);

Corpus steps:

- :class:`CorpusStep` sees the whole corpus in two passes: ``fingerprint`` (per document,
  in a worker) and ``observe`` (in the driver) gather, ``decide`` builds what is frequent
  or duplicated, ``apply`` marks or drops in a second pass.

The idea of one method per step comes from huggingface/datatrove's pipeline steps.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from .document import Document, Span


@dataclass
class StepStats:
    """What a step did: documents seen, spans marked, documents dropped, seconds spent."""

    documents: int = 0
    spans: int = 0
    dropped: int = 0
    seconds: float = 0.0

    def add(self, other: "StepStats") -> None:
        self.documents += other.documents
        self.spans += other.spans
        self.dropped += other.dropped
        self.seconds += other.seconds

    def to_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "spans": self.spans, "dropped": self.dropped,
                "seconds": round(self.seconds, 3)}


class Step:
    """Base of all steps: a versioned ``name`` and :class:`StepStats`."""

    name = "step"

    def __init__(self) -> None:
        self.stats = StepStats()

    def __getattr__(self, attr: str) -> Any:
        # A subclass whose __init__ forgot super().__init__() still counts (a user's step).
        if attr == "stats":
            self.stats = StepStats()
            return self.stats
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {attr!r}")


class DocumentStep(Step):
    """A per-document step: it marks spans to remove or drops the whole document, nothing else.

    A subclass writes :meth:`process` (or, through :class:`Marker` and :class:`Filter`, one
    of ``mark`` / ``reason``); calling the step runs it on a document that is not dropped,
    and counts and times it in :attr:`stats`, once, here.
    """

    def process(self, doc: Document) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def __call__(self, doc: Document) -> float:
        """Run on ``doc`` unless it is dropped; returns the seconds spent (also added to :attr:`stats`)."""
        if doc.dropped is not None:
            return 0.0
        t0 = time.perf_counter()
        before = len(doc.removed)
        self.process(doc)
        seconds = time.perf_counter() - t0
        self.stats.documents += 1
        self.stats.spans += len(doc.removed) - before
        self.stats.dropped += doc.dropped is not None
        self.stats.seconds += seconds
        return seconds


class SpanError(ValueError):
    """A step returned a span that does not lie inside the document's text."""


class Marker(DocumentStep):
    """A per-document step that marks spans to remove: ``mark(doc)`` returns :class:`Span` objects.

    ``disabled_rules``: rule ids or prefixes whose spans are not kept (``--disable-rules``
    for the rules written as code; set by :func:`cleaner.pipeline.build_pipeline`).
    """

    disabled_rules: tuple[str, ...] = ()

    def mark(self, doc: Document) -> Iterable[Span]:  # pragma: no cover - abstract
        raise NotImplementedError

    def process(self, doc: Document) -> None:
        """Add the spans of :meth:`mark` to ``doc.removed``, each checked to lie in ``doc.text``.

        Raises :class:`SpanError` for a span with ``not 0 <= start <= end <= len(doc.text)``
        (an engine rejects the record as kind ``step-failed``, naming the step); none of
        this call's spans is added then.
        """
        if self.disabled_rules:
            from .rules.ids import named_by_any
            spans = [s for s in self.mark(doc) if not named_by_any(self.disabled_rules, s.rule)]
        else:
            spans = list(self.mark(doc))
        n = len(doc.text)
        for s in spans:
            if not 0 <= s.start <= s.end <= n:
                raise SpanError(f"mark() returned {s!r}, outside the text: a span needs "
                                f"0 <= start <= end <= len(doc.text) = {n}")
        doc.removed.extend(spans)


class Filter(DocumentStep):
    """A per-document step that may drop the whole document: ``reason(doc)`` returns why, or ``None``."""

    def reason(self, doc: Document) -> str | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def process(self, doc: Document) -> None:
        why = self.reason(doc)
        if why:
            doc.dropped = why


class CorpusStep(Step):
    """A step that needs to see more than one document: fingerprint -> decide -> apply.

    ``index`` is the document's ordinal in input order (0-based, dense). ``fingerprint``
    must return something small and picklable; it runs where the document is (a worker),
    and so does ``prepare`` (a batch of fingerprints made ready to store); ``observe`` /
    ``observe_batch`` and ``decide`` run in the driver of the local engine. ``decide``
    returns the step's *decision*: a small, picklable object (a ``DropDecision``, a
    ``TemplateDecision``, a ``ParagraphDecision``) holding everything ``apply`` reads and
    the step's report figures (``decision.report()``). Either engine may take it (the Ray
    engine builds it from shuffles, calling the step module's own decision functions);
    :meth:`applying` gives the step that applies it, wherever documents are (worker
    processes, Ray tasks): ``apply`` reads ``self.decision`` and nothing else.

    ``marks_spans``: True for a step whose ``apply`` marks spans (its marks change what
    later steps fingerprint, and are worth keeping per document); False for a step that
    only drops documents (its decisions are a sorted array of ordinals already).
    """

    marks_spans = False
    #: Rules of the spans that :meth:`fingerprint` does not read: a document on which earlier
    #: corpus steps marked only such spans keeps the fingerprint it had before them.
    fingerprint_ignores: frozenset[str] = frozenset()
    decision: Any = None

    @classmethod
    def from_options(cls, options: Any, workdir: str | None = None) -> "CorpusStep":  # pragma: no cover - abstract
        """The step with a run's settings (``options``: :class:`cleaner.config.Options`); ``workdir``
        holds what it spills to disk while observing."""
        raise NotImplementedError

    @classmethod
    def applying(cls, decision: Any) -> "CorpusStep":
        """A step that holds ``decision`` and nothing else, to :meth:`apply` it (memory: the decision)."""
        step = cls.__new__(cls)
        Step.__init__(step)
        step.decision = decision
        return step

    def fingerprint(self, doc: Document) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def prepare(self, fingerprints: Sequence[Any]) -> Any:
        """A batch of fingerprints made ready for :meth:`observe_batch` (pure; runs in a worker)."""
        return list(fingerprints)

    def observe(self, index: int, doc_id: str, fp: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def observe_batch(self, indexes: Sequence[int], doc_ids: Sequence[str], batch: Any) -> None:
        """Observe a batch made by :meth:`prepare`; ``indexes[i]`` and ``doc_ids[i]`` go with its i-th fingerprint."""
        for index, doc_id, fp in zip(indexes, doc_ids, batch):
            self.observe(index, doc_id, fp)

    def decide(self) -> Any:
        """Build the step's decision once every document was observed; returns it (also ``self.decision``)."""
        return self.decision

    def apply(self, index: int, doc: Document) -> None:  # pragma: no cover - abstract
        """Mark or drop ``doc`` (at ordinal ``index``) as ``self.decision`` says."""
        raise NotImplementedError

    def index_bytes(self) -> int:
        """Bytes of memory the step's fingerprints take (for the report)."""
        return 0

    def close(self) -> None:
        """Close the files the step keeps open while observing (its spill in the work folder).

        ``decide`` calls it when done; an engine calls it again for every step when a run
        ends or stops (idempotent). :meth:`report` still works afterwards.
        """

    def report(self) -> dict[str, Any]:
        """Step-specific figures for ``report.json``: the decision's (the same in every engine),
        and a subclass may add what it saw while observing."""
        return {} if self.decision is None else self.decision.report()

    def timed(self, fn, *args):
        t0 = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.stats.seconds += time.perf_counter() - t0
