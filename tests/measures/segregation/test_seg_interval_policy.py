"""The interval policy (``grannskap.measures.segregation.interval``), as a property.

For every index and every function that returns an interval: the estimate the interval is
stated to be for (``interval_for``) lies inside it, whatever the table and the number of
replicates (issue 14: "no interval anywhere excludes the estimate printed beside it").
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from grannskap.errors import EstimationWarning
from grannskap.measures import segregation as seg
from grannskap.measures.segregation.interval import policy_interval


@st.composite
def tables(draw: st.DrawFn) -> np.ndarray:
    n = draw(st.integers(2, 20))
    k = draw(st.integers(2, 4))
    c = draw(arrays(np.int64, (n, k), elements=st.integers(0, 300)))
    assume((c.sum(axis=0) > 0).all())
    assume((c.sum(axis=1) > 0).sum() >= 2)
    # two-group indices need persons in and outside group 0 in every resample we can expect
    assume(0 < c[:, 0].sum() < c.sum())
    return c


def _inside(lo: float, point: float, hi: float) -> bool:
    return bool(lo <= point <= hi) or bool(np.isnan(point))


@settings(max_examples=25, deadline=None)
@given(
    tables(), st.integers(2, 40), st.sampled_from(["debiased", "percentile"]), st.integers(0, 99)
)
def test_every_index_estimate_inside_its_interval(
    c: np.ndarray, n_boot: int, method: str, seed: int
) -> None:
    for name in seg.INDEX_NAMES:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EstimationWarning)
            r = seg.bootstrap_ci(c, name, n_boot=n_boot, method=method, seed=seed)  # type: ignore[arg-type]
        if r.n_replicates == 0:
            continue
        assert r.interval_for == ("bias_corrected" if method == "debiased" else "statistic")
        assert _inside(r.ci_low, r.interval_estimate, r.ci_high), (name, r)
        assert r.interval_estimate == getattr(r, r.interval_for)


@given(
    arrays(np.float64, st.tuples(st.integers(1, 30)), elements=st.floats(-1e3, 1e3)),
    st.floats(-1e3, 1e3),
    st.floats(0.5, 0.99),
)
def test_policy_interval_contains_its_estimate_even_for_skewed_replicates(
    reps: np.ndarray, est: float, level: float
) -> None:
    """Skewed replicates (mean outside the central quantiles) are where a shifted interval
    would miss its own estimate; the policy widens it instead."""
    for method in ("debiased", "percentile"):
        iv = policy_interval(est, reps, level, method)  # type: ignore[arg-type]
        point = iv.bias_corrected if method == "debiased" else est
        assert iv.low <= point <= iv.high


def test_skewed_replicates_are_widened_not_excluded() -> None:
    # mean 2 lies above the 97.5 % quantile (0): shifted by 2 * bias the interval is [-2, -2]
    reps = np.array([0.0] * 98 + [100.0, 100.0])
    iv = policy_interval(1.0, reps, 0.95)
    assert iv.low <= iv.bias_corrected <= iv.high
    assert float(iv.bias_corrected) == pytest.approx(0.0)  # 2 * 1 - mean 2
    assert float(iv.low) == pytest.approx(-2.0) and float(iv.high) == pytest.approx(0.0)


@settings(max_examples=15, deadline=None)
@given(
    tables(), tables(), st.sampled_from(["dissimilarity", "theil_h", "mutual_information", "gini"])
)
def test_change_and_compare_inside(a: np.ndarray, b: np.ndarray, index: str) -> None:
    assume(a.shape[1] == b.shape[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimationWarning)
        r = seg.index_change(a, b, index, n_boot=15, n_perm=5, seed=1)
        q = seg.compare(a, b, index, n_boot=15, seed=1)
    assert _inside(r.ci_low, r.interval_estimate, r.ci_high)
    assert r.interval_estimate == r.difference_bias_corrected
    assert _inside(q.ci_low, q.interval_estimate, q.ci_high)


@settings(max_examples=10, deadline=None)
@given(tables(), st.sampled_from(["debiased", "percentile"]))
def test_decomposition_frames_inside(c: np.ndarray, method: str) -> None:
    higher = np.arange(c.shape[0]) % 2
    f = seg.decompose_between_within_ci(c, higher, n_boot=10, method=method, seed=3)  # type: ignore[arg-type]
    col = "bias_corrected" if method == "debiased" else "est"
    assert (f["interval_for"] == ("bias_corrected" if method == "debiased" else "statistic")).all()
    ok = f[col].isna() | ((f["ci_low"] <= f[col]) & (f[col] <= f["ci_high"]))
    assert ok.all(), f


def test_spatial_interval_inside() -> None:
    rng = np.random.default_rng(4)
    n = 40
    xy = np.column_stack([rng.uniform(3e5, 3.2e5, n), rng.uniform(6.4e6, 6.42e6, n)])
    t = rng.integers(100, 800, n)
    x = rng.binomial(t, rng.beta(2, 4, n))
    c = np.column_stack([x, t - x])
    for index in ("dissimilarity", "theil_h"):
        for method in ("debiased", "percentile"):
            r = seg.spatial_bootstrap_ci(c, xy, 2000.0, index, n_boot=30, seed=1, method=method)  # type: ignore[arg-type]
            assert r.ci_low <= r.interval_estimate <= r.ci_high


def test_national_like_h_interval_is_for_the_corrected_value() -> None:
    """Issue 14's symptom: with many small areas the plain H lies above its debiased interval;
    the interval is stated (and tested) to be for the corrected value, not the plain one."""
    rng = np.random.default_rng(11)
    n = 3000
    t = rng.integers(20, 60, n)
    x = rng.binomial(t, rng.beta(2, 5, n))
    c = np.column_stack([x, t - x])
    r = seg.bootstrap_ci(c, "theil_h", n_boot=100, seed=2)
    assert r.interval_for == "bias_corrected"
    assert r.ci_low <= r.bias_corrected <= r.ci_high < r.statistic
