"""Callaway & Sant'Anna (2021) group-time average treatment effects for staggered adoption.

Callaway, B. & Sant'Anna, P. H. C. (2021), "Difference-in-differences with multiple time
periods", *Journal of Econometrics* 225(2):200-230. ``ATT(g, t)`` is the average effect in
period ``t`` on the units first treated in period ``g``, estimated by a two-period DiD between
``g``'s units and a comparison group (never treated, or not yet treated by ``max(t, base)``),
doubly robust by default (Sant'Anna & Zhao 2020). Standard errors come from the influence
functions, as in R's ``did`` package (version 2.x, ``bstrap = FALSE``); the multiplier bootstrap
and uniform bands are in :mod:`grannskap.evaluation.did.aggregate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from grannskap._literals import validate_literal
from grannskap.errors import EstimationError
from grannskap.evaluation.did._drdid import ESTIMATORS
from grannskap.evaluation.did._panel import WidePanel, to_wide, warn

__all__ = ["ControlGroup", "EstMethod", "ATTgtResult", "att_gt", "att_gt_wide"]

ControlGroup = Literal["never", "not_yet"]
EstMethod = Literal["dr", "reg", "ipw"]
BasePeriod = Literal["varying", "universal"]


@dataclass
class ATTgtResult:
    """Group-time ATTs with their influence functions.

    Attributes
    ----------
    group, time : numpy.ndarray
        First-treated period ``g`` and calendar period ``t`` of every cell.
    att, se : numpy.ndarray
        Point estimates and analytic standard errors (``sqrt(mean(IF^2) / n)``).
    n_treated, n_control : numpy.ndarray
        Units in the treated cohort and in the comparison group of every cell.
    inf : numpy.ndarray
        Influence functions, shape ``(n_units, n_cells)``, scaled as in R's ``did``.
    unit_group, unit_weights : numpy.ndarray
        First-treated period (``inf`` = never) and normalised weight of every unit.
    periods : numpy.ndarray
        The panel's periods.
    control, method, base_period : str
        Options used.
    pretest_stat, pretest_df, pretest_p : float | None
        Wald test that all pre-treatment ATT(g, t) are zero (``None`` without pre-periods).
    ps_max, n_trimmed : float | None, int
        Overlap: the largest propensity score of a comparison unit over all cells (``None``
        without covariates or with outcome regression) and the most comparison units trimmed
        (``ps >= 0.995``) in one cell.
    treated_no_match : float
        Largest share (over cells) of treated units with propensity score above 0.99.
    pretest_perm_p : float | None
        Permutation p-value of the same statistic, when computed
        (:func:`grannskap.evaluation.did.pretest.permutation_pretest`; needed with few treated).
    notes : list of str
        Warnings met while estimating (repeated by the verdict).
    """

    group: np.ndarray
    time: np.ndarray
    att: np.ndarray
    se: np.ndarray
    n_treated: np.ndarray
    n_control: np.ndarray
    inf: np.ndarray
    unit_group: np.ndarray
    unit_weights: np.ndarray
    periods: np.ndarray
    control: str
    method: str
    base_period: str
    anticipation: int
    pretest_stat: float | None = None
    pretest_df: int | None = None
    pretest_p: float | None = None
    covariates: tuple[str, ...] = ()
    pretest_perm_p: float | None = None
    ps_max: float | None = None
    n_trimmed: int = 0
    treated_no_match: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def weak_overlap(self) -> bool:
        """Propensity scores near 0/1 (thresholds: 0.95 for comparison, 0.99 for 5 % of treated)."""
        if self.ps_max is None:
            return False
        return self.n_trimmed > 0 or self.ps_max > 0.95 or self.treated_no_match > 0.05

    @property
    def n_units(self) -> int:
        return int(self.inf.shape[0])

    @property
    def post(self) -> np.ndarray:
        """Cells in or after treatment (``t >= g - anticipation``)."""
        return self.time >= self.group - self.anticipation

    def vcov(self) -> np.ndarray:
        """Asymptotic covariance of the ATT(g, t): ``IF'IF / n^2``."""
        return self.inf.T @ self.inf / self.n_units**2

    def to_frame(self, alpha: float = 0.05) -> pd.DataFrame:
        z = stats.norm.ppf(1 - alpha / 2)
        return pd.DataFrame(
            {
                "group": self.group,
                "time": self.time,
                "att": self.att,
                "se": self.se,
                "ci_low": self.att - z * self.se,
                "ci_high": self.att + z * self.se,
                "post": self.post,
                "n_treated": self.n_treated,
                "n_control": self.n_control,
            }
        )


