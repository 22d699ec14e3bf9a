"""Paragraphs repeated across the corpus: boilerplate gone everywhere, shared text kept once, never a document lost."""
from __future__ import annotations

import dataclasses
import json
import random
import subprocess
import sys
import os

import numpy as np
import pytest

from cleaner.config import Options
from cleaner.corpus import paragraphs as pg
from cleaner.engines.local.run import run

from conftest import read_jsonl_gz, read_outputs

WORDS = ("quarry lantern orchard meadow thimble cobble saddle ferret willow bramble copper tinder garnet "
         "hazel fjord walnut cinder pebble marsh kiln loom anvil spindle ledger harbour violet tundra").split()
NOTICE = "This article was originally published by the Wire Service and is republished here."
QUOTE = ("\"We will rebuild the pier before the summer season, whatever the cost, because the town lives from it,\" "
         "the mayor said in a statement read at the council meeting.")


def write_corpus(path, n_notice: int = 16, quoted=(4, 11), seed: int = 3) -> list[str]:
    """``n_notice`` records on as many hosts end with :data:`NOTICE`; records ``quoted`` also hold :data:`QUOTE`."""
    rng = random.Random(seed)
    ids = []
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n_notice + 4):
            paras = [" ".join(rng.choice(WORDS) for _ in range(30)).capitalize() + "." for _ in range(3)]
            if i in quoted:
                paras.insert(1, QUOTE)
            if i < n_notice:
                paras.append(NOTICE)
            rec = {"id": f"doc{i:02d}", "url": f"https://host{i}.example/story/{i}", "text": "\n\n".join(paras)}
            ids.append(rec["id"])
            fh.write(json.dumps(rec) + "\n")
    return ids


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False, workers=1, spool_batch_records=5), **kw)


def _clean(outdir) -> dict[str, str]:
    out = {}
    for name in sorted(os.listdir(outdir)):
        if name.startswith("clean-"):
            out.update({r["id"]: r["text"] for r in read_jsonl_gz(os.path.join(outdir, name))})
    return out


def test_notice_is_gone_everywhere_and_the_quote_stays_exactly_once(tmp_path):
    inp = tmp_path / "in.jsonl"
    ids = write_corpus(inp)
    res = run([str(inp)], _opts(), str(tmp_path / "out"))
    clean = _clean(tmp_path / "out")
    assert sorted(clean) == ids, "no document is dropped for its paragraphs"
    assert not any(NOTICE in t for t in clean.values())
    holders = [i for i, t in clean.items() if QUOTE in t]
    assert holders == ["doc04"], "the quote stays in the first document that has it"
    step = res.report["corpus_steps"]["paragraph-dup"]
    assert step["boilerplate_paragraphs"] == 1 and step["repeated_paragraphs"] == 1
    chars = res.report["characters"]["removed_by_rule"]
    assert chars[pg.BOILERPLATE_RULE] >= 16 * len(NOTICE) and chars[pg.RULE] >= len(QUOTE)
    assert step["index_bytes_per_document"] > 0


def test_the_later_copy_names_the_kept_one(tmp_path):
    from cleaner.cli.explain import find_document
    inp = tmp_path / "in.jsonl"
    write_corpus(inp)
    docs = {i: find_document([str(inp)], _opts(), i).doc for i in ("doc00", "doc04", "doc11")}
    spans = [s for s in docs["doc11"].removed if s.rule == pg.RULE]
    assert [s.detail for s in spans] == ["doc04"]
    assert not [s for s in docs["doc04"].removed if s.rule == pg.RULE]
    assert any(s.rule == pg.BOILERPLATE_RULE and s.detail == "on 16 hosts" for s in docs["doc00"].removed)


def test_a_notice_on_too_few_hosts_stays(tmp_path):
    inp = tmp_path / "in.jsonl"
    write_corpus(inp, n_notice=5)
    run([str(inp)], _opts(), str(tmp_path / "out"))
    clean = _clean(tmp_path / "out")
    assert sum(NOTICE in t for t in clean.values()) == 5


