"""Inputs as crawls and mirrors produce them: WET files, XHTML pages, odd file names, stdin, --input-type, provenance."""
from __future__ import annotations

import dataclasses
import glob
import io
import json
import os
import random
import subprocess
import sys

import pytest

from cleaner.config import Options
from cleaner.io.readers import RawRecord, ReadError, iter_records
from cleaner.io.sniff import sniff
from cleaner.engines.local.run import run

from conftest import PARAGRAPHS, page_html, read_jsonl_gz


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False, workers=1), **kw)


def _rows(outdir, kind: str) -> list[dict]:
    return [r for p in sorted(glob.glob(os.path.join(outdir, f"{kind}-*.jsonl.gz"))) for r in read_jsonl_gz(p)]


def _adds_up(report: dict) -> dict:
    d = report["documents"]
    assert d["in"] == d["clean"] + d["dropped"] + d["rejected"]
    return d


WET_PAGES = [
    ("https://harbour.example/a", "eng", "Ferry timetable\n" + "\n".join(PARAGRAPHS[:3])),
    ("https://harbour.example/b", "eng", "Dredging plan\n" + "\n".join(PARAGRAPHS[2:5])),
    ("https://other.example/c", "deu,eng", "Die Stadtverwaltung hat am Montag bekanntgegeben, dass die Bibliothek "
                                           "ab nächster Woche auch samstags geöffnet sein wird, weil viele Leser "
                                           "darum gebeten haben."),
]


def _wet_bytes(pages=WET_PAGES, gzip_records: bool = True) -> bytes:
    """A WET file as Common Crawl writes one: warcinfo, then one conversion record (text/plain) per page."""
    from warcio.warcwriter import WARCWriter

    buf = io.BytesIO()
    w = WARCWriter(buf, gzip=gzip_records)
    w.write_record(w.create_warcinfo_record("CC-TEST.warc.wet.gz", {"software": "test", "format": "WARC File Format 1.0"}))
    for url, lang, text in pages:
        rec = w.create_warc_record(url, "conversion", payload=io.BytesIO(text.encode("utf-8")),
                                   warc_content_type="text/plain",
                                   warc_headers_dict={"WARC-Identified-Content-Language": lang})
        w.write_record(rec)
    return buf.getvalue()


def test_wet_conversion_records_are_text_documents_with_url_date_id_language_and_offset(tmp_path):
    path = tmp_path / "CC-MAIN-1.warc.wet.gz"
    path.write_bytes(_wet_bytes())
    recs = list(iter_records([str(path)], _opts()))
    assert [type(r) for r in recs] == [RawRecord] * 3  # the warcinfo record is no document
    assert [r.url for r in recs] == [u for u, _, _ in WET_PAGES]
    assert all(r.text is not None and r.html is None for r in recs)
    assert recs[0].text.startswith("Ferry timetable") and recs[0].id.startswith("<urn:uuid:")
    assert recs[2].extra["warc_language"] == "deu,eng" and recs[0].extra["warc_date"]
    offsets = [r.offset for r in recs]
    assert offsets == sorted(offsets) and offsets[0] > 0  # after the warcinfo record
    res = run([str(path)], _opts(), str(tmp_path / "out"))
    assert _adds_up(res.report) == {"in": 3, "clean": 3, "dropped": 0, "rejected": 0}
    clean = _rows(tmp_path / "out", "clean")
    assert [(r["url"], r["source"], r["source_offset"]) for r in clean] == [(r.url, str(path), r.offset) for r in recs]
    assert [r["language"] for r in clean] == ["en", "en", "de"]


