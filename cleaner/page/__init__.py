"""Per-document steps: what one page's text alone tells.

- :mod:`.chrome`: site-chrome rules (:mod:`cleaner.rules`) run over the text;
- :mod:`.shortcodes`: unrendered page-builder markup;
- :mod:`.duplicates`: blocks repeated inside one page;
- :mod:`.title`: the headline printed again in the text;
- :mod:`.settle`: markers run again until none finds anything new;
- :mod:`.language`: the document's language label;
- :mod:`.index_page`: index and listing pages, which hold no main text.
"""
