"""report.html and the report.json fields it draws: built after every run, escaped, self-contained."""
from __future__ import annotations

import dataclasses
import json
from html.parser import HTMLParser

import pytest

from cleaner.config import Options
from cleaner.engines.totals import SAMPLE_DOCS
from cleaner.engines.local.run import run
from cleaner.report.html import report_html, write_report_html

TEMPLATE_LINE = "Sign up for the {host} letter, sent every Friday."
MARKUP = "<script>alert('pwned')</script><img src=\"http://203.0.113.9/x.png\"> is how the page began."

SUBJECTS = ["The ferry timetable", "The harbour office", "A local fisherman", "The island council", "The pier contractor",
            "A retired captain", "The ticket desk", "The coastguard"]
OBJECTS = ["the repairs to the northern pier", "the crowded morning crossings", "the temporary landing stage",
           "the winter storm damage", "the price of a season ticket", "the new bicycle racks on deck",
           "the fog warnings last week", "the fish market beside the quay"]


def story(seed: int, n: int = 4) -> list[str]:
    """``n`` distinct invented paragraphs; different seeds give different paragraphs."""
    return [f"{SUBJECTS[(seed + k) % 8]} spoke about {OBJECTS[(seed * 3 + k * 5) % 8]} and said that "
            f"{OBJECTS[(seed * 5 + k) % 8]} would be discussed again when {SUBJECTS[(seed + 3 * k) % 8].lower()} returns."
            for k in range(n)]


def hostile_corpus(tmp_path) -> str:
    """Two hosts with a repeated newsletter line, a near-duplicate pair, one page full of markup."""
    recs = []
    for h, host in enumerate(("a.example", "b.example")):
        for i in range(4):
            text = "\n\n".join(["Skip to content", *story(h * 4 + i), TEMPLATE_LINE.format(host=host)])
            recs.append({"id": f"{host}-{i}", "url": f"https://{host}/p/{i}", "text": text})
    twin = "\n\n".join(story(1, 6))
    recs.append({"id": "copy-1", "url": "https://c.example/x", "text": twin})
    recs.append({"id": "copy-2", "url": "https://d.example/y", "text": twin + "\n\nOne more closing line."})
    markup = MARKUP
    recs.append({"id": "evil<b>", "url": "javascript:alert(1)", "text": f"Skip to content\n\n{markup}\n\n{markup}"})
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    return str(path)


