"""Indicator families: pure functions from Ibis tables to an Ibis table.

Nothing here connects to an engine, reads a path or executes a query; the
runner (``oncometrics.pipeline``) wires the functions together by name and is
the only place that materialises results.  The public helpers other modules
build on are :func:`~oncometrics.indicators.counting.actor_weights`,
:func:`~oncometrics.indicators.impact.work_impact`,
:func:`~oncometrics.indicators.impact.actor_impact` and the ranking helpers of
:mod:`oncometrics.indicators.output`.
"""

from __future__ import annotations

from oncometrics.indicators.counting import (
    actor_weights,
    country_weights,
    institution_weights,
    unassigned_works,
)
from oncometrics.indicators.impact import actor_impact, work_impact
from oncometrics.indicators.output import competition_rank, ranked_indicators

__all__ = [
    "actor_impact",
    "actor_weights",
    "competition_rank",
    "country_weights",
    "institution_weights",
    "ranked_indicators",
    "unassigned_works",
    "work_impact",
]
