"""Power/MDE (Burlig, Preonas & Woerman 2020) and cost per unit of effect (Fieller 1954)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from grannskap.errors import EstimationError
from grannskap.evaluation.cost import cost_per_effect
from grannskap.evaluation.power import (
    ar1_covariance,
    error_covariance,
    mde_bpw,
    mde_did,
    simulated_mde,
)
from grannskap.evaluation.simulate import simulate_panel


@pytest.mark.parametrize("m,r,rho,icc", [(1, 1, 0.0, 0.0), (4, 3, 0.5, 0.2), (7, 5, 0.8, 0.6)])
def test_mde_equals_bpw_formula(m: int, r: int, rho: float, icc: float) -> None:
    """BPW (2020) eq. with psi_B, psi_A, psi_X = average pre/post/cross covariances."""
    cov = ar1_covariance(m + r, 2.0, rho, icc)
    pre, post = np.arange(m), np.arange(m, m + r)
    off = ~np.eye(m + r, dtype=bool)
    psi_b = cov[np.ix_(pre, pre)][off[np.ix_(pre, pre)]].mean() if m > 1 else 0.0
    psi_a = cov[np.ix_(post, post)][off[np.ix_(post, post)]].mean() if r > 1 else 0.0
    psi_x = cov[np.ix_(pre, post)].mean()
    j, p = 200, 0.25
    expected = mde_bpw(j, p, m, r, sigma2=2.0, psi_pre=psi_b, psi_post=psi_a, psi_cross=psi_x)
    got = mde_did(int(p * j), int((1 - p) * j), m, r, sigma2=2.0, rho=rho, icc=icc)
    assert got.mde == pytest.approx(expected, rel=1e-12)


def test_mde_textbook_case() -> None:
    """Independent errors, 2 periods: MDE = 2.8 * sqrt(2 s^2 (1/nT + 1/nC)) (Bloom 1995)."""
    res = mde_did(50, 50, 1, 1, sigma2=1.0)
    assert res.mde == pytest.approx(
        (stats.norm.ppf(0.975) + stats.norm.ppf(0.8)) * np.sqrt(2 * (1 / 50 + 1 / 50))
    )
    assert mde_did(3, 50, 1, 1, sigma2=1.0).notes  # few treated units: flagged


def test_analytic_power_is_attained_on_simulated_panels() -> None:
    """SIMULATED AR(1) panels: a true effect equal to the analytic MDE is detected ~80 % of times."""
    n_t, n_c, m, r, rho = 40, 160, 4, 3, 0.6
    mde = mde_did(n_t, n_c, m, r, sigma2=1.0, rho=rho).mde
    rng = np.random.default_rng(0)
    cov = ar1_covariance(m + r, 1.0, rho)
    chol = np.linalg.cholesky(cov)
    c = np.r_[np.full(m, -1 / m), np.full(r, 1 / r)]
    hits = 0
    reps = 800
    for _ in range(reps):
        e = rng.normal(size=(n_t + n_c, m + r)) @ chol.T
        contrast = e @ c
        contrast[:n_t] += mde
        est = contrast[:n_t].mean() - contrast[n_t:].mean()
        se = np.sqrt(contrast[:n_t].var(ddof=1) / n_t + contrast[n_t:].var(ddof=1) / n_c)
        hits += abs(est / se) > stats.norm.ppf(0.975)
    assert hits / reps == pytest.approx(0.8, abs=0.05)


def test_simulated_mde_close_to_analytic_on_iid_panel() -> None:
    """SIMULATED panel without serial correlation: placebo MDE ~ analytic MDE from its covariance."""
    sim = simulate_panel(600, range(2000, 2012), cohorts=(2030,), share_treated=0.01, seed=4)
    d = sim.data
    cov = error_covariance(d, outcome="value", unit="area_code", time="year")
    analytic = mde_did(20, 580, 4, 3, cov=cov).mde
    sm = simulated_mde(
        d,
        outcome="value",
        unit="area_code",
        time="year",
        n_treated=20,
        n_pre=4,
        n_post=3,
        reps=1500,
        seed=1,
    )
    assert sm.mde_placebo == pytest.approx(analytic, rel=0.15)
    assert sm.mde_nominal == pytest.approx(analytic, rel=0.15)
    assert 0.02 < sm.size_nominal < 0.09


def test_simulated_mde_on_real_panel_mpdta(mpdta: pd.DataFrame) -> None:
    """Placebo MDE on the real mpdta panel is finite, positive and shrinks with more treated."""
    kw = dict(outcome="lemp", unit="countyreal", time="year", n_pre=3, n_post=2, reps=600)
    few = simulated_mde(mpdta, n_treated=3, **kw)
    many = simulated_mde(mpdta, n_treated=60, **kw)
    assert 0 < many.mde_placebo < few.mde_placebo < np.inf


def test_power_bad_design_is_error() -> None:
    with pytest.raises(EstimationError, match="treated"):
        mde_did(0, 10, 2, 2, sigma2=1.0)
    with pytest.raises(EstimationError, match="periods"):
        mde_did(5, 10, 5, 5, cov=np.eye(4))


def test_cost_fieller_known_cost_is_transformed_effect_interval() -> None:
    """With a booked (certain) cost, Fieller's interval is cost / (effect interval)."""
    res = cost_per_effect(1_000_000, 2.0, 0.5)
    z = stats.norm.ppf(0.975)
    assert res.ci_low == pytest.approx(1e6 / (2 + z * 0.5))
    assert res.ci_high == pytest.approx(1e6 / (2 - z * 0.5))
    assert res.bounded


def test_cost_unbounded_when_effect_not_significant() -> None:
    for method in ("fieller", "bootstrap"):
        res = cost_per_effect(1e6, 2.0, 1.5, method=method)
        assert not res.bounded and np.isinf(res.ci_low) and res.notes
    delta = cost_per_effect(1e6, 2.0, 1.5, method="delta")
    assert not delta.bounded and any("misleading" in n for n in delta.notes)


def test_cost_methods_agree_for_precise_effect() -> None:
    f = cost_per_effect(5e5, 10.0, 0.5, cost_se=2e4)
    b = cost_per_effect(5e5, 10.0, 0.5, cost_se=2e4, method="bootstrap", draws=200_000)
    d = cost_per_effect(5e5, 10.0, 0.5, cost_se=2e4, method="delta")
    for other in (b, d):
        assert other.ci_low == pytest.approx(f.ci_low, rel=0.01)
        assert other.ci_high == pytest.approx(f.ci_high, rel=0.01)


def test_cost_zero_effect_is_error() -> None:
    with pytest.raises(EstimationError, match="exactly 0"):
        cost_per_effect(1e6, 0.0, 1.0)
