"""The Ray stage of each corpus step (:mod:`.templates`, :mod:`.exact`, :mod:`.paragraphs`, :mod:`.near`)."""
from __future__ import annotations

from ...config import Options
from ...steps import CorpusStep
from .corpus import _Stage
from .exact import ExactStage
from .near import NearStage
from .paragraphs import ParagraphStage
from .templates import TemplatesStage

STAGES: dict[str, type[_Stage]] = {"site-templates": TemplatesStage, "exact-dup": ExactStage,
                                   "paragraph-dup": ParagraphStage, "near-dup": NearStage}


def stages_for(options: Options, steps: list[CorpusStep]) -> list[_Stage]:
    """The Ray stage of each corpus step of the local engine, in the same order.

    Raises ``ValueError`` naming a step that has no Ray implementation.
    """
    out = []
    for s in steps:
        if s.name not in STAGES:
            raise ValueError(f"corpus step {s.name!r} has no Ray implementation yet; "
                             f"run it with --engine local (Ray knows {', '.join(STAGES)})")
        out.append(STAGES[s.name](options))
    return out
