"""Centralization, concentration and Delta: two-group indices from area sizes and centroids.

Massey & Denton (1988), "The dimensions of residential segregation", Social Forces
67(2):281-315 (centralization, concentration) and Hoover (1941) / Duncan, Cuzzort & Duncan
(1961) for Delta. Kernels take the focal group ``x`` and totals ``t`` of shape ``(..., n)``
and the :class:`~.geometry.AreaGeometry` (projected CRS), with the conventions of PySAL
``segregation`` 2.5 (``singlegroup/absolute_centralization.py``,
``relative_centralization.py``, ``absolute_concentration.py``, ``relative_concentration.py``,
``delta.py``):

* centralization orders areas by the Euclidean distance of their centroid to the centre
  (default ``"mean"``: the mean of the centroids) and computes
  ``sum_k X_{k-1} A_k - sum_k X_k A_{k-1}`` on the cumulative shares;
* concentration orders areas by land area; ``n1`` is the number of smallest areas that hold
  the focal group's share of the total population, ``n2`` the index where the largest areas
  holding it begin (PySAL issue 43).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from grannskap.errors import InputError, Problem

from .geometry import AreaGeometry

__all__ = [
    "CENTERS",
    "k_absolute_centralization",
    "k_relative_centralization",
    "k_absolute_concentration",
    "k_relative_concentration",
    "k_delta",
    "center_point",
]

CENTERS: tuple[str, ...] = ("mean", "median", "population_weighted_mean", "largest_population")


def center_point(geo: AreaGeometry, t: np.ndarray, center: Any = "mean") -> tuple[float, float]:
    """The centre of the study area as PySAL's ``center`` argument defines it."""
    cx, cy = geo.centroids[:, 0], geo.centroids[:, 1]
    if isinstance(center, str):
        if center == "mean":
            return float(cx.mean()), float(cy.mean())
        if center == "median":
            return float(np.median(cx)), float(np.median(cy))
        if center == "population_weighted_mean":
            return float(np.average(cx, weights=t)), float(np.average(cy, weights=t))
        if center == "largest_population":
            big = t == t.max()
            return float(cx[big].mean()), float(cy[big].mean())
        raise InputError(
            Problem("center", "unknown centre", value=center, expected=f"one of {list(CENTERS)}")
        )
    if isinstance(center, (int, np.integer)) and not isinstance(center, bool):
        if not 0 <= center < geo.n:
            raise InputError(
                Problem(
                    "center", "area index out of range", value=center, expected=f"0..{geo.n - 1}"
                )
            )
        return float(cx[center]), float(cy[center])
    xy = np.asarray(center, dtype="float64")
    if xy.shape != (2,):
        raise InputError(
            Problem("center", "centre must be (x, y)", value=center, expected="two coordinates")
        )
    return float(xy[0]), float(xy[1])


def _lorenz_area(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``sum_k a_{k-1} b_k - sum_k a_k b_{k-1}`` over the last axis."""
    return (a[..., :-1] * b[..., 1:]).sum(axis=-1) - (a[..., 1:] * b[..., :-1]).sum(axis=-1)


def _center_order(geo: AreaGeometry, t: np.ndarray, center: Any) -> np.ndarray:
    t1 = np.asarray(t, dtype="float64")
    if t1.ndim > 1:
        t1 = t1.reshape(-1, t1.shape[-1])[0]
    c0, c1 = center_point(geo, t1, center)
    d = np.sqrt((geo.centroids[:, 0] - c0) ** 2 + (geo.centroids[:, 1] - c1) ** 2)
    return d.argsort()


def k_absolute_centralization(
    x: np.ndarray, t: np.ndarray, geo: AreaGeometry, center: Any = "mean"
) -> np.ndarray:
    o = _center_order(geo, t, center)
    Xi = np.cumsum(x[..., o], axis=-1) / x.sum(axis=-1, keepdims=True)
    Ai = np.cumsum(geo.area[o]) / geo.area.sum()
    return _lorenz_area(Xi, np.broadcast_to(Ai, Xi.shape))


def k_relative_centralization(
    x: np.ndarray, t: np.ndarray, geo: AreaGeometry, center: Any = "mean"
) -> np.ndarray:
    o = _center_order(geo, t, center)
    y = np.broadcast_to(t, x.shape) - x
    Xi = np.cumsum(x[..., o], axis=-1) / x.sum(axis=-1, keepdims=True)
    Yi = np.cumsum(y[..., o], axis=-1) / y.sum(axis=-1, keepdims=True)
    return _lorenz_area(Xi, Yi)


def _n1_n2(
    x: np.ndarray, t: np.ndarray, area: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n = area.size
    asc = area.argsort()
    des = (-area).argsort()
    T = t.sum(axis=-1, keepdims=True)
    share = x.sum(axis=-1, keepdims=True) / T
    n1 = np.argmax(np.cumsum(t[..., asc], axis=-1) / T >= share, axis=-1) + 1
    n2 = n - (np.argmax(np.cumsum(t[..., des], axis=-1) / T >= share, axis=-1) + 1)
    return asc, n1, n2


def _ranges(n: int, n1: np.ndarray, n2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pos = np.arange(n)
    return pos < n1[..., None], pos >= n2[..., None]


def k_absolute_concentration(x: np.ndarray, t: np.ndarray, geo: AreaGeometry) -> np.ndarray:
    t = np.broadcast_to(t, x.shape)
    asc, n1, n2 = _n1_n2(x, t, geo.area)
    a = geo.area[asc]
    xa, ta = x[..., asc] * a, t[..., asc] * a
    first, last = _ranges(a.size, n1, n2)
    T1 = np.where(first, t[..., asc], 0.0).sum(axis=-1)
    T2 = np.where(last, t[..., asc], 0.0).sum(axis=-1)
    s1 = np.where(first, ta, 0.0).sum(axis=-1) / T1
    s2 = np.where(last, ta, 0.0).sum(axis=-1) / T2
    return 1.0 - (xa.sum(axis=-1) / x.sum(axis=-1) - s1) / (s2 - s1)


def k_relative_concentration(x: np.ndarray, t: np.ndarray, geo: AreaGeometry) -> np.ndarray:
    t = np.broadcast_to(t, x.shape)
    y = t - x
    asc, n1, n2 = _n1_n2(x, t, geo.area)
    a = geo.area[asc]
    first, last = _ranges(a.size, n1, n2)
    ts = t[..., asc]
    T1 = np.where(first, ts, 0.0).sum(axis=-1)
    T2 = np.where(last, ts, 0.0).sum(axis=-1)
    num = (x[..., asc] * a).sum(axis=-1) / x.sum(axis=-1)
    num = num / ((y[..., asc] * a).sum(axis=-1) / y.sum(axis=-1)) - 1.0
    r1 = np.where(first, ts * a, 0.0).sum(axis=-1) / T1
    r2 = np.where(last, ts * a, 0.0).sum(axis=-1) / T2
    return num / (r1 / r2 - 1.0)


def k_delta(x: np.ndarray, t: np.ndarray, geo: AreaGeometry) -> np.ndarray:
    a = geo.area / geo.area.sum()
    return 0.5 * np.abs(x / x.sum(axis=-1, keepdims=True) - a).sum(axis=-1)
