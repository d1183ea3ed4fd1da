"""Bootstrap intervals and random-allocation tests for the spatial (kernel) indices.

The local-environment counts are linear in the area counts (``lag = W @ counts``), so every
replicate table of a chunk is smoothed with one sparse-dense product ``W @ [tables]``; the
index is then evaluated on all replicates at once. Resampling schemes and null models are
those of :mod:`grannskap.measures.segregation.inference` (persons resampled within areas;
persons randomly re-allocated with area sizes and group totals fixed), applied *before*
smoothing, so the interval reflects the sampling of persons, not of the kernel.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from grannskap._literals import validate_literal
from grannskap.errors import InputError, Problem

from . import _sampling as smp
from ._validate import CountsLike, as_counts
from .indices import MULTI_GROUP_INDICES, TWO_GROUP_INDICES, _check_index, _check_two_group
from .inference import _check_level, _check_positive_int, _chunks, _finite, bootstrap_result
from .results import IndexResult, NullResult
from .spatial import Kernel, Neighbours, _check_distance, _coords, _index_on_lag

__all__ = ["spatial_bootstrap_ci", "spatial_permutation_test"]


def _smoothed_index(
    index: str, tables: np.ndarray, W: object, group: int, round_counts: bool
) -> np.ndarray:
    """Index of every replicate (r, n, K) after kernel smoothing with sparse ``W`` (n x n)."""
    r, n, K = tables.shape
    if index in TWO_GROUP_INDICES:
        cols = np.stack([tables[..., group], tables.sum(axis=-1)], axis=-1)  # (r, n, 2)
    else:
        cols = tables
    k = cols.shape[-1]
    flat = np.ascontiguousarray(cols.transpose(1, 0, 2).reshape(n, r * k), dtype="float64")
    lag = np.asarray(W @ flat).reshape(n, r, k).transpose(1, 0, 2)  # type: ignore[operator]
    if round_counts:
        lag = np.round(lag)
    with np.errstate(divide="ignore", invalid="ignore"):
        if index in TWO_GROUP_INDICES:
            return TWO_GROUP_INDICES[index](lag[..., 0], lag[..., 1])
        return MULTI_GROUP_INDICES[index](lag)


def _setup(
    index: str, counts: CountsLike, coords: np.ndarray, distance: float, group: int, check_crs: bool
) -> tuple[np.ndarray, np.ndarray, float]:
    _check_index(index)
    c = as_counts(counts)
    if index in TWO_GROUP_INDICES:
        _check_two_group(c, group)
    xy = _coords(coords, c.shape[0], check_crs)
    return c, xy, _check_distance(distance)


def spatial_bootstrap_ci(
    counts: CountsLike,
    coords: np.ndarray,
    distance: float,
    index: str = "dissimilarity",
    *,
    n_boot: int = 500,
    level: float = 0.95,
    scheme: Literal["within_areas", "table"] = "within_areas",
    group: int = 0,
    kernel: Kernel = "triangular",
    round_counts: bool = True,
    check_crs: bool = True,
    method: Literal["debiased", "percentile"] = "debiased",
    seed: int | np.random.Generator | None = None,
) -> IndexResult:
    """Spatial index (see :func:`~grannskap.measures.segregation.spatial.spatial_index`) with a
    bootstrap interval, standard error and bias (persons resampled, then smoothed).

    ``method`` as in :func:`~grannskap.measures.segregation.inference.bootstrap_ci`.
    """
    validate_literal(scheme, Literal["within_areas", "table"], "scheme")
    level = _check_level(level)
    n_boot = _check_positive_int(n_boot, "n_boot")
    c, xy, h = _setup(index, counts, coords, distance, group, check_crs)
    nb = Neighbours(xy, h)
    stat = _index_on_lag(index, c, nb, h, kernel, group, round_counts)
    W = nb.weights(h, kernel)
    rng = np.random.default_rng(seed)
    draw = smp.bootstrap_within_areas if scheme == "within_areas" else smp.bootstrap_table
    reps = np.concatenate(
        [
            _smoothed_index(index, draw(rng, c.astype(np.int64), r), W, group, round_counts)
            for r in _chunks(n_boot, c.size * 4)
        ]
    )
    reps = _finite(reps, "bootstrap")
    return bootstrap_result(
        f"spatial_{index}",
        stat,
        c,
        reps,
        level,
        method,
        f"bootstrap {scheme}, {method}; {kernel} kernel, {h:g} m",
    )


def spatial_permutation_test(
    counts: CountsLike,
    coords: np.ndarray,
    distance: float,
    index: str = "dissimilarity",
    *,
    n_sim: int = 500,
    group: int = 0,
    kernel: Kernel = "triangular",
    round_counts: bool = True,
    check_crs: bool = True,
    seed: int | np.random.Generator | None = None,
) -> NullResult:
    """Spatial index against random allocation of persons (area sizes and group totals fixed).

    ``expected`` is the spatial index a random allocation gives at this bandwidth;
    ``p = (1 + #{null >= observed}) / (1 + n_sim)``.
    """
    n_sim = _check_positive_int(n_sim, "n_sim")
    c, xy, h = _setup(index, counts, coords, distance, group, check_crs)
    nb = Neighbours(xy, h)
    stat = _index_on_lag(index, c, nb, h, kernel, group, round_counts)
    W = nb.weights(h, kernel)
    rng = np.random.default_rng(seed)
    ci = c.astype(np.int64)
    t = ci.sum(axis=1)
    totals = ci.sum(axis=0)
    if totals.shape[0] < 1:
        raise InputError(Problem("counts", "no groups", expected="at least two groups"))
    sims = np.concatenate(
        [
            _smoothed_index(
                index, smp.multigroup_permutation(rng, t, totals, r), W, group, round_counts
            )
            for r in _chunks(n_sim, c.size * 4)
        ]
    )
    sims = _finite(sims, "null")
    sd = float(sims.std(ddof=1)) if sims.size > 1 else float("nan")
    mean = float(sims.mean())
    return NullResult(
        name=f"spatial_{index}",
        statistic=stat,
        expected=mean,
        null_sd=sd,
        p_value=float((1 + (sims >= stat).sum()) / (1 + sims.size)),
        z=(stat - mean) / sd if sd > 0 else float("nan"),
        n_simulations=int(sims.size),
        null="permutation",
        null_distribution=sims,
    )
