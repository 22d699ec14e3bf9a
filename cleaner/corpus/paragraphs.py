"""Paragraphs repeated across the corpus: boilerplate on many hosts, and later copies of shared text.

The idea is CCNet's paragraph deduplication (Wenzek et al. 2020, "CCNet: Extracting High
Quality Monolingual Datasets from Web Crawl Data": a hash of every normalised paragraph,
counted across a whole shard) and dolma's paragraph-level duplicate filter (a Bloom filter
over paragraphs); here the counts are exact, and nothing is ever dropped whole.

Public API (shared by the local engine and the Ray engine):

- :func:`normalize_paragraph` ``(text, fold_digits=True) -> str``: case-folded, punctuation
  as spaces, digits as ``0``, white space collapsed (CCNet's normalisation, without accent
  removal); the keys of long paragraphs keep their digits (see :func:`paragraph_keys`);
- :func:`paragraph_keys` ``(texts, boilerplate_chars, min_chars) -> uint64[k]``: 64-bit
  keys whose two low bits say what the paragraph may be (:data:`SHORT`: shorter than
  ``boilerplate_chars`` normalised characters; :data:`LONG`: at least ``min_chars``);
  0 for a paragraph that is neither (never counted);
- :func:`group_rows` ``(keys, docs, hosts, min_hosts)``: the decision over rows
  ``(paragraph key, document ordinal, host key)`` holding every row of each key, as both
  engines take it (the local engine on each disk partition, the Ray engine on each
  shuffle group);
- :class:`ParagraphDecision`: the sorted keys to remove and, for repeated paragraphs, the
  ordinal and id of the copy that stays.

Rules (``decide``):

- a :data:`SHORT` paragraph (of at least :data:`BOILERPLATE_MIN_WORDS` words) on at least
  ``paragraph_min_hosts`` distinct hosts is
  boilerplate ("This article was originally published on ...") and every copy is marked
  ``corpus.boilerplate@1``;
- any other :data:`LONG` paragraph in at least two documents, on at least
  ``paragraph_repeat_hosts`` hosts (2 by default: a paragraph that one site repeats on a
  few of its pages is its own content, or the template step's when on many; a document
  without a URL counts no host), stays in the first of them in input order (the smallest ordinal); every later copy is marked ``corpus.paragraph@1``
  with the id of the kept copy as detail;
- the step never empties a document: when its marks would remove every block left, it
  marks nothing there (a whole copy of another document is the business of the exact and
  near-duplicate steps).

Memory: observing keeps at most :data:`PENDING_ROWS` rows (16 bytes each) in memory; the
rest goes to :data:`PARTITIONS` files by the key's high bits (the spill), each read back
alone by ``decide``; document ids go to disk. The decision holds 12 bytes per boilerplate
key and 16 bytes plus the id per repeated paragraph. All copies of one paragraph are in
one partition, so a paragraph found in very many documents costs 48 bytes a copy while its
partition is decided (after site templates are removed, partitions are even: measured on
``benchmarks/dedup_synth.py`` documents, the largest of 64 held 1.6 % of the rows).
"""
from __future__ import annotations

import dataclasses
import re
import string
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np
import xxhash

from ..document import Document, apply_spans, kept_blocks, line_span
from ..steps import CorpusStep
from ..containers.compact import PackedStrings, RowStore, SpillDir, StringStore
from ..containers.runs import distinct, run_mask, run_starts
from .templates import host_key, host_of

