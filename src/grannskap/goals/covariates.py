"""Markov transitions that differ by a covariate: strata with partial pooling.

Areas are grouped by a categorical covariate (e.g. "within 0.25 σ of a type threshold" vs
"further away", or the kommun's type); each stratum gets its own transition matrix, whose
Dirichlet prior is centred on the pooled matrix of all areas:
``alpha_s = alpha_0 + pool_strength x P_pooled`` (empirical-Bayes partial pooling; Gelman et
al. 2013, *Bayesian Data Analysis*, 3rd ed., ch. 5). A stratum with little data thus stays near
the pooled estimate; one with much data follows its own counts.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grannskap.errors import ConfigError, EstimationError
from grannskap.goals.markov import (
    MarkovModel,
    PriorKind,
    Projection,
    _matrix_powers,
    count_transitions,
    fit_markov,
)

__all__ = ["StratifiedMarkovModel", "fit_stratified_markov", "project_stratified"]


@dataclass(frozen=True)
class StratifiedMarkovModel:
    """One :class:`MarkovModel` per stratum plus the pooled model they shrink towards."""

    pooled: MarkovModel
    models: dict[Hashable, MarkovModel]
    pool_strength: float

    @property
    def strata(self) -> tuple[Hashable, ...]:
        return tuple(self.models)


def _check_strata(areas: pd.Index, stratum: pd.Series) -> None:
    missing = [str(a) for a in areas if a not in stratum.index or pd.isna(stratum.get(a))]
    if missing:
        raise EstimationError(
            f"no stratum for {len(missing)} area(s): {', '.join(sorted(missing)[:10])}"
            + (" ..." if len(missing) > 10 else "")
        )


def fit_stratified_markov(
    histories: pd.DataFrame,
    states: Sequence[Hashable],
    stratum: pd.Series,
    *,
    step: int = 1,
    prior: PriorKind | float = "adjacent",
    prior_strength: float = 0.5,
    pool_strength: float = 5.0,
    until: int | None = None,
    exclude_from: Sequence[Hashable] = (),
) -> StratifiedMarkovModel:
    """Transition matrices per stratum (``stratum``: area code -> label), partially pooled."""
    if not pool_strength >= 0:
        raise ConfigError(f"`pool_strength` must be >= 0; got {pool_strength!r}")
    _check_strata(pd.Index(histories["area_code"].unique()), stratum)
    pooled = fit_markov(
        histories,
        states,
        step=step,
        prior=prior,
        prior_strength=prior_strength,
        until=until,
        exclude_from=exclude_from,
    )
    models: dict[Hashable, MarkovModel] = {}
    for label in sorted(pd.unique(stratum.dropna()), key=str):
        areas = stratum.index[stratum == label]
        h = histories[histories["area_code"].isin(areas)]
        counts, n, years = count_transitions(
            h, states, step=step, until=until, exclude_from=exclude_from
        )
        models[label] = MarkovModel(
            states=tuple(states),
            counts=counts,
            prior=pooled.prior + pool_strength * pooled.mean,
            step=step,
            n_pairs=n,
            years=years,
        )
    return StratifiedMarkovModel(pooled=pooled, models=models, pool_strength=pool_strength)


def project_stratified(
    model: StratifiedMarkovModel,
    current: pd.Series,
    stratum: pd.Series,
    from_year: int,
    target_year: int,
    *,
    n_draws: int = 1000,
    level: float = 0.9,
    seed: int | None = 0,
) -> Projection:
    """Like :func:`grannskap.goals.markov.project`, each area moving with its stratum's matrix."""
    if target_year < from_year:
        raise ConfigError(
            f"`target_year` {target_year} is before the last observed year {from_year}"
        )
    _check_strata(current.index, stratum)
    states = model.pooled.states
    code = {s: i for i, s in enumerate(states)}
    unknown = sorted({str(s) for s in current.unique() if s not in code})
    if unknown:
        raise EstimationError(
            f"current states {unknown} are not among the model's states {list(states)}"
        )
    n_steps = -(-(target_year - from_year) // model.pooled.step)
    base = 0 if seed is None else seed
    powers = np.stack(
        [
            _matrix_powers(m.draws(n_draws, base + i), n_steps)
            for i, m in enumerate(model.models.values())
        ],
        axis=1,
    )  # n x S x k x k
    sidx = {s: i for i, s in enumerate(model.strata)}
    st = stratum.loc[current.index].map(sidx).to_numpy(dtype=int)
    start = current.map(code).to_numpy(dtype=int)
    q = (1 - level) / 2
    mean, lo, hi = (
        powers.mean(axis=0),
        np.quantile(powers, q, axis=0),
        np.quantile(powers, 1 - q, axis=0),
    )
    cols = list(states)
    mk = lambda a: pd.DataFrame(a[st, start], index=current.index, columns=cols)  # noqa: E731
    return Projection(
        states=states,
        from_year=from_year,
        target_year=target_year,
        n_steps=n_steps,
        probs=mk(mean),
        low=mk(lo),
        high=mk(hi),
        start=current,
        draws_by_start=powers,
        level=level,
        stratum=stratum.loc[current.index],
        strata=model.strata,
    )
