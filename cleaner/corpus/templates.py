"""Site templates: blocks that recur on many pages of one host (disclaimers, author boxes, footers).

Public API (stable; shared by the local engine and the Ray engine):

- :func:`host_of` ``(url) -> str | None``: lower-cased host without ``www.``;
- :func:`block_key` ``(text) -> int``: 64-bit hash of a block with case, punctuation and
  white space folded and digits dropped (a block stays one template when a date or a
  number inside it changes);
- :func:`host_key` ``(host) -> int`` and :func:`template_keys` ``(host, block_texts) ->
  uint64[k]``: the packed key ``host (high 32 bits) | block (low 32 bits)`` that is counted;
- :func:`page_key` ``(host, keys) -> int``: one key per distinct page content of a host;
- :func:`is_template` ``(block_pages, host_pages, min_pages, min_share)``: the per-host
  decision (works on numbers or numpy arrays).

Pass 1 (``observe``) counts, per host, on how many distinct pages each normalised block
occurs, in a :class:`~cleaner.containers.compact.RepeatCounter` (a block seen on one page
only: 8 bytes, its ``uint64`` key in a sorted array; a repeated block: 12 bytes, key and
``uint32`` count); the page keys already counted take 8 bytes a page; exact copies of a page on one host
count once, so a page crawled under several URLs does not turn its own text into
template. ``decide`` keeps the blocks that pass :func:`is_template`; the second pass marks
them ``site.template@1``. This is the "boilerplate by repetition" idea of Common Crawl
cleaning (e.g. CCNet's paragraph-hash deduplication, Wenzek et al. 2020), per host.
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass, field
from typing import Any, Sequence
from urllib.parse import urlsplit

import numpy as np
import xxhash

from ..document import Document, kept_blocks, line_span
from ..steps import CorpusStep
from ..containers.compact import KeyCounter, RepeatCounter, SortedU64Set
from ..containers.runs import distinct as distinct_keys

_PUNCT_TO_SPACE = bytes.maketrans(string.punctuation.encode("ascii"), b" " * len(string.punctuation))
_ASCII_DIGITS = b"0123456789"
_LETTER = re.compile(r"[^\W\d_]")
_NON_WORD = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d+")
_LOW_32 = np.uint64(0xFFFFFFFF)
_U32 = np.uint64(32)
#: Block keys buffered before they are folded into the counts (8 bytes each).
BLOCK_BUFFER_KEYS = 1 << 16
#: Host keys buffered before they are folded into the page counts of the hosts (8 bytes each).
HOST_BUFFER_KEYS = 1 << 14
#: Rule name of the spans this step marks, and its line for ``cleaner explain``.
RULE = "site.template@1"
RULE_DESCRIPTIONS = {RULE: "a block that recurs on many pages of the same host (site template), even when a date in it changes"}


def host_of(url: str | None) -> str | None:
    """The lower-cased host of a URL without a leading ``www.`` or a port, or ``None`` when there is none."""
    if not url:
        return None
    rest = url.split("://", 1)[1] if "://" in url else url.lstrip("/")
    host = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[-1]
    if host.startswith("["):  # IPv6 literal: let the standard parser handle it
        try:
            host = urlsplit("//" + host).hostname or ""
        except ValueError:
            return None
    else:
        host = host.split(":", 1)[0]
    host = host.strip().lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host or None


def normalize_for_template(text: str) -> bytes:
    """UTF-8 of the case-folded block, punctuation as spaces, white space collapsed.

    Digits are dropped only in blocks that have letters: "Updated 3 May 2024" and
    "Updated 19 June 2025" give the same key, but a bare price or count ("$139.99",
    "100+") keeps its digits, or every number of a site would be one block. ASCII blocks
    take byte-level ``translate`` and ``split`` (a few microseconds), others regular
    expressions with the same result on their ASCII characters.
    """
    folded = text.casefold()
    letters = _LETTER.search(folded) is not None
    if not folded.isascii():  # Unicode punctuation and digits: the slower regular expressions
        folded = _NON_WORD.sub(" ", folded)
        if letters:
            folded = _DIGIT.sub("", folded)
        return " ".join(folded.split()).encode("utf-8", "surrogatepass")
    raw = folded.encode("ascii")
    raw = raw.translate(_PUNCT_TO_SPACE, _ASCII_DIGITS) if letters else raw.translate(_PUNCT_TO_SPACE)
    return b" ".join(raw.split())


def block_key(text: str) -> int:
    """64-bit hash of a block's :func:`normalize_for_template` bytes (0 when nothing is left)."""
    norm = normalize_for_template(text)
    return xxhash.xxh3_64_intdigest(norm) if norm else 0


