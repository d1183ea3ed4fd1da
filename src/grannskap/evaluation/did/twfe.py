"""Two-way fixed effects regressions with cluster-robust errors, and the event-study TWFE.

``y_it = a_i + l_t + x_it'b + e_it`` estimated by the within transformation (alternating
projections, exact in one sweep for balanced panels; Gaure 2013, *CSDA* 66:8-18) and OLS on the
demeaned data. Cluster-robust covariance CR1 (Liang & Zeger 1986; Cameron & Miller 2015,
*J. Human Resources* 50:317-372) with the small-sample factor of Stata / R ``fixest``:
``G/(G-1) * (N-1)/(N-K)``, where fixed effects nested in the clusters are not counted in ``K``
(``fixest``'s ``fixef.K = "nested"``, ``pyfixest``'s default). Inference uses ``t(G-1)``.

Beware: with staggered adoption and effects that change over time, static TWFE is a weighted
average with possibly negative weights (Goodman-Bacon 2021); prefer Callaway-Sant'Anna there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from grannskap.errors import EstimationError
from grannskap.evaluation.did._panel import _group_values

__all__ = ["TWFEResult", "twfe", "event_study_twfe", "demean_twoway", "cluster_vcov"]


@dataclass
class TWFEResult:
    """Coefficients of a two-way fixed-effects regression.

    Attributes
    ----------
    names : list of str
        Regressor names.
    coef, se : numpy.ndarray
        Estimates and cluster-robust (CR1) standard errors.
    vcov : numpy.ndarray
        Covariance matrix of ``coef``.
    df : int
        Degrees of freedom of the t-distribution (clusters minus one).
    n_obs, n_clusters : int
        Observations and clusters used.
    """

    names: list[str]
    coef: np.ndarray
    se: np.ndarray
    vcov: np.ndarray
    df: int
    n_obs: int
    n_clusters: int
    alpha: float = 0.05
    notes: list[str] = field(default_factory=list)

    @property
    def tstat(self) -> np.ndarray:
        return self.coef / self.se

    @property
    def pvalue(self) -> np.ndarray:
        return 2 * stats.t.sf(np.abs(self.tstat), self.df)

    def ci(self) -> np.ndarray:
        q = stats.t.ppf(1 - self.alpha / 2, self.df)
        return np.column_stack([self.coef - q * self.se, self.coef + q * self.se])

    def to_frame(self) -> pd.DataFrame:
        ci = self.ci()
        return pd.DataFrame(
            {
                "term": self.names,
                "estimate": self.coef,
                "se": self.se,
                "t": self.tstat,
                "p": self.pvalue,
                "ci_low": ci[:, 0],
                "ci_high": ci[:, 1],
            }
        )


def demean_twoway(
    z: np.ndarray,
    unit_codes: np.ndarray,
    time_codes: np.ndarray,
    *,
    tol: float = 1e-13,
    max_iter: int = 10_000,
) -> np.ndarray:
    """Remove unit and time means from the columns of ``z`` by alternating projections."""
    z = np.array(z, dtype=float, copy=True)
    if z.ndim == 1:
        z = z[:, None]
    nu, nt = unit_codes.max() + 1, time_codes.max() + 1
    cu = np.bincount(unit_codes, minlength=nu).astype(float)
    ct = np.bincount(time_codes, minlength=nt).astype(float)
    for _ in range(max_iter):
        change = 0.0
        for codes, counts, k in ((unit_codes, cu, nu), (time_codes, ct, nt)):
            for j in range(z.shape[1]):
                m = np.bincount(codes, weights=z[:, j], minlength=k) / counts
                z[:, j] -= m[codes]
                change = max(change, float(np.max(np.abs(m))))
        if change < tol:
            break
    return z


def cluster_vcov(
    xd: np.ndarray, resid: np.ndarray, clusters: np.ndarray, k_total: int
) -> tuple[np.ndarray, int]:
    """CR1 covariance ``c (X'X)^-1 (sum_g X_g'e_g e_g'X_g) (X'X)^-1`` and the cluster count."""
    codes, uniq = pd.factorize(clusters)[0], None
    n_g = int(codes.max()) + 1
    del uniq
    bread = np.linalg.inv(xd.T @ xd)
    scores = np.zeros((n_g, xd.shape[1]))
    np.add.at(scores, codes, xd * resid[:, None])
    meat = scores.T @ scores
    n = xd.shape[0]
    c = n_g / (n_g - 1) * (n - 1) / (n - k_total)
    return c * bread @ meat @ bread, n_g


def _fit(
    frame: pd.DataFrame,
    y: str,
    xcols: list[str],
    unit: str,
    time: str,
    cluster: str,
    alpha: float,
) -> TWFEResult:
    frame = frame.dropna(subset=[y, *xcols])
    if frame.empty:
        raise EstimationError("no complete observations for the regression")
    ucodes = pd.factorize(frame[unit])[0]
    tcodes = pd.factorize(frame[time])[0]
    z = demean_twoway(frame[[y, *xcols]].to_numpy(dtype=float), ucodes, tcodes)
    yd, xd = z[:, 0], z[:, 1:]
    keep = np.linalg.norm(xd, axis=0) > 1e-10 * np.maximum(
        1.0, np.linalg.norm(frame[xcols].to_numpy(dtype=float), axis=0)
    )
    notes = []
    if not keep.all():
        dropped = [c for c, k in zip(xcols, keep, strict=True) if not k]
        notes.append(f"regressors {dropped} are collinear with the fixed effects and were dropped")
        xd = xd[:, keep]
        xcols = [c for c, k in zip(xcols, keep, strict=True) if k]
    if xd.shape[1] == 0:
        raise EstimationError("no regressor varies within units and periods")
    coef, *_ = np.linalg.lstsq(xd, yd, rcond=None)
    resid = yd - xd @ coef
    n_t = int(tcodes.max()) + 1
    n_u = int(ucodes.max()) + 1
    clusters = frame[cluster].to_numpy()
    # fixest "nested": fixed effects nested in the clusters do not count in K
    free = [
        n_lev
        for col, n_lev in ((unit, n_u), (time, n_t))
        if not (col == cluster or frame.groupby(col)[cluster].nunique().max() == 1)
    ]
    k_total = xd.shape[1] + sum(free) - max(0, len(free) - 1)
    vc, n_g = cluster_vcov(xd, resid, clusters, k_total)
    if n_g < 30:
        notes.append(
            f"only {n_g} clusters: cluster-robust standard errors may be too small "
            "(Cameron & Miller 2015); read the interval with caution"
        )
    return TWFEResult(
        names=list(xcols),
        coef=coef,
        se=np.sqrt(np.diag(vc)),
        vcov=vc,
        df=n_g - 1,
        n_obs=len(frame),
        n_clusters=n_g,
        alpha=alpha,
        notes=notes,
    )


def twfe(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    treatment: str,
    covariates: Sequence[str] = (),
    cluster: str | None = None,
    alpha: float = 0.05,
) -> TWFEResult:
    """Static two-way fixed-effects DiD with cluster-robust (CR1) errors.

    Parameters
    ----------
    data : pandas.DataFrame
        Long panel.
    outcome, unit, time : str
        Column names.
    treatment : str
        0/1 column: unit treated in that period.
    covariates : sequence of str
        Further time-varying regressors.
    cluster : str, optional
        Cluster column (default: ``unit``).
    alpha : float
        Level of the interval.
    """
    cols = [outcome, unit, time, treatment, *covariates]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise EstimationError(f"panel lacks column(s) {missing}; expected {cols}")
    cluster = cluster or unit
    frame = data[list(dict.fromkeys([*cols, cluster]))].copy()
    return _fit(frame, outcome, [treatment, *covariates], unit, time, cluster, alpha)


def event_study_twfe(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    leads: int = 3,
    lags: int = 3,
    reference: int = -1,
    bin_endpoints: bool = True,
    cluster: str | None = None,
    alpha: float = 0.05,
) -> TWFEResult:
    """Event-study TWFE: relative-time dummies ``e = t - g`` for ``-leads..lags``.

    Relative time ``reference`` (default -1) is omitted; with ``bin_endpoints`` the end
    dummies absorb all more distant periods. Never-treated units (group 0 or missing) have
    all dummies zero. Terms are named ``e-3``, ..., ``e+0``, ``e+2``.
    """
    cols = [outcome, unit, time, group]
    missing = [c for c in cols if c not in data.columns]
    if missing:
        raise EstimationError(f"panel lacks column(s) {missing}; expected {cols}")
    cluster = cluster or unit
    frame = data[list(dict.fromkeys([*cols, cluster]))].copy()
    g = _group_values(frame[group], group).to_numpy()
    rel = frame[time].to_numpy(dtype=float) - g
    names = []
    for e in range(-leads, lags + 1):
        if e == reference:
            continue
        name = f"e{e:+d}"
        if bin_endpoints and e == -leads:
            ind = rel <= e
        elif bin_endpoints and e == lags:
            ind = rel >= e
        else:
            ind = rel == e
        frame[name] = np.where(np.isfinite(rel), ind, False).astype(float)
        names.append(name)
    return _fit(frame, outcome, names, unit, time, cluster, alpha)
