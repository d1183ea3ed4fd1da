"""Individualised neighbourhoods tile by tile: square tiles with halos, exact by construction.

The population grid is cut into square *tiles* of ``tile_size`` x ``tile_size`` cells. For each
tile, :func:`~grannskap.measures.neighbourhoods.knn.knn_counts` runs on the tile's cells plus a
*halo* of ``h`` cells around it, and the results of the tile's own cells (its *origins*) are
kept. Every tile is an independent task with a bounded input (``(tile_size + 2 h)**2`` cells at
most), so the tiles can run on a cluster (:func:`tiled_knn_counts` takes a ``map`` function and
does not know who runs the tasks).

Exactness rule
--------------
Let ``B`` be the box of the task (tile plus halo, in cell indices), and call a side of ``B``
*open* when it lies at or beyond the full grid's bounding box (no cell exists beyond it). For an
origin ``o`` let ``m`` be its distance in cells to the nearest *closed* side of ``B``
(``m = inf`` when all sides are open). Write ``N(D)``, ``T(D)`` for the persons (in total, per
group) within squared distance ``D`` of ``o`` in the full data and ``N_B``, ``T_B`` for the same
on the task's cells.

1. ``N_B(D) <= N(D)`` for every ``D``: the task's cells are a subset of all cells.
2. ``N_B(D) = N(D)`` and ``T_B(D) = T(D)`` for ``D <= m**2``: a cell at squared distance
   ``<= m**2`` is at most ``m`` cells away along each axis, so it lies inside ``B`` (or beyond an
   open side, where no cell exists) — the task holds every cell of that disk.

*Reached origins.* Let the task find the crossing ring ``D*_B`` (the smallest ring distance with
``N_B(D*_B) >= k``) and suppose ``D*_B <= m**2``. By (2) ``N(D*_B) = N_B(D*_B) >= k``, so the
full data cross no later: ``D* <= D*_B``. For every ring ``D < D*_B`` (2) gives
``N(D) = N_B(D) < k``, so they cross no earlier: ``D* = D*_B``. The reported quantities —
``T(D*)``, ``T(D*-)``, ``N(D*)``, ``N(D*-)`` and hence the proportional fraction — all involve
squared distances ``<= D* <= m**2``, where (2) makes task and full data agree. The result is
identical, bit for bit (same integers, same floating-point formula).

*Unreached origins* (k not reached within the task's walk). With a cap ``max_distance`` of
``c`` cells (``c**2`` the largest capped squared distance) and ``c**2 <= m**2``, (2) gives
``N(c**2) = N_B(c**2) < k``, so the full data do not reach k either, and both report
``T(c**2)``. With ``m = inf`` the task holds every cell of the grid and is the full computation.

Any origin for which neither applies (its disk pokes out of the box) is recomputed in a new
round with the halo of its tile doubled; once the halo covers the whole grid all sides are open
and every origin is accepted, so the loop ends and the tiled result is EXACTLY the untiled one
(``np.array_equal`` on counts, totals, reach and ``reached`` in the tests). With a cap the
halo never needs to exceed ``c`` cells (then ``m >= c`` for every origin of the tile), so memory
per task stays bounded by ``(tile_size + 2 c)**2`` cells.

The first halo of a tile is a guess (:func:`_first_halos`: from the density of the smallest block
of tiles around it that holds the largest k, capped by a halo that provably needs no retry); it
only affects speed (too small: retries; too large: more cells per task), never the result. Only
the tile's own cells are origins (``knn_counts(..., origins=...)``): the halo's cells are
neighbours, not computed.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from grannskap.errors import ConfigError
from grannskap.measures.neighbourhoods._grid import GridPopulation
from grannskap.measures.neighbourhoods.knn import (
    _AUTO_NUMBA_CELLS,
    EQUIPOP_K,
    Engine,
    Neighbourhoods,
    RingMode,
    _check_k,
    _numba_available,
    knn_counts,
)

__all__ = [
    "TileTask",
    "TileResult",
    "TilingReport",
    "TiledNeighbourhoods",
    "MapFunction",
    "run_tile",
    "local_map",
    "tiled_knn_counts",
]


_MAX_TILES = 4_000_000  # the tile grid is held densely (per-tile totals and prefix sums)


@dataclass(frozen=True)
class TileTask:
    """One tile's job: the cells of the tile and its halo, and which of them to report."""

    tile: tuple[int, int]
    ix: np.ndarray  # cells of tile + halo (grid indices)
    iy: np.ndarray
    counts: np.ndarray  # (n_sub, G) persons per group
    origins: np.ndarray  # positions in the arrays above of the rows to report
    rows: np.ndarray  # their row numbers in the full population
    box: tuple[float, float, float, float]  # x_lo, x_hi, y_lo, y_hi (cells); +-inf if open
    halo: int
    k: np.ndarray
    groups: tuple[str, ...]
    cell_size: float
    origin: tuple[float, float]
    ring_mode: str
    max_distance: float | None
    engine: str


