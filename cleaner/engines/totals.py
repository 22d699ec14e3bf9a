"""The final pass, shared by both engines: apply the corpus steps, finish each document, count it.

:func:`finish_outcomes` is the final pass over one spool file (the local engine) or one
input shard (the Ray engine): each engine gives it the outcomes, how to apply its corpus
steps to a document, and where the outputs go.
"""
from __future__ import annotations

import functools
import re
from typing import Any, Callable, Iterable

from ..config import Options
from ..document import Document, apply_spans
from ..errors import FAILED, RunError
from ..io.writers import output_record
from ..page.min_length import MinLength
from .spool import RecordResult

#: Where the final pass sends each output: ``emit(kind, record, clean text, doc)`` (``kind``:
#: ``clean``, ``dropped`` or ``rejects``; ``doc`` is ``None`` for a reject).
Emit = Callable[[str, dict[str, Any], str, Document | None], None]


def finish_outcomes(outcomes: Iterable[RecordResult], apply: Callable[[int, Document], None], tally: "RunTotals",
                    options: Options, emit: Emit) -> int:
    """The final pass over pass 1's outcomes of one part of the input, in order: both engines.

    A reject is counted and emitted as it is; a document gets ``apply(position, doc)``
    (``position``: its rank among the part's documents, rejects not counted: the engine
    turns it into its ordinal and applies every corpus step's decision), then
    :meth:`RunTotals.finish` (cut the spans, count) and is emitted. Returns the number of
    documents (rejects not counted).
    """
    n = 0
    for o in outcomes:
        if o.reject is not None:
            tally.reject(o.reject)
            tally.ids.add(o.reject.get("id"))
            emit("rejects", o.reject, "", None)
            continue
        doc = o.doc
        assert doc is not None
        apply(n, doc)
        n += 1
        kind, record, text = tally.finish(doc, options)
        tally.ids.add(doc.id)
        emit(kind, record, text, doc)
    tally.ids.seal()
    return n


