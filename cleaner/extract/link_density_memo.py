"""trafilatura's link-density tests answered once per element within one pruning run.

trafilatura 2.3.1's ``main_extractor.prune_unwanted_sections`` runs, twice in a row,
``htmlprocessing.delete_by_link_density`` for ``div``, ``list`` and ``p``; each call runs
``htmlprocessing.link_density_test(elem, favor_precision)`` on every element of its tag
(all the subtree's ``ref`` and ``graphic`` elements, its whole text trimmed, the links'
texts), and the second pass repeats the test of every element the first pass left as it
was. :func:`install` puts three wrappers in place of the names the callers look up at call
time (only for ``VERSIONS``):

* ``main_extractor.prune_unwanted_sections`` (called by name from ``_extract`` and
  ``recover_wild_text``): a memo (a dict keyed by the element objects themselves, so an
  ``id`` cannot be reused while the memo lives) exists only for the duration of one call,
  on a per-thread stack; a nested call gets its own, and the outer ones are emptied when it
  returns (it may have changed the tree in ways the memo does not follow).
* ``htmlprocessing.link_density_test`` (called by name from ``delete_by_link_density``):
  inside such a call, answered from the memo when the element was tested with the same
  ``favor_precision`` and nothing that answer reads has changed since; outside, the
  original as it is.
* ``htmlprocessing.collect_link_info`` (called by name from ``link_density_test`` and
  ``link_density_test_tables``): inside such a call, each link's ``trim(text_content())``
  is kept in a second memo, so a link inside nested divs has its text made once, not once
  per level and pass; the four values are those 2.3.1 computes from the texts (their total
  length, how many are not empty, how many of those are under 10 characters, the texts). Outside, the original.
* ``delete_element`` as ``htmlprocessing`` and ``main_extractor`` imported it (the only way
  the tree changes between two link-density tests of one pruning run: the deletions of
  ``delete_by_link_density``, which are applied after its loop, and those of tables and
  trailing titles; ``prune_unwanted_nodes`` runs before any test and ``strip_tags`` after
  the last one): before the original runs, the entries that deletion can change are dropped.

Why exact: ``link_density_test(X)`` reads X's subtree only (its ``ref`` and ``graphic``
descendants, the text of X and of its descendants with their tails, not X's own tail; each
link's parent, which is X or inside X, with that parent's ``ref`` descendants), ``X.tag``,
and whether ``X.getnext()`` is ``None``; a link's trimmed text reads the link's subtree only.
``delete_element(E)`` removes E from its parent P and
moves E's tail to the tail of E's previous sibling (or to ``P.text``): that changes the
subtree of P and of every ancestor of P, the ``getnext()`` of E's previous sibling, and
E's own ``getnext()`` (it is detached); no other element's subtree, tag or next sibling.
The wrapper drops E, both of E's siblings and all of E's ancestors (more than needed),
from both memos of every memo pair on the stack. Elements inside E keep their answers (they are not iterated
again anyway). Results, and the tree ``prune_unwanted_sections`` returns, are identical.
"""
from __future__ import annotations

import threading

#: trafilatura versions whose ``prune_unwanted_sections``, ``delete_by_link_density``,
#: ``link_density_test`` and ``delete_element`` were read for this module.
VERSIONS = frozenset({"2.3.1"})

_MARK = "_cleaner_link_density_memo"   # attribute set on each wrapper
_state = threading.local()             # .stack: one memo per running prune_unwanted_sections


def _stack() -> list[dict]:
    stack = getattr(_state, "stack", None)
    if stack is None:
        stack = _state.stack = []
    return stack


def _marked(wrapper, original):
    """``wrapper`` with ``original``'s docstring, and ``original`` under :data:`_MARK` (for :func:`uninstall`)."""
    setattr(wrapper, _MARK, original)
    wrapper.__doc__ = original.__doc__
    return wrapper


def scoped(prune_unwanted_sections):
    """``prune_unwanted_sections`` with memos (tests, link texts) for the call's duration."""
    def prune_unwanted_sections_memo(*args, **kwargs):
        stack = _stack()
        stack.append(({}, {}))
        try:
            return prune_unwanted_sections(*args, **kwargs)
        finally:
            stack.pop()
            for memos in stack:   # a nested run changed the tree, not only by delete_element
                for memo in memos:
                    memo.clear()
    return _marked(prune_unwanted_sections_memo, prune_unwanted_sections)


