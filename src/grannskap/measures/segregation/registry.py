"""Every segregation index by name: ours, and PySAL's class names as case-insensitive aliases.

:data:`INDEX_SPECS` lists each index once with what it needs (a focal group or several
groups; polygons or not), its batched kernel and PySAL ``segregation`` 2.5's default
parameters. :func:`resolve_index` accepts our name (``"spatial_proximity"``) or PySAL's class
name in any case (``"SpatialProximity"``, ``"spatialproximity"``). :func:`evaluate`,
:func:`bootstrap` and :func:`expected_random` compute any index, its bootstrap interval
(persons resampled within areas; polygons fixed) and its mean under random allocation (area
sizes and group totals fixed), reusing :mod:`._sampling` and
:func:`.inference.bootstrap_result`.

"Spatially implicit" indices (PySAL's term) also have a local-environment version at a
bandwidth ``distance`` (triangular kernel on the centroids, PySAL's conventions, see
:mod:`.spatial`); spatially explicit ones need polygons (:class:`.geometry.AreaGeometry`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from grannskap.errors import EstimationWarning, InputError, Problem

from . import _sampling as smp
from . import boundary as bd
from . import centralization as ce
from . import clustering as cl
from . import evenness_extra as ev
from . import indices as ix
from . import multigroup_extra as mx
from ._validate import CountsLike, as_counts
from .geometry import AreaGeometry
from .inference import _check_level, _check_positive_int, _chunks, bootstrap_result
from .results import IndexResult

__all__ = [
    "IndexSpec",
    "INDEX_SPECS",
    "ALL_INDEX_NAMES",
    "resolve_index",
    "evaluate",
    "bootstrap",
    "expected_random",
]

Kind = Literal["two_group", "multigroup"]


@dataclass(frozen=True)
class IndexSpec:
    """One index: name, kind, kernel, PySAL name and defaults, and what it needs."""

    name: str
    kind: Kind
    kernel: Callable[..., np.ndarray]
    pysal: str | None
    needs_polygons: bool = False
    spatial_implicit: bool = True
    params: Mapping[str, Any] = field(default_factory=dict)
    bootstrap: bool = True
    aliases: tuple[str, ...] = ()


def _spec(
    name: str, kind: Kind, kernel: Callable[..., np.ndarray], pysal: str | None, **kw: Any
) -> IndexSpec:
    return IndexSpec(name, kind, kernel, pysal, **kw)


_EXPLICIT = {"needs_polygons": True, "spatial_implicit": False}
_AB = {"alpha": 0.6, "beta": 0.5}

INDEX_SPECS: dict[str, IndexSpec] = {
    s.name: s
    for s in (
        # aspatial two-group (indices.py and evenness_extra.py)
        _spec("dissimilarity", "two_group", ix._k_dissimilarity, "Dissim"),
        _spec("gini", "two_group", ix._k_gini, "Gini"),
        _spec("isolation", "two_group", ix._k_isolation, "Isolation"),
        _spec("exposure", "two_group", ix._k_exposure, "Interaction"),
        _spec("correlation_ratio", "two_group", ix._k_correlation_ratio, "CorrelationR"),
        _spec("atkinson", "two_group", ix._k_atkinson, "Atkinson", params={"b": 0.5}),
        _spec("minmax", "two_group", ev._k_minmax, "MinMax"),
        _spec("concentration_profile", "two_group", ev._k_conprof, "ConProf", params={"m": 1000}),
        _spec(
            "density_corrected_dissimilarity",
            "two_group",
            ev._k_density_corrected_dissim,
            "DensityCorrectedDissim",
            params={"solver": "nelder-mead"},
        ),
        # multigroup (indices.py and multigroup_extra.py)
        _spec("theil_h", "multigroup", ix._k_theil_h, "MultiInfoTheory"),
        _spec("mutual_information", "multigroup", ix._k_mutual_information, "MultiDivergence"),
        _spec(
            "multigroup_dissimilarity", "multigroup", ix._k_multigroup_dissimilarity, "MultiDissim"
        ),
        _spec(
            "relative_diversity", "multigroup", ix._k_relative_diversity, "MultiRelativeDiversity"
        ),
        _spec("multigroup_gini", "multigroup", mx._k_multi_gini, "MultiGini"),
        _spec(
            "multigroup_normalized_exposure",
            "multigroup",
            mx._k_multi_norm_exposure,
            "MultiNormExposure",
        ),
        _spec("multigroup_squared_cv", "multigroup", mx._k_multi_squared_cv, "MultiSquaredCoefVar"),
        _spec(
            "simpsons_concentration",
            "multigroup",
            mx._k_simpsons_concentration,
            "SimpsonsConcentration",
        ),
        _spec(
            "simpsons_interaction", "multigroup", mx._k_simpsons_interaction, "SimpsonsInteraction"
        ),
        # spatially explicit two-group (boundary.py, centralization.py, clustering.py)
        _spec(
            "morrill_spatial_dissimilarity",
            "two_group",
            bd.k_morrill_spatial_dissim,
            "SpatialDissim",
            params={"standardize": False},
            aliases=("spatial_dissim",),
            **_EXPLICIT,
        ),
        _spec(
            "boundary_spatial_dissimilarity",
            "two_group",
            bd.k_boundary_spatial_dissim,
            "BoundarySpatialDissim",
            params={"standardize": True},
            **_EXPLICIT,
        ),
        _spec(
            "perimeter_area_dissimilarity",
            "two_group",
            bd.k_perimeter_area_dissim,
            "PARDissim",
            params={"standardize": True},
            **_EXPLICIT,
        ),
        _spec(
            "spatial_proximity_profile",
            "two_group",
            bd.k_spatial_prox_profile,
            "SpatialProxProf",
            params={"m": 1000},
            **_EXPLICIT,
        ),
        _spec(
            "absolute_centralization",
            "two_group",
            ce.k_absolute_centralization,
            "AbsoluteCentralization",
            params={"center": "mean"},
            **_EXPLICIT,
        ),
        _spec(
            "relative_centralization",
            "two_group",
            ce.k_relative_centralization,
            "RelativeCentralization",
            params={"center": "mean"},
            **_EXPLICIT,
        ),
        _spec(
            "absolute_concentration",
            "two_group",
            ce.k_absolute_concentration,
            "AbsoluteConcentration",
            **_EXPLICIT,
        ),
        _spec(
            "relative_concentration",
            "two_group",
            ce.k_relative_concentration,
            "RelativeConcentration",
            **_EXPLICIT,
        ),
        _spec("delta", "two_group", ce.k_delta, "Delta", **_EXPLICIT),
        _spec(
            "absolute_clustering",
            "two_group",
            cl.k_absolute_clustering,
            "AbsoluteClustering",
            params=_AB,
            **_EXPLICIT,
        ),
        _spec(
            "relative_clustering",
            "two_group",
            cl.k_relative_clustering,
            "RelativeClustering",
            params=_AB,
            **_EXPLICIT,
        ),
        _spec(
            "spatial_proximity",
            "two_group",
            cl.k_spatial_proximity,
            "SpatialProximity",
            params=_AB,
            **_EXPLICIT,
        ),
        _spec(
            "distance_decay_interaction",
            "two_group",
            cl.k_distance_decay_interaction,
            "DistanceDecayInteraction",
            params=_AB,
            **_EXPLICIT,
        ),
        _spec(
            "distance_decay_isolation",
            "two_group",
            cl.k_distance_decay_isolation,
            "DistanceDecayIsolation",
            params=_AB,
            **_EXPLICIT,
        ),
    )
}
ALL_INDEX_NAMES: tuple[str, ...] = tuple(INDEX_SPECS)


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for spec in INDEX_SPECS.values():
        for key in (spec.name, spec.pysal, *spec.aliases):
            if key:
                table[key.lower()] = spec.name
    return table


_LOOKUP = _lookup()


def resolve_index(name: str) -> IndexSpec:
    """The :class:`IndexSpec` of our name or PySAL's class name (case-insensitive)."""
    key = str(name).strip().lower()
    if key not in _LOOKUP:
        pysal = sorted(s.pysal for s in INDEX_SPECS.values() if s.pysal)
        raise InputError(
            Problem(
                "index",
                "unknown segregation index",
                value=name,
                expected=f"one of {list(ALL_INDEX_NAMES)} or PySAL's {pysal}",
            )
        )
    return INDEX_SPECS[_LOOKUP[key]]


