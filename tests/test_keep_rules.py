"""Which copy of duplicates survives: --near-dup-keep longest|first, --exact-dup-keep smallest-id|first."""
from __future__ import annotations

import dataclasses
import json
import os

import pytest

from cleaner.config import Options
from cleaner.similarity.clusters import pick_survivor
from cleaner.engines.local.run import run

from test_paragraphs import _clean_jsonl, _near_twins

BODY = ("The ferry timetable changes on Monday: the first boat leaves at six, the last at eleven, "
        "and the Sunday service stops at the island's north pier for the whole of the winter season.")


def _exact_copies(path) -> None:
    recs = [{"id": "zeta", "url": "https://z.example/1", "text": BODY},
            {"id": "alpha", "url": "https://a.example/1", "text": BODY.upper()}]   # equal once case is folded
    path.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False, workers=1, output_format="jsonl"), **kw)


@pytest.mark.parametrize("keep, kept", [("smallest-id", "alpha"), ("first", "zeta")])
def test_exact_duplicates_keep_the_smallest_id_or_the_first(tmp_path, keep, kept):
    inp = tmp_path / "in.jsonl"
    _exact_copies(inp)
    run([str(inp)], _opts(exact_dup_keep=keep), str(tmp_path / "out"))
    out = _clean_jsonl(tmp_path / "out")
    assert out[kept] != "exact-duplicate" and out[({"alpha", "zeta"} - {kept}).pop()] == "exact-duplicate"


def test_near_duplicates_keep_the_longest_by_default(tmp_path):
    inp = tmp_path / "in.jsonl"
    _near_twins(inp)
    run([str(inp)], _opts(), str(tmp_path / "out"))
    assert _clean_jsonl(tmp_path / "out")["first"] == "near-duplicate"


def test_pick_survivor_rules():
    sizes, ids = [10, 30, 30], ["c", "b", "a"]
    assert pick_survivor([0, 1, 2], sizes, ids) == 2          # most shingles, then the smallest id
    assert pick_survivor([2, 0, 1], sizes, ids, "first") == 0  # the earliest member
    with pytest.raises(ValueError, match="longest, first"):
        pick_survivor([0, 1], sizes, ids, "last")


def test_keep_options_are_checked_on_the_command_line(tmp_path, capsys):
    from cleaner.cli.main import main
    page = tmp_path / "p.txt"
    page.write_text(BODY, encoding="utf-8")
    with pytest.raises(SystemExit) as e:
        main(["clean", str(page), "--near-dup-keep", "shortest"])
    assert e.value.code == 2 and "longest" in capsys.readouterr().err


def test_ray_engine_keeps_the_same_copies_with_keep_first(ray_target, tmp_path):
    from cleaner.engines.ray.engine import run_ray
    root = tmp_path / "in"
    root.mkdir()
    _near_twins(root / "a.jsonl")
    _exact_copies(root / "b.jsonl")
    opts = _opts(near_dup_keep="first", exact_dup_keep="first")
    run([str(root)], opts, str(tmp_path / "local"))
    run_ray([str(root)], ray_target.options(opts), str(tmp_path / "ray"))
    local = _clean_jsonl(tmp_path / "local")
    assert local == _clean_jsonl(tmp_path / "ray")
    assert local["second"] == "near-duplicate" and local["alpha"] == "exact-duplicate"
    assert os.path.exists(tmp_path / "ray" / "report.json")
