"""Property tests (Hypothesis) for the invariances every segregation index must have.

Relabelling areas (row order) and the other groups never changes an index; multigroup
indices are invariant to relabelling groups; scaling all counts by a constant changes
nothing (organisational equivalence / scale invariance, Reardon & Firebaugh 2002, and
James & Taeuber 1985); bounds: D, Gini, H, isolation, exposure in [0, 1], M in
[0, ln K]; D of a group equals D of its complement; M = between + within.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from grannskap.measures import segregation as seg

TWO = list(seg.TWO_GROUP_INDICES)
MULTI = list(seg.MULTI_GROUP_INDICES)


@st.composite
def tables(draw: st.DrawFn, min_groups: int = 2, max_groups: int = 4) -> np.ndarray:
    n = draw(st.integers(2, 25))
    k = draw(st.integers(min_groups, max_groups))
    c = draw(arrays(np.int64, (n, k), elements=st.integers(0, 500)))
    totals = c.sum(axis=0)
    assume((totals > 0).all())
    assume((c.sum(axis=1) > 0).sum() >= 2)
    return c


def _value(name: str, c: np.ndarray, group: int = 0) -> float:
    return seg.compute_index(name, c, group=group).statistic


@given(tables(), st.randoms(use_true_random=False))
def test_relabel_areas(c: np.ndarray, rnd) -> None:
    perm = list(range(c.shape[0]))
    rnd.shuffle(perm)
    for name in TWO + MULTI:
        assert _value(name, c[perm]) == pytest.approx(_value(name, c), rel=1e-9, abs=1e-12), name


@given(tables(min_groups=3), st.randoms(use_true_random=False))
def test_relabel_groups(c: np.ndarray, rnd) -> None:
    perm = list(range(c.shape[1]))
    rnd.shuffle(perm)
    inv = int(np.argsort(perm)[0])  # where group 0 went
    for name in MULTI:
        assert _value(name, c[:, perm]) == pytest.approx(_value(name, c), rel=1e-9, abs=1e-12), name
    for name in TWO:  # the two-group indices only see the focal group and the rest
        assert _value(name, c[:, perm], group=inv) == pytest.approx(
            _value(name, c), rel=1e-9, abs=1e-12
        ), name


@given(tables(), st.integers(2, 50))
def test_scale_invariance(c: np.ndarray, k: int) -> None:
    for name in TWO + MULTI:
        if name == "mutual_information" or name == "theil_h":
            pass
        assert _value(name, c * k) == pytest.approx(_value(name, c), rel=1e-9, abs=1e-12), name


@given(tables())
def test_bounds(c: np.ndarray) -> None:
    for name in [
        "dissimilarity",
        "gini",
        "isolation",
        "exposure",
        "atkinson",
        "theil_h",
        "multigroup_dissimilarity",
    ]:
        v = _value(name, c)
        assert -1e-12 <= v <= 1 + 1e-12, (name, v)
    M = seg.mutual_information(c)
    assert -1e-12 <= M.M <= np.log(c.shape[1]) + 1e-12
    assert M.H == pytest.approx(seg.theil_h(c).statistic, rel=1e-12)


@given(tables(min_groups=2, max_groups=2))
def test_dissimilarity_symmetric_in_the_two_groups(c: np.ndarray) -> None:
    assert _value("dissimilarity", c, 0) == pytest.approx(
        _value("dissimilarity", c, 1), rel=1e-9, abs=1e-12
    )
    assert _value("gini", c, 0) == pytest.approx(_value("gini", c, 1), rel=1e-9, abs=1e-12)
    # two groups: multigroup D equals D (Reardon & Firebaugh 2002)
    assert _value("multigroup_dissimilarity", c) == pytest.approx(
        _value("dissimilarity", c), rel=1e-9, abs=1e-12
    )


@given(tables(), st.data())
def test_between_plus_within_is_total(c: np.ndarray, data: st.DataObject) -> None:
    higher = np.array(
        data.draw(st.lists(st.sampled_from("abc"), min_size=c.shape[0], max_size=c.shape[0]))
    )
    d = seg.decompose_between_within(c, higher)
    assert d.between_M + d.within_M == pytest.approx(d.total_M, rel=1e-9, abs=1e-12)
    assert d.between_H + d.within_H == pytest.approx(d.total_H, rel=1e-9, abs=1e-12)
    assert d.between_M <= d.total_M + 1e-12


@given(tables())
def test_local_contributions_sum_to_m(c: np.ndarray) -> None:
    loc = seg.local_measures(c)
    assert loc.frame.contribution_M.sum() == pytest.approx(
        seg.mutual_information(c).M, rel=1e-9, abs=1e-12
    )
    assert seg.local_linkage_by_group(c).contribution.sum() == pytest.approx(
        loc.M, rel=1e-9, abs=1e-12
    )


def test_even_table_is_zero_and_full_segregation_is_one() -> None:
    even = np.array([[10, 30], [20, 60], [5, 15]])
    full = np.array([[10, 0], [0, 60], [5, 0]])
    for name in [
        "dissimilarity",
        "gini",
        "theil_h",
        "multigroup_dissimilarity",
        "correlation_ratio",
    ]:
        assert _value(name, even) == pytest.approx(0.0, abs=1e-12), name
        assert _value(name, full) == pytest.approx(1.0, rel=1e-12), name


def test_spatial_lag_equals_sparse_weights_product() -> None:
    """The pairwise-bincount lag equals W @ counts with the explicit sparse kernel matrix."""
    rng = np.random.default_rng(3)
    xy = np.column_stack(
        [rng.uniform(300_000, 320_000, 400), rng.uniform(6_400_000, 6_420_000, 400)]
    )
    c = rng.integers(0, 300, (400, 3))
    for kernel in ("triangular", "parabolic", "bisquare", "boxcar"):
        W = seg.kernel_weights(xy, 2500.0, kernel=kernel)
        assert np.allclose(W.diagonal(), 1.0)
        assert abs(W - W.T).max() == 0
        lag = seg.spatial_lag(c, xy, 2500.0, kernel=kernel, round_counts=False)
        np.testing.assert_allclose(lag, W @ c, rtol=1e-12)
    # a huge bandwidth makes every local environment the whole region: no segregation left
    # (up to the kernel's distance decay), a tiny one leaves the aspatial index
    tiny = seg.kernel_spatial_dissimilarity(c, xy, 1.0).statistic
    assert tiny == pytest.approx(seg.dissimilarity(c).statistic, rel=1e-12)


@given(st.integers(0, 10_000), st.sampled_from([800.0, 2500.0]))
def test_spatial_indices_invariant_to_area_order(seed: int, distance: float) -> None:
    rng = np.random.default_rng(seed)
    n = 40
    xy = np.column_stack([rng.uniform(400_000, 406_000, n), rng.uniform(6_500_000, 6_506_000, n)])
    c = rng.integers(0, 200, (n, 3))
    c[0] = [5, 5, 5]  # every group present
    perm = rng.permutation(n)
    a = seg.spatial_information_theory(c, xy, distance).statistic
    b = seg.spatial_information_theory(c[perm], xy[perm], distance).statistic
    assert a == pytest.approx(b, rel=1e-9, abs=1e-12)
    a = seg.kernel_spatial_dissimilarity(c, xy, distance, group=2).statistic
    b = seg.kernel_spatial_dissimilarity(c[perm], xy[perm], distance, group=2).statistic
    assert a == pytest.approx(b, rel=1e-9, abs=1e-12)


def test_synthetic_generator_is_labelled_and_in_sweref() -> None:
    from grannskap.measures.segregation.synthetic import synthetic_sweden

    df = synthetic_sweden(2000, seed=7)
    assert df.attrs["synthetic"] is True and "SIMULATED" in df.attrs["note"]
    assert len(df) == 2000 and (df.foreign + df.swedish == df.total).all()
    assert df.total.sum() == pytest.approx(10_500_000, rel=0.01)
    seg.kernel_spatial_dissimilarity(
        df[["foreign", "swedish"]], df[["x", "y"]].to_numpy(), 1000.0
    )  # SWEREF check passes
    again = synthetic_sweden(2000, seed=7)
    assert again.equals(df)
