"""A run that is not all right says so: ids used twice, a step that fails (warnings, report.json, exit status)."""
from __future__ import annotations

import glob
import gzip
import json

import pytest

import cleaner
from cleaner.cli.main import EXIT_FAILED, EXIT_OK, main
from cleaner.engines.totals import StepFailureError

PARAS = ["The harbour authority approved a plan to dredge the eastern channel before the storms.",
         "Fishermen said the silt had narrowed the passage so much that boats wait for high tide.",
         "The council will vote on the budget for the new lighthouse keeper's cottage in spring.",
         "A local bakery won the regional prize for its rye bread for the third year running.",
         "The ferry timetable changes on Monday, with an extra crossing late on Friday evenings."]


def _jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _shards(out, kind):
    return b"".join(gzip.open(p).read() for p in sorted(glob.glob(str(out / f"{kind}-*.jsonl.gz"))))


@pytest.fixture
def twice(tmp_path):
    """Five records: 'a' on two lines of one file, 'c' in two files."""
    d = tmp_path / "in"
    d.mkdir()
    _jsonl(d / "1.jsonl", [{"id": "a", "text": PARAS[0]}, {"id": "b", "text": PARAS[1]}, {"id": "a", "text": PARAS[2]}])
    _jsonl(d / "2.jsonl", [{"id": "c", "text": PARAS[3]}])
    _jsonl(d / "3.jsonl", [{"id": "c", "text": PARAS[4]}])
    return d


def test_ids_used_twice_are_counted_in_the_report_and_the_summary(twice, tmp_path, capsys):
    outs = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        assert main(["clean", str(twice), "-o", str(out), "--workers", str(workers), "--no-progress",
                     "--spool-batch-records", "1"]) == EXIT_OK
        err = capsys.readouterr().err
        rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert rep["duplicate_ids"] == 2
        assert any(w.startswith("2 record(s) have the id of an earlier record") for w in rep["warnings"])
        assert "cleaner: warning: 2 record(s) have the id of an earlier record" in err
        assert rep["documents"]["clean"] == 5, "flagged, not dropped: every record is still in one output"
        outs.append((_shards(out, "clean"), _shards(out, "dropped")))
    assert outs[0] == outs[1], "output identical for any number of workers"


