"""Showing what was removed: ``report.html`` after a run, and the renderings ``cleaner explain`` uses.

- :mod:`.pieces`: a document cut into kept and removed pieces, each owned by one span;
- :mod:`.render`: HTML of one document with its removals highlighted, and the page shell;
- :mod:`.svg`: inline SVG bar charts;
- :mod:`.html`: ``write_report_html``, the run report.
"""
