"""jusText's paragraphs and classes in trafilatura's fallback: jusText 3.0.2 against cleaner.extract.justext_fast.

Usage:
    python benchmarks/justext_paragraphs.py HTML_DIR [HTML_DIR ...] [--limit N] [--repeat K]

Each page is parsed and cleaned as trafilatura hands it to ``justext_rescue`` (``load_html``,
``tree_cleaning``, ``basic_cleaning``). First, on every page, both sides make the paragraphs,
classify them with trafilatura's stoplist and arguments and revise the classes; the pages where
any paragraph attribute differs are counted (must be 0). Then, in this one process, the CPU
seconds (``time.process_time``, fastest of K) of making and of making + classifying, for
jusText's ``ParagraphMaker`` / ``classify_paragraphs`` and for this module's, and the ratios.
"""
from __future__ import annotations

import os
import sys
import time
from copy import deepcopy

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import justext.core as jt  # noqa: E402
import trafilatura.external as te  # noqa: E402
from trafilatura.baseline import basic_cleaning  # noqa: E402
from trafilatura.htmlprocessing import tree_cleaning  # noqa: E402
from trafilatura.settings import Extractor  # noqa: E402
from trafilatura.utils import load_html  # noqa: E402

from cleaner.extract import justext_fast as jf  # noqa: E402

from pages import load_pages, page_args, read_bytes  # noqa: E402  (benchmarks/pages.py)

#: trafilatura 2.3.1's arguments (``try_justext``): lengths 50/150, stop words 0.1/0.2, links 0.25, no headings.
ARGS = (50, 150, 0.1, 0.2, 0.25, True)
ATTRS = ("dom_path", "xpath", "text_nodes", "text", "chars_count_in_links", "tags_count",
         "cf_class", "heading", "class_type")


def cleaned_trees(paths: list[str]) -> list:
    """The trees ``justext_rescue`` would get for the pages (pages lxml cannot parse are left out)."""
    trees = []
    for path in paths:
        tree = load_html(read_bytes(path))
        if tree is not None:
            trees.append(basic_cleaning(tree_cleaning(deepcopy(tree), Extractor())))
    return trees


def classified(maker, classify, tree, stoplist) -> list[tuple]:
    """Every paragraph's attributes after make, classify and revise."""
    paragraphs = maker.make_paragraphs(tree)
    classify(paragraphs, stoplist, *ARGS)
    jt.revise_paragraph_classification(paragraphs, 150)
    return [tuple(getattr(p, a) for a in ATTRS) for p in paragraphs]


def cpu(repeat: int, fn) -> float:
    """Fastest CPU seconds of ``repeat`` calls of ``fn``."""
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def main() -> None:
    args = page_args(__doc__, limit=0, repeat=3)
    trees = cleaned_trees(load_pages(args.dirs, args.limit))
    stoplist = te.jt_stoplist_init()
    sides = {"jusText": (jt.ParagraphMaker, jt.classify_paragraphs),
             "justext_fast": (jf.ParagraphMaker, jf.classify_paragraphs)}
    differ = sum(classified(*sides["jusText"], t, stoplist) != classified(*sides["justext_fast"], t, stoplist)
                 for t in trees)
    paragraphs = sum(len(jf.make_paragraphs(t)) for t in trees)
    print(f"{len(trees)} pages, {paragraphs} paragraphs; pages whose paragraphs or classes differ: {differ}")
    times = {}
    for name, (maker, classify) in sides.items():
        make = cpu(args.repeat, lambda: [maker.make_paragraphs(t) for t in trees])
        both = cpu(args.repeat, lambda: [classify(maker.make_paragraphs(t), stoplist, *ARGS) for t in trees])
        times[name] = (make, both)
        print(f"{name:13s} make {make:7.3f} s   make + classify {both:7.3f} s")
    (old_make, old_both), (new_make, new_both) = times["jusText"], times["justext_fast"]
    print(f"ratio (jusText / justext_fast): make {old_make / new_make:.2f}   make + classify {old_both / new_both:.2f}")


if __name__ == "__main__":
    main()
