"""``cleaner explain``: every removed span shown in place with its rule and detail, corpus steps included."""
from __future__ import annotations

import dataclasses
import json
import re

import pytest

from cleaner.config import Options
from cleaner.document import apply_spans
from cleaner.cli.explain import find_document, render_html, render_text
from cleaner.report.segments import visible

from test_report_html import MARKUP, TEMPLATE_LINE, hostile_corpus, parse, story

BANNER_RULES = """
[[rule]]
id = "chrome.test-banner@1"
lang = "*"
pattern = '(?i)advertisement: .*'
max_chars = 80
description = "Advertising banners in test pages"
match = ["Advertisement: buy a boat"]
keep = ["Advertisement rules changed in 1990, the harbour master recalled."]
"""

MARKER = re.compile(r"\[-(?P<label>[^:\n]*?): (?P<text>.*?)-\]", re.S)


@dataclasses.dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def explain_cli(capsysbinary, tmp_path_factory):
    """Run ``cleaner explain ARGS`` in this process (standard output is a pipe, not a terminal).

    One worker process, from a --config file (explain has no --workers flag), unless ARGS
    give their own --config.
    """
    from cleaner.cli.main import main
    one_worker = tmp_path_factory.mktemp("cfg") / "one-worker.toml"
    one_worker.write_text("workers = 1\n", encoding="utf-8")

    def call(*args: str) -> Ran:
        code = main(["explain", *args] + ([] if "--config" in args else ["--config", str(one_worker)]))
        out, err = capsysbinary.readouterr()
        return Ran(code, out.decode("utf-8"), err.decode("utf-8"))
    return call


@pytest.fixture
def page(tmp_path):
    """One invented page: a banner line, a repeated headline and a caption printed twice."""
    rules = tmp_path / "banner.toml"
    rules.write_text(BANNER_RULES, encoding="utf-8")
    paras = story(2, 3)
    text = "\n\n".join(["Advertisement: buy a boat", "Harbour works start in May", paras[0],
                        "Harbour works start in May", paras[1], "A crane lifts the old pier. (Photo: harbour office)",
                        "A crane lifts the old pier. (Photo: harbour office)", paras[2],
                        "Terminal \x1b[2J\x1b]0;owned\x07 control and \u202eevil\u202c text"])
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    return path, rules


def _body(out: str) -> str:
    return out.split("-" * 72 + "\n", 1)[1]


def test_every_span_is_shown_in_place_with_rule_and_detail(page):
    path, rules = page
    opts = dataclasses.replace(Options(progress=False, workers=1), extra_rules=str(rules))
    found = find_document([str(path)], opts)
    doc = found.doc
    assert {s.rule.split(".")[0] for s in doc.removed} >= {"chrome", "dup"}
    out = _body(render_text(doc))
    shown = [(m["label"], m["text"]) for m in MARKER.finditer(out)]
    assert len(shown) == len(doc.removed)
    for s in sorted(doc.removed, key=lambda s: s.start):
        label = s.rule + (f" ({s.detail})" if s.detail else "")
        assert (label, doc.text[s.start:s.end].rstrip("\n")) in shown
        if s.rule.startswith("dup."):
            assert s.detail, "a duplicate names the copy that was kept"
    # Dropping the markers leaves exactly the clean text: nothing removed is shown unmarked.
    assert apply_spans(MARKER.sub("", out), []) == visible(apply_spans(doc.text, doc.removed))


def test_cli_plain_markers_by_default_when_not_a_terminal(page, explain_cli):
    path, rules = page
    p = explain_cli(str(path), "--extra-rules", str(rules))
    assert p.returncode == 0, p.stderr
    assert "[-chrome.test-banner@1: Advertisement: buy a boat-]" in p.stdout
    assert "Advertising banners in test pages" in p.stdout, "the rule's description explains the reason"
    assert "\x1b" not in p.stdout, "no colour and no raw escape from the page when piped"
    assert "\\x1b[2J" in p.stdout and "\\u202e" in p.stdout


