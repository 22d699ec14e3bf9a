"""The local engine's corpus passes: workers, kept span marks, the same bytes for any number of workers."""
from __future__ import annotations

import dataclasses
import json
import random

import pytest

from cleaner.config import Options
from cleaner.corpus.templates import SiteTemplates
from cleaner.engines.local.run import run

from conftest import read_outputs

WORDS = ("quarry lantern orchard meadow thimble cobble saddle ferret willow bramble copper tinder garnet "
         "hazel fjord walnut cinder pebble marsh kiln loom anvil spindle ledger").split()


def _corpus(path, n: int = 120) -> None:
    """Records from six hosts with a footer each repeats, exact copies and lightly edited copies."""
    rng = random.Random(11)
    bodies = []
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            host = f"h{i % 6}.example"
            if i % 10 == 9 and bodies:                # an exact copy of an earlier body
                body = bodies[rng.randrange(len(bodies))]
            elif i % 10 == 8 and bodies:              # a near copy: a few words changed
                words = bodies[rng.randrange(len(bodies))].split(" ")
                for k in rng.sample(range(len(words)), 3):
                    words[k] = words[k][::-1]
                body = " ".join(words)
            else:
                body = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + "."
                                   for _ in range(3))
                bodies.append(body)
            footer = f"Read more stories from {host} every week, sent to {100 + i} readers."
            fh.write(json.dumps({"id": f"r{i:03d}", "url": f"https://{host}/p/{i}", "text": body + "\n\n" + footer}) + "\n")
        fh.write("{broken\n")


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False, spool_batch_records=9), **kw)


@pytest.mark.parametrize("fmt", ["jsonl.gz", "parquet"])
def test_two_workers_write_the_same_bytes_as_one_over_many_spool_files(tmp_path, fmt):
    inp = tmp_path / "in.jsonl"
    _corpus(inp)
    one = run([str(inp)], _opts(workers=1, output_format=fmt), str(tmp_path / "w1"))
    two = run([str(inp)], _opts(workers=2, output_format=fmt), str(tmp_path / "w2"))
    assert read_outputs(tmp_path / "w1") == read_outputs(tmp_path / "w2") != {}
    d = one.report["dropped_by_reason"]
    assert d.get("exact-duplicate", 0) >= 5 and d.get("near-duplicate", 0) >= 5
    steps = one.report["corpus_steps"]
    assert steps["site-templates"]["spans"] >= 100     # the footer of every page
    for name in steps:
        for k in ("spans", "dropped"):
            assert steps[name][k] == two.report["corpus_steps"][name][k]
    assert one.report["documents"] == two.report["documents"]
    assert one.report["characters"] == two.report["characters"]


def test_site_templates_are_computed_once_per_document_and_read_back_after(tmp_path, monkeypatch):
    inp = tmp_path / "in.jsonl"
    _corpus(inp)
    ref = run([str(inp)], _opts(workers=1), str(tmp_path / "ref"))
    calls = []
    real = SiteTemplates.apply

    def counting(self, index, doc):
        calls.append(index)
        return real(self, index, doc)

    monkeypatch.setattr(SiteTemplates, "apply", counting)
    res = run([str(inp)], _opts(workers=1), str(tmp_path / "out"))
    documents = res.report["documents"]["in"] - res.report["documents"]["rejected"]
    assert sorted(calls) == list(range(documents)), "once each, in the pass after the templates were decided"
    assert read_outputs(tmp_path / "out") == read_outputs(tmp_path / "ref")
    assert res.report["corpus_steps"]["site-templates"]["spans"] == ref.report["corpus_steps"]["site-templates"]["spans"] > 0


def test_without_corpus_steps_two_workers_still_match_one(tmp_path):
    inp = tmp_path / "in.jsonl"
    _corpus(inp, 40)
    off = dict(templates=False, exact_dedup=False, near_dedup=False)
    run([str(inp)], _opts(workers=1, **off), str(tmp_path / "w1"))
    run([str(inp)], _opts(workers=2, **off), str(tmp_path / "w2"))
    assert read_outputs(tmp_path / "w1") == read_outputs(tmp_path / "w2") != {}


class _Crash(Exception):
    pass


def test_a_run_stopped_after_the_marks_were_kept_resumes_to_the_same_bytes(tmp_path, monkeypatch):
    from cleaner.corpus.near import NearDuplicates
    inp = tmp_path / "in.jsonl"
    _corpus(inp)
    run([str(inp)], _opts(workers=1), str(tmp_path / "ref"))

    def crash(self):
        raise _Crash()

    monkeypatch.setattr(NearDuplicates, "decide", crash)   # the template marks are on disk by then
    with pytest.raises(_Crash):
        run([str(inp)], _opts(workers=2), str(tmp_path / "out"))
    assert list((tmp_path / "out" / ".work" / "marks").glob("00-*.json.zst"))
    monkeypatch.undo()
    res = run([str(inp)], _opts(workers=2), str(tmp_path / "out"))
    assert res.report["run"]["batches_resumed"] > 0
    assert read_outputs(tmp_path / "out") == read_outputs(tmp_path / "ref")


