"""Random allocation in parallel (issue 17): same result for any ``n_jobs``, exact laws.

The compiled sampler (``_sampling_numba``, with numba) and the numpy samplers are both
checked against the multivariate hypergeometric law of fixed-margin random allocation
(mean ``X t_i / T``, variance ``X (t_i / T)(1 - t_i / T)(T - X) / (T - 1)``) and against
each other.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from grannskap.measures import segregation as seg
from grannskap.measures.segregation import _sampling as smp
from grannskap.measures.segregation import inference

numba = pytest.importorskip("numba")
from grannskap.measures.segregation._sampling_numba import _arrays, _tail, two_group_null  # noqa: E402


def _table(seed: int = 12, n: int = 500) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = rng.integers(20, 200, n)
    x = rng.binomial(t, 0.25)
    return np.column_stack([x, t - x])


@pytest.mark.parametrize("use_numba", [True, False])
@pytest.mark.parametrize("index", ["dissimilarity", "gini", "isolation"])
@pytest.mark.parametrize("null", ["permutation", "evenness"])
def test_same_result_for_any_n_jobs(
    monkeypatch: pytest.MonkeyPatch, use_numba: bool, index: str, null: str
) -> None:
    monkeypatch.setattr(inference, "_USE_NUMBA", use_numba)
    monkeypatch.setattr(inference, "_COMPILED_MIN_DRAWS", 0)
    monkeypatch.setattr(inference, "_CHUNK_ELEMENTS", 20_000)  # several chunks
    c = _table()
    one = seg.simulate_null(c, index, null=null, n_sim=120, seed=4)  # type: ignore[arg-type]
    two = seg.simulate_null(c, index, null=null, n_sim=120, seed=4, n_jobs=2)  # type: ignore[arg-type]
    np.testing.assert_array_equal(one, two)
    assert np.isfinite(one).all() and one.std() > 0


def test_permutation_test_passes_n_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """permutation_test used to drop n_jobs; now it reaches simulate_null."""
    seen: list[int] = []
    real = inference.simulate_null

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(kwargs["n_jobs"])
        return real(*args, **kwargs)

    monkeypatch.setattr(inference, "simulate_null", spy)
    monkeypatch.setattr(inference, "_COMPILED_MIN_DRAWS", 0)
    c = _table()
    a = inference.permutation_test(c, "dissimilarity", n_sim=50, seed=1, n_jobs=2)
    b = inference.permutation_test(c, "dissimilarity", n_sim=50, seed=1, n_jobs=1)
    assert seen == [2, 1]
    assert a.p_value == b.p_value and a.expected == b.expected


def test_compiled_tables_are_fixed_margin_hypergeometric() -> None:
    rng = np.random.default_rng(3)
    t = np.array([40, 7, 300, 1, 120, 55])
    X = 150
    T = int(t.sum())
    table = smp.BinomialTable(t, X / T)
    x = two_group_null(rng, table, t, X, 20_000, fixed=True, want_d=False)
    assert (x.sum(axis=1) == X).all() and (x >= 0).all() and (x <= t).all()
    p = t / T
    mean = X * p
    var = X * p * (1 - p) * (T - X) / (T - 1)
    assert (np.abs(x.mean(axis=0) - mean) < 5 * np.sqrt(var / x.shape[0]) + 1e-9).all()
    np.testing.assert_allclose(x.var(axis=0), var, rtol=0.06, atol=1e-9)
    # one area's whole law: chi-square goodness of fit against Hypergeom(T, X, t_0)
    k = np.arange(0, 41)
    expected = stats.hypergeom.pmf(k, T, X, t[0]) * x.shape[0]
    observed = np.bincount(x[:, 0], minlength=41)[:41]
    keep = expected > 5
    chi2 = (((observed - expected) ** 2) / expected)[keep].sum()
    assert chi2 < stats.chi2.ppf(0.999, keep.sum() - 1)


def test_compiled_evenness_is_binomial() -> None:
    rng = np.random.default_rng(5)
    t = np.array([10, 200, 33])
    q = 0.3
    table = smp.BinomialTable(t, q)
    x = two_group_null(rng, table, t, int(q * t.sum()), 20_000, fixed=False, want_d=False)
    np.testing.assert_allclose(x.mean(axis=0), t * q, rtol=0.02)
    np.testing.assert_allclose(x.var(axis=0), t * q * (1 - q), rtol=0.06)


def test_compiled_and_numpy_nulls_agree(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inference, "_COMPILED_MIN_DRAWS", 0)
    c = _table(n=300)
    ours = seg.simulate_null(c, "dissimilarity", n_sim=2000, seed=1)
    monkeypatch.setattr(inference, "_USE_NUMBA", False)
    numpy_ = seg.simulate_null(c, "dissimilarity", n_sim=2000, seed=1)
    se = np.sqrt(ours.var() / ours.size + numpy_.var() / numpy_.size)
    assert abs(ours.mean() - numpy_.mean()) < 5 * se
    assert ours.std() == pytest.approx(numpy_.std(), rel=0.1)
    assert not np.array_equal(ours, numpy_)  # different (documented) random streams


def test_small_tables_keep_the_numpy_path(monkeypatch: pytest.MonkeyPatch) -> None:
    c = _table(n=77)
    a = seg.simulate_null(c, "dissimilarity", n_sim=200, seed=2)
    monkeypatch.setattr(inference, "_USE_NUMBA", False)
    np.testing.assert_array_equal(a, seg.simulate_null(c, "dissimilarity", n_sim=200, seed=2))


def test_tail_inversion_matches_scipy() -> None:
    """Draws outside the tabulated window are inverted exactly (scipy's binom.ppf)."""
    rng = np.random.default_rng(0)
    t = rng.integers(1, 5000, 300)
    q = 0.23
    table = smp.BinomialTable(t, q)
    _, _, _, _, mid, half, tt, lo, hi, F_lo, F_hi, pmf_lo, pmf_hi, _, _ = _arrays(table)
    checked = 0
    for row in range(tt.shape[0]):
        us = np.concatenate([rng.uniform(0, F_lo[row], 3), 1 - rng.uniform(0, 1 - F_hi[row], 3)])
        for u in us:
            if u <= 0 or abs(u - mid[row]) < half[row]:
                continue
            got = _tail(u, row, tt, q, lo, hi, F_lo, F_hi, pmf_lo, pmf_hi)
            assert got == int(stats.binom.ppf(u, tt[row], q)), (row, u)
            checked += 1
    assert checked > 500