#: Low key bits: the paragraph is short enough to be boilerplate / long enough to be deduplicated.
SHORT, LONG = np.uint64(1), np.uint64(2)
_FLAGS = np.uint64(3)
#: Rule names of the two kinds of marks, and their lines for ``cleaner explain``.
RULE = "corpus.paragraph@1"
BOILERPLATE_RULE = "corpus.boilerplate@1"
RULE_DESCRIPTIONS = {
    RULE: "a paragraph that an earlier document of the corpus already holds (kept there, once)",
    BOILERPLATE_RULE: "a short paragraph found on many hosts (a syndication notice, a licence line)",
}
#: A boilerplate candidate has at least this many words: on WCXB pages (URLs from their
#: canonical links), the lines of 1-3 words found on 10 or more hosts were section headings
#: ("Key features", "Conclusion", "FAQs", "Frequently Asked Questions") and numbers or prices
#: (digits fold to 0), all content; a notice or a licence line is a sentence.
BOILERPLATE_MIN_WORDS = 4
#: Rows kept in memory before they are written to the partition files.
PENDING_ROWS = 1 << 16
#: Partition files of the spill (by the key's 6 high bits); ``decide`` reads one at a time.
PARTITIONS = 64
_PART_SHIFT = np.uint64(58)

_PUNCT_TO_SPACE = bytes.maketrans(string.punctuation.encode("ascii"), b" " * len(string.punctuation))
_DIGITS_TO_ZERO = bytes.maketrans(b"0123456789", b"0000000000")
_NON_WORD = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d")


def normalize_paragraph(text: str, fold_digits: bool = True) -> str:
    """The paragraph case-folded, punctuation as spaces, every digit as ``0`` (unless not
    ``fold_digits``), white space collapsed."""
    folded = text.casefold()
    if folded.isascii():
        raw = folded.encode("ascii").translate(_PUNCT_TO_SPACE)
        if fold_digits:
            raw = raw.translate(_DIGITS_TO_ZERO)
        return b" ".join(raw.split()).decode("ascii")
    words = _NON_WORD.sub(" ", folded)
    return " ".join((_DIGIT.sub("0", words) if fold_digits else words).split())


def paragraph_keys(texts: Sequence[str], boilerplate_chars: int, min_chars: int) -> np.ndarray:
    """``uint64[len(texts)]``: xxh3 of :func:`normalize_paragraph` with the two low bits set to
    :data:`SHORT` (under ``boilerplate_chars`` normalised characters and at least
    :data:`BOILERPLATE_MIN_WORDS` words) and :data:`LONG` (at least ``min_chars``); 0 when
    neither holds or nothing is left.

    Digits fold to ``0`` in a :data:`SHORT`-only key (a notice repeated on many hosts is the
    same boilerplate with another date or count in it), never in a key with the :data:`LONG`
    bit: two long paragraphs that differ only in a number (a price, a score, a figure of a
    press release, a changelog's date) say different things, and removing the later one
    as a copy of the first would lose what only it holds. Lengths and word counts are those
    of the folded text (the same either way).
    """
    out = np.zeros(len(texts), dtype=np.uint64)
    for i, t in enumerate(texts):
        norm = normalize_paragraph(t, fold_digits=False)   # folding digits changes no length nor word count
        if not norm:
            continue
        short = len(norm) < boilerplate_chars and norm.count(" ") + 1 >= BOILERPLATE_MIN_WORDS
        flags = (1 if short else 0) | (2 if len(norm) >= min_chars else 0)
        if flags == 1:
            norm = _DIGIT.sub("0", norm)
        if flags:
            out[i] = (xxhash.xxh3_64_intdigest(norm.encode("utf-8", "surrogatepass")) & ~3) | flags
    return out


@dataclass
class Groups:
    """What :func:`group_rows` finds: boilerplate keys with their host counts, repeated keys
    with the row index (into the sorted rows) of their first copy and their document count."""

    boiler_keys: np.ndarray
    boiler_hosts: np.ndarray
    repeat_keys: np.ndarray
    repeat_first_row: np.ndarray
    repeat_docs: np.ndarray


def sort_rows(keys: np.ndarray, docs: np.ndarray) -> np.ndarray:
    """The order that sorts rows by key, then document ordinal (what :func:`group_rows` expects)."""
    return np.lexsort((docs, keys))


