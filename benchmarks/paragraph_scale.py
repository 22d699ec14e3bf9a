"""The repeated-paragraph step alone at scale: index bytes per document, rows, the decision.

Usage::

    python benchmarks/paragraph_scale.py [N]

N synthetic documents (default 100 000; ``dedup_synth.py``) go through the site-template
step (observed, decided, applied) and then the repeated-paragraph step as the corpus
passes run them (``fingerprint`` and ``observe`` per document, one ``decide``), in this
process. Prints the step's report, its ``index_bytes`` per document (the largest of the
flush buffer, one partition while deciding, and the decision), paragraph rows per
document, the smallest and largest of the 64 disk partitions, and the CPU seconds of the
paragraph step (document generation and the template step excluded).
"""
from __future__ import annotations

import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)


def main(argv=None) -> int:
    from cleaner.config import Options
    from cleaner.corpus.paragraphs import RepeatedParagraphs
    from cleaner.corpus.templates import SiteTemplates
    from cleaner.document import Document
    from dedup_synth import Corpus

    argv = sys.argv[1:] if argv is None else argv
    n = int(argv[0]) if argv else 100_000
    corpus = Corpus(n, seed=0)
    options = Options()
    templates = SiteTemplates.from_options(options)
    for i in range(n):
        s = corpus.doc(i)
        d = Document(s.id, s.url, s.text)
        templates.observe(i, d.id, templates.fingerprint(d))
    applier = SiteTemplates.applying(templates.decide())
    with tempfile.TemporaryDirectory(prefix="paragraph-scale-") as work:
        step = RepeatedParagraphs.from_options(options, work)
        cpu = 0.0
        for i in range(n):
            s = corpus.doc(i)
            d = Document(s.id, s.url, s.text)
            applier.apply(i, d)
            t0 = time.process_time()
            step.observe(i, d.id, step.fingerprint(d))
            cpu += time.process_time() - t0
        sizes = [p.rows for p in step._parts]
        t0 = time.process_time()
        step.decide()
        cpu += time.process_time() - t0
        r = step.report()
    print({"documents": n, **r, "index_bytes_per_doc": round(step.index_bytes() / n, 1),
           "rows_per_doc": round(r["paragraph_rows"] / n, 2), "partition_rows_min_max": [min(sizes), max(sizes)],
           "decision_bytes_per_doc": round(r["decision_bytes"] / n, 2), "cpu_seconds": round(cpu, 1)})
    return 0


if __name__ == "__main__":
    sys.exit(main())
