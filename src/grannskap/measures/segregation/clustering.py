"""Clustering, distance-decay exposure and spatial proximity: two-group indices over all pairs.

Massey & Denton (1988), "The dimensions of residential segregation", Social Forces
67(2):281-315 (absolute / relative clustering, spatial proximity, distance-decay interaction
and isolation; White 1983 for SP; Morgan 1983 for the distance-decay exposures).

PySAL ``segregation`` 2.5 (``util.generate_distance_matrix`` and the files
``singlegroup/absolute_clustering.py``, ``relative_clustering.py``, ``spatial_proximity.py``,
``dx_interaction.py``, ``dx_isolation.py``) builds a dense proximity matrix that we reproduce
exactly, including its conventions that differ from Massey & Denton's text:

* ``c_ij = 1 - exp(-d_ij / s_j)`` for ``i != j``, with ``d`` the Euclidean distances between
  centroids and ``s_j = sum_k d_jk`` (each column scaled by its own distance sum; so ``c``
  *grows* with distance and is not symmetric), and ``c_ii = 1 - exp(-(alpha a_i)^beta)`` with
  ``a_i`` the area (defaults ``alpha = 0.6``, ``beta = 0.5``);
* relative clustering uses ``P_xx = sum_ij c_ij x_j^2 / X^2`` (PySAL's broadcasting);
* the distance-decay exposures use ``K_ij = c_ij t_j / r_j`` with ``r_j = sum_k c_jk t_k``.

The matrix is never stored whole for large inputs: rows are generated in blocks (two passes,
the first for ``s``), so memory stays O(block x n); for up to a few thousand areas it is kept.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np

from grannskap.errors import InputError, Problem

from .geometry import AreaGeometry

__all__ = [
    "proximity_matvec",
    "k_absolute_clustering",
    "k_relative_clustering",
    "k_spatial_proximity",
    "k_distance_decay_interaction",
    "k_distance_decay_isolation",
]

_BLOCK_ELEMENTS = 4_000_000
_CACHE_MAX_AREAS = 3000


def _check_ab(alpha: float, beta: float) -> None:
    for name, v in (("alpha", alpha), ("beta", beta)):
        if not v >= 0:
            raise InputError(Problem(name, "must be >= 0", value=v, expected=">= 0"))


def _dist_block(xy: np.ndarray, rows: slice) -> np.ndarray:
    dx = xy[rows, 0][:, None] - xy[None, :, 0]
    dy = xy[rows, 1][:, None] - xy[None, :, 1]
    return np.sqrt(dx * dx + dy * dy)


def _blocks(n: int) -> list[slice]:
    b = max(1, _BLOCK_ELEMENTS // max(n, 1))
    return [slice(s, min(s + b, n)) for s in range(0, n, b)]


def _c_block(xy: np.ndarray, s: np.ndarray, diag: np.ndarray, rows: slice) -> np.ndarray:
    c = -np.expm1(-_dist_block(xy, rows) / s[None, :])
    r = np.arange(rows.start, rows.stop)
    c[r - rows.start, r] = diag[r]
    return c


def _numba() -> ModuleType | None:
    try:
        from . import _proximity_numba
    except ImportError:  # numba is optional (the [fast] extra)
        return None
    return _proximity_numba


def _distance_sums(geo: AreaGeometry) -> np.ndarray:
    """``s_j = sum_k d_jk`` (one pass over all pairs), cached on the geometry."""
    s = geo.__dict__.get("_distance_sums")
    if s is None:
        xy = np.ascontiguousarray(geo.centroids, dtype="float64")
        fast = _numba() if geo.n > _CACHE_MAX_AREAS else None
        if fast is not None:
            s = fast.distance_sums(xy)
        else:
            s = np.empty(geo.n)
            for rows in _blocks(geo.n):
                s[rows] = _dist_block(xy, rows).sum(axis=1)
        object.__setattr__(geo, "_distance_sums", s)  # frozen dataclass: cache beside the fields
    return s  # type: ignore[no-any-return]


def _proximity(geo: AreaGeometry, alpha: float, beta: float) -> tuple[np.ndarray, np.ndarray]:
    diag = -np.expm1(-((alpha * geo.area) ** beta))
    return _distance_sums(geo), diag


def proximity_matrix(geo: AreaGeometry, alpha: float = 0.6, beta: float = 0.5) -> np.ndarray:
    """The dense n x n proximity matrix ``c`` (see the module docstring); for small n only."""
    _check_ab(alpha, beta)
    xy = np.ascontiguousarray(geo.centroids, dtype="float64")
    d = _dist_block(xy, slice(0, geo.n))
    if "_distance_sums" not in geo.__dict__:
        object.__setattr__(geo, "_distance_sums", d.sum(axis=1))
    s, diag = _proximity(geo, alpha, beta)
    d /= s[None, :]
    np.expm1(-d, out=d)
    np.negative(d, out=d)
    d[np.arange(geo.n), np.arange(geo.n)] = diag
    return d


def _cached(geo: AreaGeometry, alpha: float, beta: float) -> np.ndarray | None:
    """The dense matrix for small n, kept for repeated use (bootstrap chunks). Whether an input
    is small depends on n only, so a result never depends on what was computed before."""
    if geo.n > _CACHE_MAX_AREAS:
        return None
    key = ("_proximity", float(alpha), float(beta))
    cache: dict[object, np.ndarray] = geo.__dict__.setdefault("_prox_cache", {})
    if key not in cache:
        cache.clear()
        cache[key] = proximity_matrix(geo, alpha, beta)
    return cache[key]


def proximity_matvec(
    geo: AreaGeometry,
    V: np.ndarray,
    alpha: float = 0.6,
    beta: float = 0.5,
    *,
    colsum: bool = False,
) -> tuple[np.ndarray, np.ndarray | None, float]:
    """``c @ V`` (V of shape (n, k)), the column sums of ``c`` (if asked) and its total.

    Small inputs use the cached dense matrix; large ones stream rows (compiled with numba
    when the ``[fast]`` extra is installed, else numpy blocks), never holding n x n floats.
    """
    _check_ab(alpha, beta)
    V = np.ascontiguousarray(np.asarray(V, dtype="float64").reshape(geo.n, -1))
    full = _cached(geo, alpha, beta)
    if full is not None:
        cs = full.sum(axis=0)
        return full @ V, cs, float(cs.sum())
    s, diag = _proximity(geo, alpha, beta)
    xy = np.ascontiguousarray(geo.centroids, dtype="float64")
    fast = _numba()
    if fast is not None:
        out, rowsum = fast.prox_matvec(xy, s, diag, V)
        cs = fast.prox_colsum(xy, s, diag) if colsum else None
        return out, cs, float(rowsum.sum())
    out = np.empty((geo.n, V.shape[1]))
    acc = np.zeros(geo.n)
    for rows in _blocks(geo.n):
        c = _c_block(xy, s, diag, rows)
        out[rows] = c @ V
        acc += c.sum(axis=0)
    return out, acc, float(acc.sum())


def _stack(*vs: np.ndarray) -> tuple[np.ndarray, tuple[int, ...]]:
    """Vectors of shape (..., n) side by side as columns of an (n, k * r) matrix."""
    lead = vs[0].shape[:-1]
    cols = [np.broadcast_to(v, vs[0].shape).reshape(-1, vs[0].shape[-1]).T for v in vs]
    return np.concatenate(cols, axis=1), lead


def _split(M: np.ndarray, k: int, lead: tuple[int, ...]) -> list[np.ndarray]:
    r = M.shape[1] // k
    return [M[:, q * r : (q + 1) * r].T.reshape(*lead, -1) for q in range(k)]


def k_absolute_clustering(
    x: np.ndarray, t: np.ndarray, geo: AreaGeometry, alpha: float = 0.6, beta: float = 0.5
) -> np.ndarray:
    V, lead = _stack(x, t)
    M, _, csum = proximity_matvec(geo, V, alpha, beta)
    cx, ct = _split(M, 2, lead)
    X = x.sum(axis=-1)
    n = geo.n
    num = (x / X[..., None] * cx).sum(axis=-1) - X / n**2 * csum
    den = (x / X[..., None] * ct).sum(axis=-1) - X / n**2 * csum
    return num / den


def k_relative_clustering(
    x: np.ndarray, t: np.ndarray, geo: AreaGeometry, alpha: float = 0.6, beta: float = 0.5
) -> np.ndarray:
    y = np.broadcast_to(t, x.shape) - x
    cs = proximity_matvec(geo, np.zeros((geo.n, 0)), alpha, beta, colsum=True)[1]
    colsum = np.zeros(geo.n) if cs is None else cs  # never None when asked for
    Pxx = (colsum * x * x).sum(axis=-1) / x.sum(axis=-1) ** 2
    Pyy = (colsum * y * y).sum(axis=-1) / y.sum(axis=-1) ** 2
    return Pxx / Pyy - 1.0


def k_spatial_proximity(
    x: np.ndarray, t: np.ndarray, geo: AreaGeometry, alpha: float = 0.6, beta: float = 0.5
) -> np.ndarray:
    t = np.broadcast_to(t, x.shape)
    y = t - x
    V, lead = _stack(x, y, t)
    M, _, _ = proximity_matvec(geo, V, alpha, beta)
    cx, cy, ct = _split(M, 3, lead)
    X, Y, T = x.sum(axis=-1), y.sum(axis=-1), t.sum(axis=-1)
    Pxx = (x * cx).sum(axis=-1) / X**2
    Pyy = (y * cy).sum(axis=-1) / Y**2
    Ptt = (t * ct).sum(axis=-1) / T**2
    return (X * Pxx + Y * Pyy) / (T * Ptt)


def _distance_decay(
    x: np.ndarray, t: np.ndarray, v: np.ndarray, geo: AreaGeometry, alpha: float, beta: float
) -> np.ndarray:
    """``sum_i (x_i / X) sum_{j: t_j > 0} c_ij t_j / r_j * v_j / t_j``, r = c @ t."""
    t = np.broadcast_to(t, x.shape)
    Vt, lead = _stack(t)
    (r,) = _split(proximity_matvec(geo, Vt, alpha, beta)[0], 1, lead)
    w = np.divide(v, r, out=np.zeros(v.shape, dtype="float64"), where=t > 0)
    Vw, _ = _stack(w)
    (cw,) = _split(proximity_matvec(geo, Vw, alpha, beta)[0], 1, lead)
    return (x / x.sum(axis=-1, keepdims=True) * cw).sum(axis=-1)


def k_distance_decay_interaction(
    x: np.ndarray, t: np.ndarray, geo: AreaGeometry, alpha: float = 0.6, beta: float = 0.5
) -> np.ndarray:
    return _distance_decay(x, t, np.broadcast_to(t, x.shape) - x, geo, alpha, beta)


def k_distance_decay_isolation(
    x: np.ndarray, t: np.ndarray, geo: AreaGeometry, alpha: float = 0.6, beta: float = 0.5
) -> np.ndarray:
    return _distance_decay(x, t, x, geo, alpha, beta)
