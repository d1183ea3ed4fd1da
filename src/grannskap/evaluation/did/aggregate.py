"""Aggregations of ATT(g, t) and the multiplier bootstrap (Callaway & Sant'Anna 2021, sec. 3).

``simple`` weights every post-treatment cell by its cohort's size; ``group`` averages within
cohorts, then across cohorts by size; ``calendar`` averages by calendar period; ``dynamic``
(event study) by time since treatment ``e = t - g``. Influence functions include the
estimation of the cohort-size weights (R ``did``'s ``wif``), so the analytic standard errors
equal R's ``aggte(..., bstrap = FALSE)``. Uniform (simultaneous) bands come from the
multiplier bootstrap with Rademacher weights (Callaway & Sant'Anna 2021, Algorithm 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from grannskap._literals import validate_literal
from grannskap.errors import EstimationError
from grannskap.evaluation.did.cs import ATTgtResult

__all__ = ["AggType", "AggregateResult", "aggregate", "multiplier_bootstrap"]

AggType = Literal["simple", "group", "calendar", "dynamic"]


@dataclass
class AggregateResult:
    """An aggregated ATT with its pieces.

    Attributes
    ----------
    kind : str
        "simple", "group", "calendar" or "dynamic".
    overall, overall_se : float
        The overall ATT and its analytic standard error.
    labels, att, se : numpy.ndarray
        Per cohort / period / event time (empty for "simple").
    crit : float
        Critical value of the uniform band (normal quantile when no bootstrap was run).
    inf_overall, inf : numpy.ndarray
        Influence functions of the overall ATT and of each piece.
    alpha : float
        Level of the intervals.
    """

    kind: str
    overall: float
    overall_se: float
    labels: np.ndarray
    att: np.ndarray
    se: np.ndarray
    inf_overall: np.ndarray
    inf: np.ndarray
    n_units: int
    alpha: float = 0.05
    crit: float = field(default=float("nan"))
    bootstrap_se: np.ndarray | None = None
    bootstrap_overall_se: float | None = None

    def __post_init__(self) -> None:
        if not np.isfinite(self.crit):
            self.crit = float(stats.norm.ppf(1 - self.alpha / 2))

    @property
    def overall_ci(self) -> tuple[float, float]:
        se = self.bootstrap_overall_se if self.bootstrap_overall_se else self.overall_se
        z = stats.norm.ppf(1 - self.alpha / 2)
        return (self.overall - z * se, self.overall + z * se)

    def to_frame(self) -> pd.DataFrame:
        se = self.bootstrap_se if self.bootstrap_se is not None else self.se
        return pd.DataFrame(
            {
                "label": self.labels,
                "att": self.att,
                "se": se,
                "band_low": self.att - self.crit * se,
                "band_high": self.att + self.crit * se,
            }
        )


def _wif(res: ATTgtResult, keep: np.ndarray, pg: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Influence function of the estimated cohort-share weights (R ``did``: ``wif``)."""
    w = res.unit_weights
    g_unit = res.unit_group
    ind = np.column_stack([w * (g_unit == groups[k]) for k in keep])  # n x K
    pk = pg[keep]
    s = pk.sum()
    if1 = (ind - pk) / s
    if2 = (ind - pk).sum(axis=1)[:, None] * (pk / s**2)[None, :]
    return if1 - if2


def _agg_inf(
    att: np.ndarray,
    inf: np.ndarray,
    keep: np.ndarray,
    weights: np.ndarray,
    wif: np.ndarray | None,
) -> np.ndarray:
    out = inf[:, keep] @ weights
    if wif is not None:
        out = out + wif @ att[keep]
    return out


def _se(inf: np.ndarray, n: int) -> float:
    se = float(np.sqrt((inf**2).mean() / n))
    return se if se > np.sqrt(np.finfo(float).eps) * 10 else float("nan")