def test_unique_ids_give_no_warning(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", [{"id": f"r{i}", "text": p} for i, p in enumerate(PARAS)])
    rep = cleaner.run([src], tmp_path / "out", cleaner.Options(workers=1, progress=False))
    assert rep["duplicate_ids"] == 0 and rep["warnings"] == [] and rep["error"] is None


class Boom(cleaner.Marker):
    name = "boom@1"

    def mark(self, doc):
        raise RuntimeError("a bug in my step")


class SometimesBoom(cleaner.Marker):
    name = "sometimes@1"

    def mark(self, doc):
        if "bakery" in doc.text:
            raise RuntimeError("no bread")
        return []


def test_a_step_that_fails_on_every_record_fails_the_run_after_writing_everything(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", [{"id": f"r{i}", "text": p} for i, p in enumerate(PARAS)])
    out = tmp_path / "out"
    with pytest.raises(StepFailureError, match=r"step boom@1 failed on 5 of 5 record\(s\) \(100.0%\)") as e, \
            pytest.warns(RuntimeWarning, match="step boom@1 failed"):
        cleaner.run([src], out, cleaner.Options(workers=1, progress=False), steps=[Boom()])
    rep = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert e.value.report == rep and rep["error"] and "max_step_failure_share" in rep["error"]
    assert rep["step_failures"] == {"boom@1": 5} and rep["rejected_by_kind"] == {"step-failed": 5}
    rejects = [json.loads(line) for line in _shards(out, "rejects").splitlines()]
    assert [r["id"] for r in rejects] == [f"r{i}" for i in range(5)]
    assert all(r["kind"] == "step-failed" and r["error"] == "step boom@1 failed: RuntimeError: a bug in my step"
               for r in rejects)


def test_a_step_that_fails_on_a_few_records_warns_and_the_share_is_an_option(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", [{"id": f"r{i}", "text": p} for i, p in enumerate(PARAS)])
    with pytest.raises(StepFailureError), pytest.warns(RuntimeWarning):   # 1 of 5 is 20 %, more than the default 5 %
        cleaner.run([src], tmp_path / "out", cleaner.Options(workers=1, progress=False), steps=[SometimesBoom()])
    with pytest.warns(RuntimeWarning, match=r"step sometimes@1 failed on 1 of 5 record\(s\) \(20.0%\)"):
        rep = cleaner.run([src], tmp_path / "out2", cleaner.Options(workers=1, progress=False, max_step_failure_share=0.5),
                          steps=[SometimesBoom()])
    assert rep["error"] is None and rep["step_failures"] == {"sometimes@1": 1} and rep["documents"]["clean"] == 4


def test_a_run_that_fails_for_a_step_warns_before_it_raises(tmp_path):
    src = _jsonl(tmp_path / "in.jsonl", [{"id": f"r{i}", "text": p} for i, p in enumerate(PARAS)])
    with pytest.warns(RuntimeWarning, match=r"step sometimes@1 failed on 1 of 5 record\(s\) \(20.0%\)"):
        with pytest.raises(StepFailureError):
            cleaner.run([src], tmp_path / "out", cleaner.Options(workers=1, progress=False), steps=[SometimesBoom()])


class BadSpan(cleaner.Marker):
    """A user's marker with a bug: on the bakery record, a span that is not inside the text."""

    name = "badspan@1"

    def __init__(self, start, end):
        super().__init__()
        self.start, self.end = start, end

    def mark(self, doc):
        if "bakery" in doc.text:
            yield cleaner.Span(0, 3, "mine.ok@1")
            yield cleaner.Span(self.start, self.end, "mine.bad@1")


@pytest.mark.parametrize("start, end", [(10, 5), (0, 10**9), (-1, 3)])
def test_a_span_outside_the_text_is_the_steps_failure(tmp_path, start, end):
    src = _jsonl(tmp_path / "in.jsonl", [{"id": f"r{i}", "text": p} for i, p in enumerate(PARAS)])
    out = tmp_path / "out"
    opts = cleaner.Options(workers=1, progress=False, max_step_failure_share=0.5)
    with pytest.warns(RuntimeWarning, match="step badspan@1 failed on 1 of 5"):
        rep = cleaner.run([src], out, opts, steps=[BadSpan(start, end)])
    assert rep["documents"] == {"in": 5, "clean": 4, "dropped": 0, "rejected": 1}
    [reject] = [json.loads(line) for line in _shards(out, "rejects").splitlines()]
    n = len(PARAS[3])
    assert reject["id"] == "r3" and reject["kind"] == "step-failed"
    assert reject["error"] == (f"step badspan@1 failed: SpanError: mark() returned Span(start={start}, end={end}, "
                               f"rule='mine.bad@1', detail=''), outside the text: a span needs "
                               f"0 <= start <= end <= len(doc.text) = {n}")
    with pytest.raises(cleaner.CleanError, match=r"step badspan@1 failed: SpanError: .*Span\(start=10, end=5"):
        cleaner.clean_text(PARAS[3], steps=[BadSpan(10, 5)])


def test_spans_at_the_ends_of_the_text_are_fine():
    text = PARAS[3]
    doc = cleaner.clean_text(f"{PARAS[0]}\n\n{text}", steps=[BadSpan(0, len(PARAS[0]) + 2 + len(text))])
    assert doc.clean_text == "" and doc.dropped


def test_the_command_line_exits_1_with_the_summary_when_a_step_fails_too_often(tmp_path, monkeypatch, capsys):
    import cleaner.api
    src = _jsonl(tmp_path / "in.jsonl", [{"id": f"r{i}", "text": p} for i, p in enumerate(PARAS)])
    real = cleaner.api.run_corpus
    monkeypatch.setattr(cleaner.api, "run_corpus", lambda i, o, opts, steps=None: real(i, o, opts, [Boom()]))
    code = main(["clean", str(src), "-o", str(tmp_path / "out"), "--workers", "1", "--no-progress"])
    err = capsys.readouterr().err
    assert code == EXIT_FAILED
    assert "5 rejected" in err and "cleaner: warning: step boom@1 failed on 5 of 5" in err
    assert err.count("cleaner: error: step boom@1 failed on 5 of 5") == 1
    assert main(["show", str(tmp_path / "out")]) == EXIT_OK
    assert "cleaner: error: step boom@1 failed on 5 of 5" in capsys.readouterr().out, "cleaner show says so too"


def test_report_html_shows_the_error_and_the_warnings():
    from cleaner.report.html import report_html
    rep = {"documents": {}, "characters": {}, "run": {}, "error": "step boom@1 failed on 5 of 5 record(s)",
           "warnings": ["2 record(s) have the id of an earlier record"]}
    page = report_html(rep, [])
    assert 'id="warnings"' in page and "The run failed:</b> step boom@1 failed" in page
    assert "Warning: 2 record(s) have the id" in page
    assert 'id="warnings"' not in report_html({"documents": {}, "characters": {}, "run": {}, "warnings": []}, [])
