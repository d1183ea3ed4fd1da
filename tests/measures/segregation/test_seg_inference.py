"""Bootstrap and random-allocation inference: the samplers draw the right distributions.

References: the exact binomial / multivariate hypergeometric distributions (scipy, numpy),
PySAL's ``evenness`` null (mean of D under it), and the chi-square approximation of M
under independence (Mora & Ruiz-Castillo 2011).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from grannskap.measures import segregation as seg
from grannskap.measures.segregation import _sampling as smp


def test_binomial_table_matches_binomial_pmf() -> None:
    t = np.array([0, 1, 7, 40, 333, 2500])
    q = 0.27
    draws = smp.BinomialTable(t, q).sample(np.random.default_rng(5), 100_000)
    for j, tj in enumerate(t):
        observed = np.bincount(draws[:, j], minlength=tj + 1)
        expected = stats.binom.pmf(np.arange(tj + 1), tj, q) * draws.shape[0]
        keep = expected > 5  # chi-square on the cells with enough expected counts
        if keep.sum() < 2:
            assert (draws[:, j] == 0).all() if tj == 0 else True
            continue
        chi2 = ((observed[keep] - expected[keep]) ** 2 / expected[keep]).sum()
        assert chi2 < stats.chi2.ppf(0.9999, keep.sum() - 1), (tj, chi2)


def test_two_group_permutation_is_hypergeometric() -> None:
    """Fixed margins, and each area's count has the hypergeometric mean and variance."""
    rng = np.random.default_rng(2)
    t = np.array([3, 50, 120, 7, 400, 0, 20])
    X = 150
    x = smp.two_group_permutation(rng, t, X, 40_000)
    assert (x.sum(axis=1) == X).all()
    assert (x >= 0).all() and (x <= t).all()
    T = t.sum()
    mean = X * t / T
    var = X * (t / T) * (1 - t / T) * (T - X) / (T - 1)
    assert (np.abs(x.mean(axis=0) - mean) <= 4 * np.sqrt(var / x.shape[0]) + 1e-12).all()
    assert (np.abs(x.var(axis=0) - var) <= 0.05 * var + 1e-12).all()
    # covariance between two areas of a multivariate hypergeometric is negative
    cov = np.cov(x[:, 2], x[:, 4])[0, 1]
    expected = -X * (t[2] / T) * (t[4] / T) * (T - X) / (T - 1)
    assert cov == pytest.approx(expected, rel=0.1)


def test_fast_and_general_permutation_nulls_agree() -> None:
    """D under random allocation: the fast two-group sampler vs the generic tree sampler."""
    rng = np.random.default_rng(9)
    t = rng.integers(5, 60, 150)
    x = rng.binomial(t, 0.3)
    c = np.column_stack([x, t - x])
    fast = seg.simulate_null(c, "dissimilarity", n_sim=3000, seed=1)
    tables = smp.multigroup_permutation(np.random.default_rng(2), t, c.sum(axis=0), 3000)
    assert (tables.sum(axis=2) == t).all() and (tables.sum(axis=1) == c.sum(axis=0)).all()
    general = seg.TWO_GROUP_INDICES["dissimilarity"](tables[..., 0].astype(float), t.astype(float))
    se = np.sqrt(fast.var() / fast.size + general.var() / general.size)
    assert abs(fast.mean() - general.mean()) < 5 * se
    assert fast.std() == pytest.approx(general.std(), rel=0.1)


def test_permutation_test_detects_segregation_and_not_randomness() -> None:
    rng = np.random.default_rng(4)
    t = rng.integers(50, 200, 200)
    segregated = np.column_stack([rng.binomial(t, rng.beta(1, 3, 200)), np.zeros(200, int)])
    segregated[:, 1] = t - segregated[:, 0]
    res = seg.permutation_test(segregated, "dissimilarity", n_sim=300, seed=1)
    assert res.p_value < 0.01 and res.statistic > res.expected
    random_ = smp.two_group_permutation(rng, t, int(segregated[:, 0].sum()), 1)[0]
    res0 = seg.permutation_test(
        np.column_stack([random_, t - random_]), "dissimilarity", n_sim=300, seed=1
    )
    assert res0.p_value > 0.01
    assert res0.expected > 0  # random allocation gives D > 0 in finite areas


def test_evenness_null_mean_matches_pysal(deso_background: pd.DataFrame) -> None:
    """Mean of D under the evenness null vs PySAL's ``simulate_evenness`` (Borås DeSO 2022)."""
    pytest.importorskip("segregation")
    from segregation.inference.randomization import simulate_evenness
    from segregation.singlegroup import Dissim

    gpd = pytest.importorskip("geopandas")
    df = deso_background[deso_background.index.str.startswith("1490")]
    gdf = gpd.GeoDataFrame(
        df.reset_index(), geometry=gpd.points_from_xy(np.arange(len(df)), np.zeros(len(df)))
    )
    np.random.seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = np.array(
            [
                Dissim(
                    simulate_evenness(gdf, group="foreign", total="total"), "foreign", "total"
                ).statistic
                for _ in range(80)
            ]
        )
    ours = seg.simulate_null(
        df[["foreign", "swedish"]], "dissimilarity", null="evenness", n_sim=2000, seed=3
    )
    se = np.sqrt(theirs.var() / theirs.size + ours.var() / ours.size)
    assert abs(theirs.mean() - ours.mean()) < 5 * se


