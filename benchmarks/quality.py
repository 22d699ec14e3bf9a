#!/usr/bin/env python3
"""Main-content extraction quality: ``cleaner`` against plain trafilatura, same pages, same run.

Usage (from the project root; the evaluation data stays outside the repository)::

    PYTHONPATH=$PWD python benchmarks/quality.py \\
        --scorer ../shared/tools/score_extraction.py \\
        --scrapinghub ../shared/eval/scrapinghub --wcxb ../shared/eval/wcxb-test

For each benchmark given, the whole ``cleaner`` pipeline (the same code path as
``cleaner clean DIR/html -o OUT --workers 1``) and ``trafilatura.extract(html,
include_comments=False)`` run on the same pages; both outputs are scored by the
benchmark's own metric, taken from the scorer file (``score_scrapinghub`` and
``score_wcxb`` of ``score_extraction.py``, which follow the scrapinghub
article-extraction-benchmark and WCXB definitions). Speed is pages per CPU second of
this process and of its finished child processes (the pipeline's workers), so that other
jobs on a shared machine do not skew the ratio: for trafilatura it covers
reading and gunzipping the page and the extraction call, for ``cleaner`` the whole run
including reading, corpus steps and writing shards.
``--dump DIR`` keeps both outputs as ``DIR/<benchmark>-{cleaner,trafilatura}.json``
({page id: text}) for a page-by-page look.
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import json
import os
import resource
import sys
import tempfile
import time
from typing import Any, Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pages import load_pages, read_bytes  # noqa: E402  (benchmarks/pages.py)

#: The benchmarks this script knows: name -> (scorer function name, metrics printed).
BENCHMARKS = {
    "scrapinghub": ("score_scrapinghub", ("F1", "P", "R")),
    "wcxb": ("score_wcxb", ("F1", "P", "R", "with_found", "without_leaked")),
}


def load_scorer(path: str) -> Any:
    """Import ``score_extraction.py`` from ``path``; raises ``SystemExit`` naming the flag when absent."""
    if not os.path.isfile(path):
        raise SystemExit(f"scorer {path!r} not found; pass --scorer PATH/TO/score_extraction.py")
    spec = importlib.util.spec_from_file_location("score_extraction", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def pages_of(eval_dir: str, limit: int) -> list[str]:
    """The benchmark's HTML files, sorted, the first ``limit`` of them when ``limit`` > 0."""
    html_dir = os.path.join(eval_dir, "html")
    if not os.path.isdir(html_dir):
        raise SystemExit(f"{html_dir} not found; pass the benchmark folder (the one holding html/)")
    return load_pages([html_dir], limit)


def read_page(path: str) -> str:
    """One page as text, UTF-8 as both benchmarks store them, line ends made ``\\n`` (as text-mode ``open`` does)."""
    return read_bytes(path).decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


def cpu_seconds() -> float:
    """CPU time of this process plus that of its children that have ended (user + system, seconds)."""
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ch.ru_utime + ch.ru_stime


def run_trafilatura(files: list[str], scorer: Any) -> tuple[dict[str, str], float]:
    """Plain ``trafilatura.extract(html, include_comments=False)`` on every page; ``({id: text}, seconds)``."""
    import trafilatura

    out: dict[str, str] = {}
    t0 = cpu_seconds()
    for f in files:
        out[scorer.page_id(f)] = trafilatura.extract(read_page(f), include_comments=False) or ""
    return out, cpu_seconds() - t0


def run_cleaner(files: list[str], scorer: Any, workers: int) -> tuple[dict[str, str], float]:
    """The whole ``cleaner`` pipeline over the pages (linked into a temporary folder); ``({id: text}, CPU seconds)``.

    Worker processes count once they have ended, which they have when ``run`` returns.
    """
    from cleaner.config import Options
    from cleaner.engines.local.run import run

    options = dataclasses.replace(Options(), workers=workers, progress=False)
    with tempfile.TemporaryDirectory(prefix="cleaner-quality-") as tmp:
        src = os.path.join(tmp, "html")
        os.makedirs(src)
        for f in files:
            os.symlink(os.path.abspath(f), os.path.join(src, os.path.basename(f)))
        out_dir = os.path.join(tmp, "out")
        t0 = cpu_seconds()
        run([src], options, out_dir)
        seconds = cpu_seconds() - t0
        return scorer.load_output(out_dir), seconds


