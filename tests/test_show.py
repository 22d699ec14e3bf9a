"""`cleaner show OUTDIR` prints the summary, clean texts and drop reasons of a run."""
import subprocess
import sys


def clean_then_show(src, out):
    """Run ``cleaner clean SRC -o OUT`` then ``cleaner show OUT`` in subprocesses; returns show's output."""
    p = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(src), "-o", str(out), "--workers", "1"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([sys.executable, "-m", "cleaner", "show", str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_show_prints_summary_clean_texts_and_drops(tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text('{"id": "a", "text": "The ferry leaves at nine from the north quay every day."}\n'
                   '{"id": "b", "text": "The Ferry leaves at nine, from the north quay every day!"}\n', encoding="utf-8")
    stdout = clean_then_show(src, tmp_path / "out")
    assert "2 records in: 1 clean, 1 dropped" in stdout
    assert "--- clean a" in stdout and "north quay" in stdout
    assert "b: exact-duplicate of a" in stdout


def test_show_without_a_finished_run_says_what_to_do(tmp_path):
    p = subprocess.run([sys.executable, "-m", "cleaner", "show", str(tmp_path)], capture_output=True, text=True)
    assert p.returncode == 2 and "cleaner clean" in p.stderr


def test_show_lists_rejects_and_says_when_a_document_has_no_title(tmp_path):
    src = tmp_path / "c.jsonl"
    lines = ['{"id": "a", "text": "The ferry leaves at nine from the north quay every day."}']
    lines += [f'{{"id": "bad{i}", "text": "broken' for i in range(12)]        # 12 lines that are not JSON
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stdout = clean_then_show(src, tmp_path / "out")
    assert "title: None" not in stdout and "title: (no title)" in stdout
    assert "--- clean a\n" in stdout, "a record without a URL leaves no trailing spaces"
    section = stdout.split("--- rejected (12)\n", 1)[1].splitlines()
    assert section[0].startswith(f"{src}:2 [not-json]: line is not JSON")
    assert section[9].startswith(f"{src}:11 ") and "2 more" in section[10]


def test_summary_names_one_worker_and_only_the_shards_written(tmp_path):
    import dataclasses

    from cleaner.cli.main import summary_line
    from cleaner.config import Options
    from cleaner.engines.local.run import run

    src = tmp_path / "c.jsonl"
    src.write_text('{"id": "a", "text": "The ferry leaves at nine from the north quay every day."}\n', encoding="utf-8")
    opts = dataclasses.replace(Options(progress=False), workers=1)
    line = summary_line(run([str(src)], opts, str(tmp_path / "o1")).report, "o1")
    assert "1 worker)" in line and "(clean-*, report.json, report.html)" in line
    src.write_text(src.read_text() + "{broken\n", encoding="utf-8")
    line = summary_line(run([str(src)], dataclasses.replace(opts, workers=2), str(tmp_path / "o2")).report, "o2")
    assert "2 workers)" in line and "(clean-*, rejects-*, report.json" in line


def test_show_of_a_folder_without_a_report_never_suggests_writing_into_it(tmp_path, capsys):
    from cleaner.cli.show import show_main
    (tmp_path / "page.html").write_text("<p>an input page, not an output folder</p>")
    assert show_main(str(tmp_path), 3, 200) == 2
    err = capsys.readouterr().err
    assert "no report.json" in err and f"-o {tmp_path}" not in err and "-o OUTDIR" in err


def test_show_of_a_missing_folder_says_it_does_not_exist(tmp_path, capsys):
    from cleaner.cli.show import show_main
    assert show_main(str(tmp_path / "nowhere"), 3, 200) == 2
    err = capsys.readouterr().err
    assert "no such folder" in err and "report.json" not in err
