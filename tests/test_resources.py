"""No file is left for the garbage collector to close: a run (and a corpus step that
spills to disk) closes what it opens, so ``python -X dev`` prints no ResourceWarning."""
from __future__ import annotations

import gc
import warnings

import pytest

import cleaner
from cleaner.corpus.exact import ExactDuplicates
from cleaner.corpus.near import NearDuplicates
from cleaner.corpus.paragraphs import RepeatedParagraphs
from cleaner.document import Document

from conftest import PARAGRAPHS


def _unclosed(fn) -> list[str]:
    """The ResourceWarnings raised while ``fn`` runs and its garbage is collected."""
    gc.collect()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        fn()
        gc.collect()
    return [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]


def test_a_run_leaves_no_file_open(small_corpus, tmp_path):
    # small_corpus has near and exact copies, and paragraphs shared between records:
    # every spilling corpus step (exact, repeated paragraphs, near) writes its files
    out = tmp_path / "out"
    messages = _unclosed(lambda: cleaner.run([str(small_corpus)], out, cleaner.Options(workers=1, progress=False)))
    assert messages == []
    assert (out / "report.json").exists()


def _docs(n: int) -> list[Document]:
    return [Document(f"d{i}", f"https://host{i % 3}.example/{i}", "\n\n".join(PARAGRAPHS[i % 4:i % 4 + 3]))
            for i in range(n)]


@pytest.mark.parametrize("make", [lambda wd: ExactDuplicates(wd), lambda wd: NearDuplicates(0.8, workdir=wd),
                                  lambda wd: RepeatedParagraphs(workdir=wd, min_chars=20)],
                         ids=["exact", "near", "paragraphs"])
@pytest.mark.parametrize("ending", ["decide", "close"])
def test_a_corpus_step_closes_its_spill_when_decided_or_stopped(tmp_path, make, ending):
    def observe_and_end():
        step = make(str(tmp_path / "work"))
        for i, d in enumerate(_docs(12)):
            step.observe(i, d.id, step.fingerprint(d))
        getattr(step, ending)()   # "close": what the engine does for a run stopped before decide
        step.close()              # idempotent
        del step

    assert _unclosed(observe_and_end) == []