def test_expected_m_matches_chi_square_approximation() -> None:
    rng = np.random.default_rng(6)
    t = rng.integers(200, 400, 80)
    c = np.column_stack([rng.binomial(t, 0.4), np.zeros(80, int)])
    c[:, 1] = t - c[:, 0]
    sim = seg.expected_value(c, "mutual_information", n_sim=400, seed=2)
    assert sim == pytest.approx(seg.expected_m_independence(c), rel=0.1)


def test_bootstrap_ci_and_bias_correction() -> None:
    rng = np.random.default_rng(7)
    t = rng.integers(10, 40, 300)  # small areas: M is biased upwards
    p = rng.beta(2, 5, 300)
    x = rng.binomial(t, p)
    c = np.column_stack([x, t - x])
    res = seg.bootstrap_ci(c, "mutual_information", n_boot=400, seed=1)
    # the default interval is for the bias-corrected value; here the bias (~2.5 se) is so
    # large that the uncorrected estimate lies above it
    assert res.interval_for == "bias_corrected"
    assert res.ci_low < res.bias_corrected < res.ci_high < res.statistic
    around = seg.bootstrap_ci(c, "mutual_information", n_boot=400, seed=1, method="percentile")
    assert around.interval_for == "statistic"
    assert around.ci_low < around.statistic < around.ci_high
    assert around.ci_high - around.ci_low == pytest.approx(res.ci_high - res.ci_low)
    assert res.bias > 0 and res.se > 0
    assert res.bias_corrected == pytest.approx(res.statistic - res.bias)
    bc = seg.bias_corrected(c, "mutual_information", seed=1)
    assert bc.statistic < bc.statistic + bc.bias
    # the debiased interval is centred on the corrected value
    assert bc.ci_low < bc.statistic < bc.ci_high
    again = seg.bootstrap_ci(c, "mutual_information", n_boot=400, seed=1)
    assert again.ci_low == res.ci_low  # reproducible with a seed


def test_bootstrap_table_scheme_keeps_total() -> None:
    c = np.array([[5, 3], [0, 9], [4, 4]])
    draws = smp.bootstrap_table(np.random.default_rng(1), c, 50)
    assert (draws.sum(axis=(1, 2)) == c.sum()).all()
    within = smp.bootstrap_within_areas(np.random.default_rng(1), c, 50)
    assert (within.sum(axis=2) == c.sum(axis=1)).all()


def test_compare_two_years() -> None:
    rng = np.random.default_rng(8)
    t = rng.integers(100, 300, 200)
    p = rng.beta(1, 3, 200)
    x1 = rng.binomial(t, p)
    x2 = rng.binomial(t, np.clip(p * 0.6 + 0.1, 0, 1))  # less segregated second year
    c1, c2 = np.column_stack([x1, t - x1]), np.column_stack([x2, t - x2])
    res = seg.compare(c1, c2, "dissimilarity", n_boot=300, seed=1)
    assert res.difference < 0 and res.ci_high < 0 and res.p_value < 0.01
    same = seg.compare(c1, c1, "dissimilarity", n_boot=300, seed=1)
    assert same.difference == 0 and same.ci_low < 0 < same.ci_high and same.p_value == 1.0


def test_systematic_null_matches_multinomial() -> None:
    """PySAL's systematic null: our Poissonised sampler vs numpy's multinomial, per area."""
    rng = np.random.default_rng(11)
    t = rng.integers(5, 80, 60)
    X, Y = 700, 1500
    x, y = smp.two_group_systematic(np.random.default_rng(1), t, X, Y, 20_000)
    assert (x.sum(axis=1) == X).all() and (y.sum(axis=1) == Y).all() and (x >= 0).all()
    p = t / t.sum()
    assert (np.abs(x.mean(axis=0) - X * p) <= 5 * np.sqrt(X * p * (1 - p) / x.shape[0])).all()
    assert (np.abs(x.var(axis=0) - X * p * (1 - p)) <= 0.06 * X * p * (1 - p)).all()
    cov = np.cov(x[:, 0], x[:, 1])[0, 1]
    assert cov == pytest.approx(-X * p[0] * p[1], rel=0.25)


def test_threads_do_not_change_results(monkeypatch: pytest.MonkeyPatch) -> None:
    from grannskap.measures.segregation import inference

    monkeypatch.setattr(inference, "_CHUNK_ELEMENTS", 20_000)  # several chunks
    rng = np.random.default_rng(12)
    t = rng.integers(20, 200, 500)
    x = rng.binomial(t, 0.25)
    c = np.column_stack([x, t - x])
    for null in ("permutation", "systematic"):
        one = seg.simulate_null(c, "dissimilarity", null=null, n_sim=300, seed=4)
        two = seg.simulate_null(c, "dissimilarity", null=null, n_sim=300, seed=4, n_jobs=2)
        np.testing.assert_array_equal(one, two)