@pytest.mark.parametrize("name", ["crawl.wet", "crawl.wet.gz", "crawl.warc.gz", "crawl-no-suffix"])
def test_wet_files_are_read_under_every_name(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(_wet_bytes(gzip_records=name != "crawl.wet"))
    recs = list(iter_records([str(path)], _opts()))
    assert [r.url for r in recs] == [u for u, _, _ in WET_PAGES]


def test_a_warc_without_documents_warns_and_says_so_in_the_report(tmp_path, capsys):
    path = tmp_path / "only-info.warc.wet.gz"
    path.write_bytes(_wet_bytes(pages=[]))
    (tmp_path / "page.html").write_text(page_html("Harbour", PARAGRAPHS), encoding="utf-8")
    res = run([str(tmp_path)], _opts(), str(tmp_path / "out"))
    assert "no document in this WARC/WET file" in capsys.readouterr().err
    rep = json.load(open(tmp_path / "out" / "report.json"))
    assert [w["source"] for w in rep["input_warnings"]] == [str(path)]
    assert _adds_up(res.report)["in"] == 1


XHTML = ('<?xml version="1.0" encoding="{enc}"?>\n'
         '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n'
         '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Öffnungszeiten</title>{meta}</head><body>'
         '<div id="nav"><a href="/">Startseite</a></div><div id="content"><h1>Öffnungszeiten</h1>{body}</div></body></html>')
GERMAN = ["Das Stadtarchiv öffnet ab März auch am Donnerstagnachmittag für Besucher ohne Termin.",
          "Für die Einsicht in ältere Kirchenbücher ist weiterhin eine Anmeldung nötig, sagt die Leiterin.",
          "Größere Aufträge für Kopien übernimmt ein externer Dienstleister gegen eine kleine Gebühr."]


@pytest.mark.parametrize("enc,meta", [
    ("utf-8", '<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />'),
    ("utf-8", ""),
    ("iso-8859-15", ""),   # the XML declaration is the only declaration: it is honoured
])
def test_xhtml_pages_with_an_xml_declaration_are_cleaned(tmp_path, enc, meta):
    page = XHTML.format(enc=enc, meta=meta, body="".join(f"<p>{p}</p>" for p in GERMAN))
    path = tmp_path / "story.xhtml"
    path.write_bytes(page.encode(enc))
    res = run([str(path)], _opts(), None)
    assert res.report["documents"]["clean"] == 1, res.report
    text = res.clean_texts[0]
    assert all(p in text for p in GERMAN)  # ö, ä, ß decoded by the declared encoding


def test_a_str_page_with_an_xml_declaration_in_jsonl_is_cleaned(tmp_path):
    page = XHTML.format(enc="utf-8", meta="", body="".join(f"<p>{p}</p>" for p in GERMAN))
    (tmp_path / "pages.jsonl").write_text(json.dumps({"id": "x", "html": page}) + "\n", encoding="utf-8")
    res = run([str(tmp_path / "pages.jsonl")], _opts(), None)
    assert res.report["documents"]["clean"] == 1 and GERMAN[1] in res.clean_texts[0]


def _mirror(root) -> None:
    """A wget mirror with odd names: six files, one of each kind of trouble."""
    root.mkdir()
    (root / "index.php").write_text(page_html("Harbour news", PARAGRAPHS), encoding="utf-8")
    (root / "page.html?id=2").write_text(page_html("Second page", PARAGRAPHS[1:]), encoding="utf-8")
    (root / "story.xhtml").write_bytes(XHTML.format(enc="utf-8", meta="", body="".join(f"<p>{p}</p>" for p in GERMAN)).encode())
    (root / "NOTES").write_text("Notes on the mirror.\nThe crawl ran on a Sunday night and took four hours to finish.\n"
                                "Two pages timed out and were fetched again on Monday morning.\n", encoding="utf-8")
    (root / "data.csv").write_text("year,boats\n2019,41\n2020,38\n2021,44\n", encoding="utf-8")
    rng = random.Random(7)
    (root / "blob").write_bytes(bytes(rng.getrandbits(8) for _ in range(5000)))
    (root / ".hidden.html").write_text(page_html("Hidden", PARAGRAPHS), encoding="utf-8")


def test_a_mirror_folder_with_odd_names_loses_nothing(tmp_path):
    _mirror(tmp_path / "mirror")
    out = tmp_path / "mirror" / "out"  # the output folder inside the input is not read back
    res = run([str(tmp_path / "mirror")], _opts(), str(out))
    d = _adds_up(res.report)
    assert d["in"] == 6  # the hidden file is not an input
    (rej,) = _rows(out, "rejects")
    assert rej["kind"] == "unknown-type" and rej["id"] == "blob" and "'blob'" in rej["error"]
    assert "binary data" in rej["error"] and "--input-type" in rej["error"]   # not "rename it": it is no page
    clean = {r["id"]: r for r in _rows(out, "clean")}
    dropped = {r["id"] for r in _rows(out, "dropped")}
    assert set(clean) | dropped == {"index.php", "page.html?id=2", "story.xhtml", "NOTES", "data.csv"}
    assert PARAGRAPHS[0] in clean["index.php"]["text"] and GERMAN[0] in clean["story.xhtml"]["text"]
    assert "Notes on the mirror." in clean["NOTES"]["text"]
    assert clean["index.php"]["source"] == str(tmp_path / "mirror" / "index.php")


def test_sniffed_inputs_give_the_same_bytes_for_any_number_of_workers(tmp_path):
    from conftest import read_outputs
    _mirror(tmp_path / "mirror")
    run([str(tmp_path / "mirror")], _opts(workers=1, spool_batch_records=2), str(tmp_path / "o1"))
    run([str(tmp_path / "mirror")], _opts(workers=2, spool_batch_records=2), str(tmp_path / "o2"))
    assert read_outputs(tmp_path / "o1") == read_outputs(tmp_path / "o2") != {}


@pytest.mark.parametrize("head,kind", [
    (b"WARC/1.0\r\nWARC-Type: warcinfo\r\n", "warc"), (b"PAR1\x15\x04", "parquet"),
    (b'{"id": 1, "text": "a"}\n{"id": 2}\n', "jsonl"), (b"<!DOCTYPE html><html><body>x</body></html>", "html"),
    (b"\xef\xbb\xbf<html><p>x</p></html>", "html"), (b'<?xml version="1.0"?>\n<html><body/></html>', "html"),
    (b"<div><p>One</p><p>Two</p></div>", "html"), (b"Plain notes.\nSecond line.\n", "text"),
    (b"Caf\xe9 cr\xe8me au port, ouvert le dimanche.\n", "text"), (b"\x00\x01\x02\x03\xff\xfe" * 50, None),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, None), (b"", None),
])
def test_sniffing_tells_each_format(head, kind):
    assert sniff(head) == kind


