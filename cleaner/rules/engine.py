"""Chrome rules as data: the TOML format, loading, selecting and checking rules.

:mod:`cleaner.page.chrome` runs them over documents. A rule file holds shared fragments
and ``[[rule]]`` tables::

    lang = "en"                           # default language tag of the file's rules

    [vocab]                               # literal phrase lists, used as {{name}}
    social = ["Facebook", "X", "LinkedIn", "Email"]

    [define]                              # regular-expression fragments, used as {{name}}
    sep = '\\s*[|·•/]\\s*'

    [[rule]]
    id = "chrome.share@1"                 # family.name@version
    scope = "line"                        # what a match removes (see SCOPES)
    pattern = '(?i)share (?:this|on {{social}})(?:{{sep}}{{social}})*'
    max_chars = 120                       # longer lines are never chrome for this rule
    match = ["Share on Facebook | X | Email"]       # must be removed
    keep = ["Share on Facebook what you ate today, the ad said."]  # must survive

``{{name}}`` is replaced by the file's own ``[vocab]``/``[define]`` entry of that name, or
else by the one in the language-free ``common.toml``. A vocab list becomes an alternation
of its escaped phrases (longest first, blanks matching any white space).

Scopes:

- ``line``: the whole line matches (after dropping a bullet, Markdown ``#`` and ``**`` frames).
  With ``previous = 'PATTERN'`` the line before goes too when it matches PATTERN (a name
  above a disclaimer), marked with ``previous_rule``.
- ``prefix`` / ``suffix``: the pattern matches at the start / end of a longer line; only the
  matched text goes (a "Read more »" glued to a teaser). The rest must stay non-empty.
- ``run``: each line matches and at least ``min_run`` such lines follow each other
  (a strip of ALL-CAPS promo labels, a menu printed one item a line). With
  ``anchor = 'PATTERN'`` a run counts only when one of its lines (removed ones included)
  matches the anchor (a forum profile block: user name, rank, ``Joined: ...``).
- ``menu``: a menu printed one item a line, in plain text. Each item matches the pattern
  and the computed shape ``member_shape`` (default ``menu_item``: a few words, no digit);
  at least ``min_run`` lines (lines removed by other rules included) with at least
  :data:`MIN_MENU_KEPT` items of their own, all different, not split by a blank line (when
  the page has lines without one between them), and placed where a menu is: before the
  page's first prose line or after its last one. A run right after a line ending in ``:``
  is a list the text introduced, and a page without any prose line (a poem, a list) is
  left alone, as is a run holding more than :data:`MAX_MENU_SHARE` of the page's kept
  characters (a shop's list of categories is what that page is about). These runs are judged last, after every other rule.
- ``section``: the line is a header ("Related articles"); the lines after it go too while
  they are members: they match ``member`` or the computed shape ``member_shape`` (see
  :data:`cleaner.rules.text_shape.SHAPES`). ``max_gap`` other lines may sit between members
  (comment bodies between "Posted ... by" lines); ``to_end`` lets such lines run to the end
  of the document; ``max_members`` caps the length of the section; with ``min_members``, a
  header followed by fewer member lines is left alone ("Comments" heading a chapter about
  code comments). With ``at_end``, the section is taken only when nothing but removed
  lines follows it (a "Read more" link and a teaser at the foot of a page, which in the
  middle of a page is a button before the rest of the story).

Language tags: ``lang`` (per rule, default the file's) is ``*`` for language-free rules.
``Options.languages`` switches languages off for a whole run; per page, the marker skips
rules of languages the page does not use (:func:`cleaner.rules.lang.page_languages`).

``needs = ["cookie", "クッキー"]`` (optional) is a cheap pre-filter: the rule only looks at
lines that contain one of these strings (case-folded). Give it to rules whose pattern must
scan the line (a look-ahead, a leading ``[^\n]{0,80}``): it keeps a page's cost to a few
microseconds a line per rule.

Examples: a ``match`` example with ``[[...]]`` marks exactly what the rule must remove
from it (several lines are one document); without brackets all of it must go. A ``keep``
example must lose nothing. ``cleaner rules check`` runs them (so does the test suite) and
fails a rule without ``match`` or ``keep`` examples, or a built-in one without a
``description``; loading for ``clean`` does not insist on either.

Patterns are compiled with the ``regex`` module and matched with a time-out, so a
pathological user pattern sends the record to rejects instead of hanging a worker.
Code (fenced or indented lines) is never chrome: rules do not look at it.
"""
from __future__ import annotations

