"""Numbers of ordered lists: "1. Heat the oven" stays "1. Heat the oven".

trafilatura writes every list item as "- item", so the numbers of an ``<ol>`` (the steps of
a recipe, the places of a ranking) are lost, and they are content. Two steps, around the
extraction:

1. :func:`number_ordered_lists` writes each item's number ("3. ") at the start of the
   ``<li>`` of every ``<ol>`` in the tree, as a browser would show it (``start``,
   ``reversed``, ``type`` and an item's ``value`` are followed);
2. :func:`unbullet_numbered` turns the extracted "- 3. item" lines back into "3. item".
"""
from __future__ import annotations

import re

import lxml.html

#: An extracted list line whose item starts with a number we wrote: "- 3. ", "* 3) ".
_BULLETED_NUMBER = re.compile(r"(?m)^[ \t]*[-*•][ \t]+(?=(?:\d{1,4}|[a-zA-Z]|[ivxlcdmIVXLCDM]{1,8})\.[ \t])")
#: Items longer than this are left unnumbered (a whole article in one ``<li>``; characters).
MAX_ITEM_CHARS = 20_000
#: An ``<ol>`` with more than this share of its words in links is navigation, not numbered content (0-1).
MAX_LINK_SHARE = 0.6
#: An item that prints its own number ("1. ", "2) ", "Step 3:" is not one).
_OWN_NUMBER = re.compile(r"\s*\w{1,4}[.)]\s")
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def item_label(n: int, kind: str) -> str:
    """The marker of item number ``n`` for an ``<ol type=kind>``: ``"3"``, ``"c"``, ``"C"``, ``"iii"``, ``"III"``.

    Letters and Roman numerals are used for 1..26 and 1..3999 only; outside that, and for
    an unknown ``kind``, the decimal number.
    """
    if kind in ("a", "A") and 1 <= n <= 26:
        s = chr(ord("a") + n - 1)
        return s.upper() if kind == "A" else s
    if kind in ("i", "I") and 1 <= n < 4000:
        out, rest = [], n
        for v, r in _ROMAN:
            while rest >= v:
                out.append(r)
                rest -= v
        s = "".join(out)
        return s.upper() if kind == "I" else s
    return str(n)


def number_ordered_lists(root: lxml.html.HtmlElement) -> int:
    """Write "N. " at the start of each item of every ``<ol>`` under ``root``, in place.

    A list that is mostly links (over :data:`MAX_LINK_SHARE` of its words: a breadcrumb,
    a menu) is left alone. Follows ``start``, ``reversed``, ``type`` (``1 a A i I``) and ``<li value>``; an item
    that already starts with its own number ("1. ", "1)") is left as it is. Returns the
    number of items numbered.
    """
    done = 0
    for ol in root.iter("ol"):
        items = [li for li in ol if li.tag == "li"]
        if not items or _mostly_links(ol):
            continue
        rev = ol.get("reversed") is not None
        n = _int(ol.get("start"))
        if n is None:
            n = len(items) if rev else 1
        kind = (ol.get("type") or "1").strip()
        for li in items:
            v = _int(li.get("value"))
            if v is not None:
                n = v
            text = li.text_content()
            if text.strip() and len(text) <= MAX_ITEM_CHARS and not _OWN_NUMBER.match(text):
                _prepend(li, f"{item_label(n, kind)}. ")
                done += 1
            n = n - 1 if rev else n + 1
    return done


def _mostly_links(ol: lxml.html.HtmlElement) -> bool:
    """True for a list whose text is mostly link text: a breadcrumb, a menu, a list of related links."""
    total = len("".join(ol.itertext()).split())
    linked = sum(len(a.text_content().split()) for a in ol.iter("a"))
    return total > 0 and linked > MAX_LINK_SHARE * total


def _prepend(li: lxml.html.HtmlElement, label: str) -> None:
    """Put ``label`` before the first visible text of ``li`` (its own text or a descendant's)."""
    for el in li.iter():
        if el is not li and el.tail is None and el.text is None:
            continue
        if el.text and el.text.strip():
            el.text = label + el.text.lstrip()
            return
        if el is not li and el.tail and el.tail.strip():
            el.tail = label + el.tail.lstrip()
            return
    li.text = label + (li.text or "")


def unbullet_numbered(text: str) -> str:
    """``text`` with the bullet taken off list lines that start with a number: "- 3. Stir" -> "3. Stir"."""
    if "- " not in text and "* " not in text and "• " not in text:
        return text
    return _BULLETED_NUMBER.sub("", text)
