"""Spatially explicit two-group indices from contiguity: Morrill's, Wong's and Hong's.

All need polygons (:class:`~.geometry.AreaGeometry`, projected CRS). Kernels take the focal
group ``x`` and totals ``t`` of shape ``(..., n)`` plus the geometry and return one value per
leading index, with the conventions of PySAL ``segregation`` 2.5 (``singlegroup/
spatial_dissim.py``, ``boundary_spatial_dissim.py``, ``par_dissim.py``,
``spatial_prox_profile.py``); ``p_i = x_i / t_i`` is 0 for empty areas.

* Morrill (1991) spatial dissimilarity ``SD = D - sum_ij c_ij |p_i - p_j| / sum_ij c_ij`` with
  binary queen contiguity ``c`` (PySAL ``SpatialDissim``, ``standardize=False``);
* Wong (1993) boundary spatial dissimilarity: the same with ``c`` the shared boundary length,
  row-standardised by default (PySAL ``BoundarySpatialDissim``, ``standardize=True``);
* Wong (1993) perimeter/area ratio dissimilarity, as corrected by Tivadar (2019):
  ``PARD = D - sum_ij c_ij |p_i - p_j| (PA_i + PA_j) / (2 max PA)``, ``c`` boundary lengths
  over their total (PySAL ``PARDissim``, ``standardize=True``);
* Hong & Sadahiro (2014) spatial proximity profile, on the number of queen-contiguity steps
  between areas (PySAL ``SpatialProxProf``, ``m=1000``).

Morrill, R. L. (1991), "On the measure of geographic segregation", Geography Research Forum
11:25-36. Wong, D. W. S. (1993), "Spatial indices of segregation", Urban Studies
30(3):559-572. Tivadar, M. (2019), "OasisR: an R package to bring some order to the world of
segregation measurement", Journal of Statistical Software 89(7). Hong, S.-Y. & Sadahiro, Y.
(2014), "Measuring geographic segregation: a graph-based approach", Journal of Geographical
Systems 16(2):211-231.
"""

from __future__ import annotations

from types import ModuleType

import numpy as np
import scipy.sparse as sp

from .geometry import AreaGeometry
from .indices import _k_dissimilarity

__all__ = [
    "k_morrill_spatial_dissim",
    "k_boundary_spatial_dissim",
    "k_perimeter_area_dissim",
    "k_spatial_prox_profile",
]

_HOPS_CACHE_MAX_AREAS = 4000


