"""cleaner: turn scraped web pages into clean text for language-model training.

Main content extraction (trafilatura), site-chrome rules, duplicates inside pages, site
templates and near-duplicate documents (MinHash LSH), every removal traceable to a rule.

The public API (see :mod:`cleaner.api` and the README's "Python API"): :func:`clean_html`,
:func:`clean_text`, :func:`run`, :class:`Options`, :class:`Document`, :class:`Span`,
:class:`Marker` (a user's own per-document step), and the errors :class:`CleanError`,
:class:`OptionError` (a bad option value, from the API as from the command line) and
:class:`StepFailureError` (a run where a step failed on too many records).
"""
from .version import __version__

from .config import OptionError, Options, load_options  # noqa: E402
from .document import Document, Span, apply_spans  # noqa: E402
from .steps import Marker  # noqa: E402
from .api import CleanError, clean_html, clean_text, run  # noqa: E402
from .engines.totals import StepFailureError  # noqa: E402

__all__ = ["CleanError", "Document", "Marker", "OptionError", "Options", "Span", "StepFailureError", "apply_spans",
           "clean_html", "clean_text", "load_options", "run", "__version__"]
