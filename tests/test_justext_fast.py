"""cleaner.extract.justext_fast gives jusText's paragraphs and classes exactly, attribute by attribute.

The original is jusText 3.0.2's ``ParagraphMaker`` (over ``lxml.sax.saxify``) and
``classify_paragraphs``; both sides then go through jusText's ``revise_paragraph_classification``.
Trees are generated (HTML source parsed as trafilatura parses it, and trees built with lxml's
API, which can hold what the parser never makes: processing instructions, namespaced tags,
entity references), and the pages of ``corpus_samples/html`` after trafilatura's cleaning.
"""
from __future__ import annotations

import functools
import os
import random
import re
import sys
from copy import deepcopy

import lxml.etree as etree
import lxml.html
import pytest
import trafilatura.external as te
from hypothesis import HealthCheck, given, settings, strategies as st
from justext import core as jt
from justext.utils import normalize_whitespace
from trafilatura.baseline import basic_cleaning
from trafilatura.htmlprocessing import tree_cleaning
from trafilatura.settings import Extractor
from trafilatura.utils import load_html

from cleaner.extract import justext_fast as jf, stoplists

SAMPLES = os.path.join(os.path.dirname(__file__), os.pardir, "corpus_samples", "html")
ATTRS = ("dom_path", "xpath", "text_nodes", "text", "chars_count_in_links", "tags_count",
         "cf_class", "heading", "class_type")
#: trafilatura's arguments (try_justext), and jusText's defaults (headings on).
CLASSIFY_ARGS = ((50, 150, 0.1, 0.2, 0.25, True), ())
STOPLIST = ("the", "and", "of", "in", "is", "it", "to", "a", "der", "und", "THAT", "Über", "que")
PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

WORDS = ("the", "The", "and", "of", "in", "harbour", "boats", "wait", "für", "Über", "que", "日本語", "ÇA",
         "tide", "x", "The-end.", "THAT", "it", "is", "to")
#: Words that make a paragraph bad at once (a copyright sign), or nothing special ("").
MARKS = ("",) * 12 + ("©", "&copy", "select")
SEPARATORS = (" ",) * 8 + ("  ", "\n", " \n ", "\r\n", "\t", "\xa0", "\u2028", "\x85", "\u3000", "\x0b", "\x0c",
                           "\x1f", "")
BLOCKS = ("div", "p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "td", "ul", "li", "select", "option",
          "pre", "blockquote", "form", "textarea", "dd", "body")
INLINE = ("span", "a", "a", "b", "i", "em", "br", "br", "br", "img", "font", "strong", "h7", "hx")


def _text(rng: random.Random) -> str:
    """Up to 40 words with varied white space between them, now and then a copyright sign or "select"."""
    words = rng.choices(WORDS, k=rng.choice((1, 2, 5, 12, 25, 40)))
    return "".join(w + rng.choice(SEPARATORS) for w in words) + rng.choice(MARKS)


def _content(rng: random.Random, depth: int = 0) -> list:
    """A random element content: ``[("text", str) | ("comment", str) | ("pi", str) | ("el", tag, content)]``.

    Texts (some blank), inline and block elements nested up to 6 deep, runs of ``<br>``,
    comments and processing instructions (whose tails are the texts after them).
    """
    items: list = []
    for _ in range(rng.randint(0, 6 if depth < 4 else 2)):
        kind = rng.choices(("text", "blank", "block", "inline", "brs", "comment", "pi"), (6, 2, 4, 4, 2, 1, 1))[0]
        if kind == "text":
            items.append(("text", _text(rng)))
        elif kind == "blank":
            items.append(("text", "".join(rng.choices(SEPARATORS, k=rng.randint(1, 3)))))
        elif kind in ("block", "inline"):
            tag = rng.choice(BLOCKS if kind == "block" else INLINE)
            items.append(("el", tag, _content(rng, depth + 1) if depth < 6 and tag not in ("br", "img") else []))
        elif kind == "brs":
            for _ in range(rng.randint(1, 3)):
                items.append(("el", "br", []))
                if rng.random() < 0.3:
                    items.append(("text", rng.choice((" ", "\n", "x", "the tide"))))
        else:
            items.append((kind, _text(rng)))
    return items