def att_gt(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    covariates: Sequence[str] = (),
    control: ControlGroup = "never",
    method: EstMethod = "dr",
    base_period: BasePeriod = "varying",
    anticipation: int = 0,
    weights: str | None = None,
) -> ATTgtResult:
    """Estimate every ATT(g, t) of a staggered-adoption panel (Callaway & Sant'Anna 2021).

    Parameters
    ----------
    data : pandas.DataFrame
        Long balanced panel: one row per unit and period.
    outcome, unit, time : str
        Column names.
    group : str
        Column with the first treated period of each unit (0 or missing: never treated).
    covariates : sequence of str
        Covariates; their values in the base period enter the propensity score and outcome
        models (as R's ``did`` does for panels).
    control : {"never", "not_yet"}
        Comparison group: never-treated units, or units not yet treated by period
        ``max(t, base)`` (which includes the never treated).
    method : {"dr", "reg", "ipw"}
        Doubly robust (Sant'Anna & Zhao 2020), outcome regression, or standardised IPW.
    base_period : {"varying", "universal"}
        Pre-treatment cells compare with the previous period ("varying", R's default) or with
        ``g - 1`` ("universal").
    anticipation : int
        Periods of anticipation before ``g``.
    weights : str, optional
        Column with unit weights (constant within unit).

    Returns
    -------
    ATTgtResult

    Raises
    ------
    EstimationError
        See :func:`grannskap.evaluation.did._panel.to_wide`; also when no comparison units
        exist for any cell.
    """
    validate_literal(control, ControlGroup, "control")
    validate_literal(method, EstMethod, "method")
    validate_literal(base_period, BasePeriod, "base_period")
    panel = to_wide(
        data,
        outcome=outcome,
        unit=unit,
        time=time,
        group=group,
        covariates=covariates,
        weights=weights,
    )
    return att_gt_wide(
        panel,
        control=control,
        method=method,
        base_period=base_period,
        anticipation=anticipation,
        covariates=tuple(covariates),
    )


