"""Tiles with halos give exactly the untiled neighbourhoods.

Reference: the untiled :func:`grannskap.measures.neighbourhoods.knn_counts` on the same grid
(itself checked against the ``equipop`` package and a brute force in the other tests of this
folder). The population is a dense town plus a thinly populated countryside, so that the
first halo guess is too small for the sparse tiles and the retry path (halo doubled) runs —
asserted through the tiling report.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grannskap.errors import ConfigError
from grannskap.measures.neighbourhoods import grid_population, knn_counts
from grannskap.measures.neighbourhoods.tiles import TileResult, TileTask, tiled_knn_counts

try:
    import numba  # noqa: F401

    ENGINES = ["numpy", "numba"]
except ImportError:  # pragma: no cover
    ENGINES = ["numpy"]

K = [12, 50, 200, 800]


def _population(seed: int = 1):  # type: ignore[no-untyped-def]
    """A dense town (~500 cells) and 40 scattered countryside cells on a 100 m grid."""
    rng = np.random.default_rng(seed)
    n1, n2 = 500, 40
    x = np.r_[rng.normal(30, 5, n1), rng.uniform(0, 90, n2)].round().clip(0, 90)
    y = np.r_[rng.normal(30, 5, n1), rng.uniform(0, 70, n2)].round().clip(0, 70)
    c = np.c_[rng.poisson(3, n1 + n2), rng.poisson(1, n1 + n2)]
    return grid_population(
        x * 100 + 400_000, y * 100 + 6_500_000, c, cell_size=100, groups=["a", "b"]
    )


def _assert_identical(got, ref) -> None:  # type: ignore[no-untyped-def]
    for attr in ("local", "counts", "total", "reached"):
        assert np.array_equal(getattr(got, attr), getattr(ref, attr)), attr
    assert np.array_equal(got.reach, ref.reach, equal_nan=True)
    assert np.array_equal(got.x, ref.x) and np.array_equal(got.y, ref.y)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("ring_mode", ["whole", "proportional"])
def test_tiled_equals_untiled(engine: str, ring_mode: str) -> None:
    pop = _population()
    ref = knn_counts(pop, K, ring_mode=ring_mode, engine=engine)  # type: ignore[arg-type]
    assert ref.reached.all()  # every k is reachable: the retry path is the only way out
    retried = 0
    for tile_size in (8, 20, 64):
        res = tiled_knn_counts(
            pop,
            K,
            tile_size=tile_size,
            ring_mode=ring_mode,  # type: ignore[arg-type]
            engine=engine,  # type: ignore[arg-type]
        )
        _assert_identical(res.neighbourhoods, ref)
        assert res.report.tiles >= 1 and res.report.tasks >= res.report.tiles
        retried += res.report.retried
    assert retried > 0  # sparse tiles needed larger halos


@pytest.mark.parametrize("ring_mode", ["whole", "proportional"])
def test_tiled_with_cap_and_unreached(ring_mode: str) -> None:
    """With ``max_distance`` some origins do not reach k; the cap rule accepts them exactly."""
    pop = _population(2)
    k = [12, 100, 3000]  # 3000 > anything within 1.2 km of the countryside cells
    ref = knn_counts(pop, k, ring_mode=ring_mode, max_distance=1200.0, engine="numpy")  # type: ignore[arg-type]
    assert not ref.reached.all()
    res = tiled_knn_counts(
        pop, k, tile_size=10, halo=2, ring_mode=ring_mode, max_distance=1200.0, engine="numpy"  # type: ignore[arg-type]
    )  # fmt: skip
    _assert_identical(res.neighbourhoods, ref)
    assert res.report.rounds > 1  # halo 2 was too small for some origins
    assert res.report.max_halo <= 13  # never beyond the cap (12 cells) + 1


def test_duplicate_rows_and_row_order() -> None:
    """Rows keep the input order, duplicate rows of one cell get the cell's sums."""
    pop = _population(3)
    rng = np.random.default_rng(0)
    idx = np.r_[rng.permutation(len(pop)), [0, 5, 5]]
    shuffled = type(pop)(
        ix=pop.ix[idx],
        iy=pop.iy[idx],
        counts=pop.counts[idx],
        groups=pop.groups,
        cell_size=pop.cell_size,
        origin=pop.origin,
    )
    ref = knn_counts(shuffled, K, engine="numpy")
    res = tiled_knn_counts(shuffled, K, tile_size=16, engine="numpy")
    _assert_identical(res.neighbourhoods, ref)


def test_custom_map_sees_small_tasks() -> None:
    """The runner only hands tasks to ``map``; each task holds its tile and halo, not the grid."""
    pop = _population(4)
    seen: list[TileTask] = []

    def recording_map(func, tasks):  # type: ignore[no-untyped-def]
        seen.extend(tasks)
        out: list[TileResult] = [func(t) for t in reversed(tasks)]
        return out[::-1]

    ref = knn_counts(pop, K, engine="numpy")
    res = tiled_knn_counts(pop, K, tile_size=12, halo=6, engine="numpy", map=recording_map)
    _assert_identical(res.neighbourhoods, ref)
    first_round = [t for t in seen if t.halo == 6]
    assert max(len(t.ix) for t in first_round) < len(pop)
    for t in first_round:  # every cell handed over lies in the tile's box plus halo
        a, b = t.tile
        ix0, iy0 = int(pop.ix.min()), int(pop.iy.min())
        assert (t.ix >= ix0 + a * 12 - 6).all() and (t.ix <= ix0 + a * 12 + 11 + 6).all()
        assert (t.iy >= iy0 + b * 12 - 6).all() and (t.iy <= iy0 + b * 12 + 11 + 6).all()


def test_bad_tile_size() -> None:
    with pytest.raises(ConfigError, match="tile_size"):
        tiled_knn_counts(_population(), K, tile_size=0)
    with pytest.raises(ConfigError, match="halo"):
        tiled_knn_counts(_population(), K, halo=-1)
    far = grid_population([0.0, 1e6], [0.0, 1e6], [[1], [1]], cell_size=100, check_extent=False)
    with pytest.raises(ConfigError, match="tiles; expected at most"):
        tiled_knn_counts(far, [1], tile_size=1)  # 10,001 x 10,001 tiles


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**31 - 1),
    n=st.integers(1, 60),
    side=st.integers(1, 40),
    tile_size=st.integers(1, 12),
    halo=st.none() | st.integers(0, 6),
    cap=st.none() | st.floats(0, 3000),
    proportional=st.booleans(),
)
def test_tiled_equals_untiled_property(
    seed: int,
    n: int,
    side: int,
    tile_size: int,
    halo: int | None,
    cap: float | None,
    proportional: bool,
) -> None:
    """Any grid, tile size, first halo and cap: tiled == untiled (numpy engine)."""
    rng = np.random.default_rng(seed)
    ix = rng.integers(0, side, n)
    iy = rng.integers(0, side, n)
    c = rng.integers(0, 6, (n, 2))
    pop = grid_population(ix * 100.0, iy * 100.0, c, cell_size=100, check_extent=False)
    mode = "proportional" if proportional else "whole"
    k = [1, 5, 30]
    ref = knn_counts(pop, k, ring_mode=mode, max_distance=cap, engine="numpy")  # type: ignore[arg-type]
    res = tiled_knn_counts(
        pop, k, tile_size=tile_size, halo=halo, ring_mode=mode, max_distance=cap,  # type: ignore[arg-type]
        engine="numpy",
    )  # fmt: skip
    _assert_identical(res.neighbourhoods, ref)