def test_cli_color_always_draws_kinds_in_ansi_colours_and_still_escapes_the_page(page, explain_cli):
    path, rules = page
    p = explain_cli(str(path), "--extra-rules", str(rules), "--color", "always")
    assert p.returncode == 0, p.stderr
    assert "\x1b[1;31m[chrome.test-banner@1]" in p.stdout
    assert re.search(r"\x1b\[1;33m\[dup\.[^\]]+\]", p.stdout)
    assert "[-" not in p.stdout
    assert "\x1b[2J" not in p.stdout and "\x1b]0;" not in p.stdout and "\u202e" not in p.stdout


def test_explain_of_a_corpus_runs_the_corpus_steps(tmp_path, explain_cli):
    corpus = hostile_corpus(tmp_path)
    p = explain_cli(corpus, "--id", "b.example-2")
    assert p.returncode == 0, p.stderr
    line = TEMPLATE_LINE.format(host="b.example")
    assert f"[-site.template@1 (on 4 of 4 pages of b.example): {line}-]" in p.stdout
    assert "status    kept" in p.stdout


def test_a_dropped_document_says_why_and_which_document_was_kept(tmp_path, explain_cli):
    corpus = hostile_corpus(tmp_path)
    p = explain_cli(corpus, "--id", "copy-1")
    assert p.returncode == 0, p.stderr
    status = next(l for l in p.stdout.splitlines() if l.startswith("status"))
    assert "DROPPED (near-duplicate)" in status and "kept instead: copy-2" in status
    assert "estimated Jaccard similarity 0.9" in status


def test_an_unknown_id_lists_the_ids_there_are(tmp_path, explain_cli):
    p = explain_cli(hostile_corpus(tmp_path), "--id", "nope")
    assert p.returncode == 2
    assert "no document with id 'nope' among 11 documents" in p.stderr and "'a.example-0'" in p.stderr


def test_html_format_is_a_self_contained_page_with_spans_in_place(tmp_path, explain_cli):
    corpus = hostile_corpus(tmp_path)
    out = tmp_path / "evil.html"
    p = explain_cli(corpus, "--id", "evil<b>", "--format", "html", "-o", str(out))
    assert p.returncode == 0 and p.stdout == "", p.stderr
    html = out.read_text(encoding="utf-8")
    el = parse(html)
    assert not {t for t, _ in el.tags} & {"script", "img", "link", "iframe"}
    text = "".join(el.text)
    assert MARKUP in text and "evil<b>" in text
    rm = [a for t, a in el.tags if t == "span" and "rm" in (a.get("class") or "").split()]
    assert len(rm) == 2 and {a["class"] for a in rm} == {"rm k-chrome", "rm k-dup"}
    # The duplicate's tag links to the kept copy's anchor.
    links = [a["href"] for t, a in el.tags if t == "a" and a.get("href")]
    anchors = {a["id"] for t, a in el.tags if t == "a" and a.get("id")}
    assert links and all(h[1:] in anchors for h in links)


def test_render_html_of_a_dropped_document_names_the_kept_one(tmp_path):
    found = find_document([hostile_corpus(tmp_path)], Options(progress=False, workers=1), "copy-1")
    text = "".join(parse(render_html(found.doc, found.text)).text)
    assert "Dropped: near-duplicate" in text and "kept instead: copy-2" in text


def test_seed_like_page_from_json_records_keeps_record_ids(tmp_path):
    path = tmp_path / "recs.jsonl"
    path.write_text("\n".join(json.dumps({"id": f"r{i}", "text": "\n\n".join(story(i))}) for i in range(3)) + "\n")
    found = find_document([str(path)], Options(progress=False, workers=1), "r2")
    assert found.doc.id == "r2" and found.documents == 3 and found.doc.text.startswith(story(2)[0])


