"""SIMULATED area-year panels with a known treatment effect (for tests, benchmarks, demos).

Everything made here is simulated and labelled so: the frame has a ``source`` column equal to
``"simulated"`` and ``frame.attrs["simulated"] = True``. Nothing here is real data.

Outcome model: ``y_it = a_i + l_t + b x_i (t - t_0) + tau_i(t) + u_it`` with unit effects
``a_i``, period effects ``l_t``, an optional covariate-specific trend (parallel trends hold only
conditional on ``x`` when ``b != 0`` and treatment depends on ``x``), AR(1) noise ``u_it`` and
effect ``tau(e) = effect + effect_slope * e`` for event time ``e = t - g >= 0``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["CoverageStudy", "SimulatedPanel", "coverage_study", "simulate_panel"]


@dataclass
class SimulatedPanel:
    """A SIMULATED panel and its true effects.

    Attributes
    ----------
    data : pandas.DataFrame
        Columns ``area_code, year, value, first_treat, treated, x, source="simulated"``.
    true_att_simple : float
        The true ATT averaged over post-treatment cells with cohort-size weights (the
        estimand of the "simple" Callaway-Sant'Anna aggregation).
    true_att_gt : pandas.DataFrame
        True ATT(g, t) for every cohort and post-treatment period.
    """

    data: pd.DataFrame
    true_att_simple: float
    true_att_gt: pd.DataFrame


def simulate_panel(
    n_units: int = 500,
    years: Sequence[int] = tuple(range(2010, 2023)),
    *,
    cohorts: Sequence[int] = (2016, 2018, 2020),
    share_treated: float = 0.3,
    effect: float = 1.0,
    effect_slope: float = 0.0,
    unit_sd: float = 1.0,
    year_sd: float = 0.5,
    noise_sd: float = 1.0,
    rho: float = 0.0,
    x_trend: float = 0.0,
    x_selection: float = 0.0,
    seed: int | None = 0,
) -> SimulatedPanel:
    """Make a SIMULATED staggered-adoption panel with a known effect.

    Parameters
    ----------
    n_units : int
        Areas.
    years : sequence of int
        Periods.
    cohorts : sequence of int
        Possible first-treatment years (treated areas are spread evenly over them).
    share_treated : float
        Expected share of areas ever treated (the rest are never treated).
    effect, effect_slope : float
        Effect at event time 0 and its change per period after.
    unit_sd, year_sd, noise_sd : float
        Standard deviations of area effects, year effects and noise.
    rho : float
        AR(1) coefficient of the noise.
    x_trend : float
        Trend per period per unit of the covariate ``x`` (breaks unconditional parallel trends).
    x_selection : float
        Log-odds of being treated per unit of ``x``.
    seed : int, optional
        Random seed.
    """
    rng = np.random.default_rng(seed)
    years_a = np.asarray(years, dtype=int)
    t_n = len(years_a)
    x = rng.normal(size=n_units)
    base = np.log(share_treated / (1 - share_treated))
    p = 1 / (1 + np.exp(-(base + x_selection * x)))
    treated = rng.random(n_units) < p
    first = np.zeros(n_units, dtype=int)
    first[treated] = rng.choice(np.asarray(cohorts, dtype=int), size=int(treated.sum()))
    a = rng.normal(scale=unit_sd, size=n_units)
    lam = rng.normal(scale=year_sd, size=t_n)
    u = np.empty((n_units, t_n))
    u[:, 0] = rng.normal(scale=noise_sd, size=n_units)
    innov = noise_sd * np.sqrt(1 - rho**2)
    for j in range(1, t_n):
        u[:, j] = rho * u[:, j - 1] + rng.normal(scale=innov, size=n_units)
    rel = years_a[None, :] - np.where(first > 0, first, 10**6)[:, None]
    tau = np.where(rel >= 0, effect + effect_slope * rel, 0.0)
    y = a[:, None] + lam[None, :] + x_trend * x[:, None] * (years_a - years_a[0])[None, :]
    y = y + tau + u
    codes = np.array([f"SIM{i:05d}" for i in range(n_units)])
    frame = pd.DataFrame(
        {
            "area_code": np.repeat(codes, t_n),
            "year": np.tile(years_a, n_units),
            "value": y.ravel(),
            "first_treat": np.repeat(first, t_n),
            "treated": (rel >= 0).ravel().astype(int),
            "x": np.repeat(x, t_n),
            "source": "simulated",
        }
    )
    frame.attrs["simulated"] = True
    rows = []
    for g in sorted(set(first[first > 0].tolist())):
        ng = int((first == g).sum())
        for t in years_a[years_a >= g]:
            rows.append((g, int(t), effect + effect_slope * (t - g), ng))
    truth = pd.DataFrame(rows, columns=["group", "time", "att", "n"])
    simple = float(np.average(truth["att"], weights=truth["n"])) if len(truth) else float("nan")
    return SimulatedPanel(frame, simple, truth)


@dataclass
class CoverageStudy:
    """Monte Carlo check of an estimator on SIMULATED panels with a known effect.

    Attributes
    ----------
    reps : int
        Replications.
    bias : float
        Mean estimate minus the true effect.
    mc_se : float
        Monte Carlo standard error of the mean estimate.
    coverage : float
        Share of 95 % intervals that contain the true effect.
    mean_se, sd_estimate : float
        Average reported standard error and the estimates' standard deviation.
    """

    estimator: str
    reps: int
    bias: float
    mc_se: float
    coverage: float
    mean_se: float
    sd_estimate: float


def coverage_study(
    estimator: str = "cs",
    reps: int = 500,
    *,
    n_units: int = 200,
    years: Sequence[int] = tuple(range(2010, 2020)),
    cohorts: Sequence[int] = (2014, 2016),
    share_treated: float = 0.4,
    effect: float = 1.0,
    effect_slope: float = 0.2,
    rho: float = 0.5,
    x_trend: float = 0.0,
    x_selection: float = 0.0,
    alpha: float = 0.05,
    seed: int = 0,
) -> CoverageStudy:
    """Bias and interval coverage over ``reps`` SIMULATED panels.

    ``estimator``: "cs" (Callaway-Sant'Anna DR, simple aggregation, with covariate ``x`` when
    ``x_trend`` is non-zero), "twfe" (static TWFE, CR1; unbiased only with one cohort and a
    constant effect) or "cs_dynamic0" (event-time-0 effect).
    """
    from scipy import stats

    from grannskap.evaluation.did import aggregate, att_gt, twfe

    z = stats.norm.ppf(1 - alpha / 2)
    est = np.empty(reps)
    se = np.empty(reps)
    truth = np.empty(reps)
    covs = ["x"] if x_trend else []
    for i in range(reps):
        sim = simulate_panel(
            n_units,
            years,
            cohorts=cohorts,
            share_treated=share_treated,
            effect=effect,
            effect_slope=effect_slope,
            rho=rho,
            x_trend=x_trend,
            x_selection=x_selection,
            seed=seed + i,
        )
        if estimator == "twfe":
            res = twfe(
                sim.data, outcome="value", unit="area_code", time="year", treatment="treated"
            )
            est[i], se[i] = res.coef[0], res.se[0]
            truth[i] = sim.true_att_simple
            continue
        fit = att_gt(
            sim.data,
            outcome="value",
            unit="area_code",
            time="year",
            group="first_treat",
            covariates=covs,
        )
        if estimator == "cs_dynamic0":
            agg = aggregate(fit, "dynamic")
            j = int(np.nonzero(agg.labels == 0)[0][0])
            est[i], se[i], truth[i] = agg.att[j], agg.se[j], effect
        else:
            agg = aggregate(fit, "simple")
            est[i], se[i], truth[i] = agg.overall, agg.overall_se, sim.true_att_simple
    err = est - truth
    return CoverageStudy(
        estimator=estimator,
        reps=reps,
        bias=float(err.mean()),
        mc_se=float(err.std(ddof=1) / np.sqrt(reps)),
        coverage=float(np.mean(np.abs(err) <= z * se)),
        mean_se=float(se.mean()),
        sd_estimate=float(est.std(ddof=1)),
    )