def test_a_document_made_only_of_repeated_text_is_not_emptied():
    step = pg.RepeatedParagraphs(100, 2, 50)
    from cleaner.document import Document, apply_spans
    a = Document("a", "https://a.example/1", f"{QUOTE}\n\nOwn words of the first page, long enough to matter here.")
    b = Document("b", "https://b.example/1", QUOTE)
    for i, d in enumerate((a, b)):
        step.observe(i, d.id, step.fingerprint(d))
    ap = pg.RepeatedParagraphs.applying(step.decide())
    ap.apply(1, b)
    assert apply_spans(b.text, b.removed) == QUOTE


def test_group_rows_counts_hosts_and_documents_once():
    k_short = np.uint64((7 << 8) | 1)   # SHORT bit
    k_long = np.uint64((9 << 8) | 2)    # LONG bit
    keys = np.array([k_short] * 4 + [k_long] * 3, np.uint64)
    docs = np.array([0, 1, 1, 2, 3, 3, 5], np.int64)
    hosts = np.array([1, 2, 2, 2, 1, 1, 4], np.uint32)
    order = pg.sort_rows(keys, docs)
    g = pg.group_rows(keys[order], docs[order], hosts[order], min_hosts=2)
    assert g.boiler_keys.tolist() == [int(k_short)] and g.boiler_hosts.tolist() == [2]
    assert g.repeat_keys.tolist() == [int(k_long)] and g.repeat_docs.tolist() == [2]
    assert docs[order][g.repeat_first_row].tolist() == [3]
    g3 = pg.group_rows(keys[order], docs[order], hosts[order], min_hosts=3)
    assert g3.boiler_keys.size == 0


def test_normalisation_folds_case_punctuation_and_digits():
    assert pg.normalize_paragraph("Published 3 May, 2024!") == pg.normalize_paragraph("published 9 may 2031")
    assert pg.normalize_paragraph("Überall — 12 Tage") == "überall 00 tage"
    keys = pg.paragraph_keys(["a short notice line", "x" * 150, "middle " * 12, "Key features"], 30, 100)
    assert int(keys[0]) & 3 == 1 and int(keys[1]) & 3 == 2 and keys[2] == 0
    assert keys[3] == 0, "a heading of fewer than BOILERPLATE_MIN_WORDS words is never boilerplate"


def test_documents_without_a_url_count_no_host():
    k_short = np.uint64((7 << 8) | 1)
    k_long = np.uint64((9 << 8) | 2)
    keys = np.array([k_short] * 3 + [k_long] * 2, np.uint64)
    docs = np.array([0, 1, 2, 0, 3], np.int64)
    hosts = np.array([0, 0, 5, 5, 0], np.uint32)
    g = pg.group_rows(keys, docs, hosts, min_hosts=2, repeat_hosts=2)
    assert g.boiler_keys.size == 0 and g.repeat_keys.size == 0
    g1 = pg.group_rows(keys, docs, hosts, min_hosts=2, repeat_hosts=1)
    assert g1.repeat_keys.tolist() == [int(k_long)], "repeat_hosts 1: any repeat"


def test_spill_partitions_give_the_same_decision(tmp_path, monkeypatch):
    inp = tmp_path / "in.jsonl"
    write_corpus(inp)
    a = run([str(inp)], _opts(), str(tmp_path / "a"))
    monkeypatch.setattr(pg, "PENDING_ROWS", 3)   # flush to the partition files every few rows
    b = run([str(inp)], _opts(), str(tmp_path / "b"))
    assert read_outputs(tmp_path / "a") == read_outputs(tmp_path / "b")
    assert a.report["corpus_steps"]["paragraph-dup"]["repeated_paragraphs"] == 1


def test_two_workers_write_the_same_bytes(tmp_path):
    inp = tmp_path / "in.jsonl"
    write_corpus(inp, n_notice=24, quoted=(2, 7, 19))
    run([str(inp)], _opts(workers=1), str(tmp_path / "w1"))
    run([str(inp)], _opts(workers=2), str(tmp_path / "w2"))
    assert read_outputs(tmp_path / "w1") == read_outputs(tmp_path / "w2") != {}
    clean = _clean(tmp_path / "w1")
    assert [i for i, t in clean.items() if QUOTE in t] == ["doc02"]