class Elements(HTMLParser):
    """Every start tag of a page with its attributes, and the text outside tags."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(html: str) -> Elements:
    p = Elements()
    p.feed(html)
    p.close()
    return p


@pytest.fixture
def finished_run(tmp_path):
    out = tmp_path / "out"
    # story() repeats every 8 seeds, so a.example-1 holds 4 of the twin's 6 paragraphs (Jaccard
    # about 0.6): a near-duplicate at the default threshold; 0.7 keeps the one intended pair
    res = run([hostile_corpus(tmp_path)], dataclasses.replace(Options(progress=False), workers=1,
                                                              near_dup_jaccard=0.7), str(out))
    return res.report, (out / "report.html").read_text(encoding="utf-8")


def test_report_json_counts_template_characters_by_host_clusters_and_dropped_documents(finished_run):
    rep, _ = finished_run
    line = TEMPLATE_LINE.format(host="a.example")
    assert rep["characters"]["template_by_host"] == {"a.example": 4 * len(line), "b.example": 4 * len(line)}
    assert rep["corpus_steps"]["near-dup"]["cluster_sizes"] == {"2": 1}
    assert rep["corpus_steps"]["near-dup"]["dropped"] == 1, "a drop is counted once, not once per corpus pass"
    assert rep["corpus_steps"]["exact-dup"]["cluster_sizes"] == {}
    assert rep["dropped_examples"] == [{"id": "copy-1", "url": "https://c.example/x", "reason": "near-duplicate",
                                        "duplicate_of": "copy-2",
                                        "similarity": rep["dropped_examples"][0]["similarity"],
                                        "source": rep["dropped_examples"][0]["source"], "source_line": 9}]
    assert rep["corpus_steps"]["site-templates"]["spans"] == 8, "each template line is counted once"


def test_report_html_is_self_contained_and_page_text_stays_text(finished_run):
    _, html = finished_run
    page = parse(html)
    tags = {t for t, _ in page.tags}
    assert not tags & {"script", "img", "link", "iframe", "object", "embed", "base", "form"}
    for _, attrs in page.tags:
        assert not any(k.startswith("on") for k in attrs), attrs
        for k in ("href", "src", "xlink:href", "action"):
            assert attrs.get(k) is None or attrs[k].startswith("#"), attrs
    csp = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]
    text = "".join(page.text)
    assert MARKUP in text and "evil<b>" in text and "javascript:alert(1)" in text


def test_report_html_draws_each_section_and_the_sample(finished_run):
    rep, html = finished_run
    page = parse(html)
    charts = [a["aria-label"] for t, a in page.tags if t == "svg"]
    assert {"Characters removed by kind", "Characters removed by rule", "Documents dropped by reason",
            "Template characters by host", "near-dup: clusters by size", "Seconds by step"} <= set(charts)
    samples = [a["id"] for t, a in page.tags if t == "article"]
    # The clean documents with removals: 8 host pages, the markup page, and copy-2, whose
    # paragraphs shared with a.example-1 (an earlier page of another host) are kept there.
    assert len(samples) == min(SAMPLE_DOCS, 10)
    assert rep["characters"]["removed_by_rule"].get("corpus.paragraph@1", 0) > 0
    classes = [a.get("class", "") for _, a in page.tags]
    assert any("k-chrome" in c for c in classes) and any("k-site" in c for c in classes) and any("k-dup" in c for c in classes)
    text = "".join(page.text)
    assert "copy-2" in text, "the dropped-documents table names the document kept instead"
    for host in ("a.example", "b.example"):
        assert host in text


def test_bars_scale_to_the_largest_value():
    from cleaner.report.svg import BAR_AREA_PX, Bar, bar_chart
    page = parse(bar_chart([Bar("big", 400), Bar("half", 200), Bar("none", 0)], "t", "chars"))
    widths = [float(a["width"]) for t, a in page.tags if t == "rect"]
    assert widths == [BAR_AREA_PX, BAR_AREA_PX / 2, 0.0]


@pytest.mark.parametrize("report", [{}, {"documents": None, "characters": {"removed_by_rule": {"x": "bad"}},
                                         "corpus_steps": {"s": {"cluster_sizes": {"two": 1, "3": 2}}},
                                         "dropped_examples": ["not a dict"], "run": {"seconds": None}}])
def test_report_renders_from_partial_or_odd_report_shapes(tmp_path, report):
    write_report_html(str(tmp_path / "r.html"), report, [])
    page = parse((tmp_path / "r.html").read_text(encoding="utf-8"))
    assert ("h1", {}) in page.tags


def test_long_sample_documents_are_cut_with_a_note():
    from cleaner.document import Document, Span
    from cleaner.report.html import MAX_SAMPLE_CHARS
    text = "Kept line.\n" + "word " * (MAX_SAMPLE_CHARS // 2)
    doc = Document("long", None, text, removed=[Span(0, 11, "chrome.x@1")])
    html = report_html({}, [doc.to_json()])
    assert f"First {MAX_SAMPLE_CHARS:,} of {len(text):,} characters shown" in html
    assert len(html) < 3 * MAX_SAMPLE_CHARS + 20_000


def test_lone_surrogates_in_page_text_do_not_stop_the_report(tmp_path):
    from cleaner.document import Document, Span
    doc = Document("s", None, "bad \ud800 char\nnext", removed=[Span(0, 4, "chrome.x@1")])
    write_report_html(str(tmp_path / "r.html"), {}, [json.loads(json.dumps(doc.to_json()))])
    assert "\ufffd" in (tmp_path / "r.html").read_text(encoding="utf-8")
