"""trafilatura's regular-expression XPaths, guarded by their attribute, select exactly what they selected."""
from __future__ import annotations

import re
import sys
import types

import lxml.etree
import lxml.html
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from cleaner.extract import xpath_guards as G
from cleaner.extract import xpath_install as I
from cleaner.extract.xpath_guards import guarded, prefiltered

NS = {"re": G.REGEXP_NS}


def _memo(arg: str, pattern: str, flags: str = "") -> str:
    """The memoised test ``guarded`` writes for ``re:test(arg, 'pattern'[, 'flags'])``."""
    k = G._patterns[(pattern, flags)]
    return f"cx:test(string({arg}), {k})"


@pytest.mark.parametrize("path, expected", [
    (".//*[re:test(@class, 'comment')]", lambda: f".//*[(@class and {_memo('@class', 'comment')})]"),
    (".//div[re:test(@id|@class, '^side', 'i')]",
     lambda: f".//div[(@id|@class and {_memo('@id|@class', '^side', 'i')})]"),
    ('.//*[re:test( @id | @class , "(^|\\s)link(\\s|$)")]',
     lambda: ".//*[(@id | @class and " + _memo("@id | @class", "(^|\\s)link(\\s|$)") + ")]"),
    (".//a[@href][re:test(@class, 'x') or re:test(@id, 'y')][1]",
     lambda: f".//a[@href][(@class and {_memo('@class', 'x')}) or (@id and {_memo('@id', 'y')})][1]"),
    (".//*[re:test(@data-role, 'menu')]", lambda: f".//*[(@data-role and {_memo('@data-role', 'menu')})]"),
    (".//*[(@id and re:test(@id, 'x'))]", lambda: f".//*[(@id and {_memo('@id', 'x')})]"),   # guarded already
])
def test_a_test_of_attributes_with_a_pattern_that_cannot_match_nothing_is_guarded_and_memoised(path, expected):
    got = guarded(path)
    assert got == expected()
    assert guarded(got) == got   # twice: nothing more
    lxml.etree.XPath(got, namespaces=G.NAMESPACES)   # compiles


def test_one_pattern_with_its_flags_gets_one_number():
    one = guarded(".//*[re:test(@class, 'share-box')]")
    assert guarded(".//p[re:test(@id, 'share-box')]").endswith(one[one.index(", "):])
    assert guarded(".//*[re:test(@class, 'share-box', 'i')]") != one


def test_the_guarded_tests_of_one_predicates_or_become_one_call():
    path = guarded(".//div[re:test(@id, 'a1') or @role='x' or re:test(@class, 'b1')][p or re:test(@id, 'c1')]")
    k = {name: G._patterns[(name, "")] for name in ("a1", "b1", "c1")}
    assert G.merged(path) == (
        f".//div[((@id or @class) and cx:any(string(@id), {k['a1']}, string(@class), {k['b1']})) or @role='x']"
        f"[p or (@id and cx:test(string(@id), {k['c1']}))]")


@pytest.mark.parametrize("path", [
    ".//div[(re:test(@id, 'a2') or re:test(@class, 'b2'))]",          # an or inside parentheses
    ".//div[re:test(@id, 'a2') and re:test(@class, 'b2')]",           # and
    ".//div[re:test(@id, 'a2') or contains(@class, 'or re:test(@id, x)')]",   # one test; or in a string
])
def test_merging_leaves_what_is_not_an_or_of_two_guarded_tests(path):
    assert G.merged(guarded(path)) == guarded(path)


def test_merging_reaches_predicates_inside_predicates_and_twice_changes_nothing():
    path = guarded(".//div[.//p[re:test(@id, 'a3') or re:test(@class, 'b3')]]")
    once = G.merged(path)
    assert once.count("cx:any(") == 1 and "cx:test(" not in once
    assert G.merged(once) == once
    lxml.etree.XPath(once, namespaces=G.NAMESPACES)


