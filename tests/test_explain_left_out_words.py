"""``cleaner explain`` shows a block extraction left out whole, even when its words are in the kept text."""
from __future__ import annotations

import re


from cleaner.config import Options
from cleaner.cli.explain import find_document, render_text
from cleaner.extract.removals import with_left_out

PAGE = """<html><head><title>Harbour dredging plan</title></head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/harbour">Harbour</a></li><li><a href="/weather">Weather</a></li></ul></nav>
<article><h1>Harbour dredging plan</h1>
<p>The harbour authority approved a plan to dredge the eastern channel before the autumn storms arrive in October.</p>
<p>Fishermen said the silt had narrowed the passage so much that larger boats wait for high tide every day.</p>
<p>Work starts next month and should take about six weeks, the authority's engineer told the council.</p>
</article>
<footer><p>Weather and tides by the harbour office</p></footer>
</body></html>"""

MARKER = re.compile(r"\[-(?P<rule>[^:\n]*?): (?P<text>.*?)-\]", re.S)


def test_a_pruned_nav_item_whose_word_the_article_holds_is_shown_whole(tmp_path):
    page = tmp_path / "page.html"
    page.write_text(PAGE, encoding="utf-8")
    found = find_document([str(page)], Options(workers=1, progress=False, extraction_detail=True))
    shown = render_text(with_left_out(found.doc))
    nav = [m.group("text") for m in MARKER.finditer(shown) if m.group("rule") == "extract.prune.nav@1"]
    assert nav and nav[0].split() == ["Home", "Harbour", "Weather"], shown
    assert "harbour authority approved" in found.text, "the kept text is unchanged"