def aggregate(
    res: ATTgtResult,
    kind: AggType = "simple",
    *,
    alpha: float = 0.05,
    bootstrap: int = 0,
    seed: int | None = 0,
    min_e: float = -np.inf,
    max_e: float = np.inf,
) -> AggregateResult:
    """Aggregate ATT(g, t) as R's ``did::aggte``.

    Parameters
    ----------
    res : ATTgtResult
        From :func:`~grannskap.evaluation.did.cs.att_gt`.
    kind : {"simple", "group", "calendar", "dynamic"}
        Aggregation.
    alpha : float
        Level of intervals and uniform bands.
    bootstrap : int
        Multiplier-bootstrap draws for uniform bands (0: analytic, pointwise).
    seed : int, optional
        Seed of the bootstrap.
    min_e, max_e : float
        Event times kept in the "dynamic" aggregation.

    Returns
    -------
    AggregateResult
    """
    validate_literal(kind, AggType, "kind")
    ok = np.isfinite(res.att)
    group, time, att, inf = res.group[ok], res.time[ok], res.att[ok], res.inf[:, ok]
    n = res.n_units
    glist = np.unique(group)
    w = res.unit_weights
    pg_levels = np.array([np.mean(w * (res.unit_group == g)) for g in glist])
    pg = pg_levels[np.searchsorted(glist, group)]
    post = (group <= time) & (time <= group + max_e)
    empty = np.array([])
    if kind == "simple":
        keep = np.nonzero(post)[0]
        if len(keep) == 0:
            raise EstimationError("no post-treatment cells to aggregate; expected at least one")
        wts = pg[keep] / pg[keep].sum()
        overall = float(att[keep] @ wts)
        inf_o = _agg_inf(att, inf, keep, wts, _wif(res, keep, pg, group))
        out = AggregateResult(
            kind, overall, _se(inf_o, n), empty, empty, empty, inf_o, np.zeros((n, 0)), n, alpha
        )
    elif kind == "group":
        labels, pieces, infs = [], [], []
        for g in glist:
            keep = np.nonzero((group == g) & post)[0]
            if len(keep) == 0:
                continue
            wts = np.full(len(keep), 1.0 / len(keep))
            labels.append(g)
            pieces.append(float(att[keep].mean()))
            infs.append(_agg_inf(att, inf, keep, wts, None))
        pieces_a, inf_p = np.array(pieces), np.column_stack(infs)
        pgg = pg_levels[np.isin(glist, labels)]
        idx = np.arange(len(labels))
        wif = _wif(res, idx, pgg, np.array(labels))
        wts = pgg / pgg.sum()
        overall = float(pieces_a @ wts)
        inf_o = _agg_inf(pieces_a, inf_p, idx, wts, wif)
        out = _pieces("group", overall, inf_o, np.array(labels), pieces_a, inf_p, n, alpha)
    elif kind == "dynamic":
        e_all = time - group
        eseq = np.unique(e_all)
        eseq = eseq[(eseq >= min_e) & (eseq <= max_e)]
        pieces, infs = [], []
        for e in eseq:
            keep = np.nonzero(e_all == e)[0]
            wts = pg[keep] / pg[keep].sum()
            pieces.append(float(att[keep] @ wts))
            infs.append(_agg_inf(att, inf, keep, wts, _wif(res, keep, pg, group)))
        pieces_a, inf_p = np.array(pieces), np.column_stack(infs)
        epos = np.nonzero(eseq >= 0)[0]
        if len(epos) == 0:
            raise EstimationError("no event time e >= 0 to aggregate; expected at least one")
        overall = float(pieces_a[epos].mean())
        inf_o = inf_p[:, epos] @ np.full(len(epos), 1.0 / len(epos))
        out = _pieces("dynamic", overall, inf_o, eseq, pieces_a, inf_p, n, alpha)
    else:
        tlist = res.periods[res.periods >= group.min()]
        labels, pieces, infs = [], [], []
        for t1 in tlist:
            keep = np.nonzero((time == t1) & (group <= time))[0]
            if len(keep) == 0:
                continue
            wts = pg[keep] / pg[keep].sum()
            labels.append(t1)
            pieces.append(float(att[keep] @ wts))
            infs.append(_agg_inf(att, inf, keep, wts, _wif(res, keep, pg, group)))
        pieces_a, inf_p = np.array(pieces), np.column_stack(infs)
        overall = float(pieces_a.mean())
        inf_o = inf_p.mean(axis=1)
        out = _pieces("calendar", overall, inf_o, np.array(labels), pieces_a, inf_p, n, alpha)
    if bootstrap > 0:
        _add_bootstrap(out, bootstrap, seed)
    return out


def _pieces(
    kind: str,
    overall: float,
    inf_o: np.ndarray,
    labels: np.ndarray,
    att: np.ndarray,
    inf: np.ndarray,
    n: int,
    alpha: float,
) -> AggregateResult:
    se = np.array([_se(inf[:, j], n) for j in range(inf.shape[1])])
    return AggregateResult(kind, overall, _se(inf_o, n), labels, att, se, inf_o, inf, n, alpha)


def multiplier_bootstrap(
    inf: np.ndarray, draws: int = 999, *, alpha: float = 0.05, seed: int | None = 0
) -> tuple[np.ndarray, float]:
    """Multiplier bootstrap of influence functions (Callaway & Sant'Anna 2021, Algorithm 1).

    Rademacher multipliers; standard errors from the bootstrap interquartile range and the
    critical value of the sup-t uniform band, as R's ``did::mboot``.

    Parameters
    ----------
    inf : numpy.ndarray
        Influence functions, shape ``(n, k)``.
    draws : int
        Bootstrap draws.
    alpha : float
        Level of the band.
    seed : int, optional
        Random seed.

    Returns
    -------
    se : numpy.ndarray
        Bootstrap standard errors, length ``k``.
    crit : float
        Critical value of the uniform band.
    """
    inf = np.atleast_2d(inf.T).T
    n = inf.shape[0]
    rng = np.random.default_rng(seed)
    bres = np.empty((draws, inf.shape[1]))
    chunk = max(1, int(2e7 // max(n, 1)))
    for start in range(0, draws, chunk):
        stop = min(draws, start + chunk)
        v = rng.integers(0, 2, size=(stop - start, n)) * 2.0 - 1.0
        bres[start:stop] = np.sqrt(n) * (v @ inf) / n
    q75, q25 = np.quantile(bres, [0.75, 0.25], axis=0, method="inverted_cdf")
    sigma = (q75 - q25) / (stats.norm.ppf(0.75) - stats.norm.ppf(0.25))
    ok = sigma > np.sqrt(np.finfo(float).eps) * 10
    bt = np.max(np.abs(bres[:, ok] / sigma[ok]), axis=1)
    crit = float(np.quantile(bt, 1 - alpha, method="inverted_cdf"))
    se = np.where(ok, sigma / np.sqrt(n), np.nan)
    return se, crit


def _add_bootstrap(out: AggregateResult, draws: int, seed: int | None) -> None:
    if out.inf.shape[1] > 0:
        se, crit = multiplier_bootstrap(out.inf, draws, alpha=out.alpha, seed=seed)
        out.bootstrap_se, out.crit = se, crit
    se_o, _ = multiplier_bootstrap(out.inf_overall[:, None], draws, alpha=out.alpha, seed=seed)
    out.bootstrap_overall_se = float(se_o[0])
