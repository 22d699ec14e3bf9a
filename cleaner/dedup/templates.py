"""Site templates: blocks that recur on many pages of one host (disclaimers, author boxes, footers).

Pass 1 counts, per host, on how many pages each normalised block occurs; ``decide`` keeps
the blocks that occur on at least ``template_min_pages`` pages and at least
``template_min_share`` of the host's pages; the second pass marks them ``site.template@1``.
Digits are folded before hashing, so a block stays one template when a date or a number
inside it changes. The approach is the "boilerplate by repetition" idea of
Common Crawl cleaning pipelines (e.g. CCNet's paragraph-hash deduplication, Wenzek et al. 2020),
applied per host instead of per shard.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Iterable
from urllib.parse import urlsplit

import regex
import xxhash

from ..document import Document, kept_blocks, line_span
from ..steps import CorpusStep

_FOLD = regex.compile(r"[\W_]+")
_DIGITS = regex.compile(r"\d+")


def host_of(url: str | None) -> str | None:
    """The lower-cased host of a URL without a leading ``www.``, or ``None``."""
    if not url:
        return None
    try:
        host = (urlsplit(url if "//" in url else "//" + url).hostname or "").lower()
    except ValueError:
        return None
    return host[4:] if host.startswith("www.") else host or None


def block_key(text: str) -> int:
    """64-bit hash of a block with case, punctuation, white space and digit values folded."""
    return xxhash.xxh3_64_intdigest(_FOLD.sub(" ", _DIGITS.sub("0", text.casefold())).strip().encode("utf-8"))


class SiteTemplates(CorpusStep):
    """Mark blocks that a host repeats on many of its pages."""

    name = "site-templates"

    def __init__(self, min_pages: int = 3, min_share: float = 0.3):
        super().__init__()
        self.min_pages, self.min_share = min_pages, min_share
        self.pages: Counter[int] = Counter()      # host hash -> pages seen
        self.counts: Counter[int] = Counter()     # (host, block) hash -> pages containing it
        self.template: dict[int, int] = {}        # (host, block) hash -> pages containing it

    @classmethod
    def from_options(cls, options) -> "SiteTemplates":
        return cls(options.template_min_pages, options.template_min_share)

    @staticmethod
    def _keys(doc: Document) -> tuple[int | None, list[tuple[int, Any]]]:
        host = host_of(doc.url)
        if host is None:
            return None, []
        h = xxhash.xxh3_64_intdigest(host.encode("utf-8"))
        return h, [(xxhash.xxh3_64_intdigest(f"{h}:{block_key(b.text)}".encode()), b) for b in kept_blocks(doc)]

    def fingerprint(self, doc: Document) -> Any:
        h, keys = self._keys(doc)
        return None if h is None else [h, sorted({k for k, _ in keys})]

    def observe(self, index: int, doc_id: str, fp: Any) -> None:
        if fp is None:
            return
        host, keys = fp
        self.pages[host] += 1
        self.counts.update(keys)

    def decide(self) -> None:
        # The host of a key is not stored; a key is template when its count passes both
        # bounds for the host it came from, which apply() checks with the page count.
        self.template = {k: c for k, c in self.counts.items() if c >= self.min_pages}
        self.counts = Counter()

    def apply(self, index: int, doc: Document) -> None:
        h, keys = self._keys(doc)
        if h is None:
            return
        pages = self.pages.get(h, 0)
        for k, b in keys:
            c = self.template.get(k)
            if c is not None and c >= self.min_share * pages:
                doc.removed.append(line_span(doc.text, b, "site.template@1", f"on {c} of {pages} pages of {host_of(doc.url)}"))
                self.stats.spans += 1

    def index_bytes(self) -> int:
        return 24 * (len(self.template) + len(self.pages) + len(self.counts))

    def report(self) -> dict[str, Any]:
        return {"hosts": len(self.pages), "template_blocks": len(self.template)}