class RunTotals:
    """The final pass's bookkeeping, the same for every engine: finish each document and count it.

    :meth:`finish` is the last per-document step (cut the marked spans, drop a document
    with too little text left) and returns the output record; the counts, characters by
    rule, examples and samples become ``report.json``'s fields (:meth:`report_fields`).
    Tallies of consecutive parts of the input add up with :meth:`merge` (the Ray engine
    keeps one per input shard) and travel as JSON (:meth:`to_json`).
    """

    def __init__(self) -> None:
        self.counts = {"in": 0, "clean": 0, "dropped": 0, "rejected": 0}
        self.drop_reasons: dict[str, int] = {}
        self.reject_kinds: dict[str, int] = {}
        self.reject_examples: list[dict[str, Any]] = []
        self.chars_by_rule: dict[str, int] = {}
        self.chars_by_extraction: dict[str, int] = {}
        self.template_by_host: dict[str, int] = {}
        self.dropped_examples: list[dict[str, Any]] = []
        self.samples: list[dict[str, Any]] = []
        self.chars_in = self.chars_out = 0
        self.ids = IdDigests()   # every output record's id, to count ids used twice (report: duplicate_ids)
        self.step_failures: dict[str, int] = {}   # records rejected because a step raised, by step

    def reject(self, rec: dict[str, Any]) -> None:
        """Count a rejects-file record."""
        self.counts["in"] += 1
        self.counts["rejected"] += 1
        kind = rec.get("kind") or FAILED
        self.reject_kinds[kind] = self.reject_kinds.get(kind, 0) + 1
        step = failed_step(rec)
        if step is not None:
            self.step_failures[step] = self.step_failures.get(step, 0) + 1
        if sum(e["kind"] == kind for e in self.reject_examples) < REJECT_EXAMPLES:
            self.reject_examples.append({k: rec.get(k) for k in ("source", "position", "id", "error")} | {"kind": kind})

    def finish(self, doc: Document, options: Options) -> tuple[str, dict[str, Any], str]:
        """Cut ``doc``'s spans, drop it when less than ``min_doc_chars`` is left, count it.

        Returns ``(kind, record, clean text)``: ``kind`` is ``"clean"`` or ``"dropped"``,
        ``record`` the line for that kind's shards. Sets ``doc.dropped`` to ``"no main
        content"`` or ``"empty after cleaning"`` when no step dropped it before.
        """
        self.counts["in"] += 1
        text = apply_spans(doc.text, doc.removed)
        if doc.dropped is None:
            doc.dropped = _min_length(options.min_doc_chars).reason_for(doc, text)
        self.chars_in += len(doc.text)
        doc_rules: dict[str, int] = {}
        _count_rules(doc, doc_rules)
        for rule, n in doc_rules.items():
            self.chars_by_rule[rule] = self.chars_by_rule.get(rule, 0) + n
        _count_template_host(doc, doc_rules, self.template_by_host)
        for rule, n in doc.left_out_chars.items():
            self.chars_by_extraction[rule] = self.chars_by_extraction.get(rule, 0) + n
        if doc.dropped is not None:
            self.counts["dropped"] += 1
            self.drop_reasons[doc.dropped] = self.drop_reasons.get(doc.dropped, 0) + 1
            rec = {"id": doc.id, "url": doc.url, "reason": doc.dropped, **doc.drop_detail, **doc.provenance}
            if len(self.dropped_examples) < DROPPED_EXAMPLES:
                self.dropped_examples.append(rec)
            return "dropped", rec, text
        self.counts["clean"] += 1
        if options.title_in_text and doc.title and text.strip():
            text = f"{doc.title}\n{text}"
        self.chars_out += len(text)
        if len(self.samples) < SAMPLE_DOCS and (doc.removed or doc.left_out) and (doc.left_out or not doc.left_out_chars):
            self.samples.append(doc.to_json())
        own = {"id": doc.id, "url": doc.url, "title": doc.title, "text": text,
               "language": doc.language, "language_score": doc.language_score, **doc.provenance}
        return "clean", output_record(own, doc.metadata), text

    def merge(self, other: "RunTotals") -> None:
        """Add the tally of the input that follows this one's."""
        for mine, theirs in ((self.counts, other.counts), (self.drop_reasons, other.drop_reasons),
                             (self.reject_kinds, other.reject_kinds), (self.chars_by_rule, other.chars_by_rule),
                             (self.template_by_host, other.template_by_host), (self.step_failures, other.step_failures),
                             (self.chars_by_extraction, other.chars_by_extraction)):
            for k, v in theirs.items():
                mine[k] = mine.get(k, 0) + v
        self.dropped_examples += other.dropped_examples[:max(0, DROPPED_EXAMPLES - len(self.dropped_examples))]
        self.samples += other.samples[:max(0, SAMPLE_DOCS - len(self.samples))]
        for e in other.reject_examples:
            if sum(x["kind"] == e["kind"] for x in self.reject_examples) < REJECT_EXAMPLES:
                self.reject_examples.append(e)
        self.chars_in += other.chars_in
        self.chars_out += other.chars_out
        self.ids.merge(other.ids)

    def to_json(self) -> dict[str, Any]:
        return {**vars(self), "ids": self.ids.to_json()}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "RunTotals":
        t = cls()
        vars(t).update(d)
        t.ids = IdDigests.from_json(d.get("ids") or [])
        return t

    def check(self, n_read: int, workdir: str) -> None:
        """Raise :class:`RunError` unless every record read is clean, dropped or rejected once."""
        c = self.counts
        if c["in"] != n_read or c["in"] != c["clean"] + c["dropped"] + c["rejected"]:
            raise RunError(f"records do not add up: {n_read} read, {c['in']} in the spool, "
                           f"{c['clean']} clean + {c['dropped']} dropped + {c['rejected']} rejected; "
                           f"delete {workdir} and run again")

    def report_fields(self, max_step_failure_share: float = 1.0) -> dict[str, Any]:
        """``documents``, ``dropped_by_reason``, ``rejected_by_kind``, ``dropped_examples``, ``characters``,
        ``duplicate_ids`` (:meth:`IdDigests.repeats`), ``step_failures``, ``warnings`` and ``error`` of ``report.json``.

        ``step_failures``: ``{step name: records rejected because it raised}``. ``warnings``:
        one line each for ids used by more than one record and for every step that failed.
        ``error``: ``None``, or why the run failed: a step failed on more than
        ``max_step_failure_share`` (0-1) of the input records (the engines then raise
        :class:`StepFailureError` after writing everything).
        """
        top_hosts = sorted(self.template_by_host.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_TEMPLATE_HOSTS]
        repeats = self.ids.repeats()
        n_in = self.counts["in"]
        warnings, errors = [], []
        if repeats:
            warnings.append(f"{repeats} record(s) have the id of an earlier record (ids are not unique: the same id "
                            "on two lines or in two files); the outputs hold each of them under that id, so join on "
                            "id with care, or give each record its own id (--id-field)")
        for step, n in sorted(self.step_failures.items()):
            share = n / n_in if n_in else 0.0
            line = (f"step {step} failed on {n} of {n_in} record(s) ({share:.1%}); they are in the rejects files "
                    f"(kind {STEP_FAILED_KIND}) with the error")
            warnings.append(line)
            if share > max_step_failure_share:
                errors.append(f"{line}; that is more than max_step_failure_share={max_step_failure_share:g}, so the "
                              "run failed: fix the step (or raise --max-step-failure-share)")
        return {"documents": dict(self.counts),
                "dropped_by_reason": dict(sorted(self.drop_reasons.items())),
                "rejected_by_kind": dict(sorted(self.reject_kinds.items())),
                "rejected_examples": list(self.reject_examples),
                "dropped_examples": list(self.dropped_examples),
                "characters": {"in": self.chars_in, "out": self.chars_out,
                               "removed_by_rule": dict(sorted(self.chars_by_rule.items())),
                               "removed_by_extraction": dict(sorted(self.chars_by_extraction.items())),
                               "template_by_host": dict(top_hosts)},
                "duplicate_ids": repeats,
                "step_failures": dict(sorted(self.step_failures.items())),
                "warnings": warnings,
                "error": "; ".join(errors) or None}


