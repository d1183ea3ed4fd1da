"""The canonical 2x2 difference-in-differences with its standard error.

Card, D. & Krueger, A. B. (1994), "Minimum wages and employment", *AER* 84(4):772-793,
Table 3: the difference between the treated and comparison groups' mean changes. For a
balanced panel the changes are taken unit by unit and the standard error is that of a
difference of two independent means with unequal variances,
``sqrt(s_T^2/n_T + s_C^2/n_C)``; for repeated cross-sections (``paired=False``) the four cell
means are treated as independent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from grannskap.errors import EstimationError

__all__ = ["DiD2x2Result", "did_2x2"]


@dataclass
class DiD2x2Result:
    """A 2x2 DiD estimate.

    Attributes
    ----------
    estimate, se : float
        ``(T_post - T_pre) - (C_post - C_pre)`` and its standard error.
    table : pandas.DataFrame
        Cell means and standard errors: rows treated/comparison/difference, columns
        pre/post/change.
    n_treated, n_control : int
        Units (paired) or observations in the post period.
    """

    estimate: float
    se: float
    table: pd.DataFrame
    n_treated: int
    n_control: int
    paired: bool
    alpha: float = 0.05
    notes: list[str] = field(default_factory=list)

    @property
    def ci(self) -> tuple[float, float]:
        z = stats.norm.ppf(1 - self.alpha / 2)
        return (self.estimate - z * self.se, self.estimate + z * self.se)

    @property
    def pvalue(self) -> float:
        return float(2 * stats.norm.sf(abs(self.estimate / self.se)))


def _mean_se(v: np.ndarray) -> tuple[float, float]:
    if len(v) < 2:
        return float(np.mean(v)) if len(v) else float("nan"), float("nan")
    return float(np.mean(v)), float(np.std(v, ddof=1) / np.sqrt(len(v)))


def did_2x2(
    data: pd.DataFrame,
    *,
    outcome: str,
    treated: str,
    post: str,
    unit: str | None = None,
    alpha: float = 0.05,
) -> DiD2x2Result:
    """2x2 difference-in-differences (Card & Krueger 1994, Table 3).

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one row per unit (or observation) and period.
    outcome : str
        Outcome column.
    treated, post : str
        0/1 columns: treated group; post period.
    unit : str, optional
        Unit column. When given, only units observed (non-missing outcome) in both periods are
        used (the balanced sample) and changes are paired by unit.
    alpha : float
        Level of the interval.

    Raises
    ------
    EstimationError
        A cell is empty, or a unit switches group.
    """
    cols = [outcome, treated, post] + ([unit] if unit else [])
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise EstimationError(f"data lack column(s) {missing}; expected {cols}")
    frame = data[cols].dropna(subset=[outcome]).copy()
    frame[treated] = frame[treated].astype(bool)
    frame[post] = frame[post].astype(bool)
    notes: list[str] = []
    cells: dict[tuple[bool, bool], np.ndarray] = {}
    if unit:
        if (frame.groupby(unit)[treated].nunique() > 1).any():
            raise EstimationError("some units switch between treated and comparison groups")
        wide = frame.pivot_table(index=[unit, treated], columns=post, values=outcome)
        complete = wide.dropna()
        dropped = len(wide) - len(complete)
        if dropped:
            notes.append(f"{dropped} unit(s) lacked the outcome in one period and were dropped")
        if True not in complete.columns or False not in complete.columns:
            raise EstimationError("need units observed both before and after; found none")
        for tr in (True, False):
            part = complete.xs(tr, level=1) if tr in complete.index.get_level_values(1) else None
            if part is None or len(part) == 0:
                raise EstimationError(
                    f"no {'treated' if tr else 'comparison'} units observed in both periods"
                )
            cells[(tr, False)] = part[False].to_numpy()
            cells[(tr, True)] = part[True].to_numpy()
        changes = {tr: cells[(tr, True)] - cells[(tr, False)] for tr in (True, False)}
        stats_ch = {tr: _mean_se(changes[tr]) for tr in (True, False)}
        est = stats_ch[True][0] - stats_ch[False][0]
        se = float(np.hypot(stats_ch[True][1], stats_ch[False][1]))
    else:
        for tr in (True, False):
            for po in (True, False):
                v = frame.loc[(frame[treated] == tr) & (frame[post] == po), outcome].to_numpy()
                if len(v) == 0:
                    raise EstimationError(
                        f"empty cell: {'treated' if tr else 'comparison'} group, "
                        f"{'post' if po else 'pre'} period; expected observations in all four"
                    )
                cells[(tr, po)] = v
        stats_ch = {}
        for tr in (True, False):
            m1, s1 = _mean_se(cells[(tr, True)])
            m0, s0 = _mean_se(cells[(tr, False)])
            stats_ch[tr] = (m1 - m0, float(np.hypot(s1, s0)))
        est = stats_ch[True][0] - stats_ch[False][0]
        se = float(np.hypot(stats_ch[True][1], stats_ch[False][1]))
    rows = {}
    for tr, name in ((True, "treated"), (False, "comparison")):
        m0, s0 = _mean_se(cells[(tr, False)])
        m1, s1 = _mean_se(cells[(tr, True)])
        rows[name] = [m0, s0, m1, s1, stats_ch[tr][0], stats_ch[tr][1]]
    t, c = rows["treated"], rows["comparison"]
    rows["difference"] = [
        t[0] - c[0],
        float(np.hypot(t[1], c[1])),
        t[2] - c[2],
        float(np.hypot(t[3], c[3])),
        est,
        se,
    ]
    table = pd.DataFrame.from_dict(
        rows, orient="index", columns=["pre", "pre_se", "post", "post_se", "change", "change_se"]
    )
    return DiD2x2Result(
        estimate=float(est),
        se=se,
        table=table,
        n_treated=len(cells[(True, True)]),
        n_control=len(cells[(False, True)]),
        paired=unit is not None,
        alpha=alpha,
        notes=notes,
    )
