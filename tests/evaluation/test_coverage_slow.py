"""Unbiasedness and nominal coverage over 500 SIMULATED panels with a known effect (slow).

Run with ``python -m pytest -m slow tests/evaluation/test_coverage_slow.py``. With 500
replications the Monte Carlo standard error of a 95 % coverage rate is about 0.01, so the
accepted band [0.925, 0.975] is about +-2.5 MC standard errors.
"""

from __future__ import annotations

import pytest

from grannskap.evaluation.simulate import coverage_study

CASES = {
    "cs_simple": dict(estimator="cs"),
    "cs_conditional_pt": dict(estimator="cs", x_trend=0.2, x_selection=1.0),
    "cs_event_time_0": dict(estimator="cs_dynamic0"),
    "twfe_one_cohort": dict(estimator="twfe", cohorts=(2015,), effect_slope=0.0),
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(CASES))
def test_unbiased_with_nominal_coverage(case: str) -> None:
    res = coverage_study(reps=500, **CASES[case])  # type: ignore[arg-type]
    assert abs(res.bias) < 3 * res.mc_se, res
    assert 0.925 <= res.coverage <= 0.975, res
