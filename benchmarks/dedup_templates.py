"""Measure the site-template thresholds (template_min_pages, template_min_share) on labelled data.

Usage::

    python benchmarks/dedup_templates.py --neardup DIR [DIR ...] --make-neardup PATH/make_neardup.py \\
        [--wcxb PATH/wcxb-test] [--pages 2,3,4,5] [--shares 0.05,0.1,0.2,0.3,0.5]

``--neardup``: corpora written by ``make_neardup.py`` (its chrome strings are read from
the script given with ``--make-neardup``, at run time): a line is site chrome when it is
the navigation line or one of the script's footer/about lines for the page's site; every
other line is article text. ``--wcxb``: the WCXB test split; pages of domains with two or
more pages are extracted with their real URLs, and the ``with`` (must keep) and
``without`` (boilerplate) snippets tell what template marking gained and cost.

For each pair of thresholds it prints: chrome lines left by the chrome rules that the
template step marks (recall), article lines it marks (must be 0), WCXB ``with``
snippets lost, WCXB ``without`` snippets removed.
"""
from __future__ import annotations

import argparse
import glob
import gzip
import importlib.util
import json
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from cleaner.config import Options  # noqa: E402
from cleaner.corpus.templates import SiteTemplates, host_of, normalize_for_template  # noqa: E402
from cleaner.document import Document, apply_spans, segment  # noqa: E402
from cleaner.io.readers import RawRecord, iter_records  # noqa: E402
from cleaner.engines.document_work import DocumentProcessor  # noqa: E402


def marked_docs(records: list[RawRecord], options: Options) -> list[Document]:
    """Pass 1 (extraction and markers) for each record; rejects are left out."""
    proc = DocumentProcessor(options)
    out = []
    for r in records:
        o = proc(r)
        if o.doc is not None:
            out.append(o.doc)
    return out


class Cached:
    """Fingerprints and block keys of a corpus, computed once for every pair of thresholds."""

    def __init__(self, docs: list[Document]):
        self.docs = docs
        self.fps = [SiteTemplates.fingerprint(SiteTemplates(), d) for d in docs]
        self.keys = {d.id: SiteTemplates._keys(d) for d in docs}


def run_templates(cached: Cached, min_pages: int, min_share: float) -> list[Document]:
    """Copies of the documents with the template step's spans added."""
    docs = cached.docs
    step = SiteTemplates(min_pages, min_share)
    step._keys = lambda d: cached.keys[d.id]
    for i, (d, fp) in enumerate(zip(docs, cached.fps)):
        step.observe(i, d.id, fp)
    step.decide()
    out = []
    for i, d in enumerate(docs):
        c = Document(d.id, d.url, d.text, d.title, d.metadata, list(d.removed))
        step.apply(i, c)
        out.append(c)
    return out


def chrome_lines_of(make_neardup_path: str):
    """A function telling whether a line of a make_neardup page is site chrome."""
    spec = importlib.util.spec_from_file_location("make_neardup", make_neardup_path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)  # type: ignore[union-attr]
    lines = [*mod.FOOT, mod.ABOUT]

    def is_chrome(line: str, host: str, first: bool) -> bool:
        norm = normalize_for_template(line)
        if first and line.startswith("Skip to content"):
            return True
        return any(norm == normalize_for_template(t.format(year=2000, site=host)) for t in lines)
    return is_chrome


def score_neardup(docs, marked, is_chrome):
    chrome_left = chrome_marked = article_marked = 0
    article_examples = []
    for d, m in zip(docs, marked):
        host = host_of(d.url)
        already = d.removed_mask()
        tmpl = [(s.start, s.end) for s in m.removed if s.rule.startswith("site.template")]
        for b in segment(d.text):
            if any(a <= b.start and b.end <= e for a, e in already):
                continue  # removed by chrome rules or in-page duplicates before templates
            hit = any(a <= b.start and b.end <= e for a, e in tmpl)
            if is_chrome(b.text, host, b.index == 0):
                chrome_left += 1
                chrome_marked += hit
            elif hit:
                article_marked += 1
                if len(article_examples) < 3:
                    article_examples.append(b.text[:80])
    return chrome_left, chrome_marked, article_marked, article_examples


