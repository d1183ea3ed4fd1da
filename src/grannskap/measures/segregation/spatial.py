"""Spatial (distance-decay) segregation indices and multiscalar profiles.

Each area's *local environment* is the kernel-weighted sum of the counts of all areas whose
centroid lies within the bandwidth ``h`` (Reardon & O'Sullivan 2004, "Measures of spatial
segregation", Sociological Methodology 34:121-162; Reardon et al. 2008, "The geographic
scale of metropolitan racial segregation", Demography 45(3):489-514). The aspatial index is
then computed on the local-environment counts.

Conventions (identical to PySAL ``segregation`` 2.5, read from its source
``_base._build_local_environment`` and ``dynamics.compute_multiscalar_profile``):

* weights ``w_ij = K(d_ij / h)`` for ``d_ij <= h`` and 0 beyond; ``triangular`` is
  ``1 - d/h`` (libpysal ``Kernel`` / ``Graph.build_kernel``);
* the area itself is included with weight 1 (libpysal ``fill_diagonal``);
* each count column (for two-group indices: the focal group and the total separately) is
  lagged and then rounded to whole persons (``round_counts=True``; PySAL's ``.round(0)``);
* distances are Euclidean between the given points (use centroids in a projected CRS).

Unlike PySAL, neighbours come from a k-d tree with the bandwidth as cut-off
(``scipy.spatial.cKDTree.query_pairs``) and the kernel-weighted sums are computed pair by
pair; no dense n x n matrix is ever formed, so 50,000 areas fit in well under 2 GiB.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Literal

import numpy as np
import scipy.sparse as sp
from scipy.spatial import cKDTree

from grannskap.errors import InputError, Problem

from ._validate import CountsLike, as_counts, check_sweref99tm
from .indices import (
    MULTI_GROUP_INDICES,
    TWO_GROUP_INDICES,
    _check_index,
    _check_two_group,
    batch_index,
)
from .results import IndexResult, ProfileResult

__all__ = [
    "Kernel",
    "Neighbours",
    "neighbours",
    "kernel_weights",
    "spatial_lag",
    "spatial_index",
    "kernel_spatial_dissimilarity",
    "spatial_dissimilarity",
    "spatial_information_theory",
    "multiscalar_profile",
]

Kernel = Literal["triangular", "parabolic", "bisquare", "boxcar"]
_KERNELS: tuple[str, ...] = ("triangular", "parabolic", "bisquare", "boxcar")


def _kernel_values(z: np.ndarray, kernel: str) -> np.ndarray:
    """Kernel of the scaled distance z = d / h (0 <= z <= 1), as libpysal.kernels."""
    if kernel == "triangular":
        return 1.0 - z
    if kernel == "parabolic":
        return 0.75 * (1.0 - z * z)
    if kernel == "bisquare":
        return (15.0 / 16.0) * (1.0 - z * z) ** 2
    if kernel == "boxcar":
        return (z < 1.0).astype("float64")
    raise InputError(
        Problem("kernel", "unknown kernel", value=kernel, expected=f"one of {list(_KERNELS)}")
    )


class Neighbours:
    """All pairs of areas within ``max_distance`` (i < j) with their distances.

    Built once and reused for every bandwidth up to ``max_distance``.
    """

    def __init__(self, coords: np.ndarray, max_distance: float) -> None:
        self.n = int(coords.shape[0])
        self.max_distance = float(max_distance)
        tree = cKDTree(coords)
        pairs = tree.query_pairs(r=self.max_distance, output_type="ndarray")
        self.i = pairs[:, 0].astype(np.int32)
        self.j = pairs[:, 1].astype(np.int32)
        del pairs
        diff = coords[self.i] - coords[self.j]
        self.d = np.sqrt((diff * diff).sum(axis=1))
        del diff

    def _check(self, bandwidth: float) -> None:
        if bandwidth > self.max_distance:
            raise InputError(
                Problem(
                    "distance",
                    "bandwidth larger than the neighbour search radius",
                    value=bandwidth,
                    expected=f"<= {self.max_distance}",
                )
            )

    def _pair_weights(
        self, bandwidth: float, kernel: str
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        self._check(bandwidth)
        if bandwidth < self.max_distance:
            keep = self.d <= bandwidth
            i, j, d = self.i[keep], self.j[keep], self.d[keep]
        else:
            i, j, d = self.i, self.j, self.d
        w = _kernel_values(d / bandwidth, kernel)
        return i, j, w

    def lag(self, cols: np.ndarray, bandwidth: float, kernel: str = "triangular") -> np.ndarray:
        """``W @ cols`` without forming W: two weighted bincounts per column plus the diagonal."""
        i, j, w = self._pair_weights(bandwidth, kernel)
        cols = np.asarray(cols, dtype="float64")
        out = cols.copy()  # the area itself, weight 1
        for k in range(cols.shape[1]):
            v = cols[:, k]
            out[:, k] += np.bincount(i, weights=w * v[j], minlength=self.n)
            out[:, k] += np.bincount(j, weights=w * v[i], minlength=self.n)
        return out

    def weights(self, bandwidth: float, kernel: str = "triangular") -> sp.csr_matrix:
        """Symmetric kernel weights with 1 on the diagonal, as a CSR matrix."""
        i, j, w = self._pair_weights(bandwidth, kernel)
        nz = w != 0.0
        i, j, w = i[nz], j[nz], w[nz]
        diag = np.arange(self.n, dtype=np.int32)
        rows = np.concatenate([i, j, diag])
        cols = np.concatenate([j, i, diag])
        vals = np.concatenate([w, w, np.ones(self.n)])
        return sp.csr_matrix((vals, (rows, cols)), shape=(self.n, self.n))


def _coords(coords: np.ndarray, n: int, check_crs: bool) -> np.ndarray:
    xy = check_sweref99tm(coords) if check_crs else np.asarray(coords, dtype="float64")
    if xy.ndim != 2 or xy.shape != (n, 2):
        raise InputError(
            Problem(
                "coordinates",
                "one (x, y) point per area is needed",
                value=f"shape {xy.shape}",
                expected=f"({n}, 2)",
            )
        )
    if not np.isfinite(xy).all():
        raise InputError(
            Problem("coordinates", "missing or infinite coordinate", expected="finite x and y")
        )
    return xy


def neighbours(coords: np.ndarray, max_distance: float, *, check_crs: bool = True) -> Neighbours:
    """Sparse neighbour pairs within ``max_distance`` metres (see :class:`Neighbours`)."""
    xy = check_sweref99tm(coords) if check_crs else np.asarray(coords, dtype="float64")
    return Neighbours(xy, max_distance)


def kernel_weights(
    coords: np.ndarray, bandwidth: float, *, kernel: Kernel = "triangular", check_crs: bool = True
) -> sp.csr_matrix:
    """Sparse kernel weight matrix (diagonal 1) for one bandwidth."""
    return neighbours(coords, bandwidth, check_crs=check_crs).weights(bandwidth, kernel)


def _index_on_lag(
    index: str, c: np.ndarray, nb: Neighbours, h: float, kernel: str, group: int, round_counts: bool
) -> float:
    if index in TWO_GROUP_INDICES:
        lag = nb.lag(np.column_stack([c[:, group], c.sum(axis=1)]), h, kernel)
        if round_counts:
            np.round(lag, out=lag)
        return float(TWO_GROUP_INDICES[index](lag[:, 0], lag[:, 1]))
    lag = nb.lag(c, h, kernel)
    if round_counts:
        np.round(lag, out=lag)
    return float(MULTI_GROUP_INDICES[index](lag))


def spatial_lag(
    counts: CountsLike,
    coords: np.ndarray,
    distance: float,
    *,
    kernel: Kernel = "triangular",
    round_counts: bool = True,
    check_crs: bool = True,
) -> np.ndarray:
    """Local-environment counts: kernel-weighted sums of every column of ``counts``."""
    c = as_counts(counts)
    xy = _coords(coords, c.shape[0], check_crs)
    lag = Neighbours(xy, distance).lag(c, distance, kernel)
    return np.round(lag) if round_counts else lag


def _check_distance(distance: float) -> float:
    if not np.isfinite(distance) or distance <= 0:
        raise InputError(
            Problem(
                "distance",
                "bandwidth must be a positive distance",
                value=distance,
                expected="> 0 metres",
            )
        )
    return float(distance)


def spatial_index(
    index: str,
    counts: CountsLike,
    coords: np.ndarray,
    distance: float,
    *,
    group: int = 0,
    kernel: Kernel = "triangular",
    round_counts: bool = True,
    check_crs: bool = True,
) -> IndexResult:
    """Any aspatial index computed on the local environments at bandwidth ``distance``.

    Parameters
    ----------
    index
        Name from :data:`grannskap.measures.segregation.indices.INDEX_NAMES`.
    counts
        Areas x groups counts.
    coords
        (n, 2) area centroids; SWEREF 99 TM metres unless ``check_crs=False``.
    distance
        Kernel bandwidth in metres.
    """
    _check_index(index)
    c = as_counts(counts)
    if index in TWO_GROUP_INDICES:
        _check_two_group(c, group)
    xy = _coords(coords, c.shape[0], check_crs)
    h = _check_distance(distance)
    value = _index_on_lag(index, c, Neighbours(xy, h), h, kernel, group, round_counts)
    return IndexResult(
        name=f"spatial_{index}",
        statistic=value,
        n_areas=c.shape[0],
        n_persons=float(c.sum()),
        method=f"{kernel} kernel, {h:g} m",
    )


def kernel_spatial_dissimilarity(
    counts: CountsLike,
    coords: np.ndarray,
    distance: float,
    *,
    group: int = 0,
    kernel: Kernel = "triangular",
    round_counts: bool = True,
    check_crs: bool = True,
) -> IndexResult:
    """Kernel spatial dissimilarity: D on local environments; PySAL ``Dissim(distance=h)``.

    Not Morrill's (1991) contiguity-based spatial dissimilarity (PySAL ``SpatialDissim``),
    which is ``registry.evaluate("morrill_spatial_dissimilarity", ...)``.
    """
    return spatial_index(
        "dissimilarity",
        counts,
        coords,
        distance,
        group=group,
        kernel=kernel,
        round_counts=round_counts,
        check_crs=check_crs,
    )


def spatial_dissimilarity(
    counts: CountsLike,
    coords: np.ndarray,
    distance: float,
    *,
    group: int = 0,
    kernel: Kernel = "triangular",
    round_counts: bool = True,
    check_crs: bool = True,
) -> IndexResult:
    """Deprecated name of :func:`kernel_spatial_dissimilarity` (it is not Morrill's index)."""
    warnings.warn(
        "spatial_dissimilarity is the kernel (local-environment) D and is renamed "
        "kernel_spatial_dissimilarity; Morrill's spatial dissimilarity (PySAL SpatialDissim) "
        'is registry.evaluate("morrill_spatial_dissimilarity", ...)',
        DeprecationWarning,
        stacklevel=2,
    )
    return kernel_spatial_dissimilarity(
        counts,
        coords,
        distance,
        group=group,
        kernel=kernel,
        round_counts=round_counts,
        check_crs=check_crs,
    )


def spatial_information_theory(
    counts: CountsLike,
    coords: np.ndarray,
    distance: float,
    *,
    kernel: Kernel = "triangular",
    round_counts: bool = True,
    check_crs: bool = True,
) -> IndexResult:
    """Spatial information theory index: H on local environments (Reardon & O'Sullivan 2004).

    Same value as PySAL ``MultiInfoTheory(gdf, groups, distance=h)``.
    """
    return spatial_index(
        "theil_h",
        counts,
        coords,
        distance,
        kernel=kernel,
        round_counts=round_counts,
        check_crs=check_crs,
    )


def multiscalar_profile(
    counts: CountsLike,
    coords: np.ndarray,
    distances: Sequence[float],
    *,
    index: str = "theil_h",
    group: int = 0,
    kernel: Kernel = "triangular",
    round_counts: bool = True,
    check_crs: bool = True,
) -> ProfileResult:
    """Index at several bandwidths: the multiscalar segregation profile (Reardon et al. 2008).

    The first value (distance 0) is the aspatial index, as in PySAL
    ``compute_multiscalar_profile``. Each bandwidth queries the k-d tree with its own
    radius and sums neighbours with weighted ``bincount`` (no weight matrix is built).
    """
    _check_index(index)
    c = as_counts(counts)
    if index in TWO_GROUP_INDICES:
        _check_two_group(c, group)
    xy = _coords(coords, c.shape[0], check_crs)
    ds = [_check_distance(d) for d in distances]
    if not ds:
        raise InputError(
            Problem("distances", "no distances given", expected="one or more bandwidths in metres")
        )
    values = [float(batch_index(index, c, group=group))]
    # one k-d tree query per distance: small radii are cheap, and no pair list larger than
    # the current bandwidth needs is kept in memory
    for h in ds:
        values.append(_index_on_lag(index, c, Neighbours(xy, h), h, kernel, group, round_counts))
    return ProfileResult(
        index=index, distances=np.array([0.0, *ds]), values=np.array(values), kernel=kernel
    )