def group_rows(keys: np.ndarray, docs: np.ndarray, hosts: np.ndarray, min_hosts: int, repeat_hosts: int = 1) -> Groups:
    """The decision over rows sorted by ``(key, doc)`` (:func:`sort_rows`), every row of a key present.

    ``keys``: ``uint64`` paragraph keys (:func:`paragraph_keys`, never 0); ``docs``:
    ``int64`` document ordinals (input order); ``hosts``: ``uint32`` host keys (0: no URL,
    which counts as no host). A key is
    boilerplate when it has the :data:`SHORT` bit and ``>= min_hosts`` distinct hosts;
    otherwise it is repeated when it has the :data:`LONG` bit, ``>= 2`` distinct documents
    and ``>= repeat_hosts`` distinct hosts.
    """
    n = keys.size
    if n == 0:
        z64 = np.zeros(0, np.uint64)
        return Groups(z64, np.zeros(0, np.uint32), z64, np.zeros(0, np.int64), np.zeros(0, np.uint32))
    new_doc = run_mask(keys, docs)
    starts = run_starts(keys)
    run_keys = keys[starts]
    doc_counts = np.add.reduceat(new_doc.astype(np.int64), starts)
    # distinct hosts per key: unique (key, host) pairs, counted per key
    by_host = np.lexsort((hosts, keys))
    k2, h2 = keys[by_host], hosts[by_host]
    pair_new = run_mask(k2, h2) & (h2 != 0)
    host_counts = np.add.reduceat(pair_new.astype(np.int64), run_starts(k2))
    short = (run_keys & SHORT) != 0
    long_ = (run_keys & LONG) != 0
    boiler = short & (host_counts >= min_hosts)
    repeat = long_ & ~boiler & (doc_counts >= 2)
    if repeat_hosts > 1:   # 1: any repeat, documents without a URL included
        repeat &= host_counts >= repeat_hosts
    return Groups(run_keys[boiler], host_counts[boiler].astype(np.uint32), run_keys[repeat],
                  starts[repeat].astype(np.int64), doc_counts[repeat].astype(np.uint32))


#: ``ParagraphDecision.kept_in`` of a paragraph whose kept copy was dropped as a near-duplicate: every copy stays.
KEPT_EVERYWHERE = ""


