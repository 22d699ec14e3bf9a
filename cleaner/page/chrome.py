"""The chrome marker: run loaded rules over one document and mark what they match.

Speed: a regular-expression call with a time-out costs several microseconds before it
looks at a character, and a page has dozens of short lines times a hundred rules. So a
:class:`~cleaner.rules.literals.LiteralIndex` first finds, in one scan of a line, the
rules whose required literal strings it contains (most lines contain none); a line is
then tried only against those few patterns, and a pattern is compiled only when a line
first needs it. The filter changes speed, never results.

Which rule patterns match a whole line depends on the line's core (and the page's
languages) only, so the marker also remembers that per distinct core, bounded by
:data:`MAX_LINE_CACHE`: lines printed on many pages of a site (and every line again when
:class:`cleaner.page.settle.Settle` re-runs the rules) are matched once.
"""
from __future__ import annotations

import bisect
import itertools
from typing import Iterable

import regex

from ..document import Block, Document, Span, covered, line_span, merge_ranges, segment
from ..steps import Marker
from ..rules import text_shape
from ..rules.engine import MAX_MENU_SHARE, MIN_MENU_KEPT, Rule, RuleError, parse_example, rule_gaps
from ..rules.lang import page_languages
from ..rules.literals import LiteralIndex, literals_of

#: Distinct (page languages, line core) pairs whose matching rule patterns are remembered
#: (then the cache restarts); a core is at most a rule's ``max_chars`` characters.
MAX_LINE_CACHE = 20_000
#: Language sets whose literal indexes a marker keeps (then it builds them again).
MAX_LANGUAGE_SETS = 64
#: The last line of a menu run, right above the first prose, is the headline when it has at
#: least this many words and more than any other line of the run.
MIN_MENU_HEADLINE_WORDS = 3
#: Characters a line may lose to its bullet and Markdown frame (for the long-line shortcut).
LONG_LINE_SLACK = 16

_END = float("inf")
_NOT_YET = object()
_BLANK_LINE = regex.compile(r"\n[ \t\r\f\v]*\n")


def effective_text(text: str, block: Block, mask: list[tuple[int, int]]) -> str:
    """The block's text with the parts already removed (by ``mask``, merged ranges) cut out."""
    # The mask is sorted and its ranges disjoint: start at the last range opening at or
    # before the block, stop at the first opening past it (a page may have hundreds of ranges).
    i = max(0, bisect.bisect_right(mask, (block.start, _END)) - 1)
    parts, pos = [], block.start
    for s, e in itertools.islice(mask, i, None):
        if s >= block.end:
            break
        if e <= block.start:
            continue
        parts.append(text[pos:max(s, pos)])
        pos = max(pos, e)
    if not parts:
        return block.text   # nothing of it removed
    parts.append(text[pos:block.end] if pos < block.end else "")
    return "".join(parts)


class Line:
    """A candidate line with what every rule looks at, computed once.

    A line longer than ``max_chars`` (the longest any rule looks at) gets an empty core:
    no whole-line rule can match it, and a long paragraph is not worth normalising.
    """

    __slots__ = ("block", "text", "core", "folded")

    def __init__(self, block: Block, text: str, max_chars: int | None = None):
        self.block = block
        self.text = text
        self.core = "" if max_chars is not None and len(text) > max_chars + LONG_LINE_SLACK else text_shape.core(text)
        self.folded = self.core.casefold()


def _with_needs(lits: tuple[frozenset[str] | None, frozenset[str] | None], rule: Rule,
                member: bool) -> tuple[frozenset[str] | None, frozenset[str] | None]:
    """A whole-line matcher's ``(required, leading)`` literals for the index, with the rule's
    ``needs`` taking the place of weaker required literals.

    :meth:`Rule.matches_core` tests ``needs`` on the same case-folded core the index scans,
    so a line without one of them is never matched: ``needs`` is a required literal set too.
    It is used when the pattern has no opening literal and its own required literals are
    unknown or shorter (``"on"`` finds more lines to try than ``"cookie"``). Member patterns
    do not test ``needs``: theirs stay as they are.
    """
    need, lead = lits
    if member or lead is not None or not rule.needs or not all(rule.needs):
        return lits
    if need is None or min(map(len, need)) < min(map(len, rule.needs)):
        return frozenset(rule.needs), None
    return lits


