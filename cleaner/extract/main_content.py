"""Main-content extraction: HTML bytes to ``(title, text)``, trafilatura at the core.

Steps for one page:

1. decode (declared charset first, :mod:`cleaner.io.decode`) and parse with lxml,
   ``huge_tree`` on (libxml2 otherwise stops at a text node over 10 MB and silently loses
   the rest of the page); scripts, styles and other non-content elements are dropped;
2. the title is read (:func:`headline`) and the page kind decided: on a discussion
   thread (:mod:`cleaner.extract.discussion`) the replies are content, elsewhere reader comments go;
3. chrome the markup names is pruned (:mod:`cleaner.extract.prune`): landmarks, consent
   banners, comment threads, related-links boxes, reference lists;
4. trafilatura extracts, with its process-wide duplicate cache off (``deduplicate=False``:
   duplicate removal is this project's job, and a shared cache would make results depend
   on what a worker saw earlier), tables kept; first in its fast mode without its recall
   escalation (:func:`_fast_without_escalation`: the gates below decide when more is needed),
   and again with its fallback comparison (readability, jusText) and escalation only when the fast run kept under
   ``COMPARISON_COVERAGE`` of the page's text: elsewhere that comparison keeps trafilatura's
   own result anyway (measured on the 692 evaluation pages: quality up, and about 7 % of
   trafilatura's time saved: the pages that need the comparison are the large ones), or
   when ``COMPARISON_LINK_SHARE`` of the fast result is link lines (menus kept as content), or
   when the fast result holds no line of prose (:func:`~cleaner.extract.main_region.has_prose`:
   a product grid or a list of items, where the fast run often takes one block of several)
   and under ``NO_PROSE_MAX_COVERAGE`` of the page's text (:func:`needs_comparison`). Where it
   can (:mod:`cleaner.extract.comparison_run`), the fast run asks that itself and goes on as the
   run with the comparison, so that the work both share is done once.
   On a thread page whose microdata names its posts (:mod:`cleaner.extract.posts`: schema.org
   ``QAPage``, ``DiscussionForumPosting``) the posts' text replaces the fast result when it is
   at least ``POSTS_MIN_SHARE`` of its length, and the comparison and step 5 are skipped; on
   another thread page, when a container repeated once a post holds ``REPEAT_GAIN`` times the
   text extracted after step 5, those containers' text replaces it (trafilatura kept a few posts);
5. when that kept under ``RERUN_COVERAGE`` of the page's text and pruning took a fair share
   of it (``MIN_RERUN_CHROME_SHARE``), trafilatura runs again on the unpruned page, with its
   comparison (pruning sometimes changes which container it picks) and the
   longer result wins, its chrome-only lines removed; when the result still holds under
   ``FALLBACK_COVERAGE`` of the page and no paragraph of prose, the page's main region
   stands in (:mod:`cleaner.extract.main_region`).
"""
from __future__ import annotations

import contextlib
import sys
import threading
import time
from dataclasses import dataclass

import lxml.etree
import lxml.html

from ..config import Options
from ..io.decode import decode_html, decode_page, strip_control_chars
from . import comparison_run
from .comparison_run import Gate

#: Elements that never hold main content; removed with their text before extraction.
NON_CONTENT_TAGS = ("script", "style", "noscript", "template", "svg", "math", "canvas", "iframe", "object", "embed")
#: Element nesting depth past which a page is refused (real pages stay under ~100; jusText and
#: trafilatura take time quadratic in depth, minutes for a few thousand levels).
MAX_HTML_DEPTH = 512
_TOO_DEEP = lxml.etree.XPath("boolean(" + "/".join(["*"] * MAX_HTML_DEPTH) + ")")

#: JSON-LD scripts up to this size are kept for trafilatura (characters).
MAX_JSON_LD_CHARS = 200_000


class ExtractionError(Exception):
    """A page that cannot be parsed or yields no tree."""


@dataclass(slots=True)
class Extracted:
    """What extraction gives: the main text (paragraphs one a line), the title, the codec used."""

    text: str
    title: str | None
    encoding: str
    left_out: list | None = None   # with extract(left_out=True): see cleaner.extract.removals
    left_out_chars: dict | None = None   # characters extraction left out, by rule (cleaner.extract.removals)


