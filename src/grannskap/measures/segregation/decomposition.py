"""Spatial vs attribute decomposition of the difference of a two-group index between two places.

Rey, S. J., Cortes, R. & Knaap, E. (2021), "Comparative spatial segregation analytics",
Spatial Demography 9:31-64 (PySAL ``segregation.decomposition.DecomposeSegregation``).
The difference ``G(S1, A1) - G(S2, A2)`` between place/time 1 and 2 is split into

* ``c_s``, the *spatial* component: ``((G(S1,A1) - G(S2,A1)) + (G(S1,A2) - G(S2,A2))) / 2``,
  the average difference of the spatial structure holding the attribute distribution fixed;
* ``c_a``, the *attribute* component: ``((G(S1,A1) - G(S1,A2)) + (G(S2,A1) - G(S2,A2))) / 2``,

where ``G(S1, A2)`` is the index on place 1's areas with counterfactual counts that carry place
2's distribution. ``approach`` (PySAL's ``counterfactual_approach``, same defaults):

* ``"composition"``: each area's focal-group share ``p_i`` is replaced by the quantile of the
  other place's shares at the area's percentile rank (totals kept);
* ``"share"``: the same with each group's share of its own total (``x_i / X`` and
  ``y_i / Y``), rescaled to keep the group totals;
* ``"dual_composition"``: both the focal group's and the complement's compositions are
  replaced; the counterfactual total is their sum.

Ranks are pandas' ``rank(pct=True)`` (ties averaged, divided by n) and quantiles linear
interpolation, as PySAL computes them; ``c_s + c_a`` equals the observed difference.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from grannskap._literals import validate_literal
from grannskap.errors import InputError, Problem

from ._validate import CountsLike
from .geometry import AreaGeometry
from .registry import _apply, _params, _prepare, resolve_index

__all__ = ["CounterfactualApproach", "SegregationDecomposition", "decompose_segregation"]

CounterfactualApproach = Literal["composition", "share", "dual_composition"]


@dataclass(frozen=True)
class SegregationDecomposition:
    """``difference = c_s + c_a`` with the four indices behind them (``s1_a2``: place 1's
    areas with place 2's attribute distribution)."""

    index: str
    approach: str
    c_s: float
    c_a: float
    s1_a1: float
    s1_a2: float
    s2_a1: float
    s2_a2: float

    @property
    def difference(self) -> float:
        return self.s1_a1 - self.s2_a2

    @property
    def statistic(self) -> float:
        return self.difference


def _pct_rank(v: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(v, method="average") / v.size


def _swap_quantiles(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Each value of ``a`` replaced by the quantile of ``b`` at its percentile rank in ``a``."""
    return np.percentile(b, _pct_rank(a) * 100.0, method="linear")


def _frac(num: np.ndarray, den: np.ndarray | float) -> np.ndarray:
    den_arr = np.broadcast_to(np.asarray(den, dtype="float64"), num.shape)
    return np.divide(num, den_arr, out=np.zeros(num.shape), where=den_arr != 0)


def _counterfactual(
    x1: np.ndarray, t1: np.ndarray, x2: np.ndarray, t2: np.ndarray, approach: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Counterfactual (group, total) for place 1 given place 2, and for place 2 given place 1."""
    if approach == "composition":
        p1, p2 = _frac(x1, t1), _frac(x2, t2)
        return _swap_quantiles(p1, p2) * t1, t1, _swap_quantiles(p2, p1) * t2, t2
    y1, y2 = t1 - x1, t2 - x2
    if approach == "dual_composition":
        p1, p2 = _frac(x1, t1), _frac(x2, t2)
        q1, q2 = _frac(y1, t1), _frac(y2, t2)
        g1, g2 = _swap_quantiles(p1, p2) * t1, _swap_quantiles(p2, p1) * t2
        c1, c2 = _swap_quantiles(q1, q2) * t1, _swap_quantiles(q2, q1) * t2
        return g1, g1 + c1, g2, g2 + c2
    s1, s2 = _frac(x1, x1.sum()), _frac(x2, x2.sum())
    r1, r2 = _frac(y1, y1.sum()), _frac(y2, y2.sum())
    a12, a21 = _swap_quantiles(s1, s2), _swap_quantiles(s2, s1)
    b12, b21 = _swap_quantiles(r1, r2), _swap_quantiles(r2, r1)
    g1, g2 = a12 / a12.sum() * x1.sum(), a21 / a21.sum() * x2.sum()
    c1, c2 = b12 / b12.sum() * y1.sum(), b21 / b21.sum() * y2.sum()
    return g1, g1 + c1, g2, g2 + c2


def decompose_segregation(
    counts1: CountsLike,
    counts2: CountsLike,
    index: str = "dissimilarity",
    *,
    approach: CounterfactualApproach = "composition",
    group: int = 0,
    geometry1: AreaGeometry | None = None,
    geometry2: AreaGeometry | None = None,
    **params: Any,
) -> SegregationDecomposition:
    """Split ``index(place 1) - index(place 2)`` into spatial and attribute parts.

    Parameters
    ----------
    counts1, counts2
        Areas x groups counts of the two places (or years); the areas need not match.
    index
        A two-group index of the registry (our name or PySAL's class name).
    approach
        ``"composition"`` (PySAL's default), ``"share"`` or ``"dual_composition"``.
    geometry1, geometry2
        Polygons of the two places, for the spatially explicit indices.
    """
    validate_literal(approach, CounterfactualApproach, "approach")
    spec = resolve_index(index)
    if spec.kind != "two_group":
        raise InputError(
            Problem(
                "index",
                "the decomposition is defined for two-group indices",
                value=spec.name,
                expected="e.g. dissimilarity, gini, isolation",
            )
        )
    c1 = _prepare(spec, counts1, group, geometry1, None)
    c2 = _prepare(spec, counts2, group, geometry2, None)
    p = _params(spec, params)
    x1, t1 = c1[:, group], c1.sum(axis=1)
    x2, t2 = c2[:, group], c2.sum(axis=1)
    g12, t12, g21, t21 = _counterfactual(x1, t1, x2, t2, approach)

    def g(x: np.ndarray, t: np.ndarray, geo: AreaGeometry | None) -> float:
        table = np.column_stack([x, t - x])
        return float(_apply(spec, table, 0, geo, None, p))

    s1a1, s2a2 = g(x1, t1, geometry1), g(x2, t2, geometry2)
    s1a2, s2a1 = g(g12, t12, geometry1), g(g21, t21, geometry2)
    return SegregationDecomposition(
        index=spec.name,
        approach=approach,
        c_s=0.5 * (s1a1 - s2a1 + s1a2 - s2a2),
        c_a=0.5 * (s1a1 - s1a2 + s2a1 - s2a2),
        s1_a1=s1a1,
        s1_a2=s1a2,
        s2_a1=s2a1,
        s2_a2=s2a2,
    )
