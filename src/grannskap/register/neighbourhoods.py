"""Individualised neighbourhoods from person-level register data, on any engine.

Two steps, each written against the :class:`~grannskap.register.engine.Engine` interface:

1. **Grid counts** (:func:`grid_counts`): persons per group per ``(year, cell)`` on a square
   grid of 100, 250 or 1,000 m, by the engine's ``count_cells`` primitive (one pass over the
   data; exact integers, the same from DuckDB and Dask). Persons without coordinates and
   persons whose cell lies outside SWEREF 99 TM's Swedish extent are counted per year and
   reported (:attr:`GridCounts.persons`, a :class:`~grannskap.errors.DataQualityWarning`), not
   silently dropped; so are persons who belong to none of the groups (e.g. unknown background).
2. **Neighbourhoods** (:func:`register_neighbourhoods`): per year the EquiPop k-nearest-persons
   neighbourhoods of every populated cell (:func:`~grannskap.measures.neighbourhoods.knn_counts`;
   Östh, Clark & Malmberg 2015), optionally tile by tile with halos
   (:func:`~grannskap.measures.neighbourhoods.tiles.tiled_knn_counts`, exact) with the tiles run
   by the engine's ``map`` primitive — in this process on DuckDB, on the cluster's workers on
   Dask (each task gets its tile's arrays, scattered, never the whole grid). The segregation
   indices over the neighbourhoods (:mod:`grannskap.measures.neighbourhoods.indices`) follow.

The Dask implementations of ``count_cells`` and ``map`` live here (:func:`dask_count_cells`,
:func:`dask_engine_map`) and are bound to :class:`~grannskap.register.dask_engine.DaskEngine`.

Reference: Östh, J., Clark, W. A. V. & Malmberg, B. (2015). Measuring the scale of segregation
using k-nearest neighbor aggregates. *Geographical Analysis* 47(1), 34-49.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from grannskap._literals import validate_literal
from grannskap.errors import ConfigError, DataNotFoundError, DataQualityWarning
from grannskap.measures.neighbourhoods._grid import SWEREF99TM_X, SWEREF99TM_Y, grid_population
from grannskap.measures.neighbourhoods.indices import NeighbourhoodIndices, neighbourhood_indices
from grannskap.measures.neighbourhoods.knn import EQUIPOP_K, Neighbourhoods, RingMode, knn_counts
from grannskap.measures.neighbourhoods.tiles import TilingReport, tiled_knn_counts
from grannskap.register.engine import CELL_KEYS, GRID_SIZE, Engine, check_cell_size
from grannskap.register.expr import TRUE, And, Between, Cmp, Cond, Or, PerYear, columns_of
from grannskap.register.schema import GRID_FACTOR, RegisterSource

if TYPE_CHECKING:
    from grannskap.register.dask_engine import DaskEngine
    from grannskap.register.partitions import Part

__all__ = [
    "GroupSet",
    "GROUP_SETS",
    "group_conditions",
    "QUINTILE_PROBS",
    "quintile_cut_points",
    "GridCounts",
    "grid_counts",
    "RegisterNeighbourhoods",
    "register_neighbourhoods",
    "dask_count_cells",
    "dask_map",
    "dask_engine_map",
]

GroupSet = Literal["background", "sex", "education", "economic_standard", "income_quintile"]
GROUP_SETS: tuple[str, ...] = (
    "background", "sex", "education", "economic_standard", "income_quintile",
)  # fmt: skip
_WORKING = Between("age", 20, 64)
_LOW_STANDARD_FRACTION = 0.6  # as V1 in grannskap.register.indicators
QUINTILE_PROBS: tuple[float, ...] = (0.2, 0.4, 0.6, 0.8)
"""The cut points of the ``income_quintile`` groups (per-year national quantiles)."""
DASK_TILE_SIZE = 256
"""Tile side (cells) used on Dask when no ``tile_size`` is given (25.6 km at 100 m)."""


def group_conditions(
    name: str,
    thresholds: Mapping[int, float] | None = None,
    *,
    cut_points: Mapping[int, Sequence[float]] | None = None,
) -> dict[str, Cond]:
    """The mutually exclusive groups of a group set, as engine conditions.

    ``background``: ``swedish`` / ``foreign`` (SCB: utländsk bakgrund). ``sex``: ``K`` / ``M``.
    ``education``: persons aged 20–64 by level (``forgymnasial``, ``gymnasial``,
    ``eftergymnasial``; the V2 population of :mod:`grannskap.register.indicators`; other ages and
    unknown levels are in no group). ``economic_standard``: ``low`` / ``not_low``, below or at
    least 60 % of the year's national median of ``disp_income`` (V1; ``thresholds`` = year ->
    limit), persons with unknown income in no group. ``income_quintile``: ``q1`` ... ``q5`` by
    the year's national quintile cut points ``c20 <= c40 <= c60 <= c80`` of ``disp_income``
    (the household's equivalised disposable income; ``cut_points`` = year -> the four cuts,
    the engine's exact ``quantiles`` at :data:`QUINTILE_PROBS` over all person-years of the
    year with a known income — the population of the V1 median): ``q1: x <= c20``,
    ``q2: c20 < x <= c40``, ... ``q5: x > c80``. Persons with unknown income, and persons of
    a year without cut points, are in no group. With many ties at a cut point the groups are
    not of equal size (everybody at the cut is in the lower group).
    """
    validate_literal(name, GroupSet, "groups")
    if name == "background":
        return {g: Cmp("background", "==", g) for g in ("swedish", "foreign")}
    if name == "sex":
        return {g: Cmp("sex", "==", g) for g in ("K", "M")}
    if name == "education":
        levels = ("forgymnasial", "gymnasial", "eftergymnasial")
        return {g: And((_WORKING, Cmp("education", "==", g))) for g in levels}
    if name == "income_quintile":
        return _quintile_conditions(cut_points)
    if thresholds is None:
        raise ConfigError("the `economic_standard` groups need the yearly income thresholds")
    limit = PerYear.of(thresholds)
    return {"low": Cmp("disp_income", "<", limit), "not_low": Cmp("disp_income", ">=", limit)}


def _quintile_conditions(cut_points: Mapping[int, Sequence[float]] | None) -> dict[str, Cond]:
    if cut_points is None:
        raise ConfigError("the `income_quintile` groups need the yearly quintile cut points")
    n_cuts = len(QUINTILE_PROBS)
    for year, cuts in cut_points.items():
        c = [float(v) for v in cuts]
        if len(c) != n_cuts or any(b < a for a, b in zip(c, c[1:], strict=False)):
            raise ConfigError(
                f"`cut_points` of {year} were {c!r} but are expected to be {n_cuts} "
                "non-decreasing numbers"
            )
    cut = [PerYear.of({y: float(c[j]) for y, c in cut_points.items()}) for j in range(n_cuts)]
    x = "disp_income"
    groups: dict[str, Cond] = {"q1": Cmp(x, "<=", cut[0])}
    for j in range(1, n_cuts):
        groups[f"q{j + 1}"] = And((Cmp(x, ">", cut[j - 1]), Cmp(x, "<=", cut[j])))
    groups[f"q{n_cuts + 1}"] = Cmp(x, ">", cut[-1])
    return groups


def quintile_cut_points(engine: Engine, source: RegisterSource) -> dict[int, tuple[float, ...]]:
    """Per year the national quintile cut points of ``disp_income`` (``engine.quantiles``)."""
    q = engine.quantiles(source, "disp_income", QUINTILE_PROBS)
    cols = [q[c].to_numpy(dtype=float) for c in q.columns[2:]]
    return {int(y): tuple(float(c[i]) for c in cols) for i, y in enumerate(q["year"].to_numpy())}


# ------------------------------------------------------------------------------ grid counts
@dataclass(frozen=True)
class GridCounts:
    """Persons per group per (year, cell), and the accounting of every person-year.

    Attributes
    ----------
    cells : pd.DataFrame
        ``year, cell_x, cell_y`` (south-west corner, SWEREF 99 TM metres) and one int64 column
        per group; only cells inside the Swedish extent. These are small local counts: do not
        publish them unsuppressed.
    persons : pd.DataFrame
        Per year: ``persons`` (all person-years), ``without_coordinates``, ``outside_extent``,
        ``ungrouped`` (placed in a cell but in none of the groups), ``in_groups``.
    groups : tuple of str
    cell_size : int
    """

    cells: pd.DataFrame
    persons: pd.DataFrame
    groups: tuple[str, ...]
    cell_size: int
    missing_year: int = 0  # person-years without a year (in no year's accounting)


def grid_counts(
    engine: Engine,
    source: RegisterSource,
    groups: Mapping[str, Cond],
    *,
    cell_size: int = 100,
    years: Sequence[int] | None = None,
    check_overlap: bool = True,
) -> GridCounts:
    """Persons per group per year and grid cell, counted by ``engine`` (see the module doc).

    ``check_overlap`` also counts the persons who satisfy two or more of the group conditions
    (in the same pass) and refuses the groups if there are any.

    Raises
    ------
    ConfigError
        ``cell_size`` not one of 100, 250, 1000; groups that overlap (a person counted twice).
    """
    size = check_cell_size(cell_size)
    if not isinstance(groups, Mapping):
        raise ConfigError(
            f"`groups` was {groups!r} but is expected to be a mapping of group name to "
            "condition; for a named group set use group_conditions(name), one of "
            f"{sorted(GROUP_SETS)}"
        )
    names = tuple(groups)
    if not names:
        raise ConfigError("`groups` was empty but is expected to name at least one group")
    if "persons" in names:
        raise ConfigError("`groups` may not use the reserved name 'persons'")
    counters: dict[str, Cond] = {"persons": TRUE, **groups}
    conds = list(groups.values())
    if check_overlap and len(conds) > 1:
        pairs = [And((a, b)) for i, a in enumerate(conds) for b in conds[i + 1 :]]
        counters[" overlap"] = Or(tuple(pairs))
    raw = engine.count_cells(source, size, counters)
    if " overlap" in raw.columns:
        both = int(raw.pop(" overlap").sum())
        if both:
            raise ConfigError(
                f"`groups` {list(names)!r} overlap: {both} person-year(s) satisfy two or more "
                "of them; expected mutually exclusive groups"
            )
    missing_year = int(raw.loc[raw["year"].isna(), "persons"].sum())
    raw = raw[raw["year"].notna()]
    if years is not None:
        raw = raw[raw["year"].isin([int(y) for y in years])]
    has_cell = (raw["cell_x"].notna() & raw["cell_y"].notna()).to_numpy()
    cx = raw["cell_x"].astype("float64").to_numpy(na_value=np.nan)
    cy = raw["cell_y"].astype("float64").to_numpy(na_value=np.nan)
    with np.errstate(invalid="ignore"):
        inside = has_cell & (cx >= SWEREF99TM_X[0]) & (cx <= SWEREF99TM_X[1])
        inside &= (cy >= SWEREF99TM_Y[0]) & (cy <= SWEREF99TM_Y[1])
    year = raw["year"].astype("int64").to_numpy()
    persons = raw["persons"].to_numpy()
    in_groups = raw[list(names)].to_numpy().sum(axis=1)
    acc = pd.DataFrame(
        {
            "year": year,
            "persons": persons,
            "without_coordinates": np.where(has_cell, 0, persons),
            "outside_extent": np.where(has_cell & ~inside, persons, 0),
            "in_groups": np.where(inside, in_groups, 0),
            "placed": np.where(inside, persons, 0),
        }
    )
    acc = acc.groupby("year", sort=True).sum()
    acc["ungrouped"] = acc.pop("placed") - acc["in_groups"]
    if (acc["ungrouped"] < 0).any():
        raise ConfigError(
            f"`groups` {list(names)!r} overlap: more group memberships than persons in "
            f"{int((acc['ungrouped'] < 0).sum())} year(s); expected mutually exclusive groups"
        )
    acc = acc[["persons", "without_coordinates", "outside_extent", "ungrouped", "in_groups"]]
    cells = raw.loc[inside, ["year", "cell_x", "cell_y", *names]].reset_index(drop=True)
    cells = cells.astype({"year": "int64", "cell_x": "int64", "cell_y": "int64"})
    return GridCounts(cells, acc.reset_index(), names, size, missing_year)


# --------------------------------------------------------------------------- neighbourhoods
@dataclass
class RegisterNeighbourhoods:
    """Per year the k-nearest-person neighbourhoods of every populated cell, and indices."""

    by_year: dict[int, Neighbourhoods]
    indices: dict[int, NeighbourhoodIndices]
    persons: pd.DataFrame  # accounting per year (see GridCounts.persons)
    groups: tuple[str, ...]
    cell_size: int
    engine: str
    tiling: dict[int, TilingReport] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    synthetic: bool = False  # the input was written by grannskap.register.synth

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per year, cell and k with ``N``, persons per group, ``reach``,
        ``reached``. Cells' own (local) counts are not included; neighbourhoods that did not
        reach k persons (within ``max_distance``) have their counts left empty (they hold
        fewer than k persons)."""
        frames = []
        for year, nb in sorted(self.by_year.items()):
            n, K = nb.total.shape
            ok = nb.reached.reshape(-1)
            cols: dict[str, Any] = {
                "year": np.full(n * K, year, dtype=np.int64),
                "x": np.repeat(nb.x, K).astype(np.int64),  # cell corners: whole metres
                "y": np.repeat(nb.y, K).astype(np.int64),
                "k": np.tile(nb.k, n),
                "N": np.where(ok, nb.total.reshape(-1), np.nan),
            }
            for g, name in enumerate(nb.groups):
                cols[name] = np.where(ok, nb.counts[:, :, g].reshape(-1), np.nan)
            cols["reach"] = nb.reach.reshape(-1)
            cols["reached"] = ok
            frames.append(pd.DataFrame(cols))
        if not frames:
            return pd.DataFrame(columns=["year", "x", "y", "k", "N", *self.groups, "reach"])
        return pd.concat(frames, ignore_index=True)

    def indices_frame(self) -> pd.DataFrame:
        """One row per year and k: dissimilarity and isolation per group, and H."""
        frames = [
            ind.to_frame().reset_index().assign(year=year)
            for year, ind in sorted(self.indices.items())
        ]
        if not frames:
            return pd.DataFrame(columns=["year", "k"])
        out = pd.concat(frames, ignore_index=True)
        return out[["year", *[c for c in out.columns if c != "year"]]]