#: Random contents, one per seed (:func:`_content`).
contents = st.integers(0, 2**32 - 1).map(lambda seed: _content(random.Random(seed)))


def _html(items) -> str:
    """HTML source of the content (PIs become what the HTML parser makes of ``<?...>``)."""
    out = []
    for kind, *rest in items:
        if kind == "text":
            text = rest[0].replace("&", "&amp;").replace("<", "&lt;")
            out.append(text.replace("©", "&copy;").replace("\xa0", "&nbsp;"))   # entities, for the parser
        elif kind == "comment":
            out.append(f"<!--{rest[0].replace('-', '')}-->")
        elif kind == "pi":
            out.append(f"<?php {rest[0].replace('>', '')} ?>")
        else:
            tag, inner = rest
            out.append(f"<{tag}>{_html(inner)}</{tag}>" if tag not in ("br", "img") else f"<{tag}>")
    return "".join(out)


#: lxml's API takes no control characters but white space: the others become other white space.
XML_SAFE = str.maketrans({"\x0b": "\u2029", "\x0c": "\u2009", "\x1f": "\r"})


def _fill(parent, items, namespaced: bool) -> None:
    """Build the content under ``parent`` with lxml's API (texts become text or tails)."""
    last = None
    for kind, *rest in items:
        rest = [r.translate(XML_SAFE) if isinstance(r, str) else r for r in rest]
        if kind == "text":
            if last is None:
                parent.text = (parent.text or "") + rest[0]
            else:
                last.tail = (last.tail or "") + rest[0]
            continue
        if kind == "comment":
            last = etree.Comment(rest[0].replace("-", ""))
        elif kind == "pi":
            last = etree.ProcessingInstruction("php", rest[0].replace("?>", ""))
        else:
            tag, inner = rest
            if namespaced and tag in ("a", "span", "p"):
                tag = "{http://example.org/ns}" + tag
            last = etree.Element(tag)
            _fill(last, inner, namespaced)
        parent.append(last)


def _observed(maker, classify, root, args):
    """Each paragraph's attributes after make, classify and revise; or the exception's type."""
    try:
        paragraphs = maker.make_paragraphs(root)
        classify(paragraphs, STOPLIST, *args)
        jt.revise_paragraph_classification(paragraphs, *args[1:2])
    except Exception as err:   # both sides must fail alike (trafilatura then keeps no jusText text)
        return type(err)
    return [tuple(getattr(p, a) for a in ATTRS) for p in paragraphs]


def assert_same(root) -> None:
    for args in CLASSIFY_ARGS:
        want = _observed(jt.ParagraphMaker, jt.classify_paragraphs, root, args)
        got = _observed(jf.ParagraphMaker, jf.classify_paragraphs, root, args)
        assert got == want


@PROPERTY
@given(contents)
def test_parsed_html_gives_justexts_paragraphs(items):
    tree = load_html(f"<html><body>{_html(items)}</body></html>")
    if tree is None:
        return
    assert_same(tree)
    assert_same(basic_cleaning(deepcopy(tree)))
    assert_same(tree.getroottree())


