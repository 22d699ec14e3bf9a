"""Put faster copies of trafilatura's XPaths in place of its own, once a process.

The copies (:mod:`cleaner.extract.xpath_guards`: regular-expression tests guarded and
answered from a memo, one callback for a predicate's tests, guards narrowed to the literals
the patterns require, name tests as a union of name steps) select what trafilatura's
originals select. :func:`install` changes the
lists of XPaths (``trafilatura.xpaths.OVERALL_DISCARD_XPATH`` and the others) in place, so
every module that imported them sees the change, and puts the copy of a single XPath
object (``trafilatura.settings.BASIC_CLEAN_XPATH``, imported by name into
``trafilatura.baseline``) in every loaded trafilatura module whose global names the same
object. A trafilatura without one of these objects, or with others, is left as it is.
"""
from __future__ import annotations

import importlib
import sys
import threading

from .xpath_guards import NAMESPACES, guarded, merged, prefiltered, tag_union

_lock = threading.Lock()
_installed = False
_pairs: list[tuple[object, object]] = []   # (trafilatura's XPath, its copy) put in its place


def _faster_copy(xpath, lxml_etree):
    """The faster copy of an ``XPath`` object, or ``None`` when nothing changes (or it does not compile)."""
    path = getattr(xpath, "path", None)
    if not isinstance(path, str):
        return None
    new = tag_union(prefiltered(merged(guarded(path))))
    if new == path:
        return None
    try:
        return lxml_etree.XPath(new, namespaces=NAMESPACES)
    except lxml_etree.Error:
        return None


def install() -> None:
    """Put the faster copies in place of trafilatura's module-level XPaths; once a process.

    Lists are changed in place; a single XPath object is replaced under every global
    name of a loaded ``trafilatura`` module that refers to it. Later calls do nothing;
    any fault (no trafilatura, another layout) leaves trafilatura's objects as they are.
    """
    global _installed
    if _installed:
        return
    with _lock:
        if _installed:
            return
        try:
            _install()
        except Exception:   # never fail an extraction for a speed-up
            pass
        _installed = True


def replacements() -> list[tuple[object, object]]:
    """Each XPath :func:`install` replaced and its copy, as ``(original, copy)``."""
    return list(_pairs)


def _trafilatura_modules() -> list:
    return [m for name, m in list(sys.modules.items())
            if m is not None and (name == "trafilatura" or name.startswith("trafilatura."))]


def _install() -> None:
    try:
        import lxml.etree as lxml_etree
        importlib.import_module("trafilatura")   # loads the modules that hold the XPaths
    except ImportError:
        return
    replaced: dict[int, object] = {}   # id(XPath seen) -> its copy, None when unchanged or a copy

    def copy_of(xpath):
        if id(xpath) not in replaced:
            replaced[id(xpath)] = new = _faster_copy(xpath, lxml_etree)
            if new is not None:
                _pairs.append((xpath, new))
                replaced[id(new)] = None
        return replaced[id(xpath)]

    modules = _trafilatura_modules()
    lists = set()
    for module in modules:
        for value in list(vars(module).values()):
            if isinstance(value, list) and id(value) not in lists:
                lists.add(id(value))
                for k, item in enumerate(value):
                    if isinstance(item, lxml_etree.XPath) and (new := copy_of(item)) is not None:
                        value[k] = new
    for module in modules:
        names = vars(module)
        for name, value in list(names.items()):
            if isinstance(value, lxml_etree.XPath) and (new := copy_of(value)) is not None:
                names[name] = new
    from .link_density_memo import install as install_link_density_memo
    install_link_density_memo()   # its link-density tests answered once per element within a pruning run
