"""trafilatura's XPaths with each regular-expression test skipped on elements without the attribute
it reads, and answered from a memo on the others.

What: :func:`guarded` rewrites ``re:test(ARG, 'P'[, 'i'])`` in an XPath expression as
``(ARG and cx:test(string(ARG), K))`` when ``ARG`` is a union of plain attribute steps
(``@id``, ``@class``, ``@id|@class``) and ``P`` cannot match the empty string; ``K``
numbers the pattern and its flags, and :func:`memo_test` (an XPath extension function)
answers as ``re:test`` would, remembering the answer per pattern and attribute value;
:func:`cleaner.extract.xpath_install.install` puts such rewritten copies in place of
trafilatura's module-level XPath objects that use ``re:test``.

Why: ``re:test`` is the EXSLT regular-expression test (http://exslt.org/regexp/), which
lxml implements as a Python function (``_ExsltRegExp.test`` in lxml's ``extensions.pxi``)
that libxml2 calls back once per candidate element, attribute or not; that call costs
far more than the rest of the XPath. Measured on 300 parsed evaluation pages
(scrapinghub, WCXB test): trafilatura's ``OVERALL_DISCARD_XPATH`` took 3.2 s, 0.76 s with
every ``re:test`` replaced by ``false()``, 2.3 s with a Python callback doing nothing, and
2.31 s guarded (3.17 s unguarded in the same run). libxml2 evaluates ``and`` left to right
and stops at a false left operand, so an element without the attribute never reaches
the callback; most elements a ``.//*`` step visits have no ``id`` or ``class``.

The memo: a page's class and id values repeat (on many elements, and in each of the runs
trafilatura makes on one page: its fast run, the comparison, the recall retry), and lxml's
``re:test`` pays on every call for a Python string of each attribute node and for decoding
its pattern (up to 700 characters) again. Callgrind over every 12th evaluation page (59
pages, ``benchmarks/xpath_guards_callgrind.py``): without the guards 197 M instructions a
page in extraction; guarded, 6.1 % fewer when the guards came (185 M); guarded with the memo
173 M (12.1 % fewer); with :func:`merged` and :func:`tag_union` too, 163 M (18.0 % fewer).

Why it is exact: lxml's ``test`` turns its node-set argument into the string value of
the first node, and an empty node-set into ``''``; it then returns whether
``re.search(P, s)`` (``re.IGNORECASE`` when the flags hold ``i``) finds a match. When the
element lacks every attribute of ``ARG`` the node-set is empty, so the test is
``re.search(P, '')``, which is false exactly when ``P`` cannot match the empty string
(checked here with the same function and flags); there ``ARG`` is false too. When the
node-set is not empty, ``ARG`` is true and :func:`memo_test` gets ``string(ARG)``, the
string value of the node-set's first node in document order (XPath 1.0's rule; the node-set
lxml hands ``re:test`` is in the same order), and finds ``P`` in it with ``re.search`` and
lxml's flags. Both forms are booleans, so a predicate or an ``or`` around them sees the same
value. Any other call (another first argument, a pattern that is not a quoted literal,
other flags, a pattern that matches ``''`` or does not compile) is left as it is.

:func:`cleaner.extract.xpath_install.install` puts the copies in place of trafilatura's. They
are compiled with :data:`NAMESPACES`: ``re`` bound as trafilatura binds it, and ``cx`` to
:data:`MEMO_NS` (``tests/test_xpath_guards.py`` checks on generated pages that each copy
selects what the original selects).

Also here: :func:`merged` (one callback for the guarded tests of a predicate's ``or``),
:func:`prefiltered` (a guard narrowed to ``contains()`` tests of the literals the patterns
require, so that most elements never reach the callback) and :func:`tag_union` (a first
step of name tests as a union of name steps).
"""
from __future__ import annotations

import re
import threading

#: The namespace of EXSLT's regular-expression functions, bound to the prefix ``re``.
REGEXP_NS = "http://exslt.org/regular-expressions"

#: A union of plain attribute steps: ``@id``, ``@class|@id``, ``@data-x | @xml:lang``.
_ATTRIBUTES = re.compile(r"\s*@[\w.-]+(?::[\w.-]+)?(?:\s*\|\s*@[\w.-]+(?::[\w.-]+)?)*\s*")
_CALL = "re:test("
_NAME_CHAR = re.compile(r"[\w.:-]")