def test_the_merged_call_answers_as_the_tests_it_replaces():
    ks = [G._number(["@class", repr(p)]) for p in ("comment", "^side")]
    for values in (("x", "y"), ("my comment", "y"), ("x", "sidebar"), ("", "")):
        pairs = [a for v, k in zip(values, ks) for a in (v, float(k))]
        assert G.memo_any(None, *pairs) is any(G.memo_test(None, v, float(k)) for v, k in zip(values, ks))


def test_a_guard_is_narrowed_to_the_literals_its_pattern_requires():
    path = G.merged(guarded(".//div[re:test(@id, '^[Cc]omment(?!ary)|disqus') or re:test(@class, 'articleBody|post-?text')]"))
    got = prefiltered(path)
    assert got.startswith(".//div[(((contains(@id, 'disqus') or contains(@id, 'omment')) or "
                          "(contains(@class, 'articleBody') or contains(@class, 'post'))) and cx:any(")
    assert got.endswith(path[path.index("cx:any("):])   # the callback is the same
    assert prefiltered(got) == got
    lxml.etree.XPath(got, namespaces=G.NAMESPACES)


@pytest.mark.parametrize("pattern, flags", [
    ("fulltext", "i"),                 # matched without case: lxml's flag
    ("(?i)fulltext", ""),              # an inline flag
    ("\\d+|y", ""),                     # a branch without a literal: no set
    ("|".join(f"w{n}x" for n in range(G.MAX_PREFILTER_LITERALS + 1)), ""),   # too many literals
])
def test_a_pattern_without_a_usable_literal_set_keeps_its_plain_guard(pattern, flags):
    call = f"re:test(@class, '{pattern}', '{flags}')" if flags else f"re:test(@class, '{pattern}')"
    path = G.merged(guarded(f".//div[{call} or re:test(@id, 'comment')]"))
    got = prefiltered(path)
    # the plain guard first (an element with a class goes to the callback at once), then the narrowed one
    assert got.startswith(".//div[((@class or (contains(@id, 'comment'))) and cx:any(")
    assert prefiltered(guarded(f".//div[{call}]")) == guarded(f".//div[{call}]")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(("", "comment", "Comment", "x-commentary", "disqus_thread", "DISQUS",
                                           "articleBody", "articlebody", "post-text", "posttext", "nav")),
                          st.sampled_from(("", "commentary", "Comment-box", "articleBody", "side post")),
                          ), min_size=1, max_size=8))
def test_a_narrowed_guard_selects_what_the_test_it_guards_selects(values):
    original = ".//div[re:test(@id, '^[Cc]omment(?!ary)|disqus') or re:test(@class, 'articleBody|post-?text')]"
    copy = lxml.etree.XPath(prefiltered(G.merged(guarded(original))), namespaces=G.NAMESPACES)
    plain = lxml.etree.XPath(original, namespaces=NS)
    body = "".join(f"<div{f' id={i!r}' if i else ''}{f' class={c!r}' if c else ''}>t</div>" for i, c in values)
    root = lxml.html.document_fromstring(f"<html><body>{body}</body></html>")
    assert copy(root) == plain(root)


@pytest.mark.parametrize("path, expected", [
    (".//*[self::div or self::p][@id='x']", "(.//div | .//p)[@id='x']"),
    (".//*[self::div]", "(.//div)"),
    ("(.//*[self::div or self::list][contains(@class, 'a')][not(.//h1)])[1]",
     "((.//div | .//list)[contains(@class, 'a')][not(.//h1)])[1]"),
    (".//*[self::div or self::p][@id='x'][1]",    # the first passing child of each parent
     "(.//div | .//p)[@id='x'][not(preceding-sibling::*[self::div or self::p][@id='x'])]"),
])
def test_a_first_step_that_tests_names_becomes_a_union_of_name_steps(path, expected):
    assert G.tag_union(path) == expected
    assert G.tag_union(expected) == expected


