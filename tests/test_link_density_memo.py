"""The link-density memo (cleaner.extract.link_density_memo) changes no result of trafilatura's pruning.

Trees where the first pass of ``delete_by_link_density`` deletes elements whose deletion
changes the answer for other elements in the second pass (their ancestors, the previous
sibling that becomes the last child or takes the tail, links whose text loses a part), run
through ``prune_unwanted_sections``, ``trafilatura.extract`` and cleaner's extraction with
and without the memo.
"""
from __future__ import annotations

import contextlib
import copy

import lxml.etree as etree
import lxml.html
import pytest
import trafilatura
import trafilatura.htmlprocessing as hp
import trafilatura.main_extractor as me
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from trafilatura.settings import Extractor

from cleaner.extract import link_density_memo as ldm

pytestmark = pytest.mark.skipif(trafilatura.__version__ not in ldm.VERSIONS, reason="memo pinned to its versions")

LONG = "Prose that reads like an article sentence with enough words in it to count. "
TEXTS = ["", " ", "\n  ", "a", "Home", "News ", "x y", LONG, LONG * 2, LONG * 5, "word" * 30]
OPTIONS = {"balanced": Extractor(), "precision": Extractor(precision=True), "recall": Extractor(recall=True)}


@contextlib.contextmanager
def memo(on: bool):
    """The memo installed (``on``) or trafilatura's originals; the very functions there were before
    are put back afterwards (installing again would make new wrappers: other tests compare identities)."""
    from cleaner.extract.xpath_install import install
    install()   # once a process (it installs the memo too): not later, inside a block, where it would be undone
    names = ((hp, "link_density_test"), (hp, "collect_link_info"), (hp, "delete_element"),
             (me, "delete_element"), (me, "prune_unwanted_sections"))
    saved = [(module, name, getattr(module, name)) for module, name in names]
    (ldm.install if on else ldm.uninstall)()
    assert ldm.installed() == on
    try:
        yield
    finally:
        for module, name, function in saved:
            setattr(module, name, function)


_PARSER = lxml.html.HTMLParser()


def build(spec) -> lxml.html.HtmlElement:
    """An HtmlElement tree from ``(tag, text, tail, children)``."""
    def make(parent, node):
        tag, text, tail, children = node
        elem = _PARSER.makeelement(tag) if parent is None else etree.SubElement(parent, tag)
        elem.text, elem.tail = text or None, tail or None
        for child in children:
            make(elem, child)
        return elem
    return make(None, spec)


def pruned(spec, focus: str, tags: frozenset, on: bool) -> str:
    with memo(on):
        tree = build(spec)
        out = me.prune_unwanted_sections(tree, set(tags), OPTIONS[focus])
        return etree.tostring(out, encoding="unicode", with_tail=True)


def same_pruning(spec, focus="balanced", tags=frozenset({"table"})) -> str:
    without = pruned(spec, focus, tags, False)
    assert pruned(spec, focus, tags, True) == without
    return without


def N(tag, text="", tail="", *children):
    return (tag, text, tail, list(children))


def refs(n, text="Link", tail=" "):
    return [N("ref", f"{text}{k}", tail) for k in range(n)]


# --- hand-made trees: a deletion in the first pass changes an answer in the second ---------

def test_ancestor_of_a_deleted_link_farm_is_tested_again():
    # pass 1 keeps the outer div (100+ characters, few short links, 3 children, too long to
    # backtrack) and deletes its inner farm; in pass 2 the outer div is two links and a space,
    # link-dense: it goes, which its pass-1 answer (and 2 children: no backtracking) would not say
    farm = N("div", "Prose that is not a link, some words. ", "", *refs(6, "Lnk", " "))
    outer = N("div", "", "", farm, N("ref", "Menu entry long 0", " "), N("ref", "Menu entry long 1"))
    spec = N("body", "", "", outer)
    out = same_pruning(spec)
    assert "Menu entry" not in out


def test_previous_sibling_becomes_the_last_child():
    # the middle div (not last: limit 100) survives pass 1; its next sibling goes; in pass 2 it
    # is the last child (limit 300) and goes too
    middle = N("div", "Some words of text between the links here and there and more. ", "",
               *refs(3, "Category link long "))
    spec = N("body", "", "", N("div", "", "", N("p", LONG * 4), middle, N("div", "", "", *refs(5))))
    same_pruning(spec)
    for focus in OPTIONS:
        same_pruning(spec, focus)


def test_tail_moves_into_the_previous_sibling():
    # the deleted list's tail goes to the previous paragraph's tail, so the parent's text keeps it,
    # but the previous paragraph is now the last child
    para = N("p", "", "", N("ref", "A long enough link text for the test"), )
    lst = N("list", "", " tail text that moves " * 3, *[N("item", "", "", N("ref", f"x{k}")) for k in range(4)])
    spec = N("body", "", "", N("div", "Lead ", "", para, lst), N("div", LONG * 3))
    same_pruning(spec)


def test_paragraphs_in_items_and_cells_and_graphics():
    cell = N("td", "", "", N("p", "", "", N("ref", "Only a link")))
    item = N("item", "", "", N("p", "", "", N("ref", "Only a link too")))
    pic = N("div", "", "", N("graphic"), *refs(4))
    spec = N("body", "", "", N("div", "", "", N("list", "", "", item), N("table", "", "", N("row", "", "", cell)), pic),
             N("div", LONG * 3))
    for focus in OPTIONS:
        same_pruning(spec, focus, frozenset({"table", "graphic"}))
        same_pruning(spec, focus, frozenset())


