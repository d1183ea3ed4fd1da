"""Power: the minimum detectable effect (MDE) of a planned difference-in-differences design.

Analytic MDE with serially correlated errors (Burlig, Preonas & Woerman 2020, "Panel data and
experimental design", *J. Development Economics* 144:102458, eq. 2; Bloom 1995, *Evaluation
Review* 19:547-556 for the ``(z_{1-a/2} + z_{power})`` factor; McKenzie 2012 for the
pre/post averaging). For ``J`` units of which a share ``P`` are treated, ``m`` pre- and ``r``
post-periods,

``MDE = (t_{1-a/2} + t_{power}) sqrt( v / (P (1-P) J) )``

where ``v = Var(mean_post(e_i) - mean_pre(e_i))`` is the variance of one unit's
post-minus-pre contrast of the idiosyncratic errors. BPW write
``v = (m+r)/(mr) s^2 + (m-1)/m psi_B + (r-1)/r psi_A - 2 psi_X`` with average within-unit
covariances; :func:`contrast_variance` computes ``c' S c`` from any covariance matrix ``S``,
which is the same quantity. Permanent area differences (the intra-area correlation) cancel in
the contrast; only the serial correlation of the remaining noise matters.

:func:`simulated_mde` instead places placebo interventions on a real panel (random treated
areas, random start) and reads the MDE from the estimates it gets, so it reflects the panel's
real noise, including what the formula's assumptions miss.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from grannskap.errors import EstimationError

__all__ = [
    "MDEResult",
    "SimulatedMDE",
    "ar1_covariance",
    "contrast_variance",
    "mde_did",
    "mde_bpw",
    "error_covariance",
    "simulated_mde",
]


@dataclass
class MDEResult:
    """An analytic minimum detectable effect.

    Attributes
    ----------
    mde : float
        Smallest true effect detected with probability ``power`` by a two-sided test at
        level ``alpha``.
    se : float
        Standard error of the DiD estimate under the design.
    factor : float
        ``t_{1-a/2} + t_{power}``.
    """

    mde: float
    se: float
    factor: float
    n_treated: int
    n_control: int
    n_pre: int
    n_post: int
    alpha: float
    power: float
    notes: list[str] = field(default_factory=list)


def ar1_covariance(n_periods: int, sigma2: float, rho: float, icc: float = 0.0) -> np.ndarray:
    """Covariance of ``mu_i + u_it`` with ``Var = sigma2``, share ``icc`` permanent, AR(1) rest."""
    if not (0 <= icc < 1) or not (-1 < rho < 1) or sigma2 <= 0:
        raise EstimationError(
            f"expected sigma2 > 0, 0 <= icc < 1, -1 < rho < 1; got sigma2={sigma2}, "
            f"icc={icc}, rho={rho}"
        )
    lag = np.abs(np.subtract.outer(np.arange(n_periods), np.arange(n_periods)))
    return sigma2 * (icc + (1 - icc) * rho**lag)


def contrast_variance(cov: np.ndarray, n_pre: int, n_post: int) -> float:
    """``Var(mean of n_post periods - mean of the n_pre before)`` for covariance ``cov``.

    When ``cov`` covers more periods than the design, the variance is averaged over every
    position of the design's window (stationarity assumed, as in BPW's averaged psi).
    """
    t = cov.shape[0]
    width = n_pre + n_post
    if width > t:
        raise EstimationError(f"design needs {width} periods but the covariance has {t}")
    out = []
    for s in range(t - width + 1):
        c = np.zeros(t)
        c[s : s + n_pre] = -1.0 / n_pre
        c[s + n_pre : s + width] = 1.0 / n_post
        out.append(float(c @ cov @ c))
    return float(np.mean(out))


def _factor(alpha: float, power: float, df: int | None) -> float:
    if df is None:
        return float(stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power))
    return float(stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df))


def _check_design(n_treated: int, n_control: int, n_pre: int, n_post: int) -> None:
    if n_treated < 1 or n_control < 1 or n_pre < 1 or n_post < 1:
        raise EstimationError(
            "a DiD design needs at least one treated and one comparison unit and one period "
            f"before and after; got treated={n_treated}, comparison={n_control}, "
            f"pre={n_pre}, post={n_post}"
        )


def mde_did(
    n_treated: int,
    n_control: int,
    n_pre: int,
    n_post: int,
    *,
    sigma2: float | None = None,
    rho: float = 0.0,
    icc: float = 0.0,
    cov: np.ndarray | None = None,
    alpha: float = 0.05,
    power: float = 0.8,
    df: int | None = None,
) -> MDEResult:
    """Analytic MDE of a DiD design (Burlig, Preonas & Woerman 2020).

    Parameters
    ----------
    n_treated, n_control : int
        Treated and comparison units.
    n_pre, n_post : int
        Periods before and after the start.
    sigma2 : float
        Variance of the outcome around its year means (across areas and years).
    rho : float
        First-order serial correlation of the non-permanent part.
    icc : float
        Intra-area correlation: share of ``sigma2`` that is a permanent area level.
    cov : numpy.ndarray, optional
        Full within-area covariance over ``n_pre + n_post`` periods (from
        :func:`error_covariance`); replaces ``sigma2``, ``rho`` and ``icc``.
    alpha, power : float
        Test level and power.
    df : int, optional
        Degrees of freedom for t quantiles (e.g. clusters minus one); normal when ``None``.
    """
    _check_design(n_treated, n_control, n_pre, n_post)
    if cov is None:
        if sigma2 is None:
            raise EstimationError("give either sigma2 (with rho, icc) or cov")
        cov = ar1_covariance(n_pre + n_post, sigma2, rho, icc)
    v = contrast_variance(np.asarray(cov, dtype=float), n_pre, n_post)
    se = float(np.sqrt(v * (1 / n_treated + 1 / n_control)))
    f = _factor(alpha, power, df)
    notes = []
    if n_treated < 5:
        notes.append(
            f"only {n_treated} treated unit(s): the normal approximation behind this MDE is "
            "optimistic; prefer the simulated MDE"
        )
    return MDEResult(f * se, se, f, n_treated, n_control, n_pre, n_post, alpha, power, notes)


def mde_bpw(
    n_units: int,
    share_treated: float,
    n_pre: int,
    n_post: int,
    *,
    sigma2: float,
    psi_pre: float,
    psi_post: float,
    psi_cross: float,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float:
    """Burlig, Preonas & Woerman (2020) serial-correlation-robust MDE in their notation."""
    m, r = n_pre, n_post
    v = (m + r) / (m * r) * sigma2 + (m - 1) / m * psi_pre + (r - 1) / r * psi_post
    v -= 2 * psi_cross
    p = share_treated
    return _factor(alpha, power, None) * float(np.sqrt(v / (p * (1 - p) * n_units)))


def _wide(data: pd.DataFrame, outcome: str, unit: str, time: str) -> pd.DataFrame:
    missing = [c for c in (outcome, unit, time) if c not in data.columns]
    if missing:
        raise EstimationError(f"panel lacks column(s) {missing}")
    wide = data.pivot_table(index=unit, columns=time, values=outcome).dropna()
    if wide.shape[1] < 2 or wide.shape[0] < 3:
        raise EstimationError(
            f"need a balanced panel of >= 3 areas and >= 2 periods; got {wide.shape}"
        )
    return wide


def error_covariance(data: pd.DataFrame, *, outcome: str, unit: str, time: str) -> np.ndarray:
    """Within-area covariance over periods of the outcome net of year means (for :func:`mde_did`)."""
    wide = _wide(data, outcome, unit, time).to_numpy(dtype=float)
    wide = wide - wide.mean(axis=0)
    return np.cov(wide, rowvar=False)


@dataclass
class SimulatedMDE:
    """A minimum detectable effect read from placebo interventions on a real panel.

    Attributes
    ----------
    mde_nominal : float
        MDE with the nominal test (normal critical value on the Welch-type standard error).
    mde_placebo : float
        MDE with the critical value from the placebo distribution (size-correct).
    size_nominal : float
        Rejection rate of the nominal test when the true effect is zero.
    placebo_sd : float
        Standard deviation of the placebo estimates.
    """

    mde_nominal: float
    mde_placebo: float
    size_nominal: float
    placebo_sd: float
    reps: int
    n_treated: int
    n_pre: int
    n_post: int
    alpha: float
    power: float
    estimates: np.ndarray
    ses: np.ndarray


def simulated_mde(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    n_treated: int,
    n_pre: int,
    n_post: int,
    reps: int = 1000,
    alpha: float = 0.05,
    power: float = 0.8,
    seed: int | None = 0,
) -> SimulatedMDE:
    """Simulation-based MDE from placebo interventions on a real panel.

    Each replication draws ``n_treated`` areas and a window of ``n_pre + n_post`` consecutive
    periods, and estimates the DiD of post-minus-pre contrasts treated vs all other areas
    (equal to the TWFE estimate for a balanced panel with one start). Adding a true effect
    ``d`` shifts every estimate by ``d`` and leaves the standard errors unchanged, so power at
    ``d`` is read directly from the placebo draws.
    """
    wide = _wide(data, outcome, unit, time).to_numpy(dtype=float)
    n, t = wide.shape
    if n_pre + n_post > t:
        raise EstimationError(f"design needs {n_pre + n_post} periods; the panel has {t}")
    if n_treated >= n - 1:
        raise EstimationError(f"n_treated={n_treated} leaves too few comparison areas (of {n})")
    rng = np.random.default_rng(seed)
    n_windows = t - n_pre - n_post + 1
    contrasts = np.empty((n_windows, n))
    for s in range(n_windows):
        pre = wide[:, s : s + n_pre].mean(axis=1)
        post = wide[:, s + n_pre : s + n_pre + n_post].mean(axis=1)
        contrasts[s] = post - pre
    est = np.empty(reps)
    se = np.empty(reps)
    for i in range(reps):
        c = contrasts[rng.integers(n_windows)]
        tr = np.zeros(n, bool)
        tr[rng.choice(n, n_treated, replace=False)] = True
        ct, cc = c[tr], c[~tr]
        est[i] = ct.mean() - cc.mean()
        vt = ct.var(ddof=1) / n_treated if n_treated > 1 else cc.var(ddof=1)
        se[i] = np.sqrt(vt + cc.var(ddof=1) / len(cc))
    z = stats.norm.ppf(1 - alpha / 2)
    crit_placebo = float(np.quantile(np.abs(est), 1 - alpha))

    def pow_nominal(d: float) -> float:
        return float(np.mean(np.abs(est + d) / se > z))

    def pow_placebo(d: float) -> float:
        return float(np.mean(np.abs(est + d) > crit_placebo))

    scale = float(np.std(est)) * 10 + 1e-12
    return SimulatedMDE(
        mde_nominal=_solve(pow_nominal, power, scale),
        mde_placebo=_solve(pow_placebo, power, scale),
        size_nominal=pow_nominal(0.0),
        placebo_sd=float(np.std(est, ddof=1)),
        reps=reps,
        n_treated=n_treated,
        n_pre=n_pre,
        n_post=n_post,
        alpha=alpha,
        power=power,
        estimates=est,
        ses=se,
    )


def _solve(fun: object, target: float, hi: float) -> float:
    f = fun  # type: ignore[assignment]
    grid = np.linspace(0, hi, 401)
    vals = np.array([f(g) for g in grid])  # type: ignore[operator]
    above = np.nonzero(vals >= target)[0]
    if len(above) == 0:
        return float("inf")
    k = above[0]
    if k == 0:
        return 0.0
    try:
        return float(optimize.brentq(lambda d: f(d) - target + 1e-12, grid[k - 1], grid[k]))  # type: ignore[operator]
    except ValueError:
        return float(grid[k])