def matcher_gates(matchers: list[tuple[Rule, bool]], langs: frozenset[str] | None) -> tuple[frozenset[int], frozenset[int]]:
    """``(off, eager)`` positions in ``matchers``: the rules of languages not in ``langs`` (all on
    when ``langs`` is ``None``), and the other rule patterns, which a :class:`Page` matches up
    front, but for anchored runs (matched on first use, see :meth:`ChromeRules._runs`)."""
    off = frozenset(m for m, (rule, _) in enumerate(matchers) if langs is not None and rule.lang not in langs)
    return off, frozenset(m for m, (rule, member) in enumerate(matchers)
                          if not member and m not in off and not _anchored_run(rule))


def _anchored_run(rule: Rule) -> bool:
    """A ``run`` rule with an ``anchor``: its pattern is matched only on pages where a line may be its anchor."""
    return rule.scope == "run" and rule.anchor_source is not None


def fitting_lengths(matchers: list[tuple[Rule, bool]],
                    eager: frozenset[int]) -> tuple[list[int], list[frozenset[int]]]:
    """``(limits, fit)``: the distinct ``max_chars`` of the ``eager`` matchers, ascending, and for
    each limit the eager matchers whose ``max_chars`` is at least that limit. For a core of
    ``n`` characters the matchers that may match it (``n <= max_chars``) are
    ``fit[bisect_left(limits, n)]`` (none past the last limit): one lookup per line instead
    of a length test per candidate."""
    limits = sorted({matchers[m][0].max_chars for m in eager})
    return limits, [frozenset(m for m in eager if matchers[m][0].max_chars >= lim) for lim in limits]


class Page:
    """The candidate lines of one document and, per matcher, the lines it matches whole.

    Matchers are a rule's ``pattern`` or a section rule's ``member`` pattern; a line is tried
    only against the matchers its opening allows. Rule patterns are matched up front,
    member patterns on first use (only pages with a section header need them).
    ``gates``: ``(off, eager, (limits, fit))`` of :func:`matcher_gates` and :func:`fitting_lengths`
    for the page's languages (:meth:`ChromeRules._gates`).
    """

    def __init__(self, lines: list[Line], matchers: list[tuple[Rule, bool]], index: LiteralIndex, timeout_s: float,
                 langs: frozenset[str] | None = None, memo: "dict[tuple, tuple[int, ...]] | None" = None,
                 memo_max: int = MAX_LINE_CACHE, *, gates: tuple):
        self.lines, self.matchers, self.timeout_s, self.index = lines, matchers, timeout_s, index
        self._cands: list[frozenset[int] | None] = [None] * len(lines)  # filled on first use (:meth:`candidates`)
        self._hits: dict[int, set[int]] = {}
        # matcher_gates(matchers, langs) and fitting_lengths(), kept per language set by the marker
        off, eager, (limits, fit) = gates
        for m in off:
            self._hits[m] = set()  # a language the page does not use: its rules find nothing
        for m in eager:
            self._hits[m] = set()
        memo = {} if memo is None else memo  # (langs, core) -> the eager matchers matching that core
        for k, ln in enumerate(lines):
            if not ln.core:
                continue
            key = (langs, ln.core)
            found = memo.get(key)
            if found is None:
                at = bisect.bisect_left(limits, len(ln.core))   # the eager matchers long enough for it
                if at == len(limits):
                    found = ()
                else:
                    ok = fit[at]
                    found = tuple(m for m in self.candidates(k) if m in ok and self._test(m, ln))
                if len(memo) >= memo_max:
                    memo.clear()
                memo[key] = found
            for m in found:
                self._hits[m].add(k)

    def _test(self, m: int, ln: Line) -> bool:
        rule, member = self.matchers[m]
        if len(ln.core) > rule.max_chars:
            return False
        if member:
            return rule.run(rule.member.fullmatch, ln.core, self.timeout_s) is not None  # type: ignore[union-attr]
        return rule.matches_core(ln.core, ln.folded, self.timeout_s)

    def candidates(self, k: int) -> frozenset[int]:
        """The matchers line ``k`` contains the literals of (:class:`~cleaner.rules.literals.LiteralIndex`)."""
        got = self._cands[k]
        if got is None:
            ln = self.lines[k]
            got = self._cands[k] = self.index.candidates(ln.folded) if ln.core else frozenset()
        return got

    def hits(self, m: int) -> set[int]:
        """Positions (in ``lines``) of the lines matcher ``m`` matches."""
        if m not in self._hits:
            self._hits[m] = {k for k, ln in enumerate(self.lines) if m in self.candidates(k) and self._test(m, ln)}
        return self._hits[m]