def test_a_killed_run_resumes_to_the_same_bytes(tmp_path):
    inp = tmp_path / "in.jsonl"
    write_corpus(inp, n_notice=40, quoted=(3, 30))
    ref = tmp_path / "ref"
    run([str(inp)], _opts(), str(ref))
    out = tmp_path / "out"
    # stop a run after pass 1 wrote part of its spool, as kill -9 would, then run again
    code = ("import sys, dataclasses; sys.path.insert(0, %r)\n"
            "from cleaner.config import Options\nimport cleaner.engines.local.run as p\n"
            "orig = p.write_spool\nn = [0]\n"
            "def ws(*a, **k):\n    orig(*a, **k)\n    n[0] += 1\n    import os\n    os._exit(9) if n[0] == 3 else None\n"
            "p.write_spool = ws\n"
            "p.run([%r], dataclasses.replace(Options(progress=False, workers=1, spool_batch_records=5)), %r)\n"
            % (os.getcwd(), str(inp), str(out)))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert r.returncode == 9, r.stderr
    assert os.path.isdir(out / ".work") and not os.path.exists(out / "report.json")
    res = run([str(inp)], _opts(), str(out))
    assert res.report["run"]["batches_resumed"] >= 3
    assert read_outputs(out) == read_outputs(ref)


def _near_twins(path) -> None:
    """``first`` and a longer near-duplicate ``second`` (the one kept by default), and ``third`` quoting them."""
    rng = random.Random(5)
    paras = [" ".join(rng.choice(WORDS) for _ in range(35)).capitalize() + "." for _ in range(6)]
    recs = [{"id": "first", "url": "https://a.example/1", "text": "\n\n".join(paras)},
            {"id": "second", "url": "https://b.example/1", "text": "\n\n".join(paras + ["One more closing paragraph of the longer copy."])},
            {"id": "third", "url": "https://c.example/1", "text": "\n\n".join(["A page of its own that quotes one paragraph.", paras[2]])}]
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")


def test_a_paragraph_kept_in_a_dropped_near_duplicate_stays_in_every_other_copy(tmp_path):
    inp = tmp_path / "in.jsonl"
    _near_twins(inp)
    res = run([str(inp)], _opts(), str(tmp_path / "out"))
    assert res.report["dropped_by_reason"] == {"near-duplicate": 1}
    clean = _clean(tmp_path / "out")
    assert sorted(clean) == ["second", "third"]
    rng = random.Random(5)
    paras = [" ".join(rng.choice(WORDS) for _ in range(35)).capitalize() + "." for _ in range(6)]
    assert all(p in clean["second"] for p in paras), "the survivor keeps the paragraphs its dropped twin held first"
    assert paras[2] in clean["third"], "a near-duplicate's survivor need not hold it: no copy goes"