import functools
import glob
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterable

import regex

from . import text_shape
from .lang import KNOWN_LANGUAGES
from .ids import named_by_any, names_rule
from .pattern_cache import compile_pattern

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

SCOPES = ("line", "prefix", "suffix", "run", "section", "menu")
RULES_DIR = os.path.dirname(os.path.abspath(__file__))
#: The rule file whose ``[vocab]`` and ``[define]`` every other file may use.
COMMON_FILE = "common.toml"
#: ``{{name}}`` references may nest this deep (a define using a vocab using ...).
MAX_EXPANSION_DEPTH = 5
#: Default longest line (characters) a rule looks at; chrome lines are short.
DEFAULT_MAX_CHARS = 200
#: A ``prefix``/``suffix`` cut must leave at least this many characters of the line.
MIN_REST_CHARS = 1
#: A ``menu`` run holds at least this many items that no other rule removed ...
MIN_MENU_KEPT = 3
#: ... and at most this share of the characters the page keeps: a list of short lines
#: that makes up most of a page (the categories of a shop, a poem) is the page's content.
MAX_MENU_SHARE = 0.3

_REF = regex.compile(r"\{\{([A-Za-z_][A-Za-z0-9_]*)\}\}")
_EXAMPLE_MARK = regex.compile(r"\[\[(.*?)\]\]", regex.DOTALL)


class RuleError(ValueError):
    """A rule file that cannot be used: bad TOML, unknown scope, a pattern that does not compile."""


