"""Spatial bootstrap / random-allocation tests: consistency with the aspatial machinery."""

from __future__ import annotations

import pytest

from grannskap.measures import segregation as seg
from grannskap.measures.segregation.synthetic import synthetic_sweden


@pytest.fixture(scope="module")
def simulated():
    """SIMULATED Sweden-like areas (not real data)."""
    df = synthetic_sweden(600, seed=5)
    return df[["foreign", "swedish"]].to_numpy(), df[["x", "y"]].to_numpy()


def test_zero_bandwidth_bootstrap_is_the_aspatial_bootstrap(simulated) -> None:
    c, xy = simulated
    sp = seg.spatial_bootstrap_ci(c, xy, 1.0, "dissimilarity", n_boot=60, seed=5)
    asp = seg.bootstrap_ci(c, "dissimilarity", n_boot=60, seed=5)
    assert sp.statistic == pytest.approx(asp.statistic, rel=1e-12)
    assert sp.ci_low == pytest.approx(asp.ci_low, rel=1e-12)
    assert sp.ci_high == pytest.approx(asp.ci_high, rel=1e-12)


def test_spatial_interval_and_null(simulated) -> None:
    c, xy = simulated
    r = seg.spatial_bootstrap_ci(c, xy, 3000.0, "theil_h", n_boot=80, seed=1)
    assert r.statistic == pytest.approx(
        seg.spatial_information_theory(c, xy, 3000.0).statistic, rel=1e-12
    )
    assert r.ci_low < r.statistic + r.bias < r.ci_high and r.se > 0
    p = seg.spatial_permutation_test(c, xy, 3000.0, "dissimilarity", n_sim=60, seed=1)
    assert p.statistic > p.expected and p.p_value < 0.05
    # random allocation leaves little spatial D, and less than the aspatial expectation
    # because smoothing averages the noise of small areas away
    aspatial_expected = seg.expected_value(c, "dissimilarity", n_sim=60, seed=1)
    assert 0 < p.expected < aspatial_expected
