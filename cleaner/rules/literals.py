"""Literal pre-filter for rule patterns: which rules could match a line, without running them.

For each pattern, :func:`required_literals` reads the pattern's syntax tree and returns a
set of strings (case-folded) such that every text the pattern matches contains at least
one of them: ``Share (?:on|via) (?:Facebook|X)`` gives ``{"share "}``, a vocabulary
alternation gives its phrases' longest literal runs. A pattern with no such set (``\\d+
min``, a shape of letters) gives ``None`` and is always tried.

:class:`LiteralIndex` puts the literals of many patterns into one Aho-Corasick automaton
(pyahocorasick, Aho and Corasick 1975: every occurrence of every literal in one scan of
the line), so a line is tried only against the patterns whose literal it contains, and a
pattern is compiled only when some line needs it (see :class:`cleaner.rules.engine.Rule`).
The filter is a necessary condition: it changes speed, never results
(``tests/test_rule_literals.py`` checks it against every rule's own examples).

The tree comes from the standard library's regular-expression parser; syntax of the
``regex`` module that it does not read (``\\p{L}`` classes, flags in mid-pattern) is
rewritten to an equivalent for this purpose first, and a pattern it still cannot read,
or one using ``regex``'s nested set operations, gets ``None``.
"""
from __future__ import annotations

import functools
import hashlib
import json
import operator
import os
import re
import tempfile
from typing import Iterable, Sequence

try:  # Python >= 3.11
    import re._constants as _c
    import re._parser as _parser
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

#: Flag groups such as ``(?i)`` anywhere in a pattern (the stdlib parser wants them first);
#: case does not matter here, since literals and lines are both case-folded.
_GLOBAL_FLAGS = re.compile(r"\(\?[a-zA-Z]+\)")
#: ``regex``'s Unicode property classes: no literal, as far as literals go (rewritten as
#: ``\\s\\S``, which stays a class of many characters inside ``[...]``: a lone ``.`` would
#: make ``[\\p{Lu}]`` the literal dot).
_PROPERTY = re.compile(r"\\[pP]\{[^}]*\}|\\[pP][A-Za-z]")
#: ``regex``'s nested sets and set operations (``[[a-z]--[aeiou]]``), read differently by the stdlib.
_SET_OPERATION = re.compile(r"(?<!\\)\[(?:[^\]\\]|\\.)*(?<!\\)\[|--\[|&&|\|\||~~")

_REPEATS = tuple(getattr(_c, name) for name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(_c, name))
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)


@functools.lru_cache(maxsize=4096)
def required_literals(pattern: str, fold: bool = True) -> frozenset[str] | None:
    """Case-folded strings of which every match of ``pattern`` contains at least one, or ``None``.

    ``pattern``: source of a ``regex``-module pattern (references already expanded).
    ``None`` means no such set is known (the pattern must always be tried). Never raises.
    Remembered per source (a pure function; forked workers find the driver's answers).
    With ``fold=False`` the strings keep their case, for a pattern matched case-sensitively
    (a class such as ``[Cc]`` then ends a literal run); inline flag groups (``(?i)``) are
    read as if absent, so give such a pattern only with ``fold`` on.
    """
    tree = _tree(pattern)
    return None if tree is None else _sequence(tree, fold)


@functools.lru_cache(maxsize=4096)
def leading_literals(pattern: str) -> frozenset[str] | None:
    """Case-folded strings one of which every match of ``pattern`` starts with, or ``None``.

    For patterns matched from the start of the text (``fullmatch``, ``match``): ``(?:By|Von)
    \\s+\\w+`` gives ``{"by", "von"}``, so only a line that begins so is tried. Zero-width
    assertions at the start are passed over. Never raises.
    """
    tree = _tree(pattern)
    return None if tree is None else _leading(tree)


def _tree(pattern: str) -> list[tuple] | None:
    """The stdlib parser's tree of ``pattern`` (after the rewrites above), or ``None``."""
    if _SET_OPERATION.search(pattern) or any("x" in f for f in _GLOBAL_FLAGS.findall(pattern)):
        return None  # nested sets, or verbose mode (where blanks are not literals)
    src = _PROPERTY.sub(r"\\s\\S", _GLOBAL_FLAGS.sub("", pattern))
    try:
        return list(_parser.parse(src))
    except Exception:  # noqa: BLE001 - syntax the stdlib parser does not know: no pre-filter
        return None