#: The namespace of :func:`memo_test` (an XPath extension function, registered with lxml when
#: this module loads), bound to the prefix ``cx`` in the guarded copies.
MEMO_NS = "urn:cleaner:xpath-memo-test"
_MEMO_PREFIX = "cx"
#: The prefixes a guarded copy is compiled with.
NAMESPACES = {"re": REGEXP_NS, _MEMO_PREFIX: MEMO_NS}
#: Values remembered per pattern by :func:`memo_test` before its memo starts again (within a
#: page; :func:`forget` empties every memo when extraction starts a page).
MEMO_MAX = 20_000
_patterns_lock = threading.Lock()
_patterns: dict[tuple[str, str], int] = {}          # (pattern, flags) -> its number
_tests: list[tuple[object, dict[str, bool]]] = []   # number -> (the compiled pattern's search, its memo)
_sources: list[tuple[str, str]] = []                # number -> (pattern, flags)


def _scan(path: str, start: int = 0):
    """``(index, character, level)`` of each character of ``path`` from ``start`` that is outside
    string literals (the quotes left out). ``level``: the brackets (``(`` and ``[``) open around
    the character since ``start``; an opening bracket has the level outside it, a closing one the
    level after it closes (``-1`` for a bracket opened before ``start``)."""
    level, quote = 0, None
    for i in range(start, len(path)):
        c = path[i]
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c in "([":
            yield i, c, level
            level += 1
        elif c in ")]":
            level -= 1
            yield i, c, level
        else:
            yield i, c, level


def _arguments(path: str, start: int) -> tuple[list[str], int] | None:
    """The arguments of the call whose ``(`` is just before ``start`` and the index after its ``)``."""
    args, begin = [], start
    for i, c, level in _scan(path, start):
        if level == -1:   # the call's own closing bracket
            if c == "]":
                return None
            args.append(path[begin:i])
            return args, i + 1
        if c == "," and level == 0:
            args.append(path[begin:i])
            begin = i + 1
    return None


def _literal(arg: str) -> str | None:
    """The string of an XPath string literal (no escapes in XPath 1.0), else ``None``."""
    arg = arg.strip()
    if len(arg) >= 2 and arg[0] == arg[-1] and arg[0] in "'\"" and arg[0] not in arg[1:-1]:
        return arg[1:-1]
    return None


def _exact(args: list[str]) -> bool:
    """Whether ``re:test(*args)`` is false whenever its first argument selects nothing."""
    if len(args) not in (2, 3) or not _ATTRIBUTES.fullmatch(args[0]):
        return False
    pattern = _literal(args[1])
    flags = _literal(args[2]) if len(args) == 3 else ""
    if pattern is None or flags not in ("", "i"):
        return False
    try:   # lxml's flags: the compiled pattern stays in re's cache for lxml's own compile
        return re.search(pattern, "", re.UNICODE | (re.IGNORECASE if flags else 0)) is None
    except re.error:
        return False


def guarded(path: str) -> str:
    """``path`` with each exact ``re:test(ARG, 'P'[, 'i'])`` call written ``(ARG and cx:test(string(ARG), K))``.

    ``K`` numbers the pattern and its flags in this process (:func:`memo_test`); a call
    already guarded (``(ARG and re:test(ARG, ...))``) keeps its guard and gets the memoised
    test. Nothing else changes, so ``guarded(guarded(p)) == guarded(p)``. Compile the result
    with :data:`NAMESPACES`.
    """
    out, copied, skip = [], 0, 0
    for i, c, _ in _scan(path):
        if i < skip or c != "r" or not path.startswith(_CALL, i) or (i > 0 and _NAME_CHAR.match(path[i - 1])):
            continue
        found = _arguments(path, i + len(_CALL))
        if found is None:
            return path
        args, skip = found
        if _exact(args):
            arg = args[0].strip()
            before = path[copied:i]
            test = f"{_MEMO_PREFIX}:test(string({arg}), {_number(args)})"
            done = "".join(out) + before
            out.append(before + (test if re.search(r"\(\s*" + re.escape(arg) + r"\s+and\s+$", done)
                                 else f"({arg} and {test})"))
            copied = skip
    out.append(path[copied:])
    return "".join(out)


#: A guarded test as :func:`guarded` writes it, alone: ``(ARG and cx:test(string(ARG), K))``.
_GUARDED_TEST = re.compile(r"\(\s*(?P<arg>[^()\[\]'\"]+?)\s+and\s+" + _MEMO_PREFIX
                           + r":test\(string\((?P=arg)\), (?P<k>\d+)\)\)")