class StepFailureError(RunError):
    """A run in which a step failed on more than ``max_step_failure_share`` of the records.

    Raised after every output and ``report.json`` (whose ``error`` holds the same message)
    are written; ``report`` is that report.
    """

    def __init__(self, message: str, report: dict[str, Any]):
        super().__init__(message)
        self.report = report


def check_step_failures(report: dict[str, Any]) -> dict[str, Any]:
    """``report`` itself, or :class:`StepFailureError` raised when its ``error`` says the run failed."""
    if report.get("error"):
        raise StepFailureError(report["error"], report)
    return report


#: The reject kind of a record on which a step raised (:class:`cleaner.engines.document_work.DocumentProcessor`);
#: its error is :func:`step_failed_message`.
STEP_FAILED_KIND = "step-failed"
_STEP_FAILED_RE = re.compile(r"step (\S+) failed: ")


def step_failed_message(step: str, e: BaseException) -> str:
    """The error of a record on which ``step`` raised ``e``: ``step NAME failed: TYPE: MESSAGE``."""
    return f"step {step} failed: {type(e).__name__}: {e}"


def failed_step(reject: dict[str, Any]) -> str | None:
    """The step a rejects record of kind :data:`STEP_FAILED_KIND` names, else ``None``."""
    if reject.get("kind") != STEP_FAILED_KIND:
        return None
    m = _STEP_FAILED_RE.match(str(reject.get("error") or ""))
    return m.group(1) if m else None


#: Documents kept for the side-by-side sample of ``report.html``.
SAMPLE_DOCS = 12
#: Rejected records listed per kind (source, position, error) in ``report.json``.
REJECT_EXAMPLES = 5
#: Dropped documents listed (id, reason, the document kept instead) in ``report.json``.
DROPPED_EXAMPLES = 20
#: Hosts listed in ``report.json``'s ``characters.template_by_host``, most template text first.
TOP_TEMPLATE_HOSTS = 20


@functools.lru_cache(maxsize=4)
def _min_length(min_chars: int) -> MinLength:
    """The final pass's minimum-length filter (one per process and threshold)."""
    return MinLength(min_chars)


def _count_rules(doc: Document, acc: dict[str, int]) -> None:
    """Add each rule's removed characters; a character cut by two rules counts for the first."""
    from ..document import merge_ranges
    done: list[tuple[int, int]] = []
    size = len(doc.text)
    clamped = [(min(max(s.start, 0), size), min(max(s.end, 0), size), s.rule) for s in doc.removed]
    for start, end, rule in sorted(clamped, key=lambda s: (s[0], -s[1], s[2])):
        overlap = merge_ranges([(max(a, start), min(b, end)) for a, b in done if a < end and b > start])
        n = (end - start) - sum(b - a for a, b in overlap)
        if n > 0:
            acc[rule] = acc.get(rule, 0) + n
        done = merge_ranges(done + [(start, end)])


def _count_template_host(doc: Document, doc_rules: dict[str, int], acc: dict[str, int]) -> None:
    """Add the document's site-template characters (as attributed by ``_count_rules``) to its host."""
    n = sum(c for rule, c in doc_rules.items() if rule.startswith("site."))
    if n:
        from ..corpus.templates import host_of
        host = host_of(doc.url) or "(no host)"
        acc[host] = acc.get(host, 0) + n


class IdDigests:
    """The ids of a part of the output, as 128-bit digests (xxh3_128; 16 bytes a record), to count
    the records whose id an earlier record already had (:meth:`repeats`).

    Output ids must be unique (a reader joins on them); two input records with one id (the same
    ``id`` on two JSONL lines, or in two files) are not made unique but counted, and the run
    warns (``report.json``: ``duplicate_ids``, ``warnings``). The digests travel as base64
    chunks in :meth:`RunTotals.to_json` (the Ray engine) and are joined in input order.
    """

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self._open = bytearray()

    def add(self, rid: str | None) -> None:
        """Take one record's id (``None``: a record rejected before its id was read; not counted)."""
        if rid is None:
            return
        import xxhash
        self._open += xxhash.xxh3_128_digest(str(rid).encode("utf-8", "surrogatepass"))

    def seal(self) -> None:
        """End the open chunk (the part is finished)."""
        if self._open:
            self.chunks.append(bytes(self._open))
            self._open = bytearray()

    def merge(self, other: "IdDigests") -> None:
        other.seal()
        self.seal()
        self.chunks += other.chunks

    def repeats(self) -> int:
        """Records whose id an earlier record of the run already had (0 when every id is unique)."""
        import numpy as np

        from ..containers.runs import distinct
        self.seal()
        if not self.chunks:
            return 0
        digests = np.frombuffer(b"".join(self.chunks), dtype=np.dtype((np.void, 16)))
        return int(len(digests) - len(distinct(digests)))

    def to_json(self) -> list[str]:
        import base64
        self.seal()
        return [base64.b64encode(c).decode("ascii") for c in self.chunks]

    @classmethod
    def from_json(cls, chunks: list[str]) -> "IdDigests":
        import base64
        d = cls()
        d.chunks = [base64.b64decode(c) for c in chunks]
        return d
