"""cleaner: turn scraped web pages into clean text for language-model training.

Main content extraction (trafilatura), site-chrome rules, duplicates inside pages, site
templates and near-duplicate documents (MinHash LSH), every removal traceable to a rule.

The public API (see :mod:`cleaner.api` and the README's "Python API"): :func:`clean_html`,
:func:`clean_text`, :func:`run`, :class:`Options`, :class:`Document`, :class:`Span`,
:class:`Marker` (a user's own per-document step) and :class:`CleanError`.
"""
from .version import __version__

from .config import Options, load_options  # noqa: E402
from .document import Document, Span, apply_spans  # noqa: E402
from .steps import Marker  # noqa: E402
from .api import CleanError, clean_html, clean_text, run  # noqa: E402

__all__ = ["CleanError", "Document", "Marker", "Options", "Span", "apply_spans", "clean_html", "clean_text",
           "load_options", "run", "__version__"]
