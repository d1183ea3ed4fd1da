"""Randomisation inference for difference-in-differences with few treated areas.

A municipality treats 2-8 areas. The analytic (influence-function) standard errors and the
multiplier bootstrap of Callaway & Sant'Anna (2021) and cluster-robust errors all estimate the
treated units' variance from the treated units themselves and are far too narrow with so few
(Conley & Taber 2011, *REStat* 93:113-125; MacKinnon & Webb 2017, *J. Appl. Econometrics*
32:233-254, who show that the wild cluster bootstrap too fails when only one to a few clusters
are treated; R ``did`` issue #98, pyfixest #63/#427 ask for exactly this).

Fisher randomisation inference instead reads the p-value from the estimate recomputed under
reassignments of the treatment (the first-treated periods) across all areas (Fisher 1935;
Imbens & Rubin 2015, ch. 5; for DiD with few treated clusters Roth, Sant'Anna, Bilinski & Poe
2023, *J. Econometrics* 235:2218-2244, sec. 4.4, and MacKinnon & Webb 2020, *J. Econometrics*
218:435-450). It is exact when the treated areas could as well have been any other areas
(exchangeability), whatever the number of treated areas and whatever their size. The interval
inverts the test for a constant additive effect ``tau``: ``Y(0) = Y - tau E`` with ``E`` the
treatment indicator of the real assignment (Imbens & Rubin 2015, sec. 5.7).

The statistic is the "simple" Callaway-Sant'Anna ATT without covariates (the average of the
post-treatment ATT(g, t) weighted by cohort size), computed directly so that a thousand
reassignments take a fraction of a second; it equals
``aggregate(att_gt_wide(panel), "simple").overall`` (the test checks this). It is linear in the
outcome, which makes the inversion exact: ``S(Y - tau E) = S(Y) - tau S(E)`` for every
assignment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from grannskap._literals import validate_literal
from grannskap.errors import EstimationError
from grannskap.evaluation.did._panel import WidePanel
from grannskap.evaluation.did.cs import ControlGroup

__all__ = ["RandomizationResult", "randomization_inference", "simple_att"]


@dataclass(frozen=True)
class RandomizationResult:
    """Randomisation p-value and interval of the simple ATT.

    Attributes
    ----------
    estimate : float
        The simple ATT of the real assignment.
    p_value : float
        Two-sided randomisation p-value of "no effect in any area and year".
    ci_low, ci_high : float
        ``1 - alpha`` interval for a constant effect (``-inf``/``inf`` when the assignments
        cannot bound it: with ``m`` distinct assignments, ``alpha`` must exceed ``1/m``).
    alpha : float
    n_assignments : int
        Assignments compared (the real one included).
    exact : bool
        Whether every distinct assignment was enumerated (otherwise random ones were drawn).
    n_treated, n_units : int
    """

    estimate: float
    p_value: float
    ci_low: float
    ci_high: float
    alpha: float
    n_assignments: int
    exact: bool
    n_treated: int
    n_units: int


def simple_att(
    y: np.ndarray,
    group: np.ndarray,
    periods: np.ndarray,
    *,
    control: ControlGroup = "never",
    anticipation: int = 0,
) -> float:
    """Simple-aggregated ATT of Callaway & Sant'Anna without covariates or weights.

    ``y`` is units x periods; ``group`` the first treated period (``inf``: never). Returns
    ``nan`` when no post-treatment cell has treated and comparison units.
    """
    total, weight = 0.0, 0.0
    finite = np.isfinite(group)
    for g in np.unique(group[finite]):
        base = np.searchsorted(periods, g - 1 - anticipation)
        if base >= len(periods) or periods[base] != g - 1 - anticipation:
            continue
        in_g = group == g
        n_g = int(in_g.sum())
        for ti in np.nonzero(periods >= g)[0]:
            if control == "never":
                ctrl = ~finite
            else:
                ctrl = (~finite | (group > periods[ti] + anticipation)) & ~in_g
            if not ctrl.any():
                continue
            d = y[:, ti] - y[:, base]
            total += n_g * (float(d[in_g].mean()) - float(d[ctrl].mean()))
            weight += n_g
    return total / weight if weight > 0 else float("nan")


def _single_cohort(
    y: np.ndarray,
    e: np.ndarray,
    assigns: list[np.ndarray],
    periods: np.ndarray,
    g: float,
    anticipation: int,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`simple_att` for every assignment at once when all treated areas start in ``g``:
    the comparison group is then the never-treated areas for both control choices, and the
    statistic is a difference in means of ``mean_{t >= g} y_t - y_{g-1}``."""
    base = int(np.searchsorted(periods, g - 1 - anticipation))
    if base >= len(periods) or periods[base] != g - 1 - anticipation:
        nan = np.full(len(assigns), np.nan)
        return nan, nan
    post = periods >= g
    treated = np.array([np.isfinite(a) for a in assigns], dtype=float)
    k = treated.sum(axis=1)
    out = []
    for z in (y, e):
        d = z[:, post].mean(axis=1) - z[:, base]
        out.append(treated @ d / k - (1.0 - treated) @ d / (treated.shape[1] - k))
    return out[0], out[1]


def _assignments(
    group: np.ndarray, reps: int, rng: np.random.Generator
) -> tuple[list[np.ndarray], bool]:
    """All distinct reassignments when there are at most ``reps`` (real one first), else the
    real one plus ``reps`` random permutations."""
    n = group.size
    values, counts = np.unique(group, return_counts=True)
    n_distinct = math.factorial(n)
    for c in counts:
        n_distinct //= math.factorial(int(c))
    treated_values = values[np.isfinite(values)]
    if n_distinct <= reps and len(treated_values) == 1:
        k = int(np.isfinite(group).sum())
        out = [group]
        for idx in combinations(range(n), k):
            g = np.full(n, np.inf)
            g[list(idx)] = treated_values[0]
            if not np.array_equal(g, group):
                out.append(g)
        return out, True
    return [group] + [rng.permutation(group) for _ in range(reps)], False