def parse_html(html: str) -> lxml.html.HtmlElement:
    """Parse a page with lxml, tolerant of broken markup and huge text nodes.

    Raises :class:`ExtractionError` when libxml2 returns no document at all, or one nested
    deeper than :data:`MAX_HTML_DEPTH` elements.
    """
    parser = lxml.html.HTMLParser(huge_tree=True, remove_comments=True, remove_pis=True, recover=True)
    parser.set_element_class_lookup(_html_lookup())
    try:
        root = lxml.html.document_fromstring(html, parser=parser)
    except (lxml.etree.ParserError, ValueError) as e:
        raise ExtractionError(f"HTML could not be parsed: {e}") from e
    if root is None:
        raise ExtractionError("HTML could not be parsed: empty document")
    if _TOO_DEEP(root):
        raise ExtractionError(f"HTML nested more than MAX_HTML_DEPTH={MAX_HTML_DEPTH} elements deep; "
                              "such a page is broken or hostile and is not extracted")
    return root


def _html_lookup() -> lxml.etree.ElementDefaultClassLookup:
    """lxml.html's element classes chosen in C, without a Python call per element.

    lxml.html's own lookup runs a Python method each time an element becomes a Python
    object (it picks form classes by tag), a tenth of trafilatura's time on a page; every
    element is an :class:`lxml.html.HtmlElement` here (``text_content``, ``drop_tree``),
    which is all this project and trafilatura use.
    """
    return lxml.etree.ElementDefaultClassLookup(element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
                                                pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity)


def strip_non_content(root: lxml.html.HtmlElement) -> None:
    """Drop scripts, styles and other non-content elements in place (their tails stay).

    JSON-LD blocks up to ``MAX_JSON_LD_CHARS`` stay: trafilatura reads a forum thread's
    schema.org type from them.
    """
    doomed = [el for el in root.iter(*NON_CONTENT_TAGS)
              if not (el.tag == "script" and (el.get("type") or "").lower() == "application/ld+json"
                      and len(el.text or "") <= MAX_JSON_LD_CHARS)]
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()


def page_title(root: lxml.html.HtmlElement) -> str | None:
    """The ``<title>`` text, white space folded, or ``None``."""
    t = root.find(".//title")
    if t is None or not (t.text_content() or "").strip():
        return None
    return " ".join(t.text_content().split())


def extract(html: bytes | str, options: Options, url: str | None = None, http_charset: str | None = None,
            seconds: dict[str, float] | None = None, left_out: bool = False) -> Extracted:
    """Extract the main content of one page.

    ``html``: raw bytes (decoded by :func:`cleaner.io.decode.decode_html`, declared charset
    first) or an already decoded string. Returns :class:`Extracted` whose ``text`` has one
    paragraph, heading, list item or table row per line; empty when the page holds no main
    content. ``seconds``, when given, gets the seconds of each stage added under its name
    (``extract.decode``, ``extract.parse``, ... as ``benchmarks/throughput.py`` prints them).
    With ``left_out`` its ``left_out`` lists the blocks extraction left out, and always its
    ``left_out_chars`` counts them by reason (:mod:`cleaner.extract.removals`).
    Raises :class:`ExtractionError` for a page that cannot be parsed and
    :class:`~cleaner.io.decode.NotTextError` for bytes that are not text.
    """
    from .code_text import dedent_source_lines
    from .prune import captions_to_paragraphs, find_chrome
    from .list_numbers import unbullet_numbered
    from .discussion import is_discussion
    from .main_region import page_chars
    from .posts import REPEAT_GAIN, posts_text, repeated_posts, thread_posts
    from .page_mojibake import repair_page_mojibake
    from .form_fields import drop_prompt_lines, field_prompt_keys
    from .glued import split_glued

    load_trafilatura()
    _count_page()
    clock = _Stages(seconds)
    if isinstance(html, bytes):
        decoded = decode_page(html, http_charset)
        text, enc = decoded.text, decoded.encoding
    else:
        decoded, text, enc = None, strip_control_chars(html), "str"
    if options.repair_encoding:
        text = repair_page_mojibake(text, decoded)
    clock("extract.decode")
    if not text.strip():
        return Extracted("", None, enc)
    root, attrs = _parse_clean_read(text)
    clock("extract.parse")
    title = headline(root)
    thread = is_discussion(root, url, attrs.itemtypes if attrs is not None else None, text)
    clock("extract.title+kind")
    found = find_chrome(root, prune_kinds(thread), attrs)
    chrome = [el for _, el in found]
    blocks = _page_blocks(root, found) if left_out else None   # hook: the page before pruning
    for el in chrome:
        el.drop_tree()
    if options.captions:
        captions_to_paragraphs(root)
    prompts = field_prompt_keys(root)   # form-field prompts ("Number of slices to send:"), dropped from the text
    visible = page_chars(root)  # the pruned tree does not change until region_text
    clock("extract.prune")
    # on a thread page the posts may replace the fast text before any comparison (below)
    posts = posts_text(thread_posts(root)) if thread else ""
    gate = Gate(lambda fast_text: not _posts_win(posts, fast_text) and needs_comparison(fast_text, root, visible))
    body = _trafilatura(root, url, thread, options, fast=True, gate=gate)
    clock("extract.trafilatura")
    if gate.verdict is not True and _posts_win(posts, body):
        body = posts    # the thread's posts as its markup names them (cleaner.extract.posts)
    else:
        body = _improve(body, root, chrome, visible, text, url, thread, options, clock, gate.verdict)
        if thread and (peers := repeated_posts(root, body)):
            more = posts_text(peers)
            if len(more) >= REPEAT_GAIN * len(body):
                body = more    # trafilatura kept a few posts of a thread: all the posts
    body = unbullet_numbered(dedent_source_lines(root, drop_prompt_lines(split_glued(root, body), prompts)))
    clock("extract.lists+region")
    left = _left_out(found, visible, body, blocks)   # hook: what extraction left out (cleaner.extract.removals)
    clock("extract.left-out")
    return Extracted(body, title, enc, *left)


