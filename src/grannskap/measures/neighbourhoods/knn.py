"""Individualised neighbourhoods: the composition of the k nearest persons around every cell.

The method is EquiPop's (Östh, Clark & Malmberg 2015; Östh 2014): grow a neighbourhood outward
from each populated grid cell until it holds k persons, for many k at once, and report its
composition by group. The conventions are those of the open ``equipop`` package
(``equipop.run_knn_counts``, version 1.62), which the tests reproduce exactly:

* distances are Euclidean between cell positions;
* whole cells enter: a cell's persons all enter together;
* the origin cell counts (it is its own nearest neighbour, at distance 0);
* cells at the same distance from the origin form a *ring* and enter together;
* the ring that crosses k is taken whole (``ring_mode="whole"``: N_k >= k) or each of its
  cells contributes the same fraction ``f = (k - N_before) / N_ring`` (``"proportional"``:
  N_k = k exactly, group counts ``T_before + f * T_ring``);
* if the population within reach never reaches k, the neighbourhood is everything in reach.

Algorithm. On a regular grid the ring structure is the same for every origin, so the integer
offsets are listed once, sorted by squared distance (:mod:`._rings`), and all origins walk them
together, ring by ring, in blocks: one gather from a dense index of the grid's bounding box per
block, per-ring sums, a running total per origin, and the crossing of every k recorded as it
happens. Work per origin is proportional to the number of grid offsets inside its largest
neighbourhood; ``max_distance`` caps the walk in sparse areas (origins that did not reach k are
flagged in ``reached``). When the optional package numba is installed, a compiled engine
(:mod:`._prefix_numba`) finds the same crossing rings from row prefix sums with work
proportional to the neighbourhood's radius instead of its area -- needed at national scale,
where countryside cells need radii of hundreds of cells at k = 25,600.

References
----------
Östh, J., Clark, W. A. V. & Malmberg, B. (2015). Measuring the scale of segregation using
k-nearest neighbor aggregates. *Geographical Analysis* 47(1), 34-49.
Östh, J. (2014). *Introducing the EquiPop software*. Department of Social and Economic
Geography, Uppsala University.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from grannskap._literals import validate_literal
from grannskap.errors import ConfigError, OptionalDependencyError
from grannskap.measures.neighbourhoods._grid import GridPopulation, grid_population_from_frame
from grannskap.measures.neighbourhoods._rings import iter_offset_batches

__all__ = [
    "RingMode",
    "Engine",
    "EQUIPOP_K",
    "Neighbourhoods",
    "knn_counts",
    "individualised_neighbourhoods",
]

RingMode = Literal["whole", "proportional"]
Engine = Literal["auto", "numpy", "numba"]

_AUTO_NUMBA_CELLS = 5_000

#: The scales used in the EquiPop literature: 12 doublings from 12 to 25,600 persons.
EQUIPOP_K: tuple[int, ...] = (12, 25, 50, 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600)


@dataclass(frozen=True)
class Neighbourhoods:
    """k-nearest-person neighbourhoods of every input row.

    Attributes
    ----------
    k : np.ndarray
        The neighbourhood sizes, ascending, ``(K,)``.
    groups : tuple of str
        Group names.
    x, y : np.ndarray
        Coordinates of each input row (metres).
    local : np.ndarray
        ``(n, G)`` persons per group in the row's own cell (duplicates of a cell summed).
    counts : np.ndarray
        ``(n, K, G)`` persons per group in the neighbourhood (fractional under
        ``"proportional"``).
    total : np.ndarray
        ``(n, K)`` persons in the neighbourhood, ``counts.sum(axis=2)``.
    reach : np.ndarray
        ``(n, K)`` distance in metres of the ring that crossed k (NaN where k was not reached).
    reached : np.ndarray
        ``(n, K)`` whether the neighbourhood reached k persons within ``max_distance``.
    ring_mode : str
        ``"whole"`` or ``"proportional"``.
    max_distance : float or None
        Cap on the walk in metres (``None``: no cap).
    cell_size : float
        Grid cell side in metres.
    """

    k: np.ndarray
    groups: tuple[str, ...]
    x: np.ndarray
    y: np.ndarray
    local: np.ndarray
    counts: np.ndarray
    total: np.ndarray
    reach: np.ndarray
    reached: np.ndarray
    ring_mode: str
    max_distance: float | None
    cell_size: float

    def shares(self) -> np.ndarray:
        """``(n, K, G)`` share of each group in each neighbourhood (NaN if it is empty)."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return self.counts / self.total[:, :, None]

    def unreached(self) -> pd.Series:
        """Number of rows whose neighbourhood did not reach k, per k."""
        return pd.Series(
            (~self.reached).sum(axis=0), index=pd.Index(self.k, name="k"), name="unreached"
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per input row: ``x, y``, then per k ``N_k``, ``<group>_k``, ``reach_k``,
        ``reached_k`` (EquiPop's ``N_k`` / ``T_<group>_k`` layout)."""
        cols: dict[str, np.ndarray] = {"x": self.x, "y": self.y}
        for g, name in enumerate(self.groups):
            cols[f"{name}_local"] = self.local[:, g]
        for j, kv in enumerate(self.k):
            cols[f"N_{kv}"] = self.total[:, j]
            for g, name in enumerate(self.groups):
                cols[f"{name}_{kv}"] = self.counts[:, j, g]
            cols[f"reach_{kv}"] = self.reach[:, j]
            cols[f"reached_{kv}"] = self.reached[:, j]
        return pd.DataFrame(cols)


def _check_k(k: Sequence[int] | np.ndarray) -> np.ndarray:
    ka = np.asarray(list(k) if not isinstance(k, np.ndarray) else k)
    if ka.size == 0:
        raise ConfigError("`k` was empty but is expected to list at least one size")
    if ka.dtype.kind == "f" and np.all(np.isfinite(ka)) and np.all(ka == np.round(ka)):
        ka = ka.astype(np.int64)
    if ka.dtype.kind not in "iu" or np.any(ka <= 0):
        raise ConfigError(
            f"`k` was {ka.tolist()!r} but is expected to hold positive whole numbers of persons"
        )
    return np.unique(ka.astype(np.int64))


@dataclass(frozen=True)
class _Cells:
    """Unique cells of the input (duplicate rows of one cell summed), row-major order."""

    ux: np.ndarray  # column within the bounding box
    uy: np.ndarray  # row within the bounding box
    local: np.ndarray  # (n_u, G) persons per group
    inv: np.ndarray  # input row -> unique cell
    W: int
    H: int


def _check_origins(origins: np.ndarray | None, n_rows: int) -> np.ndarray | None:
    if origins is None:
        return None
    rows = np.asarray(origins)
    if rows.ndim != 1 or not np.issubdtype(rows.dtype, np.integer):
        raise ConfigError(
            f"`origins` had shape {rows.shape} and dtype {rows.dtype} but is expected to be a "
            "1-d array of row positions (integers)"
        )
    bad = rows[(rows < 0) | (rows >= n_rows)]
    if len(bad):
        raise ConfigError(
            f"`origins` holds row position {int(bad[0])} but the population has {n_rows} rows "
            f"(expected 0 ... {n_rows - 1})"
        )
    return rows.astype(np.int64)


def _aggregate(pop: GridPopulation) -> _Cells:
    ix0, iy0 = int(pop.ix.min()), int(pop.iy.min())
    W = int(pop.ix.max()) - ix0 + 1
    H = int(pop.iy.max()) - iy0 + 1
    key = (pop.iy - iy0) * W + (pop.ix - ix0)
    ukey, inv = np.unique(key, return_inverse=True)
    G = pop.counts.shape[1]
    local = np.zeros((len(ukey), G), dtype=np.int64)
    for g in range(G):
        local[:, g] = np.bincount(inv, weights=pop.counts[:, g], minlength=len(ukey))
    return _Cells(
        ux=(ukey % W).astype(np.int64),
        uy=(ukey // W).astype(np.int64),
        local=local,
        inv=inv.ravel(),
        W=W,
        H=H,
    )


class _Walk:
    """Dense index of the padded bounding box and the per-cell table for the ring walk."""

    def __init__(self, cells: _Cells, pad: int) -> None:
        self.W, self.H, self.P = cells.W, cells.H, pad
        self.Wp = self.W + pad  # one-sided column pad serves both sides (rows wrap into it)
        n_u, G = cells.local.shape
        table = np.zeros((n_u + 1, G + 1), dtype=np.int64)
        table[1:, :G] = cells.local
        table[:, G] = table[:, :G].sum(axis=1)
        self.table = table.astype(np.int32) if table.max() < 2**31 - 1 else table
        self.ux, self.uy = cells.ux, cells.uy
        self.dense = np.zeros((self.H + 2 * pad) * self.Wp, dtype=np.int32)
        self.base = (self.uy + pad) * self.Wp + (self.ux + pad)
        self.dense[self.base] = np.arange(1, n_u + 1)
        self.G, self.n_u = G, n_u


def _numba_available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def knn_counts(
    pop: GridPopulation,
    k: Sequence[int] | np.ndarray = EQUIPOP_K,
    *,
    ring_mode: RingMode = "whole",
    max_distance: float | None = None,
    engine: Engine = "auto",
    block_elements: int = 2_000_000,
    pad: int = 64,
    origins: np.ndarray | None = None,
) -> Neighbourhoods:
    """Composition of the k nearest persons around every cell, for all k at once.

    Parameters
    ----------
    pop : GridPopulation
        Validated population grid (:func:`~grannskap.measures.neighbourhoods.grid_population`).
    k : sequence of int
        Neighbourhood sizes in persons (EquiPop's 12 ... 25,600 by default).
    ring_mode : {"whole", "proportional"}
        How the ring that crosses k enters: wholly (N_k >= k) or by the same fraction of each
        of its cells so that N_k = k (EquiPop's ``overshoot_mode``).
    engine : {"auto", "numpy", "numba"}
        ``"numpy"``: the pure-numpy ring walk (work per origin ~ area of its largest
        neighbourhood). ``"numba"``: the compiled row-prefix engine (work ~ radius; needs the
        optional package numba). ``"auto"`` uses numba when it is installed and the grid has
        at least 5,000 distinct cells. Both are exact and give identical counts.
    max_distance : float, optional
        Stop walking at this distance (metres). Origins whose neighbourhood has not reached k
        by then get everything within ``max_distance`` and ``reached = False``. Without a cap
        the walk goes as far as needed (exact; the whole grid if k exceeds its population).
    block_elements : int
        Work-array size (origins x offsets) per step; bounds temporary memory.
    pad : int
        Zero margin (cells) around the grid's bounding box in the dense index; walks beyond it
        use bounds-checked lookups for origins near the edge.
    origins : array of int, optional
        Row positions in ``pop`` whose neighbourhoods are wanted (default: every row). All rows
        are neighbours either way; the result has one row per origin, in this order. A tile of a
        larger grid (:func:`~grannskap.measures.neighbourhoods.tiles.tiled_knn_counts`) asks
        only for its own cells, not for its halo's.

    Returns
    -------
    Neighbourhoods
        Counts per group, totals, reach distance and the ``reached`` flag per row and k.

    Notes
    -----
    With ``T(D)`` the persons within squared distance ``D`` of an origin and ``D*`` the
    smallest ring distance with ``N(D*) >= k``: whole mode reports ``T(D*)``; proportional
    mode reports ``T(D*-) + f (T(D*) - T(D*-))`` with ``f = (k - N(D*-)) / (N(D*) - N(D*-))``
    (Östh et al. 2015; ``equipop.overshoot``). ``reach`` is ``sqrt(D*)`` in metres (the outer
    edge of the crossing ring; EquiPop's interpolated ``Dist_k`` is not reproduced).
    """
    validate_literal(ring_mode, RingMode, "ring_mode")
    validate_literal(engine, Engine, "engine")
    kvals = _check_k(k)
    if max_distance is not None and not (np.isfinite(max_distance) and max_distance >= 0):
        raise ConfigError(
            f"`max_distance` was {max_distance!r} but is expected to be a distance >= 0 in metres"
        )
    n_rows = len(pop)
    K, G = len(kvals), pop.counts.shape[1]
    if n_rows == 0:
        z = np.zeros((0, K))
        return Neighbourhoods(
            k=kvals,
            groups=pop.groups,
            x=pop.x,
            y=pop.y,
            local=np.zeros((0, G), dtype=np.int64),
            counts=np.zeros((0, K, G)),
            total=z,
            reach=z.copy(),
            reached=np.zeros((0, K), dtype=bool),
            ring_mode=ring_mode,
            max_distance=max_distance,
            cell_size=pop.cell_size,
        )
    if pad < 0:
        raise ConfigError(f"`pad` was {pad!r} but is expected to be >= 0")
    rows = _check_origins(origins, n_rows)
    # the walk never needs to go further than the grid's diagonal, nor than the cap
    w_ = int(pop.ix.max() - pop.ix.min())
    h_ = int(pop.iy.max() - pop.iy.min())
    d2_limit = w_ * w_ + h_ * h_
    if max_distance is not None:
        d2_limit = min(d2_limit, int(math.floor((max_distance / pop.cell_size) ** 2 + 1e-9)))
    cells = _aggregate(pop)
    # small grids: the ring walk is faster than starting the compiled engine's threads
    big = len(cells.ux) >= _AUTO_NUMBA_CELLS
    use_numba = engine == "numba" or (engine == "auto" and big and _numba_available())
    # the distinct cells asked for (all cells unless origins are given) and each row's one
    if rows is None:
        want, inv = None, cells.inv
    else:
        want, inv = np.unique(cells.inv[rows], return_inverse=True)
        inv = inv.ravel()
    if use_numba:
        try:
            from grannskap.measures.neighbourhoods._prefix_numba import run_prefix
        except ImportError as exc:
            raise OptionalDependencyError("numba", "fast") from exc
        counts_u, total_u, d2_u, reached_u = run_prefix(
            cells.ux, cells.uy, cells.local, cells.W, cells.H, kvals, d2_limit,
            ring_mode == "proportional", want,
        )  # fmt: skip
    else:
        walk = _Walk(cells, int(min(pad, math.isqrt(d2_limit) + 1)))
        counts_u, total_u, d2_u, reached_u = _run(
            walk, kvals, ring_mode, d2_limit, block_elements, want
        )
    reach = np.where(reached_u, np.sqrt(d2_u.astype(float)) * pop.cell_size, np.nan)[inv]
    local = cells.local if want is None else cells.local[want]
    return Neighbourhoods(
        k=kvals,
        groups=pop.groups,
        x=pop.x if rows is None else pop.x[rows],
        y=pop.y if rows is None else pop.y[rows],
        local=local[inv],
        counts=counts_u[inv],
        total=total_u[inv],
        reach=reach,
        reached=reached_u[inv],
        ring_mode=ring_mode,
        max_distance=max_distance,
        cell_size=pop.cell_size,
    )


def _run(
    walk: _Walk,
    kvals: np.ndarray,
    ring_mode: str,
    d2_limit: int,
    block_elements: int,
    want: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Walk the origins ring by ring (the unique cells ``want``, default all); return per
    origin counts, totals, D*, reached."""
    sel = np.arange(walk.n_u) if want is None else want
    n_u, G, K = len(sel), walk.G, len(kvals)
    counts_u = np.zeros((n_u, K, G))
    total_u = np.zeros((n_u, K))
    d2_u = np.zeros((n_u, K), dtype=np.int64)
    reached_u = np.zeros((n_u, K), dtype=bool)
    proportional = ring_mode == "proportional"

    act = np.arange(n_u)
    base = walk.base[sel]
    ax, ay = walk.ux[sel], walk.uy[sel]
    cum = np.zeros((n_u, G + 1), dtype=np.int64)
    nxt = np.zeros(n_u, dtype=np.int64)
    table, dense, Wp, W, H, P = walk.table, walk.dense, walk.Wp, walk.W, walk.H, walk.P

    def record(
        rows: np.ndarray, j: int, before: np.ndarray, ring: np.ndarray, d2: np.ndarray
    ) -> None:
        cells = act[rows]
        if proportional:
            f = np.clip((kvals[j] - before[:, G]) / ring[:, G], 0.0, 1.0)
            counts_u[cells, j] = before[:, :G] + f[:, None] * ring[:, :G]
            total_u[cells, j] = before[:, G] + f * ring[:, G]
        else:
            counts_u[cells, j] = before[:, :G] + ring[:, :G]
            total_u[cells, j] = before[:, G] + ring[:, G]
        d2_u[cells, j] = d2
        reached_u[cells, j] = True

    for batch in iter_offset_batches(d2_limit):
        if not len(act):
            break
        n_rings = len(batch.ring_start)
        ends = np.r_[batch.ring_start[1:], len(batch.dx)]
        r0 = 0
        while r0 < n_rings and len(act):
            # as many whole rings as fit the work budget for the current active set
            target = max(1, block_elements // max(len(act), 1))
            r1 = int(np.searchsorted(ends, batch.ring_start[r0] + target, side="right"))
            r1 = min(max(r1, r0 + 1), n_rings)
            o0, o1 = int(batch.ring_start[r0]), int(ends[r1 - 1])
            dx, dy = batch.dx[o0:o1], batch.dy[o0:o1]
            starts = batch.ring_start[r0:r1] - o0
            d2s = batch.ring_d2[r0:r1]
            radius = math.isqrt(int(d2s[-1])) + 1
            lin_off = dy * Wp + dx
            idx = dense[base[:, None] + lin_off[None, :]] if radius <= P else None
            if idx is None:
                inner = (ax + P - radius >= 0) & (ax + radius < W + P)
                inner &= (ay + P - radius >= 0) & (ay + radius < H + P)
                idx = np.empty((len(act), len(dx)), dtype=dense.dtype)
                ii = np.flatnonzero(inner)
                idx[ii] = dense[base[ii, None] + lin_off[None, :]]
                oo = np.flatnonzero(~inner)
                if len(oo):
                    nx = ax[oo, None] + dx[None, :]
                    ny = ay[oo, None] + dy[None, :]
                    ok = (nx >= 0) & (nx < W) & (ny >= 0) & (ny < H)
                    lin = np.where(ok, (ny + P) * Wp + (nx + P), 0)
                    idx[oo] = np.where(ok, dense[lin], 0)
            vals = table[idx]  # (A, T, G+1)
            if len(starts) == vals.shape[1]:
                rs = vals.astype(np.int64)
            else:
                rs = np.add.reduceat(vals, starts, axis=1, dtype=np.int64)  # (A, R, G+1)
            crs = np.cumsum(rs, axis=1)
            crs += cum[:, None, :]
            end_tot = crs[:, -1, G]
            hit = np.flatnonzero(end_tot >= kvals[np.minimum(nxt, K - 1)])
            if len(hit):
                ctot = crs[hit, :, G]
                for j in range(int(nxt[hit].min()), K):
                    sel = (nxt[hit] <= j) & (end_tot[hit] >= kvals[j])
                    if not sel.any():
                        break
                    h = hit[sel]
                    p = (ctot[sel] < kvals[j]).sum(axis=1)
                    before = np.where((p > 0)[:, None], crs[h, np.maximum(p - 1, 0)], cum[h])
                    record(h, j, before, rs[h, p], d2s[p])
                    nxt[h] = j + 1
            cum = crs[:, -1, :]
            keep = nxt < K
            if not keep.all():
                act, base, ax, ay = act[keep], base[keep], ax[keep], ay[keep]
                cum, nxt = cum[keep], nxt[keep]
            r0 = r1
    # origins that ran out of rings (cap, or the whole grid holds fewer than k persons):
    # everything in reach, flagged as not reached
    if len(act):
        for j in range(K):
            rows = np.flatnonzero(nxt <= j)
            cells = act[rows]
            counts_u[cells, j] = cum[rows, :G]
            total_u[cells, j] = cum[rows, G]
    return counts_u, total_u, d2_u, reached_u


def individualised_neighbourhoods(
    frame: pd.DataFrame,
    groups: Sequence[str],
    *,
    cell_size: float,
    k: Sequence[int] | np.ndarray = EQUIPOP_K,
    ring_mode: RingMode = "whole",
    max_distance: float | None = None,
    x: str = "x",
    y: str = "y",
    origin: tuple[float, float] = (0.0, 0.0),
    check_extent: bool = True,
    engine: Engine = "auto",
) -> Neighbourhoods:
    """Validate a population grid frame and compute its k-nearest-person neighbourhoods.

    ``frame`` has one row per cell with SWEREF 99 TM coordinates ``x``, ``y`` (on the declared
    ``cell_size`` grid) and one count column per group. See :func:`knn_counts` for the method
    and :func:`~grannskap.measures.neighbourhoods.grid_population` for the checks.
    """
    pop = grid_population_from_frame(
        frame,
        groups,
        cell_size=cell_size,
        x=x,
        y=y,
        origin=origin,
        check_extent=check_extent,
    )
    return knn_counts(pop, k, ring_mode=ring_mode, max_distance=max_distance, engine=engine)
