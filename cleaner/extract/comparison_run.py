"""trafilatura's fast run that goes on as its run with the comparison when its text needs one.

Why: extraction runs trafilatura fast first (no readability/jusText comparison, no recall
escalation) and runs it again with the comparison when the fast text is suspect
(:func:`cleaner.extract.main_content.needs_comparison`). The second run starts from the
page again and repeats the fast run's work: copying the tree, trafilatura's pruning, tree
cleaning, tag conversion and its main extractor (``extract_content``). Measured on the 692
evaluation pages (scrapinghub, WCXB test): the fast runs of the 88 pages that needed the
comparison took 1.5 s, about 5 % of the per-document path.

How: for the length of one fast trafilatura call, :func:`going_on` puts a stand-in in place
of the cascade's first stage (``trafilatura.core._extract_and_compare``). It extracts as
the fast run does, renders the text the fast run would return, and asks the gate:

- no comparison needed: the run ends as the fast run (its rendered text is handed back
  when ``bare_extraction`` renders the same body, so it is not rendered twice);
- a comparison needed: the same run becomes the run with the comparison (``options.fast``
  off, recall escalation back on) and trafilatura's own ``compare_extraction`` gets the
  trees that run would give it.

Why it is exact (trafilatura 2.3.1, read for this; :data:`SUPPORTED`): the two runs differ
only where trafilatura reads ``options.fast`` (the comparison in stage 2, the jusText
candidate of the recall escalation, and ``keep_teasers`` in ``extract_content``, which
keeps teaser-classed blocks in the fast run) and in the escalation that extraction turns
off for the fast run; pruning, tree cleaning and tag conversion before stage 1 do not read
it. So where no element has a teaser class or id, the fast run's stage 1 result is the
other run's, and the rest of that run follows from it. The fast text is stage 1's, or for
one under ``min_extracted_size`` what trafilatura's stage 3 makes of it (its baseline rescue,
taken when longer: made here as that stage makes it, and handed to it, so it is made once).
With comments (a thread page) the text the gate is asked is the run's text and its
comments joined as extraction joins them (:func:`joined`); the comments are captured before
stage 1 (``extract_comments`` does not read ``fast``) and stay as they are whichever way
the run goes. The fast text is known at stage 1 only when nothing after it changes it: not
where trafilatura's size checks (``max_tree_size``, ``min_output_size`` and
``min_output_comm_size``) act, nor on a page trafilatura takes for a forum thread whose
captured posts it may salvage into the body after the cascade, nor with another output
format. Where any of these holds, or a teaser block is on the page and the comparison is
needed, the gate leaves its ``verdict`` unset: the run ends as the fast run and extraction
decides after it, with a second run, as before.
"""
from __future__ import annotations

import contextlib
import functools
from copy import copy
from typing import Callable

import lxml.etree

#: trafilatura versions whose cascade (``trafilatura.core.trafilatura_sequence``) was read for
#: this; with any other the two runs stay separate.
SUPPORTED = ("2.3.1",)
_NAMES = ("_extract_and_compare", "extract_content", "compare_extraction", "baseline", "xmltotxt", "ESCALATION_MAX_LENGTH",
          "extract_comments", "_forum_thread_page")

#: An element whose class or id trafilatura's teaser pruning reads as a teaser
#: (``trafilatura.xpaths.TEASER_DISCARD_XPATH`` tests ``translate(@id|@class, 'T', 't')``), any tag.
_TEASER = lxml.etree.XPath("boolean(.//*[contains(translate(@id, 'T', 't'), 'teaser') "
                           "or contains(translate(@class, 'T', 't'), 'teaser')])")


class Gate:
    """Says whether a fast text needs the comparison (``wants(text) -> bool``), and keeps what
    was decided inside the run: ``verdict`` ``None`` (nothing decided: the caller decides),
    ``False`` (the fast text stands) or ``True`` (the run went on with the comparison)."""

    __slots__ = ("wants", "verdict")

    def __init__(self, wants: Callable[[str], bool]):
        self.wants = wants
        self.verdict: bool | None = None


@functools.cache
def supported() -> bool:
    """Whether the installed trafilatura is one this module was written for (:data:`SUPPORTED`)."""
    try:
        import trafilatura
        import trafilatura.core as core
    except ImportError:
        return False
    return getattr(trafilatura, "__version__", None) in SUPPORTED and all(hasattr(core, n) for n in _NAMES)


