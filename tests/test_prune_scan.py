"""The whole-page attribute scan of the chrome finders equals a search element by element."""
import html

import lxml.etree
import lxml.html
from hypothesis import given, settings, strategies as st

from cleaner.extract import prune
from cleaner.extract.main_content import parse_html

# Pieces of class/id values: hint words in mixed case, letters regex.I folds to ASCII (İ ſ K),
# separators the patterns must not match across, and plain filler.
PIECES = st.sampled_from(["cookie", "CooKie", "consent", "comment", "Comments", "repl", "disqus", "cky-", "privacy",
                          "privacy-banner", "PRIVACY_notice", "gdpr", "\u017fp_message", "\u212alaro", "\u0130ubenda",
                          "coo", "kie", "comm", "ent", " ", "\n", "-", "_", "x", "nav", "é", "wrap", "cta", "Call-to-Action"])
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
                               (prune.COMMENT_ATTRS, prune._COMMENT_HINT), (prune.CTA_ATTRS, prune._CTA_HINT)):
            assert prune._attr_matches(guard, attrs, pattern) == naive(root, attrs, pattern)


def test_folded_letters_and_split_words():
    root = parse_html('<html><body><div class="x \u212aLARO">a</div><div id="coo" class="kie">b</div>'
                      '<div aria-label="Cookie settings">c</div></body></html>')
    got = prune._attr_matches(prune._Guard(root), prune.CONSENT_ATTRS, prune._CONSENT_ATTR)
    assert [el.text for el in got] == ["a", "c"]


# Pieces for the word tests: every word of the patterns, their near misses and case variants.
ASCII_PIECES = st.sampled_from(["cookie", "COOKIE", "cook", "ie", "consent", "gdpr", "onetrust", "optanon", "cybot",
                                "didomi", "usercentrics", "qc-cmp", "qc_cmp", "truste", "osano", "iubenda", "termly",
                                "cky-", "cky", "cmplz", "borlabs", "klaro", "sp_message", "sp-message", "privacy",
                                "Privacy", "banner", "notice", "bar", "-", "_", "--", "comment", "repl", "Reply",
                                "respond", "disqus", "cta", "CTA", "call", "to", "action", "Call-To-Action", "c", "t",
                                "a", " ", "x"])


@settings(max_examples=400, deadline=None)
@given(st.lists(ASCII_PIECES, max_size=6).map("".join))
def test_ascii_words_decide_like_the_patterns(value):
    # The fast path of _attr_matches for ASCII values: a word found in the lower-cased value
    # is the same test as the case-insensitive pattern's search.
    for pattern, words in prune._ASCII_WORDS.items():
        assert any(w in value.lower() for w in words) == bool(pattern.search(value)), (pattern.pattern, value)


CTA_PIECES = st.sampled_from(["cta", "CTA", "ctas", "Call", "call-to-action", "calltoaction", "to", "-", " ", "box",
                              "blog", "c\u0130ta", "\u0131", "comment"])
CTA_VALUE = st.lists(CTA_PIECES, max_size=3).map("".join)
CTA_ELEMENT = st.tuples(st.sampled_from(["div", "section", "aside", "p", "form", "span", "a"]),
                        st.fixed_dictionaries({}, optional={"id": CTA_VALUE, "class": CTA_VALUE}))


def naive_cta(root):
    """find_cta as it was: every block element tested one by one."""
    return [el for el in root.iter(*prune.CTA_TAGS)
            if prune._names_cta(el) and len(" ".join(el.text_content().split())) <= prune.MAX_CTA_CHARS]


@settings(max_examples=150, deadline=None)
@given(st.lists(CTA_ELEMENT, max_size=8), st.booleans())
def test_cta_scan_finds_what_a_test_per_element_finds(elements, nested):
    # Repeated values (the scan looks at distinct values) and nesting come up often here.
    inner = "".join(f"<{tag} " + " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items()) + f">t{i}"
                    + ("" if nested else f"</{tag}>") for i, (tag, attrs) in enumerate(elements))
    root = parse_html(f"<html><body><main><h1>Title</h1>{inner}</main><div>{'words ' * 50}</div></body></html>")
    guard = prune._Guard(root)
    assert prune.find_cta(root, guard) == [el for el in naive_cta(root) if guard.allows(el)]


LANDMARK_TAG = st.sampled_from(["nav", "menu", "header", "footer", "div", "section", "article", "span"])
LANDMARK_ATTRS = st.fixed_dictionaries({}, optional={"role": st.sampled_from(["", "navigation", "main", "Banner dialog", "x"]),
                                                     "aria-modal": st.sampled_from(["true", "false"]),
                                                     "hidden": st.just(""), "class": st.just("c")})
_OLD_CANDIDATES = lxml.etree.XPath(
    "descendant-or-self::*[self::nav or self::menu or self::header or self::footer or @role or @aria-modal or @hidden]")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(LANDMARK_TAG, LANDMARK_ATTRS, st.integers(0, 2)), max_size=10))
def test_landmark_candidates_are_the_xpath_selection(elements):
    # The one-pass scan of _Guard selects the elements the former XPath did, in the same order.
    parts, open_tags = [], []
    for tag, attrs, closes in elements:
        parts.append(f"<{tag} " + " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items()) + ">x")
        open_tags.append(tag)
        for _ in range(min(closes, len(open_tags))):
            parts.append(f"</{open_tags.pop()}>")
    for root in (parse_html("<html><body>" + "".join(parts) + "</body></html>"),
                 lxml.html.document_fromstring("<html><body><!-- c -->" + "".join(parts) + "</body></html>")):
        assert prune._Guard(root).landmark_candidates == _OLD_CANDIDATES(root)
