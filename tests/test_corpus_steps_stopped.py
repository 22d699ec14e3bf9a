"""A corpus step stopped (Ctrl-C) while it opens its spill files closes without an error of its own.

An interrupted run must end with "run the same command again to resume", not with an
AttributeError from a step whose stores were half made (seen in the Ctrl-C test of CI).
"""
import numpy as np
import pytest

from cleaner.config import Options
from cleaner.corpus import exact, near, paragraphs
from cleaner.document import Document

PARA = "The ferry to the outer islands leaves the north pier at nine every morning, all year round."


def _stop_at_second_store(monkeypatch, module):
    """``module``'s ``RowStore`` raises KeyboardInterrupt the second time it is made."""
    made = []
    real = module.RowStore

    def stopping(*args, **kwargs):
        made.append(1)
        if len(made) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(module, "RowStore", stopping)


@pytest.mark.parametrize("module,make", [
    (exact, lambda wd: exact.ExactDuplicates.from_options(Options(), wd)),
    (near, lambda wd: near.NearDuplicates.from_options(Options(), wd)),
    (paragraphs, lambda wd: paragraphs.RepeatedParagraphs.from_options(Options(), wd)),
])
def test_a_step_stopped_while_opening_its_files_closes_cleanly(tmp_path, monkeypatch, module, make):
    step = make(str(tmp_path))
    doc = Document("d1", "https://example.org/a", f"{PARA}\n{PARA} Second line.")
    fp = step.fingerprint(doc)
    _stop_at_second_store(monkeypatch, module)
    if module is exact:   # it makes one RowStore, after its StringStore: stop at that one
        monkeypatch.setattr(module, "StringStore", _raising)
    with pytest.raises(KeyboardInterrupt):
        if module is near:
            step.observe_batch([0], ["d1"], step.prepare([np.asarray(fp, dtype=np.uint64)]))
            step.decide()
        else:
            step.observe(0, "d1", fp)
    step.close()   # no AttributeError: nothing was left half open


def _raising(*args, **kwargs):
    raise KeyboardInterrupt
