"""Difference-in-differences: 2x2, two-way fixed effects, event study, Callaway-Sant'Anna."""

from __future__ import annotations

from grannskap.evaluation.did.aggregate import (
    AggregateResult,
    AggType,
    aggregate,
    multiplier_bootstrap,
)
from grannskap.evaluation.did.cs import ATTgtResult, ControlGroup, EstMethod, att_gt

__all__ = [
    "ATTgtResult",
    "AggregateResult",
    "AggType",
    "ControlGroup",
    "EstMethod",
    "aggregate",
    "att_gt",
    "multiplier_bootstrap",
]