def test_a_bad_options_file_is_a_usage_error_not_a_traceback(page, tmp_path, explain_cli):
    path, _ = page
    bad = tmp_path / "bad.toml"
    bad.write_text("near_dup_jaccard = 'high'\n", encoding="utf-8")
    p = explain_cli(str(path), "--config", str(bad))
    assert p.returncode == 2 and "near_dup_jaccard" in p.stderr and "Traceback" not in p.stderr


def test_duplicate_and_template_rules_are_described_too(page, explain_cli):
    import cleaner.page.duplicates as inpage
    import cleaner.corpus.templates as templates
    import cleaner.page.title as title

    path, _ = page
    p = explain_cli(str(path))
    shown = set(re.findall(r"\[-((?:dup|site|chrome)\.[\w.-]+@\d+)", p.stdout))
    step_rules = {**inpage.RULE_DESCRIPTIONS, **title.RULE_DESCRIPTIONS, **templates.RULE_DESCRIPTIONS}
    assert shown & set(step_rules), "the page has in-page duplicates"
    for rule in shown & set(step_rules):
        assert step_rules[rule] in p.stdout, f"{rule} is shown without its description"


def test_explain_runs_locally_even_when_the_config_file_asks_for_ray(page, tmp_path, explain_cli):
    path, _ = page
    cfg = tmp_path / "ray.toml"
    cfg.write_text('engine = "ray"\nray_address = "ray://nowhere.invalid:10001"\n', encoding="utf-8")
    p = explain_cli(str(path), "--config", str(cfg))
    assert p.returncode == 0 and "[-" in p.stdout, "the document is explained by the local engine"


def test_explain_has_no_engine_flag(page, explain_cli):
    path, _ = page
    with pytest.raises(SystemExit) as e:
        explain_cli(str(path), "--engine", "ray")
    assert e.value.code == 2


class _Stream:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("color,output,tty,no_color,expected", [
    ("auto", None, True, "", True), ("auto", None, False, "", False), ("auto", None, True, "1", False),
    ("auto", "out.txt", True, "", False), ("always", "out.txt", False, "1", True), ("never", None, True, "", False)])
def test_colour_only_on_a_terminal_unless_asked(monkeypatch, color, output, tty, no_color, expected):
    from argparse import Namespace
    from cleaner.cli.explain import use_color
    monkeypatch.setenv("NO_COLOR", no_color)
    monkeypatch.setenv("TERM", "xterm")
    args = Namespace(format="text", color=color, output=output)
    assert use_color(args, _Stream(tty)) is expected


def _records(path, lines):
    path.write_text("".join((json.dumps(r) if isinstance(r, dict) else r) + "\n" for r in lines), encoding="utf-8")
    return str(path)


def test_a_file_of_one_rejected_record_shows_its_rejection_without_an_id(tmp_path, explain_cli):
    one = _records(tmp_path / "one.jsonl", ['{"id": "broken", "text": '])
    p = explain_cli(one)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"document  {one}:1\nstatus    REJECTED (not-json): line is not JSON")
    (tmp_path / "bin.html").write_bytes(bytes(range(256)) * 8)
    p = explain_cli(str(tmp_path / "bin.html"))
    assert p.returncode == 0 and "document  bin.html\nstatus    REJECTED (not-text): looks like binary data" in p.stdout
    # several records, all rejected: which one is meant is not clear, so it asks
    two = _records(tmp_path / "two.jsonl", ["{broken", '{"id": "x", "text": null}'])
    p = explain_cli(two)
    assert p.returncode == 1 and "its 2 records were all rejected ('two.jsonl:1', 'x')" in p.stderr
    assert "name one with --id" in p.stderr


