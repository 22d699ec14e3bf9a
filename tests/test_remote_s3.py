"""s3:// inputs and OUTDIR in the local engine, against a local S3 endpoint (moto's server) started here."""
from __future__ import annotations

import dataclasses
import gzip
import json

import pytest

from cleaner.config import Options
from cleaner.engines.local.run import run

from conftest import PARAGRAPHS, page_html

s3fs = pytest.importorskip("s3fs")
moto_server = pytest.importorskip("moto.server")


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """An s3fs filesystem on a moto server of this process, with an empty bucket ``crawl``."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": endpoint, "AWS_ENDPOINT_URL_S3": endpoint}
    mp = pytest.MonkeyPatch()
    for k, v in env.items():
        mp.setenv(k, v)
    mp.setenv("CLEANER_STAGING_DIR", str(tmp_path_factory.mktemp("staging")))
    s3fs.S3FileSystem.clear_instance_cache()
    fs = s3fs.S3FileSystem(client_kwargs={"endpoint_url": endpoint})
    fs.mkdir("crawl")
    yield fs
    mp.undo()
    s3fs.S3FileSystem.clear_instance_cache()
    server.stop()


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False, workers=1), **kw)


def _put(fs, key: str, data: bytes) -> None:
    with fs.open(key, "wb") as fh:
        fh.write(data)


def test_s3_inputs_and_outdir_give_what_a_local_run_gives(s3, tmp_path):
    pages = {f"site/page{i}.html": page_html(f"Harbour story {i}", [f"Story {i}: {p}" for p in PARAGRAPHS[i:i + 3]])
             for i in range(3)}
    lines = "".join(json.dumps({"id": f"t{i}", "text": f"Note {i}. {p}"}) + "\n" for i, p in enumerate(PARAGRAPHS))
    local = tmp_path / "in"
    (local / "site").mkdir(parents=True)
    for key, page in pages.items():
        _put(s3, f"crawl/in/{key}", page.encode())
        (local / key).write_text(page, encoding="utf-8")
    _put(s3, "crawl/in/notes.jsonl.gz", gzip.compress(lines.encode(), mtime=0))
    (local / "notes.jsonl.gz").write_bytes(gzip.compress(lines.encode(), mtime=0))
    _put(s3, "crawl/in/.hidden.html", b"<p>not an input</p>")

    res = run(["s3://crawl/in"], _opts(), "s3://crawl/out")
    d = res.report["documents"]
    assert d["in"] == 3 + len(PARAGRAPHS) == d["clean"] + d["dropped"] + d["rejected"]
    names = sorted(p.rsplit("/", 1)[1] for p in s3.ls("crawl/out"))
    assert names == ["clean-00000.jsonl.gz", "report.html", "report.json"] or "dropped-00000.jsonl.gz" in names
    assert "report.json" in names and not any(n.endswith(".tmp") or n.startswith(".") for n in names)
    remote = [json.loads(x) for x in gzip.decompress(s3.cat("crawl/out/clean-00000.jsonl.gz")).splitlines()]
    assert {r["source"] for r in remote} >= {"s3://crawl/in/site/page0.html", "s3://crawl/in/notes.jsonl.gz"}

    run([str(local)], _opts(), str(tmp_path / "out"))
    here = [json.loads(x) for x in gzip.open(tmp_path / "out" / "clean-00000.jsonl.gz")]
    strip = lambda rows: [{k: v for k, v in r.items() if k != "source"} for r in rows]  # noqa: E731
    assert strip(remote) == strip(here)  # same ids, texts, lines, languages


def test_a_second_run_into_the_same_s3_outdir_replaces_the_first(s3, tmp_path):
    for i in range(3):
        _put(s3, f"crawl/one/a{i}.txt", f"File {i}. {PARAGRAPHS[i]}".encode())
    run(["s3://crawl/one"], _opts(shard_size_mb=0.000001), "s3://crawl/again")  # a shard per record
    first = sorted(p.rsplit("/", 1)[1] for p in s3.ls("crawl/again"))
    assert first[:3] == ["clean-00000.jsonl.gz", "clean-00001.jsonl.gz", "clean-00002.jsonl.gz"]
    _put(s3, "crawl/two/b.txt", ("\n".join(PARAGRAPHS[3:])).encode())
    res = run(["s3://crawl/two/b.txt"], _opts(), "s3://crawl/again")
    assert res.report["documents"]["clean"] == 1
    rep = json.loads(s3.cat("crawl/again/report.json"))
    assert rep["documents"]["in"] == 1
    s3.invalidate_cache()
    assert sorted(p.rsplit("/", 1)[1] for p in s3.ls("crawl/again")) == ["clean-00000.jsonl.gz", "report.html", "report.json"]
    rows = [json.loads(x) for x in gzip.decompress(s3.cat("crawl/again/clean-00000.jsonl.gz")).splitlines()]
    assert [r["source"] for r in rows] == ["s3://crawl/two/b.txt"]


def test_a_missing_s3_path_is_a_clear_input_error(s3, tmp_path):
    from cleaner.io.readers import InputError
    with pytest.raises(InputError, match="no such file or folder"):
        run(["s3://crawl/nothing-here/"], _opts(), str(tmp_path / "out"))


def test_a_stopped_run_into_s3_resumes_from_its_local_spool(s3, tmp_path, monkeypatch):
    from cleaner.engines.local import passes as corpus_passes
    for i in range(6):
        _put(s3, f"crawl/many/p{i}.txt", f"Page {i}. {PARAGRAPHS[i]}".encode())

    def stop(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(corpus_passes, "corpus_passes", stop)  # stops after pass 1, the spool complete
    with pytest.raises(KeyboardInterrupt):
        run(["s3://crawl/many"], _opts(spool_batch_records=2), "s3://crawl/resumed")
    s3.invalidate_cache()
    assert not s3.exists("crawl/resumed/report.json")  # no finished run there yet
    monkeypatch.undo()
    res = run(["s3://crawl/many"], _opts(spool_batch_records=2), "s3://crawl/resumed")
    assert res.report["run"]["batches_resumed"] == 3 and res.report["documents"]["clean"] == 6
    s3.invalidate_cache()
    assert json.loads(s3.cat("crawl/resumed/report.json"))["documents"]["in"] == 6