def memoized(link_density_test):
    """``link_density_test`` answered from the innermost memo when one exists."""
    def link_density_test_memo(element, favor_precision=False):
        stack = getattr(_state, "stack", None)
        if not stack or type(favor_precision) is not bool:
            return link_density_test(element, favor_precision)
        memo = stack[-1][0]
        hit = memo.get(element)
        if hit is not None and hit[0] is favor_precision:
            return hit[1]
        result = link_density_test(element, favor_precision)
        memo[element] = (favor_precision, result)
        return result
    return _marked(link_density_test_memo, link_density_test)


def link_texts(collect_link_info, trim):
    """``collect_link_info`` with each link's trimmed text from the innermost memo when one exists.

    Returns what trafilatura 2.3.1's ``collect_link_info`` returns: the summed length of the links'
    non-empty trimmed texts, their number, how many are under 10 characters, and the texts.
    """
    def collect_link_info_memo(links_xpath):
        stack = getattr(_state, "stack", None)
        if not stack:
            return collect_link_info(links_xpath)
        texts = stack[-1][1]
        mylist = []
        for elem in links_xpath:
            text = texts.get(elem)
            if text is None:
                text = texts[elem] = trim(elem.text_content())
            if text:
                mylist.append(text)
        lengths = [len(t) for t in mylist]
        return sum(lengths), len(mylist), sum(n < 10 for n in lengths), mylist
    return _marked(collect_link_info_memo, collect_link_info)


def invalidating(delete_element):
    """``delete_element`` that first drops the memo entries its deletion can change."""
    def delete_element_memo(element, keep_tail=True):
        stack = getattr(_state, "stack", None)
        if stack:
            touched = [element, element.getprevious(), element.getnext()]
            touched.extend(element.iterancestors())
            for memos in stack:
                for memo in memos:
                    if memo:
                        for elem in touched:
                            memo.pop(elem, None)
        return delete_element(element, keep_tail)
    return _marked(delete_element_memo, delete_element)


def install() -> None:
    """Put the wrappers in place for trafilatura ``VERSIONS``; never raises. Idempotent: the
    wrappers carry :data:`_MARK`, and wrapped functions are left as they are. Called once a
    process by :func:`cleaner.extract.xpath_install.install`, under its lock.

    Another trafilatura version, or functions not as read (already replaced by someone
    else, or calling other names), leaves trafilatura as it is.
    """
    try:
        _install()
    except Exception:   # never fail an extraction for a speed-up
        pass


def installed() -> bool:
    """Whether the wrappers are in place."""
    try:
        import trafilatura.htmlprocessing as hp
        import trafilatura.main_extractor as me
    except ImportError:
        return False
    return all(hasattr(f, _MARK) for f in (hp.link_density_test, hp.collect_link_info, hp.delete_element,
                                           me.delete_element, me.prune_unwanted_sections))


def uninstall() -> None:
    """Put trafilatura's originals back (tests); a later :func:`install` wraps them again."""
    try:
        import trafilatura.htmlprocessing as hp
        import trafilatura.main_extractor as me
    except ImportError:
        return
    for module, name in ((hp, "link_density_test"), (hp, "collect_link_info"), (hp, "delete_element"),
                         (me, "delete_element"), (me, "prune_unwanted_sections")):
        original = getattr(getattr(module, name), _MARK, None)
        if original is not None:
            setattr(module, name, original)


def _install() -> None:
    import trafilatura
    if getattr(trafilatura, "__version__", None) not in VERSIONS:
        return
    import trafilatura.htmlprocessing as hp
    import trafilatura.main_extractor as me
    import trafilatura.xml as xml

    test, info, prune = hp.link_density_test, hp.collect_link_info, me.prune_unwanted_sections
    if any(hasattr(f, _MARK) for f in (test, info, prune, hp.delete_element, me.delete_element)):
        return   # already in place
    expected = (
        test.__module__ == hp.__name__ and test.__name__ == "link_density_test",
        info.__module__ == hp.__name__ and info.__name__ == "collect_link_info",
        "collect_link_info" in test.__code__.co_names,
        getattr(hp.trim, "__module__", None) == "trafilatura.utils",
        prune.__module__ == me.__name__ and prune.__name__ == "prune_unwanted_sections",
        hp.delete_element is xml.delete_element and me.delete_element is xml.delete_element,
        hp.delete_by_link_density is me.delete_by_link_density,
        {"link_density_test", "delete_element"} <= set(hp.delete_by_link_density.__code__.co_names),
        "delete_by_link_density" in prune.__code__.co_names,
    )
    if not all(expected):
        return
    delete = invalidating(xml.delete_element)
    hp.link_density_test = memoized(test)
    hp.collect_link_info = link_texts(info, hp.trim)
    hp.delete_element = delete
    me.delete_element = delete
    me.prune_unwanted_sections = scoped(prune)
