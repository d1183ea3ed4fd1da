"""The SYNTHETIC Sweden-like population generator (used by the benchmark)."""

from __future__ import annotations

import numpy as np

from grannskap.measures.neighbourhoods import EQUIPOP_K, grid_population_from_frame, knn_counts
from grannskap.measures.neighbourhoods.indices import neighbourhood_indices
from grannskap.measures.neighbourhoods.synthetic import SYNTHETIC_LABEL, synthetic_sweden


def test_generator_is_labelled_deterministic_and_valid():
    a = synthetic_sweden(60_000, cell_size=250, seed=3)
    b = synthetic_sweden(60_000, cell_size=250, seed=3)
    assert a.frame.equals(b.frame)
    assert a.frame.attrs["synthetic"] is True
    assert a.label == SYNTHETIC_LABEL and "SYNTHETIC" in a.frame.attrs["label"]
    assert int(a.frame[list(a.groups)].to_numpy().sum()) == 60_000
    # passes the product's own checks: SWEREF 99 TM extent, on the 250 m grid, whole counts
    pop = grid_population_from_frame(a.frame, a.groups, cell_size=250)
    assert len(pop) == a.n_cells
    shares = pop.counts.sum(axis=0) / 60_000
    assert shares[0] > 0.6 and np.all(shares > 0.02)


def test_generator_has_segregation_and_sparse_countryside():
    s = synthetic_sweden(100_000, cell_size=250, seed=5)
    nb = knn_counts(grid_population_from_frame(s.frame, s.groups, cell_size=250), EQUIPOP_K[:5])
    res = neighbourhood_indices(nb)
    # planted segregated patches: clearly above what random allocation would give at k=12
    assert res.dissimilarity[0, 1] > 0.3
    assert np.all(np.diff(res.information_theory) < 0)
    # countryside: many cells need far larger radii than towns for the same k
    reach = nb.reach[:, -1]
    assert np.nanquantile(reach, 0.9) > 5 * np.nanquantile(reach, 0.1)