@pytest.mark.parametrize("path", [
    ".//*[self::div or self::p][@id='x'][2]",             # a step's [2] counts per parent
    ".//*[self::div or self::p][position() < 3]",
    ".//*[self::div or self::p][last()]",
    ".//*[self::div or self::p][count(.//a)]",             # a number: compared with the position
    ".//*[self::div or self::p][$n]",
    ".//*[self::div or self::p][@id][string-length(@id) - 1]",
    ".//*[self::div or @id][@id='x']",                    # not only names
    ".//*[self::div]/span",                               # more steps
    "//*[self::div or self::p][@id='x']",                 # from the root
    ".//*[self::div][@id='x'] | .//p",
])
def test_other_paths_keep_their_first_step(path):
    assert G.tag_union(path) == path


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(("comment", "^side", "(^|\\s)link(\\s|$)", "[Cc]omment(?!ary)", "ad-")),
       st.sampled_from(("", "i")),
       st.lists(st.text(alphabet="adeikmnostCSILK \t\u212a\u017f-", max_size=12), min_size=1, max_size=6))
def test_the_memoised_test_answers_as_re_test(pattern, flags, values):
    """``memo_test`` gives ``re.search``'s answer with lxml's flags, the first time and from its memo."""
    k = G._number(["@class", repr(pattern), repr(flags)] if flags else ["@class", repr(pattern)])
    rx = re.compile(pattern, re.UNICODE | (re.IGNORECASE if flags else 0))
    for _ in range(2):
        for v in values:
            assert G.memo_test(None, v, float(k)) is (rx.search(v) is not None)


def test_the_memo_starts_again_when_full(monkeypatch):
    monkeypatch.setattr(G, "MEMO_MAX", 3)
    k = G._number(["@id", "'memo-limit'"])
    memo = G._tests[k][1]
    for i in range(10):
        assert G.memo_test(None, f"x{i} memo-limit", float(k)) is True
        assert len(memo) <= 3


@pytest.mark.parametrize("path", [
    ".//*[re:test(@class, '^(x)?')]",        # matches ''
    ".//*[re:test(@class, 'a*')]",           # matches ''
    ".//*[re:test(@class, 'x|')]",           # matches ''
    ".//*[re:test(@class, '^$')]",           # matches ''
    ".//*[re:test(., 'comment')]",           # not an attribute
    ".//*[re:test(text(), 'comment')]",
    ".//*[re:test(@*, 'comment')]",          # any attribute: not a plain step
    ".//*[re:test(../@id, 'comment')]",      # another element's attribute
    ".//*[re:test(@id, concat('co', 'mment'))]",   # the pattern is not a literal
    ".//*[re:test(@id, @class)]",
    ".//*[re:test(@id, 'comment', 'g')]",    # other flags
    ".//*[re:test(@id, 'comment', 'gi')]",
    ".//*[re:test(@id, 'comment', @class)]",
    ".//*[re:test(@id, '(unclosed')]",       # does not compile
    ".//*[re:test(@id)]",                    # wrong arity
    ".//*[contains(@class, 're:test(@id, \"x\")')]",   # inside a string literal
    ".//*[pre:test(@id, 'x')]",              # another function
])
def test_anything_else_is_left_as_it_is(path):
    assert guarded(path) == path


def test_every_regular_expression_test_of_trafilatura_is_guarded():
    """44 calls in trafilatura 2.3.1, all on ``@id``, ``@class`` or a union of them."""
    I.install()
    pairs = I.replacements()
    assert pairs
    assert sum("re:test(" in original.path for original, _ in pairs) >= 20
    for original, copy in pairs:
        assert copy.path.count("string(") >= original.path.count("re:test(")   # the sibling test repeats some
        assert "re:test(" not in copy.path


# Generated pages -----------------------------------------------------------------------------------

TAGS = ("div", "section", "span", "p", "article", "ul", "li", "a", "main", "aside", "header", "footer", "h1", "h2")
ATTRIBUTES = ("id", "class", "style", "role")
WORDS = ("x", "main", "box", "wrap", "Top", "bar", "display:none", "complementary", "1")


