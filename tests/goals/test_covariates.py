"""Stratified (covariate) Markov model on SIMULATED histories: two strata with known, different
transition matrices (e.g. areas near a threshold move more)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import EstimationError
from grannskap.goals import (
    backtest,
    fit_stratified_markov,
    goal_probability,
    project_stratified,
    simulate_histories,
)

STATES = (1, 2, 3)
P_STABLE = np.array([[0.95, 0.05, 0.0], [0.02, 0.96, 0.02], [0.0, 0.05, 0.95]])
P_MOBILE = np.array([[0.6, 0.4, 0.0], [0.2, 0.6, 0.2], [0.0, 0.4, 0.6]])


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, pd.Series]:
    a = simulate_histories(P_STABLE, 1500, range(2010, 2022), seed=1)
    b = simulate_histories(P_MOBILE, 1500, range(2010, 2022), seed=2)
    b["area_code"] = b["area_code"].str.replace("SIM", "SIMB", regex=False)
    h = pd.concat([a, b], ignore_index=True)
    stratum = (
        pd.Series(
            np.where(h["area_code"].str.startswith("SIMB"), "mobile", "stable"),
            index=h["area_code"],
        )
        .groupby(level=0)
        .first()
    )
    return h, stratum


def test_recovers_each_stratum(data: tuple[pd.DataFrame, pd.Series]) -> None:
    h, stratum = data
    m = fit_stratified_markov(h, STATES, stratum)
    np.testing.assert_allclose(m.models["stable"].mean, P_STABLE, atol=0.02)
    np.testing.assert_allclose(m.models["mobile"].mean, P_MOBILE, atol=0.02)
    # the pooled matrix lies between the two
    assert P_STABLE[0, 0] > m.pooled.mean[0, 0] > P_MOBILE[0, 0]


def test_stratified_projection_and_backtest_beat_pooled(
    data: tuple[pd.DataFrame, pd.Series],
) -> None:
    h, stratum = data
    m = fit_stratified_markov(h, STATES, stratum)
    cur = h[h["year"] == 2021].set_index("area_code")["state"]
    pr = project_stratified(m, cur, stratum, 2021, 2024, n_draws=300)
    exact_s = np.linalg.matrix_power(P_STABLE, 3)
    row = cur.index[(stratum.loc[cur.index] == "stable").to_numpy() & (cur == 1).to_numpy()][0]
    np.testing.assert_allclose(pr.probs.loc[row].to_numpy(), exact_s[0], atol=0.03)
    gp = goal_probability(pr, [1], areas=list(cur.index[:5]))
    assert 0.0 <= gp.low <= gp.mean <= gp.high <= 1.0
    pooled = backtest(h, STATES, 2017, n_draws=200)
    strat = backtest(h, STATES, 2017, n_draws=200, stratum=stratum)
    assert (strat.scores["brier_model"] < pooled.scores["brier_model"]).all()


def test_missing_stratum_names_the_area(data: tuple[pd.DataFrame, pd.Series]) -> None:
    h, stratum = data
    with pytest.raises(EstimationError, match="SIM00000"):
        fit_stratified_markov(h, STATES, stratum.drop("SIM00000"))
