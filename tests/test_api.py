"""The public Python API as the README shows it: clean_html, clean_text, run, and a user's own Marker."""
from __future__ import annotations

import json
import os
import re
import sys
import threading

import pytest

import cleaner
from cleaner.cli.main import main

from conftest import PARAGRAPHS, page_html, read_outputs


class Shouting(cleaner.Marker):
    """A user's step: lines written in capitals go."""

    name = "shouting@1"

    def mark(self, doc):
        for m in re.finditer(r"(?m)^[A-Z][A-Z !]{7,}$", doc.text):
            yield cleaner.Span(m.start(), m.end(), "mine.shouting@1", "all capitals")


SHOUT = "BUY THE PRINTED EDITION NOW"


def _opts(**kw) -> cleaner.Options:
    return cleaner.Options(progress=False, **kw)


# --------------------------------------------------------------------------- one document


def test_clean_html_gives_what_the_command_line_prints(tmp_path, capsys):
    html = page_html("Harbour dredging plan", PARAGRAPHS[:4])
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    assert main(["clean", str(path), "--workers", "1", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    doc = cleaner.clean_html(html.encode("utf-8"), url="https://example.org/a")
    assert isinstance(doc, cleaner.Document) and doc.dropped is None
    assert doc.clean_text + "\n" == printed
    assert cleaner.clean_html(html).clean_text == doc.clean_text, "bytes and str give the same text"
    assert doc.url == "https://example.org/a"


def test_clean_html_takes_the_pages_canonical_url_as_the_command_line_does(tmp_path):
    from cleaner.io.readers import iter_records
    head = '<link rel="canonical" href="https://news.example/2024/ferry">'
    html = page_html("Ferry times", PARAGRAPHS[:2]).replace("<head>", "<head>" + head, 1)
    assert head in html
    doc = cleaner.clean_html(html)
    (tmp_path / "p.html").write_text(html, encoding="utf-8")
    (rec,) = list(iter_records([str(tmp_path / "p.html")], cleaner.Options()))
    assert doc.url == rec.url == "https://news.example/2024/ferry"
    assert cleaner.clean_html(html, url="https://mirror.example/x").url == "https://mirror.example/x"
    assert cleaner.clean_html(page_html("Ferry times", PARAGRAPHS[:2])).url is None


def test_a_cleaned_document_keeps_its_text_and_the_spans_into_it():
    html = page_html("Harbour dredging plan", PARAGRAPHS[:3])
    doc = cleaner.clean_html(html, options=_opts())
    assert doc.removed, "the title line repeats the title: a span"
    for s in doc.removed:
        assert 0 <= s.start < s.end <= len(doc.text) and isinstance(s, cleaner.Span)
    assert doc.clean_text == cleaner.apply_spans(doc.text, doc.removed)
    assert all(p in doc.text for p in PARAGRAPHS[:3])
    assert len(doc.clean_text) < len(doc.text)


def test_clean_text_runs_a_users_marker_after_the_built_in_ones():
    text = "\n\n".join([PARAGRAPHS[0], SHOUT, PARAGRAPHS[1]])
    plain = cleaner.clean_text(text)
    assert SHOUT in plain.clean_text
    doc = cleaner.clean_text(text, steps=[Shouting()])
    assert doc.text == text, "text is never edited: spans point into it"
    assert [(s.rule, doc.text[s.start:s.end]) for s in doc.removed] == [("mine.shouting@1", SHOUT)]
    assert SHOUT not in doc.clean_text and PARAGRAPHS[0] in doc.clean_text and PARAGRAPHS[1] in doc.clean_text


def test_a_text_with_nothing_left_is_marked_dropped():
    doc = cleaner.clean_text(SHOUT, steps=Shouting())
    assert doc.dropped == "empty after cleaning" and doc.clean_text == ""
    assert cleaner.clean_text("   ").dropped == "empty record"
    short = cleaner.clean_text(PARAGRAPHS[0], options=_opts(min_doc_chars=10_000))
    assert short.dropped == "empty after cleaning" and short.clean_text == PARAGRAPHS[0]


def test_a_page_that_cannot_be_processed_raises_with_its_reject_kind():
    with pytest.raises(cleaner.CleanError) as e:
        cleaner.clean_html(b"\x00\x01\x02\xff" * 200)
    assert e.value.kind == "not-text" and "binary" in str(e.value)
    with pytest.raises(TypeError, match="bytes or str"):
        cleaner.clean_html(12)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be str"):
        cleaner.clean_text(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="cleaner.Options"):
        cleaner.clean_text("x", options={"min_doc_chars": 3})  # type: ignore[arg-type]


def test_options_change_the_result_and_are_not_cached_across_calls():
    text = "\n\n".join([PARAGRAPHS[0], SHOUT])
    assert SHOUT not in cleaner.clean_text(text, steps=[Shouting()]).clean_text
    assert cleaner.clean_text(PARAGRAPHS[0], options=_opts(min_doc_chars=10_000)).dropped
    assert cleaner.clean_text(PARAGRAPHS[0], options=_opts()).dropped is None


def test_clean_text_works_outside_the_main_thread():
    out: list = []
    t = threading.Thread(target=lambda: out.append(cleaner.clean_text(PARAGRAPHS[0] + "\n\n" + SHOUT, steps=[Shouting()])))
    t.start()
    t.join()
    assert out and out[0].clean_text == PARAGRAPHS[0]


class _NoMark(cleaner.Marker):
    name = "nomark@1"


class _Unversioned(Shouting):
    name = "shouting"


@pytest.mark.parametrize("steps,error,match", [
    ([Shouting], TypeError, r"pass Shouting\(\)"),
    (["not a step"], TypeError, "subclass of cleaner.Marker"),
    ([_NoMark()], TypeError, "does not define mark"),
    ([_Unversioned()], ValueError, "versioned name"),
    ([Shouting(), Shouting()], ValueError, "two steps are named"),
])
def test_bad_steps_are_refused_before_any_work(steps, error, match, tmp_path):
    with pytest.raises(error, match=match):
        cleaner.clean_text("x", steps=steps)
    with pytest.raises(error, match=match):
        cleaner.run([str(tmp_path)], str(tmp_path / "out"), _opts(), steps=steps)
    assert not (tmp_path / "out").exists()


def test_a_step_that_cannot_reach_spawned_workers_is_refused_clearly(small_corpus, tmp_path, monkeypatch):
    class Local(Shouting):   # defined in a function: cannot be pickled by reference
        name = "local@1"
    monkeypatch.setattr(sys, "platform", "darwin")   # where the pool spawns its workers
    with pytest.raises(ValueError, match="'local@1' cannot be sent to worker processes"):
        cleaner.run(str(small_corpus), tmp_path / "out", _opts(workers=2), steps=[Local()])
    from cleaner.api import _check_picklable
    _check_picklable((Shouting(),))   # a class at the top level of a module is fine


# --------------------------------------------------------------------------- a corpus


@pytest.fixture
def shouting_corpus(small_corpus):
    recs = [{"id": f"s{i}", "url": f"https://shout.example/{i}",
             "text": f"{PARAGRAPHS[i]}\n\n{SHOUT}\n\n{PARAGRAPHS[(i + 2) % len(PARAGRAPHS)]} Item {i}."}
            for i in range(3)]  # fewer pages than a site template needs
    (small_corpus / "shout.jsonl").write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    return small_corpus


def _clean_rows(outdir) -> list[dict]:
    import gzip
    rows = []
    for name in sorted(os.listdir(outdir)):
        if name.startswith("clean-"):
            with gzip.open(os.path.join(outdir, name), "rt", encoding="utf-8") as fh:
                rows += [json.loads(line) for line in fh]
    return rows


def test_run_writes_what_the_command_line_writes(small_corpus, tmp_path, capsys):
    report = cleaner.run(small_corpus, tmp_path / "api", _opts(workers=1))
    assert main(["clean", str(small_corpus), "-o", str(tmp_path / "cli"), "--workers", "1", "--no-progress"]) == 0
    capsys.readouterr()
    api, cli = read_outputs(tmp_path / "api"), read_outputs(tmp_path / "cli")
    assert api and api == cli
    on_disk = json.load(open(tmp_path / "api" / "report.json"))
    assert report["documents"] == on_disk["documents"] and report["documents"]["in"] > 0
    assert "user_steps" not in report


def test_a_users_marker_in_a_run_is_cut_counted_and_identical_for_any_number_of_workers(shouting_corpus, tmp_path):
    reports = {}
    for w in (1, 2):
        reports[w] = cleaner.run([str(shouting_corpus)], str(tmp_path / f"w{w}"), _opts(workers=w), steps=[Shouting()])
    assert read_outputs(tmp_path / "w1") == read_outputs(tmp_path / "w2")
    rows = _clean_rows(tmp_path / "w1")
    shouted = [r for r in rows if "shout.example" in (r["url"] or "")]
    assert shouted and all(SHOUT not in r["text"] for r in shouted)
    for rep in reports.values():
        assert rep["characters"]["removed_by_rule"]["mine.shouting@1"] == 3 * len(SHOUT)
        assert "shouting@1" in rep["seconds_by_step"] and rep["user_steps"] == ["shouting@1"]
    plain = cleaner.run([str(shouting_corpus)], str(tmp_path / "plain"), _opts(workers=1))
    assert "mine.shouting@1" not in plain["characters"]["removed_by_rule"]
    assert any(SHOUT in r["text"] for r in _clean_rows(tmp_path / "plain"))


def test_explain_shows_a_users_spans(shouting_corpus):
    from cleaner.cli.explain import find_document, render_text
    found = find_document([str(shouting_corpus / "shout.jsonl")], _opts(workers=1), "s1", steps=[Shouting()])
    assert found.doc is not None and SHOUT not in found.text
    assert ("mine.shouting@1", SHOUT) in [(s.rule, found.doc.text[s.start:s.end]) for s in found.doc.removed]
    assert "mine.shouting@1" in render_text(found.doc)


def test_a_changed_step_version_starts_an_interrupted_run_over(small_corpus):
    from cleaner.engines.resume import local_resume_key
    opts = _opts()
    base = local_resume_key(opts, [str(small_corpus)])
    assert local_resume_key(opts, [str(small_corpus)], steps=()) == base
    v1 = local_resume_key(opts, [str(small_corpus)], steps=[Shouting()])

    class V2(Shouting):
        name = "shouting@2"
    assert len({base, v1, local_resume_key(opts, [str(small_corpus)], steps=[V2()])}) == 3


def test_run_refuses_no_output_folder_and_reports_a_missing_input(tmp_path):
    from cleaner.io.readers import InputError
    with pytest.raises(ValueError, match="clean_html or clean_text"):
        cleaner.run(str(tmp_path), None)  # type: ignore[arg-type]
    with pytest.raises(InputError):
        cleaner.run(str(tmp_path / "missing"), tmp_path / "out", _opts())


def test_the_public_names_are_exported():
    for name in ("clean_html", "clean_text", "run", "Options", "Document", "Span", "Marker", "CleanError"):
        assert name in cleaner.__all__ and getattr(cleaner, name) is not None


def test_the_readme_example_runs(tmp_path, monkeypatch, capsys):
    readme = open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md"),
                  encoding="utf-8").read()
    section = readme.split("## Python API", 1)[1]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "README.md", "exec"), {"__name__": "__main__"})
    out = capsys.readouterr().out
    assert "chrome.newsletter@1" in out and "'clean': 1" in out
    assert "newsletter" not in out.split("chrome.")[0], "the clean text comes first, without the newsletter line"