def merged(path: str) -> str:
    """``path`` with the guarded tests that are operands of one predicate's top-level ``or``
    written as one call: ``[(A and cx:test(string(A), 1)) or X or (B and cx:test(string(B), 2))]``
    becomes ``[((A or B) and cx:any(string(A), 1, string(B), 2)) or X]``.

    The same value (``or`` has no side effects, and an absent attribute's ``''`` matches no
    guarded pattern), with one Python callback per element instead of one per attribute test
    (:func:`memo_any`). Predicates inside predicates are merged too; an ``or`` inside
    parentheses is left as it is. ``merged(merged(p)) == merged(p)``.
    """
    out, copied = [], 0
    for i, c, _ in _scan(path):
        if i < copied or c != "[":
            continue
        end = _closing(path, i)
        if end is None:
            return path
        out.append(path[copied:i] + "[" + _merge_or(merged(path[i + 1:end])) + "]")
        copied = end + 1
    out.append(path[copied:])
    return "".join(out)


def _closing(path: str, start: int) -> int | None:
    """The index of the bracket that closes the ``[`` or ``(`` at ``start`` (``None``: unbalanced)."""
    for i, c, level in _scan(path, start + 1):
        if level == -1:
            return i if (path[start], c) in (("[", "]"), ("(", ")")) else None
    return None


def _merge_or(predicate: str) -> str:
    """A predicate's top-level ``or`` operands with its guarded tests merged (:func:`merged`)."""
    operands, begin = [], 0
    for i, c, level in _scan(predicate):
        if (level == 0 and c == "o" and predicate.startswith("or", i) and i > 0 and predicate[i - 1].isspace()
                and i + 2 < len(predicate) and predicate[i + 2].isspace()):
            operands.append(predicate[begin:i])
            begin = i + 2
    operands.append(predicate[begin:])
    tests = [(k, m) for k, op in enumerate(operands) if (m := _GUARDED_TEST.fullmatch(op.strip()))]
    if len(tests) < 2:
        return predicate
    args = [m["arg"] for _, m in tests]
    call = (f"(({' or '.join(args)}) and {_MEMO_PREFIX}:any("
            + ", ".join(f"string({m['arg']}), {m['k']}" for _, m in tests) + "))")
    operands[tests[0][0]] = call
    gone = {k for k, _ in tests[1:]}
    return " or ".join(op.strip() for k, op in enumerate(operands) if k not in gone)


#: ``.//*[self::a or self::b ...]`` at the start of a path, with a name test per ``or`` operand.
_TAG_STEP = re.compile(r"\s*\.//\*\[\s*(self::[A-Za-z][\w-]*(?:\s+or\s+self::[A-Za-z][\w-]*)*)\s*\]")
#: A predicate that depends on its context's position or size, or one that may be a number
#: (``[1]``, ``[count(p)]``, ``[$n]``, ``[@a + 1]``: XPath compares a number with the position).
#: Conservative: any numeric function, variable or arithmetic operator anywhere in it.
_POSITIONAL = re.compile(r"position\s*\(|last\s*\(|^\s*[\d.]+\s*$|\b(?:count|sum|string-length|number|floor|ceiling|round)"
                         r"\s*\(|\$|\+|\s(?:div|mod|-)\s")