def host_key(host: str) -> int:
    """32-bit hash of a host name (the high half of a template key)."""
    return xxhash.xxh32_intdigest(host.encode("utf-8", "surrogatepass"))


def template_keys(host: str, block_texts: Sequence[str]) -> np.ndarray:
    """``uint64[k]``: ``host_key(host) << 32 | low 32 bits of block_key(text)`` for each block.

    Blocks that normalise to nothing get key 0 (callers skip them).
    """
    hk = np.uint64(host_key(host)) << _U32
    bk = np.fromiter((block_key(t) for t in block_texts), dtype=np.uint64, count=len(block_texts))
    return np.where(bk == 0, np.uint64(0), hk | (bk & _LOW_32))


def page_key(host: str, keys: np.ndarray) -> int:
    """64-bit key of a page's content on its host: equal for exact copies of a page."""
    return xxhash.xxh3_64_intdigest(host.encode("utf-8", "surrogatepass") + np.sort(keys).tobytes())


def is_template(block_pages, host_pages, min_pages: int, min_share: float):
    """True when a block on ``block_pages`` of its host's ``host_pages`` pages is template.

    Both bounds must hold: at least ``min_pages`` pages, and at least ``min_share`` (0-1)
    of the host's pages. Works element-wise on numpy arrays.
    """
    return (block_pages >= min_pages) & (block_pages >= min_share * host_pages)


