"""Engines that run the pipeline: ``local`` (:mod:`cleaner.engines.local.run`, one machine, a process
pool) and ``ray`` (:mod:`cleaner.engines.ray.engine`, Ray Data on a cluster; needs the
``ray`` extra: ``pip install 'cleaner[ray]'``).

Both engines share the per-document logic (:class:`cleaner.engines.local.run.DocumentProcessor`)
and the corpus steps' building blocks (:mod:`cleaner.corpus`); for the same input and
options they give the same clean documents and the same drop reasons.
"""
from __future__ import annotations

ENGINES = ("local", "ray")
