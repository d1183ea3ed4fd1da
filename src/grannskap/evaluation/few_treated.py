"""SIMULATED municipal panels with few treated areas, and the size of DiD tests on them.

A Borås-like municipality: 60 areas (Borås has 47-77 depending on the area system) of
300-6,000 inhabitants, about 110,000 persons in all; the outcome is a share in per cent (e.g.
the employment rate) observed 2011-2023, with area levels, common year shocks, persistent
(AR(1)) area shocks and sampling noise that shrinks with the area's population. Two to eight
areas start an intervention in 2021; under the null there is no effect.

:func:`few_treated_size_study` measures how often each inference rejects "no effect" at 5 %
under the null: the randomisation test of
:func:`~grannskap.evaluation.did.randomization.randomization_inference` (exact under random
assignment), and the Callaway-Sant'Anna analytic interval (influence-function standard error,
valid only with many treated areas). Everything here is SIMULATED.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from grannskap.errors import EstimationWarning

__all__ = ["simulate_municipal_panel", "few_treated_size_study"]


def simulate_municipal_panel(
    n_treated: int,
    *,
    n_areas: int = 60,
    years: Sequence[int] = tuple(range(2011, 2024)),
    start: int = 2021,
    effect: float = 0.0,
    treated_from_smallest: bool = False,
    seed: int | None = 0,
) -> pd.DataFrame:
    """A SIMULATED Borås-like area-year panel (columns as :func:`simulate_panel`'s).

    Parameters
    ----------
    n_treated : int
        Areas starting the intervention in ``start``.
    treated_from_smallest : bool
        Draw the treated areas among the smaller half of the areas (a stress test: their
        noise is larger than the comparison areas', so they are not exchangeable with them).
    effect : float
        Constant effect in percentage points from ``start``.
    """
    rng = np.random.default_rng(seed)
    yrs = np.asarray(years, dtype=int)
    pop = np.clip(rng.lognormal(np.log(1600.0), 0.6, n_areas), 300, 6000).round()
    level = np.clip(rng.normal(68.0, 9.0, n_areas), 30.0, 92.0)
    year_fx = np.cumsum(rng.normal(0.0, 0.8, yrs.size))
    shock = np.empty((n_areas, yrs.size))
    shock[:, 0] = rng.normal(0.0, 1.0, n_areas)
    for j in range(1, yrs.size):
        shock[:, j] = 0.5 * shock[:, j - 1] + rng.normal(0.0, np.sqrt(1 - 0.25), n_areas)
    p = np.clip(level[:, None] + year_fx[None, :] + shock, 1.0, 99.0) / 100.0
    # sampling noise of a share among ~70 % of the inhabitants (the working-age population)
    sampled = rng.binomial((0.7 * pop).astype(int)[:, None], p) / (0.7 * pop)[:, None]
    y = 100.0 * sampled
    pool = np.argsort(pop)[: n_areas // 2] if treated_from_smallest else np.arange(n_areas)
    chosen = rng.choice(pool, size=n_treated, replace=False)
    first = np.zeros(n_areas, dtype=int)
    first[chosen] = start
    y = y + effect * ((first[:, None] > 0) & (yrs[None, :] >= start))
    codes = np.array([f"SIM{i:04d}" for i in range(n_areas)])
    frame = pd.DataFrame(
        {
            "area_code": np.repeat(codes, yrs.size),
            "year": np.tile(yrs, n_areas),
            "value": y.ravel(),
            "first_treat": np.repeat(first, yrs.size),
            "population": np.repeat(pop, yrs.size),
            "source": "simulated",
        }
    )
    frame.attrs["simulated"] = True
    return frame


def few_treated_size_study(
    n_treated: Sequence[int] = (2, 4, 8),
    reps: int = 400,
    *,
    perm_reps: int = 199,
    alpha: float = 0.05,
    treated_from_smallest: bool = False,
    seed: int = 0,
) -> pd.DataFrame:
    """Rejection rates under no effect of the randomisation test and the analytic interval.

    Returns one row per number of treated areas: ``rejection_randomization``,
    ``rejection_analytic`` (0 outside the Callaway-Sant'Anna pointwise interval) and the
    Monte Carlo standard error of a rate of ``alpha`` (``mc_se``).
    """
    from grannskap.evaluation.did import aggregate
    from grannskap.evaluation.did._panel import to_wide
    from grannskap.evaluation.did.cs import att_gt_wide
    from grannskap.evaluation.did.randomization import randomization_inference

    rows = []
    for k in n_treated:
        ri_rej = an_rej = 0
        for r in range(reps):
            frame = simulate_municipal_panel(
                k, treated_from_smallest=treated_from_smallest, seed=seed + 1000 * k + r
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", EstimationWarning)
                wide = to_wide(
                    frame, outcome="value", unit="area_code", time="year", group="first_treat"
                )
                ri = randomization_inference(wide, reps=perm_reps, alpha=alpha, seed=r)
                agg = aggregate(att_gt_wide(wide, method="reg"), "simple", alpha=alpha)
            ri_rej += ri.p_value <= alpha
            lo, hi = agg.overall_ci
            an_rej += not (lo <= 0.0 <= hi)
        rows.append(
            {
                "n_treated": k,
                "reps": reps,
                "rejection_randomization": ri_rej / reps,
                "rejection_analytic": an_rej / reps,
                "mc_se": float(np.sqrt(alpha * (1 - alpha) / reps)),
            }
        )
    return pd.DataFrame(rows)