def fmt_row(name: str, res: dict[str, Any], metrics: tuple[str, ...], pages: int, seconds: float) -> str:
    cells = " ".join(f"{res[m]:>8.4f}" for m in metrics)
    return f"  {name:<12} {cells} {pages / seconds:>8.1f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scorer", required=True, help="path of shared/tools/score_extraction.py")
    ap.add_argument("--scrapinghub", metavar="DIR", help="the scrapinghub benchmark folder (holds html/ and ground-truth.json)")
    ap.add_argument("--wcxb", metavar="DIR", help="the WCXB test folder (holds html/ and ground-truth/)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N pages of each benchmark (0 = all)")
    ap.add_argument("--workers", type=int, default=1, help="cleaner worker processes (default 1; speed is only right with 1)")
    ap.add_argument("--dump", metavar="DIR", help="also write both outputs as JSON {page id: text} there")
    args = ap.parse_args(argv)
    if not (args.scrapinghub or args.wcxb):
        ap.error("give --scrapinghub DIR and/or --wcxb DIR")
    scorer = load_scorer(args.scorer)
    for bench, eval_dir in (("scrapinghub", args.scrapinghub), ("wcxb", args.wcxb)):
        if not eval_dir:
            continue
        fn_name, metrics = BENCHMARKS[bench]
        score = getattr(scorer, fn_name)
        files = pages_of(eval_dir, args.limit)
        ids = {scorer.page_id(f) for f in files}
        traf, t_traf = run_trafilatura(files, scorer)
        ours, t_ours = run_cleaner(files, scorer, args.workers)
        if args.limit > 0:  # score only the pages that ran: restrict the gold side by page id
            score = _restricted(score, ids, bench)
        res_t, res_c = score(eval_dir, traf), score(eval_dir, ours)
        if args.dump:
            os.makedirs(args.dump, exist_ok=True)
            for name, pred in (("trafilatura", traf), ("cleaner", ours)):
                with open(os.path.join(args.dump, f"{bench}-{name}.json"), "w", encoding="utf-8") as fh:
                    json.dump(pred, fh, ensure_ascii=False, sort_keys=True)
        print(f"{bench}: {len(files)} pages ({eval_dir})")
        print(f"  {'':<12} " + " ".join(f"{m[:8]:>8}" for m in metrics) + f" {'pages/s':>8}  (per CPU second)")
        print(fmt_row("trafilatura", res_t, metrics, len(files), t_traf))
        print(fmt_row("cleaner", res_c, metrics, len(files), t_ours))
        print(f"  cleaning cost: {t_ours / t_traf:.2f}x the time of plain trafilatura "
              f"(CPU: cleaner {t_ours:.1f} s, trafilatura {t_traf:.1f} s)")
        if "F1_by_type" in res_c:
            print("  F1 by page type:   " + " ".join(f"{t:>13}" for t in res_c["F1_by_type"]))
            for name, res in (("trafilatura", res_t), ("cleaner", res_c)):
                print(f"  {name:<18} " + " ".join(f"{v:>13.4f}" for v in res["F1_by_type"].values()))
    return 0


def _restricted(score: Callable[..., dict[str, Any]], ids: set[str], bench: str) -> Callable[..., dict[str, Any]]:
    """A scorer that sees only the gold pages in ``ids`` (for ``--limit`` runs), through a filtered copy of the gold files."""
    def inner(eval_dir: str, pred: dict[str, str]) -> dict[str, Any]:
        with tempfile.TemporaryDirectory(prefix="cleaner-gold-") as tmp:
            if bench == "scrapinghub":
                with open(os.path.join(eval_dir, "ground-truth.json"), encoding="utf-8") as fh:
                    gold = json.load(fh)
                with open(os.path.join(tmp, "ground-truth.json"), "w", encoding="utf-8") as fh:
                    json.dump({k: v for k, v in gold.items() if k in ids}, fh)
            else:
                os.makedirs(os.path.join(tmp, "ground-truth"))
                for i in sorted(ids):
                    os.symlink(os.path.join(os.path.abspath(eval_dir), "ground-truth", f"{i}.json"),
                               os.path.join(tmp, "ground-truth", f"{i}.json"))
            return score(tmp, pred)
    return inner


if __name__ == "__main__":
    sys.exit(main())