def test_link_text_loses_a_deleted_part():
    # a link holding a farm div: pass 1 keeps the outer div (the long link is not short, the text
    # is long enough) and deletes the farm; in pass 2 the link's text is "Read" (short), so both of
    # the outer div's links are short: it goes, which the link's pass-1 text would not say
    farm = N("div", "", "", *refs(6, "Link long ", " "))
    spec = N("body", "", "", N("div", "word " * 24, "", N("ref", "Read", " ", farm), N("ref", "Q")))
    out = same_pruning(spec)
    assert "Read" not in out
    for focus in OPTIONS:
        same_pruning(spec, focus)


def test_favor_precision_is_part_of_the_key():
    elem = build(N("div", "", "", N("ref", "A link text of twenty")))
    expected = [hp.link_density_test(elem, fp) for fp in (False, True, False)]
    with memo(True):
        run = ldm.scoped(lambda: [hp.link_density_test(elem, fp) for fp in (False, True, False)])
        assert run() == expected
    assert expected[0] != expected[1]


def test_memo_is_not_kept_across_calls():
    # the same elements pruned twice, the tree changed in between by other means: the link div,
    # kept the first time, is link-dense the second time
    opts = OPTIONS["balanced"]

    def run(on):
        with memo(on):
            tree = build(N("body", "", "", N("div", LONG * 4, "", *refs(3, "Link text ")), N("div", LONG * 4)))
            first = etree.tostring(me.prune_unwanted_sections(tree, {"ref"}, opts), encoding="unicode")
            tree[0].text = None   # the refs stay (potential tag): the div is now link-dense
            second = etree.tostring(me.prune_unwanted_sections(tree, {"ref"}, opts), encoding="unicode")
            return first, second
    first, second = run(False)
    assert "Link text" in first and "Link text" not in second
    assert run(True) == (first, second)


def test_outside_a_pruning_run_the_test_is_the_original():
    tree = build(N("div", "", "", *refs(5)))
    with memo(True):
        assert hp.link_density_test(tree, False) == (True, True)
        tree.text = LONG * 6
        assert hp.link_density_test(tree, False) == (False, False)
        assert hp.collect_link_info(tree.findall(".//ref"))[0] == len("Link0") * 5


def test_the_memo_answers_the_second_pass():
    calls = []
    spec = N("body", "", "", *[N("div", LONG * 3, "", N("p", LONG, "", *refs(2))) for _ in range(5)])
    with memo(True):
        wrapped = hp.link_density_test
        original = wrapped._cleaner_link_density_memo
        hp.link_density_test = ldm.memoized(lambda e, fp=False: calls.append(e) or original(e, fp))
        try:
            me.prune_unwanted_sections(build(spec), set(), OPTIONS["balanced"])
        finally:
            hp.link_density_test = wrapped
    assert len(calls) == len(set(map(id, calls))) == 10   # nothing deleted: each div and p tested once


def test_install_is_idempotent_and_reversible():
    with memo(True):
        first = hp.link_density_test
        ldm.install()
        assert hp.link_density_test is first
    with memo(False):
        assert not hasattr(hp.link_density_test, "_cleaner_link_density_memo")
        assert me.delete_element is trafilatura.xml.delete_element


# --- generated trees -----------------------------------------------------------------------

_text = st.sampled_from(TEXTS)
_leaf = st.one_of(
    st.tuples(st.just("ref"), st.sampled_from(["L", "Home", "A longer link text here", "Read more", LONG]), _text,
              st.just([])),
    st.tuples(st.just("graphic"), st.just(""), _text, st.just([])),
    st.tuples(st.sampled_from(["p", "hi", "head"]), _text, _text, st.just([])),
)


def _nodes(children):
    return st.tuples(st.sampled_from(["div", "div", "div", "list", "item", "p", "td", "quote", "head", "ref", "hi"]),
                     _text, _text, st.lists(children, max_size=6))


_tree = st.tuples(st.just("body"), _text, st.just(""),
                  st.lists(st.recursive(_leaf, _nodes, max_leaves=40), min_size=1, max_size=5))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tree, st.sampled_from(sorted(OPTIONS)), st.sampled_from([frozenset(), frozenset({"table", "graphic"})]))
@example(N("body", "", "", N("div", "", "", N("div", "", "", *refs(6)), *refs(3, "Menu entry "))), "balanced", frozenset())
def test_generated_trees_prune_the_same(spec, focus, tags):
    same_pruning(spec, focus, tags)


_HTML_TAGS = {"div": "div", "list": "ul", "item": "li", "p": "p", "hi": "b", "head": "h2", "quote": "blockquote",
              "td": "div", "ref": "a", "graphic": "img", "body": "body"}


def to_html(node) -> str:
    tag, text, tail, children = node
    name = _HTML_TAGS[tag]
    if name == "img":
        return f'<img src="/i{len(tail)}.png" alt="picture">{tail}'
    attrs = ' href="/page"' if name == "a" else ""
    inner = "".join(to_html(c) for c in children)
    return f"<{name}{attrs}>{text}{inner}</{name}>{tail}"


def page(spec) -> str:
    return f"<html><head><title>Title</title></head>{to_html(spec)}</html>"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tree, st.sampled_from(sorted(OPTIONS)))
def test_generated_pages_extract_the_same(spec, focus):
    html = page(spec)
    kw = {"favor_precision": focus == "precision", "favor_recall": focus == "recall", "deduplicate": False}
    with memo(False):
        without = trafilatura.extract(html, output_format="xml", **kw)
    with memo(True):
        assert trafilatura.extract(html, output_format="xml", **kw) == without


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tree)
def test_generated_pages_clean_the_same(spec):
    from cleaner.config import Options
    from cleaner.extract.main_content import extract
    html = page(N("body", "", "", N("div", LONG * 3), spec))
    with memo(False):
        without = extract(html, Options())
    with memo(True):
        with_memo = extract(html, Options())
    assert (with_memo.title, with_memo.text) == (without.title, without.text)
