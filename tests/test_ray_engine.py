"""The Ray engine against the local engine: same clean set, same drop reasons, on a local Ray."""
from __future__ import annotations

import dataclasses
import glob
import gzip
import json
import os

import pytest

from cleaner.config import Options
from cleaner.engines.local.run import run

from conftest import page_html, read_outputs

ray = pytest.importorskip("ray", reason="the Ray engine is an optional extra: pip install 'cleaner[ray]'")

TOPICS = [
    "The harbour authority approved a plan to dredge the eastern channel before the autumn storms arrive, "
    "after fishermen said the silt had narrowed the passage so much that larger boats now wait for high tide.",
    "A bakery on the market square began selling rye bread made with flour from the mill that reopened last spring, "
    "and the queue on Saturday morning reached the corner of the old post office.",
    "The town council voted to extend the cycle path along the river to the next village, which means a bridge "
    "over the canal lock and a new crossing at the level crossing near the station.",
    "Volunteers counted two hundred and twelve swallows nesting under the eaves of the riding school this year, "
    "twice as many as in the survey that the bird club ran five summers ago.",
    "The library will stay open until nine on Thursdays from next month, so that students who work during the day "
    "can use the reading room and borrow the course books that are kept behind the desk.",
    "A storm in the night tore the roof off a barn on the coast road; the farmer said the cattle were unharmed "
    "because they had been moved to the higher meadow the evening before the wind arrived.",
]


def _article(a: int, b: int) -> str:
    return f"Report {a}{b}: {TOPICS[a]}\n\nFurther, {TOPICS[b].lower()}"


def _template(i: int) -> str:
    # Not a chrome rule's shape (rules catch newsletter prompts): only repetition across the host marks it.
    return f"The Gazette is printed by Mill Lane Press on recycled paper; this edition went to press on {i} May."


@pytest.fixture(scope="module")
def local_ray():
    """A Ray started by the test itself, on 2 CPUs, shared by the module's tests."""
    started = not ray.is_initialized()
    if started:
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield ray
    if started:
        ray.shutdown()


@pytest.fixture
def dup_corpus(tmp_path):
    """Three shards: a template host spread over two files, near and exact duplicates across files, a broken line."""
    root = tmp_path / "in"
    (root / "more").mkdir(parents=True)
    recs_a, recs_b = [], []
    for i in range(5):  # one host, a printer's note on every page (numbers change): template
        rec = {"id": f"gz{i}", "url": f"https://www.gazette.example/news/{i}", "text": _article(i, i + 1) + "\n\n" + _template(i + 1)}
        (recs_a if i % 2 else recs_b).append(rec)
    base = _article(5, 0)
    recs_a.append({"id": "orig", "url": "https://a.example/story", "text": base + " The bridge opens in June."})
    recs_b.append({"id": "copy", "url": "https://b.example/reprint", "text": base + " The bridge opens in July."})  # near-duplicate
    recs_b.append({"id": "same", "url": "https://c.example/x", "text": _article(0, 2)})
    recs_a.append({"id": "also-same", "url": "https://d.example/y", "text": _article(0, 2).upper()})  # exact after folding
    recs_a.append({"id": "short", "text": "Too short."})
    lines_a = [json.dumps(r) for r in recs_a]
    lines_a.insert(2, "{broken")
    (root / "a.jsonl").write_text("\n".join(lines_a) + "\n", encoding="utf-8")
    with gzip.open(root / "more" / "b.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.write("\n".join(json.dumps(r) for r in recs_b) + "\n")
    (root / "page.txt").write_text(_article(1, 3) + "\n\nA closing line.\n", encoding="utf-8")
    (root / "more" / "story.html").write_text(page_html("Harbour news", TOPICS[2:5]), encoding="utf-8")  # extraction
    return root


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False, workers=1, min_doc_chars=20), **kw)


def _rows(outdir, kind):
    out = []
    for p in sorted(glob.glob(os.path.join(str(outdir), f"{kind}-*"))):
        with gzip.open(p, "rt", encoding="utf-8") as fh:
            out += [json.loads(line) for line in fh if line.strip()]
    return out


def _summary(outdir):
    clean = sorted((r["id"], r["text"]) for r in _rows(outdir, "clean"))
    dropped = sorted((r["id"], r["reason"], r.get("duplicate_of")) for r in _rows(outdir, "dropped"))
    rejects = sorted((os.path.basename(r["source"]), r["position"]) for r in _rows(outdir, "rejects"))
    return clean, dropped, rejects


