"""Golden samples: every page of ``corpus_samples/`` through the real pipeline.

The expectations live in ``tests/golden/samples.json`` (must-keep / must-remove snippets
per document, in the manner of trafilatura's evaluation data). One pipeline run over the
whole folder (``--workers 1``) is shared by all checks; a second run over its clean
output checks idempotence. Snippets are compared after folding white space, so a cleaner
may re-flow line breaks inside a block without failing a check.
"""
from __future__ import annotations

import dataclasses
import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

import pytest

from cleaner.config import Options
from cleaner.engines.local.run import run

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "corpus_samples"
GOLDEN = json.loads((Path(__file__).with_name("golden") / "samples.json").read_text(encoding="utf-8"))
DOCS: dict[str, dict[str, Any]] = GOLDEN["documents"]
CORPUS: dict[str, Any] = GOLDEN["corpus"]
CLUSTERS: list[list[str]] = CORPUS["near_duplicate_clusters"]
IN_CLUSTER = {doc_id for cluster in CLUSTERS for doc_id in cluster}


def fold(text: str) -> str:
    """White space folded to single spaces: the form snippets are compared in."""
    return " ".join(text.split())


# --------------------------------------------------------------------------- checks
# Each check takes the clean text and the expectation value and returns failure messages.


def _must_keep(text: str, snippets: list[str]) -> list[str]:
    t = fold(text)
    return [f"missing: {s!r}" for s in snippets if fold(s) not in t]


def _must_remove(text: str, snippets: list[str]) -> list[str]:
    t = fold(text)
    return [f"still present: {s!r}" for s in snippets if fold(s) in t]


def _drop_lines(text: str, lines: list[str]) -> list[str]:
    present = {line.strip() for line in text.splitlines()}
    return [f"line still present: {s!r}" for s in lines if s in present]


def _at_most_once(text: str, snippets: list[str]) -> list[str]:
    t = fold(text)
    return [f"{t.count(fold(s))} copies of {s!r}" for s in snippets if t.count(fold(s)) > 1]


def _min_occurrences(text: str, minimum: dict[str, int]) -> list[str]:
    t = fold(text)
    return [f"{t.count(fold(s))} of at least {n} copies of {s!r} (intentional repetition)"
            for s, n in minimum.items() if t.count(fold(s)) < n]


def _in_order(text: str, snippets: list[str]) -> list[str]:
    t = fold(text)
    pos = [(t.find(fold(s)), s) for s in snippets]
    problems = [f"missing: {s!r}" for p, s in pos if p < 0]
    found = [(p, s) for p, s in pos if p >= 0]
    problems += [f"out of order: {b!r} comes before {a!r}" for (pa, a), (pb, b) in zip(found, found[1:]) if pb <= pa]
    return problems


def _keep_together(text: str, groups: list[list[str]]) -> list[str]:
    t = fold(text)
    problems = []
    for group in groups:
        kept = [s for s in group if fold(s) in t]
        if kept and len(kept) != len(group):
            problems.append(f"cut in pieces: kept {kept!r}, lost {[s for s in group if s not in kept]!r}")
    return problems


CHECKS: dict[str, Callable[[str, Any], list[str]]] = {
    "must_keep": _must_keep, "must_remove": _must_remove, "drop_lines": _drop_lines,
    "at_most_once": _at_most_once, "min_occurrences": _min_occurrences,
    "in_order": _in_order, "keep_together": _keep_together,
}


# --------------------------------------------------------------------------- runs


@dataclasses.dataclass
class Run:
    """One finished pipeline run: its report and its clean and dropped records by id."""

    report: dict[str, Any]
    clean: dict[str, dict[str, Any]]
    dropped: dict[str, dict[str, Any]]
    rejects: list[dict[str, Any]]


