"""Result objects of the segregation measures: thin, typed, immutable.

Every index result exposes ``.statistic``; where an interval was computed it also carries
``.ci_low`` / ``.ci_high`` at ``.ci_level`` (``None`` otherwise). Arrays are numpy arrays in
the order of the input rows (areas) and columns (groups).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "IndexResult",
    "MutualInformationResult",
    "DecompositionResult",
    "DifferenceDecomposition",
    "LocalResult",
    "ProfileResult",
    "NullResult",
    "ComparisonResult",
]


@dataclass(frozen=True)
class IndexResult:
    """One segregation index for one table, optionally with a bootstrap interval.

    ``bias`` is the bootstrap bias estimate (mean of the bootstrap replicates minus the
    statistic) and ``bias_corrected`` the statistic minus that bias, as in Elbers' R package
    ``segregation`` (``se = TRUE``). ``interval_for`` names the field the interval is for
    (``"bias_corrected"`` by default, ``"statistic"`` for ``method="percentile"``; see
    :mod:`~grannskap.measures.segregation.interval`); ``interval_estimate`` is that value,
    the one to print beside ``ci_low``-``ci_high``. It always lies inside the interval.
    """

    name: str
    statistic: float
    n_areas: int
    n_persons: float
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float | None = None
    se: float | None = None
    bias: float | None = None
    bias_corrected: float | None = None
    n_replicates: int | None = None
    method: str | None = None
    replicates: np.ndarray | None = field(default=None, repr=False, compare=False)
    interval_for: str | None = None

    @property
    def interval_estimate(self) -> float:
        """The estimate the interval is for (``statistic`` when there is no interval)."""
        return float(getattr(self, self.interval_for or "statistic"))

    def with_interval(self, **changes: Any) -> IndexResult:
        """A copy with interval fields set (used by :func:`bootstrap_ci`)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, object]:
        """Scalar fields only, e.g. for one row of a results table."""
        keys = (
            "name statistic ci_low ci_high ci_level se bias bias_corrected interval_for "
            "n_replicates method n_areas n_persons"
        ).split()
        return {k: getattr(self, k) for k in keys}


@dataclass(frozen=True)
class MutualInformationResult:
    """Mutual information index M and Theil's information index H of one table.

    ``entropy`` is the entropy of the group distribution (natural log unless ``base`` says
    otherwise), so that ``H = M / entropy``.
    """

    M: float
    H: float
    entropy: float
    n_areas: int
    n_persons: float
    base: float = float(np.e)

    @property
    def statistic(self) -> float:
        """M (the decomposable index)."""
        return self.M


@dataclass(frozen=True)
class DecompositionResult:
    """Exact between/within decomposition of M and H over a higher level (e.g. kommun).

    ``total = between + within`` holds exactly for both M and H. ``by_level`` has one row per
    higher-level unit with its within-M, within-H, population share ``p`` and H weight
    ``h_weight`` (``p * E_h / E``), so that ``within_M = sum(p * M)`` and
    ``within_H = sum(h_weight * H)`` (Mora & Ruiz-Castillo 2011; Elbers' ``mutual_within``).
    """

    total_M: float
    total_H: float
    between_M: float
    between_H: float
    within_M: float
    within_H: float
    by_level: pd.DataFrame = field(repr=False)

    @property
    def statistic(self) -> float:
        return self.total_M


@dataclass(frozen=True)
class DifferenceDecomposition:
    """Change of M between two tables (years or places), Elbers (2023) Shapley method.

    ``diff = M2 - M1 = additions + removals + group_marginal + unit_marginal + structural``.
    ``additions`` / ``removals`` are the parts due to areas or groups present only in the
    second / only in the first table; the other three decompose the change on the common
    areas and groups into the change of the group composition, of the area sizes, and of
    the structure (the association net of both marginals), via iterative proportional fitting.
    """

    M1: float
    M2: float
    diff: float
    additions: float
    removals: float
    group_marginal: float
    unit_marginal: float
    structural: float

    @property
    def statistic(self) -> float:
        return self.diff

    def to_frame(self) -> pd.DataFrame:
        stats = [
            "M1",
            "M2",
            "diff",
            "additions",
            "removals",
            "group_marginal",
            "unit_marginal",
            "structural",
        ]
        return pd.DataFrame({"stat": stats, "est": [getattr(self, s) for s in stats]})


@dataclass(frozen=True)
class LocalResult:
    """Per-area (local) measures, one row per input area, for maps.

    ``frame`` columns: ``area`` (the input's row labels), ``population``, ``local_entropy``,
    ``local_linkage`` (the local M of the area, ``L_i = sum_k p_k|i ln(p_k|i / P_k)``),
    ``contribution_M`` (``p_i * L_i``; they sum to M) and one ``lq_<group>`` column per group.
    """

    frame: pd.DataFrame
    M: float


@dataclass(frozen=True)
class ProfileResult:
    """A multiscalar profile: one index value per distance (0 = the aspatial index)."""

    index: str
    distances: np.ndarray
    values: np.ndarray
    kernel: str

    @property
    def statistic(self) -> np.ndarray:
        return self.values

    def to_series(self) -> pd.Series:
        return pd.Series(
            self.values, index=pd.Index(self.distances, name="distance"), name=self.index
        )


@dataclass(frozen=True)
class NullResult:
    """An index compared with its distribution under random allocation.

    ``expected`` is the mean of the index over the simulated random allocations (the value
    a completely random allocation of persons gives, which is > 0 for small areas);
    ``p_value`` is the one-sided share of simulated values at least as large as the
    observed one, with the usual +1 correction: ``(1 + #{null >= obs}) / (1 + n)``.
    """

    name: str
    statistic: float
    expected: float
    null_sd: float
    p_value: float
    z: float
    n_simulations: int
    null: str
    null_distribution: np.ndarray = field(repr=False, compare=False)


@dataclass(frozen=True)
class ComparisonResult:
    """Difference of an index between two tables (year 2 minus year 1, or place B minus A).

    The interval comes from independent bootstrap replicates of both tables and is for
    ``difference_bias_corrected`` (named by ``interval_for``, the project's interval policy);
    ``p_value`` is the normal-approximation two-sided p-value ``2 (1 - Phi(|diff| / se))``.
    For a permutation test see :func:`~grannskap.measures.segregation.change.index_change`.
    """

    name: str
    statistic_1: float
    statistic_2: float
    difference: float
    ci_low: float
    ci_high: float
    ci_level: float
    se: float
    p_value: float
    n_replicates: int
    difference_bias_corrected: float = float("nan")
    interval_for: str = "difference_bias_corrected"

    @property
    def statistic(self) -> float:
        return self.difference

    @property
    def interval_estimate(self) -> float:
        """The estimate the interval is for (print this one beside the interval)."""
        return float(getattr(self, self.interval_for))