def test_compressed_files_without_suffix_are_sniffed_through_the_compression(tmp_path):
    import gzip

    import zstandard
    (tmp_path / "a").write_bytes(gzip.compress(page_html("Gzipped", PARAGRAPHS).encode(), mtime=0))
    (tmp_path / "b").write_bytes(zstandard.ZstdCompressor().compress(
        b"".join(json.dumps({"id": f"r{i}", "text": p}).encode() + b"\n" for i, p in enumerate(PARAGRAPHS))))
    recs = list(iter_records([str(tmp_path)], _opts()))
    assert isinstance(recs[0], RawRecord) and recs[0].html and recs[0].kind == "html"
    assert [r.id for r in recs[1:]] == [f"r{i}" for i in range(len(PARAGRAPHS))] and recs[1].kind == "jsonl"


def test_input_type_forces_the_kind_of_every_input(tmp_path):
    (tmp_path / "page.txt").write_text(page_html("Harbour", PARAGRAPHS), encoding="utf-8")
    (rec,) = iter_records([str(tmp_path / "page.txt")], _opts())
    assert rec.text is not None and "<p>" in rec.text  # a .txt file is text, markup and all
    (rec,) = iter_records([str(tmp_path / "page.txt")], _opts(input_type="html"))
    assert rec.html is not None
    (tmp_path / "noise.bin").write_bytes(b"\x00\x01" * 100)
    (rec,) = iter_records([str(tmp_path / "noise.bin")], _opts(input_type="jsonl"))
    assert isinstance(rec, ReadError) and rec.kind in ("not-json", "not-utf8")