@dataclass
class Rule:
    """One chrome rule: a versioned id, a compiled pattern, its scope and its examples."""

    id: str
    #: Source of the pattern, ``{{references}}`` expanded; compiled on first use (:attr:`pattern`).
    pattern_source: str
    scope: str = "line"
    lang: str = "*"
    max_chars: int = DEFAULT_MAX_CHARS
    description: str = ""
    match: list[str] = field(default_factory=list)
    keep: list[str] = field(default_factory=list)
    # section
    member_source: str | None = None
    member_shape: str | None = None
    max_gap: int = 0
    max_members: int = 1000
    min_members: int = 0
    to_end: bool = False
    at_end: bool = False
    # run, menu
    min_run: int = 2
    anchor_source: str | None = None
    # line
    previous_source: str | None = None
    previous_rule: str = ""
    needs: tuple[str, ...] = ()
    source: str = ""
    #: Loaded from a file shipped beside this module (not an ``--extra-rules`` file).
    builtin: bool = False
    _compiled: dict = field(default_factory=dict, repr=False, compare=False)

    def _get(self, key: str, src: str | None) -> "regex.Pattern[str] | None":
        """The compiled pattern ``key`` (compiled on first use, then kept); ``None`` when ``src`` is."""
        if src is None:
            return None
        got = self._compiled.get(key)
        if got is None:
            got = self._compiled[key] = _compile_source(src, f"rule {self.id}", key)
        return got

    @property
    def pattern(self) -> "regex.Pattern[str]":
        """The compiled pattern (a ``suffix`` rule's anchored at the end with ``\\Z``)."""
        return self._get("pattern", self.pattern_source)  # type: ignore[return-value]

    @property
    def member(self) -> "regex.Pattern[str] | None":
        return self._get("member", self.member_source)

    @property
    def anchor(self) -> "regex.Pattern[str] | None":
        return self._get("anchor", self.anchor_source)

    @property
    def previous(self) -> "regex.Pattern[str] | None":
        return self._get("previous", self.previous_source)

    def needs_found(self, folded: str) -> bool:
        """True when ``folded`` (case-folded text) holds one of :attr:`needs` (true when there are none).

        One scan of an alternation of the needed strings (the standard library's ``re``,
        escaped literals only), not a Python loop over them: some rules need dozens.
        """
        if not self.needs:
            return True
        got = self._compiled.get("needs")
        if got is None:
            got = self._compiled["needs"] = re.compile("|".join(map(re.escape, self.needs)))
        return got.search(folded) is not None

    def compile_all(self) -> None:
        """Compile every pattern now; raises :class:`RuleError` for one that does not compile."""
        for key in ("pattern", "member", "anchor", "previous"):
            getattr(self, key)

    def matches(self, line: str, timeout_s: float) -> bool:
        """True when ``line`` (one line of text) is chrome by this rule's pattern.

        The line is compared without its bullet and Markdown frame. Raises ``TimeoutError``
        past ``timeout_s``.
        """
        s = text_shape.core(line)
        return self.matches_core(s, s.casefold(), timeout_s)

    def run(self, fn, text: str, timeout_s: float, **kw):
        """Call ``fn(text, timeout=timeout_s, **kw)`` (a bound method of one of this rule's
        patterns); a time-out is re-raised as ``TimeoutError`` naming this rule."""
        try:
            return fn(text, timeout=timeout_s, **kw)
        except TimeoutError:
            raise TimeoutError(f"rule {self.id} ran past {timeout_s} s on a line of {len(text)} characters") from None

    def matches_core(self, core: str, folded: str, timeout_s: float) -> bool:
        """:meth:`matches` for a line already reduced by :func:`cleaner.rules.text_shape.core`
        (``folded`` is its ``casefold()``); the engine computes both once per line."""
        if not core or len(core) > self.max_chars:
            return False
        if self.needs and not self.needs_found(folded):
            return False
        return self.run(self.pattern.fullmatch, core, timeout_s) is not None

    def is_member(self, line: str, timeout_s: float, core: str | None = None) -> bool:
        """True when ``line`` may continue this rule's section (``core``: its :func:`text_shape.core`, if known)."""
        if self.member_shape and text_shape.SHAPES[self.member_shape](line):
            return True
        if self.member_source is not None:
            s = text_shape.core(line) if core is None else core
            return bool(s) and len(s) <= self.max_chars and self.run(self.member.fullmatch, s, timeout_s) is not None
        return False

    def cut(self, line: str, timeout_s: float) -> tuple[int, int] | None:
        """For ``prefix``/``suffix`` rules: the ``(start, end)`` offsets in ``line`` to remove, or ``None``."""
        body = line.strip()
        if not body:
            return None
        lead = len(line) - len(line.lstrip())
        if self.scope == "prefix":
            m = self.run(self.pattern.match, body[: self.max_chars], timeout_s)
            if m and m.end() > 0 and len(body[m.end():].strip()) >= MIN_REST_CHARS:
                return lead, lead + m.end()
        elif self.scope == "suffix":
            tail = body[-self.max_chars:]
            m = self.run(self.pattern.search, tail, timeout_s)  # compiled with a \Z anchor
            if m and m.start() < m.end():
                start = len(body) - len(tail) + m.start()
                if len(body[:start].strip()) >= MIN_REST_CHARS:
                    return lead + start, lead + len(body)
        return None


def _expand(pattern: str, names: dict[str, str], where: str, depth: int = 0) -> str:
    if depth > MAX_EXPANSION_DEPTH:
        raise RuleError(f"{where}: {{{{name}}}} references nest deeper than {MAX_EXPANSION_DEPTH}; is one circular?")

    def sub(m: "regex.Match[str]") -> str:
        name = m.group(1)
        if name not in names:
            raise RuleError(f"{where}: unknown reference {{{{{name}}}}}; define it under [vocab] or [define] "
                            f"(known: {', '.join(sorted(names)) or 'none'})")
        return "(?:" + _expand(names[name], names, where, depth + 1) + ")"

    return _REF.sub(sub, pattern)


def _fragments(data: dict[str, Any], path: str) -> dict[str, str]:
    """A file's ``[vocab]`` lists and ``[define]`` fragments as regular-expression source."""
    out: dict[str, str] = {}
    for name, phrases in (data.get("vocab") or {}).items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) and p for p in phrases):
            raise RuleError(f"{path}: vocab {name!r} must be a list of non-empty strings")
        alts = sorted(set(phrases), key=lambda p: (-len(p), p))
        out[name] = "|".join(r"\s+".join(regex.escape(w) for w in p.split()) for p in alts)
    for name, frag in (data.get("define") or {}).items():
        if not isinstance(frag, str):
            raise RuleError(f"{path}: define {name!r} must be a string")
        if name in out:
            raise RuleError(f"{path}: {name!r} is both a vocab and a define; rename one")
        out[name] = frag
    return out