def wcxb_records(root: str) -> tuple[list[RawRecord], dict[str, dict]]:
    by_domain = defaultdict(list)
    truth = {}
    for f in sorted(glob.glob(os.path.join(root, "ground-truth", "*.json"))):
        g = json.load(open(f, encoding="utf-8"))
        host = host_of(g.get("url"))
        if host:
            by_domain[host].append(g)
    records = []
    for host, pages in sorted(by_domain.items()):
        if len(pages) < 2:
            continue
        for g in pages:
            fid = g["file_id"]
            with gzip.open(os.path.join(root, "html", f"{fid}.html.gz"), "rb") as fh:
                html = fh.read()
            records.append(RawRecord(fid, g["url"], "wcxb", 0, html=html))
            truth[fid] = g["ground_truth"]
    return records, truth


def _norm(s: str) -> str:
    return " ".join(s.lower().split())


def score_wcxb(docs, marked, truth):
    lost = removed = 0
    lost_examples = []
    for d, m in zip(docs, marked):
        g = truth[d.id]
        before = _norm(apply_spans(d.text, d.removed))
        after = _norm(apply_spans(m.text, m.removed))
        for snip in g.get("with") or []:
            if _norm(snip) in before and _norm(snip) not in after:
                lost += 1
                lost_examples.append((d.id, snip))
        for snip in g.get("without") or []:
            if _norm(snip) in before and _norm(snip) not in after:
                removed += 1
    return lost, removed, lost_examples[:3]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--neardup", nargs="*", default=[])
    ap.add_argument("--make-neardup")
    ap.add_argument("--wcxb")
    ap.add_argument("--pages", default="2,3,4,5")
    ap.add_argument("--shares", default="0.05,0.1,0.2,0.3,0.5")
    args = ap.parse_args(argv)
    options = Options(progress=False)
    synthetic = []
    if args.neardup:
        if not args.make_neardup:
            ap.error("--neardup needs --make-neardup PATH (the script's chrome strings label the lines)")
        is_chrome = chrome_lines_of(args.make_neardup)
        for d in args.neardup:
            recs = [r for r in iter_records([os.path.join(d, "input.jsonl")], options) if isinstance(r, RawRecord)]
            synthetic.append((os.path.basename(d.rstrip("/")), Cached(marked_docs(recs, options))))
    wcxb = None
    if args.wcxb:
        recs, truth = wcxb_records(args.wcxb)
        wcxb = (Cached(marked_docs(recs, options)), truth)
        print(f"wcxb: {len(wcxb[0].docs)} pages of {len({host_of(d.url) for d in wcxb[0].docs})} domains with 2+ pages")
    print("min_pages min_share | chrome marked / left  article lines marked | wcxb with-lost without-removed")
    for p in [int(x) for x in args.pages.split(",")]:
        for s in [float(x) for x in args.shares.split(",")]:
            left = hit = art = 0
            ex: list[str] = []
            for _, docs in synthetic:
                a, b, c, e = score_neardup(docs.docs, run_templates(docs, p, s), is_chrome)
                left, hit, art = left + a, hit + b, art + c
                ex += e
            line = f"{p:9d} {s:9.2f} | {hit:6d} / {left:<6d} ({hit / max(1, left):.3f})  {art:8d}"
            if wcxb is not None:
                lost, removed, lost_ex = score_wcxb(wcxb[0].docs, run_templates(wcxb[0], p, s), wcxb[1])
                line += f"            | {lost:8d} {removed:8d}"
                ex += [f"{i}: {t}" for i, t in lost_ex]
            print(line + (f"   e.g. {ex[:2]}" if ex and (art or (wcxb and lost)) else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
