"""The steps that the options switch on, in the order they run: one place for every engine."""
from __future__ import annotations

from .config import Options
from .steps import CorpusStep, Filter, Marker


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
