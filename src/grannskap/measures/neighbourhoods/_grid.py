"""Validated population on a regular grid (the input of the neighbourhood engine).

Population data for individualised neighbourhoods arrive as one row per grid cell: the cell's
coordinates in SWEREF 99 TM (EPSG:3006) and a count of persons per group. This module checks
those rows once (all problems collected, then one :class:`~grannskap.errors.ValidationError`)
and turns them into integer grid indices, so that the engine never sees a float coordinate.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grannskap.errors import ConfigError, Problem, ValidationError

__all__ = [
    "SWEREF99TM_X",
    "SWEREF99TM_Y",
    "GridPopulation",
    "grid_population",
    "grid_population_from_frame",
]

#: Accepted extent of SWEREF 99 TM coordinates (metres) for Swedish data: the projection's
#: easting/northing range that covers Sweden with a margin.
SWEREF99TM_X: tuple[float, float] = (200_000.0, 1_000_000.0)
SWEREF99TM_Y: tuple[float, float] = (6_100_000.0, 7_700_000.0)

_SHOWN = 5  # bad rows quoted per kind of problem


@dataclass(frozen=True)
class GridPopulation:
    """Persons per group on a regular square grid, validated.

    Attributes
    ----------
    ix, iy : np.ndarray
        Integer column / row of each input row on the grid (``(x - origin_x) / cell_size``).
    counts : np.ndarray
        ``(n_rows, n_groups)`` int64 persons per group, in input row order.
    groups : tuple of str
        Group names, one per column of ``counts``.
    cell_size : float
        Side of a cell in metres.
    origin : tuple of float
        Grid origin: coordinates are ``origin + cell_size * index``.
    """

    ix: np.ndarray
    iy: np.ndarray
    counts: np.ndarray
    groups: tuple[str, ...]
    cell_size: float
    origin: tuple[float, float]

    @property
    def x(self) -> np.ndarray:
        """Easting of each row (metres)."""
        return self.origin[0] + self.cell_size * self.ix.astype(float)

    @property
    def y(self) -> np.ndarray:
        """Northing of each row (metres)."""
        return self.origin[1] + self.cell_size * self.iy.astype(float)

    @property
    def total(self) -> np.ndarray:
        """Persons per row, all groups together."""
        return self.counts.sum(axis=1)

    def __len__(self) -> int:
        return int(self.ix.shape[0])


def _quote(values: np.ndarray, rows: np.ndarray) -> str:
    pairs = zip(rows[:_SHOWN], values[:_SHOWN], strict=True)
    shown = ", ".join(f"row {int(r) + 1}: {float(v)!r}" for r, v in pairs)
    more = f" and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
    return shown + more


def grid_population(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    counts: np.ndarray,
    *,
    cell_size: float,
    groups: Sequence[str] | None = None,
    origin: tuple[float, float] = (0.0, 0.0),
    check_extent: bool = True,
    source: str = "population grid",
) -> GridPopulation:
    """Validate grid cells and their counts per group.

    Parameters
    ----------
    x, y : array-like
        Cell coordinates in SWEREF 99 TM metres (a corner or the centre, consistently).
    counts : array-like
        ``(n, n_groups)`` non-negative whole numbers of persons (a 1-D array is one group).
    cell_size : float
        Declared side of a grid cell in metres (e.g. 100 or 250); every coordinate must be
        ``origin + cell_size * integer``.
    groups : sequence of str, optional
        Names of the count columns; ``g0, g1, ...`` by default.
    origin : (float, float)
        Grid origin; ``(0, 0)`` for corner-registered grids such as SCB's, ``(50, 50)`` for
        centres of a 100 m grid.
    check_extent : bool
        Refuse coordinates outside SWEREF 99 TM's Swedish extent (x 200,000-1,000,000,
        y 6,100,000-7,700,000). Switch off only for synthetic test grids.
    source : str
        Name of the input, used in error messages.

    Raises
    ------
    ConfigError
        ``cell_size`` is not a positive number.
    ValidationError
        Every problem found: non-finite, off-grid or out-of-extent coordinates, negative or
        non-integer counts, mismatched lengths.
    """
    if not np.isfinite(cell_size) or cell_size <= 0:
        raise ConfigError(f"`cell_size` was {cell_size!r} but is expected to be a positive number")
    xa = np.asarray(x, dtype=float).ravel()
    ya = np.asarray(y, dtype=float).ravel()
    ca = np.asarray(counts)
    if ca.ndim == 1:
        ca = ca[:, None]
    problems: list[Problem] = []
    if ca.ndim != 2 or len(xa) != len(ya) or ca.shape[0] != len(xa):
        raise ValidationError(
            [
                Problem(
                    source,
                    "x, y and counts must have the same number of rows",
                    value=(len(xa), len(ya), ca.shape),
                    expected="equal lengths and a 2-D counts array",
                )
            ]
        )
    names = tuple(groups) if groups is not None else tuple(f"g{j}" for j in range(ca.shape[1]))
    if len(names) != ca.shape[1]:
        raise ConfigError(
            f"`groups` was {list(names)!r} but is expected to name the {ca.shape[1]} count columns"
        )
    if len(set(names)) != len(names):
        raise ConfigError(f"`groups` was {list(names)!r} but is expected to hold distinct names")

    # --- counts -------------------------------------------------------------------------
    if ca.dtype.kind not in "biuf":
        try:
            ca = ca.astype(float)
        except (TypeError, ValueError):
            raise ValidationError(
                [Problem(source, "counts are not numbers", value=str(ca.dtype), expected="numbers")]
            ) from None
    cf = ca.astype(float)
    for j, name in enumerate(names):
        col = cf[:, j]
        bad = np.flatnonzero(~np.isfinite(col))
        if len(bad):
            problems.append(
                Problem(
                    source,
                    f"missing or infinite counts ({_quote(col[bad], bad)})",
                    column=name,
                    expected="a whole number of persons >= 0",
                )
            )
        neg = np.flatnonzero(col < 0)
        if len(neg):
            problems.append(
                Problem(
                    source,
                    f"negative counts ({_quote(col[neg], neg)})",
                    column=name,
                    expected="a whole number of persons >= 0",
                )
            )
        frac = np.flatnonzero(np.isfinite(col) & (col != np.round(col)))
        if len(frac):
            problems.append(
                Problem(
                    source,
                    f"non-integer counts ({_quote(col[frac], frac)})",
                    column=name,
                    expected="a whole number of persons >= 0",
                )
            )

    # --- coordinates ----------------------------------------------------------------------
    for label, v, o, (lo, hi) in (
        ("x", xa, origin[0], SWEREF99TM_X),
        ("y", ya, origin[1], SWEREF99TM_Y),
    ):
        bad = np.flatnonzero(~np.isfinite(v))
        if len(bad):
            problems.append(
                Problem(
                    source,
                    f"missing coordinates ({_quote(v[bad], bad)})",
                    column=label,
                    expected="a SWEREF 99 TM coordinate in metres",
                )
            )
        fin = np.isfinite(v)
        if check_extent:
            out = np.flatnonzero(fin & ((v < lo) | (v > hi)))
            if len(out):
                problems.append(
                    Problem(
                        source,
                        f"coordinates outside SWEREF 99 TM's Swedish extent ({_quote(v[out], out)})",
                        column=label,
                        expected=f"{lo:,.0f} <= {label} <= {hi:,.0f} (EPSG:3006 metres)",
                    )
                )
        q = (v - o) / cell_size
        off = np.flatnonzero(fin & (np.abs(q - np.round(q)) > 1e-6))
        if len(off):
            problems.append(
                Problem(
                    source,
                    f"coordinates not on the declared {cell_size:g} m grid ({_quote(v[off], off)})",
                    column=label,
                    expected=f"{o:g} + {cell_size:g} * integer",
                )
            )
    ValidationError.raise_if_any(problems)

    ix = np.round((xa - origin[0]) / cell_size).astype(np.int64)
    iy = np.round((ya - origin[1]) / cell_size).astype(np.int64)
    return GridPopulation(
        ix=ix,
        iy=iy,
        counts=np.round(cf).astype(np.int64),
        groups=names,
        cell_size=float(cell_size),
        origin=(float(origin[0]), float(origin[1])),
    )


def grid_population_from_frame(
    frame: pd.DataFrame,
    groups: Sequence[str],
    *,
    cell_size: float,
    x: str = "x",
    y: str = "y",
    origin: tuple[float, float] = (0.0, 0.0),
    check_extent: bool = True,
    source: str = "population grid",
) -> GridPopulation:
    """:func:`grid_population` from a frame with coordinate and count columns."""
    missing = [c for c in (x, y, *groups) if c not in frame.columns]
    if missing:
        raise ValidationError(
            [
                Problem(source, "missing column", column=c, expected=f"columns {[x, y, *groups]}")
                for c in missing
            ]
        )
    return grid_population(
        frame[x].to_numpy(dtype=float),
        frame[y].to_numpy(dtype=float),
        frame[list(groups)].to_numpy(),
        cell_size=cell_size,
        groups=groups,
        origin=origin,
        check_extent=check_extent,
        source=source,
    )
