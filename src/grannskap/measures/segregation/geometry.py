"""Polygon geometry for the spatially explicit indices: areas, centroids, contiguity.

:class:`AreaGeometry` holds what the boundary-, area- and centroid-based indices need, from
an array of shapely polygons (in a projected CRS: lengths and areas in metres). Everything is
computed with vectorised shapely 2 functions and sparse matrices, as PySAL ``segregation``
2.5 / libpysal 4 compute it:

* ``centroids``, ``area``, ``perimeter``: ``shapely.centroid``, ``.area``, ``.length`` (what
  ``GeoDataFrame.centroid``, ``.area`` and ``.length`` return);
* ``queen``: binary contiguity, areas sharing at least one vertex (libpysal ``Queen``,
  vertex hashing);
* ``boundary``: the length of the common boundary of rook neighbours (areas sharing an edge,
  libpysal ``Rook``), ``shapely.intersection(a, b).length`` - PySAL's
  ``_return_length_weighted_w``; islands (no rook neighbour) have no weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import scipy.sparse as sp

from grannskap.errors import InputError, Problem, ValidationError

__all__ = ["AreaGeometry", "area_geometry"]


def _vertex_keys(geoms: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every ring vertex as (polygon index, vertex key, position within its ring's part)."""
    import shapely

    coords, owner = shapely.get_coordinates(geoms, return_index=True)
    _, key = np.unique(coords, axis=0, return_inverse=True)
    return owner, key.ravel(), coords


def _incidence(owner: np.ndarray, key: np.ndarray, n: int) -> sp.csr_matrix:
    m = int(key.max()) + 1 if key.size else 0
    inc = sp.csr_matrix((np.ones(owner.size), (owner, key)), shape=(n, m))
    inc.data[:] = 1.0  # duplicated vertices (closing vertex of a ring) count once
    return inc


def _adjacency(inc: sp.csr_matrix) -> sp.csr_matrix:
    a = (inc @ inc.T).tocsr()
    a.setdiag(0)
    a.eliminate_zeros()
    a.data[:] = 1.0
    return a


@dataclass(frozen=True)
class AreaGeometry:
    """Geometry of n areas (shapely polygons in a projected CRS), with derived arrays cached.

    Build with :func:`area_geometry`, which validates the polygons.
    """

    geoms: np.ndarray = field(repr=False)

    @property
    def n(self) -> int:
        return int(self.geoms.shape[0])

    @cached_property
    def centroids(self) -> np.ndarray:
        import shapely

        return shapely.get_coordinates(shapely.centroid(self.geoms))

    @cached_property
    def area(self) -> np.ndarray:
        import shapely

        return np.asarray(shapely.area(self.geoms), dtype="float64")

    @cached_property
    def perimeter(self) -> np.ndarray:
        import shapely

        return np.asarray(shapely.length(self.geoms), dtype="float64")

    @cached_property
    def queen(self) -> sp.csr_matrix:
        """Binary queen contiguity (shared vertex), symmetric, zero diagonal."""
        owner, key, _ = _vertex_keys(self.geoms)
        return _adjacency(_incidence(owner, key, self.n))

    @cached_property
    def rook(self) -> sp.csr_matrix:
        """Binary rook contiguity (shared edge = two consecutive shared vertices)."""
        import shapely

        parts, part_owner = shapely.get_parts(self.geoms, return_index=True)
        rings, ring_part = shapely.get_rings(parts, return_index=True)
        ring_poly = part_owner[ring_part]
        coords, ring_idx = shapely.get_coordinates(rings, return_index=True)
        _, key = np.unique(coords, axis=0, return_inverse=True)
        key = key.ravel()
        same_ring = ring_idx[1:] == ring_idx[:-1]
        a, b = key[:-1][same_ring], key[1:][same_ring]
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        nk = int(key.max()) + 1
        edge = lo.astype(np.int64) * nk + hi
        _, edge_id = np.unique(edge, return_inverse=True)
        edge_owner = ring_poly[ring_idx[1:][same_ring]]
        return _adjacency(_incidence(edge_owner, edge_id.ravel(), self.n))

    @cached_property
    def boundary(self) -> sp.csr_matrix:
        """Shared boundary length of every pair of rook neighbours (symmetric)."""
        import shapely

        r = sp.triu(self.rook, k=1).tocoo()
        i, j = r.row, r.col
        lengths = shapely.length(shapely.intersection(self.geoms[i], self.geoms[j]))
        w = sp.coo_matrix((lengths, (i, j)), shape=(self.n, self.n))
        return (w + w.T).tocsr()


def area_geometry(geoms: Any, *, labels: Any = None, name: str = "geometry") -> AreaGeometry:
    """Validate polygons and wrap them in an :class:`AreaGeometry`.

    Parameters
    ----------
    geoms
        Sequence of shapely (multi)polygons (e.g. ``GeoDataFrame.geometry.values``), one per
        area, in a projected CRS.
    labels
        Area labels for error messages (default 1-based row numbers).

    Raises
    ------
    ValidationError
        Missing/empty geometries, non-polygons or invalid polygons, all listed with the area.
    """
    import shapely

    arr = np.asarray(geoms, dtype=object)
    if arr.ndim != 1:
        raise InputError(Problem(name, "one geometry per area is needed", value=arr.shape))
    lab = list(labels) if labels is not None else [None] * arr.size
    problems: list[Problem] = []
    missing = shapely.is_missing(arr) | shapely.is_empty(arr)
    kinds = shapely.get_type_id(arr)
    not_poly = ~missing & ~np.isin(kinds, (3, 6))
    invalid = ~missing & ~not_poly & ~shapely.is_valid(arr)
    for i in np.nonzero(missing | not_poly | invalid)[0]:
        where = f"area {lab[i]!s}" if lab[i] is not None else None
        if missing[i]:
            reason, value, expected = "missing or empty geometry", where, "a polygon"
        elif not_poly[i]:
            reason = "not a polygon"
            value = f"{where}: {shapely.get_type_id(arr[i])}" if where else arr[i].geom_type
            expected = "Polygon or MultiPolygon"
        else:
            reason = "invalid polygon"
            why = shapely.is_valid_reason(arr[i])
            value = f"{where}: {why}" if where else why
            expected = "a valid polygon (repair it, e.g. with shapely.make_valid)"
        problems.append(Problem(name, reason, row=int(i) + 1, value=value, expected=expected))
    ValidationError.raise_if_any(problems)
    return AreaGeometry(arr)