def test_file_and_position_name_any_record_and_an_ambiguous_id_says_so(tmp_path, explain_cli):
    a = "The ferry to the island leaves every hour from the harbour, and the last one at midnight."
    b = "The bakery on the square sells rye bread, and on Fridays a cake with plums from the valley."
    path = _records(tmp_path / "texts.jsonl", [{"id": "same", "text": a}, "{not json",
                                               {"id": "same", "text": b}, {"id": "zcopy", "text": a}])
    p = explain_cli(path, "--id", "same")
    assert p.returncode == 2
    assert f"2 records have the id 'same' (ids used twice): name one by FILE:POSITION ('{path}:1', '{path}:3'" in p.stderr
    for place, text in (("texts.jsonl:1", a), (f"{path}:3", b)):   # the file's name or its path, and the line
        p = explain_cli(path, "--id", place)
        assert p.returncode == 0, p.stderr
        assert p.stdout.startswith("document  same\n") and text in p.stdout
    p = explain_cli(path, "--id", "texts.jsonl:2")   # a record rejected before its id was read: named by place
    assert p.returncode == 0 and p.stdout.startswith(f"document  {path}:2\nstatus    REJECTED (not-json)")
    assert "document  None" not in p.stdout


def test_an_exact_duplicate_is_said_to_be_one_not_given_an_estimated_similarity(tmp_path, explain_cli):
    a = "The ferry to the island leaves every hour from the harbour, and the last one at midnight."
    path = _records(tmp_path / "texts.jsonl", [{"id": "same", "text": a}, {"id": "zcopy", "text": a}])
    p = explain_cli(path, "--id", "zcopy")
    status = next(l for l in p.stdout.splitlines() if l.startswith("status"))
    assert status == "status    DROPPED (exact-duplicate); kept instead: same; identical text (exact duplicate)"
    p = explain_cli(path, "--id", "zcopy", "--format", "html", "-o", str(tmp_path / "zcopy.html"))
    page = (tmp_path / "zcopy.html").read_text(encoding="utf-8")
    assert p.returncode == 0 and "identical text (exact duplicate)" in page and "Jaccard" not in page


def test_an_exact_copy_of_a_near_duplicate_is_not_called_identical_to_the_kept_document(tmp_path, explain_cli):
    """Two identical copies of a page and a near-identical page kept before them: the copy the exact step
    dropped names the near-duplicate step's survivor (the chain's end), whose text is not the same."""
    words = ("ferry island harbour midnight bakery square rye bread plums valley market river bridge tower garden "
             "lantern school teacher letter window summer winter morning evening station platform ticket").split()
    near = " ".join(words[i * 7 % len(words)] + f"{i}" for i in range(160)) + "."
    kept = near + " And the lantern by the bridge."   # the longer one stays
    path = _records(tmp_path / "texts.jsonl", [{"id": "kept", "text": kept}, {"id": "near", "text": near},
                                               {"id": "copy", "text": near}])
    p = explain_cli(path, "--id", "near")
    status = next(l for l in p.stdout.splitlines() if l.startswith("status"))
    assert status.startswith("status    DROPPED (exact-duplicate); kept instead: kept; exact copy of a near-duplicate of it "
                             "(estimated Jaccard similarity 0.")
    assert "identical text" not in p.stdout


def test_the_exact_duplicate_reason_is_the_one_explain_knows():
    from cleaner.corpus.exact import ExactDuplicates
    from cleaner.report.segments import EXACT_DUPLICATE
    assert ExactDuplicates.reason == EXACT_DUPLICATE


def test_without_an_id_explain_says_which_of_several_records_it_shows(tmp_path, explain_cli):
    a = "The ferry to the island leaves every hour from the harbour, and the last one at midnight."
    b = "The bakery on the square sells rye bread, and on Fridays a cake with plums from the valley."
    path = _records(tmp_path / "texts.jsonl", [{"id": "ferry", "text": a}, {"id": "bakery", "text": b}])
    p = explain_cli(path)
    assert p.returncode == 0 and p.stdout.startswith("document  ferry")
    assert "holds 2 records; this is the first document ('ferry')" in p.stderr and "--id" in p.stderr
    one = _records(tmp_path / "one.jsonl", [{"id": "ferry", "text": a}])
    assert "holds" not in explain_cli(one).stderr   # one record: nothing to choose