_ZERO_WIDTH = tuple(getattr(_c, name) for name in ("AT", "ASSERT", "ASSERT_NOT"))


def _leading(items: Sequence[tuple]) -> frozenset[str] | None:
    """The literal openings of a sequence: its leading literal run, or its first element's openings."""
    run: list[str] = []
    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        one = _one_folded_char(op, av)
        if one is not None:
            run.append(one)
            continue
        if run:
            break
        if op in _ZERO_WIDTH:
            continue
        return _element(op, av, _leading)
    return frozenset(("".join(run).casefold(),)) if run else None


def _sequence(items: Sequence[tuple], fold: bool = True) -> frozenset[str] | None:
    """The best requirement of a sequence: one of its elements' sets (the longest shortest literal).

    ``fold``: the literals case-folded, and a class of one letter in any case (``[yY]``) part
    of a literal run; without, the literals as written and such a class ends the run.
    """
    options: list[frozenset[str]] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            literal = "".join(run)
            options.append(frozenset((literal.casefold() if fold else literal,)))
            run.clear()

    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        one = _one_folded_char(op, av) if fold else None
        if one is not None:  # [yY], or By|BY factored by the parser into B[yY]: one letter, any case
            run.append(one)
            continue
        flush()
        need = _element(op, av, _sequence if fold else _sequence_as_written)
        if need:
            options.append(need)
    flush()
    if not options:
        return None
    return max(options, key=lambda s: (min(map(len, s)), -len(s)))


def _sequence_as_written(items: Sequence[tuple]) -> frozenset[str] | None:
    return _sequence(items, fold=False)


def _one_folded_char(op, av) -> str | None:
    """For a class of literal characters that all case-fold alike (``[yY]``), that folded form."""
    if op is not _c.IN or not av or any(o is not _c.LITERAL for o, _ in av):
        return None
    folded = {chr(c).casefold() for _, c in av}
    return folded.pop() if len(folded) == 1 else None


def _element(op, av, of) -> frozenset[str] | None:
    """``of`` (:func:`_sequence` or :func:`_leading`) applied through a group, a repeat or an alternation."""
    if op is _c.SUBPATTERN:
        return of(list(av[-1]))
    if op in _REPEATS:
        low, _, inner = av
        return of(list(inner)) if low >= 1 else None
    if _ATOMIC is not None and op is _ATOMIC:
        return of(list(av))
    if op is _c.BRANCH:
        needs = [of(list(b)) for b in av[1]]
        if not needs or any(n is None for n in needs):
            return None
        return frozenset().union(*needs)  # type: ignore[arg-type]
    return None  # classes, anchors, look-arounds, back-references: no literal required


#: Opening literals are looked up by their first this many characters (a dict lookup of the
#: text's start), never scanned for: only an occurrence at position 0 counts.
OPENER_KEY_CHARS = 3
_SECOND = operator.itemgetter(1)