def att_gt_wide(
    panel: WidePanel,
    *,
    control: ControlGroup = "never",
    method: EstMethod = "dr",
    base_period: BasePeriod = "varying",
    anticipation: int = 0,
    covariates: tuple[str, ...] = (),
) -> ATTgtResult:
    """:func:`att_gt` on an already validated :class:`WidePanel`."""
    notes = list(panel.notes)
    periods = panel.periods
    gvec = panel.group.copy()
    late = np.isfinite(gvec) & (gvec > periods[-1] + anticipation)
    if late.any():
        warn(
            notes,
            f"{int(late.sum())} unit(s) are first treated after the panel's last period "
            f"{periods[-1]:g}; they are counted as never treated",
        )
        gvec[late] = np.inf
    never = ~np.isfinite(gvec)
    if control == "never" and not never.any():
        raise EstimationError(
            "no never-treated units in the panel; expected at least one (or use "
            "control='not_yet' for a not-yet-treated comparison group)"
        )
    glist = np.unique(gvec[np.isfinite(gvec)])
    if len(glist) == 0:
        raise EstimationError("no treated units in the panel; expected at least one")
    n = len(gvec)
    estimator = ESTIMATORS[method]
    y = panel.y
    w_all = panel.weights
    rows: list[tuple[float, float, float, float, int, int]] = []
    infs: list[np.ndarray] = []
    n_periods = len(periods)
    skipped: list[str] = []
    overlap_max, trimmed, treated_hi = 0.0, 0, 0.0
    for g in glist:
        pre_idx = np.nonzero(periods + anticipation < g)[0]
        if len(pre_idx) == 0:
            continue  # cannot happen after to_wide's check; kept for anticipation > 0
        g_base = pre_idx[-1]
        for ti in range(n_periods):
            t = periods[ti]
            is_post = t + anticipation >= g
            if is_post:
                bi = g_base
            elif base_period == "varying":
                if ti == 0:
                    continue
                bi = ti - 1
            else:
                if ti == g_base:
                    continue
                bi = g_base
            treated = gvec == g
            if control == "never":
                ctrl = never.copy()
            else:
                ref = periods[max(ti, bi)]
                ctrl = never | ((gvec > ref + anticipation) & (gvec != g))
            if not ctrl.any():
                skipped.append(f"(g={g:g}, t={t:g})")
                continue
            sub = treated | ctrl
            d = treated[sub].astype(float)
            dy = y[sub, ti] - y[sub, bi]
            if panel.x is not None:
                x = np.column_stack([np.ones(int(sub.sum())), panel.x[sub, bi, :]])
            else:
                x = np.ones((int(sub.sum()), 1))
            w = w_all[sub]
            att, inf_sub, (ps_max, n_trim, share_hi) = estimator(dy, d, x, w)
            if np.isfinite(ps_max):
                overlap_max = max(overlap_max, ps_max)
                trimmed = max(trimmed, n_trim)
                treated_hi = max(treated_hi, share_hi)
            inf_full = np.zeros(n)
            inf_full[sub] = inf_sub * (n / sub.sum())
            infs.append(inf_full)
            rows.append((g, t, att, 0.0, int(treated.sum()), int(ctrl.sum())))
    if skipped:
        warn(
            notes,
            f"no comparison units (never or not yet treated) for cell(s) {', '.join(skipped[:6])}"
            + (" ..." if len(skipped) > 6 else "")
            + "; these cells are not estimated",
        )
    if not rows:
        raise EstimationError(
            "no group-time cell has comparison units; expected never-treated or not-yet-treated "
            "units in the panel"
        )
    arr = np.array([r[:4] for r in rows], dtype=float)
    inf = np.column_stack(infs)
    se = np.sqrt((inf**2).mean(axis=0) / n)
    # R's did reports NA for a standard error that is numerically zero
    se = np.where(se <= np.sqrt(np.finfo(float).eps) * 10, np.nan, se)
    result = ATTgtResult(
        group=arr[:, 0],
        time=arr[:, 1],
        att=arr[:, 2],
        se=se,
        n_treated=np.array([r[4] for r in rows]),
        n_control=np.array([r[5] for r in rows]),
        inf=inf,
        unit_group=gvec,
        unit_weights=w_all,
        periods=periods,
        control=control,
        method=method,
        base_period=base_period,
        anticipation=anticipation,
        covariates=covariates,
        ps_max=overlap_max if panel.x is not None and method != "reg" else None,
        n_trimmed=trimmed,
        treated_no_match=treated_hi,
        notes=notes,
    )
    if result.weak_overlap:
        warn(
            notes,
            f"weak overlap: largest comparison propensity score {overlap_max:.3f}, "
            f"{trimmed} comparison unit(s) trimmed, {100 * treated_hi:.0f} % of treated units "
            "with propensity above 0.99 (treated and comparison areas differ strongly in the "
            "covariates; the estimate leans on the outcome model)",
        )
    _pretest(result)
    return result


def _pretest(res: ATTgtResult) -> None:
    """Wald test of zero pre-treatment ATT(g, t) (R ``did``: ``W``, ``Wpval``)."""
    pre = ~res.post & np.isfinite(res.se)
    if not pre.any():
        warn(
            res.notes,
            "no pre-treatment periods beyond the base period: parallel pre-trends cannot be tested",
        )
        return
    inf_pre = res.inf[:, pre]
    v = inf_pre.T @ inf_pre / res.n_units**2
    a = res.att[pre]
    try:
        stat = float(a @ np.linalg.solve(v, a))
    except np.linalg.LinAlgError:
        stat = float(a @ np.linalg.pinv(v) @ a)
    res.pretest_stat = stat
    res.pretest_df = int(pre.sum())
    res.pretest_p = float(stats.chi2.sf(stat, res.pretest_df))
