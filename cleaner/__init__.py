"""cleaner: turn scraped web pages into clean text for language-model training.

Main content extraction (trafilatura), site-chrome rules, duplicates inside pages, site
templates and near-duplicate documents (MinHash LSH), every removal traceable to a rule.
"""
__version__ = "0.1.0"

from .config import Options, load_options  # noqa: E402
from .document import Document, Span, apply_spans  # noqa: E402

__all__ = ["Document", "Options", "Span", "apply_spans", "load_options", "__version__"]