def _tokens() -> list[str]:
    """The plain words of trafilatura's patterns (``comment``, ``post-meta``, ``sidebar``...), at import of this module."""
    import trafilatura.settings
    import trafilatura.xpaths
    paths = [trafilatura.settings.BASIC_CLEAN_XPATH.path]
    paths += [x.path for v in vars(trafilatura.xpaths).values() if isinstance(v, list)
              for x in v if isinstance(x, lxml.etree.XPath)]
    words = set()
    for path in paths:
        for pattern in re.findall(r"re:test\([^,]*,\s*'([^']*)'", path):
            words.update(w for w in re.split(r"[^A-Za-z_-]+", pattern) if len(w) > 2)
    return sorted(words)


TOKENS = tuple(_tokens()) + WORDS
_token = st.sampled_from(TOKENS).flatmap(lambda t: st.sampled_from((t, t.upper(), t.capitalize())))
_value = st.one_of(
    st.just(""),
    st.lists(_token, min_size=1, max_size=3).flatmap(
        lambda ts: st.sampled_from((" ", "-", "_", "")).map(lambda sep: sep.join(ts))),
    st.builds(lambda a, b: f"{a} {b}", _token, _token).map(lambda v: v + " "),
)
_attributes = st.one_of(st.just({}), st.dictionaries(st.sampled_from(ATTRIBUTES), _value, max_size=4))
_element = st.recursive(
    st.tuples(st.sampled_from(TAGS), _attributes, st.sampled_from(("", "text", "comments here")), st.just([])),
    lambda children: st.tuples(st.sampled_from(TAGS), _attributes, st.sampled_from(("", "text")),
                               st.lists(children, max_size=5)),
    max_leaves=40)


def _page(elements) -> lxml.html.HtmlElement:
    root = lxml.html.document_fromstring("<html><head><title>t</title></head><body></body></html>")

    def add(parent, element):
        tag, attrs, text, children = element
        el = lxml.etree.SubElement(parent, tag, attrs)
        el.text = text or None
        for child in children:
            add(el, child)
    for element in elements:
        add(root.find("body"), element)
    return root


def _selected(xpath, root):
    found = xpath(root)
    if isinstance(found, list):
        tree = root.getroottree()
        return [tree.getpath(x) if isinstance(x, lxml.etree._Element) else str(x) for x in found]
    return found


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_element, min_size=1, max_size=4))
def test_the_guarded_xpaths_select_what_trafilaturas_select(elements):
    I.install()
    root = _page(elements)
    for original, copy in I.replacements():
        for context in (root, root.find("body")):
            assert _selected(copy, context) == _selected(original, context), original.path


def test_the_generated_pages_reach_the_tests():
    """The vocabulary is trafilatura's: a page of its tokens has elements its patterns select."""
    I.install()
    body = "".join(f"<div class='{t}' id='{t}'>text</div>" for t in TOKENS)
    root = lxml.html.document_fromstring(f"<html><body>{body}</body></html>")
    assert sum(bool(original(root)) for original, _ in I.replacements()) >= len(I.replacements()) // 2


# Installed --------------------------------------------------------------------------------------------

def _references() -> dict[tuple[str, str], object]:
    """Every trafilatura module global and list item: ``(module, name[index])`` -> the object's id."""
    out = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "trafilatura" or name.startswith("trafilatura.")):
            continue
        for key, value in vars(module).items():
            out[name, key] = id(value)
            if isinstance(value, list):
                for k, item in enumerate(value):
                    out[name, f"{key}[{k}]"] = id(item)
    return out


