"""SIMULATED panels with a known effect (linear factor model, ADH 2010 eq. 1).

The data are simulated by :func:`simulate_factor_panel`; the truths are the effects put in.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import EstimationWarning
from grannskap.evaluation.synth import simulate_factor_panel, synthetic_control


def test_known_effect_is_recovered() -> None:
    """An effect of 20 noise standard deviations must rank first among 30 units."""
    frame = simulate_factor_panel(n_units=30, n_periods=20, n_pre=12, effect=-10.0, seed=3)
    res = synthetic_control(
        frame, unit="unit", time="period", outcome="y", treated="treated", treatment_start=12
    )
    assert res.estimate == pytest.approx(-10.0, abs=1.0)
    assert res.rank == 1
    assert not res.fit_too_good
    assert res.simulated
    assert "SIMULERADE" in res.verdict_sv and "SIMULATED" in res.verdict_en


def test_estimates_centre_on_the_truth() -> None:
    """Over 12 simulated panels the mean estimate is within 0.4 of the true -5 (the spread of
    a single estimate is about 0.5, so the mean's standard error is about 0.15)."""
    estimates = []
    for seed in range(12):
        frame = simulate_factor_panel(n_units=30, n_periods=20, n_pre=12, effect=-5.0, seed=seed)
        res = synthetic_control(
            frame,
            unit="unit",
            time="period",
            outcome="y",
            treated="treated",
            treatment_start=12,
            placebos=False,
            loo=False,
            in_time=False,
            conformal=False,
        )
        estimates.append(res.estimate)
    assert np.mean(estimates) == pytest.approx(-5.0, abs=0.4)


def test_no_effect_is_not_significant() -> None:
    frame = simulate_factor_panel(n_units=30, n_periods=20, n_pre=12, effect=0.0, seed=4)
    res = synthetic_control(
        frame,
        unit="unit",
        time="period",
        outcome="y",
        treated="treated",
        treatment_start=12,
        loo=False,
    )
    assert abs(res.estimate) < 1.0
    assert res.p_value > 0.1


def test_covariates_and_outcome_lags_together() -> None:
    frame = simulate_factor_panel(n_units=25, n_periods=16, n_pre=10, effect=3.0, seed=8)
    res = synthetic_control(
        frame,
        unit="unit",
        time="period",
        outcome="y",
        treated="treated",
        treatment_start=10,
        predictors=["x1", ("y", [2]), ("y", [5]), ("y", [9])],
        placebos=False,
        loo=False,
        in_time=False,
    )
    assert res.v is not None and len(res.v) == 4
    assert res.estimate == pytest.approx(3.0, abs=1.0)
    assert res.p_value is None
    assert "Inget placebotest" in res.verdict_sv


@pytest.fixture(scope="module")
def municipal():
    """300+ donors and 7 pre-years: the municipal case (SIMULATED)."""
    return simulate_factor_panel(n_units=320, n_periods=10, n_pre=7, effect=-5.0, seed=3)


def test_municipal_case_flags_a_fit_too_good(municipal) -> None:
    with pytest.warns(EstimationWarning, match="exact"):
        res = synthetic_control(
            municipal,
            unit="unit",
            time="period",
            outcome="y",
            treated="treated",
            treatment_start=7,
            loo=False,
            in_time=False,
        )
    assert res.fit_too_good
    assert res.pre_rmspe < 1e-3
    assert "inte informativt" in res.verdict_sv
    assert "not informative" in res.verdict_en


def test_municipal_case_penalised_variant(municipal) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", EstimationWarning)
        res = synthetic_control(
            municipal,
            unit="unit",
            time="period",
            outcome="y",
            treated="treated",
            treatment_start=7,
            method="penalized",
            loo=False,
            in_time=False,
        )
    assert res.lam is not None and res.lam > 0
    assert not res.fit_too_good
    assert (res.weights > 0.01).sum() <= 10
    assert res.estimate == pytest.approx(-5.0, abs=1.5)
    assert res.rank <= 16  # top 5 % of 320


def test_restricted_donor_pool(municipal) -> None:
    res = synthetic_control(
        municipal,
        unit="unit",
        time="period",
        outcome="y",
        treated="treated",
        treatment_start=7,
        donor_pool_size=20,
        loo=False,
        in_time=False,
    )
    assert len(res.weights) == 20
    assert res.placebos.n_units == 21
    assert "begränsades till de 20" in res.verdict_sv


def test_augmented_reduces_imbalance() -> None:
    frame = simulate_factor_panel(
        n_units=30, n_periods=14, n_pre=6, effect=-4.0, seed=12, noise=0.3
    )
    kw = dict(unit="unit", time="period", outcome="y", treated="treated", treatment_start=6)
    plain = synthetic_control(frame, **kw, placebos=False, loo=False, in_time=False)
    aug = synthetic_control(
        frame, **kw, method="augmented", placebos=False, loo=False, in_time=False
    )
    assert aug.pre_rmspe <= plain.pre_rmspe + 1e-9
    assert np.isclose(aug.weights.sum(), 1.0)
    assert aug.estimate == pytest.approx(-4.0, abs=1.0)


def test_parallel_placebos_give_the_same_table() -> None:
    from grannskap.evaluation.synth import fit_weights, placebo_in_space, prepare_panel

    frame = simulate_factor_panel(n_units=25, n_periods=14, n_pre=9, effect=-3.0, seed=5)
    panel = prepare_panel(
        frame, unit="unit", time="period", outcome="y", treated="treated", treatment_start=9
    )
    fit = fit_weights(panel)
    one = placebo_in_space(panel, fit)
    two = placebo_in_space(panel, fit, n_jobs=2)
    pd.testing.assert_frame_equal(one.table, two.table)
    pd.testing.assert_frame_equal(one.gaps, two.gaps)