def test_a_users_step_that_raises_is_named_in_the_error():
    class Boom(cleaner.Marker):
        name = "boom@1"

        def mark(self, doc):
            raise ValueError("a bug in my step")

    with pytest.raises(cleaner.CleanError, match=r"step boom@1 failed: ValueError: a bug in my step"):
        cleaner.clean_text("A first paragraph of plain text.", steps=[Boom()])


def test_a_users_step_whose_init_skips_super_still_runs():
    class Lazy(cleaner.Marker):
        name = "lazy@1"

        def __init__(self, word):
            self.word = word   # no super().__init__()

        def mark(self, doc):
            at = doc.text.find(self.word)
            return [cleaner.Span(at, at + len(self.word), "mine.lazy@1")] if at >= 0 else []

    step = Lazy("Remove")
    doc = cleaner.clean_text("Keep this. Remove", steps=[step])
    assert "Remove" not in doc.clean_text and step.stats.spans == 1


def test_the_readme_states_no_rule_count_that_is_not_the_rules_own():
    """A count of the rules written into the README goes stale with the next rule: none is
    written (``cleaner rules check`` counts them), and any that is must be the true one."""
    from cleaner.rules.engine import rules_with_extra
    readme = open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md"),
                  encoding="utf-8").read()
    counts = {int(n) for n in re.findall(r"\b(\d+) (?:chrome )?rules\b", readme)}
    assert counts <= {len(rules_with_extra())}, counts


def test_a_users_spans_show_where_the_readme_says(tmp_path):
    """The document's ``removed``, report.json's rules and report.html's samples (not ``cleaner explain``)."""
    src = tmp_path / "shout.jsonl"
    src.write_text(json.dumps({"id": "s0", "text": f"{PARAGRAPHS[0]}\n\n{SHOUT}\n\n{PARAGRAPHS[1]}"}) + "\n",
                   encoding="utf-8")
    doc = cleaner.clean_text(f"{PARAGRAPHS[0]}\n\n{SHOUT}", steps=[Shouting()])
    assert [(s.rule, doc.text[s.start:s.end]) for s in doc.removed] == [("mine.shouting@1", SHOUT)]
    rep = cleaner.run([src], tmp_path / "out", _opts(workers=1), steps=[Shouting()])
    assert rep["characters"]["removed_by_rule"] == {"mine.shouting@1": len(SHOUT)}
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "mine.shouting@1" in page and SHOUT in page
    readme = open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "README.md"),
                  encoding="utf-8").read()
    api = readme.split("## Python API", 1)[1].split("\n## ", 1)[0]
    assert "shown by `cleaner\nexplain`" not in api and "shown by `cleaner explain`" not in api
