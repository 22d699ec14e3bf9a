"""The command line as a user meets it: option bounds, usage errors, help text, pipes, stdout mode."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from cleaner.cli.main import DOC_SEPARATOR, EXIT_BROKEN_PIPE, EXIT_USAGE, build_parser, main, _options
from cleaner.config import Interval, load_options, option_fields

from conftest import PARAGRAPHS

FAST = ["--workers", "1", "--no-progress"]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def page(tmp_path):
    path = tmp_path / "page.txt"
    path.write_text("\n\n".join(PARAGRAPHS[:3]) + "\n", encoding="utf-8")
    return path


def _jsonl(tmp_path, texts: list[str]):
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps({"id": f"r{i}", "text": t}) + "\n" for i, t in enumerate(texts)),
                    encoding="utf-8")
    return path


# --------------------------------------------------------------------------- option bounds


@pytest.mark.parametrize("flag,value,name", [
    ("--near-dup-jaccard", "1.5", "near_dup_jaccard"),
    ("--near-dup-jaccard", "0", "near_dup_jaccard"),
    ("--inpage-jaccard", "-0.1", "inpage_jaccard"),
    ("--workers", "-1", "workers"),
    ("--shard-size-mb", "0", "shard_size_mb"),
    ("--min-doc-chars", "-5", "min_doc_chars"),
    ("--seed", "-1", "seed"),
    ("--template-min-pages", "1", "template_min_pages"),
    ("--regex-timeout-s", "nan", "regex_timeout_s"),
])
def test_an_option_out_of_bounds_is_a_usage_error_and_creates_nothing(page, tmp_path, capsys, flag, value, name):
    out = tmp_path / "out"
    code = main(["clean", str(page), "-o", str(out), *FAST, flag, value])
    err = capsys.readouterr().err
    assert code == EXIT_USAGE
    field = next(f for f in option_fields() if f.name == name)
    shown = str(type(field.default)(value))
    assert f"{name} ({flag}) must be" in err and str(field.metadata["bounds"]) in err and f"not {shown}" in err
    assert "Traceback" not in err
    assert not out.exists(), "nothing may be created in OUTDIR before the options are known good"


def test_bounds_apply_to_the_toml_file_too(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("[clean]\nnear_dup_jaccard = 1.2\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"near_dup_jaccard.*\(0, 1\].*1\.2"):
        load_options(str(cfg))


def test_a_whole_number_option_refuses_a_fraction(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("shingle_words = 2.5\n", encoding="utf-8")
    with pytest.raises(ValueError, match="shingle_words takes a whole number"):
        load_options(str(cfg))


def test_every_numeric_option_declares_bounds_that_hold_its_default():
    for f in option_fields():
        if isinstance(f.default, (int, float)) and not isinstance(f.default, bool):
            bounds = f.metadata.get("bounds")
            assert isinstance(bounds, Interval), f"{f.name} has no declared bounds"
            assert f.default in bounds, f"{f.name}: default {f.default} outside {bounds}"


@pytest.mark.parametrize("interval,inside,outside", [
    (Interval(0, 1, lo_open=True), [1, 0.5], [0, 1.01, float("inf"), float("nan")]),
    (Interval(1), [1, 10**9], [0, -3]),
    (Interval(0, lo_open=True), [0.001], [0, -1]),
])
def test_interval_membership(interval, inside, outside):
    assert all(v in interval for v in inside)
    assert not any(v in interval for v in outside)


def test_a_dashed_toml_key_gets_the_underscore_spelling_suggested(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("near-dup-jaccard = 0.7\n", encoding="utf-8")
    with pytest.raises(ValueError, match="near-dup-jaccard -> near_dup_jaccard"):
        load_options(str(cfg))


# --------------------------------------------------------------------------- validation before OUTDIR/.work


def test_a_bad_rules_file_leaves_no_work_folder_behind(page, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("rule = [\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", str(page), "-o", str(out), "--extra-rules", str(bad), *FAST]) == EXIT_USAGE
    assert not out.exists()
    capsys.readouterr()
    assert main(["clean", str(page), "-o", str(out), *FAST]) == 0
    assert "starting over" not in capsys.readouterr().err, "nothing ran, so there is nothing to start over"


def test_an_unknown_language_tag_warns_naming_the_known_ones(page, capsys):
    assert main(["clean", str(page), "--languages", "xx", *FAST]) == 0
    err = capsys.readouterr().err
    assert "xx" in err and "known languages" in err and "en" in err.split("known languages")[1]


def test_known_language_tags_give_no_warning(page, capsys):
    assert main(["clean", str(page), "--languages", "en,de", *FAST]) == 0
    assert "warning" not in capsys.readouterr().err


# --------------------------------------------------------------------------- broken pipe


def _into_closed_pipe(args: list[str], cwd) -> subprocess.CompletedProcess:
    """Run ``python -m cleaner ARGS`` with standard output a pipe whose reader has gone away."""
    r, w = os.pipe()
    os.close(r)
    try:
        env = {**os.environ, "PYTHONPATH": REPO}
        return subprocess.run([sys.executable, "-m", "cleaner", *args], stdout=w, stderr=subprocess.PIPE,
                              text=True, cwd=cwd, env=env, timeout=120)
    finally:
        os.close(w)


@pytest.mark.parametrize("args", [["rules", "list"], ["clean", "page.txt", "--workers", "1"]])
def test_a_reader_that_goes_away_ends_quietly(page, args):
    p = _into_closed_pipe(args, page.parent)
    assert "Traceback" not in p.stderr and "BrokenPipe" not in p.stderr, p.stderr
    assert p.returncode == EXIT_BROKEN_PIPE


def test_a_reader_that_reads_a_little_then_closes(page, tmp_path):
    """``cleaner rules list | head -1`` for real: the reader takes one line and closes."""
    env = {**os.environ, "PYTHONPATH": REPO}
    writer = subprocess.Popen([sys.executable, "-m", "cleaner", "rules", "list"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env)
    first = writer.stdout.readline()
    writer.stdout.close()
    _, err = writer.communicate(timeout=120)
    assert first.startswith(b"chrome.")
    assert b"Traceback" not in err and writer.returncode in (0, EXIT_BROKEN_PIPE)


# --------------------------------------------------------------------------- help text


def _help(*args: str) -> str:
    parser = build_parser()
    sub = parser._subparsers._group_actions[0].choices[args[0]]
    return sub.format_help()


def test_explain_help_lists_only_flags_that_matter_there():
    text = _help("explain")
    for flag in ("--workers", "--shard-size-mb", "--output-format", "--spool-batch-records", "--fail-on-reject",
                 "--engine"):
        assert flag not in text
    assert "-o FILE, --output FILE" in text and "not a folder" in text
    for flag in ("--format", "--color"):
        line = text.split(flag + " {")[-1].split("\n")[0] + text.split(flag + " {")[-1].split("\n")[1]
        assert len(line.split("}", 1)[1].strip()) > 10, f"{flag} has no help text"


def test_explain_keeps_config_values_of_options_it_has_no_flag_for(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text("workers = 1\nshard_size_mb = 3.0\n", encoding="utf-8")
    args = build_parser().parse_args(["explain", "x.html", "--config", str(cfg)])
    options = _options(args)
    assert options.workers == 1 and options.shard_size_mb == 3.0


def test_rules_help_describes_both_actions():
    text = _help("rules")
    assert "check:" in text and "list:" in text


def test_options_group_says_toml_keys_use_underscores():
    text = _help("clean")
    assert "underscores" in text and "near_dup_jaccard = 0.7" in text


# --------------------------------------------------------------------------- one-file standard-output mode


def test_stdout_mode_separates_documents_unambiguously_and_notes_drops(tmp_path, capsys):
    a = "\n\n".join(PARAGRAPHS[0:2])
    b = "\n\n".join(PARAGRAPHS[2:4])
    path = _jsonl(tmp_path, [a, b, a])   # the third is an exact duplicate of the first
    assert main(["clean", str(path), *FAST]) == 0
    out, err = capsys.readouterr()
    docs = out[:-1].split(DOC_SEPARATOR)
    assert docs == [a, b], "two documents, each with its own paragraphs"
    assert "1 dropped" in err and "-o OUTDIR" in err


def test_stdout_mode_says_when_nothing_was_kept(tmp_path, capsys):
    path = _jsonl(tmp_path, ["   "])
    assert main(["clean", str(path), *FAST]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "nothing kept" in err


def test_stdout_mode_prints_one_page_exactly(page, capsys):
    assert main(["clean", str(page), *FAST]) == 0
    out, err = capsys.readouterr()
    assert out == "\n\n".join(PARAGRAPHS[:3]) + "\n"
    assert err == ""


def test_pages_without_a_url_get_a_note_that_site_templates_skipped_them(tmp_path, capsys):
    """A folder of saved pages with no canonical link: site templates cannot group them by
    site, and the run says so instead of leaving the site's repeated blocks in silently."""
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.html").write_text(f"<html><body><article>{body}</article></body></html>")
    (tmp_path / "in" / "b.html").write_text(
        f"<html><head><link rel='canonical' href='https://ex.org/b'></head><body><article>{body}x</article></body></html>")
    assert main(["clean", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "note: 1 of 2 document(s) have no URL" in err
    rep = json.loads((tmp_path / "out" / "report.json").read_text())
    assert rep["corpus_steps"]["site-templates"]["documents_without_url"] == 1


def test_the_command_ends_without_teardown_but_after_the_exit_handlers(tmp_path):
    """entry() ends the process past the interpreter's teardown: the status stays, what was
    printed and buffered comes out, and atexit handlers still run (they close pools and files)."""
    flag = tmp_path / "handler-ran"
    program = (
        "import atexit, sys\n"
        "from cleaner.cli.main import _exit_without_teardown\n"
        f"atexit.register(lambda: open({str(flag)!r}, 'w').write('yes'))\n"
        "sys.stdout.write('buffered, not yet flushed')\n"
        "_exit_without_teardown(3)\n"
        "sys.exit(99)   # never reached\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    assert done.stdout == "buffered, not yet flushed"
    assert flag.read_text() == "yes"


def test_the_command_waits_for_a_running_thread_as_the_interpreter_would():
    import threading
    from cleaner.cli.main import _exit_without_teardown
    release = threading.Event()
    worker = threading.Thread(target=release.wait)   # non-daemon: the interpreter's teardown waits for it
    worker.start()
    try:
        assert _exit_without_teardown(0) is None   # returned: the caller exits as usual
    finally:
        release.set()
        worker.join()


# --------------------------------------------------------------------------- a config file or -o that is not what it must be

@pytest.mark.parametrize("content, words", [
    (None, "no such file; check the path"),
    ("near_dup_jaccard = [\n", "is not valid TOML"),
])
def test_a_config_file_that_is_missing_or_not_toml_is_a_usage_error_naming_it(tmp_path, page, capsys, content, words):
    cfg = tmp_path / "settings.toml"
    if content is not None:
        cfg.write_text(content, encoding="utf-8")
    assert main(["clean", str(page), "-o", str(tmp_path / "out"), "--config", str(cfg), *FAST]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert str(cfg) in err and words in err and "Traceback" not in err and "Errno" not in err
    assert not (tmp_path / "out").exists()


def test_an_output_path_that_is_a_file_is_a_usage_error(tmp_path, page, capsys):
    taken = tmp_path / "notes.html"
    taken.write_text("<p>mine</p>", encoding="utf-8")
    assert main(["clean", str(page), "-o", str(taken), *FAST]) == EXIT_USAGE
    assert "that is a file" in capsys.readouterr().err
    assert taken.read_text(encoding="utf-8") == "<p>mine</p>"
