"""Difference-in-differences: 2x2, two-way fixed effects, event study, Callaway-Sant'Anna.

Long area-year panels in, result dataclasses out; no database needed.
"""

from __future__ import annotations

from grannskap.evaluation.did.aggregate import (
    AggregateResult,
    AggType,
    aggregate,
    multiplier_bootstrap,
)
from grannskap.evaluation.did.cs import ATTgtResult, ControlGroup, EstMethod, att_gt
from grannskap.evaluation.did.plot import event_study_plot
from grannskap.evaluation.did.pretest import PermutationPretest, permutation_pretest
from grannskap.evaluation.did.simple import DiD2x2Result, did_2x2
from grannskap.evaluation.did.twfe import TWFEResult, event_study_twfe, twfe

__all__ = [
    "ATTgtResult",
    "AggregateResult",
    "AggType",
    "ControlGroup",
    "DiD2x2Result",
    "EstMethod",
    "PermutationPretest",
    "TWFEResult",
    "aggregate",
    "att_gt",
    "did_2x2",
    "event_study_plot",
    "event_study_twfe",
    "multiplier_bootstrap",
    "permutation_pretest",
    "twfe",
]