def _p(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    t = np.broadcast_to(t, x.shape)
    return np.divide(x, t, out=np.zeros(x.shape, dtype="float64"), where=t != 0)


def _pair_sum(p: np.ndarray, w: sp.spmatrix, extra: np.ndarray | None = None) -> np.ndarray:
    """``sum_ij w_ij |p_i - p_j| (extra_ij)`` over the stored pairs, batched over leading axes."""
    coo = w.tocoo()
    i, j, v = coo.row, coo.col, coo.data
    if extra is not None:
        v = v * extra
    return (np.abs(p[..., i] - p[..., j]) * v).sum(axis=-1)


def k_morrill_spatial_dissim(
    x: np.ndarray, t: np.ndarray, geo: AreaGeometry, standardize: bool = False
) -> np.ndarray:
    w = geo.queen
    if standardize:
        w = _row_standardize(w)
    return _k_dissimilarity(x, t) - _pair_sum(_p(x, t), w) / w.sum()


def _row_standardize(w: sp.spmatrix) -> sp.csr_matrix:
    rs = np.asarray(w.sum(axis=1)).ravel()
    inv = np.divide(1.0, rs, out=np.zeros_like(rs), where=rs > 0)
    return sp.diags(inv) @ w.tocsr()


def k_boundary_spatial_dissim(
    x: np.ndarray, t: np.ndarray, geo: AreaGeometry, standardize: bool = True
) -> np.ndarray:
    w = geo.boundary
    if standardize:
        w = _row_standardize(w)
    return _k_dissimilarity(x, t) - _pair_sum(_p(x, t), w) / w.sum()


def k_perimeter_area_dissim(
    x: np.ndarray, t: np.ndarray, geo: AreaGeometry, standardize: bool = True
) -> np.ndarray:
    w = geo.boundary.tocoo()
    if standardize:
        w = (w / w.sum()).tocoo()
    pa = geo.perimeter / geo.area
    extra = pa[w.row] + pa[w.col]
    return _k_dissimilarity(x, t) - _pair_sum(_p(x, t), w, extra) / (2.0 * pa.max())


def _numba() -> ModuleType | None:
    try:
        from . import _proximity_numba
    except ImportError:  # numba is optional (the [fast] extra)
        return None
    return _proximity_numba


def _hop_rows(geo: AreaGeometry, rows: np.ndarray) -> np.ndarray:
    from scipy.sparse.csgraph import shortest_path

    return shortest_path(geo.queen, directed=False, unweighted=True, indices=rows)


def _hops(geo: AreaGeometry) -> np.ndarray | None:
    """All-pairs contiguity steps, cached on small geometries (n x n floats)."""
    if geo.n > _HOPS_CACHE_MAX_AREAS:
        return None
    cached = geo.__dict__.get("_hops")
    if cached is None:
        cached = _hop_rows(geo, np.arange(geo.n))
        object.__setattr__(geo, "_hops", cached)  # frozen dataclass: cache beside the fields
    return cached  # type: ignore[no-any-return]


def _spp_one(x: np.ndarray, t: np.ndarray, geo: AreaGeometry, m: int) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / t
    grid = np.linspace(0.0, 1.0, m)
    ok = np.nonzero(~np.isnan(p))[0]
    order = ok[np.argsort(-p[ok], kind="stable")]  # descending share: subsets {p >= th} grow
    rank = np.full(geo.n, -1, dtype=np.int64)
    rank[order] = np.arange(order.size)
    # L_k = sum of steps from the k-th area to the areas ranked before it
    L = np.zeros(order.size)
    fast = _numba() if geo.n > _HOPS_CACHE_MAX_AREAS else None
    if fast is not None:
        q = geo.queen.tocsr()
        L = fast.hops_before(
            q.indptr.astype(np.int64), q.indices.astype(np.int64), rank, order.astype(np.int64)
        )
        return _spp_from_prefix(p, order, L, grid, x, t, m)
    full = _hops(geo)
    block = max(1, 2_000_000 // max(geo.n, 1))
    for s in range(0, order.size, block):
        rows = order[s : s + block]
        d = full[rows] if full is not None else _hop_rows(geo, rows)
        before = (rank[None, :] >= 0) & (rank[None, :] < rank[rows][:, None])
        with np.errstate(invalid="ignore"):
            L[s : s + rows.size] = np.where(before, d, 0.0).sum(axis=1)
    return _spp_from_prefix(p, order, L, grid, x, t, m)


def _spp_from_prefix(
    p: np.ndarray,
    order: np.ndarray,
    L: np.ndarray,
    grid: np.ndarray,
    x: np.ndarray,
    t: np.ndarray,
    m: int,
) -> float:
    D = 2.0 * np.cumsum(L)
    ps = p[order]
    # k(th) = #areas with p >= th; ties enter together since they are contiguous in `order`
    k = np.searchsorted(-ps, -grid, side="right")
    Dk = np.where(k > 0, D[np.maximum(k - 1, 0)], 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = (k * k - k) / Dk
    curve = np.nan_to_num(eta, nan=0.0, posinf=0.0, neginf=0.0)
    P = x.sum() / t.sum()
    below = curve[grid < P].sum() / m
    above = curve[grid >= P].sum() / m
    return float((P - (below - above)) / (1.0 - P))


def k_spatial_prox_profile(
    x: np.ndarray, t: np.ndarray, geo: AreaGeometry, m: int = 1000
) -> np.ndarray:
    t = np.broadcast_to(t, x.shape)
    lead = x.shape[:-1]
    xf, tf = x.reshape(-1, x.shape[-1]), t.reshape(-1, x.shape[-1])
    out = np.array([_spp_one(xf[r], tf[r], geo, m) for r in range(xf.shape[0])])
    return out.reshape(lead)