def _headline_over_prose(lines: list[Line], items: list[int], gone: set[int], first_prose: int) -> bool:
    """True when the last of a menu run's ``items`` is the page's headline: the next kept line
    is the first line of prose, and it stands out (:func:`_stands_out`)
    ("Home / Recipes / Contact / Sourdough for beginners / <prose>")."""
    nxt = next((j for j in range(items[-1] + 1, len(lines)) if j not in gone), None)
    return nxt == first_prose and _stands_out(lines, items[-1], items[:-1])


def _headline_on_top(lines: list[Line], items: list[int], gone: set[int]) -> bool:
    """True when the first of a menu run's ``items`` is the page's headline: no line is kept
    before it, and it stands out (:func:`_stands_out`) ("Winter opening hours / Home / Visit / Shop / <prose>")."""
    return all(j in gone for j in range(items[0])) and _stands_out(lines, items[0], items[1:])


def _stands_out(lines: list[Line], k: int, others: list[int]) -> bool:
    """Line ``k`` has at least :data:`MIN_MENU_HEADLINE_WORDS` words and more than each of ``others``."""
    words = text_shape.word_count(lines[k].text)
    return words >= MIN_MENU_HEADLINE_WORDS and all(text_shape.word_count(lines[j].text) < words for j in others)


class ChromeRules(Marker):
    """Mark site chrome that rules match: skip links, menus, share bars, cookie notices, ...

    Two phases over the lines no earlier step removed (code lines are skipped): first the
    ``line``/``prefix``/``suffix`` rules; then, over what is left, the rules that look at
    neighbours (``previous``, ``run``, ``section``), in file order. A line that several
    rules match is named by the first rule in file order. With ``by_language`` (the
    default), rules of languages the page does not use are skipped (see
    :func:`cleaner.rules.lang.page_languages`).
    """

    name = "chrome"

    def __init__(self, rules: list[Rule], timeout_s: float = 0.5, by_language: bool = True):
        super().__init__()
        self.rules, self.timeout_s, self.by_language = rules, timeout_s, by_language
        self.line_rules = [r for r in rules if r.scope == "line"]
        self.cut_rules = [r for r in rules if r.scope in ("prefix", "suffix")]
        # Menus are judged last: they need to know every other chrome line around them.
        self.context_rules = sorted((r for r in rules if r.scope in ("run", "section", "menu") or r.previous_source is not None),
                                    key=lambda r: r.scope == "menu")
        whole = ("line", "run", "section", "menu")
        self.matchers: list[tuple[Rule, bool]] = [(r, False) for r in rules if r.scope in whole]
        self.matchers += [(r, True) for r in rules if r.scope == "section" and r.member_source is not None]
        self.slot = {(id(r), member): i for i, (r, member) in enumerate(self.matchers)}
        self.max_chars = max((r.max_chars for r in rules if r.scope in whole), default=0)
        # Whole-line patterns are matched from the start of the line's core, prefix cuts from
        # the start of the stripped line: for those a literal must open the text.
        lits = literals_of([(r.member_source if member else r.pattern_source) for r, member in self.matchers]
                           + [r.pattern_source for r in self.cut_rules])
        #: the longest part of a line a cut rule looks at (its ``max_chars``), from either end
        self.cut_window = max((r.max_chars for r in self.cut_rules), default=0)
        self._whole_literals = [_with_needs(lit, rule, member) for lit, (rule, member) in zip(lits, self.matchers)]
        self._cut_literals = lits[len(self.matchers):]
        #: an anchored run rule -> the literals one of which every match of its anchor holds, case-folded (None: unknown)
        self._anchor_literals = {id(r): need for r, (need, _) in zip(
            (r for r in rules if _anchored_run(r)), literals_of(r.anchor_source for r in rules if _anchored_run(r)))}
        self._line_memo: dict[tuple, tuple[int, ...]] = {}  # see Page: (langs, core) -> matching rule patterns
        self._by_langs: dict[frozenset[str] | None, tuple] = {}   # langs -> _for_languages(langs)
        self._page_text: str | None = None
        self._page_facts: tuple[list[Block], list[bool], frozenset[str]] = ([], [], frozenset())
        #: line text -> :meth:`_cut` of it, for the page seen last (a page prints "Read more" many
        #: times, and Settle runs the marker again over the same lines)
        self._page_cuts: dict[str, tuple[Rule, tuple[int, int]] | None] = {}

    def _for_languages(self, langs: frozenset[str] | None) -> tuple[LiteralIndex, LiteralIndex, tuple]:
        """The literal indexes of the whole-line matchers and of the cut rules, and the
        :func:`matcher_gates`, for a page in ``langs`` (``None``: every language).

        Rules of other languages are left out of the indexes (never candidates): their
        literals ("a" of a French byline, "es" of a Spanish one) would otherwise be hits to
        loop over on every line of every page.
        """
        def keep(rule: Rule) -> bool:
            return langs is None or rule.lang in langs

        whole = [(n, lead) if keep(r) else (frozenset(), None)
                 for (n, lead), (r, _) in zip(self._whole_literals, self.matchers)]
        cuts = [(n, lead if r.scope == "prefix" else None) if keep(r) else (frozenset(), None)
                for (n, lead), r in zip(self._cut_literals, self.cut_rules)]
        return (LiteralIndex([n for n, _ in whole], [lead for _, lead in whole]),
                LiteralIndex([n for n, _ in cuts], [lead for _, lead in cuts]), self._gates(langs))

    def _gates(self, langs: frozenset[str] | None) -> tuple:
        """``(off, eager, (limits, fit))`` of :func:`matcher_gates` and :func:`fitting_lengths` for ``langs``."""
        off, eager = matcher_gates(self.matchers, langs)
        return off, eager, fitting_lengths(self.matchers, eager)

    def _languages(self, langs: frozenset[str] | None) -> tuple[LiteralIndex, LiteralIndex, tuple]:
        """:meth:`_for_languages`, built once per language set (a corpus has a handful)."""
        got = self._by_langs.get(langs)
        if got is None:
            if len(self._by_langs) >= MAX_LANGUAGE_SETS:
                self._by_langs.clear()
            got = self._by_langs[langs] = self._for_languages(langs)
        return got

    def _page(self, text: str, language: str | None = None,
              score: float | None = None) -> tuple[list[Block], list[bool], frozenset[str]]:
        """The blocks of ``text``, which of them are code, and the page's languages
        (``language``/``score``: the document's identified language, see
        :func:`cleaner.rules.lang.page_languages`).

        Kept for the page seen last: :class:`~cleaner.page.settle.Settle` runs this marker
        again over the same text, with only more of it removed.
        """
        if self._page_text is not text:
            blocks = segment(text)
            self._page_facts = (blocks, text_shape.code_lines([b.text for b in blocks]),
                                page_languages(text, language, score) if self.by_language else frozenset())
            self._page_text = text
            self._page_cuts = {}
        return self._page_facts

    def _line_rule(self, core: str, folded: str) -> Rule | None:
        """The first line rule that matches one line (used after a cut changed the line)."""
        for rule in self.line_rules:
            if rule.matches_core(core, folded, self.timeout_s):
                return rule
        return None

    def _cut_scope(self, body: str) -> str:
        """What the cut rules' literal index scans of a stripped line ``body``, case-folded: all of
        it, or for a long line only its first and last :attr:`cut_window` characters, where any
        cut's match lies (a ``prefix`` pattern is matched on ``body[:max_chars]``, a ``suffix``
        one searched in ``body[-max_chars:]``, see :meth:`Rule.cut`). The line break put between
        the two parts can only add candidates, never hide one."""
        w = self.cut_window
        if not w or len(body) <= 2 * w + 1:
            return body.casefold()
        return (body[:w] + "\n" + body[-w:]).casefold()

    def _cut(self, ln: Line, cut_index: LiteralIndex) -> tuple[Rule, tuple[int, int]] | None:
        """The first cut rule (in file order) that cuts ``ln``; ``cut_index`` holds only the rules
        of the page's languages (:meth:`_languages`)."""
        for i in sorted(cut_index.candidates(self._cut_scope(ln.text.strip()))):  # the first rule in order wins
            cr = self.cut_rules[i]
            if cr.needs and not cr.needs_found(ln.text[-cr.max_chars:].casefold()):
                continue
            cut = cr.cut(ln.text, self.timeout_s)
            if cut is not None:
                return cr, cut
        return None

    def mark(self, doc: Document) -> Iterable[Span]:
        text = doc.text
        blocks, code, page_langs = self._page(text, doc.language, doc.language_score)
        mask = doc.removed_mask()
        if mask:
            lines = [Line(b, effective_text(text, b, mask), self.max_chars) for b, is_code in zip(blocks, code)
                     if not is_code and not covered(mask, b.start, b.end)]
        else:   # nothing removed yet: every block whole
            lines = [Line(b, b.text, self.max_chars) for b, is_code in zip(blocks, code) if not is_code]
        spans: list[Span] = []
        langs = page_langs if self.by_language else None
        index, cut_index, gates = self._languages(langs)
        cuts = self._page_cuts
        # Phase 1a: cut prefixes and suffixes, so that what is left is judged as a line.
        for k, ln in enumerate(lines):
            found = cuts.get(ln.text, _NOT_YET)
            if found is _NOT_YET:   # a pure function of the line's text on this page (its languages fixed)
                found = cuts[ln.text] = self._cut(ln, cut_index) if ln.text.strip() else None
            if found is None:
                continue
            cr, cut = found
            b = ln.block
            if ln.text is b.text:
                spans.append(Span(b.start + cut[0], b.start + cut[1], cr.id))
            else:  # partly cut already: map offsets of the remaining text back to the line
                spans.extend(self._cut_spans(text, b, mask, cut, cr.id))
            lines[k] = Line(b, ln.text[:cut[0]] + ln.text[cut[1]:], self.max_chars)
        page = Page(lines, self.matchers, index, self.timeout_s, langs, self._line_memo, gates=gates)
        # Phase 1b: rules that need nothing but the line itself; the first rule in order names it.
        hit_rule: dict[int, Rule] = {}
        for rule in self.line_rules:
            for k in page.hits(self.slot[(id(rule), False)]):
                hit_rule.setdefault(k, rule)
        hits: dict[int, Rule] = {}
        for k, rule in sorted(hit_rule.items()):
            spans.append(line_span(text, lines[k].block, rule.id))
            hits[lines[k].block.index] = rule
        # Phase 2: rules that look at neighbours. Lines already removed (``gone``) do not
        # break a run or a section: they are chrome themselves.
        gone = set(hit_rule)
        index_of = {ln.block.index: k for k, ln in enumerate(lines)}
        for rule in self.context_rules:
            if langs is not None and rule.lang not in langs:
                continue
            if rule.scope == "line":
                found_k = [(index_of[b.index], rid, detail)
                           for b, rid, detail in self._previous(blocks, code, mask, hits, rule) if b.index in index_of]
            elif rule.scope == "run":
                found_k = self._runs(page, gone, rule)
            elif rule.scope == "menu":
                found_k = self._menus(page, gone, rule, text)
            else:
                found_k = self._sections(page, gone, rule)
            for k, rid, detail in found_k:
                spans.append(line_span(text, lines[k].block, rid, detail))
                gone.add(k)
        return spans

    @staticmethod
    def _cut_spans(text: str, b: Block, mask, cut: tuple[int, int], rule_id: str) -> list[Span]:
        # Offsets of the characters of the block that are still present, in order.
        alive = [i for i in range(b.start, b.end) if not covered(mask, i, i + 1)]
        sel = alive[cut[0]:cut[1]]
        return [Span(s, e, rule_id) for s, e in merge_ranges((i, i + 1) for i in sel)]

    def _previous(self, blocks, code, mask, hits, rule: Rule) -> list[tuple[Block, str, str]]:
        """For a rule with ``previous``: the line right before each of its hits, when that line matches."""
        out: list[tuple[Block, str, str]] = []
        for idx in sorted(i for i, r in hits.items() if r is rule):
            j = idx - 1
            while j >= 0 and covered(mask, blocks[j].start, blocks[j].end):
                j -= 1  # removed by an earlier step: look past it
            if j < 0 or code[j] or j in hits:
                continue
            prev = blocks[j]
            s = text_shape.core(prev.text)
            if s and len(s) <= rule.max_chars and rule.run(rule.previous.fullmatch, s, self.timeout_s):  # type: ignore[union-attr]
                out.append((prev, rule.previous_rule, f"line before {rule.id} at offset {blocks[idx].start}"))
        return out

    def _runs(self, page: Page, gone: set[int], rule: Rule) -> list[tuple[int, str, str]]:
        """Lines matching ``rule`` in runs of at least ``min_run`` (removed lines in between do not break a run).

        A rule with an ``anchor`` finds nothing on a page none of whose lines holds a literal that
        every match of the anchor holds (:meth:`_may_anchor`): its pattern is not tried there.
        """
        if rule.anchor_source is not None and not self._may_anchor(page, rule):
            return []
        match = page.hits(self.slot[(id(rule), False)])
        found: list[tuple[int, str, str]] = []
        run: list[int] = []
        for k in list(range(len(page.lines))) + [-1]:
            if k >= 0 and k in match:
                run.append(k)
                continue
            if k >= 0 and k in gone:
                continue  # chrome removed already: transparent
            if len(run) >= rule.min_run and (rule.anchor_source is None or self._anchored(page, run, rule)):
                start = page.lines[run[0]].block.start
                found += [(x, rule.id, f"run of {len(run)} lines from offset {start}") for x in run if x not in gone]
            run = []
        return found

    def _may_anchor(self, page: Page, rule: Rule) -> bool:
        """False when no line of ``page`` that :meth:`_anchored` tries holds one of the anchor's required literals."""
        need = self._anchor_literals.get(id(rule))
        if not need:
            return True
        folded = "\n".join(ln.folded for ln in page.lines if ln.core and len(ln.core) <= rule.max_chars)
        return any(lit in folded for lit in need)

    def _anchored(self, page: Page, run: list[int], rule: Rule) -> bool:
        """True when a line of the run (or a removed line inside it) matches the rule's ``anchor``."""
        for k in range(run[0], run[-1] + 1):
            core = page.lines[k].core
            if core and len(core) <= rule.max_chars and rule.run(rule.anchor.fullmatch, core, self.timeout_s):  # type: ignore[union-attr]
                return True
        return False

    def _menus(self, page: Page, gone: set[int], rule: Rule, text: str) -> list[tuple[int, str, str]]:
        """Runs of menu items printed one a line, before the first or after the last prose line."""
        lines, n = page.lines, len(page.lines)
        match = page.hits(self.slot[(id(rule), False)])
        item_shape = text_shape.SHAPES[rule.member_shape or "menu_item"]
        prose = [k for k in range(n) if k not in gone and text_shape.is_prose(lines[k].text)]
        if not prose:
            return []  # a poem, a list, a page of headings: nothing to tell a menu from
        first_prose, last_prose = prose[0], prose[-1]
        page_chars = sum(len(lines[k].text.strip()) for k in range(n) if k not in gone)
        breaks = [k > 0 and _BLANK_LINE.search(text, lines[k - 1].block.end, lines[k].block.start) is not None
                  for k in range(n)]
        if all(breaks[1:]):
            breaks = [False] * n  # every line its own paragraph: blank lines say nothing here
        found: list[tuple[int, str, str]] = []
        k = 0
        while k < n:
            if k in gone or not (k in match and item_shape(lines[k].text)):
                k += 1
                continue
            start = k
            while start > 0 and start - 1 in gone and not breaks[start]:
                start -= 1  # removed chrome right before the items belongs to the menu
            end = k
            while end + 1 < n and not breaks[end + 1] and (
                    end + 1 in gone or (end + 1 in match and item_shape(lines[end + 1].text))):
                end += 1
            items = [j for j in range(start, end + 1) if j not in gone]
            if len(items) > 1 and _headline_over_prose(lines, items, gone, first_prose):
                items.pop()   # the page's headline, standing over its first paragraph: no menu item
                end = items[-1]
            if len(items) > 1 and _headline_on_top(lines, items, gone):
                items.pop(0)   # the page's headline, its first line, with the menu printed under it
                start = items[0]
            keys = [lines[j].folded for j in items]
            before = next((j for j in range(start - 1, -1, -1) if j not in gone), None)
            placed = end < first_prose or start > last_prose
            introduced = before is not None and lines[before].text.rstrip().endswith((":", "："))
            share = sum(len(lines[j].text.strip()) for j in items) / max(1, page_chars)
            if (end - start + 1 >= rule.min_run and len(items) >= MIN_MENU_KEPT and len(set(keys)) == len(keys)
                    and placed and not introduced and share <= MAX_MENU_SHARE):
                detail = f"menu of {end - start + 1} lines from offset {lines[start].block.start}"
                found += [(j, rule.id, detail) for j in items]
            k = end + 1
        return found

    def _sections(self, page: Page, gone: set[int], rule: Rule) -> list[tuple[int, str, str]]:
        """Header lines of ``rule`` with the member lines after them (see :mod:`cleaner.rules.engine`)."""
        heads = page.hits(self.slot[(id(rule), False)])
        if not heads:
            return []
        members = page.hits(self.slot[(id(rule), True)]) if rule.member_source is not None else set()
        shape_fn = text_shape.SHAPES[rule.member_shape] if rule.member_shape else None
        n = len(page.lines)

        def is_member(k: int) -> bool:
            return k in gone or k in members or (shape_fn is not None and shape_fn(page.lines[k].text))

        found: list[tuple[int, str, str]] = []
        i = 0
        while i < n:
            if i not in heads:
                i += 1
                continue
            detail = f"section under header at offset {page.lines[i].block.start}"
            last, gap, count, seen = i, 0, 0, 0
            j = i + 1
            while j < n and count < rule.max_members:
                if is_member(j):
                    last, gap = j, 0
                    count += j not in gone
                    seen += 1
                else:
                    gap += 1
                    if gap > rule.max_gap:
                        break
                j += 1
            if seen < rule.min_members:
                i += 1
                continue
            if rule.to_end and j >= n and gap <= rule.max_gap:
                last = n - 1
            if rule.at_end and any(k not in gone for k in range(last + 1, n)):
                i += 1
                continue  # something kept follows: not the foot of the page
            if i not in gone:
                found.append((i, rule.id, "section header"))
            found += [(k, rule.id, detail) for k in range(i + 1, last + 1) if k not in gone]
            i = last + 1
        return found


