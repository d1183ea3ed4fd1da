"""The compiled engine's block-sparse row prefix sums (only populated 64-column blocks stored).

Oracle: dense row prefix sums of the same grid (``np.cumsum`` over the whole box, what the
engine stored before) and the brute-force neighbourhoods of ``test_nbh_properties`` on grids
wide enough to hold several blocks per row, empty blocks and empty rows (the small Hypothesis
grids there fit one block).
"""

from __future__ import annotations

import numpy as np
import pytest

from grannskap.measures.neighbourhoods import grid_population, knn_counts

pytest.importorskip("numba")

from test_nbh_properties import brute_force  # noqa: E402  (rootdir-relative, pytest prepend mode)

from grannskap.measures.neighbourhoods._prefix_numba import _B, block_prefix_sums  # noqa: E402


def _sparse_grid(seed: int, n: int, W: int, H: int, G: int):
    rng = np.random.default_rng(seed)
    # clustered columns so that some 64-column blocks are empty and some rows hold several
    ix = np.concatenate([rng.integers(0, 10, n // 3), rng.integers(W - 70, W, n - n // 3)])
    iy = rng.integers(0, H, n)
    cells = np.unique(np.c_[ix, iy], axis=0)
    counts = rng.integers(0, 6, (len(cells), G)).astype(np.int64)
    return cells[:, 0], cells[:, 1], counts


def _lookup(blk, st, sg, y, p):
    v = int(blk[y, p // _B])
    s, j = (v, p % _B) if v > 0 else (-v, _B)
    return int(st[s, j]), sg[s, j]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_block_lookups_equal_dense_prefix_sums(seed):
    W, H, G = 300, 23, 3
    ux, uy, local = _sparse_grid(seed, 80, W, H, G)
    dense = np.zeros((H, W + 1, G), dtype=np.int64)
    dense[uy, ux + 1] = local
    dense = np.cumsum(dense, axis=1)
    blk, st, sg = block_prefix_sums(ux, uy, local, W, H)
    n_blocks = len(np.unique(uy * (W // _B + 1) + ux // _B))
    assert st.shape == (n_blocks + 1, _B + 1)  # only populated blocks (+ the zero segment)
    assert (blk == 0).any() and (blk < 0).any()  # empty blocks before / after stored ones
    for y in range(H):
        for p in range(W + 1):
            tot, grp = _lookup(blk, st, sg, y, p)
            assert tot == dense[y, p].sum(), (y, p)
            np.testing.assert_array_equal(grp, dense[y, p])


@pytest.mark.parametrize("mode", ["whole", "proportional"])
@pytest.mark.parametrize("cap", [None, 2_500.0])
def test_wide_sparse_grid_matches_brute_force(mode, cap):
    ux, uy, local = _sparse_grid(7, 60, 260, 40, 2)
    total = int(local.sum())
    # k above the grid's population: known unreached without a walk (counts = everything)
    ks = [1, 12, 60, total, total + 1, 10 * total]
    pop = grid_population(300_000 + 100.0 * ux, 6_400_000 + 100.0 * uy, local, cell_size=100)
    nb = knn_counts(pop, ks, ring_mode=mode, engine="numba", max_distance=cap)
    max_d2 = None if cap is None else np.floor((cap / 100.0) ** 2 + 1e-9)
    ref, ref_tot, ref_reached = brute_force(ux, uy, local, ks, mode, max_d2)
    np.testing.assert_array_equal(nb.reached, ref_reached)
    np.testing.assert_allclose(nb.counts, ref, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(nb.total, ref_tot, rtol=1e-12, atol=1e-9)
    if cap is None:
        assert not nb.reached[:, -2:].any()
        assert (nb.total[:, -1] == total).all()