@dataclass
class ParagraphDecision:
    """What to remove: ``boiler_keys`` (sorted ``uint64``) with ``boiler_hosts`` (``uint32``
    hosts each is on); ``repeat_keys`` (sorted ``uint64``) with ``kept_ords`` (``int64``:
    ordinal of the copy that stays), ``kept_ids`` (its document's id, packed) and ``repeat_docs``
    (``uint32``: documents holding it)."""

    boiler_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    boiler_hosts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))
    repeat_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    kept_ords: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    kept_ids: PackedStrings = field(default_factory=PackedStrings)
    repeat_docs: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))
    observed: int = 0
    #: the step's settings: what ``apply`` needs to key paragraphs, and the report
    boilerplate_chars: int = 100
    min_chars: int = 100
    min_hosts: int = 10
    repeat_hosts: int = 2

    @classmethod
    def sorted_from(cls, boiler_keys, boiler_hosts, repeat_keys, kept_ords, kept_ids, repeat_docs,
                    observed: int = 0, **settings: int) -> "ParagraphDecision":
        """The same decision with both key arrays sorted (parts come back from partitions in any order).

        ``settings``: ``boilerplate_chars``, ``min_chars``, ``min_hosts``, ``repeat_hosts``."""
        b = np.argsort(np.asarray(boiler_keys, np.uint64), kind="stable")
        r = np.argsort(np.asarray(repeat_keys, np.uint64), kind="stable")
        return cls(np.asarray(boiler_keys, np.uint64)[b], np.asarray(boiler_hosts, np.uint32)[b],
                   np.asarray(repeat_keys, np.uint64)[r], np.asarray(kept_ords, np.int64)[r],
                   PackedStrings([kept_ids[i] for i in r.tolist()]), np.asarray(repeat_docs, np.uint32)[r], observed,
                   **settings)

    @staticmethod
    def settings_of(options: Any) -> dict[str, int]:
        """The settings :meth:`sorted_from` takes, from run options."""
        return {"boilerplate_chars": options.paragraph_boilerplate_chars, "min_chars": options.paragraph_min_chars,
                "min_hosts": options.paragraph_min_hosts, "repeat_hosts": options.paragraph_repeat_hosts}

    #: kept copies that a later step dropped (sorted ordinals), and the id of the document
    #: kept instead of each (which then keeps the paragraph): see :meth:`with_drops`
    moved_ords: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    moved_to: list[str] = field(default_factory=list)

    def with_drops(self, drops: Iterable[Any]) -> "ParagraphDecision":
        """The same decision told which kept copies later steps drop (``DropDecision`` objects).

        A kept copy dropped as an exact duplicate of document ``s`` (similarity 1) moves to
        ``s``, which holds the same text: ``s`` keeps the paragraph and the other copies name
        it. A kept copy dropped as a near-duplicate moves nowhere: the survivor need not hold
        that paragraph, so every other copy stays (:data:`KEPT_EVERYWHERE`). Without this the
        paragraph would be lost with the dropped document.
        """
        ords = distinct(self.kept_ords)
        moved: dict[int, str] = {}
        for dd in drops:
            if not len(dd):
                continue
            pos = np.minimum(np.searchsorted(dd.ords, ords), dd.ords.size - 1)
            for k in np.flatnonzero(dd.ords[pos] == ords).tolist():
                at = int(pos[k])
                moved.setdefault(int(ords[k]), dd.kept_ids[at] if dd.similarity[at] >= 1.0 else KEPT_EVERYWHERE)
        keys = sorted(moved)
        return dataclasses.replace(self, moved_ords=np.asarray(keys, np.int64), moved_to=[moved[k] for k in keys])

    def kept_in(self, kept_ord: int, kept_id: str) -> str:
        """The id of the document that holds the kept copy, once :meth:`with_drops` moved it."""
        if self.moved_ords.size:
            pos = int(np.searchsorted(self.moved_ords, kept_ord))
            if pos < self.moved_ords.size and self.moved_ords[pos] == kept_ord:
                return self.moved_to[pos]
        return kept_id

    def nbytes(self) -> int:
        return int(self.boiler_keys.nbytes + self.boiler_hosts.nbytes + self.repeat_keys.nbytes
                   + self.kept_ords.nbytes + self.repeat_docs.nbytes + self.kept_ids.nbytes()
                   + self.moved_ords.nbytes + sum(len(i) for i in self.moved_to))

    def report(self) -> dict[str, Any]:
        """The step's figures for ``report.json``, the same in every engine."""
        return {"boilerplate_paragraphs": int(self.boiler_keys.size), "repeated_paragraphs": int(self.repeat_keys.size),
                "largest_repeat": int(self.repeat_docs.max()) if self.repeat_docs.size else 0,
                "decision_bytes": self.nbytes(), "boilerplate_chars": self.boilerplate_chars,
                "min_hosts": self.min_hosts, "min_chars": self.min_chars, "repeat_hosts": self.repeat_hosts}


