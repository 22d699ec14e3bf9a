"""Engines run the pipeline (:func:`cleaner.pipeline.build_pipeline`); the steps decide what goes.

- ``local`` (:mod:`cleaner.engines.local`): one machine, a process pool;
- ``ray`` (:mod:`cleaner.engines.ray`): Ray Data on a cluster (the ``ray`` extra:
  ``pip install 'cleaner[ray]'``).

Shared by both: pass 1 for one record (:class:`cleaner.engines.document_work.DocumentProcessor`),
the corpus steps' decisions (each step's ``decide`` functions and decision objects in
:mod:`cleaner.corpus`, applied by ``CorpusStep.applying(decision)``), the final pass
(:func:`cleaner.engines.totals.finish_outcomes`), the spool (:mod:`.spool`), the resume key
(:mod:`.resume`) and the result (:mod:`.result`). For the same input and options they give
the same clean documents and the same drop reasons.
"""
from __future__ import annotations

ENGINES = ("local", "ray")
