"""The one per-document step protocol: build_pipeline's order, and the counting the base class does."""
from __future__ import annotations

import cleaner
from cleaner.config import Options
from cleaner.document import Document, Span
from cleaner.extract.steps import Extract, RepairEncoding
from cleaner.page.language import LanguageLabel
from cleaner.page.min_length import EMPTY_AFTER_CLEANING, NO_MAIN_CONTENT, MinLength
from cleaner.pipeline import build_pipeline
from cleaner.steps import DocumentStep, Filter, Marker


class Everything(Marker):
    name = "everything@1"

    def mark(self, doc):
        return [Span(0, len(doc.text), "mine.everything@1")]


def test_extraction_runs_first_a_users_markers_after_the_built_in_ones_and_filters_last():
    mine = Everything()
    steps = build_pipeline(Options(), [mine]).document_steps
    assert isinstance(steps[0], Extract) and isinstance(steps[1], RepairEncoding) and isinstance(steps[2], LanguageLabel)
    assert all(isinstance(s, DocumentStep) for s in steps)
    at = steps.index(mine)
    assert all(isinstance(s, Marker) for s in steps[3:at]) and at > 3
    assert all(isinstance(s, Filter) for s in steps[at + 1:])
    assert not any(isinstance(s, RepairEncoding) for s in build_pipeline(Options(repair_encoding=False)).document_steps)


def test_the_base_class_counts_spans_drops_and_documents_and_skips_dropped_documents():
    mine = Everything()
    doc = Document("a", None, "Some text here.")
    assert mine(doc) >= 0.0
    assert (mine.stats.documents, mine.stats.spans, mine.stats.dropped) == (1, 1, 0)
    length = MinLength(5)
    length(doc)   # everything marked: nothing left
    assert doc.dropped == EMPTY_AFTER_CLEANING and length.stats.dropped == 1
    mine(doc)     # a dropped document is not looked at again
    assert mine.stats.documents == 1 and len(doc.removed) == 1


def test_the_minimum_length_filter_tells_no_text_from_text_cleaned_away():
    assert MinLength(1).reason(Document("a", None, "   ")) == NO_MAIN_CONTENT
    assert MinLength(1).reason(Document("a", None, "x")) is None
    assert MinLength(10).reason(Document("a", None, "Short.")) == EMPTY_AFTER_CLEANING


def test_the_python_api_applies_the_final_minimum_length_step():
    doc = cleaner.clean_text("A line.", options=Options(min_doc_chars=50))
    assert doc.dropped == EMPTY_AFTER_CLEANING