def test_a_corpus_pass_worker_that_dies_costs_time_not_output(tmp_path, monkeypatch, capfd):
    import os

    from cleaner.engines.local import passes as corpus_passes
    inp = tmp_path / "in.jsonl"
    _corpus(inp)
    run([str(inp)], _opts(workers=1), str(tmp_path / "ref"))
    driver, real = os.getpid(), corpus_passes.TASKS["finish"]

    def dies_in_a_worker(plan, path, file_no, base, **kw):
        if os.getpid() != driver and file_no == 3:
            os._exit(9)   # as if killed by the out-of-memory killer
        return real(plan, path, file_no, base, **kw)

    monkeypatch.setitem(corpus_passes.TASKS, "finish", dies_in_a_worker)
    res = run([str(inp)], _opts(workers=2), str(tmp_path / "out"))
    assert "worker died" in capfd.readouterr().err
    assert read_outputs(tmp_path / "out") == read_outputs(tmp_path / "ref")
    assert res.report["documents"]["in"] == 121


def test_a_pass1_worker_that_dies_while_the_next_batch_runs_costs_one_record(tmp_path, monkeypatch):
    import os
    import signal

    import cleaner.pipeline as cleaner_pipeline
    from cleaner.document import Document
    from cleaner.steps import Marker

    class Saboteur(Marker):
        name = "saboteur"

        def mark(self, doc: Document):
            if "CRASH-ME" in doc.text:
                os.kill(os.getpid(), signal.SIGKILL)
            return []

    real = cleaner_pipeline.build_markers
    monkeypatch.setattr(cleaner_pipeline, "build_markers", lambda options: real(options) + [Saboteur()])
    path = tmp_path / "r.jsonl"
    lines = [{"id": f"ok{i:02d}", "text": f"Record number {i} about the {WORDS[i % len(WORDS)]} and the {WORDS[(3 * i) % len(WORDS)]}."}
             for i in range(20)]
    lines.insert(5, {"id": "bad", "text": "This record says CRASH-ME in its text."})
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    off = dict(templates=False, exact_dedup=False, near_dedup=False)
    res = run([str(path)], _opts(workers=2, spool_batch_records=4, **off), str(tmp_path / "out"))
    assert res.report["documents"] == {"in": 21, "clean": 20, "dropped": 0, "rejected": 1}
    assert res.report["rejected_by_kind"] == {"worker-died": 1}


def test_corpus_step_figures_in_the_report_are_the_same_for_one_and_two_workers(tmp_path):
    inp = tmp_path / "in.jsonl"
    _corpus(inp)
    reports = [run([str(inp)], _opts(workers=w), str(tmp_path / f"w{w}")).report for w in (1, 2)]
    for rep in reports:
        steps = rep["corpus_steps"]
        clean_and_dropped = rep["documents"]["clean"] + rep["documents"]["dropped"]
        # every document reaches the first step; later steps see those not dropped before them
        assert steps["site-templates"]["documents"] == clean_and_dropped
        assert 0 < steps["near-dup"]["documents"] < steps["exact-dup"]["documents"] <= clean_and_dropped
        assert steps["site-templates"]["spans"] > 0 and steps["near-dup"]["dropped"] > 0
        for name, st in steps.items():
            assert st["seconds"] == rep["seconds_by_step"][name] > 0, name
    counts = [{n: {k: st[k] for k in ("documents", "spans", "dropped")} for n, st in r["corpus_steps"].items()}
              for r in reports]
    assert counts[0] == counts[1]


def test_every_corpus_step_decides_a_small_picklable_decision_that_a_bare_step_applies(tmp_path):
    """The protocol: fingerprint -> observe -> decide() returns the decision; Step.applying(decision) applies it."""
    import pickle

    from cleaner.document import Document
    from cleaner.pipeline import build_corpus_steps
    _corpus(tmp_path / "in.jsonl")
    recs = [json.loads(line) for line in (tmp_path / "in.jsonl").read_text().splitlines() if line.startswith("{\"")]
    opts = Options(paragraph_dedup=True, paragraph_repeat_hosts=1)
    steps = build_corpus_steps(opts, str(tmp_path / "w"))
    assert [s.name for s in steps] == ["site-templates", "exact-dup", "paragraph-dup", "near-dup"]
    docs = lambda: [Document(r["id"], r["url"], r["text"]) for r in recs]  # noqa: E731
    done = []
    for step in steps:
        for i, d in enumerate(docs()):
            for ap in done:
                ap.apply(i, d)
            if d.dropped is None:
                step.observe(i, d.id, step.fingerprint(d))
        decision = step.decide()
        assert decision is step.decision and isinstance(decision.report(), dict)
        again = pickle.loads(pickle.dumps(decision))
        bare = type(step).applying(again)
        assert vars(bare).keys() == {"stats", "decision"}, "an applying step holds the decision alone"
        a, b = docs(), docs()
        for i, (x, y) in enumerate(zip(a, b)):
            step.apply(i, x)
            bare.apply(i, y)
        assert [(x.removed, x.dropped) for x in a] == [(y.removed, y.dropped) for y in b]
        done.append(bare)
    assert done[0].decision.keys.size and len(done[1].decision) and len(done[3].decision), "every step decided something"