def _improve(body, root, chrome, visible, text, url, thread, options, clock, compared: bool | None = None) -> str:
    """Steps 4 and 5 past trafilatura's fast run: its comparison, the unpruned rerun, the region fallback, lists restored.

    ``compared``: what the fast run decided about the comparison (:class:`~cleaner.extract.comparison_run.Gate`):
    ``True`` it went on with it, ``False`` none was needed, ``None`` nothing decided (decided here).
    """
    from .main_region import coverage, has_prose, region_text, restore_lists

    if compared is None and needs_comparison(body, root, visible):
        body = _trafilatura(root, url, thread, options)
        clock("extract.trafilatura-comparison")
    if chrome and coverage(body, root, visible) < RERUN_COVERAGE and chrome_share(root, chrome, visible) >= MIN_RERUN_CHROME_SHARE:
        again = _trafilatura(_parse_clean(text), url, thread, options)
        # drop_lines only shortens a text: a rerun too short to win is never rendered against the chrome
        if len(again) >= RERUN_GAIN * len(body):
            again = drop_lines(again, chrome_only_lines(root, chrome))
            if len(again) >= RERUN_GAIN * len(body):
                body = again
        clock("extract.trafilatura-unpruned")
    if coverage(body, root, visible) < FALLBACK_COVERAGE and not has_prose(body):
        return region_text(root, body)
    return restore_lists(root, body)


def _posts_win(posts: str, fast_text: str) -> bool:
    """Whether a thread's ``posts`` (their text, ``""`` when none are named) replace trafilatura's fast text (:data:`POSTS_MIN_SHARE`)."""
    return bool(posts) and len(posts) >= POSTS_MIN_SHARE * len(fast_text)


def needs_comparison(fast_text: str, root: lxml.html.HtmlElement, visible: int) -> bool:
    """Whether trafilatura's fast text of the pruned page ``root`` needs its run with the comparison
    (step 4): it holds under ``COMPARISON_COVERAGE`` of the page's ``visible`` characters, or no
    line of prose and under ``NO_PROSE_MAX_COVERAGE``, or ``COMPARISON_LINK_SHARE`` of it is link lines."""
    from .main_region import coverage, has_prose, link_line_share

    covered = coverage(fast_text, root, visible)
    return (covered < COMPARISON_COVERAGE or (covered < NO_PROSE_MAX_COVERAGE and not has_prose(fast_text))
            or link_line_share(root, fast_text) >= COMPARISON_LINK_SHARE)


