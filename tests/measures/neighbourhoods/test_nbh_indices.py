"""Segregation indices over individualised neighbourhoods.

Reference: PySAL ``segregation`` 2.5 (Dissim, Isolation, MultiInfoTheory) on the same cells.
When every neighbourhood is the origin cell alone (whole mode, k = 1, every cell populated)
the indices over individualised neighbourhoods are the ordinary indices over cells; when every
neighbourhood is the whole population they are 0 (D, H) and the group's share (isolation).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import EstimationError
from grannskap.measures.neighbourhoods import grid_population, knn_counts
from grannskap.measures.neighbourhoods.indices import (
    dissimilarity,
    information_theory,
    isolation,
    neighbourhood_indices,
)


@pytest.fixture(scope="module")
def grid():
    rng = np.random.default_rng(7)
    ix = rng.choice(40 * 40, 500, replace=False)
    counts = rng.poisson(rng.dirichlet([1, 1, 1], 500) * 30) + np.array([1, 0, 0])
    return grid_population(
        450_000 + 100.0 * (ix % 40), 6_450_000 + 100.0 * (ix // 40), counts, cell_size=100
    )


def test_own_cell_neighbourhoods_equal_pysal_indices(grid):
    seg = pytest.importorskip("segregation")
    del seg
    from segregation.multigroup import MultiInfoTheory
    from segregation.singlegroup import Dissim, Isolation

    nb = knn_counts(grid, [1], ring_mode="whole")
    np.testing.assert_array_equal(nb.counts[:, 0, :], grid.counts)  # own cell only
    df = pd.DataFrame(grid.counts, columns=["a", "b", "c"])
    df["t"] = df.sum(axis=1)
    d, iso, h = dissimilarity(nb), isolation(nb), information_theory(nb)
    for g, name in enumerate("abc"):
        np.testing.assert_allclose(d[0, g], Dissim(df, name, "t").statistic, rtol=1e-12)
        np.testing.assert_allclose(iso[0, g], Isolation(df, name, "t").statistic, rtol=1e-12)
    np.testing.assert_allclose(h[0], MultiInfoTheory(df, ["a", "b", "c"]).statistic, rtol=1e-12)


def test_whole_population_neighbourhoods_are_unsegregated(grid):
    total = int(grid.counts.sum())
    res = neighbourhood_indices(knn_counts(grid, [total], ring_mode="proportional"))
    shares = grid.counts.sum(axis=0) / total
    np.testing.assert_allclose(res.dissimilarity[0], 0.0, atol=1e-12)
    np.testing.assert_allclose(res.information_theory[0], 0.0, atol=1e-12)
    np.testing.assert_allclose(res.isolation[0], shares, rtol=1e-12)
    np.testing.assert_allclose(res.exposure[0].sum(axis=1), 1.0, rtol=1e-12)
    frame = res.to_frame()
    assert list(frame.columns) == ["D_g0", "D_g1", "D_g2", "isolation_g0", "isolation_g1",
                                   "isolation_g2", "H"]  # fmt: skip


def test_profile_falls_with_scale(grid):
    """Larger neighbourhoods average more people: segregation cannot rise from k=1 to all."""
    total = int(grid.counts.sum())
    res = neighbourhood_indices(knn_counts(grid, [1, 50, 400, total]))
    assert res.information_theory[0] > res.information_theory[1] > res.information_theory[-1]


def test_empty_population_is_an_error():
    pop = grid_population(
        np.array([500_000.0]), np.array([6_500_000.0]), np.array([[0, 0]]), cell_size=100
    )
    with pytest.raises(EstimationError, match="holds nobody"):
        neighbourhood_indices(knn_counts(pop, [5]))