def _params(spec: IndexSpec, given: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(given) - set(spec.params)
    if unknown:
        raise InputError(
            Problem(
                "parameters",
                f"{spec.name} takes no parameter {sorted(unknown)[0]!r}",
                value=sorted(unknown),
                expected=f"some of {sorted(spec.params)}" if spec.params else "none",
            )
        )
    return {**spec.params, **given}


def _prepare(
    spec: IndexSpec,
    counts: CountsLike,
    group: int,
    geometry: AreaGeometry | None,
    distance: float | None,
) -> np.ndarray:
    c = as_counts(counts)
    if spec.kind == "two_group":
        ix._check_two_group(c, group)
    if spec.needs_polygons:
        if geometry is None:
            raise InputError(
                Problem(
                    "geometry",
                    f"{spec.name} ({spec.pysal}) needs the areas' polygons",
                    expected="a GeoPackage, GeoJSON or shapefile with polygons",
                )
            )
        if geometry.n != c.shape[0]:
            raise InputError(
                Problem(
                    "geometry",
                    "not one polygon per area",
                    value=geometry.n,
                    expected=f"{c.shape[0]} polygons",
                )
            )
    if distance is not None and not spec.spatial_implicit:
        raise InputError(
            Problem(
                "distance",
                f"{spec.name} ({spec.pysal}) is spatial by construction and has no "
                "distance-band version",
                value=distance,
                expected="no --distance for this index",
            )
        )
    return c


def _apply(
    spec: IndexSpec,
    tables: np.ndarray,
    group: int,
    geometry: AreaGeometry | None,
    lag: Callable[[np.ndarray], np.ndarray] | None,
    params: Mapping[str, Any],
) -> np.ndarray:
    """The kernel on tables of shape (..., n, K), after an optional local-environment lag."""
    with np.errstate(divide="ignore", invalid="ignore"):
        if spec.kind == "multigroup":
            return spec.kernel(lag(tables) if lag else tables, **params)
        x, t = tables[..., group], tables.sum(axis=-1)
        extra: dict[str, Any] = {}
        if lag is not None:
            # PySAL lags the focal group, the total and the rest separately, then rounds
            lagged = lag(np.stack([x, t, t - x], axis=-1))
            x, t = lagged[..., 0], lagged[..., 1]
            if spec.name == "minmax":
                extra["y"] = lagged[..., 2]
        if spec.needs_polygons:
            return spec.kernel(x, t, geometry, **params)
        return spec.kernel(x, t, **params, **extra)


def _lagger(coords: np.ndarray, distance: float, kernel: str) -> Callable[[np.ndarray], np.ndarray]:
    from .spatial import Neighbours, _check_distance

    h = _check_distance(distance)
    W = Neighbours(np.asarray(coords, dtype="float64"), h).weights(h, kernel)  # type: ignore[arg-type]

    def lag(tables: np.ndarray) -> np.ndarray:
        n, k = tables.shape[-2], tables.shape[-1]
        lead = tables.shape[:-2]
        flat = np.moveaxis(tables.reshape(-1, n, k), 1, 0).reshape(n, -1)
        out = np.asarray(W @ flat).reshape(n, -1, k)
        return np.round(np.moveaxis(out, 0, 1).reshape(*lead, n, k))

    return lag


def _coords_for(
    geometry: AreaGeometry | None, coords: np.ndarray | None, n: int, distance: float | None
) -> np.ndarray | None:
    if distance is None:
        return None
    if coords is None and geometry is not None:
        coords = geometry.centroids
    if coords is None:
        raise InputError(
            Problem(
                "coordinates",
                "a distance-band index needs the areas' coordinates",
                expected="x/y columns or polygons",
            )
        )
    xy = np.asarray(coords, dtype="float64")
    if xy.shape != (n, 2) or not np.isfinite(xy).all():
        raise InputError(
            Problem(
                "coordinates",
                "one finite (x, y) per area is needed",
                value=xy.shape,
                expected=f"({n}, 2)",
            )
        )
    return xy


def _method(spec: IndexSpec, distance: float | None, kernel: str) -> str | None:
    if distance is not None:
        return f"{kernel} kernel, {distance:g} m"
    return None


def evaluate(
    index: str,
    counts: CountsLike,
    *,
    group: int = 0,
    geometry: AreaGeometry | None = None,
    coords: np.ndarray | None = None,
    distance: float | None = None,
    kernel: str = "triangular",
    **params: Any,
) -> IndexResult:
    """Any index of :data:`INDEX_SPECS` (our name or PySAL's class name) on ``counts``.

    Parameters
    ----------
    index
        E.g. ``"spatial_proximity"`` or ``"SpatialProximity"``.
    counts
        Areas x groups counts; two-group indices compare column ``group`` with all others.
    geometry
        The areas' polygons, for the spatially explicit indices.
    coords, distance, kernel
        For the local-environment version of a spatially implicit index: centroids (default
        the polygons' centroids) and the bandwidth in CRS units.
    params
        Index parameters; PySAL's defaults otherwise (``spec.params``).
    """
    spec = resolve_index(index)
    c = _prepare(spec, counts, group, geometry, distance)
    p = _params(spec, params)
    xy = _coords_for(geometry, coords, c.shape[0], distance)
    lag = _lagger(xy, distance, kernel) if xy is not None and distance is not None else None
    value = float(_apply(spec, c, group, geometry, lag, p))
    return IndexResult(
        name=spec.name,
        statistic=value,
        n_areas=c.shape[0],
        n_persons=float(c.sum()),
        method=_method(spec, distance, kernel),
    )


def bootstrap(
    index: str,
    counts: CountsLike,
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    method: Literal["percentile", "debiased"] = "percentile",
    group: int = 0,
    geometry: AreaGeometry | None = None,
    coords: np.ndarray | None = None,
    distance: float | None = None,
    kernel: str = "triangular",
    seed: int | np.random.Generator | None = None,
    **params: Any,
) -> IndexResult:
    """The index with a bootstrap interval: persons resampled within areas (areas fixed).

    Same interval, standard error and bias as
    :func:`~grannskap.measures.segregation.inference.bootstrap_ci`.
    """
    spec = resolve_index(index)
    level = _check_level(level)
    n_boot = _check_positive_int(n_boot, "n_boot")
    if not spec.bootstrap:
        raise InputError(
            Problem(
                "index",
                f"no bootstrap interval for {spec.name} ({spec.pysal})",
                expected="an index with a fast kernel",
            )
        )
    c = _prepare(spec, counts, group, geometry, distance)
    p = _params(spec, params)
    xy = _coords_for(geometry, coords, c.shape[0], distance)
    lag = _lagger(xy, distance, kernel) if xy is not None and distance is not None else None
    stat = float(_apply(spec, c, group, geometry, lag, p))
    rng = np.random.default_rng(seed)
    ci = c.astype(np.int64)
    reps = np.concatenate(
        [
            _apply(
                spec,
                smp.bootstrap_within_areas(rng, ci, r).astype("float64"),
                group,
                geometry,
                lag,
                p,
            )
            for r in _chunks(n_boot, c.size * 4)
        ]
    )
    reps = _finite(reps, "bootstrap")
    label = f"bootstrap within_areas, {method}"
    if distance is not None:
        label += f"; {kernel} kernel, {distance:g} m"
    return bootstrap_result(spec.name, stat, c, reps, level, method, label)


def _finite(values: np.ndarray, what: str) -> np.ndarray:
    ok = np.isfinite(values)
    if not ok.all():
        warnings.warn(
            f"{int((~ok).sum())} of {values.size} {what} replicates gave no finite index and "
            "were dropped",
            EstimationWarning,
            stacklevel=3,
        )
    return values[ok]


def expected_random(
    index: str,
    counts: CountsLike,
    *,
    n_sim: int = 200,
    group: int = 0,
    geometry: AreaGeometry | None = None,
    coords: np.ndarray | None = None,
    distance: float | None = None,
    kernel: str = "triangular",
    seed: int | np.random.Generator | None = None,
    **params: Any,
) -> float:
    """Mean of the index over random allocations of persons (area sizes and group totals fixed)."""
    spec = resolve_index(index)
    n_sim = _check_positive_int(n_sim, "n_sim")
    if not spec.bootstrap:
        return float("nan")
    c = _prepare(spec, counts, group, geometry, distance)
    p = _params(spec, params)
    xy = _coords_for(geometry, coords, c.shape[0], distance)
    lag = _lagger(xy, distance, kernel) if xy is not None and distance is not None else None
    rng = np.random.default_rng(seed)
    ci = c.astype(np.int64)
    t, totals = ci.sum(axis=1), ci.sum(axis=0)
    sims = np.concatenate(
        [
            _apply(
                spec,
                smp.multigroup_permutation(rng, t, totals, r).astype("float64"),
                group,
                geometry,
                lag,
                p,
            )
            for r in _chunks(n_sim, c.size * 4)
        ]
    )
    sims = _finite(sims, "random-allocation")
    return float(sims.mean()) if sims.size else float("nan")