def _page_blocks(root, found):
    from .removals import page_blocks
    return page_blocks(root, found)


def _left_out(found, visible, body, blocks):
    from .removals import left_out
    return left_out(found, visible, body, blocks)


class _Stages:
    """Adds the seconds since the previous call to ``seconds[name]`` (does nothing without a dict)."""

    def __init__(self, seconds: dict[str, float] | None):
        self.seconds = seconds
        self.t = time.perf_counter() if seconds is not None else 0.0

    def __call__(self, name: str) -> None:
        if self.seconds is not None:
            now = time.perf_counter()
            self.seconds[name] = self.seconds.get(name, 0.0) + now - self.t
            self.t = now


#: Below this share of the page's visible text the extraction is suspect and trafilatura runs again on the unpruned page (0-1).
RERUN_COVERAGE = 0.3
#: The rerun's text replaces the first when it is at least this many times longer.
#: The rerun is a full run (comparison and recall escalation): its gains come from trafilatura's
#: recall escalation on the unpruned page (with the comparison but no escalation it gained
#: nothing). A fast run favouring recall instead was measured on the 692 evaluation pages:
#: 37 reruns, 4.3 s -> 1.1 s of trafilatura time, but WCXB F1 0.8932 -> 0.8921, must-exclude
#: snippets leaked 2.97 % -> 3.11 % and product pages under plain trafilatura (0.7243 < 0.7253).
RERUN_GAIN = 1.2
#: ... and the rerun happens only when the pruned chrome held at least this share of the page's
#: visible text (0-1): with less, the unpruned page is nearly the pruned one and trafilatura picks
#: the same container. On the 692 evaluation pages (scrapinghub, WCXB test), measured with
#: 0.1: 37 pages reran (3.6 s of trafilatura time, a tenth of the per-document path) and 8
#: gained, all with shares 0.33 to 0.68; none of the 18 reruns under 0.3 gained (an earlier
#: pipeline: 56 reruns, 9 gains, none under 0.16). 0.3 skips those 18 reruns (1.8 s); the
#: output on these pages is byte-identical.
MIN_RERUN_CHROME_SHARE = 0.3
#: Pages with more text than this go through trafilatura's fast mode (no readability/jusText
#: comparison, whose time grows much faster than the text: an 11 MB text node took minutes) (characters).
FAST_MODE_CHARS = 2_000_000
#: trafilatura runs first without its fallback comparison (readability, jusText); below this
#: share of the page's visible text the result is suspect and it runs again with it (0-1).
COMPARISON_COVERAGE = 0.15
#: ... and also when at least this share of the fast run's text is lines that are a link's whole
#: text (0-1): its extractor found no article container and kept the page with its menus.
#: On the 692 evaluation pages 14 fast results reach 0.3; the comparison changed 2 of them,
#: both for the better (a news page whose fast result was its menus: scrapinghub-metric F1
#: 0.16 -> 0.90), none for the worse; 0.2 let in a page that lost.
COMPARISON_LINK_SHARE = 0.3
# The comparison also runs when the fast result has no line of prose (main_region.PROSE_WORDS words):
# on the 692 evaluation pages 26 fast results that neither rule above compares have none; the
# comparison changed 2 of them, both up (WCXB collection pages 0.76 -> 1.00 and 0.86 -> 1.00 in
# word F1: the fast run kept one of several item blocks), none down; 0.4 s more trafilatura time.
#: ... unless the fast result already holds this share of the page's visible text (0-1): then
#: there is no block left for the comparison to add (none of the 7 such pages of the 26 changed),
#: and a page of one short paragraph does not pay for a comparison (jusText's stoplists alone
#: take 0.16 s to load: a third of a one-page run).
NO_PROSE_MAX_COVERAGE = 0.9
#: On a thread page whose markup names its posts (:mod:`cleaner.extract.posts`) the posts' text
#: replaces trafilatura's when it is at least this share of the length of trafilatura's fast
#: result (0-1): a page that marks only its first post keeps trafilatura's text with the replies.
#: On the evaluation pages the 18 such pages (11 Q&A, 7 forum threads) have shares 0.31 to 1.7;
#: word F1 against the gold text 15.30 -> 17.61 summed over the 18, one page down (0.92 -> 0.84:
#: a forum that prints "Re: subject" atop each reply).
POSTS_MIN_SHARE = 0.25
#: Below this share of the page's visible text, and with no paragraph of prose, the main region replaces the extraction (0-1).
FALLBACK_COVERAGE = 0.1


