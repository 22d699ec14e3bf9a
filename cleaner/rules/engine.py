"""Load chrome rules from TOML and mark the lines they match.

A rule file holds ``[[rule]]`` tables::

    [[rule]]
    id = "chrome.skip-link@1"        # family.name@version
    lang = "en"                       # language tag, or "*" for language-free rules
    scope = "line"                    # what a match removes (see SCOPES)
    pattern = '(?i)skip to (main )?content'
    max_chars = 80                    # longer lines are never chrome for this rule
    match = ["Skip to Content"]       # examples that must be removed
    keep = ["How to skip to content quickly in vim"]   # examples that must survive

Patterns are compiled with the ``regex`` module and matched with a time-out, so a
pathological user pattern sends the record to rejects instead of hanging a worker.
"""
from __future__ import annotations

import glob
import os
import sys
from dataclasses import dataclass, field
from typing import Iterable

import regex

from ..document import Document, Span, kept_blocks, line_span
from ..steps import Marker

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: ``line``: the whole line must match the pattern (full match after trimming).
SCOPES = ("line",)
RULES_DIR = os.path.dirname(os.path.abspath(__file__))


class RuleError(ValueError):
    """A rule file that cannot be used: bad TOML, unknown scope, a pattern that does not compile."""


@dataclass
class Rule:
    id: str
    pattern: "regex.Pattern[str]"
    scope: str = "line"
    lang: str = "*"
    max_chars: int = 200
    description: str = ""
    match: list[str] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)

    def matches(self, line: str, timeout_s: float) -> bool:
        """True when ``line`` is chrome by this rule. Raises ``TimeoutError`` past ``timeout_s``."""
        s = line.strip()
        if not s or len(s) > self.max_chars:
            return False
        try:
            return self.pattern.fullmatch(s, timeout=timeout_s) is not None
        except TimeoutError:
            raise TimeoutError(f"rule {self.id} ran past {timeout_s} s on a line of {len(s)} characters") from None


def load_rules(paths: Iterable[str] | None = None) -> list[Rule]:
    """Load rules from TOML files (default: every ``*.toml`` beside this module).

    Raises :class:`RuleError` naming the file and rule that is wrong.
    """
    files = list(paths) if paths is not None else sorted(glob.glob(os.path.join(RULES_DIR, "*.toml")))
    rules: list[Rule] = []
    seen: set[str] = set()
    for path in files:
        try:
            with open(path, "rb") as fh:
                data = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise RuleError(f"{path}: cannot load rules: {e}") from e
        for i, r in enumerate(data.get("rule", [])):
            rid = r.get("id") or f"#{i}"
            where = f"{path}: rule {rid}"
            if "@" not in rid:
                raise RuleError(f"{where}: id must be versioned, like 'chrome.name@1'")
            if rid in seen:
                raise RuleError(f"{where}: duplicate id")
            scope = r.get("scope", "line")
            if scope not in SCOPES:
                raise RuleError(f"{where}: unknown scope {scope!r}; scopes: {', '.join(SCOPES)}")
            try:
                pat = regex.compile(r["pattern"], regex.V1)
            except (KeyError, regex.error) as e:
                raise RuleError(f"{where}: bad or missing pattern: {e}") from e
            seen.add(rid)
            rules.append(Rule(rid, pat, scope, r.get("lang", "*"), int(r.get("max_chars", 200)),
                              r.get("description", ""), list(r.get("match", [])), list(r.get("keep", []))))
    return rules


class ChromeRules(Marker):
    """Mark lines that site-chrome rules match (skip links, share bars, cookie notices, ...)."""

    name = "chrome"

    def __init__(self, rules: list[Rule], timeout_s: float = 0.5):
        super().__init__()
        self.rules, self.timeout_s = rules, timeout_s

    def mark(self, doc: Document) -> Iterable[Span]:
        for b in kept_blocks(doc):
            for rule in self.rules:
                if rule.matches(b.text, self.timeout_s):
                    yield line_span(doc.text, b, rule.id)
                    break


def select_rules(options) -> list[Rule]:
    """The rules that ``options`` switch on: built-in plus ``extra_rules``, filtered by id and language.

    Raises :class:`RuleError` for an unknown id or prefix in ``rules``/``disable_rules``.
    """
    rules = load_rules()
    if options.extra_rules:
        rules += load_rules([options.extra_rules])
    known = [r.id for r in rules]

    def pick(spec: str) -> list[str]:
        wanted = [s.strip() for s in spec.split(",") if s.strip()]
        for w in wanted:
            if not any(rid == w or rid.startswith(w) for rid in known):
                raise RuleError(f"unknown rule {w!r}; known rules: {', '.join(known)}")
        return wanted

    if options.rules != "all":
        on = pick(options.rules)
        rules = [r for r in rules if any(r.id == w or r.id.startswith(w) for w in on)]
    if options.disable_rules:
        off = pick(options.disable_rules)
        rules = [r for r in rules if not any(r.id == w or r.id.startswith(w) for w in off)]
    if options.languages != "all":
        langs = {s.strip() for s in options.languages.split(",")}
        rules = [r for r in rules if r.lang == "*" or r.lang in langs]
    return rules


def check_rules(rules: list[Rule], timeout_s: float = 1.0) -> list[str]:
    """Run every rule's examples; one message per example that does not behave as stated."""
    problems = []
    for r in rules:
        for ex in r.match:
            if not r.matches(ex, timeout_s):
                problems.append(f"{r.id}: should match but does not: {ex!r}")
        for ex in r.keep:
            if r.matches(ex, timeout_s):
                problems.append(f"{r.id}: should not match but does: {ex!r}")
    return problems
