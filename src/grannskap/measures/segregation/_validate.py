"""Input checks shared by all segregation measures.

Documented handling of awkward inputs:

* negative, NaN or infinite counts -> :class:`~grannskap.errors.ValidationError` listing every
  bad cell (row = area, column = group);
* non-integer counts -> error, unless ``allow_fractional=True`` (e.g. weighted or
  kernel-smoothed counts; the resampling methods always need whole persons);
* areas with zero population -> kept; they contribute nothing to any index (the convention
  of PySAL ``segregation`` and Elbers' ``segregation``) and get NaN local measures;
* a group with zero persons in the whole table -> kept for the multigroup indices (it
  contributes nothing), an error for the two-group indices;
* fewer than two groups with persons, or no persons at all -> error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import pandas as pd

from grannskap.errors import InputError, Problem, ValidationError

__all__ = [
    "CountsLike",
    "as_counts",
    "area_labels",
    "group_labels",
    "check_sweref99tm",
    "SWEREF99TM_X",
    "SWEREF99TM_Y",
]

CountsLike: TypeAlias = np.ndarray | pd.DataFrame | Sequence[Sequence[float]]

SWEREF99TM_X: tuple[float, float] = (200_000.0, 1_000_000.0)
SWEREF99TM_Y: tuple[float, float] = (6_100_000.0, 7_700_000.0)


def area_labels(counts: CountsLike) -> np.ndarray:
    """Row labels of ``counts`` (the DataFrame index, else 0..n-1)."""
    if isinstance(counts, pd.DataFrame):
        return np.asarray(counts.index)
    return np.arange(np.asarray(counts).shape[0])


def group_labels(counts: CountsLike) -> list[str]:
    """Column labels of ``counts`` (the DataFrame columns, else ``g0``, ``g1``, ...)."""
    if isinstance(counts, pd.DataFrame):
        return [str(c) for c in counts.columns]
    return [f"g{k}" for k in range(np.asarray(counts).shape[1])]


def as_counts(
    counts: CountsLike,
    *,
    name: str = "counts",
    allow_fractional: bool = False,
    min_groups: int = 2,
) -> np.ndarray:
    """Validate an areas x groups count table and return it as a float64 array.

    Parameters
    ----------
    counts
        Areas in rows, groups in columns (numpy array, DataFrame or nested sequences).
    name
        How the input is called in error messages.
    allow_fractional
        Accept non-integer counts (weights, smoothed counts).
    min_groups
        Minimum number of groups with a positive total.

    Raises
    ------
    ValidationError
        Negative, missing, infinite or (unless allowed) non-integer cells, all listed.
    InputError
        Wrong shape, no persons, or fewer than ``min_groups`` groups with persons.
    """
    if isinstance(counts, pd.DataFrame):
        try:
            arr = counts.to_numpy(dtype="float64", na_value=np.nan)
        except (TypeError, ValueError) as exc:
            raise InputError(
                Problem(name, "counts must be numeric", expected="numbers of persons")
            ) from exc
        cols = [str(c) for c in counts.columns]
        rows = counts.index  # labels for error messages, converted only when one is raised
    else:
        try:
            arr = np.asarray(counts, dtype="float64")
        except (TypeError, ValueError) as exc:
            raise InputError(
                Problem(name, "counts must be numeric", expected="numbers of persons")
            ) from exc
        cols = rows = None  # type: ignore[assignment]
    if arr.ndim != 2:
        raise InputError(
            Problem(
                name,
                "counts must be a 2-D table",
                value=f"{arr.ndim}-D array of shape {arr.shape}",
                expected="areas in rows x groups in columns",
            )
        )
    if arr.shape[0] < 1 or arr.shape[1] < 2:
        raise InputError(
            Problem(
                name,
                "table too small",
                value=f"shape {arr.shape}",
                expected="at least 1 area and 2 group columns",
            )
        )
    problems: list[Problem] = []
    bad = ~np.isfinite(arr)
    bad_neg = np.isfinite(arr) & (arr < 0)
    bad_frac = (
        np.zeros_like(bad)
        if allow_fractional
        else (np.isfinite(arr) & (arr >= 0) & (arr != np.round(arr)))
    )
    for mask, reason, expected in (
        (bad, "missing or infinite count", "a finite number of persons"),
        (bad_neg, "negative count", "a count >= 0"),
        (bad_frac, "non-integer count", "a whole number of persons (or allow_fractional=True)"),
    ):
        for i, k in zip(*np.nonzero(mask), strict=True):
            problems.append(
                Problem(
                    name,
                    reason,
                    row=int(i) + 1,
                    column=cols[k] if cols else f"group {k}",
                    value=float(arr[i, k]) if rows is None else f"{rows[i]}: {arr[i, k]!r}",
                    expected=expected,
                )
            )
    ValidationError.raise_if_any(problems)
    totals = arr.sum(axis=0)
    if totals.sum() <= 0:
        raise InputError(
            Problem(name, "the table has no persons", value=0.0, expected="a positive total")
        )
    n_pos = int((totals > 0).sum())
    if n_pos < min_groups:
        raise InputError(
            Problem(
                name,
                "too few groups with persons",
                value=n_pos,
                expected=f"at least {min_groups} groups with a positive total",
            )
        )
    return arr


def check_sweref99tm(coords: np.ndarray, *, name: str = "coordinates") -> np.ndarray:
    """Check that ``coords`` (n x 2, x/easting then y/northing) lie in SWEREF 99 TM.

    EPSG:3006 covers Sweden with x roughly 200,000..1,000,000 m and y 6,100,000..7,700,000 m.
    Coordinates outside that box are almost always in another CRS (WGS84 degrees, swapped
    axes, RT90) and would make distance bands meaningless, so they raise.
    """
    xy = np.asarray(coords, dtype="float64")
    if xy.ndim != 2 or xy.shape[1] != 2:
        raise InputError(
            Problem(
                name,
                "coordinates must be an n x 2 array",
                value=f"shape {xy.shape}",
                expected="(x, y) per area",
            )
        )
    problems: list[Problem] = []
    out = ~np.isfinite(xy).all(axis=1)
    out |= (xy[:, 0] < SWEREF99TM_X[0]) | (xy[:, 0] > SWEREF99TM_X[1])
    out |= (xy[:, 1] < SWEREF99TM_Y[0]) | (xy[:, 1] > SWEREF99TM_Y[1])
    for i in np.nonzero(out)[0][:50]:
        problems.append(
            Problem(
                name,
                "coordinate outside SWEREF 99 TM (EPSG:3006)",
                row=int(i) + 1,
                value=(float(xy[i, 0]), float(xy[i, 1])),
                expected=(
                    f"x in {SWEREF99TM_X[0]:.0f}..{SWEREF99TM_X[1]:.0f} and "
                    f"y in {SWEREF99TM_Y[0]:.0f}..{SWEREF99TM_Y[1]:.0f} metres "
                    "(or check_crs=False for other projected data)"
                ),
            )
        )
    ValidationError.raise_if_any(problems)
    return xy