def test_ray_gives_the_local_clean_set_and_drop_reasons(local_ray, dup_corpus, tmp_path):
    from cleaner.engines.ray.engine import run_ray
    opts = _opts()
    local = run([str(dup_corpus)], opts, str(tmp_path / "local"))
    remote = run_ray([str(dup_corpus)], dataclasses.replace(opts, engine="ray"), str(tmp_path / "ray"))
    lc, ld, lr = _summary(tmp_path / "local")
    rc, rd, rr = _summary(tmp_path / "ray")
    # The corpus exercises every corpus step, so equality below is not trivial.
    assert ("copy", "near-duplicate", "orig") in ld or ("orig", "near-duplicate", "copy") in ld
    assert any(reason == "exact-duplicate" for _, reason, _ in ld)
    assert ("short", "empty after cleaning", None) in ld
    assert all("Mill Lane Press" not in text for i, text in lc if i.startswith("gz"))
    assert lr == [("a.jsonl", 3)]
    assert any(i == "more/story.html" for i, _ in lc)
    assert (rc, rd, rr) == (lc, ld, lr)
    for field in ("documents", "dropped_by_reason", "rejected_by_kind", "dropped_examples", "characters"):
        assert remote.report[field] == local.report[field], field
    for step in ("exact-dup", "near-dup"):  # the cluster-size histogram of report.html
        assert remote.report["corpus_steps"][step]["cluster_sizes"] == local.report["corpus_steps"][step]["cluster_sizes"]
    decided = {"site-templates": ("template_blocks", "hosts_with_templates", "template_index_bytes", "min_pages", "min_share"),
               "exact-dup": ("clusters", "largest_cluster", "dropped_documents"),
               "near-dup": ("clusters", "largest_cluster", "dropped_documents", "threshold", "bands", "rows",
                            "candidate_probability_at_threshold"),
               "paragraph-dup": ("boilerplate_paragraphs", "repeated_paragraphs", "largest_repeat", "decision_bytes",
                                 "boilerplate_chars", "min_hosts", "min_chars", "repeat_hosts")}
    for step, keys in decided.items():  # a step's report from its decision: one function, both engines
        mine, theirs = local.report["corpus_steps"][step], remote.report["corpus_steps"][step]
        assert {k: theirs[k] for k in keys} == {k: mine[k] for k in keys}, step
    by_host = remote.report["characters"]["template_by_host"]
    assert list(by_host) == ["gazette.example"] and by_host["gazette.example"] > 0
    assert not os.path.exists(tmp_path / "ray" / ".work"), "the spool is removed after a finished run"


def test_ray_reads_and_writes_through_pyarrow_uris_with_identical_bytes(local_ray, dup_corpus, tmp_path):
    from cleaner.engines.ray.engine import run_ray
    opts = dataclasses.replace(_opts(), engine="ray")
    run_ray([str(dup_corpus)], opts, str(tmp_path / "ray-path"))
    run_ray([f"file://{dup_corpus}"], opts, f"file://{tmp_path}/ray-uri")
    by_path, by_uri = read_outputs(tmp_path / "ray-path"), read_outputs(tmp_path / "ray-uri")
    assert sorted(by_path) == sorted(by_uri) and by_path

    def records(data: bytes) -> list[dict]:  # "source" names the input as it was given: a path or a URI
        return [{k: v for k, v in json.loads(line).items() if k != "source"}
                for line in gzip.decompress(data).splitlines()]
    assert {n: records(b) for n, b in by_path.items()} == {n: records(b) for n, b in by_uri.items()}
    assert all(r["source"].startswith("file://") for r in json.loads(
        b"[" + b",".join(gzip.decompress(by_uri["clean-00000-00000.jsonl.gz"]).splitlines()) + b"]"))
    assert _summary(tmp_path / "ray-uri") == _summary(tmp_path / "ray-path")
    assert json.load(open(tmp_path / "ray-uri" / "report.json"))["run"]["engine"] == "ray"


def test_cli_ray_engine_needs_an_output_folder(tmp_path):
    from cleaner.cli.main import main
    page = tmp_path / "p.txt"
    page.write_text("Some text.\n", encoding="utf-8")
    assert main(["clean", str(page), "--engine", "ray", "--address", "ray://head:10001"]) == 2


def test_cli_address_flag_sets_the_ray_address():
    from cleaner.cli.main import _options, build_parser
    args = build_parser().parse_args(["clean", "x.txt", "-o", "o", "--engine", "ray", "--address", "ray://head:10001"])
    opts = _options(args)
    assert (opts.engine, opts.ray_address) == ("ray", "ray://head:10001")


def test_ray_refuses_an_input_folder_as_output_folder(dup_corpus):
    from cleaner.engines.ray.engine import run_ray
    from cleaner.errors import RunError
    with pytest.raises(RunError, match="is an input folder"):
        run_ray([str(dup_corpus)], _opts(engine="ray"), str(dup_corpus))


def test_missing_ray_is_an_error_that_says_how_to_install(monkeypatch):
    import sys
    from cleaner.engines.ray.engine import import_ray
    from cleaner.errors import RunError
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(RunError, match=r"pip install 'cleaner\[ray\]'"):
        import_ray()


class PrinterNote(__import__("cleaner").Marker):
    """A user's own step (``cleaner.Marker``): the printer's note goes, whatever the host."""

    name = "printer-note@1"

    def mark(self, doc):
        import cleaner
        start = doc.text.find("The Gazette is printed by")
        if start >= 0:
            end = doc.text.find("\n", start)
            yield cleaner.Span(start, len(doc.text) if end < 0 else end, "mine.printer-note@1", "user step")


def test_a_users_marker_gives_the_same_output_on_both_engines(local_ray, dup_corpus, tmp_path):
    import cleaner
    opts = _opts(templates=False)   # else the note goes as a site template anyway
    local = cleaner.run([str(dup_corpus)], str(tmp_path / "local"), opts, steps=[PrinterNote()])
    remote = cleaner.run([str(dup_corpus)], str(tmp_path / "ray"), dataclasses.replace(opts, engine="ray"),
                         steps=[PrinterNote()])
    plain = cleaner.run([str(dup_corpus)], str(tmp_path / "plain"), opts)
    lc, _, _ = _summary(tmp_path / "local")
    assert any("Mill Lane Press" in text for _, text in _summary(tmp_path / "plain")[0]), "the step is what removes it"
    assert all("Mill Lane Press" not in text for _, text in lc)
    assert _summary(tmp_path / "ray") == _summary(tmp_path / "local")
    for rep in (local, remote):
        assert rep["characters"]["removed_by_rule"]["mine.printer-note@1"] > 0
        assert rep["user_steps"] == ["printer-note@1"] and "printer-note@1" in rep["seconds_by_step"]
    assert remote["characters"] == local["characters"] and remote["documents"] == local["documents"]
    assert "mine.printer-note@1" not in plain["characters"]["removed_by_rule"]
