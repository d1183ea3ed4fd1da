"""Cost per unit of effect, with an interval that is honest about an uncertain effect.

The ratio ``cost / effect`` inherits the effect's uncertainty non-linearly; when the effect's
interval includes zero the cost per unit of effect is unbounded, which is what Fieller's (1954,
*JRSS B* 16:175-185) interval says and the delta method hides. Methods: Fieller (default),
delta method, parametric bootstrap (independent normal cost and effect). Cost and effect are
taken as independent (the cost comes from the ledger, the effect from an evaluation).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from scipy import stats

from grannskap._literals import validate_literal
from grannskap.errors import EstimationError

__all__ = ["CostMethod", "CostEffectResult", "cost_per_effect"]

CostMethod = Literal["fieller", "delta", "bootstrap"]


@dataclass
class CostEffectResult:
    """Cost per unit of effect.

    Attributes
    ----------
    ratio : float
        ``cost / effect``.
    ci_low, ci_high : float
        Interval (``-inf``/``inf`` when unbounded).
    bounded : bool
        False when the effect could be zero at this level (the interval is unbounded).
    method : str
        "fieller", "delta" or "bootstrap".
    """

    cost: float
    cost_se: float
    effect: float
    effect_se: float
    ratio: float
    ci_low: float
    ci_high: float
    bounded: bool
    method: str
    alpha: float
    notes: list[str] = field(default_factory=list)


def cost_per_effect(
    cost: float,
    effect: float,
    effect_se: float,
    *,
    cost_se: float = 0.0,
    method: CostMethod = "fieller",
    alpha: float = 0.05,
    draws: int = 20_000,
    seed: int | None = 0,
) -> CostEffectResult:
    """Cost per unit of effect and its interval.

    Parameters
    ----------
    cost : float
        Total cost (e.g. SEK, from the funding ledger).
    effect, effect_se : float
        Effect estimate (in the outcome's units, summed or per area as the caller defines) and
        its standard error.
    cost_se : float
        Standard error of the cost when it is uncertain (0 for booked amounts).
    method : {"fieller", "delta", "bootstrap"}
        Interval method.
    alpha : float
        Level.

    Raises
    ------
    EstimationError
        Effect exactly zero, or negative standard errors.
    """
    validate_literal(method, CostMethod, "method")
    if effect_se < 0 or cost_se < 0 or not np.isfinite(effect_se):
        raise EstimationError(
            f"standard errors must be finite and >= 0; got effect_se={effect_se}, cost_se={cost_se}"
        )
    if effect == 0:
        raise EstimationError("effect estimate is exactly 0; cost per unit of effect undefined")
    z = float(stats.norm.ppf(1 - alpha / 2))
    ratio = cost / effect
    notes: list[str] = []
    va, vb = cost_se**2, effect_se**2
    significant = abs(effect) > z * effect_se
    if not significant:
        notes.append(
            "the effect's interval includes zero: the cost per unit of effect is unbounded "
            "(any cost per unit is compatible with the data)"
        )
    if method == "fieller":
        qa = effect**2 - z**2 * vb
        qb = -2 * cost * effect
        qc = cost**2 - z**2 * va
        disc = qb**2 - 4 * qa * qc
        if qa > 0 and disc >= 0:
            r1 = (-qb - np.sqrt(disc)) / (2 * qa)
            r2 = (-qb + np.sqrt(disc)) / (2 * qa)
            lo, hi, bounded = float(min(r1, r2)), float(max(r1, r2)), True
        else:
            lo, hi, bounded = -np.inf, np.inf, False
    elif method == "delta":
        se = abs(ratio) * np.sqrt((va / cost**2 if cost else 0.0) + vb / effect**2)
        lo, hi, bounded = ratio - z * se, ratio + z * se, significant
        if not significant:
            notes.append("the delta-method interval shown is misleading here")
    else:
        rng = np.random.default_rng(seed)
        a = rng.normal(cost, cost_se, draws) if cost_se > 0 else np.full(draws, cost)
        b = rng.normal(effect, effect_se, draws)
        crossing = float(np.mean(np.sign(b) != np.sign(effect)))
        if crossing > alpha / 2:
            lo, hi, bounded = -np.inf, np.inf, False
        else:
            lo, hi = np.quantile(a / b, [alpha / 2, 1 - alpha / 2])
            bounded = True
    return CostEffectResult(
        cost=float(cost),
        cost_se=float(cost_se),
        effect=float(effect),
        effect_se=float(effect_se),
        ratio=float(ratio),
        ci_low=float(lo),
        ci_high=float(hi),
        bounded=bool(bounded),
        method=method,
        alpha=alpha,
        notes=notes,
    )