def _cli(*args, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cleaner", *args], input=stdin, capture_output=True, timeout=120)


def test_standard_input_is_sniffed_and_read(tmp_path):
    lines = b"".join(json.dumps({"id": f"s{i}", "url": f"https://ex.org/{i}", "text": p}).encode() + b"\n"
                     for i, p in enumerate(PARAGRAPHS[:4]))
    p = _cli("clean", "-", "-o", str(tmp_path / "out"), "--no-progress", stdin=lines + b"{broken\n")
    assert p.returncode == 0, p.stderr
    rep = json.load(open(tmp_path / "out" / "report.json"))
    assert _adds_up(rep) == {"in": 5, "clean": 4, "dropped": 0, "rejected": 1}
    clean = _rows(tmp_path / "out", "clean")
    assert [(r["id"], r["source"], r["source_line"]) for r in clean] == [(f"s{i}", "-", i + 1) for i in range(4)]
    (rej,) = _rows(tmp_path / "out", "rejects")
    assert rej["source"] == "-" and rej["position"] == 5
    page = page_html("Harbour", PARAGRAPHS).encode()
    p = _cli("clean", "-", stdin=page)
    assert p.returncode == 0 and PARAGRAPHS[2] in p.stdout.decode()


def test_html_files_get_their_url_from_canonical_or_og_url(tmp_path):
    base = page_html("Harbour", PARAGRAPHS)
    (tmp_path / "a.html").write_text(base.replace("<head>", "<head><link href='https://ex.org/a?x=1&amp;y=2' rel='canonical'>"))
    (tmp_path / "b.html").write_text(base.replace("<head>", '<head><meta property="og:url" content="https://ex.org/b">'))
    (tmp_path / "c.html").write_text(base.replace("<head>", "<head><link rel=canonical href=/relative>"))
    recs = list(iter_records([str(tmp_path)], _opts()))
    assert [r.url for r in recs] == ["https://ex.org/a?x=1&y=2", "https://ex.org/b", None]


def test_jsonl_records_keep_source_and_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text("\n" + "\n".join(json.dumps({"id": f"j{i}", "text": p, "source": "crawler-7"})
                                     for i, p in enumerate(PARAGRAPHS[:2])) + "\n", encoding="utf-8")
    run([str(path)], _opts(), str(tmp_path / "out"))
    clean = _rows(tmp_path / "out", "clean")
    assert [(r["source"], r["source_line"], r["input_source"]) for r in clean] == [(str(path), 2, "crawler-7"),
                                                                                  (str(path), 3, "crawler-7")]


def test_read_progress_has_the_listing_total_and_reaches_it(tmp_path):
    from cleaner.io.readers import ReadProgress, input_bytes
    _mirror(tmp_path / "m")
    (tmp_path / "m" / "big.jsonl").write_text("".join(json.dumps({"id": i, "text": f"Line {i}. {PARAGRAPHS[i % 6]}"}) + "\n"
                                                      for i in range(2000)), encoding="utf-8")
    total = input_bytes([str(tmp_path / "m")])
    assert total == sum(p.stat().st_size for p in (tmp_path / "m").iterdir() if not p.name.startswith("."))
    progress = ReadProgress(total)
    seen = [progress.position() for _ in iter_records([str(tmp_path / "m")], _opts(), progress=progress)]
    assert seen == sorted(seen) and 0 < seen[len(seen) // 2] < total and progress.position() == total


def test_an_earlier_output_folder_inside_the_input_is_left_out_with_a_warning(tmp_path, capsys):
    """Running again into a new output folder must not read the first run's shards and report as input."""
    from cleaner.cli.main import main
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.jsonl").write_text('{"id": "a", "text": "The ferry leaves every hour from the harbour for the island."}\n',
                                 encoding="utf-8")
    assert main(["clean", str(src), "-o", str(src / "out"), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["clean", str(src), "-o", str(src / "out2"), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "output folder of a cleaner run" in err and "1 records in" in err
    (src / "notes").mkdir()
    (src / "notes" / "report.json").write_text('{"title": "not ours"}', encoding="utf-8")
    assert main(["clean", str(src), "-o", str(src / "out3"), "--no-progress"]) == 0
    assert "2 records in" in capsys.readouterr().err  # a report.json of something else is read like any file


def test_an_earlier_output_folder_given_as_input_gives_its_clean_documents_only(tmp_path, capsys):
    """Its report.json, report.html, dropped and rejects shards are no documents to clean again."""
    from cleaner.cli.main import main
    src = tmp_path / "in.jsonl"
    texts = [PARAGRAPHS[0], PARAGRAPHS[1], PARAGRAPHS[0]]   # the third is an exact duplicate: dropped
    src.write_text("".join(json.dumps({"id": f"t{i}", "text": t}) + "\n" for i, t in enumerate(texts))
                   + "not json\n", encoding="utf-8")
    first = tmp_path / "out1"
    assert main(["clean", str(src), "-o", str(first), "--no-progress"]) == 0
    capsys.readouterr()
    again = tmp_path / "out2"
    assert main(["clean", str(first), "-o", str(again), "--no-progress"]) == 0
    err = capsys.readouterr().err
    assert "reading its 1 clean shard(s)" in err and "2 records in" in err
    assert {r["id"] for r in _rows(again, "clean")} == {"t0", "t1"} and _rows(again, "rejects") == []
    for shard in first.glob("clean-*"):
        shard.unlink()
    assert main(["clean", str(first), "-o", str(tmp_path / "out3"), "--no-progress"]) == 2
    assert "without clean shards" in capsys.readouterr().err


def test_a_record_whose_text_is_null_or_not_a_string_is_rejected_saying_so(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    rows = [{"id": "ok", "text": PARAGRAPHS[0]}, {"id": "null", "text": None}, {"id": "empty", "html": "", "text": None},
            {"id": "number", "text": 42}, {"id": "list", "html": ["<p>a</p>"]}, {"id": "none", "body": PARAGRAPHS[1]}]
    (tmp_path / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pq.write_table(pa.table({"id": ["p1", "p2"], "text": [PARAGRAPHS[2], None]}), tmp_path / "in.parquet")
    for name in ("in.jsonl", "in.parquet"):
        out = tmp_path / f"out-{name}"
        run([str(tmp_path / name)], _opts(), str(out))
        errors = {r["id"]: r["error"] for r in _rows(out, "rejects")}
        assert all(r["kind"] == "no-text-field" for r in _rows(out, "rejects"))
        if name == "in.parquet":
            assert errors == {"p2": "record has no text to clean: 'text' is null (fields: id, text)"}
            continue
        assert errors == {
            "null": "record has no text to clean: 'text' is null (fields: id, text)",
            "empty": "record has no text to clean: 'html' is empty and 'text' is null (fields: id, html, text)",
            "number": "record has no text to clean: 'text' is a number (int), not a string (fields: id, text); "
                      "name the fields with --html-field / --text-field",
            "list": "record has no text to clean: 'html' is a list, not a string (fields: id, html); "
                    "name the fields with --html-field / --text-field",
            "none": "record has no string field 'html' or 'text' (fields: id, body); "
                    "name the fields with --html-field / --text-field"}


def test_declared_url_reads_any_case_among_other_head_tags():
    """Only tags naming a canonical link or og:url are read, in any letter case."""
    from cleaner.io.canonical import declared_url

    head = (b'<meta charset="utf-8"><meta name="viewport" content="width=device-width">'
            b'<link rel="stylesheet" href="https://ex.org/s.css">')
    assert declared_url(head + b'<LINK REL="Alternate Canonical" HREF="https://ex.org/c">') == "https://ex.org/c"
    assert declared_url(head + b'<META NAME="OG:URL" CONTENT="https://ex.org/o">') == "https://ex.org/o"
    assert declared_url(head + b'<meta property="og:urls" content="https://ex.org/x">') is None
    assert declared_url(head) is None


@pytest.mark.parametrize("name, content", [("empty.jsonl", b""), ("blank.jsonl", b"\n\n"), ("empty.warc", b"")])
def test_a_file_without_records_warns_and_the_one_page_note_says_there_was_nothing(tmp_path, capsys, name, content):
    """An empty JSONL or WARC file is named in a warning (not taken for a WARC of warcinfo records),
    and the note does not send the user to look for drops that never happened."""
    from cleaner.cli.main import main as cli
    path = tmp_path / name
    path.write_bytes(content)
    assert cli(["clean", str(path)]) == 0
    err = capsys.readouterr().err
    assert "no record in this file" in err and "no document in this WARC" not in err
    assert "nothing to clean" in err and "see each drop" not in err


def test_a_file_listed_twice_is_read_once_with_a_warning(tmp_path, capsys):
    from cleaner.io.listing import list_inputs
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "a.html").write_text("<p>one</p>", encoding="utf-8")
    (folder / "b.html").write_text("<p>two</p>", encoding="utf-8")
    a = str(folder / "a.html")
    listed = list_inputs([a, a, str(folder)], warn=True)
    assert [p for p, _ in listed] == [a, str(folder / "b.html")]
    err = capsys.readouterr().err
    assert err.count("listed more than once") == 2 and a in err
    assert len(list_inputs([str(folder), str(tmp_path / "pages" / "." / "a.html")])) == 2   # the same file by another path