def _read_toml(path: str) -> dict[str, Any]:
    from .toml_cache import load_toml
    try:
        return load_toml(path)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
        raise RuleError(f"{path}: cannot load rules: {e}; fix the file or leave it out") from e


def _expand_source(src: str, names: dict[str, str], where: str, suffix: bool = False) -> str:
    """A pattern's source with its ``{{references}}`` expanded (anchored at the end for a ``suffix`` rule)."""
    expanded = _expand(src, names, where)
    return f"(?:{expanded})\\Z" if suffix else expanded


def _compile_source(src: str, where: str, key: str) -> "regex.Pattern[str]":
    """Compile an expanded pattern source; raises :class:`RuleError` naming ``where`` and ``key``."""
    try:
        return compile_pattern(src, regex.V1)
    except regex.error as e:
        raise RuleError(f"{where}: {key} does not compile: {e}") from e


def load_rules(paths: Iterable[str] | None = None) -> list[Rule]:
    """Load rules from TOML files (default: every ``*.toml`` beside this module, sorted).

    Returns the rules in file order. Raises :class:`RuleError` naming the file and rule
    that is wrong (bad TOML, unversioned or duplicate id, unknown scope or shape,
    unknown ``{{reference}}``, a pattern that does not compile). Patterns of the rule
    files shipped with the package are compiled on first use (compiling all of them with
    full case folding takes about a second; the test suite and ``cleaner rules check``
    compile and run every one), those of other files at once.
    """
    files = list(paths) if paths is not None else sorted(glob.glob(os.path.join(RULES_DIR, "*.toml")))
    common_path = os.path.join(RULES_DIR, COMMON_FILE)
    return list(_load_rules(tuple((f, *_stamp(f)) for f in files), _stamp(common_path)))


def _stamp(path: str) -> tuple[float, int]:
    """A file's modification time and size (``(0, -1)`` when missing): the key of :func:`_load_rules`."""
    try:
        st = os.stat(path)
        return st.st_mtime, st.st_size
    except OSError:
        return 0.0, -1


@functools.lru_cache(maxsize=8)
def _load_rules(files: tuple[tuple[str, float, int], ...], common_stamp: tuple[float, int]) -> tuple[Rule, ...]:
    """:func:`load_rules` for files as they are now (a file changed on disk is read again).

    The rules are shared by the callers of one process, and so are their compiled patterns.
    """
    common_path = os.path.join(RULES_DIR, COMMON_FILE)
    common = _fragments(_read_toml(common_path), common_path) if os.path.exists(common_path) else {}
    rules: list[Rule] = []
    seen: set[str] = set()
    for path, _, _ in files:
        data = _read_toml(path)
        names = {**common, **_fragments(data, path)}
        builtin = os.path.dirname(os.path.abspath(path)) == RULES_DIR
        file_lang = data.get("lang", "*")
        for i, r in enumerate(data.get("rule", [])):
            rid = r.get("id") or f"#{i}"
            where = f"{path}: rule {rid}"
            if "@" not in rid or "." not in rid.split("@")[0]:
                raise RuleError(f"{where}: id must be versioned, like 'chrome.name@1'")
            if rid in seen:
                raise RuleError(f"{where}: duplicate id; bump the version or rename it")
            scope = r.get("scope", "line")
            if scope not in SCOPES:
                raise RuleError(f"{where}: unknown scope {scope!r}; scopes: {', '.join(SCOPES)}")
            if "pattern" not in r:
                raise RuleError(f"{where}: missing pattern")
            member_shape = r.get("member_shape")
            if member_shape is not None and member_shape not in text_shape.SHAPES:
                raise RuleError(f"{where}: unknown member_shape {member_shape!r}; shapes: {', '.join(text_shape.SHAPES)}")
            if scope == "section" and member_shape is None and "member" not in r:
                raise RuleError(f"{where}: a section rule needs member or member_shape")
            if scope == "menu" and member_shape is None:
                member_shape = "menu_item"
            if "anchor" in r and scope != "run":
                raise RuleError(f"{where}: anchor is for run rules only")
            if "previous" in r and "previous_rule" not in r:
                raise RuleError(f"{where}: previous needs previous_rule (the id the line before is marked with)")
            seen.add(rid)
            rule = Rule(
                id=rid,
                pattern_source=_expand_source(r["pattern"], names, where, suffix=scope == "suffix"),
                scope=scope,
                lang=r.get("lang", file_lang),
                max_chars=int(r.get("max_chars", DEFAULT_MAX_CHARS)),
                description=r.get("description", ""),
                match=list(r.get("match", [])),
                keep=list(r.get("keep", [])),
                member_source=_expand_source(r["member"], names, where) if "member" in r else None,
                member_shape=member_shape,
                max_gap=int(r.get("max_gap", 0)),
                max_members=int(r.get("max_members", 1000)),
                min_members=int(r.get("min_members", 0)),
                to_end=bool(r.get("to_end", False)),
                at_end=bool(r.get("at_end", False)),
                min_run=int(r.get("min_run", 2)),
                anchor_source=_expand_source(r["anchor"], names, where) if "anchor" in r else None,
                previous_source=_expand_source(r["previous"], names, where) if "previous" in r else None,
                previous_rule=r.get("previous_rule", ""),
                needs=tuple(n.casefold() for n in r.get("needs", ())),
                source=os.path.basename(path),
                builtin=builtin,
            )
            if not builtin:
                rule.compile_all()  # a user's rule file fails at load, naming the pattern
            rules.append(rule)
    return tuple(rules)