def _default_tile_size(engine: Engine) -> int | None:
    # in-process engines gain nothing from tiling but memory; cluster engines need the tasks
    return None if engine.name == "duckdb" else DASK_TILE_SIZE


def register_neighbourhoods(
    engine: Engine,
    source: RegisterSource,
    groups: str | Mapping[str, Cond] = "background",
    *,
    k: Sequence[int] | np.ndarray = EQUIPOP_K,
    cell_size: int = 100,
    years: Sequence[int] | None = None,
    ring_mode: RingMode = "whole",
    max_distance: float | None = None,
    tile_size: int | None | Literal["auto"] = "auto",
    halo: int | None = None,
    knn_engine: Literal["auto", "numpy", "numba"] = "auto",
    indices: bool = True,
) -> RegisterNeighbourhoods:
    """Individualised neighbourhoods per year from a person-year register.

    Parameters
    ----------
    engine
        Counts the persons (``count_cells``) and runs the tiles (``map``).
    groups
        A group set (:data:`GROUP_SETS`, see :func:`group_conditions`) or a mapping of group
        name -> condition; groups must be mutually exclusive.
    k, ring_mode, max_distance, knn_engine
        As for :func:`~grannskap.measures.neighbourhoods.knn_counts`.
    cell_size
        100 (default), 250 or 1000 metres; 1000 uses ``grid_cell`` when present.
    years
        Years to compute (default: all in the data).
    tile_size, halo
        Tiles of ``tile_size`` cells run through ``engine.map``; ``None``: no tiling;
        ``"auto"``: none on DuckDB, 256 on Dask. The result is the same either way (exact).
    indices
        Also compute the segregation indices over the neighbourhoods per year.

    Raises
    ------
    DataNotFoundError
        No person of the selected years has usable coordinates.
    """
    if isinstance(groups, str):
        thresholds = cuts = None
        if groups == "economic_standard":
            med = engine.medians(source, "disp_income")
            thresholds = {
                int(y): _LOW_STANDARD_FRACTION * float(m)
                for y, m in zip(med["year"], med["median"], strict=True)
            }
        elif groups == "income_quintile":
            cuts = quintile_cut_points(engine, source)
        conds = group_conditions(groups, thresholds, cut_points=cuts)
    else:
        conds = dict(groups)
    counted = grid_counts(
        engine, source, conds, cell_size=cell_size, years=years,
        check_overlap=not isinstance(groups, str),  # the group sets are exclusive by definition
    )  # fmt: skip
    acc = counted.persons
    notes = [f"persons counted by the {engine.name} engine from {source.root}"]
    lost = {
        "without coordinates": int(acc["without_coordinates"].sum()),
        "with a cell outside SWEREF 99 TM's Swedish extent": int(acc["outside_extent"].sum()),
        "in none of the groups": int(acc["ungrouped"].sum()),
        "without a year": counted.missing_year,
    }
    for what, n in lost.items():
        if n:
            msg = f"{n} person-year(s) {what} are not in any neighbourhood"
            notes.append(msg)
            warnings.warn(msg, DataQualityWarning, stacklevel=2)
    if counted.cells.empty:
        raise DataNotFoundError(
            f"{source.root}: no person-year with coordinates inside Sweden"
            + (f" in the years {list(years)}" if years is not None else "")
        )
    tiles = _default_tile_size(engine) if tile_size == "auto" else tile_size
    by_year: dict[int, Neighbourhoods] = {}
    tiling: dict[int, TilingReport] = {}
    ind: dict[int, NeighbourhoodIndices] = {}

    def one_year(year: int, cells: pd.DataFrame) -> tuple[Neighbourhoods, TilingReport | None]:
        pop = grid_population(
            cells["cell_x"].to_numpy(dtype=float),
            cells["cell_y"].to_numpy(dtype=float),
            cells[list(counted.groups)].to_numpy(),
            cell_size=counted.cell_size,
            groups=counted.groups,
            source=f"{source.root} ({year})",
        )
        if tiles is None:
            nb = knn_counts(
                pop, k, ring_mode=ring_mode, max_distance=max_distance, engine=knn_engine
            )
            return nb, None
        res = tiled_knn_counts(
            pop, k, tile_size=int(tiles), halo=halo, ring_mode=ring_mode,
            max_distance=max_distance, engine=knn_engine, map=engine.map,
        )  # fmt: skip
        return res.neighbourhoods, res.report

    jobs = [(int(y), c) for y, c in counted.cells.groupby("year", sort=True)]  # type: ignore[call-overload]
    if tiles is not None and engine.name == "dask" and len(jobs) > 1:
        # the years' tiles go to the cluster together (each year's rounds wait only for its
        # own tasks); in this process the threads only cut tiles and gather results
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(len(jobs), 8)) as pool:
            done = list(pool.map(lambda job: one_year(*job), jobs))
    else:  # in process: one year at a time (the neighbourhood engine uses every core)
        done = [one_year(*job) for job in jobs]
    for (year, _), (nb, report) in zip(jobs, done, strict=True):
        by_year[year] = nb
        if report is not None:
            tiling[year] = report
        if indices and nb.local.sum() > 0:
            ind[year] = neighbourhood_indices(nb)
    synthetic = _is_synthetic(source)
    if synthetic:
        notes.insert(0, "SYNTHETIC data (grannskap.register.synth): not real persons")
    return RegisterNeighbourhoods(
        by_year, ind, acc, counted.groups, counted.cell_size, engine.name, tiling, notes, synthetic
    )


