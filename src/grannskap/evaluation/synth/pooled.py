"""Several treated units: one synthetic control each, and a pooled placebo test.

Each treated unit gets its own synthetic control from a donor pool that excludes every
treated unit (Abadie 2021, JEL 59:391-425, sec. 8). The average effect is tested as in
Cavallo, Galiani, Noy & Pantano (2013, REStat 95:1549-1561): the mean of the treated units'
post/pre RMSPE ratios is ranked among the means of the same number of placebo ratios, drawn
as seeded random combinations of donors (all combinations when there are few).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from grannskap.errors import EstimationError

from .api import SyntheticControlResult, synthetic_control

__all__ = ["PooledResult", "synthetic_control_pooled"]


@dataclass(frozen=True)
class PooledResult:
    """Per-unit results, the average effect and its pooled placebo p-value."""

    results: dict[Hashable, SyntheticControlResult]
    estimate: float
    p_value: float | None
    n_combinations: int
    verdict_sv: str
    verdict_en: str


def _pooled_p(
    treated_ratios: np.ndarray, placebo_ratios: np.ndarray, n_draws: int, seed: int
) -> tuple[float, int]:
    k, m = treated_ratios.size, placebo_ratios.size
    observed = float(np.mean(treated_ratios))
    if m < k:
        raise EstimationError(f"{m} placebo units cannot form combinations of {k} units")
    if math.comb(m, k) <= n_draws:
        combos = np.array(list(itertools.combinations(range(m), k)))
    else:
        rng = np.random.default_rng(seed)
        combos = np.array([rng.choice(m, size=k, replace=False) for _ in range(n_draws)])
    means = placebo_ratios[combos].mean(axis=1)
    # the observed combination counts as one of the draws (a valid randomisation p-value)
    return (1 + int(np.sum(means >= observed))) / (1 + len(means)), len(means)


def synthetic_control_pooled(
    frame: pd.DataFrame,
    *,
    treated: Sequence[Hashable],
    treatment_start: Hashable,
    donors: Sequence[Hashable] | None = None,
    n_draws: int = 5000,
    seed: int = 2013,
    **kwargs: Any,
) -> PooledResult:
    """Synthetic control for each of several treated units, and the average effect.

    Parameters
    ----------
    frame : DataFrame
        Long panel (see :func:`synthetic_control`).
    treated : the treated units (all treated from ``treatment_start``).
    donors : the donor pool; treated units are always removed from it.
    n_draws : random placebo combinations for the pooled p-value.
    **kwargs : passed to :func:`synthetic_control` (``unit``, ``time``, ``outcome``, ...).
    """
    treated = list(treated)
    if not treated:
        raise EstimationError("no treated unit given; expected at least one")
    unit = kwargs["unit"]
    pool = [u for u in (frame[unit].unique() if donors is None else donors) if u not in treated]
    results = {
        t: synthetic_control(
            frame, treated=t, treatment_start=treatment_start, donors=pool, **kwargs
        )
        for t in treated
    }
    estimate = float(np.mean([r.estimate for r in results.values()]))
    first = results[treated[0]]
    p: float | None = None
    n_comb = 0
    if first.placebos is not None:
        table = first.placebos.table
        placebo = table.loc[~table["treated"], "ratio"].to_numpy()
        ratios = np.array([r.rmspe_ratio for r in results.values()])
        p, n_comb = _pooled_p(ratios, placebo, n_draws, seed)
    too_good = any(r.fit_too_good for r in results.values())
    names = ", ".join(str(t) for t in treated)
    sv = [
        f"Genomsnittlig skattning för {len(treated)} behandlade områden ({names}): "
        f"{estimate:+.3g}".replace(".", ",").replace("-", "\u2212")
        + "."
    ]
    en = [f"Average estimate for {len(treated)} treated units ({names}): {estimate:+.3g}."]
    if p is not None:
        sv.append(
            f"Sammanvägt placebotest ({n_comb} kombinationer av jämförelseområden): p = "
            f"{p:.3f}".replace(".", ",")
            + "."
        )
        en.append(f"Pooled placebo test ({n_comb} combinations of comparison units): p = {p:.3f}.")
    if too_good:
        sv.append(
            "Minst ett område har en nästan perfekt anpassning före starten; p-värdet är då "
            "inte informativt."
        )
        en.append(
            "At least one unit has an almost perfect pre-treatment fit; the p-value is then "
            "not informative."
        )
    sv.append("Se varje områdes egen bedömning för antaganden och begränsningar.")
    en.append("See each unit's own verdict for assumptions and limits.")
    return PooledResult(
        results=results,
        estimate=estimate,
        p_value=p,
        n_combinations=n_comb,
        verdict_sv=" ".join(sv),
        verdict_en=" ".join(en),
    )
