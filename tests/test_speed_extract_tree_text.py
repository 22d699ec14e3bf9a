"""The fast paths of cleaner.extract.tree_text decide like the plain code they replace."""
import lxml.etree
import lxml.html
import regex
from hypothesis import given, settings, strategies as st

from cleaner.extract import tree_text
from cleaner.extract.main_content import parse_html


def reference_line_key(line):
    return " ".join(regex.findall(r"\w+", line.lower()))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ09_ -'.,\n\t!é\u0130\u212a\u0301ß"), max_size=30) | st.text(max_size=20))
def test_line_key_is_the_regex_key(line):
    # ASCII lines take the re path; the others (and combining marks, İ, K) the regex path.
    assert tree_text.line_key.__wrapped__(line) == reference_line_key(line)


def reference_render_blocks(root, skip=()):
    """render_blocks as it was: pieces tagged in/out of a link, then joined at each "\\n" piece."""
    parts = []
    walker = lxml.etree.iterwalk(root, events=("start", "end"))
    depth_a = 0
    for event, el in walker:
        tag = el.tag if isinstance(el.tag, str) else ""
        block = tag in tree_text.BLOCK_TAGS
        if event == "start":
            if block:
                parts.append(("\n", False))
            if el in skip:
                walker.skip_subtree()
                continue
            if tag == "a":
                depth_a += 1
            if el.text and tag:
                parts.append((el.text, depth_a > 0))
        else:
            if tag == "a" and el not in skip:
                depth_a -= 1
            if block:
                parts.append(("\n", False))
            if el.tail and el is not root:
                parts.append((el.tail, depth_a > 0))
    out, line, linked = [], [], 0
    for text, in_link in parts + [("\n", False)]:
        if text == "\n":
            s = " ".join("".join(line).split())
            if s:
                out.append((s, min(len(s), linked)))
            line, linked = [], 0
        else:
            line.append(text)
            if in_link:
                linked += len(" ".join(text.split()))
    return out


TAGS = st.sampled_from(["a", "span", "b", "li", "p", "div", "br", "ul", "td"])
TEXT = st.sampled_from(["", "\n", " ", "word", "two words", "\n\n", " x\n", "\ta b "])


@st.composite
def fragments(draw, depth=0):
    """HTML with inline and block elements, links, and text nodes that are exactly a line break."""
    out = []
    for _ in range(draw(st.integers(0, 4))):
        tag = draw(TAGS)
        inner = draw(fragments(depth + 1)) if depth < 3 and tag != "br" else ""
        out.append(f"<{tag}>{draw(TEXT)}{inner}</{tag}>" if tag != "br" else "<br>")
        out.append(draw(TEXT))
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(fragments(), st.integers(0, 5))
def test_render_blocks_is_the_reference(html, skip_every):
    root = parse_html(f"<html><body><div>{html}</div></body></html>")
    body = root.find("body")
    elements = [el for el in body.iter() if el is not body]
    skip = set(elements[::skip_every]) if skip_every else set()
    for top in [body, *elements[:4]]:
        assert tree_text.render_blocks(top, skip) == reference_render_blocks(top, skip)
        assert tree_text.render_blocks(top) == reference_render_blocks(top)