def test_after_install_trafilatura_holds_the_guarded_objects_and_a_second_install_changes_nothing(monkeypatch):
    import trafilatura.external
    import trafilatura.main_extractor
    import trafilatura.settings
    import trafilatura.xpaths

    I.install()
    baseline = sys.modules["trafilatura.baseline"]   # the package's name ``baseline`` is its function
    copies = {id(c) for _, c in I.replacements()}
    originals = {id(o) for o, _ in I.replacements()}
    assert trafilatura.settings.BASIC_CLEAN_XPATH is baseline.BASIC_CLEAN_XPATH
    assert id(trafilatura.settings.BASIC_CLEAN_XPATH) in copies
    assert all(id(x) in copies for x in trafilatura.xpaths.OVERALL_DISCARD_XPATH)
    assert trafilatura.main_extractor.OVERALL_DISCARD_XPATH is trafilatura.xpaths.OVERALL_DISCARD_XPATH
    assert trafilatura.external.OVERALL_DISCARD_XPATH is trafilatura.xpaths.OVERALL_DISCARD_XPATH
    before = _references()
    assert not originals & set(before.values())     # no module holds an original any more
    assert all("re:test(" not in x.path for x in trafilatura.xpaths.BODY_XPATH if id(x) not in copies)

    n = len(I.replacements())
    I.install()
    monkeypatch.setattr(I, "_installed", False)     # even past the once-a-process flag
    I.install()
    assert _references() == before
    assert len(I.replacements()) == n


def test_install_replaces_a_shared_object_under_every_name_and_in_lists(monkeypatch):
    path = ".//*[re:test(@class, 'nav')]"
    single = lxml.etree.XPath(path, namespaces=NS)
    plain = lxml.etree.XPath(".//p")
    listed = [plain, single]
    held = (single,)
    a = types.ModuleType("trafilatura.fake_a")
    a.X, a.L, a.T, a.N = single, listed, held, 3
    b = types.ModuleType("trafilatura.fake_b")
    b.SAME, b.L = single, listed
    other = types.ModuleType("elsewhere")
    other.X = single
    for m in (a, b, other):
        monkeypatch.setitem(sys.modules, m.__name__, m)
    monkeypatch.setattr(I, "_pairs", [])
    I._install()
    assert a.X is b.SAME is listed[1] is not single
    assert a.X.path == prefiltered(guarded(path)) and listed[0] is plain and b.L is listed
    assert a.T == (single,) and other.X is single      # a tuple cannot change; another package is not touched
    assert a.N == 3
    assert (single, a.X) in I.replacements()


def test_extraction_installs_the_guards_from_its_second_page(monkeypatch):
    """A one-page run does not pay for compiling the guarded copies; a run of more pages does."""
    from cleaner.config import Options
    from cleaner.extract import main_content, xpath_install

    calls = []
    monkeypatch.setattr(xpath_install, "install", lambda: calls.append(1))
    monkeypatch.setattr(main_content, "_pages_extracted", 0)
    page = "<html><body><article><p>" + "The ferry leaves at nine and returns at six. " * 8 + "</p></article></body></html>"
    main_content.extract(page, Options())
    assert calls == []
    main_content.extract(page, Options())
    main_content.extract(page, Options())
    assert calls == [1]


def test_each_page_starts_with_empty_memos():
    """The memo holds one page's attribute values: a worker's memory does not grow with the pages it saw."""
    from cleaner.config import Options
    from cleaner.extract import main_content

    I.install()
    k = G._number(["@class", "'memo-per-page'"])
    assert G.memo_test(None, "a memo-per-page value", float(k)) is True
    assert "a memo-per-page value" in G._tests[k][1]
    main_content.extract(b"<html><body><p>One short page about ferries and harbours.</p></body></html>", Options())
    assert all("a memo-per-page value" not in memo for _, memo in G._tests)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_element, min_size=1, max_size=4))
def test_a_first_child_per_parent_is_what_the_sibling_test_keeps(elements):
    """``.//*[names][P][1]`` and its rewrite select the same nodes on generated pages (siblings that pass and not)."""
    root = _page(elements)
    for path in (".//*[self::div or self::section][contains(@class, 'a') or @id][1]",
                 ".//*[self::p or self::span or self::div][not(@role)][@class][1]"):
        rewritten = lxml.etree.XPath(G.tag_union(path))
        assert G.tag_union(path) != path
        for context in (root, root.find("body")):
            assert _selected(rewritten, context) == _selected(lxml.etree.XPath(path), context)
