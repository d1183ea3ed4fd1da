"""Change of an index between two years / places: interval, permutation test, M decomposition."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import InputError
from grannskap.measures import segregation as seg
from grannskap.measures.segregation.change import decompose_change, index_change


def school_table(long: pd.DataFrame) -> pd.DataFrame:
    return long.pivot_table(index="school", columns="race", values="n", aggfunc="sum", fill_value=0)


def _two_years(shift: float, n: int = 60, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.integers(500, 3000, n)
    p = rng.beta(2, 5, n)
    x_a = rng.binomial(t, p)
    x_b = rng.binomial(t, np.clip(p + shift * (p - p.mean()), 0.001, 0.999))
    return np.column_stack([x_a, t - x_a]), np.column_stack([x_b, t - x_b])


@pytest.mark.parametrize("index", ["dissimilarity", "theil_h", "mutual_information"])
def test_clear_change_is_detected_and_inside_interval(index: str) -> None:
    a, b = _two_years(shift=0.6)
    r = index_change(a, b, index, n_boot=199, n_perm=199, seed=3)
    assert r.design == "paired"
    assert r.estimate_a == pytest.approx(seg.compute_index(index, a).statistic, rel=1e-12)
    assert r.difference == pytest.approx(r.estimate_b - r.estimate_a, abs=1e-15)
    assert r.difference > 0
    assert r.p_value < 0.01
    assert r.ci_low <= r.interval_estimate <= r.ci_high
    assert r.interval_for == "difference_bias_corrected"
    assert r.ci_low > 0  # a clear rise: the whole interval above zero


def test_no_change_same_table() -> None:
    a, _ = _two_years(shift=0.0)
    r = index_change(a, a, "dissimilarity", n_boot=99, n_perm=99, seed=0)
    assert r.difference == 0.0
    assert r.p_value == 1.0
    assert r.ci_low < 0 < r.ci_high


def test_p_values_roughly_uniform_under_no_change() -> None:
    """Both years drawn from the same area compositions: the test rejects at ~ its level."""
    rng = np.random.default_rng(7)
    t = rng.integers(50, 400, 40)
    p = rng.beta(2, 4, 40)
    ps = []
    for _ in range(40):
        xa, xb = rng.binomial(t, p), rng.binomial(t, p)
        a, b = np.column_stack([xa, t - xa]), np.column_stack([xb, t - xb])
        ps.append(index_change(a, b, "dissimilarity", n_boot=2, n_perm=99, seed=1).p_value)
    ps_arr = np.asarray(ps)
    assert 0.15 < ps_arr.mean() < 0.85
    assert (ps_arr < 0.05).mean() <= 0.2


def test_same_seed_same_result_and_paired_alignment_by_labels() -> None:
    a, b = _two_years(shift=0.3)
    da = pd.DataFrame(a, index=[f"A{i:03d}" for i in range(len(a))], columns=["x", "y"])
    db = pd.DataFrame(b, index=da.index, columns=["x", "y"])
    r1 = index_change(da, db, "theil_h", n_boot=50, n_perm=50, seed=5)
    r2 = index_change(da, db.iloc[::-1], "theil_h", n_boot=50, n_perm=50, seed=5)
    assert r1 == r2
    r3 = index_change(a, b, "theil_h", n_boot=50, n_perm=50, seed=5)
    assert r3 == r1


def test_two_places_are_independent_design() -> None:
    a, b = _two_years(shift=0.0, n=50, seed=2)
    c, _ = _two_years(shift=0.0, n=35, seed=9)
    r = index_change(a, c, "dissimilarity", n_boot=99, n_perm=99, seed=1)
    assert r.design == "independent"
    assert 0.0 < r.p_value <= 1.0
    assert r.ci_low <= r.interval_estimate <= r.ci_high
    with pytest.raises(InputError):
        index_change(a, c, "dissimilarity", design="paired")


def test_bad_inputs() -> None:
    a, b = _two_years(shift=0.0)
    with pytest.raises(InputError):
        index_change(a, np.column_stack([b, b[:, :1]]), "theil_h")
    with pytest.raises(InputError):
        index_change(a, b, "no_such_index")
    with pytest.raises(InputError):
        index_change(
            pd.DataFrame(a, columns=["x", "y"]), pd.DataFrame(b, columns=["x", "z"]), "theil_h"
        )


def test_m_change_decomposition_matches_elbers(
    schools00: pd.DataFrame, schools05: pd.DataFrame
) -> None:
    """Source: README of Elbers' R package ``segregation`` (github elbersb/segregation),
    ``mutual_difference(schools00, schools05, "race", "school", weight = "n")``:
    M1 0.42554, M2 0.41339, diff -0.01215, additions -0.00341, removals -0.01141."""
    a, b = school_table(schools00), school_table(schools05)
    d = decompose_change(a, b)
    assert (round(d.M1, 5), round(d.M2, 5), round(d.diff, 5)) == (0.42554, 0.41339, -0.01215)
    assert (round(d.additions, 5), round(d.removals, 5)) == (-0.00341, -0.01141)
    r = index_change(a, b, "mutual_information", n_boot=20, n_perm=0, seed=0)
    assert r.design == "independent"  # schools open and close between 2000 and 2005
    assert (round(r.estimate_a, 5), round(r.estimate_b, 5)) == (0.42554, 0.41339)
    assert np.isnan(r.p_value)