@contextlib.contextmanager
def going_on(gate: Gate, before_comparison: Callable[[], None]):
    """During one fast ``trafilatura.bare_extraction`` call (``fast=True``; its comments,
    duplicate filter and language filter off, output format ``python``): the fast run with
    recall escalation off, which goes on as the run with the comparison when ``gate`` wants
    it (see the module's text). ``before_comparison`` is called first then (jusText's stop
    words warmed). The caller holds the lock that keeps other trafilatura runs out meanwhile.
    Sets ``gate.verdict``; restores trafilatura's functions and setting after, also on a fault."""
    import trafilatura.core as core

    first_stage, render, escalation = core._extract_and_compare, core.xmltotxt, core.ESCALATION_MAX_LENGTH
    rescue, capture, forum_test = core.baseline, core.extract_comments, core._forum_thread_page
    rendered: list = []   # [(body, formatting, text)] of the fast run, for bare_extraction's rendering
    rescued: list = []    # [(tree, baseline(tree))]: made once for the gate, taken again by stage 3
    started: list = []    # the sequence's own stage 1 came; later calls are recall retries
    seen: dict = {}       # what the sequence found before stage 1: "forum" (its test), "comments" (body, text)

    def stage(cleaned_tree, backup, tree, options):
        if (started or options.fast is not True or options.format != "python" or options.dedup or options.lang):
            # a retry; or another format, trafilatura's duplicate or language filter after stage 1
            return first_stage(cleaned_tree, backup, tree, options)
        started.append(True)
        comments = seen.get("comments") if options.comments else (None, "")   # (body, text)
        if comments is None or (seen.get("forum") and comments[1]):
            # not captured as this module reads the sequence; or a forum thread whose posts may be salvaged later
            return first_stage(cleaned_tree, backup, tree, options)
        body, text = core.extract_content(cleaned_tree, options)
        fast_body, fast_raw = body, text
        if len(text) < options.min_extracted_size and options.focus != "precision":
            # stage 3, trafilatura's baseline rescue of a short text, as the fast run makes it next
            # (with this very result: rescue_once hands it to that stage)
            b_body, b_text, b_len = rescue_once(tree)
            if b_len > len(text):
                fast_body, fast_raw = b_body, b_text
        if not _final(fast_body, fast_raw, comments[1], options):
            return body, text
        fast_text = render(fast_body, options.formatting)
        comments_text = render(comments[0], options.formatting) if options.comments else None
        if not gate.wants(joined(fast_text, comments_text)):
            gate.verdict = False
            rendered.append((fast_body, options.formatting, fast_text))
            if options.comments:
                rendered.append((comments[0], options.formatting, comments_text))
            return body, text
        if _TEASER(backup):   # tag conversion keeps classes and ids: the backup has every one the tree has
            return body, text
        gate.verdict = True
        before_comparison()
        options.fast = False
        core.ESCALATION_MAX_LENGTH = escalation
        return core.compare_extraction(backup, copy(tree), body, text, options)

    def rescue_once(tree):
        for done, got in rescued:
            if done is tree:
                return got
        got = rescue(tree)
        rescued.append((tree, got))
        return got

    def render_once(xmloutput, include_formatting):
        for body, formatting, text in rendered:
            if xmloutput is body and include_formatting == formatting:
                return text
        return render(xmloutput, include_formatting)

    def capture_once(tree, options):
        found = capture(tree, options)
        if not started:
            seen["comments"] = found[:2]
        return found

    def forum_once(tree):
        found = forum_test(tree)
        if not started:
            seen["forum"] = found
        return found

    core._extract_and_compare, core.xmltotxt, core.ESCALATION_MAX_LENGTH = stage, render_once, 0
    core.baseline, core.extract_comments, core._forum_thread_page = rescue_once, capture_once, forum_once
    try:
        yield
    finally:
        core._extract_and_compare, core.xmltotxt, core.ESCALATION_MAX_LENGTH = first_stage, render, escalation
        core.baseline, core.extract_comments, core._forum_thread_page = rescue, capture, forum_test


def joined(text: str, comments: str | None) -> str:
    """A run's text as extraction takes it: its ``text``, and its ``comments`` (when captured and
    not empty) on the lines after it, the whole stripped."""
    return f"{text}\n{comments}".strip() if comments else text


def _final(body, text: str, comments: str, options) -> bool:
    """Whether the fast run returns ``body`` (stage 1's, or stage 3's rescue) as it is, with
    ``comments`` (their text, ``""`` without): no escalation (off), no size check of
    ``bare_extraction`` that empties or changes it."""
    if options.max_tree_size and len(body) > options.max_tree_size:
        return False
    return not (len(text) < options.min_output_size and len(comments) < options.min_output_comm_size)
