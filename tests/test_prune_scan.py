"""The whole-page attribute scan of the chrome finders equals a search element by element."""
import html

import lxml.html
from hypothesis import given, settings, strategies as st

from cleaner.extract import prune
from cleaner.extract.main_content import parse_html

# Pieces of class/id values: hint words in mixed case, letters regex.I folds to ASCII (İ ſ K),
# separators the patterns must not match across, and plain filler.
PIECES = st.sampled_from(["cookie", "CooKie", "consent", "comment", "Comments", "repl", "disqus", "cky-", "privacy",
                          "privacy-banner", "PRIVACY_notice", "gdpr", "\u017fp_message", "\u212alaro", "\u0130ubenda",
                          "coo", "kie", "comm", "ent", " ", "\n", "-", "_", "x", "nav", "é", "wrap"])
VALUE = st.lists(PIECES, max_size=4).map("".join)
ELEMENT = st.fixed_dictionaries({}, optional={"id": VALUE, "class": VALUE, "aria-label": VALUE})


def naive(root, attrs, pattern):
    """The reference: each element's values joined by blanks, searched one by one, in document order."""
    return [el for el in root.iter() if isinstance(el.tag, str)
            and pattern.search(" ".join(filter(None, (el.get(a) for a in attrs))))]


def page(elements):
    divs = "".join("<div " + " ".join(f'{k}="{html.escape(v)}"' for k, v in e.items()) + ">t</div>" for e in elements)
    return f"<html><body>{divs}</body></html>"


@settings(max_examples=150, deadline=None)
@given(st.lists(ELEMENT, max_size=8))
def test_attribute_scan_finds_what_a_search_per_element_finds(elements):
    for root in (parse_html(page(elements)), lxml.html.document_fromstring(page(elements))):
        guard = prune._Guard(root)
        for attrs, pattern in ((prune.CONSENT_ATTRS, prune._CONSENT_ATTR),
                               (prune.COMMENT_ATTRS, prune._COMMENT_HINT)):
            assert prune._attr_matches(guard, attrs, pattern) == naive(root, attrs, pattern)


def test_folded_letters_and_split_words():
    root = parse_html('<html><body><div class="x \u212aLARO">a</div><div id="coo" class="kie">b</div>'
                      '<div aria-label="Cookie settings">c</div></body></html>')
    got = prune._attr_matches(prune._Guard(root), prune.CONSENT_ATTRS, prune._CONSENT_ATTR)
    assert [el.text for el in got] == ["a", "c"]