def template_blocks(keys: np.ndarray, pages: np.ndarray, hosts: np.ndarray, host_pages: np.ndarray,
                    min_pages: int, min_share: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The template blocks among counted ones, as every engine decides them.

    ``keys``: packed block keys (:func:`template_keys`), ``pages[i]`` the distinct pages
    key ``i`` is on; ``hosts``: sorted host keys (:func:`host_key`) of at least every
    host of ``keys``, ``host_pages`` their distinct pages. Returns ``(keys, pages, host
    pages of each)`` of the blocks that pass :func:`is_template`.
    """
    keys = np.asarray(keys, dtype=np.uint64)
    of_host = _lookup_counts(hosts, host_pages, keys >> _U32)
    keep = is_template(pages, of_host, min_pages, min_share)
    return keys[keep], np.asarray(pages)[keep].astype(np.uint32), of_host[keep]


def _lookup_counts(sorted_keys: np.ndarray, counts: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """``uint32`` counts of ``keys`` in sorted ``sorted_keys`` (0 for a key not there)."""
    if sorted_keys.size == 0:
        return np.zeros(keys.size, dtype=np.uint32)
    pos = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return np.where(sorted_keys[pos] == keys, counts[pos], 0).astype(np.uint32)


@dataclass
class TemplateDecision:
    """What the site-template step decided: ``keys`` (sorted ``uint64`` template keys) with
    ``pages`` (``uint32``: distinct pages each is on); ``hosts`` (sorted host keys of the
    hosts with templates) with ``host_pages`` (their distinct pages); the settings."""

    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    pages: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))
    hosts: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint64))
    host_pages: np.ndarray = field(default_factory=lambda: np.zeros(0, np.uint32))
    min_pages: int = 4
    min_share: float = 0.2

    @classmethod
    def from_blocks(cls, keys: np.ndarray, pages: np.ndarray, host_pages: np.ndarray, min_pages: int,
                    min_share: float) -> "TemplateDecision":
        """The decision from template blocks in any order (:func:`template_blocks`, of one or many hosts)."""
        order = np.argsort(np.asarray(keys, dtype=np.uint64), kind="stable")
        keys = np.asarray(keys, dtype=np.uint64)[order]
        hosts, first = np.unique(keys >> _U32, return_index=True)
        return cls(keys, np.asarray(pages, dtype=np.uint32)[order], hosts,
                   np.asarray(host_pages, dtype=np.uint32)[order][first], min_pages, min_share)

    def has_host(self, hk: int) -> bool:
        """Whether the host of key ``hk`` has any template."""
        i = int(np.searchsorted(self.hosts, np.uint64(hk)))
        return i < self.hosts.size and int(self.hosts[i]) == hk

    def pages_of_host(self, hk: int) -> int:
        """Distinct pages of the host of key ``hk`` (a host with templates)."""
        return int(_lookup_counts(self.hosts, self.host_pages, np.array([hk], dtype=np.uint64))[0])

    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.pages.nbytes + self.hosts.nbytes + self.host_pages.nbytes)

    def report(self) -> dict[str, Any]:
        """The step's figures for ``report.json``, the same in every engine."""
        return {"template_blocks": int(self.keys.size), "hosts_with_templates": int(self.hosts.size),
                "template_index_bytes": int(self.keys.nbytes + self.pages.nbytes),
                "min_pages": self.min_pages, "min_share": self.min_share}


class SiteTemplates(CorpusStep):
    """Mark blocks that a host repeats on many of its pages (``site.template@1``)."""

    name = "site-templates"
    marks_spans = True

    def __init__(self, min_pages: int = 4, min_share: float = 0.2):
        super().__init__()
        if min_pages < 2:
            raise ValueError(f"template_min_pages must be at least 2 (a block on one page is content), not {min_pages}")
        if not 0.0 <= min_share <= 1.0:
            raise ValueError(f"template_min_share is a share between 0 and 1, not {min_share}")
        self.min_pages, self.min_share = min_pages, min_share
        # host|block key -> distinct pages containing it; a block on one page only costs 8
        # bytes (it can never be template: min_pages >= 2), a repeated one 12
        self.blocks = RepeatCounter(BLOCK_BUFFER_KEYS)
        self.pages = KeyCounter(HOST_BUFFER_KEYS)      # host key -> distinct pages of the host
        self._seen_pages = SortedU64Set()              # page keys already counted
        self.decision = TemplateDecision(min_pages=min_pages, min_share=min_share)
        self.hosts_seen = 0
        self.without_host = 0   # documents observed without a URL (no host)
        self._peak_bytes = 0

    @classmethod
    def from_options(cls, options, workdir: str | None = None) -> "SiteTemplates":
        return cls(options.template_min_pages, options.template_min_share)

    @staticmethod
    def _keys(doc: Document) -> tuple[str | None, list, np.ndarray]:
        host = host_of(doc.url)
        if host is None:
            return None, [], np.zeros(0, dtype=np.uint64)
        blocks = kept_blocks(doc)
        return host, blocks, template_keys(host, [b.text for b in blocks])

    def fingerprint(self, doc: Document) -> Any:
        host, _, keys = self._keys(doc)
        if host is None:
            return None
        distinct = distinct_keys(keys[keys != 0])
        return [host_key(host), page_key(host, distinct), distinct.tolist()]

    def observe(self, index: int, doc_id: str, fp: Any) -> None:
        if fp is None:
            self.without_host += 1   # no URL, so no site: nothing of it can be a template
            return
        hk, pk, keys = fp
        if not self._seen_pages.add(pk):
            return
        self.pages.add(np.array([hk], dtype=np.uint64))
        if keys:
            self.blocks.add(np.asarray(keys, dtype=np.uint64))

    def decide(self) -> TemplateDecision:
        self.blocks.merge()
        self.pages.merge()
        self._peak_bytes = self.index_bytes()
        keys, counts = self.blocks.repeated()
        found = template_blocks(keys, counts, self.pages.keys, self.pages.counts, self.min_pages, self.min_share)
        self.decision = TemplateDecision.from_blocks(*found, self.min_pages, self.min_share)
        self.hosts_seen = int(self.pages.keys.size)
        self.blocks = RepeatCounter()  # the counts are no longer needed
        self.pages = KeyCounter()
        self._seen_pages = SortedU64Set()
        return self.decision

    def apply(self, index: int, doc: Document) -> None:
        d = self.decision
        if d.keys.size == 0:
            return
        host = host_of(doc.url)
        if host is None or not d.has_host(host_key(host)):
            return
        blocks = kept_blocks(doc)
        if not blocks:
            return
        keys = template_keys(host, [b.text for b in blocks])
        pos = np.minimum(np.searchsorted(d.keys, keys), d.keys.size - 1)
        hit = (d.keys[pos] == keys) & (keys != 0)
        marked = np.flatnonzero(hit).tolist()
        if not marked:
            return
        counts = d.pages[pos[hit]]
        pages = d.pages_of_host(host_key(host))
        for i, c in zip(marked, counts.tolist()):
            doc.removed.append(line_span(doc.text, blocks[i], RULE, f"on {c} of {pages} pages of {host}"))
            self.stats.spans += 1

    def index_bytes(self) -> int:
        """Bytes of the counts at their largest (before ``decide`` keeps only the templates)."""
        return max(self._peak_bytes, self.blocks.nbytes() + self.pages.nbytes() + self._seen_pages.nbytes()
                   + self.decision.keys.nbytes + self.decision.pages.nbytes)

    def report(self) -> dict[str, Any]:
        return {"hosts": self.hosts_seen, "documents_without_url": self.without_host, **self.decision.report()}
