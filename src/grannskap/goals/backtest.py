"""Backtest of the Markov projection: fit on early years, predict later years.

Scores: the multi-category Brier score (Brier 1950, "Verification of forecasts expressed in
terms of probability", *Monthly Weather Review* 78:1–3), ``mean over areas of
sum_k (p_k − o_k)^2`` (0 = perfect, 2 = worst), next to the naive forecast "no change"
(probability 1 on the current state); and a reliability table (Murphy & Winkler 1977):
predicted probabilities of all (area, state) pairs in bins, against the observed frequency.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from grannskap.errors import EstimationError
from grannskap.goals.markov import PriorKind, fit_markov, project

__all__ = ["Backtest", "brier_score", "reliability_table", "backtest"]


@dataclass(frozen=True)
class Backtest:
    """Scores of the model and of "no change" for each forecast horizon.

    ``scores``: ``target_year, horizon_years, n_areas, brier_model, brier_naive,
    brier_skill`` (``1 − model / naive``; > 0 means the model beats "no change").
    ``reliability``: bins of predicted probability with the observed frequency.
    """

    fit_until: int
    scores: pd.DataFrame
    reliability: pd.DataFrame
    n_pairs: int
    notes: tuple[str, ...] = field(default=())


def brier_score(probs: np.ndarray, outcome: np.ndarray) -> float:
    """Mean multi-category Brier score; ``probs`` areas x k, ``outcome`` state indices."""
    probs = np.asarray(probs, dtype=float)
    onehot = np.zeros_like(probs)
    onehot[np.arange(len(outcome)), outcome] = 1.0
    return float(((probs - onehot) ** 2).sum(axis=1).mean())


def reliability_table(probs: np.ndarray, outcome: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Predicted vs observed frequency over all (area, state) pairs, in equal-width bins."""
    probs = np.asarray(probs, dtype=float)
    onehot = np.zeros_like(probs)
    onehot[np.arange(len(outcome)), outcome] = 1.0
    p, o = probs.ravel(), onehot.ravel()
    b = np.minimum((p * bins).astype(int), bins - 1)
    df = pd.DataFrame({"bin": b, "p": p, "o": o})
    g = df.groupby("bin").agg(n=("p", "size"), mean_predicted=("p", "mean"), observed=("o", "mean"))
    g.insert(0, "bin_low", g.index / bins)
    g.insert(1, "bin_high", (g.index + 1) / bins)
    return g.reset_index(drop=True)


def backtest(
    histories: pd.DataFrame,
    states: Sequence[Hashable],
    fit_until: int,
    *,
    step: int = 1,
    prior: PriorKind | float = "adjacent",
    prior_strength: float = 0.5,
    n_draws: int = 500,
    seed: int | None = 0,
    exclude_from: Sequence[Hashable] = (),
    stratum: pd.Series | None = None,
    pool_strength: float = 5.0,
) -> Backtest:
    """Fit on transitions ending by ``fit_until``; forecast each later observed year from the
    state in ``fit_until``; score against what happened. Areas whose origin state is in
    ``exclude_from`` are neither fitted on nor scored. With ``stratum`` (area -> covariate
    label) the stratified, partially pooled model of :mod:`grannskap.goals.covariates` is used.

    Raises :class:`EstimationError` when nothing after ``fit_until`` can be scored.
    """
    from grannskap.goals.covariates import fit_stratified_markov, project_stratified

    smodel = None
    if stratum is not None:
        smodel = fit_stratified_markov(
            histories,
            states,
            stratum,
            step=step,
            prior=prior,
            prior_strength=prior_strength,
            pool_strength=pool_strength,
            until=fit_until,
            exclude_from=exclude_from,
        )
    model = fit_markov(
        histories, states, step=step, prior=prior, prior_strength=prior_strength, until=fit_until
    )
    wide = histories.pivot(index="area_code", columns="year", values="state")
    if fit_until not in wide.columns:
        raise EstimationError(f"no states observed in the origin year {fit_until}")
    code = {s: i for i, s in enumerate(states)}
    later = sorted(int(y) for y in wide.columns if y > fit_until and (y - fit_until) % step == 0)
    rows, all_p, all_o = [], [], []
    for y in later:
        ok = wide[fit_until].notna() & wide[y].notna() & ~wide[fit_until].isin(list(exclude_from))
        if not ok.any():
            continue
        cur = wide.loc[ok, fit_until]
        if smodel is not None and stratum is not None:
            pr = project_stratified(
                smodel, cur, stratum, fit_until, y, n_draws=n_draws, seed=seed
            ).probs.to_numpy()
        else:
            pr = project(model, cur, fit_until, y, n_draws=n_draws, seed=seed).probs.to_numpy()
        out = wide.loc[ok, y].map(code).to_numpy(dtype=int)
        naive = np.zeros_like(pr)
        naive[np.arange(len(cur)), cur.map(code).to_numpy(dtype=int)] = 1.0
        bm, bn = brier_score(pr, out), brier_score(naive, out)
        rows.append(
            {
                "target_year": y,
                "horizon_years": y - fit_until,
                "n_areas": int(ok.sum()),
                "brier_model": bm,
                "brier_naive": bn,
                "brier_skill": 1 - bm / bn if bn > 0 else np.nan,
            }
        )
        all_p.append(pr)
        all_o.append(out)
    if not rows:
        raise EstimationError(
            f"no area is observed both in {fit_until} and in a later year to score"
        )
    rel = reliability_table(np.vstack(all_p), np.concatenate(all_o))
    return Backtest(
        fit_until=fit_until, scores=pd.DataFrame(rows), reliability=rel, n_pairs=model.n_pairs
    )
