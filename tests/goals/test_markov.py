"""Markov transition model on SIMULATED histories with a known transition matrix.

All histories here are simulated (``simulate_histories``); the known matrix is the reference.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import EstimationError
from grannskap.goals import (
    backtest,
    fit_markov,
    goal_probability,
    project,
    simulate_histories,
    simulate_paths,
)

P_TRUE = np.array(
    [
        [0.80, 0.20, 0.00, 0.00, 0.00],
        [0.05, 0.85, 0.10, 0.00, 0.00],
        [0.00, 0.03, 0.90, 0.07, 0.00],
        [0.00, 0.00, 0.02, 0.95, 0.03],
        [0.00, 0.00, 0.00, 0.05, 0.95],
    ]
)
STATES = (1, 2, 3, 4, 5)
INITIAL = np.array([0.1, 0.15, 0.25, 0.35, 0.15])


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    return simulate_histories(P_TRUE, 3000, range(2011, 2026), initial=INITIAL, seed=7)


def test_simulated_histories_are_labelled(simulated: pd.DataFrame) -> None:
    assert simulated.attrs["simulated"] is True
    assert simulated["simulated"].all()
    assert simulated["area_code"].str.startswith("SIM").all()


def test_recovers_the_known_matrix(simulated: pd.DataFrame) -> None:
    m = fit_markov(simulated, STATES)
    assert m.n_pairs == 3000 * 14
    np.testing.assert_allclose(m.mean, P_TRUE, atol=0.015)
    # the 90 % posterior intervals cover (almost) every true entry
    d = m.draws(2000, seed=1)
    lo, hi = np.quantile(d, 0.05, axis=0), np.quantile(d, 0.95, axis=0)
    covered = ((P_TRUE >= lo - 1e-3) & (P_TRUE <= hi + 1e-3)).mean()
    assert covered >= 0.85


def test_projection_matches_the_matrix_power_and_path_simulation(simulated: pd.DataFrame) -> None:
    m = fit_markov(simulated, STATES)
    cur = simulated[simulated["year"] == 2025].set_index("area_code")["state"].iloc[:400]
    pr = project(m, cur, 2025, 2030, n_draws=1000, seed=2)
    exact = np.linalg.matrix_power(P_TRUE, 5)
    start = cur.map({s: i for i, s in enumerate(STATES)}).to_numpy()
    np.testing.assert_allclose(pr.probs.to_numpy(), exact[start], atol=0.03)
    assert np.allclose(pr.probs.sum(axis=1), 1.0)
    # equal-tailed intervals contain the mean except for tiny, very skewed probabilities
    big = pr.probs.to_numpy() > 1e-3
    assert (pr.low.to_numpy()[big] <= pr.probs.to_numpy()[big]).all()
    assert (pr.probs.to_numpy()[big] <= pr.high.to_numpy()[big]).all()
    paths = simulate_paths(m, cur, 5, n_draws=2000, seed=3)
    freq = np.stack([(paths == k).mean(axis=0) for k in range(5)], axis=1)
    assert np.abs(freq.mean(axis=0) - pr.probs.to_numpy().mean(axis=0)).max() < 0.01


def test_goal_probability_is_the_exact_poisson_binomial() -> None:
    """Brute force over all outcomes of three areas vs the dynamic programme."""
    h = simulate_histories(P_TRUE, 500, range(2015, 2020), initial=INITIAL, seed=11)
    m = fit_markov(h, STATES)
    cur = pd.Series([1, 2, 3], index=["a", "b", "c"])
    pr = project(m, cur, 2019, 2022, n_draws=50, seed=0)
    for max_count in (0, 1, 2):
        gp = goal_probability(pr, [1, 2], max_count=max_count)
        p_bad = pr.draws_by_start[:, [0, 1, 2], :][:, :, [0, 1]].sum(axis=2)
        brute = np.zeros(p_bad.shape[0])
        for outcome in itertools.product([0, 1], repeat=3):
            if sum(outcome) <= max_count:
                brute += np.prod(np.where(np.array(outcome) == 1, p_bad, 1 - p_bad), axis=1)
        assert gp.mean == pytest.approx(brute.mean(), abs=1e-12)
        assert gp.low <= gp.mean <= gp.high


def test_backtest_calibrated_and_beats_no_change(simulated: pd.DataFrame) -> None:
    bt = backtest(simulated, STATES, 2019, n_draws=300)
    assert (bt.scores["brier_model"] < bt.scores["brier_naive"]).all()
    rel = bt.reliability[bt.reliability["n"] >= 500]
    assert (np.abs(rel["mean_predicted"] - rel["observed"]) < 0.04).all()


def test_no_change_wins_when_nothing_moves() -> None:
    h = simulate_histories(np.eye(5), 300, range(2015, 2022), seed=1)
    bt = backtest(h, STATES, 2018, n_draws=100)
    assert (bt.scores["brier_naive"] == 0).all()
    assert (bt.scores["brier_model"] >= 0).all()


def test_no_transitions_is_a_clear_error() -> None:
    h = pd.DataFrame({"area_code": ["a", "b"], "year": [2022, 2022], "state": [1, 2]})
    with pytest.raises(EstimationError, match="cannot be estimated"):
        fit_markov(h, STATES)
    bad = pd.DataFrame({"area_code": ["a", "a"], "year": [2022, 2023], "state": [1, 9]})
    with pytest.raises(EstimationError, match="9"):
        fit_markov(bad, STATES)


def test_pooled_prior_centres_rows_on_overall_stability() -> None:
    """Empirical-Bayes prior: a row without data gets the overall stay share."""
    from grannskap.goals.markov import prior_matrix

    counts = np.array([[0.0, 0, 0], [0, 90, 10], [0, 5, 95]])
    pr = prior_matrix(3, "pooled", 0.5, counts=counts)
    assert pr.sum(axis=1) == pytest.approx([2.0, 2.0, 2.0])
    stay = 185 / 200
    assert pr[0, 0] / pr[0].sum() == pytest.approx(stay / (stay + (1 - stay) + 0.01))
    h = pd.DataFrame(
        {"area_code": ["a", "a", "b", "b"], "year": [1, 2, 1, 2], "state": [2, 2, 3, 3]}
    )
    m = fit_markov(h, STATES[:3], prior="pooled")
    assert m.mean[0, 0] > 0.9  # row 1 has no data: borrows the (here perfect) stability