class LiteralIndex:
    """Which of a list of patterns could match a text, by the literals they require.

    ``needs``: per pattern, its :func:`required_literals` (``None``: always a candidate);
    ``starts`` (optional, same length): per pattern, its :func:`leading_literals` when the
    pattern is matched from the start of the text, else ``None``; where given, it is used
    instead of the pattern's ``needs`` (a literal must then open the text).
    :meth:`candidates` takes a case-folded text and returns the positions of the patterns
    that may match it, in order.

    Speed: the literals needed anywhere are scanned for with one Aho-Corasick automaton
    whose hits are gathered into a set of literal ids in C (a line holds dozens of hits of
    short literals such as ``"on"``, each a Python loop turn otherwise); opening literals are
    looked up from the text's first :data:`OPENER_KEY_CHARS` characters.
    """

    def __init__(self, needs: Sequence[frozenset[str] | None],
                 starts: Sequence[frozenset[str] | None] | None = None):
        import ahocorasick

        starts = list(starts) if starts is not None else [None] * len(needs)
        self.always = frozenset(i for i, (n, st) in enumerate(zip(needs, starts)) if n is None and st is None)
        anywhere: dict[str, list[int]] = {}
        opening: dict[str, list[int]] = {}
        for i, (n, st) in enumerate(zip(needs, starts)):
            for lit in st if st is not None else ():
                opening.setdefault(lit, []).append(i)
            for lit in n if st is None and n is not None else ():
                anywhere.setdefault(lit, []).append(i)
        # Opening literals of at most OPENER_KEY_CHARS characters: the text's start of that size
        # is looked up; longer ones are found by their first OPENER_KEY_CHARS characters, then
        # compared whole (``startswith``).
        self._short_openers: dict[str, tuple[int, ...]] = {
            lit: tuple(pos) for lit, pos in opening.items() if len(lit) <= OPENER_KEY_CHARS}
        self._opener_sizes = sorted({len(lit) for lit in self._short_openers})
        long_openers: dict[str, list[tuple[str, tuple[int, ...]]]] = {}
        for lit, pos in opening.items():
            if len(lit) > OPENER_KEY_CHARS:
                long_openers.setdefault(lit[:OPENER_KEY_CHARS], []).append((lit, tuple(pos)))
        self._long_openers = {k: tuple(v) for k, v in long_openers.items()}
        self._automaton = None
        #: per literal id (the automaton's value), the patterns needing that literal
        self._needing: list[tuple[int, ...]] = []
        if anywhere:
            a = ahocorasick.Automaton()
            for lit, pos in anywhere.items():
                a.add_word(lit, len(self._needing))
                self._needing.append(tuple(pos))
            a.make_automaton()
            self._automaton = a

    def candidates(self, folded: str) -> frozenset[int]:
        """Positions of the patterns that may match ``folded`` (a case-folded text)."""
        if not folded or (self._automaton is None and not self._short_openers and not self._long_openers):
            return self.always
        hit = set(self.always)
        for size in self._opener_sizes:
            got = self._short_openers.get(folded[:size])
            if got is not None:
                hit.update(got)
        if self._long_openers:
            for lit, pos in self._long_openers.get(folded[:OPENER_KEY_CHARS], ()):
                if folded.startswith(lit):
                    hit.update(pos)
        if self._automaton is not None:
            needing = self._needing
            # the automaton yields (end, literal id) per occurrence; the set keeps each literal once
            for lit_id in set(map(_SECOND, self._automaton.iter(folded))):
                hit.update(needing[lit_id])
        return frozenset(hit)


#: Version of the literal cache's format and of :func:`required_literals`; a change starts a new cache.
CACHE_VERSION = 3


def cache_path() -> str:
    """Where :func:`literals_of` keeps its answers (:func:`cleaner.user_cache.user_cache_dir`)."""
    from ..user_cache import user_cache_dir
    return user_cache_dir(f"rule-literals-v{CACHE_VERSION}.json")


def literals_of(patterns: Iterable[str | None]) -> list[tuple[frozenset[str] | None, frozenset[str] | None]]:
    """:func:`required_literals` and :func:`leading_literals` of each pattern source
    (``(None, None)`` for a missing pattern).

    Reading the syntax of every rule costs about a tenth of a second, a good share of a
    one-page run, so the answers are kept on disk (:func:`cache_path`), keyed by a hash of
    each source: computed once per set of rules, then read. A cache that cannot be read or
    written is ignored (the answers are computed again); it never changes results.
    """
    sources = list(patterns)
    path = cache_path()
    try:
        with open(path, encoding="utf-8") as fh:
            cache = json.load(fh)
        if not isinstance(cache, dict):
            cache = {}
    except (OSError, ValueError):
        cache = {}
    out: list[tuple[frozenset[str] | None, frozenset[str] | None]] = []
    fresh = False

    def load(v) -> frozenset[str] | None:
        return None if v is None else frozenset(v)

    for src in sources:
        if src is None:
            out.append((None, None))
            continue
        key = hashlib.sha1(src.encode("utf-8", "surrogatepass")).hexdigest()
        got = cache.get(key)
        if isinstance(got, list) and len(got) == 2 and all(v is None or isinstance(v, list) for v in got):
            out.append((load(got[0]), load(got[1])))
            continue
        need, lead = required_literals(src), leading_literals(src)
        cache[key] = [None if need is None else sorted(need), None if lead is None else sorted(lead)]
        out.append((need, lead))
        fresh = True
    if fresh:
        _save(path, cache)
    return out


def _save(path: str, cache: dict) -> None:
    """Write the cache atomically (a temporary file renamed); errors are ignored."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".literals-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(cache, fh)
        os.replace(tmp, path)
    except OSError:
        pass