def test_a_paragraph_is_never_lost_with_a_near_duplicate_that_kept_it(tmp_path):
    """Found by a new user: ``a`` keeps P, ``a`` is dropped as a near-duplicate of ``s`` (which
    lacks P), and ``b`` had lost P to ``a``: P was in no output document."""
    rng = random.Random(7)
    story = [" ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + "." for _ in range(6)]
    shared = "The international committee said the conference will take place in Vienna next spring, with delegates from forty countries."
    recs = [{"id": "a", "url": "https://one.example/1", "text": "\n\n".join(story + [shared])},
            {"id": "s", "url": "https://two.example/1", "text": "\n\n".join(
                story + [" ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + "."])},   # longer: the survivor
            {"id": "b", "url": "https://three.example/1", "text": "\n\n".join(["Other news of the day, in a paragraph of its own.", shared])}]
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    res = run([str(inp)], _opts(), str(tmp_path / "out"))
    assert res.report["dropped_by_reason"] == {"near-duplicate": 1}
    clean = _clean(tmp_path / "out")
    assert "a" not in clean and any(shared in t for t in clean.values())


def test_a_document_dropped_for_its_length_keeps_no_paragraph_for_the_others(tmp_path):
    """Found by a new user: with --min-doc-chars 200 the short ``a`` kept P and was dropped,
    and ``b`` lost P to it and was dropped too."""
    shared = "The international committee said the conference will take place in Vienna next spring, with delegates from forty countries."
    body = "A long report about the harbour, the ferry timetable and the new cycle path along the river bank. " * 2
    recs = [{"id": "a", "url": "https://one.example/1", "text": f"In brief.\n\n{shared}"},
            {"id": "b", "url": "https://two.example/1", "text": f"{body}\n\n{shared}"}]
    inp = tmp_path / "in.jsonl"
    inp.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    res = run([str(inp)], _opts(min_doc_chars=200), str(tmp_path / "out"))
    clean = _clean(tmp_path / "out")
    assert res.report["documents"]["clean"] == 1 and shared in clean["b"]


def test_near_dup_keep_first_keeps_the_earlier_twin(tmp_path):
    inp = tmp_path / "in.jsonl"
    _near_twins(inp)
    run([str(inp)], _opts(near_dup_keep="first"), str(tmp_path / "out"))
    assert sorted(_clean(tmp_path / "out")) == ["first", "third"]


def test_ray_engine_writes_what_the_local_engine_writes(ray_target, tmp_path):
    from cleaner.engines.ray.engine import run_ray
    root = tmp_path / "in"
    root.mkdir()
    write_corpus(root / "a.jsonl", n_notice=16, quoted=(4, 11))
    _near_twins(root / "b.jsonl")
    opts = _opts(output_format="jsonl")
    run([str(root)], opts, str(tmp_path / "local"))
    run_ray([str(root)], ray_target.options(opts), str(tmp_path / "ray"))
    local, remote = _clean_jsonl(tmp_path / "local"), _clean_jsonl(tmp_path / "ray")
    assert local == remote
    assert sum(QUOTE in t for t in local.values()) == 1 and not any(NOTICE in t for t in local.values())
    assert local["first"] == "near-duplicate" and "One more closing paragraph" in local["second"]


def _clean_jsonl(outdir) -> dict[str, str]:
    out = {}
    for name in sorted(os.listdir(outdir)):
        if name.startswith(("clean-", "dropped-")):
            with open(os.path.join(outdir, name), encoding="utf-8") as fh:
                for line in fh:
                    r = json.loads(line)
                    out[r["id"]] = r.get("text", r.get("reason"))
    return out


def test_packed_strings_give_back_what_went_in():
    from cleaner.containers.compact import PackedStrings
    import pickle
    ids = ["a", "", "dök-ü", "x" * 300, "\ud800lone"]
    p = PackedStrings(ids)
    assert list(p) == ids and len(p) == 5 and p[3] == "x" * 300
    assert pickle.loads(pickle.dumps(p)) == p
    assert p.nbytes() == 6 * 8 + sum(len(s.encode("utf-8", "surrogatepass")) for s in ids)
    with pytest.raises(IndexError):
        p[5]
    assert len(PackedStrings()) == 0


def test_the_ray_group_decides_what_the_local_step_decides(tmp_path):
    """Written once: ParagraphStage.group (one shuffle group, pyarrow only) and the local decide agree."""
    import pyarrow as pa
    from cleaner.document import Document
    from cleaner.engines.ray.paragraphs import BOILER, REPEAT, ParagraphStage
    inp = tmp_path / "in.jsonl"
    write_corpus(inp, n_notice=12, quoted=(1, 5, 9))
    docs = [Document(r["id"], r["url"], r["text"]) for r in map(json.loads, inp.read_text().splitlines())]
    opts = _opts(paragraph_min_hosts=10)
    local = pg.RepeatedParagraphs.from_options(opts, str(tmp_path / "w"))
    for i, d in enumerate(docs):
        local.observe(i, d.id, local.fingerprint(d))
    local.decide()
    stage = ParagraphStage(opts)
    rows = stage.rows(stage.make_step(), enumerate(docs))
    halves = [rows.slice(0, rows.num_rows // 2), rows.slice(rows.num_rows // 2)]   # order must not matter
    out = stage.group(pa.concat_tables(halves[::-1]))
    kind = out.column("kind").to_pylist()
    keys = out.column("key").to_pylist()
    assert sorted(k for k, t in zip(keys, kind) if t == BOILER) == local.decision.boiler_keys.tolist()
    rep = sorted((k, o, i) for k, t, o, i in zip(keys, kind, out.column("ord").to_pylist(), out.column("id").to_pylist())
                 if t == REPEAT)
    d = local.decision
    assert rep == [(int(k), int(o), d.kept_ids[j]) for j, (k, o) in enumerate(zip(d.repeat_keys, d.kept_ords))]
    assert rep and rep[0][2] == "doc01"
