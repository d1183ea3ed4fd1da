"""Segregation indices with uncertainty (work in progress; API documented when complete)."""

from __future__ import annotations

from .indices import (
    atkinson,
    compute_index,
    correlation_ratio,
    dissimilarity,
    exposure,
    gini,
    isolation,
    multigroup_dissimilarity,
    mutual_information,
    relative_diversity,
    theil_h,
)

__all__ = [
    "atkinson",
    "compute_index",
    "correlation_ratio",
    "dissimilarity",
    "exposure",
    "gini",
    "isolation",
    "multigroup_dissimilarity",
    "mutual_information",
    "relative_diversity",
    "theil_h",
]
