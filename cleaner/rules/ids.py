"""Which rules an item of ``--rules`` / ``--disable-rules`` names.

An item names a rule by its id (``chrome.share@1``), its id without the version
(``chrome.share``), or a prefix that ends at a dot (``chrome.de`` or ``chrome.de.``: the
German chrome rules; ``dup``: every in-page duplicate rule). A prefix that ends inside a
name (``chrome.breadcrum``) names nothing, so a typo is refused instead of switching off
whatever happens to start with it.
"""
from __future__ import annotations


def names_rule(item: str, rule_id: str) -> bool:
    """True when ``item`` (one item of a rule spec) names the rule ``rule_id``."""
    if rule_id == item:
        return True
    if item.endswith((".", "@")):
        return rule_id.startswith(item)
    return rule_id.startswith(item) and rule_id[len(item)] in ".@"


def named_by_any(items, rule_id: str) -> bool:
    """True when one of ``items`` names ``rule_id`` (:func:`names_rule`)."""
    return any(names_rule(w, rule_id) for w in items)
