"""SIMULATED panels with a known effect, for tests and benchmarks of the synthetic control.

Everything produced here is simulated data (a linear factor model, Abadie, Diamond &
Hainmueller 2010, eq. 1) and is labelled as such in the frame's ``attrs``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["simulate_factor_panel"]


def simulate_factor_panel(
    *,
    n_units: int = 40,
    n_periods: int = 20,
    n_pre: int = 12,
    effect: float = -5.0,
    n_factors: int = 2,
    noise: float = 0.5,
    seed: int = 1,
) -> pd.DataFrame:
    """SIMULATED long panel ``unit, period, y, x1`` from a factor model with a known effect.

    ``y_it = a_i + d_t + mu_i' f_t + e_it`` plus ``effect`` for unit ``"treated"`` from period
    ``n_pre`` on. The treated unit's loadings are a convex combination of three donors', so a
    synthetic control can reproduce its path; ``x1`` is a covariate tied to the loadings.
    ``attrs["simulated"] = True`` and ``attrs["true_effect"] = effect``.
    """
    rng = np.random.default_rng(seed)
    n_donors = n_units - 1
    load = rng.normal(0.0, 1.0, size=(n_donors, n_factors))
    level = rng.normal(50.0, 5.0, size=n_donors)
    mix = np.zeros(n_donors)
    mix[:3] = (0.5, 0.3, 0.2)
    load = np.vstack([mix @ load, load])
    level = np.concatenate([[mix @ level], level])
    factors = np.cumsum(rng.normal(0.0, 1.0, size=(n_periods, n_factors)), axis=0)
    trend = np.linspace(0.0, 5.0, n_periods)
    y = level[None, :] + trend[:, None] + factors @ load.T
    y = y + rng.normal(0.0, noise, size=y.shape)
    y[n_pre:, 0] += effect
    units = ["treated"] + [f"donor{j:04d}" for j in range(1, n_units)]
    frame = pd.DataFrame(
        {
            "unit": np.repeat(units, n_periods),
            "period": np.tile(np.arange(n_periods), n_units),
            "y": y.T.ravel(),
            "x1": np.repeat(load[:, 0], n_periods) + rng.normal(0, 0.05, n_units * n_periods),
        }
    )
    frame.attrs.update(simulated=True, true_effect=effect, treatment_start=n_pre)
    return frame