@dataclass(frozen=True)
class TileResult:
    """Neighbourhoods of a task's origins and whether each is provably exact."""

    rows: np.ndarray
    local: np.ndarray
    counts: np.ndarray
    total: np.ndarray
    reach: np.ndarray
    reached: np.ndarray
    exact: np.ndarray  # (n_origins,) bool
    cells: int  # cells in the task (memory indicator)


@dataclass(frozen=True)
class TilingReport:
    """How the tiling went: tasks, retry rounds, origins recomputed, largest task."""

    tile_size: int
    tiles: int
    tasks: int
    rounds: int
    retried: int  # origin rows recomputed at least once with a larger halo
    max_task_cells: int
    max_halo: int


@dataclass(frozen=True)
class TiledNeighbourhoods:
    """The (exact) neighbourhoods and the tiling report."""

    neighbourhoods: Neighbourhoods
    report: TilingReport


MapFunction = Callable[[Callable[[TileTask], TileResult], list[TileTask]], Iterable[TileResult]]
"""``map(func, tasks)`` -> results in task order (a loop, ``client.map`` + ``gather``, ...)."""


def local_map(func: Callable[[TileTask], TileResult], tasks: list[TileTask]) -> list[TileResult]:
    """Run the tasks one after the other in this process."""
    return [func(t) for t in tasks]


def run_tile(task: TileTask) -> TileResult:
    """Compute one task and check the exactness rule (module docstring) for its origins."""
    sub = GridPopulation(
        ix=task.ix,
        iy=task.iy,
        counts=task.counts,
        groups=task.groups,
        cell_size=task.cell_size,
        origin=task.origin,
    )
    nb = knn_counts(
        sub,
        task.k,
        ring_mode=task.ring_mode,  # type: ignore[arg-type]
        max_distance=task.max_distance,
        engine=task.engine,  # type: ignore[arg-type]
        origins=task.origins,  # the halo's cells are neighbours, not origins
    )
    o = task.origins
    ox = task.ix[o].astype(float)
    oy = task.iy[o].astype(float)
    x_lo, x_hi, y_lo, y_hi = task.box
    m = np.minimum.reduce([ox - x_lo, x_hi - ox, oy - y_lo, y_hi - oy])  # inf if all open
    reached = nb.reached
    with np.errstate(invalid="ignore"):
        d2 = np.rint((np.where(reached, nb.reach, 0.0) / task.cell_size) ** 2)
    m2 = (m * m)[:, None]
    ok = np.where(reached, d2 <= m2, np.isinf(m2))
    if task.max_distance is not None:
        cap2 = _cap_d2(task.max_distance, task.cell_size)
        ok |= ~reached & (cap2 <= m2)
    return TileResult(
        rows=task.rows,
        local=nb.local,
        counts=nb.counts,
        total=nb.total,
        reach=nb.reach,
        reached=reached,
        exact=ok.all(axis=1),
        cells=len(task.ix),
    )