#: Per-document rules written as code (in-page duplicates, the title, shortcodes): no
#: pattern to load, but ``disable_rules`` switches them off by id or prefix like the rules
#: of the data files (:func:`disabled_code_rules`). ``tests/test_rules.py`` keeps this list
#: equal to the rules those modules describe.
CODE_RULES = ("chrome.encoded-blob@1", "chrome.section-label@1", "chrome.shortcode@1", "dup.caption@1",
              "dup.contained@1", "dup.framed@1", "dup.headline@1", "dup.paragraph@1", "dup.signature@1",
              "dup.title@1", "dup.title-label@1")


def _spec_items(spec: str) -> list[str]:
    """The ids or prefixes of a comma-separated ``spec``, blanks dropped."""
    return [s.strip() for s in spec.split(",") if s.strip()]


def _wanted(spec: str, known: list[str], option: str = "rules") -> list[str]:
    """:func:`_spec_items` of ``spec``; raises :class:`RuleError` for one that names no rule.

    The message is one line: the unknown item, the ``option`` it was given in, and the
    closest ids or prefixes (:func:`difflib.get_close_matches`) as a "did you mean".
    """
    wanted = _spec_items(spec)
    for w in wanted:
        if not any(names_rule(w, rid) for rid in known):
            raise RuleError(f"unknown rule {w!r} in --{option.replace('_', '-')}{_did_you_mean(w, known)}; "
                            "`cleaner rules list` lists them (give an id, an id without its version such as "
                            "'chrome.share', or a prefix ending at a dot such as 'chrome.de')")
    return wanted


#: Suggestions offered for an unknown rule id, and how close (0-1, difflib's ratio) one must be.
SUGGESTIONS, SUGGESTION_CUTOFF = 3, 0.6


def _did_you_mean(item: str, known: list[str]) -> str:
    """``" (did you mean 'a' or 'b'?)"`` for the rules closest to ``item``, or ``""``: ids when
    ``item`` has a version (``@1``), else ids without their version (prefixes are allowed there)."""
    import difflib
    candidates = sorted(set(known) if "@" in item else {rid.split("@", 1)[0] for rid in known})
    close = difflib.get_close_matches(item, candidates, SUGGESTIONS, SUGGESTION_CUTOFF)
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""


