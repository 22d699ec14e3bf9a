"""`cleaner show OUTDIR` prints the summary, clean texts and drop reasons of a run."""
import subprocess
import sys


def test_show_prints_summary_clean_texts_and_drops(tmp_path):
    src = tmp_path / "c.jsonl"
    src.write_text('{"id": "a", "text": "The ferry leaves at nine from the north quay every day."}\n'
                   '{"id": "b", "text": "The Ferry leaves at nine, from the north quay every day!"}\n', encoding="utf-8")
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "cleaner", "clean", str(src), "-o", str(out), "--workers", "1"],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    p = subprocess.run([sys.executable, "-m", "cleaner", "show", str(out)], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "2 records in: 1 clean, 1 dropped" in p.stdout
    assert "--- clean a" in p.stdout and "north quay" in p.stdout
    assert "b: exact-duplicate of a" in p.stdout


def test_show_without_a_finished_run_says_what_to_do(tmp_path):
    p = subprocess.run([sys.executable, "-m", "cleaner", "show", str(tmp_path)], capture_output=True, text=True)
    assert p.returncode == 2 and "cleaner clean" in p.stderr
