"""The URL a page file declares for itself: ``<link rel="canonical">``, else ``<meta property="og:url">``.

Used for HTML files, which carry no URL of their own (a WARC record or a JSONL field that
names one wins). Only absolute ``http(s)`` URLs are taken; the head of the page is enough.
"""
from __future__ import annotations

import html
import re

#: Bytes of a page searched for the declaration (it lives in ``<head>``).
HEAD_BYTES = 64 << 10

_TAG = re.compile(rb"<(link|meta)\b([^>]*)>", re.I)
_ATTR = re.compile(rb"""([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")


def _attrs(raw: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(raw):
        value = m.group(2) if m.group(2) is not None else m.group(3) if m.group(3) is not None else m.group(4)
        out.setdefault(m.group(1).decode("ascii", "ignore").lower(), value.decode("utf-8", "replace"))
    return out


def declared_url(data: bytes | str) -> str | None:
    """The page's canonical URL, else its ``og:url``, else ``None`` (absolute http(s) URLs only)."""
    head = data[:HEAD_BYTES]
    if isinstance(head, str):
        head = head.encode("utf-8", "replace")
    canonical = og = None
    for m in _TAG.finditer(head):
        raw = m.group(2).lower()
        if b"canonical" not in raw and b"og:url" not in raw:
            continue   # neither declaration: most <meta>/<link> tags of a head, not worth reading their attributes
        a = _attrs(m.group(2))
        if m.group(1).lower() == b"link" and canonical is None and "canonical" in a.get("rel", "").lower().split():
            canonical = a.get("href")
        elif m.group(1).lower() == b"meta" and og is None and a.get("property", a.get("name", "")).lower() == "og:url":
            og = a.get("content")
    for url in (canonical, og):
        url = html.unescape(url or "").strip()
        if url.lower().startswith(("http://", "https://")) and " " not in url:
            return url
    return None