def tag_union(path: str) -> str:
    """``.//*[self::a or self::b][P]...`` written ``(.//a | .//b)[P]...``, also inside ``(...)[n]``.

    The same nodes in the same (document) order: a descendant named ``a`` or ``b`` that
    passes the predicates. libxml2 finds ``.//a`` by comparing names as it walks, where the
    ``self::`` tests are evaluated as an XPath expression for every descendant (measured on
    the 692 evaluation pages: trafilatura's ``OVERALL_DISCARD_XPATH[0]`` 1.65 -> 1.32 s,
    ``DISCARD_IMAGE_ELEMENTS`` 0.70 -> 0.40 s). Applied only when everything after the
    first step is predicates that do not read the position or size of their context (a
    step predicate counts per parent, a filter over the union over all the nodes), and when
    the whole path is that, or that in parentheses followed by a predicate (``(...)[1]``).
    A last step predicate ``[1]`` (the first of each parent's children that pass) becomes
    ``[not(preceding-sibling::*[self::a or self::b][P]...)]``: an element is first among its
    parent's passing children when no sibling before it passes (trafilatura's
    ``BODY_XPATH[0]``: 1.14 -> 0.85 s on the 692 parsed pages).
    """
    inner, outer = path, None
    stripped = path.strip()
    if stripped.startswith("("):
        end = _closing(stripped, 0)
        if end is None or not _only_predicates(stripped[end + 1:]):
            return path
        inner, outer = stripped[1:end], stripped[end + 1:]
    m = _TAG_STEP.match(inner)
    if m is None:
        return path
    rest = inner[m.end():]
    predicates = _only_predicates(rest)
    if predicates is None:
        return path
    first = outer is None and len(predicates) > 1 and predicates[-1].strip() == "1"
    if first:   # [P]...[1]: the first of each parent's children that pass
        predicates = predicates[:-1]
    if any(_POSITIONAL.search(p) for p in predicates):
        return path
    names = re.findall(r"self::([\w-]+)", m.group(1))
    tests = "".join(f"[{p}]" for p in predicates)
    union = "(" + " | ".join(f".//{n}" for n in names) + ")" + tests
    if first:
        union += f"[not(preceding-sibling::*[{m.group(1)}]{tests})]"
    return union if outer is None else f"({union}){outer.strip()}"


def _only_predicates(text: str) -> list[str] | None:
    """The contents of the predicates ``text`` is made of (white space between them), else ``None``."""
    out, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        if text[i] != "[":
            return None
        end = _closing(text, i)
        if end is None:
            return None
        out.append(text[i + 1:end])
        i = end + 1
    return out


def _number(args: list[str]) -> int:
    """The number of an exact call's pattern and flags (:func:`_exact`), registered on first sight."""
    key = (_literal(args[1]) or "", _literal(args[2]) or "" if len(args) == 3 else "")
    with _patterns_lock:
        k = _patterns.get(key)
        if k is None:
            pattern, flags = key
            k = _patterns[key] = len(_tests)
            _tests.append((re.compile(pattern, re.UNICODE | (re.IGNORECASE if flags else 0)).search, {}))
            _sources.append(key)
    return k


def memo_test(_context, value: str, k: float) -> bool:
    """``cx:test(string(ARG), K)``: whether pattern number ``K`` is found in ``value``, as
    ``re:test`` finds it (``re.search`` with ``re.UNICODE``, and ``re.IGNORECASE`` for the
    ``'i'`` flag), remembered per pattern and value until the next :func:`forget`.

    ``value`` is the XPath string value of the attribute node-set, which is the string of its
    first node in document order, the one ``re:test`` reads. The answers are kept for at most
    :data:`MEMO_MAX` values a pattern (then forgotten at once) and, as extraction calls
    :func:`forget` for each page, for one page: a class or id value repeats
    within a page and across the runs trafilatura makes on one page, and a Python callback
    with a dictionary lookup and a short string costs less than lxml's ``re:test``, which
    also builds a Python string for each attribute node and decodes its pattern on every
    call (measured: trafilatura's ``OVERALL_DISCARD_XPATH`` on the 692 evaluation pages
    2.8 s guarded with ``re:test``, 1.7 s with this test).
    """
    return memo_any(_context, value, k)


def forget() -> None:
    """Empty the memos of :func:`memo_test` (extraction calls it for each page: what a page's
    values answered is seldom asked again by another page, and a worker's memory stays flat;
    keeping them across the 692 evaluation pages raised a worker's peak from 218 to 262 MB)."""
    for _, memo in _tests:
        memo.clear()


def memo_any(_context, *pairs) -> bool:
    """``cx:any(string(A), K, string(B), L, ...)``: whether any pair's :func:`memo_test` is true (:func:`merged`)."""
    for i in range(0, len(pairs), 2):
        value = pairs[i]
        search, memo = _tests[int(pairs[i + 1])]
        hit = memo.get(value)
        if hit is None:
            if len(memo) >= MEMO_MAX:
                memo.clear()
            hit = memo[value] = search(value) is not None
        if hit:
            return True
    return False


#: A memoised test as :func:`guarded` or :func:`merged` writes it: ``(ARG and cx:test(string(ARG), K))``
#: or ``((A or B) and cx:any(string(A), K, string(B), L))``.
_MEMO_CALL = re.compile(r"\((?:\((?P<guard>[^()\[\]'\"]+)\)|(?P<arg>[^()\[\]'\"]+?))\s+and\s+" + _MEMO_PREFIX
                        + r":(?P<fn>test|any)\((?P<pairs>string\([^()\[\]'\"]+\), \d+(?:, string\([^()\[\]'\"]+\), \d+)*)\)\)")