def rules_with_extra(extra_rules: str = "") -> list[Rule]:
    """The built-in rules, then those of the ``extra_rules`` file (``""``: none).

    Raises :class:`RuleError` for a rule of the extra file whose id is a built-in rule's
    (naming both files) or a rule written as code (:data:`CODE_RULES`): a rule of one's
    own takes an id of its own; a built-in rule is switched off with ``disable_rules``.
    """
    rules = load_rules()
    if not extra_rules:
        return rules
    extra = load_rules([extra_rules])
    builtin = {r.id: r for r in rules}
    for r in extra:
        if r.id in builtin or r.id in CODE_RULES:
            where = (os.path.join(RULES_DIR, builtin[r.id].source) if r.id in builtin
                     else "the rules written as code (CODE_RULES in cleaner/rules/engine.py)")
            raise RuleError(f"{extra_rules}: rule {r.id} has the id of a built-in rule ({where}); give yours an id "
                            f"of its own (e.g. 'mine.{r.id.split('.', 1)[-1]}'), and to replace the built-in one "
                            f"switch it off with --disable-rules {r.id}")
    return rules + extra


def disabled_code_rules(options) -> tuple[str, ...]:
    """The :data:`CODE_RULES` that ``options.disable_rules`` switches off (ids or prefixes)."""
    if not options.disable_rules:
        return ()
    off = _spec_items(options.disable_rules)
    return tuple(r for r in CODE_RULES if named_by_any(off, r))


def select_rules(options, warnings: list[str] | None = None) -> list[Rule]:
    """The rules that ``options`` switch on: built-in plus ``extra_rules``, filtered by id and language.

    Raises :class:`RuleError` for an unknown id or prefix in ``rules``/``disable_rules``
    (with the closest ids) and for an extra rule that takes a built-in rule's id
    (:func:`rules_with_extra`).
    A tag of ``languages`` that no loaded rule has (``xx``, a typo) switches nothing on; when
    ``warnings`` is given, a message naming the known language tags is appended to it.
    """
    rules = rules_with_extra(options.extra_rules)
    known = [r.id for r in rules]

    if options.rules != "all":
        on = _wanted(options.rules, known, "rules")
        rules = [r for r in rules if named_by_any(on, r.id)]
    if options.disable_rules:
        off = _wanted(options.disable_rules, known + list(CODE_RULES), "disable_rules")
        rules = [r for r in rules if not named_by_any(off, r.id)]
    if options.languages != "all":
        langs = {s.strip() for s in options.languages.split(",") if s.strip()}
        known_langs = sorted({r.lang for r in rules} - {"*"})
        unknown = sorted(langs - set(known_langs))
        if unknown and warnings is not None:
            on = sorted(langs & set(known_langs))
            warnings.append(f"no rules for language tag(s) {', '.join(unknown)} of the languages option (--languages); "
                            f"known languages: {', '.join(known_langs)}; "
                            + (f"language-bound rules run for {', '.join(on)} only" if on
                               else "no language-bound rule runs (only language-free ones)"))
        rules = [r for r in rules if r.lang == "*" or r.lang in langs]
    return rules


def parse_example(example: str) -> tuple[str, list[str] | None]:
    """An example's text without ``[[ ]]`` marks, and the marked parts (``None``: no marks)."""
    marked = [m.group(1) for m in _EXAMPLE_MARK.finditer(example)]
    plain = _EXAMPLE_MARK.sub(lambda m: m.group(1), example)
    return plain, (marked or None)


def rule_gaps(rule: Rule) -> list[str]:
    """What ``rule`` lacks to be checkable and explainable: one message per gap (empty: none).

    Every rule needs ``match`` and ``keep`` examples (without them ``cleaner rules check``
    proves nothing about it) and a language tag that page detection knows (a rule tagged
    ``it`` would pass its examples but never run on a page); a built-in rule also needs a
    ``description``, the reason ``cleaner explain`` and report.html give for its removals.
    """
    where = f"{rule.id} ({rule.source})"
    gaps = []
    if not rule.match:
        gaps.append(f"{where}: no match examples; add match = [\"...\"] with text the rule must remove")
    if not rule.keep:
        gaps.append(f"{where}: no keep examples; add keep = [\"...\"] with similar text the rule must leave alone")
    if rule.lang not in KNOWN_LANGUAGES:
        gaps.append(f"{where}: lang {rule.lang!r} is never detected on a page, so the rule would never run; "
                    f"use one of {', '.join(sorted(KNOWN_LANGUAGES))} ('*': every page)")
    if rule.builtin and not rule.description.strip():
        gaps.append(f"{where}: no description; add description = \"...\" saying what site chrome it removes")
    return gaps
