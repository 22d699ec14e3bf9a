"""Language labels on every clean record, --keep-languages, and the chrome rules choosing by the same answer."""
from __future__ import annotations

import dataclasses
import glob
import json
import os

from cleaner.config import Options
from cleaner.document import Document
from cleaner.page.language import LanguageLabel, identify, parse_languages
from cleaner.engines.local.run import run
from cleaner.rules.lang import MIN_CONFIDENT_SCORE, page_languages

from conftest import read_jsonl_gz

TEXTS = {
    "de": "Die Stadtverwaltung hat am Montag bekanntgegeben, dass die Bibliothek ab nächster Woche auch samstags "
          "geöffnet sein wird. Viele Leserinnen und Leser hatten darum gebeten, weil sie unter der Woche arbeiten.",
    "ja": "市立図書館は来週から土曜日も開館すると、市役所が月曜日に発表しました。平日に働いている多くの利用者から要望が寄せられていました。",
    "en": "The city council announced on Monday that the library will also open on Saturdays from next week. "
          "Many readers had asked for it because they work during the week.",
    "es": "El ayuntamiento anunció el lunes que la biblioteca también abrirá los sábados a partir de la próxima semana. "
          "Muchos lectores lo habían pedido porque trabajan durante la semana.",
}


def _opts(**kw) -> Options:
    return dataclasses.replace(Options(progress=False, workers=1), **kw)


def test_four_paragraphs_get_their_languages():
    for lang, text in TEXTS.items():
        code, score = identify(text)
        assert code == lang and 0.9 <= score <= 1.0, (lang, code, score)
    assert identify("") == (None, None) and identify("12 345 -- !!") == (None, None)


def _corpus(tmp_path) -> str:
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in TEXTS.items()), encoding="utf-8")
    return str(path)


def _rows(outdir, kind):
    return [r for p in sorted(glob.glob(os.path.join(outdir, f"{kind}-*.jsonl.gz"))) for r in read_jsonl_gz(p)]


def test_every_clean_record_carries_language_and_score(tmp_path):
    run([_corpus(tmp_path)], _opts(), str(tmp_path / "out"))
    clean = _rows(tmp_path / "out", "clean")
    assert {r["id"]: r["language"] for r in clean} == {k: k for k in TEXTS}
    assert all(0 < r["language_score"] <= 1 for r in clean)


def test_keep_languages_drops_the_others_with_reason_language(tmp_path):
    res = run([_corpus(tmp_path)], _opts(keep_languages="de, EN"), str(tmp_path / "out"))
    d = res.report["documents"]
    assert d == {"in": 4, "clean": 2, "dropped": 2, "rejected": 0}
    assert res.report["dropped_by_reason"] == {"language": 2}
    assert sorted(r["id"] for r in _rows(tmp_path / "out", "clean")) == ["de", "en"]
    dropped = {r["id"]: r for r in _rows(tmp_path / "out", "dropped")}
    assert set(dropped) == {"ja", "es"} and dropped["ja"]["reason"] == "language" and dropped["ja"]["language"] == "ja"
    assert parse_languages(" de,EN ,") == {"de", "en"}


def test_chrome_rules_use_the_identified_language_when_confident():
    long_de = (TEXTS["de"] + " ") * 4
    # The stop-word guess alone adds French for a German page that quotes a French sentence ...
    quoted = long_de + " et le café est dans la rue pour les gens qui sont avec nous et vous"
    assert "fr" in page_languages(quoted)
    # ... the confident identifier answer replaces it; a low score leaves the guess alone.
    assert page_languages(quoted, "de", MIN_CONFIDENT_SCORE) == {"*", "en", "de"}
    assert "fr" in page_languages(quoted, "de", MIN_CONFIDENT_SCORE / 2)
    # Too short to judge: every language, whatever the identifier said.
    assert "fr" in page_languages("Impressum Datenschutz", "de", 0.99)


def test_the_label_step_labels_and_filters_one_document():
    step = LanguageLabel(frozenset({"ja"}))
    doc = Document("x", None, TEXTS["es"])
    step(doc)
    assert doc.language == "es" and doc.dropped == "language" and doc.drop_detail["language"] == "es"
    doc = Document("y", None, TEXTS["ja"])
    step(doc)
    assert doc.language == "ja" and doc.dropped is None


def test_an_unknown_keep_languages_code_is_a_usage_error_before_anything_is_written(tmp_path, capsys):
    """A typo ('english') would drop every document as 'language': refused, naming the code."""
    import pytest

    from cleaner.cli.main import main
    from cleaner.config import Options
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "The ferry leaves every hour from the harbour for the island."}\n',
                   encoding="utf-8")
    out = tmp_path / "out"
    assert main(["clean", str(src), "-o", str(out), "--keep-languages", "english"]) == 2
    assert "english" in capsys.readouterr().err and not out.exists()
    import cleaner
    with pytest.raises(ValueError, match="eng"):
        cleaner.run([str(src)], str(tmp_path / "out2"), Options(keep_languages="en,eng", progress=False))
    assert not (tmp_path / "out2").exists()
    assert main(["clean", str(src), "-o", str(out), "--keep-languages", "en,de", "--no-progress"]) == 0


def test_keep_languages_leaves_a_document_without_a_language_its_own_reason(tmp_path):
    """An empty page or a text without a letter has no language: --keep-languages does not
    judge it, so it keeps the reason it has without the option (or stays, like any other)."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "empty.html").write_text("", encoding="utf-8")
    (src / "nothing.html").write_text("<html><body><p> </p></body></html>", encoding="utf-8")
    (src / "texts.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [
        {"id": "es", "text": TEXTS["es"]}, {"id": "en", "text": TEXTS["en"]},
        {"id": "blank", "text": "   "}, {"id": "digits", "text": "12 345 -- 678 !!"}]), encoding="utf-8")
    reasons = {}
    for keep in ("", "es"):
        out = tmp_path / f"out-{keep or 'all'}"
        run([str(src)], _opts(keep_languages=keep), str(out))
        reasons[keep] = ({r["id"]: r["reason"] for r in _rows(out, "dropped")}, sorted(r["id"] for r in _rows(out, "clean")))
        assert all("language" not in r for r in _rows(out, "dropped") if r["reason"] != "language")
    dropped, clean = reasons["es"]
    assert dropped == {**reasons[""][0], "en": "language"}
    assert dropped["empty.html"] == dropped["blank"] == "empty record" and dropped["nothing.html"] == "no main content"
    assert clean == ["digits", "es"], "no letter, no language: not judged by language"
