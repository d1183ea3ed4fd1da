"""Bad input gives clear grannskap errors (or the documented handling)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import EstimationError, GrannskapError, InputError, ValidationError
from grannskap.measures import segregation as seg


def test_negative_count_names_the_cell() -> None:
    df = pd.DataFrame({"foreign": [5, -2], "swedish": [10, 4]}, index=["1490C1010", "1490C1020"])
    with pytest.raises(ValidationError) as err:
        seg.dissimilarity(df)
    p = err.value.problems[0]
    assert p.reason == "negative count" and p.row == 2 and p.column == "foreign"
    assert "1490C1020" in str(p.value)


def test_non_integer_and_missing_counts_all_reported() -> None:
    with pytest.raises(ValidationError) as err:
        seg.mutual_information(np.array([[1.5, 2.0], [np.nan, 3.0], [1.0, 1.0]]))
    reasons = sorted(p.reason for p in err.value.problems)
    assert reasons == ["missing or infinite count", "non-integer count"]


def test_fractional_counts_allowed_where_asked() -> None:
    r = seg.compute_index(
        "dissimilarity", np.array([[1.5, 2.0], [3.0, 0.5]]), allow_fractional=True
    )
    assert 0 < r.statistic < 1


def test_zero_population_areas_contribute_nothing() -> None:
    c = np.array([[10, 40], [30, 5], [7, 7]])
    with_empty = np.vstack([c, [[0, 0], [0, 0]]])
    for name in seg.INDEX_NAMES:
        assert seg.compute_index(name, with_empty).statistic == pytest.approx(
            seg.compute_index(name, c).statistic, rel=1e-12
        )
    loc = seg.local_measures(with_empty).frame
    assert loc.local_linkage.iloc[-2:].isna().all() and (loc.contribution_M.iloc[-2:] == 0).all()


def test_group_missing_is_an_error_for_two_group_indices() -> None:
    c = np.array([[0, 40], [0, 5], [0, 7], [0, 1]])
    c3 = np.column_stack([c, [1, 2, 3, 4]])
    with pytest.raises(InputError, match="focal group"):
        seg.dissimilarity(c3, group=0)
    # multigroup: an absent group contributes nothing
    assert seg.theil_h(c3).statistic == pytest.approx(seg.theil_h(c3[:, 1:]).statistic, rel=1e-12)
    with pytest.raises(InputError, match="too few groups"):
        seg.theil_h(c)


def test_mismatched_area_sets_between_years_are_additions_and_removals() -> None:
    y1 = pd.DataFrame({"a": [10, 20, 30], "b": [30, 20, 10]}, index=["x", "y", "z"])
    y2 = pd.DataFrame({"a": [12, 18, 5], "b": [28, 22, 40]}, index=["x", "y", "new"])
    d = seg.mutual_difference(y1, y2)
    assert d.removals != 0 and d.additions != 0
    total = d.additions + d.removals + d.group_marginal + d.unit_marginal + d.structural
    assert total == pytest.approx(d.diff, abs=1e-9)
    with pytest.raises(InputError, match="different shape"):
        seg.mutual_difference(y1.to_numpy(), y2.to_numpy()[:2])
    with pytest.raises(EstimationError, match="in common"):
        seg.mutual_difference(y1, y2.set_axis(["p", "q", "r"]))


def test_group_missing_in_one_year() -> None:
    y1 = pd.DataFrame({"a": [10, 20], "b": [30, 20], "c": [5, 0]}, index=["x", "y"])
    y2 = pd.DataFrame({"a": [12, 18], "b": [28, 22]}, index=["x", "y"])
    d = seg.mutual_difference(y1, y2)
    assert d.removals != 0 and d.additions == pytest.approx(0.0, abs=1e-12)


def test_coordinates_outside_sweref99tm() -> None:
    c = np.array([[10, 40], [30, 5], [7, 7]])
    lonlat = np.array([[12.9, 57.7], [12.95, 57.72], [13.0, 57.71]])  # Borås in degrees
    with pytest.raises(ValidationError) as err:
        seg.kernel_spatial_dissimilarity(c, lonlat, 1000.0)
    assert "SWEREF 99 TM" in err.value.problems[0].reason
    ok = np.array([[640000.0, 6400000.0], [640500.0, 6400000.0], [641000.0, 6400500.0]])
    assert 0 <= seg.kernel_spatial_dissimilarity(c, ok, 1000.0).statistic <= 1


def test_unknown_index_and_bad_options() -> None:
    c = np.array([[10, 40], [30, 5]])
    with pytest.raises(InputError, match="unknown segregation index"):
        seg.compute_index("segregation", c)
    with pytest.raises(GrannskapError):
        seg.bootstrap_ci(c, level=1.5)
    with pytest.raises(GrannskapError):
        seg.permutation_test(c, null="whatever")  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        seg.bootstrap_ci(np.array([[1.5, 2.0], [3.0, 1.0]]))
    with pytest.raises(InputError, match="2-D"):
        seg.dissimilarity(np.array([1, 2, 3]))
