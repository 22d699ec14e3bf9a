"""One walk for two jobs: the chrome finders' page attributes (prune.PageAttrs), read right after parsing,
also tell drop_line_numbers when a page has no line-number class; the tree and the chrome found stay as before."""
import lxml.html
from hypothesis import example, given, settings, strategies as st

from cleaner.extract.code_text import LINE_NUMBER_CLASSES, drop_line_numbers
from cleaner.extract.main_content import _parse_clean, _parse_clean_read
from cleaner.extract.prune import PageAttrs, find_chrome

# Class values at and around the line-number classes: exact names, names among others, near misses
# (case, prefix, suffix, glued), separators str.split() knows (tab, no-break space is not one, U+2003 is).
CLASSES = st.sampled_from(sorted(LINE_NUMBER_CLASSES) + [
    "Linenos", "linenos2", "xlinenos", "code linenos", "linenos\thl", "gutter\u2003x", "gutter\u00a0x", "line-numbers-row",
    "codemirror-linenumber", "nav", "comments", "menu", "", "cookie-banner", "hljs-ln-numbers lines"])
TEXTS = st.sampled_from(["1", "12\n13", " 4. ", "1:2", "", "x = 1", "Home", "Comments (3)"])
TAGS = st.sampled_from(["div", "td", "span", "pre", "code", "nav", "p", "li"])


@st.composite
def pages(draw, depth=0):
    n = draw(st.integers(0, 3 if depth < 3 else 0))
    parts = []
    for _ in range(n):
        tag = draw(TAGS)
        cls = draw(st.none() | CLASSES)
        attr = f' class="{cls}"' if cls is not None else ""
        inner = draw(pages(depth + 1))
        if tag == "td":
            parts.append(f"<table><tr><td{attr}>{draw(TEXTS)}{inner}</td><td>x</td></tr></table>")
        else:
            parts.append(f"<{tag}{attr}>{draw(TEXTS)}{inner}</{tag}>{draw(TEXTS)}")
    return "".join(parts)


def _html(body):
    return f"<html><head><title>t</title></head><body><h1>T</h1>{body}</body></html>"


@settings(max_examples=600, deadline=None)
@given(pages())
@example('<pre><span class="linenos">1</span>x = 1</pre>')
@example('<pre><span class="code linenos">1</span>x</pre><div class="gutter">2</div>')
@example('<div class="linenos\tx">1</div>')
def test_drop_line_numbers_with_class_values_drops_the_same(body):
    a = lxml.html.document_fromstring(_html(body))
    b = lxml.html.document_fromstring(_html(body))
    values = PageAttrs(b).distinct("class")
    assert drop_line_numbers(b, values) == drop_line_numbers(a)
    assert lxml.html.tostring(a) == lxml.html.tostring(b)


@settings(max_examples=300, deadline=None)
@given(pages())
@example('<nav class="menu">Home</nav><pre><span class="linenos">1</span>x = 1</pre><div class="comments">c</div>')
@example('<pre><span class="linenos">1<nav>2</nav></span>x = 1</pre>')   # chrome inside dropped line numbers is gone
def test_parse_clean_read_gives_the_tree_and_chrome_of_parse_clean(body):
    plain = _parse_clean(_html(body))
    root, attrs = _parse_clean_read(_html(body))
    assert lxml.html.tostring(root) == lxml.html.tostring(plain)

    def described(found):
        return [(kind, el.tag, el.get("class"), el.text_content()) for kind, el in found]

    assert described(find_chrome(root, attrs=attrs)) == described(find_chrome(plain))


ITEMTYPES = st.sampled_from(["https://schema.org/Article", "https://schema.org/QAPage", "http://schema.org/DiscussionForumPosting",
                             "qapage", ""])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(TAGS, st.none() | ITEMTYPES, st.none() | CLASSES), max_size=6), st.none() | st.sampled_from(
    ["https://x.org/t/slug/12", "https://x.org/about"]))
def test_is_discussion_with_read_itemtypes_decides_the_same(elements, url):
    from cleaner.extract.discussion import is_discussion

    body = "".join(f"<{t}{f' itemtype={v!r}' if v is not None else ''}{f' class={c!r}' if c is not None else ''}>x</{t}>"
                   for t, v, c in elements)
    root, attrs = _parse_clean_read(_html(body))
    if attrs is not None:
        assert is_discussion(root, url, attrs.itemtypes) == is_discussion(root, url)
        assert attrs.itemtypes == [v for _, v, _ in elements if v is not None]
