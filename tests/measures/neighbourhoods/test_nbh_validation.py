"""Bad input to the neighbourhood engine: clear errors from grannskap.errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import ConfigError, ValidationError
from grannskap.measures.neighbourhoods import (
    grid_population,
    grid_population_from_frame,
    individualised_neighbourhoods,
    knn_counts,
)

X = np.array([500_000.0, 500_100.0, 500_200.0])
Y = np.array([6_500_000.0, 6_500_000.0, 6_500_100.0])
C = np.array([[3, 1], [0, 4], [2, 2]])


def test_negative_counts_quote_row_and_value():
    bad = C.copy()
    bad[1, 0] = -2
    with pytest.raises(ValidationError) as err:
        grid_population(X, Y, bad, cell_size=100, groups=["a", "b"])
    text = " ".join(err.value.lines())
    assert "negative" in text and "row 2" in text and "-2.0" in text and "column a" in text


def test_non_integer_counts():
    with pytest.raises(ValidationError, match="non-integer counts .*2.5"):
        grid_population(X, Y, np.array([[1, 2.5], [0, 1], [1, 1]]), cell_size=100)


def test_missing_counts():
    with pytest.raises(ValidationError, match="missing or infinite"):
        grid_population(X, Y, np.array([[1, np.nan], [0, 1], [1, 1]]), cell_size=100)


def test_outside_sweref99tm_extent():
    with pytest.raises(ValidationError) as err:
        grid_population(np.array([100.0, 500_000.0, 500_100.0]), Y, C, cell_size=100)
    assert "SWEREF 99 TM" in str(err.value) and "100.0" in str(err.value)
    # a synthetic test grid may switch the extent check off
    grid_population(np.array([100.0, 200.0, 300.0]), Y, C, cell_size=100, check_extent=False)


def test_not_on_declared_grid():
    with pytest.raises(ValidationError, match="not on the declared 250 m grid .*500100.0"):
        grid_population(X, Y, C, cell_size=250)
    # centre-registered 100 m grid: declared with an origin of (50, 50)
    grid_population(X + 50, Y + 50, C, cell_size=100, origin=(50.0, 50.0))


def test_all_problems_collected():
    bad = C.astype(float)
    bad[0, 0] = -1
    bad[2, 1] = 0.5
    with pytest.raises(ValidationError) as err:
        grid_population(np.array([1.0, 500_000.0, 500_123.0]), Y, bad, cell_size=100)
    assert len(err.value.problems) == 4


def test_length_mismatch_and_bad_options():
    with pytest.raises(ValidationError, match="same number of rows"):
        grid_population(X[:2], Y, C, cell_size=100)
    with pytest.raises(ConfigError, match="cell_size"):
        grid_population(X, Y, C, cell_size=0)
    with pytest.raises(ConfigError, match="groups"):
        grid_population(X, Y, C, cell_size=100, groups=["only one"])
    pop = grid_population(X, Y, C, cell_size=100)
    with pytest.raises(ConfigError, match="ring_mode"):
        knn_counts(pop, [5], ring_mode="sampled")  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="engine"):
        knn_counts(pop, [5], engine="gpu")  # type: ignore[arg-type]
    for bad_k in ([0], [-3], [2.5], []):
        with pytest.raises(ConfigError, match="`k`"):
            knn_counts(pop, bad_k)
    with pytest.raises(ConfigError, match="max_distance"):
        knn_counts(pop, [5], max_distance=-1.0)


def test_missing_columns_in_frame():
    df = pd.DataFrame({"x": X, "y": Y, "a": C[:, 0]})
    with pytest.raises(ValidationError, match="missing column"):
        grid_population_from_frame(df, ["a", "b"], cell_size=100)


def test_frame_front_door_and_layout():
    df = pd.DataFrame({"x": X, "y": Y, "a": C[:, 0], "b": C[:, 1]})
    nb = individualised_neighbourhoods(df, ["a", "b"], cell_size=100, k=[4, 100])
    out = nb.to_frame()
    assert list(out.columns[:4]) == ["x", "y", "a_local", "b_local"]
    # row 2 (0 + 4 persons) reaches 4 in its own cell; the whole grid holds 12 < 100
    assert out.loc[1, "N_4"] == 4 and out.loc[1, "reach_4"] == 0.0
    assert not out.reached_100.any() and (out.N_100 == 12).all()
    assert nb.unreached().loc[100] == 3
