"""The one record type that travels the whole pipeline, and the span arithmetic on it.

Steps never edit ``Document.text``: they append :class:`Span` objects to
``Document.removed``. :func:`apply_spans` cuts the text once, at the end, so every removed
character can be traced to a rule (the attribute-span idea of allenai/dolma).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator

import regex

#: Rule-name prefixes and the kind of removal they stand for (used by reports and explain).
RULE_KINDS = {"chrome": "chrome rule", "dup": "in-page duplicate", "site": "site template",
              "doc": "document filter", "extract": "extraction", "corpus": "corpus paragraph"}


@dataclass(frozen=True, slots=True)
class Span:
    """A removed range of ``Document.text``.

    ``start``/``end`` are character offsets (``end`` exclusive); ``rule`` is a versioned
    rule name such as ``"chrome.skip-link@1"``; ``detail`` says why, e.g. the offset or id
    of the copy that was kept.
    """

    start: int
    end: int
    rule: str
    detail: str = ""

    @property
    def kind(self) -> str:
        """The family of the rule: ``chrome``, ``dup``, ``site``, ..."""
        return self.rule.split(".", 1)[0]


@dataclass(slots=True)
class Document:
    """One page or text record as it moves through the pipeline.

    ``id`` is stable (the record's own id, or its path relative to the input root);
    ``text`` is the extracted main content (the input text for text records), never edited
    by steps; ``removed`` lists what the steps marked, offsets into ``text``
    (:attr:`clean_text` is the text with them cut); ``dropped`` is the reason the whole document
    goes, or ``None``.
    """

    id: str
    url: str | None
    text: str
    title: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    removed: list[Span] = field(default_factory=list)
    dropped: str | None = None
    drop_detail: dict[str, Any] = field(default_factory=dict)  # e.g. {"duplicate_of": id, "similarity": 0.91}
    #: ISO 639-1 code of the text's language (:mod:`cleaner.page.language`) and the identifier's probability (0-1).
    language: str | None = None
    language_score: float | None = None
    #: Where the record came from: ``source`` (input file, URL or ``-``) and ``source_offset``
    #: (WARC/WET byte offset), ``source_line`` (JSONL line) or ``source_row`` (Parquet/Arrow row).
    provenance: dict[str, Any] = field(default_factory=dict)
    #: what extraction left out of an HTML page: ``[anchor offset, block text, rule]`` (see
    #: :mod:`cleaner.extract.removals`); shown by explain and the report, never part of ``text``
    left_out: list[list] = field(default_factory=list)
    #: characters extraction left out, by rule (every HTML page; ``left_out`` only when asked for)
    left_out_chars: dict[str, int] = field(default_factory=dict)
    #: The input record (:class:`cleaner.io.records.RawRecord`) until the extraction step
    #: (:class:`cleaner.extract.steps.Extract`) has made ``text`` and ``title`` of it; never serialised.
    raw: Any = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict that :meth:`from_json` turns back into an equal document."""
        out = {"id": self.id, "url": self.url, "title": self.title, "text": self.text,
               "metadata": self.metadata, "dropped": self.dropped, "drop_detail": self.drop_detail,
               "removed": [[s.start, s.end, s.rule, s.detail] for s in self.removed],
               "language": self.language, "language_score": self.language_score, "provenance": self.provenance}
        if self.left_out:
            out["left_out"] = self.left_out
        if self.left_out_chars:
            out["left_out_chars"] = self.left_out_chars
        return out

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Document":
        return cls(id=d["id"], url=d.get("url"), text=d["text"], title=d.get("title"),
                   metadata=d.get("metadata") or {}, dropped=d.get("dropped"),
                   drop_detail=d.get("drop_detail") or {},
                   removed=[Span(*s) for s in d.get("removed") or ()],
                   language=d.get("language"), language_score=d.get("language_score"),
                   provenance=d.get("provenance") or {}, left_out=d.get("left_out") or [],
                   left_out_chars=d.get("left_out_chars") or {})

    @property
    def clean_text(self) -> str:
        """``text`` with every removed span cut out and white space tidied (:func:`apply_spans`):
        the text ``cleaner clean`` writes for this document. Computed on each access."""
        return apply_spans(self.text, self.removed)

    def removed_mask(self) -> list[tuple[int, int]]:
        """The removed ranges, merged and sorted: ``[(start, end), ...]``."""
        return merge_ranges((s.start, s.end) for s in self.removed)

    def is_removed(self, start: int, end: int) -> bool:
        """True when the whole range ``[start, end)`` is already covered by removed spans."""
        return covered(self.removed_mask(), start, end)


@dataclass(frozen=True, slots=True)
class Block:
    """One line of text: the unit that rules and duplicate detection look at.

    ``start``/``end`` are offsets into the document text, ``end`` excluding the newline.
    ``index`` is the position among the document's non-empty lines.
    """

    index: int
    start: int
    end: int
    text: str


# The text segmented last and its blocks: the markers of one document (chrome, title,
# duplicates, templates, paragraphs) each ask for the blocks of the same text.
_last_segmented: tuple[str | None, tuple[Block, ...]] = (None, ())


def segment(text: str) -> list[Block]:
    """Split ``text`` into its non-blank lines (paragraphs, headings, list items, cells).

    Lines end at ``\n`` only; a line of nothing but white space is no block. The blocks of
    the text seen last are kept (one entry), so the steps of one document split it once.
    """
    global _last_segmented
    last, blocks = _last_segmented
    if text is not last:
        out: list[Block] = []
        pos = 0
        for line in text.split("\n"):
            if line and not line.isspace():
                out.append(Block(len(out), pos, pos + len(line), line))
            pos += len(line) + 1
        blocks = tuple(out)
        _last_segmented = (text, blocks)
    return list(blocks)


def kept_blocks(doc: Document) -> list[Block]:
    """The document's blocks that no span has removed yet (a partly cut block stays)."""
    mask = doc.removed_mask()
    return [b for b in segment(doc.text) if not covered(mask, b.start, b.end)]


def visible_blocks(doc: Document) -> list[Block]:
    """:func:`kept_blocks` with each block's text as it reads once every span is cut: a partly
    cut block shortened (its trailing blanks dropped, as :func:`apply_spans` leaves a line),
    a block that the cuts leave blank left out. Positions stay those of the whole block.

    For a step that decides from the lines a reader sees: deciding from the uncut text
    would decide otherwise on the cleaned text, and cleaning twice would cut more.
    """
    blocks = segment(doc.text)
    mask = doc.removed_mask()
    if not mask:
        return blocks
    out = []
    i, n = 0, len(mask)
    for b in blocks:     # blocks and mask ranges both ascending: one sweep
        while i < n and mask[i][1] <= b.start:
            i += 1
        if i < n and mask[i][0] <= b.start and mask[i][1] >= b.end:
            continue     # inside one removed range (kept_blocks leaves it out too)
        parts, pos, j = [], 0, i
        while j < n and mask[j][0] < b.end:
            s, e = max(mask[j][0], b.start) - b.start, min(mask[j][1], b.end) - b.start
            parts.append(b.text[pos:s])
            pos = e
            j += 1
        if not parts:
            out.append(b)
            continue
        parts.append(b.text[pos:])
        text = "".join(parts).rstrip(" \t")
        if text.strip():
            out.append(Block(b.index, b.start, b.end, text))
    return out


def merge_ranges(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping or touching ``(start, end)`` ranges; the result is sorted."""
    out: list[list[int]] = []
    for s, e in sorted(r for r in ranges if r[1] > r[0]):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def covered(mask: list[tuple[int, int]], start: int, end: int) -> bool:
    """True when ``[start, end)`` lies inside one range of a merged mask."""
    import bisect
    i = bisect.bisect_right(mask, (start, float("inf"))) - 1
    return i >= 0 and mask[i][0] <= start and mask[i][1] >= end


_BLANKS = regex.compile(r"\n[ \t]*(?:\n[ \t]*)+")
_TRAIL = regex.compile(r"[ \t]+\n")


def apply_spans(text: str, spans: Iterable[Span]) -> str:
    """Cut the spans out of ``text`` and tidy the white space the cuts leave behind.

    A run of blank lines becomes one blank line, lines lose trailing blanks, and the
    result has no leading or trailing white space. Text with no spans only gets that
    tidying, so ``apply_spans(apply_spans(t, s), []) == apply_spans(t, s)``. Offsets
    outside ``[0, len(text)]`` are clamped to it (a negative offset never counts from the end).
    """
    n = len(text)
    mask = merge_ranges((min(max(s.start, 0), n), min(max(s.end, 0), n)) for s in spans)
    parts, pos = [], 0
    for s, e in mask:
        parts.append(text[pos:s])
        pos = e
    parts.append(text[pos:])
    out = "".join(parts)
    if " \n" in out or "\t\n" in out:   # most texts have no trailing blanks: no pattern pass
        out = _TRAIL.sub("\n", out)
    if "\n\n" in out:    # with no trailing blanks left, a run of blank lines holds "\n\n"
        out = _BLANKS.sub("\n\n", out)
    return out.strip()


def line_span(text: str, block: Block, rule: str, detail: str = "") -> Span:
    """A span that removes a whole block together with its line break."""
    end = block.end + 1 if block.end < len(text) and text[block.end] == "\n" else block.end
    return Span(block.start, end, rule, detail)


def iter_removed(doc: Document) -> Iterator[tuple[Span, str]]:
    """Each removed span with the text it covers, in document order."""
    for s in sorted(doc.removed, key=lambda s: (s.start, s.end, s.rule)):
        yield s, doc.text[s.start:s.end]
