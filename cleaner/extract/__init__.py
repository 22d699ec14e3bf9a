"""Main-content extraction: HTML bytes to title and text (trafilatura at the core).

- :mod:`.main_content`: the extraction itself (:func:`~.main_content.extract`);
- :mod:`.prune`: site chrome pruned from the parsed page before extraction;
- :mod:`.main_region`: the page's main region, and when trafilatura took too little of it;
- :mod:`.discussion`: whether a page is a discussion thread (replies are main content);
- :mod:`.list_numbers`: ordered lists keep their numbers;
- :mod:`.tree_text`: plain text of an lxml tree, one block a line;
- :mod:`.removals`: what extraction left out, block by block, with its reason.
"""
