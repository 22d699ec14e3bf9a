"""The Ray engine against the local engine: same clean set, same drop reasons, on a local Ray
started by the tests, or on the cluster that CLEANER_TEST_RAY_ADDRESS names (two nodes in CI)."""
from __future__ import annotations

import dataclasses
import glob
import gzip
import json
import os

import pytest

from cleaner.config import Options
from cleaner.engines.local.run import run

from conftest import RAY_ADDRESS_VAR, import_ray_for_tests, page_html, read_outputs

ray = import_ray_for_tests()

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


def _every_record(outdir, kind) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in _rows(outdir, kind))


def _summary(outdir):
    clean = sorted((r["id"], r["text"]) for r in _rows(outdir, "clean"))
    dropped = sorted((r["id"], r["reason"], r.get("duplicate_of")) for r in _rows(outdir, "dropped"))
    rejects = sorted((os.path.basename(r["source"]), r["position"]) for r in _rows(outdir, "rejects"))
    return clean, dropped, rejects


def test_ray_gives_the_local_clean_set_and_drop_reasons(ray_target, dup_corpus, tmp_path):
    from cleaner.engines.ray.engine import run_ray
    opts = _opts()
    local = run([str(dup_corpus)], opts, str(tmp_path / "local"))
    remote = run_ray([str(dup_corpus)], ray_target.options(opts), str(tmp_path / "ray"))
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


def test_ray_reads_and_writes_through_pyarrow_uris_with_identical_bytes(ray_target, dup_corpus, tmp_path):
    from cleaner.engines.ray.engine import run_ray
    opts = ray_target.options(_opts())
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


def test_a_users_marker_gives_the_same_output_on_both_engines(ray_target, dup_corpus, tmp_path):
    import cleaner
    opts = _opts(templates=False)   # else the note goes as a site template anyway
    local = cleaner.run([str(dup_corpus)], str(tmp_path / "local"), opts, steps=[PrinterNote()])
    remote = cleaner.run([str(dup_corpus)], str(tmp_path / "ray"), ray_target.options(opts), steps=[PrinterNote()])
    plain = cleaner.run([str(dup_corpus)], str(tmp_path / "plain"), opts)
    lc, _, _ = _summary(tmp_path / "local")
    assert any("Mill Lane Press" in text for _, text in _summary(tmp_path / "plain")[0]), "the step is what removes it"
    assert all("Mill Lane Press" not in text for _, text in lc)
    assert _summary(tmp_path / "ray") == _summary(tmp_path / "local")
    for rep in (local, remote):
        assert rep["characters"]["removed_by_rule"]["mine.printer-note@1"] > 0
        assert rep["user_steps"] == ["printer-note@1"] and "printer-note@1" in rep["seconds_by_step"]
    for engine in ("local", "ray"):   # report.json says what the returned report says
        on_disk = json.load(open(tmp_path / engine / "report.json", encoding="utf-8"))
        assert on_disk["characters"]["removed_by_rule"]["mine.printer-note@1"] > 0, engine
        assert on_disk["user_steps"] == ["printer-note@1"], engine
    assert remote["characters"] == local["characters"] and remote["documents"] == local["documents"]
    assert "mine.printer-note@1" not in plain["characters"]["removed_by_rule"]


class NotedPrinterNote(PrinterNote):
    """PrinterNote that also leaves, for each document it marks on a Ray worker, a file named
    after the worker's node and process in ``seen`` (a folder every node of the machine can write)."""

    name = "printer-note@1"

    def __init__(self, seen: str = ""):
        super().__init__()
        self.seen = seen

    def mark(self, doc):
        if self.seen:
            import ray as ray_in_worker
            import cleaner as cleaner_in_worker
            node = ray_in_worker.get_runtime_context().get_node_id()
            with open(os.path.join(self.seen, f"{node}-{os.getpid()}"), "a", encoding="utf-8") as fh:
                fh.write(f"{cleaner_in_worker.__file__}\n")
        yield from super().mark(doc)


def _nodes_cluster_only():
    if not os.environ.get(RAY_ADDRESS_VAR):
        pytest.skip(f"needs a cluster of two nodes: set {RAY_ADDRESS_VAR} (README, Development)")


def test_the_cluster_has_two_live_nodes_each_with_its_own_resources(ray_target):
    _nodes_cluster_only()
    nodes = ray_target.alive_nodes()
    assert len(nodes) == 2, [n["Resources"] for n in nodes]
    assert sorted(k for n in nodes for k in n["Resources"] if k.startswith("node_")) == ["node_a", "node_b"]
    assert all(n["Resources"]["CPU"] == 1 for n in nodes)
    ray.init(address=ray_target.address, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    try:
        @ray.remote
        def make(n):
            return ray.get_runtime_context().get_node_id(), bytes(range(256)) * n

        @ray.remote
        def read(made):   # an argument made on the other node: pulled from that node's object store
            return ray.get_runtime_context().get_node_id(), len(made[1]), made[0]

        ref = make.options(resources={"node_a": 1}).remote(4096)
        here, size, there = ray.get(read.options(resources={"node_b": 1}).remote(ref))
    finally:
        ray.shutdown()
    assert size == 256 * 4096 and here != there
    by_resource = {k: n["NodeID"] for n in nodes for k in n["Resources"] if k.startswith("node_")}
    assert (there, here) == (by_resource["node_a"], by_resource["node_b"])


def test_a_run_spread_over_the_nodes_gives_the_local_output(ray_target, dup_corpus, tmp_path):
    import cleaner
    seen = tmp_path / "seen"
    seen.mkdir()
    opts = _opts(templates=False)
    local = cleaner.run([str(dup_corpus)], str(tmp_path / "local"), opts, steps=[NotedPrinterNote()])
    nodes = {n["NodeID"] for n in ray_target.alive_nodes()}
    remote = cleaner.run([str(dup_corpus)], str(tmp_path / "ray"), ray_target.options(opts),
                         steps=[NotedPrinterNote(str(seen))])
    marked_on = {name.rsplit("-", 1)[0] for name in os.listdir(seen)}
    assert marked_on == nodes, "every node of the cluster ran part of pass 1"
    if os.environ.get(RAY_ADDRESS_VAR):
        assert len(marked_on) == 2
        # The workers ran the cleaner the run shipped with its job, not this checkout's.
        imported = {line for name in os.listdir(seen) for line in (seen / name).read_text().split()}
        checkout = os.path.dirname(os.path.dirname(os.path.abspath(cleaner.__file__)))
        assert imported and not any(path.startswith(checkout + os.sep) for path in imported), imported
        assert all(f"{os.sep}py_modules_files{os.sep}" in path for path in imported), imported
    assert _summary(tmp_path / "ray") == _summary(tmp_path / "local")
    for kind in ("clean", "dropped", "rejects"):   # every field of every record (the files are cut otherwise)
        assert _every_record(tmp_path / "ray", kind) == _every_record(tmp_path / "local", kind), kind
    assert remote["characters"] == local["characters"] and remote["documents"] == local["documents"]
    assert local["characters"]["removed_by_rule"]["mine.printer-note@1"] > 0
