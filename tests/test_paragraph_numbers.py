"""Repeated paragraphs across the corpus: a long paragraph that differs by a number is content, not a copy."""
from __future__ import annotations

import json

import numpy as np

import cleaner
from cleaner.corpus import paragraphs as pg

RELEASE = ("Harbour Ferries reported revenue of {} million euros for the third quarter, up {} percent on a year "
           "earlier, and said it expects passenger numbers to keep growing through the winter season.")
OWN = [["The new terminal opens next spring, the mayor said at a meeting with residents of the old town.",
        "Residents asked for a second bus line to the quay and for more bicycle parking near the gates."],
       ["Analysts at a local bank said the figures beat their forecast by a wide margin this time.",
        "The shares rose sharply in morning trading before settling slightly higher at the close."]]


def _run(tmp_path, texts):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"d{i}", "url": f"https://site{i}.example/news/{i}", "text": t}) + "\n"
                           for i, t in enumerate(texts)), encoding="utf-8")
    rep = cleaner.run([src], tmp_path / "out", cleaner.Options(workers=1, progress=False))
    import glob
    import gzip
    clean = {}
    for p in sorted(glob.glob(str(tmp_path / "out" / "clean-*.jsonl.gz"))):
        for line in gzip.open(p, "rt", encoding="utf-8"):
            r = json.loads(line)
            clean[r["id"]] = r["text"]
    return rep, clean


def test_a_long_paragraph_that_differs_only_in_its_figures_stays_in_both_documents(tmp_path):
    q3, q4 = RELEASE.format("41.5", "12"), RELEASE.format("47.2", "15")
    rep, clean = _run(tmp_path, ["\n\n".join([q3, *OWN[0]]), "\n\n".join([q4, *OWN[1]])])
    assert q3 in clean["d0"] and q4 in clean["d1"], "the later figures are content no other document holds"
    assert "corpus.paragraph@1" not in rep["characters"]["removed_by_rule"]


def test_the_same_long_paragraph_with_the_same_figures_is_still_kept_once(tmp_path):
    q3 = RELEASE.format("41.5", "12")
    rep, clean = _run(tmp_path, ["\n\n".join([q3, *OWN[0]]), "\n\n".join([q3, *OWN[1]])])
    assert q3 in clean["d0"] and q3 not in clean["d1"]
    assert rep["characters"]["removed_by_rule"]["corpus.paragraph@1"] in (len(q3), len(q3) + 1)


def test_short_boilerplate_keys_still_fold_digits_long_keys_do_not():
    notice = ["This story was first published on 13 May 2024 by the wire service.",
              "This story was first published on 19 May 2025 by the wire service."]
    k = pg.paragraph_keys(notice, 100, 100)
    assert int(k[0]) & 3 == int(pg.SHORT) and k[0] == k[1], "a dated notice on many hosts is one boilerplate line"
    long_ = pg.paragraph_keys([RELEASE.format("41.5", "12"), RELEASE.format("47.2", "15"),
                               RELEASE.format("41.5", "12")], 100, 100)
    assert all(int(x) & 3 == int(pg.LONG) for x in long_)
    assert long_[0] != long_[1] and long_[0] == long_[2]
    both = pg.paragraph_keys([RELEASE.format("1", "2"), RELEASE.format("3", "4")], 400, 100)   # SHORT and LONG
    assert np.all(both & pg._FLAGS == 3) and both[0] != both[1], "a key with the LONG bit keeps its digits"
