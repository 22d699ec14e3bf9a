"""The steps that the options switch on, in the order they run: one place for every engine.

:func:`build_pipeline` is the one entry: both engines, the Python API and the benchmarks
take their steps from it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from .config import Options
from .document import Document
from .page.language import LANGUAGE
from .steps import CorpusStep, DocumentStep, Filter, Marker

if TYPE_CHECKING:  # pragma: no cover
    from .extract.steps import Extract


@dataclass
class Pipeline:
    """The steps of a run, in the order they run.

    ``document_steps``: per-document steps of pass 1 (extraction (``extract``, the first of
    them), encoding repair, language label, chrome rules and the
    other markers, a user's own markers, then the filters), each a :class:`DocumentStep`;
    ``final_steps``: per-document steps of the final pass, after every corpus step's marks
    (the minimum-length filter). The corpus steps hold disk-backed state, so they are built
    where they run: :meth:`corpus_steps`.
    """

    options: Options
    extract: "Extract"
    document_steps: list[DocumentStep]
    final_steps: list[DocumentStep]

    def corpus_steps(self, workdir: str | None = None) -> list[CorpusStep]:
        """The corpus steps the options switch on (``workdir``: where they keep disk-backed arrays)."""
        return build_corpus_steps(self.options, workdir)

    def markers(self) -> list[Marker]:
        """The document steps that mark spans (their rules compile before workers fork)."""
        return [s for s in self.document_steps if isinstance(s, Marker)]


def build_pipeline(options: Options, user_steps: Iterable[Marker] = ()) -> Pipeline:
    """Every step ``options`` switch on; ``user_steps`` (a user's own markers) run after the built-in markers."""
    from .page.language import LanguageLabel, parse_languages
    from .page.min_length import MinLength
    from .extract.steps import Extract, RepairEncoding
    extract = Extract(options)
    document_steps: list[DocumentStep] = [extract]
    if options.repair_encoding:
        document_steps.append(RepairEncoding())
    document_steps.append(LanguageLabel())   # labels only: KeepLanguages drops
    keep = parse_languages(options.keep_languages)
    if keep:
        document_steps.append(KeepLanguages(keep))
    from .rules.engine import disabled_code_rules
    markers = build_markers(options)
    off = disabled_code_rules(options)
    for m in markers:
        m.disabled_rules = off
    document_steps += markers
    document_steps += list(user_steps)
    document_steps += build_filters(options)
    return Pipeline(options, extract, document_steps, [MinLength(options.min_doc_chars)])


class KeepLanguages(Filter):
    """``--keep-languages``: drop a document identified as a language not in ``keep`` (codes).

    Runs right after the language label (a document in another language costs no marker).
    A document without a language (no letter in its text, e.g. an empty page) is not judged
    here: it goes on and keeps the reason another step gives it ("no main content", ...).
    A dropped document gets the reason ``language`` and ``drop_detail``
    ``{"language": code, "language_score": score}``.
    """

    name = "keep-languages"

    def __init__(self, keep: frozenset[str]):
        super().__init__()
        self.keep = keep

    def reason(self, doc: Document) -> str | None:
        if doc.language is None or doc.language in self.keep:
            return None
        doc.drop_detail = {"language": doc.language, "language_score": doc.language_score}
        return LANGUAGE


def build_markers(options: Options) -> list[Marker]:
    """The per-document markers that ``options`` switch on, in the order they run."""
    from .page.duplicates import InPageDuplicates
    from .page.chrome import ChromeRules
    from .rules.engine import select_rules

    from .page.shortcodes import Shortcodes

    markers: list[Marker] = [ChromeRules(select_rules(options), options.regex_timeout_s), Shortcodes()]
    if options.title_dedup:
        from .page.title import PageTitle
        markers.append(PageTitle())
    settle = None
    if options.inpage_dedup:
        from .page.settle import Settle
        markers.append(InPageDuplicates.from_options(options))
        # removed duplicates can make new neighbours (shortcode tags are found once: nothing makes new ones)
        settle = Settle([m for m in markers if m.name != "chrome.shortcode"])
        markers.append(settle)
    if options.title_dedup and options.text_title:
        from .page.title import TextTitle
        # last: the first line a reader sees, its removed copies as evidence
        title: Marker = TextTitle()
        if settle is not None:
            # ... and a headline taken into the title field makes new neighbours like any removal
            from .page.settle import ThenSettle
            title = ThenSettle(title, settle)
        markers.append(title)
    return markers


def code_rule_descriptions() -> dict[str, str]:
    """``{rule id: description}`` of the rules written as code (in-page duplicates, the title,
    shortcodes), in :data:`cleaner.rules.engine.CODE_RULES` order: what ``cleaner rules list``
    prints beside the rules of the data files."""
    from .page import duplicates, shortcodes, title
    from .rules.engine import CODE_RULES
    described = {**duplicates.RULE_DESCRIPTIONS, **title.RULE_DESCRIPTIONS, **shortcodes.RULE_DESCRIPTIONS}
    return {r: described[r] for r in CODE_RULES}


def build_filters(options: Options) -> list[Filter]:
    """The per-document filters that ``options`` switch on; they run after the markers, in this order."""
    filters: list[Filter] = []
    if options.drop_index_pages:
        from .page.index_page import IndexPage
        filters.append(IndexPage())
    return filters


def build_corpus_steps(options: Options, workdir: str | None = None) -> list[CorpusStep]:
    """The corpus steps that ``options`` switch on, in the order they run.

    ``workdir``: where steps keep their disk-backed arrays (a temporary folder when ``None``).
    """
    steps: list[CorpusStep] = []
    if options.templates:
        from .corpus.templates import SiteTemplates
        steps.append(SiteTemplates.from_options(options, workdir))
    if options.exact_dedup:
        from .corpus.exact import ExactDuplicates
        steps.append(ExactDuplicates.from_options(options, workdir))
    if options.paragraph_dedup:
        from .corpus.paragraphs import RepeatedParagraphs
        steps.append(RepeatedParagraphs.from_options(options, workdir))
    if options.near_dedup:
        from .corpus.near import NearDuplicates
        steps.append(NearDuplicates.from_options(options, workdir))
    return steps
