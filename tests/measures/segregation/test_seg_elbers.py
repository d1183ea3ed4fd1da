"""M, H and their decompositions against Benjamin Elbers' published values.

Source: README of the R package ``segregation`` (github elbersb/segregation) on its example
data ``schools00`` / ``schools05`` (race x school, nested in districts and states A, B, C):
mutual_total -> M 0.426, H 0.419; between states M 0.0992, H 0.0977; within states
M 0.326, H 0.321; mutual_difference(schools00, schools05, method = "shapley") -> M1 0.42554,
M2 0.41339, diff -0.01215, additions -0.00341, removals -0.01141, group_marginal 0.01855,
unit_marginal -0.01239, structural -0.00349.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grannskap.measures import segregation as seg


def school_table(long: pd.DataFrame) -> pd.DataFrame:
    return long.pivot_table(index="school", columns="race", values="n", aggfunc="sum", fill_value=0)


def test_total_m_h(schools00: pd.DataFrame) -> None:
    r = seg.mutual_information(school_table(schools00))
    assert round(r.M, 3) == 0.426
    assert round(r.H, 3) == 0.419
    # PySAL's MultiDivergence / MultiInfoTheory values named in shared/data/README.md
    assert round(r.M, 4) == 0.4255
    assert round(r.H, 4) == 0.4188


def test_between_within_states(schools00: pd.DataFrame) -> None:
    table = school_table(schools00)
    state = schools00.groupby("school")["state"].first().loc[table.index]
    d = seg.decompose_between_within(table, state.to_numpy())
    assert round(d.between_M, 4) == 0.0992
    assert round(d.between_H, 4) == 0.0977
    assert round(d.within_M, 3) == 0.326
    assert round(d.within_H, 3) == 0.321
    assert d.between_M + d.within_M == pytest.approx(d.total_M, rel=1e-12)
    assert d.between_H + d.within_H == pytest.approx(d.total_H, rel=1e-12)
    assert (d.by_level.p * d.by_level.M).sum() == pytest.approx(d.within_M, rel=1e-12)
    assert (d.by_level.h_weight * d.by_level.H).sum() == pytest.approx(d.within_H, rel=1e-12)


def test_decomposition_by_group_and_area_sums_to_m(schools00: pd.DataFrame) -> None:
    table = school_table(schools00)
    M = seg.mutual_information(table).M
    by_group = seg.local_linkage_by_group(table)
    assert by_group.contribution.sum() == pytest.approx(M, rel=1e-12)
    loc = seg.local_measures(table)
    assert loc.frame.contribution_M.sum() == pytest.approx(M, rel=1e-12)
    assert loc.M == pytest.approx(M, rel=1e-12)


def test_mutual_difference_shapley(schools00: pd.DataFrame, schools05: pd.DataFrame) -> None:
    d = seg.mutual_difference(school_table(schools00), school_table(schools05))
    assert round(d.M1, 5) == 0.42554
    assert round(d.M2, 5) == 0.41339
    assert round(d.diff, 5) == -0.01215
    assert round(d.additions, 5) == -0.00341
    assert round(d.removals, 5) == -0.01141
    parts = d.additions + d.removals + d.group_marginal + d.unit_marginal + d.structural
    assert parts == pytest.approx(d.diff, abs=1e-12)
    # the three IPF components together equal Elbers' sum 0.01855 - 0.01239 - 0.00349
    assert d.group_marginal + d.unit_marginal + d.structural == pytest.approx(0.00267, abs=1e-5)


def test_mutual_difference_with_elbers_ipf_precision(
    schools00: pd.DataFrame, schools05: pd.DataFrame
) -> None:
    """With his default IPF precision (.001) the structural term is his -0.00349.

    (His six IPF runs start with a random margin, so the two marginal terms of the README
    are not reproducible exactly; their sum is, see the test above.)
    """
    d = seg.mutual_difference(
        school_table(schools00), school_table(schools05), tol=1e-3, max_iter=100
    )
    assert round(d.structural, 5) == -0.00349


def test_mutual_difference_symmetric(schools00: pd.DataFrame, schools05: pd.DataFrame) -> None:
    """Shapley decomposition is symmetric: swapping the years flips every component."""
    a, b = school_table(schools00), school_table(schools05)
    f = seg.mutual_difference(a, b)
    r = seg.mutual_difference(b, a)
    assert r.group_marginal == pytest.approx(-f.group_marginal, abs=1e-9)
    assert r.unit_marginal == pytest.approx(-f.unit_marginal, abs=1e-9)
    assert r.structural == pytest.approx(-f.structural, abs=1e-9)
    assert r.additions == pytest.approx(-f.removals, abs=1e-12)


def test_identical_tables_have_zero_difference(schools00: pd.DataFrame) -> None:
    t = school_table(schools00)
    d = seg.mutual_difference(t, t * 3)
    np.testing.assert_allclose(
        [d.diff, d.additions, d.removals, d.group_marginal, d.unit_marginal, d.structural],
        0.0,
        atol=1e-9,
    )


def test_bootstrap_matches_elbers_se(schools00: pd.DataFrame) -> None:
    """README: ``mutual_total(schools00, "race", "school", weight = "n", se = TRUE)`` with 100
    bootstrap iterations reports the bootstrap mean M 0.429 (se 0.000724) and H 0.422
    (se 0.000637); resampling is over the whole table, as our ``scheme="table"``."""
    table = school_table(schools00)
    m = seg.bootstrap_ci(table, "mutual_information", n_boot=100, scheme="table", seed=3)
    h = seg.bootstrap_ci(table, "theil_h", n_boot=100, scheme="table", seed=3)
    assert round(m.statistic + m.bias, 3) == 0.429
    assert round(h.statistic + h.bias, 3) == 0.422
    assert m.se == pytest.approx(0.000724, rel=0.3)
    assert h.se == pytest.approx(0.000637, rel=0.3)
    # Elbers' debiased estimate lies below the raw one by the (positive) small-sample bias
    assert m.bias_corrected < m.statistic


def test_mutual_difference_ci(schools00: pd.DataFrame, schools05: pd.DataFrame) -> None:
    res = seg.mutual_difference_ci(
        school_table(schools00), school_table(schools05), n_boot=8, seed=1
    )
    assert list(res["stat"]) == [
        "M1", "M2", "diff", "additions", "removals", "group_marginal", "unit_marginal", "structural"
    ]  # fmt: skip
    assert (res.se > 0).all() and (res.ci_low <= res.ci_high).all()
    assert res.set_index("stat").loc["diff", "ci_high"] < 0  # M fell 2000 -> 2005 beyond noise


def test_between_within_with_intervals(schools00: pd.DataFrame) -> None:
    table = school_table(schools00)
    state = schools00.groupby("school")["state"].first().loc[table.index].to_numpy()
    res = seg.decompose_between_within_ci(
        table, state, n_boot=40, scheme="table", seed=2
    ).set_index("stat")
    assert round(res.loc["M_between", "est"], 4) == 0.0992
    assert round(res.loc["M_within", "est"], 3) == 0.326
    # with three states the between part has almost no small-unit bias; the within part has it
    assert abs(res.loc["M_between", "bias"]) < res.loc["M_within", "bias"]
    deb = seg.decompose_between_within_ci(
        table, state, n_boot=40, scheme="table", method="debiased", seed=2
    )
    deb = deb.set_index("stat")
    corrected = deb.est - deb.bias
    assert ((deb.ci_low < corrected) & (corrected < deb.ci_high)).all()