_PAIR = re.compile(r"string\((?P<arg>[^()\[\]'\"]+)\), (?P<k>\d+)")
#: An inline flag group (``(?i)``) or a named group: such a pattern gets no pre-filter.
_INLINE_FLAGS = re.compile(r"\(\?[A-Za-z]")
#: A pattern whose set of required literals is larger than this keeps its plain guard: each
#: ``contains()`` reads the attribute's string again, and a dozen cost about what the callback
#: costs (trafilatura's XPath time on the 692 evaluation pages: 3.34 s without pre-filters,
#: 2.77 s with at most 3 literals, 2.72 s with 8, 3.11 s with 12).
MAX_PREFILTER_LITERALS = 8


def prefiltered(path: str) -> str:
    """``path`` with each memoised test's guard narrowed to the literals its patterns require:
    ``(@class and cx:test(string(@class), K))`` becomes
    ``((contains(@class, 'comment') or contains(@class, 'disqus')) and cx:test(string(@class), K))``.

    Why: the Python callback costs about 2 µs an element (lxml turns each argument into a
    Python string and calls back), and most elements a test visits have a class or an id,
    so the guard lets them through; a ``contains()`` is evaluated inside libxml2. Measured on
    the 692 evaluation pages, the callbacks were about 2 s of trafilatura's XPath time
    (3.5 s; 1.5 s with every callback replaced by ``false()``).

    Why it is exact: a pattern matches only a value that contains one of its required
    literals (:func:`cleaner.rules.literals.required_literals`, with the case kept, for a
    pattern matched case-sensitively), and ``contains(ARG, L)`` reads the same string as
    ``string(ARG)``, the string value of the node-set's first node; so where the narrowed
    guard is false every pattern of the call finds nothing and the call is false, as the
    test it guards. A pair whose pattern has no such set, takes flags (``'i'``), holds an
    inline flag or needs more than :data:`MAX_PREFILTER_LITERALS` literals keeps its plain
    guard ``ARG``, put first in the ``or`` (an element with that attribute goes to the
    callback without the ``contains()`` tests). ``prefiltered(prefiltered(p)) == prefiltered(p)``.
    """
    def narrowed(m: re.Match) -> str:
        pairs = [(p["arg"], int(p["k"])) for p in _PAIR.finditer(m["pairs"])]
        guard = m["guard"] if m["guard"] is not None else m["arg"]
        if guard.strip() != " or ".join(a for a, _ in pairs):   # not a guard guarded() or merged() wrote
            return m[0]
        tests = [_literal_test(a, k) for a, k in pairs]
        if tests == [a for a, _ in pairs]:
            return m[0]
        tests.sort(key=lambda t: t.startswith("("))   # plain guards first: they let an element through at once
        return f"(({' or '.join(tests)}) and {_MEMO_PREFIX}:{m['fn']}({m['pairs']}))"
    return _MEMO_CALL.sub(narrowed, path)


def _literal_test(arg: str, k: int) -> str:
    """``contains(arg, L1) or ...`` over the literals pattern number ``k`` requires, or ``arg`` itself."""
    pattern, flags = _sources[k]
    literals = _required(pattern) if not flags else None
    if literals is None:
        return arg
    quoted = [f"'{lit}'" if "'" not in lit else f'"{lit}"' for lit in literals]
    return "(" + " or ".join(f"contains({arg}, {q})" for q in quoted) + ")"


def _required(pattern: str) -> list[str] | None:
    """The literals (case kept, none holding another) one of which every match of ``pattern`` contains,
    or ``None`` (no such set, an inline flag, a literal with both quotes, too many)."""
    from ..rules.literals import required_literals

    if _INLINE_FLAGS.search(pattern):
        return None
    found = required_literals(pattern, fold=False)
    if not found or "" in found:
        return None
    literals = sorted(lit for lit in found if not any(other != lit and other in lit for other in found))
    if len(literals) > MAX_PREFILTER_LITERALS or any("'" in lit and '"' in lit for lit in literals):
        return None
    return literals


def _register() -> None:
    import lxml.etree
    functions = lxml.etree.FunctionNamespace(MEMO_NS)
    functions["test"] = memo_test
    functions["any"] = memo_any


_register()