def test_page_files_read_by_the_workers_or_by_the_driver_give_the_same_bytes(tmp_path, monkeypatch):
    """The workers read page files themselves when they have every core; else the driver reads them."""
    from conftest import page_html
    from cleaner.engines.local import run as local_run
    pages = tmp_path / "in"
    pages.mkdir()
    for i in range(9):
        paras = [f"Paragraph {j} of page {i}: " + " ".join(WORDS[(i + j + k) % len(WORDS)] for k in range(40))
                 for j in range(4)]
        (pages / f"p{i}.html").write_text(page_html(f"Page {i}", paras), encoding="utf-8")
    (pages / "broken.html").write_bytes(b"\x00\x01\x02" * 200)   # a reject, read where the page is read
    outs = {}
    for who, fill in (("driver", False), ("workers", True)):
        monkeypatch.setattr(local_run, "_workers_fill_cores", lambda options, fill=fill: fill)
        res = run([str(pages)], _opts(workers=2, spool_batch_records=4), str(tmp_path / who))
        assert res.report["documents"]["in"] == 10 and res.report["documents"]["rejected"] == 1
        outs[who] = read_outputs(tmp_path / who)
    assert outs["driver"] == outs["workers"] != {}


def test_a_kept_twin_that_a_later_step_drops_is_never_named(tmp_path):
    """c is an exact copy of b (exact duplicates keep b), b a near copy of a (near duplicates keep
    a): c's duplicate_of names a, the document that stays, not b, which is dropped too."""
    rng = random.Random(3)
    words = [rng.choice(WORDS) for _ in range(300)]
    near = list(words)
    near[150] = "otterhound"
    texts = {"a": " ".join(near), "b": " ".join(words), "c": " ".join(words)}
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps({"id": k, "text": t}) + "\n" for k, t in texts.items()), encoding="utf-8")
    res = run([str(inp)], _opts(workers=1), str(tmp_path / "out"))
    from conftest import read_jsonl_gz
    dropped = {r["id"]: r for p in sorted((tmp_path / "out").glob("dropped-*")) for r in read_jsonl_gz(p)}
    clean = {r["id"] for p in sorted((tmp_path / "out").glob("clean-*")) for r in read_jsonl_gz(p)}
    assert clean == {"a"}
    assert dropped["b"]["reason"] == "near-duplicate" and dropped["b"]["duplicate_of"] == "a"
    assert dropped["c"]["reason"] == "exact-duplicate" and dropped["c"]["duplicate_of"] == "a"
    assert dropped["c"]["similarity"] == dropped["b"]["similarity"] < 1
    assert res.report["documents"]["clean"] == 1


def test_a_one_record_run_to_standard_output_builds_no_corpus_step_and_prints_the_same_text(tmp_path, monkeypatch):
    """No corpus step can act on one document; a run of more records to standard output still runs them."""
    from conftest import page_html
    from cleaner.engines.local import run as local_run
    page = tmp_path / "page.html"
    page.write_text(page_html("A page", [" ".join(WORDS[k % len(WORDS)] for k in range(i, i + 40)) + "."
                                         for i in range(4)]), encoding="utf-8")
    with_report = run([str(page)], _opts(workers=1), str(tmp_path / "out"))
    built = []
    real = local_run.build_corpus_steps
    monkeypatch.setattr(local_run, "build_corpus_steps", lambda *a, **k: built.append(1) or real(*a, **k))
    alone = run([str(page)], _opts(workers=1), None)
    assert built == [] and len(alone.clean_texts) == 1
    from conftest import read_jsonl_gz
    assert [r["text"] for p in sorted((tmp_path / "out").glob("clean-*")) for r in read_jsonl_gz(p)] == alone.clean_texts
    assert with_report.report["corpus_steps"]   # a run with a report still has them
    twins = tmp_path / "twins.jsonl"
    body = " ".join(WORDS) + "."
    twins.write_text("".join(json.dumps({"id": i, "text": body}) + "\n" for i in ("x", "y")), encoding="utf-8")
    both = run([str(twins)], _opts(workers=1), None)
    assert built and len(both.clean_texts) == 1   # the exact copy is dropped
