"""Engines that run the pipeline: ``local`` (:mod:`cleaner.engines.local.run`, one machine, a process
pool) and ``ray`` (:mod:`cleaner.engines.ray.engine`, Ray Data on a cluster; needs the
``ray`` extra: ``pip install 'cleaner[ray]'``).

Both engines share the per-document logic (:class:`cleaner.engines.document_work.DocumentProcessor`),
the corpus steps' decisions (each step's ``decide`` functions and decision objects in
:mod:`cleaner.corpus`, applied by ``CorpusStep.applying(decision)``) and the final pass
(:func:`cleaner.engines.totals.finish_outcomes`); for the same input and options they give
the same clean documents and the same drop reasons.
"""
from __future__ import annotations

ENGINES = ("local", "ray")
