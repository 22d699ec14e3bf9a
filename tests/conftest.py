"""Shared test helpers: small invented corpora written into a temporary folder."""
from __future__ import annotations

import gzip
import json
import os

import pytest

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