def _accepted_interval(a: np.ndarray, b: np.ndarray, alpha: float) -> tuple[float, float]:
    """``{tau : p(tau) > alpha}`` for the statistics ``a - tau b`` (index 0 = observed),
    found exactly from the breakpoints of the piecewise-linear comparisons."""
    a0, b0 = a[0], b[0]
    ap, bp = a[1:], b[1:]
    with np.errstate(divide="ignore", invalid="ignore"):
        cuts = np.concatenate([(ap - a0) / (bp - b0), (ap + a0) / (bp + b0)])
    cuts = np.unique(cuts[np.isfinite(cuts)])
    centre = a0 / b0

    def p_of(tau: np.ndarray) -> np.ndarray:
        obs = np.abs(a0 - tau * b0)
        perm = np.abs(ap[None, :] - tau[:, None] * bp[None, :])
        hits = (perm >= obs[:, None] - 1e-12 * (1.0 + obs[:, None])).sum(axis=1)
        # the observed assignment counts as one of the assignments (a valid p-value)
        return (1 + hits) / a.size

    if cuts.size == 0:
        return -float("inf"), float("inf")
    mids = np.concatenate(
        [[cuts[0] - 1.0], 0.5 * (cuts[1:] + cuts[:-1]), [cuts[-1] + 1.0], [centre]]
    )
    ok = np.empty(mids.size, dtype=bool)
    for start in range(0, mids.size, 512):
        ok[start : start + 512] = p_of(mids[start : start + 512]) > alpha
    seg_ok = ok[:-1]  # segments: (-inf, c0), (c0, c1), ..., (c_last, inf)
    if not ok[-1]:
        return float("nan"), float("nan")
    seg = int(np.searchsorted(cuts, centre))
    lo_seg = hi_seg = min(seg, seg_ok.size - 1)
    while lo_seg > 0 and seg_ok[lo_seg - 1]:
        lo_seg -= 1
    while hi_seg < seg_ok.size - 1 and seg_ok[hi_seg + 1]:
        hi_seg += 1
    lo = -float("inf") if lo_seg == 0 else float(cuts[lo_seg - 1])
    hi = float("inf") if hi_seg == seg_ok.size - 1 else float(cuts[hi_seg])
    return lo, hi


def randomization_inference(
    panel: WidePanel,
    *,
    control: ControlGroup = "never",
    anticipation: int = 0,
    reps: int = 999,
    alpha: float = 0.05,
    seed: int | None = 0,
) -> RandomizationResult:
    """Randomisation p-value and interval for the simple ATT of a DiD with few treated areas.

    Parameters
    ----------
    panel : WidePanel
        From :func:`grannskap.evaluation.did._panel.to_wide` (covariates are not used).
    control : {"never", "not_yet"}
        Comparison group, as in :func:`~grannskap.evaluation.did.cs.att_gt`.
    anticipation : int
        Periods of anticipation.
    reps : int
        Random reassignments when there are more distinct ones than this (otherwise all
        distinct assignments are enumerated and the test is exact).
    alpha : float
        1 - level of the interval.
    seed : int, optional
        Seed of the random reassignments.
    """
    validate_literal(control, ControlGroup, "control")
    if not 0 < alpha < 1:
        raise EstimationError(f"alpha must lie strictly between 0 and 1; got {alpha}")
    if reps < 1:
        raise EstimationError(f"reps must be at least 1; got {reps}")
    group = np.asarray(panel.group, dtype=float).copy()
    periods = np.asarray(panel.periods, dtype=float)
    group[np.isfinite(group) & (group > periods[-1] + anticipation)] = np.inf
    n_treated = int(np.isfinite(group).sum())
    if n_treated == 0 or n_treated == group.size:
        raise EstimationError(
            f"randomisation inference needs treated and comparison areas; got {n_treated} "
            f"treated of {group.size}"
        )
    y = np.asarray(panel.y, dtype=float)
    effect = np.isfinite(group)[:, None] & (periods[None, :] >= group[:, None])
    e = effect.astype(float)
    rng = np.random.default_rng(seed)
    assigns, exact = _assignments(group, reps, rng)
    cohorts = np.unique(group[np.isfinite(group)])
    if len(cohorts) == 1:
        a, b = _single_cohort(y, e, assigns, periods, float(cohorts[0]), anticipation)
    else:
        a = np.empty(len(assigns))
        b = np.empty(len(assigns))
        for i, g in enumerate(assigns):
            a[i] = simple_att(y, g, periods, control=control, anticipation=anticipation)
            b[i] = simple_att(e, g, periods, control=control, anticipation=anticipation)
    if not np.isfinite(a[0]):
        raise EstimationError("no post-treatment cell with comparison areas; expected one")
    keep = np.isfinite(a) & np.isfinite(b)
    keep[0] = True
    a, b = a[keep], b[keep]
    tol = 1e-12 * (1.0 + abs(a[0]))
    hits = int(np.sum(np.abs(a[1:]) >= abs(a[0]) - tol))
    p = (1 + hits) / a.size
    lo, hi = _accepted_interval(a, b, alpha)
    return RandomizationResult(
        estimate=float(a[0]),
        p_value=float(p),
        ci_low=lo,
        ci_high=hi,
        alpha=alpha,
        n_assignments=int(a.size),
        exact=exact,
        n_treated=n_treated,
        n_units=int(group.size),
    )