class UnfilteredChromeRules(ChromeRules):
    """:class:`ChromeRules` without its pre-filters: every rule of the page's languages tried on
    every line (no literal index, no length gate, no anchor literals). Marks the same spans, slower: the reference
    the pre-filters are checked against (``tests/test_marker_prefilters.py``) and timed against
    (``benchmarks/markers.py``)."""

    def _for_languages(self, langs: frozenset[str] | None) -> tuple[LiteralIndex, LiteralIndex, tuple]:
        def on(rule: Rule) -> bool:
            return langs is None or rule.lang in langs

        whole = LiteralIndex([None if on(r) else frozenset() for r, _ in self.matchers])
        cuts = LiteralIndex([None if on(r) else frozenset() for r in self.cut_rules])
        off, eager = matcher_gates(self.matchers, langs)
        return whole, cuts, (off, eager, ([10 ** 9], [eager]))

    def _may_anchor(self, page: Page, rule: Rule) -> bool:
        return True


def removed_parts(rules: list[Rule], text: str, timeout_s: float) -> list[str]:
    """What ``rules`` remove from ``text``: the removed pieces in order, white space trimmed."""
    doc = Document("example", None, text)
    spans = list(ChromeRules(rules, timeout_s, by_language=False).mark(doc))
    return [text[s:e].strip() for s, e in merge_ranges((sp.start, sp.end) for sp in spans) if text[s:e].strip()]


def check_examples(rules: list[Rule], timeout_s: float = 1.0) -> list[str]:
    """Run every rule's examples alone; one message per example that does not behave as stated."""
    problems = []
    for r in rules:
        for ex in r.match:
            plain, marked = parse_example(ex)
            want = [m.strip() for m in marked] if marked else [plain.strip()]
            got = removed_parts([r], plain, timeout_s)
            if got != want:
                problems.append(f"{r.id} ({r.source}): should remove {want!r} but removes {got!r}")
        for ex in r.keep:
            got = removed_parts([r], ex, timeout_s)
            if got:
                problems.append(f"{r.id} ({r.source}): should keep {ex!r} but removes {got!r}")
    return problems


def check_rules(rules: list[Rule], timeout_s: float = 1.0) -> list[str]:
    """Check rules as ``cleaner rules check`` does: one message per problem (empty: all good).

    Problems are the gaps of :func:`rule_gaps` (missing examples or description), then
    every example run with its rule alone that does not behave as stated.
    """
    problems = [g for r in rules for g in rule_gaps(r)]
    usable = []
    for r in rules:
        try:
            r.compile_all()
            usable.append(r)
        except RuleError as e:
            problems.append(str(e))
    return problems + check_examples(usable, timeout_s)