@PROPERTY
@given(contents, contents, st.booleans(), st.integers(0, 3))
def test_built_trees_give_justexts_paragraphs(items, around, namespaced, pis):
    """Trees the parser never makes: PIs anywhere, namespaced tags, PIs next to the walked element."""
    root = lxml.html.Element("html")
    body = etree.SubElement(root, "body")
    _fill(body, around, namespaced)
    walked = etree.Element("div")
    _fill(walked, items, namespaced)
    walked.tail = " tail of the walked element "
    body.insert(len(body) // 2, walked)
    for i in range(pis):   # processing instructions before and after it, with tails
        before = etree.ProcessingInstruction("b", str(i))
        before.tail = f"before {i} \n"
        walked.addprevious(before)
        after = etree.ProcessingInstruction("a", str(i))
        after.tail = f"after {i}"
        walked.addnext(after)
    assert_same(walked)
    assert_same(root)


def _boundary_page() -> str:
    """Paragraphs at the classification's boundaries, for jusText's and trafilatura's arguments:
    lengths 49-51, 69-71, 149-151, 199-201; stop-word shares k/10, k/20, k/25 (0.1, 0.2, 0.25,
    0.3, 0.32 among them); link shares k/80 (0.2 and 0.25 among them) and links in short ones."""
    paragraphs = []
    for words in (10, 20, 25):
        for stop in range(words + 1):
            for length in (49, 50, 51, 69, 70, 71, 149, 150, 151, 199, 200, 201):
                text = " ".join(["the"] * stop + ["zzz"] * (words - stop))
                if words - stop and len(text) <= length:
                    paragraphs.append(text + "z" * (length - len(text)))
    for k in range(1, 41):   # 80 characters, k in a link, mostly stop words
        words = ("the " * 40)[:79 - k]
        paragraphs.append(f"{words[:-1] + 'x' if words.endswith(' ') else words} <a>{'y' * k}</a>")
    paragraphs += [f"{'x' * 40} <a>{'y' * k}</a>" for k in range(3)]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def test_classification_boundaries():
    tree = load_html(f"<html><body>{_boundary_page()}</body></html>")
    assert len(jt.ParagraphMaker.make_paragraphs(tree)) > 300
    assert_same(tree)


def test_entities_fail_as_in_jusText():
    root = lxml.html.fromstring("<html><body><p>one</p><p>two</p></body></html>")
    entity = etree.Entity("amp")
    entity.tail = "after"
    root.find(".//p").append(entity)
    assert _observed(jt.ParagraphMaker, jt.classify_paragraphs, root, ()) is TypeError
    assert_same(root)


def test_odd_roots_and_deep_trees():
    comment = etree.Comment("c")
    holder = etree.Element("div")
    holder.append(comment)
    comment.tail = "comment tail"
    assert_same(comment)
    assert_same(etree.ElementTree())   # no root: both fail
    deep = root = etree.Element("html")
    for i in range(1500):   # deeper than Python's recursion limit (1000); saxify's C recursion copes
        deep = etree.SubElement(deep, ("div", "span", "a", "br")[i % 4])
        deep.text = f"level {i} " if i % 7 == 0 else "  "
    assert_same(root)


SAMPLE_NAMES = sorted(n for n in os.listdir(SAMPLES) if n.endswith((".html", ".htm")))


def _sample_tree(name: str):
    with open(os.path.join(SAMPLES, name), "rb") as fh:
        return load_html(fh.read())


@functools.lru_cache(maxsize=1)
def trafilatura_stoplist() -> tuple[str, ...]:
    """trafilatura's stoplist (every jusText list), leaving ``JT_STOPLIST`` as it was."""
    saved = te.JT_STOPLIST
    try:
        return te.jt_stoplist_init()
    finally:
        te.JT_STOPLIST = saved


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_sample_pages_give_justexts_paragraphs(name):
    """As ``justext_rescue`` sees them: after ``tree_cleaning`` and ``basic_cleaning``, with trafilatura's stoplist."""
    tree = _sample_tree(name)
    for cleaned in (basic_cleaning(tree_cleaning(deepcopy(tree), Extractor())), basic_cleaning(deepcopy(tree))):
        want = jt.ParagraphMaker.make_paragraphs(cleaned)
        got = jf.ParagraphMaker.make_paragraphs(cleaned)
        assert len(want) > 3
        for paragraphs, classify in ((want, jt.classify_paragraphs), (got, jf.classify_paragraphs)):
            classify(paragraphs, trafilatura_stoplist(), 50, 150, 0.1, 0.2, 0.25, True)
            jt.revise_paragraph_classification(paragraphs, 150)
        assert [[getattr(p, a) for a in ATTRS] for p in got] == [[getattr(p, a) for a in ATTRS] for p in want]


def _rescue(tree) -> tuple[str, str]:
    """What ``justext_rescue`` gives for a copy of ``tree``: its body serialised, and its text."""
    body, text = te.justext_rescue(deepcopy(tree), Extractor())
    return etree.tostring(body, encoding="unicode"), text


def test_justext_rescue_is_the_same_with_install(monkeypatch):
    monkeypatch.setattr(jf, "_INSTALLED", False)
    monkeypatch.setattr(te, "ParagraphMaker", jt.ParagraphMaker)
    monkeypatch.setattr(te, "classify_paragraphs", jt.classify_paragraphs)
    monkeypatch.setattr(te, "JT_STOPLIST", trafilatura_stoplist())
    trees = [tree_cleaning(_sample_tree(name), Extractor()) for name in SAMPLE_NAMES]
    before = [_rescue(t) for t in trees]
    assert jf.install() and jf.install()   # idempotent
    assert te.ParagraphMaker is jf.ParagraphMaker and te.classify_paragraphs is jf.classify_paragraphs
    after = [_rescue(t) for t in trees]
    assert after == before
    assert sum(bool(text) for _, text in after) >= 3


def test_install_leaves_other_versions_alone(monkeypatch):
    monkeypatch.setattr(jf, "_INSTALLED", False)
    monkeypatch.setattr(te, "ParagraphMaker", jt.ParagraphMaker)
    monkeypatch.setattr(te, "classify_paragraphs", jt.classify_paragraphs)
    monkeypatch.setattr(jf, "SUPPORTED", ("3.0.1",) + jf.SUPPORTED[1:])
    assert jf.install() is False
    assert te.ParagraphMaker is jt.ParagraphMaker and te.classify_paragraphs is jt.classify_paragraphs


def test_warm_stoplist_installs(monkeypatch):
    monkeypatch.setattr(stoplists, "_WARM", False)
    monkeypatch.setattr(jf, "_INSTALLED", False)
    monkeypatch.setattr(te, "ParagraphMaker", jt.ParagraphMaker)
    monkeypatch.setattr(te, "classify_paragraphs", jt.classify_paragraphs)
    monkeypatch.setattr(te, "JT_STOPLIST", ("only", "these"))   # no cache read or written
    stoplists.warm_stoplist()
    assert te.ParagraphMaker is jf.ParagraphMaker and te.classify_paragraphs is jf.classify_paragraphs


def test_stopword_sets_are_made_once_per_stoplist():
    words = tuple(f"Word{i}" for i in range(1000))
    first = jf.stopword_set(words)
    assert first == jt.define_stoplist(words) and jf.stopword_set(words) is first
    assert jf.stopword_set(tuple(list(words))) == first   # an equal tuple, another object
    with pytest.raises(TypeError):   # unhashable, as in define_stoplist
        jf.stopword_set(["the"])


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab \n\r\t\xa0\u2028\u2029\x85\x0b\x0c\x1c\u3000\u200b"), max_size=40))
def test_fold_whitespace_is_normalize_whitespace(text):
    assert jf.fold_whitespace(text) == normalize_whitespace(text)


def test_fold_whitespace_shortcut_holds_for_every_character():
    """The shortcut's premise: every white-space character (re's ``\\s``) but " " is unprintable."""
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    spaces = set(re.findall(r"\s", every))
    assert spaces == {c for c in every if c.isspace()}
    assert [c for c in spaces if c.isprintable()] == [" "]