def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(hit mask, position)`` of each of ``keys`` in ``sorted_keys``."""
    if sorted_keys.size == 0:
        return np.zeros(keys.size, bool), np.zeros(keys.size, np.int64)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return (sorted_keys[pos] == keys) & (keys != 0), pos


class RepeatedParagraphs(CorpusStep):
    """Mark boilerplate paragraphs and later copies of repeated paragraphs across the corpus."""

    name = "paragraph-dup"
    marks_spans = True

    def __init__(self, boilerplate_chars: int = 100, min_hosts: int = 10, min_chars: int = 100,
                 workdir: str | None = None, repeat_hosts: int = 2, min_doc_chars: int = 1):
        super().__init__()
        #: A document with less clean text than this is dropped in the final pass whatever
        #: else happens (removals only shrink it): it keeps no paragraph for the others.
        self.min_doc_chars = min_doc_chars
        if min_hosts < 2:
            raise ValueError(f"paragraph_min_hosts must be at least 2 (one host is the site-template step's), not {min_hosts}")
        if repeat_hosts < 1:
            raise ValueError(f"paragraph_repeat_hosts must be at least 1, not {repeat_hosts}")
        self.boilerplate_chars, self.min_hosts, self.min_chars = boilerplate_chars, min_hosts, min_chars
        self.repeat_hosts = repeat_hosts
        self.workdir = workdir
        self._spill: SpillDir | None = None
        self._parts: list[RowStore] = []
        self._pending: list[np.ndarray] = []
        self._pending_rows = 0
        self._pending_ids: list[str] = []
        self._pending_ords: list[int] = []
        self._observed = 0
        self._rows = 0
        self._peak = 0
        self.decision = ParagraphDecision(boilerplate_chars=boilerplate_chars, min_chars=min_chars, min_hosts=min_hosts,
                                          repeat_hosts=repeat_hosts)

    @classmethod
    def from_options(cls, options, workdir: str | None = None) -> "RepeatedParagraphs":
        return cls(options.paragraph_boilerplate_chars, options.paragraph_min_hosts, options.paragraph_min_chars, workdir,
                   options.paragraph_repeat_hosts, options.min_doc_chars)

    #: The final pass computes this step's marks again (they depend on what later steps drop:
    #: :func:`~cleaner.corpus.drops.settle_decisions`).
    recompute_in_final = True

    # ------------------------------------------------------------------ fingerprints

    def keys_of(self, doc: Document) -> tuple[list, np.ndarray]:
        """The document's kept blocks and their :func:`paragraph_keys` (with the decision's settings)."""
        blocks = kept_blocks(doc)
        return blocks, paragraph_keys([b.text for b in blocks], self.decision.boilerplate_chars, self.decision.min_chars)

    def fingerprint(self, doc: Document) -> Any:
        if self.min_doc_chars > 1 and len(apply_spans(doc.text, doc.removed).strip()) < self.min_doc_chars:
            return None   # dropped for its length at the end: a copy kept here would be lost
        _, keys = self.keys_of(doc)
        keys = distinct(keys[keys != 0])
        if keys.size == 0:
            return None
        host = host_of(doc.url)
        return [host_key(host) if host else 0, keys.tolist()]

    def observe(self, index: int, doc_id: str, fp: Any) -> None:
        if self._spill is None:   # _spill set last: a stop (Ctrl-C) in between leaves nothing half open for close()
            spill = SpillDir(self.workdir, "paragraph-dup")
            self._ids = StringStore(spill.file("ids"))
            self._ords = RowStore(spill.file("ordinals.i64"), 1, np.int64)
            self._parts = [RowStore(spill.file(f"part-{p:02d}.u64"), 2, np.uint64) for p in range(PARTITIONS)]
            self._spill = spill
        obs = self._observed
        self._observed += 1
        self._pending_ids.append(doc_id)
        self._pending_ords.append(index)
        if fp is None:
            if len(self._pending_ids) >= PENDING_ROWS:
                self._flush()
            return
        hk, keys = fp
        rows = np.empty((len(keys), 2), dtype=np.uint64)
        rows[:, 0] = np.asarray(keys, dtype=np.uint64)
        rows[:, 1] = (np.uint64(obs) << np.uint64(32)) | np.uint64(hk)
        self._pending.append(rows)
        self._pending_rows += len(keys)
        self._rows += len(keys)
        if self._pending_rows >= PENDING_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._pending_ids:
            self._ids.extend(self._pending_ids)
            self._ords.append(np.asarray(self._pending_ords, dtype=np.int64))
            self._pending_ids, self._pending_ords = [], []
        if not self._pending:
            return
        rows = np.concatenate(self._pending)
        self._peak = max(self._peak, rows.nbytes * 2)
        self._pending, self._pending_rows = [], 0
        part = (rows[:, 0] >> _PART_SHIFT).astype(np.int64)
        order = np.argsort(part, kind="stable")
        rows, part = rows[order], part[order]
        bounds = np.searchsorted(part, np.arange(PARTITIONS + 1))
        for p in range(PARTITIONS):
            if bounds[p + 1] > bounds[p]:
                self._parts[p].append(rows[bounds[p]:bounds[p + 1]])

    # ------------------------------------------------------------------ decide

    def decide(self) -> ParagraphDecision:
        if self._spill is None:
            return self.decision
        try:
            return self._decide()
        finally:
            self.close()

    def close(self) -> None:
        if self._spill is None:
            return
        for store in (*self._parts, self._ids, self._ords):
            store.close()
        self._parts = []
        self._spill.cleanup()
        self._spill = None

    def _decide(self) -> ParagraphDecision:
        self._flush()
        bk, bh, rk, rfirst, rdocs = [], [], [], [], []
        for store in self._parts:
            if store.rows == 0:
                continue
            rows = np.array(store.array())
            store.close()
            self._peak = max(self._peak, rows.nbytes * 3)
            keys = rows[:, 0]
            docs = (rows[:, 1] >> np.uint64(32)).astype(np.int64)
            hosts = (rows[:, 1] & np.uint64(0xFFFFFFFF)).astype(np.uint32)
            order = sort_rows(keys, docs)
            keys, docs, hosts = keys[order], docs[order], hosts[order]
            g = group_rows(keys, docs, hosts, self.min_hosts, self.repeat_hosts)
            bk.append(g.boiler_keys)
            bh.append(g.boiler_hosts)
            rk.append(g.repeat_keys)
            rfirst.append(docs[g.repeat_first_row])
            rdocs.append(g.repeat_docs)
        first = np.concatenate(rfirst) if rfirst else np.zeros(0, np.int64)
        ords = self._ords.take(first)[:, 0] if first.size else np.zeros(0, np.int64)
        ids = [self._ids[i] for i in first.tolist()]
        cat = lambda parts, dt: np.concatenate(parts) if parts else np.zeros(0, dt)  # noqa: E731
        self.decision = ParagraphDecision.sorted_from(cat(bk, np.uint64), cat(bh, np.uint32), cat(rk, np.uint64),
                                                      ords, ids, cat(rdocs, np.uint32), self._observed,
                                                      boilerplate_chars=self.boilerplate_chars, min_chars=self.min_chars,
                                                      min_hosts=self.min_hosts, repeat_hosts=self.repeat_hosts)
        self._peak = max(self._peak, self.decision.nbytes())
        return self.decision

    # ------------------------------------------------------------------ apply

    def apply(self, index: int, doc: Document) -> None:
        d = self.decision
        if doc.dropped is not None or (d.boiler_keys.size == 0 and d.repeat_keys.size == 0):
            return
        blocks, keys = self.keys_of(doc)
        if not blocks:
            return
        bhit, bpos = _lookup(d.boiler_keys, keys)
        rhit, rpos = _lookup(d.repeat_keys, keys)
        spans = []
        for i, b in enumerate(blocks):
            if bhit[i]:
                spans.append(line_span(doc.text, b, BOILERPLATE_RULE, f"on {int(d.boiler_hosts[bpos[i]])} hosts"))
            elif rhit[i] and int(d.kept_ords[rpos[i]]) != index:
                kept = d.kept_in(int(d.kept_ords[rpos[i]]), d.kept_ids[rpos[i]])
                if kept != doc.id and kept != KEPT_EVERYWHERE:
                    spans.append(line_span(doc.text, b, RULE, kept))
        if spans and len(spans) < len(blocks):   # never empty a document
            doc.removed.extend(spans)
            self.stats.spans += len(spans)

    # ------------------------------------------------------------------ figures

    def index_bytes(self) -> int:
        """Bytes in memory at the largest: the pending rows, one partition while deciding, the decision."""
        return max(self._peak, self._pending_rows * 16 + self.decision.nbytes())

    def report(self) -> dict[str, Any]:
        return {**self.decision.report(), "paragraph_rows": self._rows}
