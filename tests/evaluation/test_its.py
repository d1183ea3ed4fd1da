"""Interrupted time series against statsmodels OLS with HAC (Newey-West) covariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import EstimationError
from grannskap.evaluation.its import its


def _series(seed: int, n: int = 30, start: int = 2005) -> tuple[np.ndarray, pd.Series]:
    """SIMULATED AR(1) series with a level jump of 2 at ``start``."""
    rng = np.random.default_rng(seed)
    t = np.arange(start - n // 2, start + n - n // 2)
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = 0.5 * e[i - 1] + rng.normal()
    y = 1 + 0.1 * (t - start) + 2 * (t >= start) + e
    return t, pd.Series(y, index=t)


@pytest.mark.parametrize("lags", [1, 2, 4])
@pytest.mark.parametrize("correction", [False, True])
def test_its_matches_statsmodels_hac(lags: int, correction: bool) -> None:
    sm = pytest.importorskip("statsmodels.api")
    t, y = _series(lags)
    x = np.column_stack([np.ones(len(t)), t - 2005, t >= 2005, (t - 2005) * (t >= 2005)])
    peer = sm.OLS(y.to_numpy(), x.astype(float)).fit(
        cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": correction}
    )
    ours = its(y, 2005, maxlags=lags, use_correction=correction)
    np.testing.assert_allclose(ours.coef, peer.params, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.se, peer.bse, rtol=1e-10)
    np.testing.assert_allclose(ours.vcov, peer.cov_params(), rtol=1e-9, atol=1e-14)


def test_comparison_series_is_difference() -> None:
    sm = pytest.importorskip("statsmodels.api")
    t, y = _series(7)
    rng = np.random.default_rng(8)
    comp = pd.Series(0.3 * (t - 2005) + rng.normal(size=len(t)), index=t)
    ours = its(y, 2005, comparison=comp, maxlags=2, use_correction=False)
    x = np.column_stack([np.ones(len(t)), t - 2005, t >= 2005, (t - 2005) * (t >= 2005)])
    peer = sm.OLS((y - comp).to_numpy(), x.astype(float)).fit(
        cov_type="HAC", cov_kwds={"maxlags": 2}
    )
    np.testing.assert_allclose(ours.coef, peer.params, rtol=1e-10)
    np.testing.assert_allclose(ours.se, peer.bse, rtol=1e-10)
    assert ours.comparison


def test_effect_at_combines_level_and_slope() -> None:
    _, y = _series(3)
    res = its(y, 2005, maxlags=1)
    est, se = res.effect_at(2007)
    assert est == pytest.approx(res.coef[2] + 2 * res.coef[3])
    c = np.array([0, 0, 1, 2.0])
    assert se == pytest.approx(float(np.sqrt(c @ res.vcov @ c)))


def test_too_few_periods_and_missing_values_are_errors() -> None:
    _, y = _series(3)
    with pytest.raises(EstimationError, match="before"):
        its(y.loc[2004:], 2005)
    bad = y.copy()
    bad.loc[2006] = np.nan
    with pytest.raises(EstimationError, match="2006"):
        its(bad, 2005)


def test_short_series_is_noted() -> None:
    _, y = _series(3, n=12)
    assert any("unreliable" in n for n in its(y, 2005).notes)


def test_p_values_and_intervals_use_t_with_n_minus_k_df() -> None:
    """Issue 14: 12 periods, 4 coefficients -> t(8). A t ratio of 3.6 has p = 0.00698 under
    t(8) (2 * scipy.stats.t.sf(3.6, 8) = 0.006982) against 0.00032 under the normal."""
    from scipy import stats

    _, y = _series(5, n=12)
    res = its(y, 2005, maxlags=1)
    assert res.df == 8
    frame = res.to_frame().set_index("term")
    ratio = res.coef / res.se
    np.testing.assert_allclose(frame["p"], 2 * stats.t.sf(np.abs(ratio), 8), rtol=1e-12)
    q = stats.t.ppf(0.975, 8)
    np.testing.assert_allclose(frame["ci_high"] - frame["estimate"], q * res.se, rtol=1e-12)
    assert 2 * stats.t.sf(3.6, 8) == pytest.approx(0.006982, abs=1e-6)
    assert 2 * stats.norm.sf(3.6) < 0.0004
