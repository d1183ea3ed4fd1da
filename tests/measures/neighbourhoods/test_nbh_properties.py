"""Properties of k-nearest-person neighbourhoods, checked with Hypothesis on random small grids.

Oracle: an independent brute-force implementation of EquiPop's documented conventions
(``brute_force`` below: all pairwise distances, rings of equal distance, whole/proportional crossing
ring, as specified in ``equipop.overshoot`` v1.62). Properties: counts non-decreasing in k;
N_k >= k (whole) and N_k == k (proportional) whenever k is reached; invariance to permuting
the input rows; identical results of the numpy and compiled engines.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grannskap.measures.neighbourhoods import grid_population, knn_counts

try:
    import numba  # noqa: F401

    ENGINES = ["numpy", "numba"]
except ImportError:  # pragma: no cover
    ENGINES = ["numpy"]


def brute_force(
    ix: np.ndarray,
    iy: np.ndarray,
    counts: np.ndarray,
    ks: list[int],
    mode: str,
    max_d2: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return counts (n, K, G), totals (n, K), reached (n, K)."""
    n, G = counts.shape
    K = len(ks)
    out = np.zeros((n, K, G))
    tot = np.zeros((n, K))
    reached = np.zeros((n, K), dtype=bool)
    for i in range(n):
        d2 = (ix - ix[i]) ** 2 + (iy - iy[i]) ** 2
        if max_d2 is not None:
            keep = d2 <= max_d2
        else:
            keep = np.ones(n, dtype=bool)
        rings = np.unique(d2[keep])
        cum = np.zeros(G)
        for j, k in enumerate(ks):
            cum = np.zeros(G)
            done = False
            for d in rings:
                ring = counts[keep & (d2 == d)].sum(axis=0).astype(float)
                if cum.sum() + ring.sum() >= k and ring.sum() > 0:
                    if mode == "whole":
                        cum = cum + ring
                    else:
                        f = (k - cum.sum()) / ring.sum()
                        cum = cum + f * ring
                    done = True
                    break
                cum = cum + ring
            out[i, j] = cum
            tot[i, j] = cum.sum()
            reached[i, j] = done
    return out, tot, reached


@st.composite
def grids(draw):
    n = draw(st.integers(1, 30))
    box = draw(st.integers(1, 14))
    g = draw(st.integers(1, 3))
    ix = np.array(draw(st.lists(st.integers(0, box), min_size=n, max_size=n)))
    iy = np.array(draw(st.lists(st.integers(0, box), min_size=n, max_size=n)))
    cells = np.unique(np.c_[ix, iy], axis=0)
    m = len(cells)
    flat = draw(st.lists(st.integers(0, 25), min_size=m * g, max_size=m * g))
    counts = np.array(flat, dtype=np.int64).reshape(m, g)
    ks = sorted(set(draw(st.lists(st.integers(1, 300), min_size=1, max_size=5))))
    return cells[:, 0], cells[:, 1], counts, ks


def _pop(ix, iy, counts):
    return grid_population(300_000 + 100.0 * ix, 6_400_000 + 100.0 * iy, counts, cell_size=100)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("mode", ["whole", "proportional"])
@given(data=grids(), cap=st.one_of(st.none(), st.floats(0, 1500)))
def test_matches_brute_force(engine, mode, data, cap):
    ix, iy, counts, ks = data
    nb = knn_counts(_pop(ix, iy, counts), ks, ring_mode=mode, engine=engine, max_distance=cap)
    max_d2 = None if cap is None else np.floor((cap / 100.0) ** 2 + 1e-9)
    ref, ref_tot, ref_reached = brute_force(ix, iy, counts, ks, mode, max_d2)
    np.testing.assert_array_equal(nb.reached, ref_reached)
    np.testing.assert_allclose(nb.counts, ref, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(nb.total, ref_tot, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("mode", ["whole", "proportional"])
@settings(max_examples=30)
@given(data=grids())
def test_monotone_in_k_and_reaches_k(mode, data):
    ix, iy, counts, ks = data
    nb = knn_counts(_pop(ix, iy, counts), ks, ring_mode=mode)
    assert np.all(np.diff(nb.total, axis=1) >= -1e-9)
    assert np.all(np.diff(nb.counts, axis=1) >= -1e-9)
    kk = np.broadcast_to(np.asarray(ks, dtype=float), nb.total.shape)
    if mode == "whole":
        assert np.all(nb.total[nb.reached] >= kk[nb.reached])
    else:
        np.testing.assert_allclose(nb.total[nb.reached], kk[nb.reached], rtol=1e-12)
    # without a cap, k is reached exactly when the grid holds k persons
    np.testing.assert_array_equal(nb.reached, kk <= counts.sum())
    assert np.all(nb.total[~nb.reached] == counts.sum())


@settings(max_examples=30)
@given(data=grids(), seed=st.integers(0, 2**32 - 1))
def test_invariant_to_row_order(data, seed):
    ix, iy, counts, ks = data
    perm = np.random.default_rng(seed).permutation(len(ix))
    a = knn_counts(_pop(ix, iy, counts), ks)
    b = knn_counts(_pop(ix[perm], iy[perm], counts[perm]), ks)
    np.testing.assert_array_equal(a.counts[perm], b.counts)
    np.testing.assert_array_equal(a.reach[perm], b.reach)


@settings(max_examples=30)
@given(data=grids())
def test_duplicate_rows_are_one_cell(data):
    """A cell given in two rows counts once, with the rows' counts summed."""
    ix, iy, counts, ks = data
    half = counts // 2
    a = knn_counts(_pop(ix, iy, counts), ks)
    b = knn_counts(_pop(np.r_[ix, ix], np.r_[iy, iy], np.r_[half, counts - half]), ks)
    np.testing.assert_array_equal(b.counts[: len(ix)], a.counts)
    np.testing.assert_array_equal(b.counts[len(ix) :], a.counts)


@pytest.mark.parametrize("engine", ENGINES)
@settings(max_examples=30)
@given(
    data=grids(), seed=st.integers(0, 2**32 - 1), mode=st.sampled_from(["whole", "proportional"])
)
def test_origins_subset_equals_the_full_result(engine, data, seed, mode):
    """Asking for some rows only (any order, repeats allowed) gives exactly those rows."""
    ix, iy, counts, ks = data
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, len(ix), size=rng.integers(1, len(ix) + 3))
    pop = _pop(ix, iy, counts)
    full = knn_counts(pop, ks, ring_mode=mode, engine=engine)
    sub = knn_counts(pop, ks, ring_mode=mode, engine=engine, origins=rows)
    for name in ("local", "counts", "total", "reach", "reached", "x", "y"):
        np.testing.assert_array_equal(getattr(sub, name), getattr(full, name)[rows], err_msg=name)


def test_origins_must_be_row_positions():
    from grannskap.errors import ConfigError

    pop = _pop(np.array([0, 1]), np.array([0, 0]), np.array([[3], [4]]))
    with pytest.raises(ConfigError, match="row position 2"):
        knn_counts(pop, [2], origins=np.array([0, 2]))
    with pytest.raises(ConfigError, match="1-d array of row positions"):
        knn_counts(pop, [2], origins=np.array([0.5]))