def prune_kinds(thread: bool) -> tuple[str, ...]:
    """The chrome kinds pruned before extraction; comment threads stay on a discussion page."""
    from .prune import FINDERS
    return tuple(k for k in FINDERS if not (thread and k == "comments"))


def _parse_clean(text: str) -> lxml.html.HtmlElement:
    """The page parsed and made ready for extraction (:func:`_parse_clean_read` without reading its attributes)."""
    return _parse_clean_read(text, read_attrs=False)[0]


def _parse_clean_read(text: str, read_attrs: bool = True):
    """The page parsed and made ready for extraction, and with ``read_attrs`` its attributes as
    the chrome finders read them (:class:`~cleaner.extract.prune.PageAttrs`; ``None`` without, or
    when line numbers were dropped after the read): one walk over the elements gives both the
    finders' attributes and the class values that tell
    :func:`~cleaner.extract.code_text.drop_line_numbers` a page has none."""
    from .code_text import drop_line_numbers
    from .list_numbers import number_ordered_lists
    from .prune import PageAttrs

    root = parse_html(text)
    strip_non_content(root)
    attrs = PageAttrs(root) if read_attrs else None
    # "5version: 2": a code block's line numbers are no part of its code
    if drop_line_numbers(root, attrs.distinct("class") if attrs is not None else None):
        attrs = None            # elements gone: find_chrome reads the page again
    number_ordered_lists(root)  # "1. Heat the oven": the numbers of an <ol> are content; attrs stay valid
    return root, attrs


#: trafilatura's XPaths get their guards (:func:`cleaner.extract.xpath_install.install`) when a
#: process extracts its page number ``GUARD_FROM_PAGE``: compiling the guarded copies takes
#: about 7 ms, which they win back within 3-4 pages (6 % fewer instructions a page), so a
#: one-page run does not pay it. A corpus run installs them in the driver, before its
#: workers start (:mod:`cleaner.engines.local.pool`). The output is the same either way.
GUARD_FROM_PAGE = 2
_pages_extracted = 0


def _count_page() -> None:
    global _pages_extracted
    _pages_extracted += 1
    guards = sys.modules.get(f"{__package__}.xpath_guards")
    if guards is not None:
        guards.forget()   # its memo of attribute answers holds one page's values at a time
    if _pages_extracted == GUARD_FROM_PAGE:
        from .xpath_install import install
        install()


def load_trafilatura() -> None:
    """Import trafilatura and the modules of it that extraction uses, once per process.

    Its import compiles about 260 ``re`` patterns (its own and its dependencies'); they come
    from the on-disk cache of compiled patterns when an earlier run compiled them
    (:func:`cleaner.re_cache.recording`): 0.03-0.04 s of a one-page run.
    """
    if "trafilatura.metadata" in sys.modules:
        return
    import importlib

    from ..re_cache import recording
    with recording("trafilatura"):
        importlib.import_module("trafilatura.metadata")   # and trafilatura itself, with its core


def _trafilatura(root: lxml.html.HtmlElement, url: str | None, thread: bool, options: Options,
                 fast: bool = False, gate: Gate | None = None) -> str:
    """trafilatura's text for a tree (which it copies, never changes); replies included on a thread.

    ``fast``: without its fallback comparison and its recall escalation (see :func:`_fast_without_escalation`);
    with a ``gate`` too, the run goes on with the comparison when the gate wants it for the fast
    text (:mod:`cleaner.extract.comparison_run`: the text is then the comparison run's) and
    ``gate.verdict`` says what was decided.
    """
    import trafilatura

    from .stoplists import warm_stoplist

    if len(root.text_content()) > FAST_MODE_CHARS:
        fast, gate = True, None
    if not fast:
        warm_stoplist()   # jusText's stop words from the user's cache, not read from ~100 files
        mode = contextlib.nullcontext()
    elif gate is not None and comparison_run.supported():
        mode = comparison_run.going_on(gate, warm_stoplist)
    else:
        mode = _fast_without_escalation()
    with _TRAFILATURA_LOCK, mode:
        doc = trafilatura.bare_extraction(
            root, url=url, include_comments=thread, include_tables=True, deduplicate=False, fast=fast,
            with_metadata=False, favor_precision=options.favor == "precision",
            favor_recall=options.favor == "recall")
    if doc is None:
        return ""
    return comparison_run.joined(doc.text or "", doc.comments)


