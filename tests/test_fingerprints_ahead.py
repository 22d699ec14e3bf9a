"""Fingerprints computed ahead by an idle driver during pass 1: taken only where they are still right."""
from __future__ import annotations

import dataclasses
import json
import random

from cleaner.config import Options
from cleaner.corpus.near import NearDuplicates
from cleaner.corpus.paragraphs import RULE as PARAGRAPH_RULE
from cleaner.corpus.exact import ExactDuplicates
from cleaner.document import Span
from cleaner.engines.local import ahead as ahead_mod
from cleaner.engines.local import passes
from cleaner.engines.local import run as local_run
from cleaner.engines.local.run import run

from conftest import read_outputs

WORDS = ("quarry lantern orchard meadow thimble cobble saddle ferret willow bramble copper tinder garnet "
         "hazel fjord walnut cinder pebble marsh kiln loom anvil spindle ledger").split()


def _sentence(rng: random.Random, n: int = 30) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _corpus(path, n: int = 90) -> None:
    """Pages of two hosts that repeat a footer (site templates change them), pages of hosts of
    their own (unchanged by templates), exact and near copies across both, and a paragraph
    that many hosts repeat (corpus.paragraph@1 marks it: near duplicates do not read those marks)."""
    rng = random.Random(5)
    shared = _sentence(rng, 20)
    bodies: list[str] = []
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            templated = i % 3 == 0
            host = f"site{i % 2}.example" if templated else f"own{i}.example"
            if i % 9 == 8 and bodies:
                body = bodies[rng.randrange(len(bodies))]
            elif i % 9 == 7 and bodies:
                words = bodies[rng.randrange(len(bodies))].split(" ")
                for k in rng.sample(range(len(words)), 3):
                    words[k] = words[k][::-1]
                body = " ".join(words)
            else:
                body = "\n\n".join(_sentence(rng) for _ in range(3))
                bodies.append(body)
            if i % 4 == 1:
                body += "\n\n" + shared
            if templated:
                body += f"\n\nSubscribe to the {host} letter, read by {200 + i} people each week."
            fh.write(json.dumps({"id": f"d{i:03d}", "url": f"https://{host}/a/{i}", "text": body}) + "\n")


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False, spool_batch_records=8, workers=1), **kw)


def _count_taken(monkeypatch) -> dict[bool, int]:
    counts = {True: 0, False: 0}
    real = passes.unchanged_for

    def counting(step, added):
        got = real(step, added)
        counts[got] += 1
        return got

    monkeypatch.setattr(passes, "unchanged_for", counting)
    return counts


def test_fingerprints_taken_ahead_give_the_bytes_computed_in_each_pass(tmp_path, monkeypatch):
    inp = tmp_path / "in.jsonl"
    _corpus(inp)
    monkeypatch.setattr(local_run, "_workers_fill_cores", lambda options: True)   # no core to spare: no ahead
    plain = run([str(inp)], _opts(), str(tmp_path / "plain"))
    monkeypatch.setattr(local_run, "_workers_fill_cores", lambda options: False)
    monkeypatch.setattr(local_run, "_waiting", lambda running, rest=(): True)   # as if the driver always had time
    counts = _count_taken(monkeypatch)
    ahead = run([str(inp)], _opts(), str(tmp_path / "ahead"))
    assert read_outputs(tmp_path / "ahead") == read_outputs(tmp_path / "plain") != {}
    assert counts[True] > 0, "documents that no earlier step changed take the fingerprint computed ahead"
    assert counts[False] > 0, "documents with template marks are fingerprinted again"
    steps = plain.report["corpus_steps"]
    assert steps["site-templates"]["spans"] >= 25
    assert steps["paragraph-dup"]["spans"] >= 5
    assert plain.report["dropped_by_reason"].get("exact-duplicate", 0) >= 3
    assert plain.report["dropped_by_reason"].get("near-duplicate", 0) >= 3
    for name in steps:
        assert {k: steps[name][k] for k in ("spans", "dropped", "documents")} == \
            {k: ahead.report["corpus_steps"][name][k] for k in ("spans", "dropped", "documents")}


def test_past_the_memory_budget_the_passes_fingerprint_as_before(tmp_path, monkeypatch):
    inp = tmp_path / "in.jsonl"
    _corpus(inp, 40)
    monkeypatch.setattr(local_run, "_workers_fill_cores", lambda options: True)
    run([str(inp)], _opts(), str(tmp_path / "plain"))
    monkeypatch.setattr(local_run, "_workers_fill_cores", lambda options: False)
    monkeypatch.setattr(local_run, "_waiting", lambda running, rest=(): True)
    monkeypatch.setattr(ahead_mod, "MAX_BYTES", 1)   # the first spool file fills it
    added = []
    real_start = ahead_mod.FingerprintsAhead.start_file
    monkeypatch.setattr(ahead_mod.FingerprintsAhead, "start_file",
                        lambda self, file_no: (added.append(self.active), real_start(self, file_no))[1])
    run([str(inp)], _opts(), str(tmp_path / "small"))
    assert added[0] is True and not any(added[1:]) and len(added) == 5
    assert read_outputs(tmp_path / "small") == read_outputs(tmp_path / "plain") != {}


def test_a_step_reads_every_span_but_those_it_says_it_ignores():
    near = NearDuplicates.from_options(Options())
    exact = ExactDuplicates.from_options(Options())
    para = Span(0, 5, PARAGRAPH_RULE)
    template = Span(0, 5, "site.template@1")
    assert ahead_mod.unchanged_for(near, [])
    assert ahead_mod.unchanged_for(near, [para])
    assert not ahead_mod.unchanged_for(near, [para, template])
    assert not ahead_mod.unchanged_for(exact, [para])
    near.close()
    exact.close()


def test_the_driver_fingerprints_ahead_only_while_the_workers_still_hold_the_next_file():
    from concurrent.futures import Future
    from collections import deque
    from cleaner.engines.local.pool import Chunk
    busy, done = Future(), Future()
    done.set_result(None)
    assert local_run._waiting(deque())   # the last file: nothing more to wait for
    assert local_run._waiting(deque([("p", [Chunk([], done, 0), Chunk([], busy, 0)], 2, 1)]))
    assert not local_run._waiting(deque([("p", [Chunk([], done, 0)], 1, 1)]))   # ready: write it first
    assert not local_run._waiting(deque([("p", [Chunk([], None, 0, done=([], {}, 0))], 1, 1)]))
    # within a file: the rest of its chunks, else the next file's
    assert local_run._waiting(deque([("p", [Chunk([], done, 0)], 1, 1)]), [Chunk([], busy, 0)])
    assert not local_run._waiting(deque([("p", [Chunk([], busy, 0)], 1, 1)]), [Chunk([], done, 0)])
    assert not local_run._waiting(deque([("p", [Chunk([], done, 0)], 1, 1)]), [])