def _is_synthetic(source: RegisterSource) -> bool:
    """Whether the files carry the marker :func:`grannskap.register.synth.synthesize` writes."""
    from pathlib import Path

    dirs = {Path(source.root)} | {Path(p).parent for p in source.paths}
    dirs |= {d.parent for d in dirs}
    return any((d / "_SYNTHETIC_DATA.txt").exists() for d in dirs)


# ------------------------------------------------------------------------------ Dask parts
def _cells_part(part: Part, size: int, counters: tuple[tuple[str, Cond], ...]) -> list[Any]:
    """One partition's counts per (year, cell): the ``count_cells`` task body."""
    from grannskap.register.dask_engine import _count_batch
    from grannskap.register.partitions import read_batch

    cols = {"year"}.union(*(columns_of(c) for _, c in counters))
    cols |= {"grid_cell"} if size == GRID_SIZE else {"x", "y"}
    batch = read_batch(part, sorted(cols))
    if size == GRID_SIZE:
        g = np.asarray(batch["grid_cell"], dtype=np.float64)
        cx = np.floor(g / GRID_FACTOR)  # exact: northings are below GRID_FACTOR
        cy = g - cx * GRID_FACTOR
    else:  # the same floating-point operations as DuckDB's floor(x / size) * size
        cx = np.floor(np.asarray(batch["x"], dtype=np.float64) / size) * size
        cy = np.floor(np.asarray(batch["y"], dtype=np.float64) / size) * size
    batch.columns["cell_x"], batch.columns["cell_y"] = cx, cy
    return [_count_batch(batch, CELL_KEYS, counters, {})]