def _read_shards(outdir: Path, prefix: str) -> list[dict[str, Any]]:
    out = []
    for path in sorted(outdir.glob(f"{prefix}-*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            out += [json.loads(line) for line in fh if line.strip()]
    return out


def _run(inputs: list[Path], outdir: Path) -> Run:
    options = Options(workers=1, progress=False, output_format="jsonl")
    result = run([str(p) for p in inputs], options, str(outdir))
    clean, dropped = _read_shards(outdir, "clean"), _read_shards(outdir, "dropped")
    for name, recs in (("clean", clean), ("dropped", dropped)):
        dup = [i for i, n in Counter(r["id"] for r in recs).items() if n > 1]
        assert not dup, f"ids written twice to the {name} shards: {dup}"
    return Run(result.report, {r["id"]: r for r in clean}, {r["id"]: r for r in dropped},
               _read_shards(outdir, "rejects"))


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> Run:
    samples = tmp_path_factory.mktemp("samples") / "corpus_samples"
    shutil.copytree(SAMPLES, samples)
    return _run([samples], tmp_path_factory.mktemp("samples-out"))


@pytest.fixture(scope="module")
def second(first: Run, tmp_path_factory) -> Run:
    """The clean output of the first run, cleaned again (same ids and URLs)."""
    src = tmp_path_factory.mktemp("samples-again") / "clean.jsonl"
    with open(src, "w", encoding="utf-8") as fh:
        for rec in first.clean.values():
            fh.write(json.dumps({"id": rec["id"], "url": rec["url"], "text": rec["text"]}, ensure_ascii=False) + "\n")
    return _run([src], tmp_path_factory.mktemp("samples-again-out"))


def _clean_text(r: Run, doc_id: str) -> str:
    if doc_id not in r.clean:
        why = r.dropped.get(doc_id, {}).get("reason", "missing from every output shard")
        pytest.fail(f"{doc_id} has no clean output ({why})")
    return r.clean[doc_id]["text"]


# --------------------------------------------------------------------------- per-document snippets

SINGLE_CASES = [(doc_id, check) for doc_id, exp in DOCS.items() if doc_id not in IN_CLUSTER
                and doc_id not in CORPUS.get("expected_drops", {}) for check in CHECKS if check in exp]


@pytest.mark.parametrize("doc_id,check", SINGLE_CASES, ids=[f"{d}::{c}" for d, c in SINGLE_CASES])
def test_golden_snippets(first: Run, doc_id: str, check: str):
    problems = CHECKS[check](_clean_text(first, doc_id), DOCS[doc_id][check])
    assert not problems, f"{doc_id} [{DOCS[doc_id]['lang']}] {check}:\n  " + "\n  ".join(problems)


def _survivor(r: Run, cluster: list[str]) -> str:
    alive = [d for d in cluster if d in r.clean]
    assert len(alive) == 1, f"near-duplicate cluster {cluster}: survivors {alive}, expected exactly one"
    return alive[0]


CLUSTER_CASES = [(k, check) for k, cluster in enumerate(CLUSTERS) for check in CHECKS
                 if all(check in DOCS[d] for d in cluster)]


@pytest.mark.parametrize("k,check", CLUSTER_CASES, ids=[f"{CLUSTERS[k][0]}-cluster::{c}" for k, c in CLUSTER_CASES])
def test_golden_snippets_of_cluster_survivor(first: Run, k: int, check: str):
    """The one survivor of each near-duplicate cluster meets its own page's expectations."""
    doc_id = _survivor(first, CLUSTERS[k])
    problems = CHECKS[check](first.clean[doc_id]["text"], DOCS[doc_id][check])
    assert not problems, f"{doc_id} (survivor) {check}:\n  " + "\n  ".join(problems)


# --------------------------------------------------------------------------- corpus level


def test_every_record_is_accounted_for(first: Run):
    counts = first.report["documents"]
    assert counts["in"] == CORPUS["records"] == len(DOCS)
    assert counts["rejected"] == 0 and not first.rejects, first.rejects
    assert counts["clean"] == len(first.clean) and counts["dropped"] == len(first.dropped)
    assert counts["clean"] + counts["dropped"] + counts["rejected"] == counts["in"]
    assert not set(first.clean) & set(first.dropped)
    assert set(first.clean) | set(first.dropped) == set(DOCS)
    assert sum(first.report["dropped_by_reason"].values()) == counts["dropped"]


@pytest.mark.parametrize("cluster", CLUSTERS, ids=[c[0] for c in CLUSTERS])
def test_near_duplicate_copies_collapse_to_one_survivor(first: Run, cluster: list[str]):
    keep = _survivor(first, cluster)
    for doc_id in cluster:
        if doc_id == keep:
            continue
        rec = first.dropped.get(doc_id)
        assert rec is not None, f"{doc_id} is neither clean nor dropped"
        assert "duplicate" in rec["reason"], rec
        assert rec.get("duplicate_of") == keep, f"{doc_id} names {rec.get('duplicate_of')!r} instead of the survivor {keep!r}"


EXPECTED_DROPS: dict[str, str] = CORPUS.get("expected_drops", {})


def test_only_near_duplicate_copies_and_expected_drops_are_dropped(first: Run):
    """Distinct pages survive, including a same-host, same-topic story and short CJK pages;
    a page of teaser cards only is dropped with its reason."""
    wrongly = {d: r["reason"] for d, r in first.dropped.items() if d not in IN_CLUSTER and d not in EXPECTED_DROPS}
    assert not wrongly, wrongly
    got = {d: first.dropped.get(d, {}).get("reason", "kept") for d in EXPECTED_DROPS}
    assert got == EXPECTED_DROPS


def _host(url: str | None) -> str:
    return (urlsplit(url or "").hostname or "").lower()


def test_site_template_is_removed_from_every_page_of_its_host(first: Run):
    host = CORPUS["templates"]["host"]
    pages = [d for d, r in first.clean.items() if _host(r["url"]) == host]
    all_pages = pages + [d for d, r in first.dropped.items() if _host(r["url"]) == host]
    assert len(all_pages) >= 4, f"the sample corpus should hold at least 4 pages of {host}: {all_pages}"
    assert len(pages) >= 3, pages
    leaks = {d: [s for s in CORPUS["templates"]["snippets"] if s in fold(first.clean[d]["text"])] for d in pages}
    assert not any(leaks.values()), {d: s for d, s in leaks.items() if s}
    removed = first.report["characters"]["removed_by_rule"]
    assert any(rule.startswith("site.") and n > 0 for rule, n in removed.items()), removed


def test_cleaning_the_clean_output_again_changes_nothing(first: Run, second: Run):
    counts = second.report["documents"]
    assert counts == {"in": len(first.clean), "clean": len(first.clean), "dropped": 0, "rejected": 0}, \
        (counts, {d: r["reason"] for d, r in second.dropped.items()})
    changed = [d for d, r in first.clean.items() if second.clean[d]["text"] != r["text"]]
    assert not changed, f"text changed on a second cleaning: {changed}"
