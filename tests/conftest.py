"""Shared test helpers: small invented corpora written into a temporary folder, and where the
Ray tests run the Ray engine (a local Ray in this process, or a running cluster)."""
from __future__ import annotations

import dataclasses
import gzip
import json
import os

import pytest

#: HOST:PORT of a running Ray cluster (``ray start --head`` and more nodes). When set, the Ray
#: tests run the engine on that cluster, joined the way a user's ``--ray-address`` joins it, and
#: a missing Ray or an unreachable cluster fails them; unset, each test module starts its own
#: local Ray inside the test process. ``.ci/run`` sets it to a two-node cluster (.ci/ray_cluster).
RAY_ADDRESS_VAR = "CLEANER_TEST_RAY_ADDRESS"

PARAGRAPHS = [
    "The harbour authority approved a plan to dredge the eastern channel before the autumn storms arrive.",
    "Fishermen said the silt had narrowed the passage so much that larger boats wait for high tide.",
    "The work will take six weeks and cost less than the repairs that a grounded trawler caused last year.",
    "Residents asked whether the dredged sand could be used to rebuild the beach near the old lighthouse.",
    "Engineers replied that the sand must first be tested, because the channel runs past a former boatyard.",
    "A public meeting about the schedule is planned for the first Tuesday of next month in the town hall.",
]


def page_html(title: str, paras: list[str], extra_body: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><main><article><h1>{title}</h1>{body}"
            f"</article></main>{extra_body}<footer><p>Contact us</p></footer></body></html>")


@pytest.fixture(scope="session")
def rules_marker():
    """The chrome marker over the shipped rules (loaded and compiled once for the whole run)."""
    from cleaner.page.chrome import ChromeRules
    from cleaner.rules.engine import load_rules
    return ChromeRules(load_rules())


@pytest.fixture
def small_corpus(tmp_path):
    """A folder with HTML pages, a gzipped page, a JSONL file with text records and a broken line."""
    root = tmp_path / "in"
    (root / "site").mkdir(parents=True)
    for i in range(6):
        paras = [f"Story {i}: {p}" for p in PARAGRAPHS[i % 3:i % 3 + 4]]
        (root / "site" / f"page{i}.html").write_text(page_html(f"Harbour story number {i}", paras), encoding="utf-8")
    with gzip.open(root / "site" / "zipped.html.gz", "wt", encoding="utf-8") as fh:
        fh.write(page_html("A zipped page about the harbour", PARAGRAPHS[:3]))
    recs = [{"id": f"t{i}", "url": f"https://example.org/t/{i}", "text": "\n\n".join(PARAGRAPHS[i % 4:i % 4 + 2])}
            for i in range(8)]
    lines = [json.dumps(r) for r in recs]
    lines.insert(3, "{this is not json")
    (root / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def read_outputs(outdir) -> dict[str, bytes]:
    """The bytes of every data file a run wrote (report.json excluded: it carries timings)."""
    out = {}
    for name in sorted(os.listdir(outdir)):
        path = os.path.join(outdir, name)
        if os.path.isfile(path) and name.split("-")[0] in ("clean", "dropped", "rejects"):
            out[name] = open(path, "rb").read()
    return out


def read_jsonl_gz(path) -> list[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def import_ray_for_tests():
    """The ``ray`` module; a skip when it is not installed, unless a cluster is named (then an error)."""
    if os.environ.get(RAY_ADDRESS_VAR):
        import ray
        import ray.data  # noqa: F401 - the engine needs Ray Data too: fail here, not later
        return ray
    ray = pytest.importorskip("ray", reason="the Ray engine is an optional extra: pip install 'cleaner[ray]'")
    pytest.importorskip("ray.data", reason="the Ray engine is an optional extra: pip install 'cleaner[ray]'")
    return ray


class RayTarget:
    """Where a test runs the Ray engine: ``options()`` turns local-engine options into the Ray
    engine's. On a cluster (``address`` set) nothing of Ray runs in this process between runs:
    each run joins the cluster at ``options.ray_address`` itself and leaves it at the end, and its
    workers are the cluster's (other processes, two nodes on CI), so a test passes only if what
    the engine needs travels to them. Locally, the runs share the Ray this fixture started."""

    def __init__(self, ray, address: str):
        self.ray, self.address = ray, address

    def options(self, opts, **kw):
        return dataclasses.replace(opts, engine="ray", ray_address=self.address, **kw)

    def alive_nodes(self) -> list[dict]:
        """``ray.nodes()`` that are alive, asked of the cluster (or of the local Ray)."""
        if not self.address:
            return [n for n in self.ray.nodes() if n["Alive"]]
        self.ray.init(address=self.address, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
        try:
            return [n for n in self.ray.nodes() if n["Alive"]]
        finally:
            self.ray.shutdown()


def _check_listening(address: str) -> None:
    """Fail at once when nothing listens at the cluster's address (ray.init would wait 10 minutes)."""
    import socket
    host, _, port = address.removeprefix("ray://").rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=10).close()
        return
    except (OSError, ValueError) as e:
        why = f"{type(e).__name__}: {e}"
    pytest.fail(f"{RAY_ADDRESS_VAR}={address}: no Ray cluster there ({why}); start one (README, Development) "
                f"or unset {RAY_ADDRESS_VAR} to run the Ray tests on a local Ray", pytrace=False)


@pytest.fixture(scope="module")
def ray_for_module():
    """The Ray the module's Ray tests run on: see :data:`RAY_ADDRESS_VAR` and :class:`RayTarget`."""
    ray = import_ray_for_tests()
    address = os.environ.get(RAY_ADDRESS_VAR, "")
    if address:
        _check_listening(address)
        # A Ray left initialised here would be used by the engine instead of the cluster.
        assert not ray.is_initialized(), "a Ray is still initialised in the test process; the runs would not join the cluster"
        yield RayTarget(ray, address)
        assert not ray.is_initialized(), "a run on the cluster left Ray initialised in the test process"
        return
    started = not ray.is_initialized()
    if started:
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield RayTarget(ray, "")
    if started:
        ray.shutdown()


@pytest.fixture
def ray_target(ray_for_module, tmp_path_factory, monkeypatch):
    """Where the test runs the Ray engine (:class:`RayTarget`). On a cluster the test runs in an
    empty folder: Ray puts the driver's folder first on the workers' ``sys.path``, and from the
    checkout they would import this cleaner rather than the one the run ships with its job (the
    nodes of .ci/ray_cluster cannot import cleaner otherwise)."""
    if ray_for_module.address:
        monkeypatch.chdir(tmp_path_factory.mktemp("driver-folder"))
    return ray_for_module


def naive_literal_candidates(needs, starts, text) -> set[int]:
    """The definition :class:`cleaner.rules.literals.LiteralIndex` implements: the indexes of the rules
    with an opening literal at the start of ``text``, or any needed literal anywhere in it."""
    out = set()
    for i, (n, st) in enumerate(zip(needs, starts)):
        if st is not None:
            if any(text.startswith(lit) for lit in st):
                out.add(i)
        elif n is None or any(lit in text for lit in n):
            out.add(i)
    return out