def _cap_d2(max_distance: float, cell_size: float) -> int:
    # the same capped squared distance as knn_counts uses
    return int(math.floor((max_distance / cell_size) ** 2 + 1e-9))


def _first_halos(tile_persons: np.ndarray, tile_size: int, extent: int, kmax: int) -> np.ndarray:
    """First halo (cells) of every tile, at least 4 cells and never beyond the grid's extent.

    Let ``r`` be the smallest number of tile rings around the tile whose block of tiles holds
    ``kmax`` persons. Every origin of the tile then has ``kmax`` persons within the block's
    farthest corner, ``(r + 1) * sqrt(2) * tile_size`` cells away: a halo that size needs no
    retry (a *safe* bound). The guess is the smaller of that and 1.25 x the radius of a disk
    holding ``kmax`` persons at the block's mean density (about right for a town, whose block
    is the tile itself; for a lone village in empty land the block, and so the guess, is wide).
    Only the tile's own cells are origins, so a generous halo costs little; a retry costs a
    whole new task.
    """
    ntx, nty = tile_persons.shape
    cum = np.zeros((ntx + 1, nty + 1))
    cum[1:, 1:] = tile_persons.cumsum(axis=0).cumsum(axis=1)
    ti, tj = np.indices((ntx, nty))

    def block(r: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # persons, tiles within r rings
        a0, a1 = np.maximum(ti - r, 0), np.minimum(ti + r + 1, ntx)
        b0, b1 = np.maximum(tj - r, 0), np.minimum(tj + r + 1, nty)
        persons = cum[a1, b1] - cum[a0, b1] - cum[a1, b0] + cum[a0, b0]
        return persons, (a1 - a0) * (b1 - b0)

    # the block grows with r: bisect for the smallest r that holds kmax (if any does)
    lo = np.zeros((ntx, nty), dtype=np.int64)
    hi = np.full((ntx, nty), max(ntx, nty), dtype=np.int64)
    while (lo < hi).any():
        mid = (lo + hi) // 2
        ok = block(mid)[0] >= kmax
        hi = np.where(ok, mid, hi)
        lo = np.where(ok, lo, mid + 1)
    persons, tiles = block(lo)
    found = persons >= kmax
    density = persons / (tiles * float(tile_size * tile_size))
    with np.errstate(divide="ignore"):
        by_density = 1.25 * np.sqrt(kmax / (math.pi * np.maximum(density, 1e-12)))
    safe = (lo + 1) * math.sqrt(2.0) * tile_size
    guess = np.where(found, np.ceil(np.minimum(by_density, safe)), float(extent))
    return np.clip(guess, 4, max(extent, 4)).astype(np.int64)


def tiled_knn_counts(
    pop: GridPopulation,
    k: Sequence[int] | np.ndarray = EQUIPOP_K,
    *,
    tile_size: int = 256,
    halo: int | None = None,
    ring_mode: RingMode = "whole",
    max_distance: float | None = None,
    engine: Engine = "auto",
    map: MapFunction = local_map,  # noqa: A002  (the name the brief and callers use)
) -> TiledNeighbourhoods:
    """:func:`~grannskap.measures.neighbourhoods.knn.knn_counts`, tile by tile, exactly.

    Parameters
    ----------
    pop, k, ring_mode, max_distance
        As for ``knn_counts``; the result is identical to ``knn_counts(pop, k, ...)``.
    tile_size : int
        Side of a tile in cells (256 cells = 25.6 km at 100 m).
    halo : int, optional
        First halo in cells for every tile; default: a guess per tile from its density (see the
        module docstring). Origins whose neighbourhood needs more are recomputed with the halo
        doubled.
    engine : {"auto", "numpy", "numba"}
        ``knn_counts`` engine for every task; ``"auto"`` is resolved once from the whole grid's
        number of cells, as ``knn_counts`` would, so that the result is the untiled one.
    map : callable
        ``map(func, tasks)`` returning the results in task order: :func:`local_map` (a loop) by
        default, or one that runs the tasks on a cluster (see
        :func:`grannskap.register.neighbourhoods.dask_map`).

    Returns
    -------
    TiledNeighbourhoods
        ``.neighbourhoods`` (rows in the order of ``pop``) and ``.report``.

    References
    ----------
    Östh, J., Clark, W. A. V. & Malmberg, B. (2015). Measuring the scale of segregation using
    k-nearest neighbor aggregates. *Geographical Analysis* 47(1), 34-49.
    """
    if isinstance(tile_size, bool) or not isinstance(tile_size, int | np.integer) or tile_size < 1:
        raise ConfigError(
            f"`tile_size` was {tile_size!r} but is expected to be a whole number >= 1"
        )
    if halo is not None and (isinstance(halo, bool) or not isinstance(halo, int) or halo < 0):
        raise ConfigError(f"`halo` was {halo!r} but is expected to be a whole number >= 0 cells")
    kvals = _check_k(k)
    n = len(pop)
    if n == 0:
        nb = knn_counts(pop, kvals, ring_mode=ring_mode, max_distance=max_distance, engine=engine)
        return TiledNeighbourhoods(nb, TilingReport(int(tile_size), 0, 0, 0, 0, 0, 0))
    if engine == "auto":
        cells = len(np.unique(pop.ix.astype(np.int64) * (1 << 32) + pop.iy.astype(np.int64)))
        big = cells >= _AUTO_NUMBA_CELLS
        engine = "numba" if big and _numba_available() else "numpy"
    T = int(tile_size)
    ix = pop.ix.astype(np.int64)
    iy = pop.iy.astype(np.int64)
    ix0, ix1, iy0, iy1 = int(ix.min()), int(ix.max()), int(iy.min()), int(iy.max())
    tx = (ix - ix0) // T
    ty = (iy - iy0) // T
    nty = int(ty.max()) + 1
    ntx = int(tx.max()) + 1
    if ntx * nty > _MAX_TILES:
        raise ConfigError(
            f"`tile_size` was {tile_size!r}, which cuts this {ix1 - ix0 + 1} x {iy1 - iy0 + 1} "
            f"cell grid into {ntx * nty:,} tiles; expected at most {_MAX_TILES:,} (a larger tile)"
        )
    key = tx * nty + ty
    order = np.argsort(key, kind="stable")
    bounds = np.searchsorted(key[order], np.arange(ntx * nty + 1))
    tile_rows = {
        int(t): order[bounds[t] : bounds[t + 1]]
        for t in np.flatnonzero(np.diff(bounds))  # populated tiles only
    }
    totals = pop.counts.sum(axis=1)
    kmax = int(kvals.max())
    cap_halo = None
    if max_distance is not None:
        cap_halo = math.isqrt(_cap_d2(max_distance, pop.cell_size)) + 1
    extent = max(ix1 - ix0, iy1 - iy0) + 1
    tile_persons = np.bincount(key, weights=totals, minlength=ntx * nty).reshape(ntx, nty)
    guess = _first_halos(tile_persons, T, extent, kmax).ravel()
    halos: dict[int, int] = {}
    for t in tile_rows:
        h = halo if halo is not None else int(guess[t])
        halos[t] = min(h, cap_halo) if cap_halo is not None else h

    K, G = len(kvals), pop.counts.shape[1]
    local = np.zeros((n, G), dtype=np.int64)
    counts = np.zeros((n, K, G))
    total = np.zeros((n, K))
    reach = np.full((n, K), np.nan)
    reached = np.zeros((n, K), dtype=bool)
    done = np.zeros(n, dtype=bool)
    pending = dict(tile_rows)
    rounds = tasks_run = max_cells = max_halo = 0
    retried = np.zeros(n, dtype=bool)
    while pending:
        rounds += 1
        tasks = []
        for t, rows in pending.items():
            h = halos[t]
            max_halo = max(max_halo, h)
            tasks.append(
                _make_task(
                    t, rows, h, (tx, ty, ntx, nty, T), (ix0, ix1, iy0, iy1), tile_rows, pop,
                    kvals, ring_mode, max_distance, engine,
                )
            )  # fmt: skip
        tasks_run += len(tasks)
        nxt: dict[int, np.ndarray] = {}
        for task, res in zip(tasks, map(run_tile, tasks), strict=True):
            good = res.exact
            r = res.rows[good]
            local[r], counts[r], total[r] = res.local[good], res.counts[good], res.total[good]
            reach[r], reached[r] = res.reach[good], res.reached[good]
            done[r] = True
            max_cells = max(max_cells, res.cells)
            if not good.all():
                t = int(task.tile[0]) * nty + int(task.tile[1])
                nxt[t] = res.rows[~good]
                retried[res.rows[~good]] = True
                grown = max(2 * halos[t], 1)
                if cap_halo is not None:  # a halo of the cap accepts every origin
                    grown = max(min(grown, cap_halo), halos[t] + 1)
                halos[t] = grown
        pending = nxt
    if not done.all():  # pragma: no cover - the loop only ends when every origin is accepted
        raise RuntimeError("tiled neighbourhoods: some origins were never accepted")
    nb = Neighbourhoods(
        k=kvals,
        groups=pop.groups,
        x=pop.x,
        y=pop.y,
        local=local,
        counts=counts,
        total=total,
        reach=reach,
        reached=reached,
        ring_mode=ring_mode,
        max_distance=max_distance,
        cell_size=pop.cell_size,
    )
    report = TilingReport(T, len(tile_rows), tasks_run, rounds, int(retried.sum()), max_cells,
                          max_halo)  # fmt: skip
    return TiledNeighbourhoods(nb, report)


def _make_task(
    t: int,
    rows: np.ndarray,
    h: int,
    tiling: tuple[np.ndarray, np.ndarray, int, int, int],
    bbox: tuple[int, int, int, int],
    tile_rows: dict[int, np.ndarray],
    pop: GridPopulation,
    kvals: np.ndarray,
    ring_mode: str,
    max_distance: float | None,
    engine: str,
) -> TileTask:
    """The cells of tile ``t`` plus a halo of ``h`` cells, with ``rows`` as the origins."""
    tx, ty, ntx, nty, T = tiling
    ix0, ix1, iy0, iy1 = bbox
    a, b = divmod(t, nty)
    bx0, bx1 = ix0 + a * T - h, ix0 + (a + 1) * T - 1 + h
    by0, by1 = iy0 + b * T - h, iy0 + (b + 1) * T - 1 + h
    reach_t = -(-h // T)  # neighbouring tiles the halo reaches into
    near = [
        tile_rows[i * nty + j]
        for i in range(max(a - reach_t, 0), min(a + reach_t, ntx - 1) + 1)
        for j in range(max(b - reach_t, 0), min(b + reach_t, nty - 1) + 1)
        if i * nty + j in tile_rows
    ]
    cand = np.sort(np.concatenate(near))
    cx, cy = pop.ix[cand], pop.iy[cand]
    sub = cand[(cx >= bx0) & (cx <= bx1) & (cy >= by0) & (cy <= by1)]
    box = (
        -math.inf if bx0 <= ix0 else float(bx0),
        math.inf if bx1 >= ix1 else float(bx1),
        -math.inf if by0 <= iy0 else float(by0),
        math.inf if by1 >= iy1 else float(by1),
    )
    return TileTask(
        tile=(a, b),
        ix=np.ascontiguousarray(pop.ix[sub]),
        iy=np.ascontiguousarray(pop.iy[sub]),
        counts=np.ascontiguousarray(pop.counts[sub]),
        origins=np.searchsorted(sub, rows),
        rows=rows,
        box=box,
        halo=h,
        k=kvals,
        groups=pop.groups,
        cell_size=pop.cell_size,
        origin=pop.origin,
        ring_mode=ring_mode,
        max_distance=max_distance,
        engine=engine,
    )