def dask_count_cells(
    engine: DaskEngine, source: RegisterSource, cell_size: int, counters: Mapping[str, Cond]
) -> pd.DataFrame:
    """``DaskEngine.count_cells``: one task per partition, partial counts summed in a tree."""
    from grannskap.register.dask_engine import _sum_counts, _to_frame
    from grannskap.register.engine import _normalise_keys

    size = check_cell_size(cell_size)
    ctr = tuple(counters.items())
    queries = ((CELL_KEYS, ctr),)
    delayed = engine._dask.delayed
    leaves = [delayed(_cells_part)(p, size, ctr) for p in engine.partitions(source)]
    partial = engine._compute(engine._tree(leaves, _sum_counts, queries))[0]
    return _normalise_keys(_to_frame(partial, list(CELL_KEYS), list(counters)), CELL_KEYS)


def dask_map(client: Any) -> Callable[[Callable[[Any], Any], list[Any]], list[Any]]:
    """A ``map(func, items)`` that scatters each item to a worker and runs ``func`` there.

    Each item (a tile with its halo) is scattered on its own, so a task receives only its own
    arrays; results come back in the order of ``items``.
    """

    def run(func: Callable[[Any], Any], items: list[Any]) -> list[Any]:
        if not items:
            return []
        futures = client.scatter(list(items))
        return list(client.gather(client.map(func, futures, pure=False)))

    return run


def dask_engine_map(
    engine: DaskEngine, func: Callable[[Any], Any], items: Sequence[Any]
) -> list[Any]:
    """``DaskEngine.map``: :func:`dask_map` on the engine's client."""
    return dask_map(engine.client)(func, list(items))