#: Held during each trafilatura run: :func:`_fast_without_escalation` changes a module setting
#: of trafilatura, which a run in another thread must not see.
_TRAFILATURA_LOCK = threading.Lock()


@contextlib.contextmanager
def _fast_without_escalation():
    """A fast trafilatura run without its recall escalation (trafilatura >= 2.3).

    trafilatura retries an extraction that is short and covers under a fifth of the page in
    recall mode (``trafilatura.core.ESCALATION_MAX_LENGTH``, ``ESCALATION_PAGE_SHARE``); to
    know the page's share it renders the whole page again. In the fast run that duplicates
    what the gates of :func:`extract` decide from the coverage they compute anyway: a fast
    result that covers little of the page goes to the run with the comparison, which keeps
    trafilatura's escalation. Measured on the 692 evaluation pages (scrapinghub, WCXB test):
    7 texts changed, F1 scrapinghub 0.9720 -> 0.9720, WCXB 0.8931 -> 0.8932, about 3 % of the
    per-document time saved. The setting is read when trafilatura's sequence runs, so it is
    set for the call and restored after; without it (another trafilatura version) nothing changes.
    """
    import trafilatura.core as core

    if not hasattr(core, "ESCALATION_MAX_LENGTH"):
        yield
        return
    saved = core.ESCALATION_MAX_LENGTH
    core.ESCALATION_MAX_LENGTH = 0
    try:
        yield
    finally:
        core.ESCALATION_MAX_LENGTH = saved


def chrome_share(root: lxml.html.HtmlElement, chrome: list[lxml.html.HtmlElement], chars: int | None = None) -> float:
    """Share of the page's visible text (white space folded) that the removed ``chrome`` elements held (0-1).

    ``chars``: :func:`cleaner.extract.main_region.page_chars` of the pruned ``root`` when the caller has it already.
    """
    from .main_region import page_chars

    removed = sum(len(" ".join(el.text_content().split())) for el in chrome)
    return removed / max(1, removed + (page_chars(root) if chars is None else chars))


def chrome_only_lines(root: lxml.html.HtmlElement, chrome: list[lxml.html.HtmlElement]) -> set[str]:
    """Keys (:func:`cleaner.extract.tree_text.line_key`) of the lines found in the removed ``chrome`` and nowhere else in ``root``."""
    from .tree_text import line_key, render_lines

    body = root.find("body")
    rest = {line_key(x) for x in render_lines(body if body is not None else root)}
    return {k for el in chrome for x in render_lines(el) if (k := line_key(x)) and k not in rest}


def drop_lines(text: str, keys: set[str]) -> str:
    """``text`` without the lines whose key is in ``keys``."""
    from .tree_text import line_key

    return "\n".join(x for x in text.split("\n") if line_key(x) not in keys) if keys else text


def headline(root: lxml.html.HtmlElement) -> str | None:
    """The page's title as a reader sees it: its one ``<h1>``, a headline-classed heading, else ``<title>``.

    Uses trafilatura's title heuristics (``trafilatura.metadata.extract_title``), which also
    cut a site name off ``<title>`` ("Headline | Site"); white space folded.
    """
    from trafilatura.metadata import extract_title

    t = extract_title(root) or page_title(root)
    return " ".join(t.split()) if t else None


def html_to_text(html: bytes | str, http_charset: str | None = None) -> tuple[str, str | None]:
    """All visible text of a page, one block element a line, without main-content extraction.

    Returns ``(text, title)``; used when extraction is switched off (``--no-extract``).
    """
    from .tree_text import render_lines

    text = decode_html(html, http_charset)[0] if isinstance(html, bytes) else strip_control_chars(html)
    if not text.strip():
        return "", None
    root = _parse_clean(text)
    title = page_title(root)
    body = root.find("body")
    skip = set(root.iter("head", "script"))
    return "\n".join(render_lines(body if body is not None else root, skip)), title
