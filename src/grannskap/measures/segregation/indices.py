"""Aspatial segregation indices from an areas x groups count table.

Two-group indices (focal group vs everybody else) follow Massey & Denton (1988), "The
dimensions of residential segregation", Social Forces 67(2):281-315, with the exact
conventions of PySAL ``segregation`` 2.5 (areas with zero population contribute nothing).
Multigroup indices follow Reardon & Firebaugh (2002), "Measures of multigroup segregation",
Sociological Methodology 32:33-67, and Theil (1971) / Mora & Ruiz-Castillo (2011) for M and H.

Every kernel here is *batched*: it accepts arrays with any number of leading axes (e.g.
``(replicates, areas)`` or ``(replicates, areas, groups)``) and returns one value per leading
index, which is what makes bootstrap and permutation inference vectorised.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np

from grannskap.errors import InputError, Problem

from ._validate import CountsLike, as_counts
from .results import IndexResult, MutualInformationResult

__all__ = [
    "TwoGroupIndex",
    "MultiGroupIndex",
    "IndexName",
    "TWO_GROUP_INDICES",
    "MULTI_GROUP_INDICES",
    "INDEX_NAMES",
    "dissimilarity",
    "gini",
    "isolation",
    "exposure",
    "correlation_ratio",
    "atkinson",
    "theil_h",
    "mutual_information",
    "multigroup_dissimilarity",
    "relative_diversity",
    "compute_index",
    "batch_index",
    "two_group_arrays",
]

TwoGroupIndex = Literal[
    "dissimilarity", "gini", "isolation", "exposure", "correlation_ratio", "atkinson"
]
MultiGroupIndex = Literal[
    "theil_h", "mutual_information", "multigroup_dissimilarity", "relative_diversity"
]
IndexName = TwoGroupIndex | MultiGroupIndex


def _share(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """x / t with 0 where t == 0 (PySAL's convention for empty areas)."""
    t = np.broadcast_to(t, x.shape)
    return np.divide(x, t, out=np.zeros(x.shape, dtype="float64"), where=t > 0)


# --------------------------------------------------------------------------- two-group kernels
# x: focal group counts, t: area totals; shape (..., n). Return shape (...,).


def _k_dissimilarity(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    T = np.broadcast_to(t, x.shape).sum(axis=-1)
    P = x.sum(axis=-1) / T
    # sum_i t_i |p_i - P| == sum_i |x_i - P t_i|  (empty areas give 0 either way)
    return np.abs(x - P[..., None] * t).sum(axis=-1) / (2.0 * T * P * (1.0 - P))


def _k_gini(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    t = np.broadcast_to(t, x.shape)
    T = t.sum(axis=-1)
    P = x.sum(axis=-1) / T
    p = _share(x, t)
    order = np.argsort(p, axis=-1, kind="stable")
    ps = np.take_along_axis(p, order, axis=-1)
    ts = np.take_along_axis(t, order, axis=-1)
    # sum_{i<j} t_i t_j (p_j - p_i) with p sorted ascending, in O(n log n)
    cum_t = np.cumsum(ts, axis=-1) - ts
    cum_tp = np.cumsum(ts * ps, axis=-1) - ts * ps
    half = (ts * (ps * cum_t - cum_tp)).sum(axis=-1)
    return half / (T * T * P * (1.0 - P))


def _k_isolation(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    X = x.sum(axis=-1)
    return (x * _share(x, t)).sum(axis=-1) / X


def _k_exposure(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    X = x.sum(axis=-1)
    return (x * _share(np.broadcast_to(t, x.shape) - x, t)).sum(axis=-1) / X


def _k_correlation_ratio(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    P = x.sum(axis=-1) / np.broadcast_to(t, x.shape).sum(axis=-1)
    return (_k_isolation(x, t) - P) / (1.0 - P)


def _k_atkinson(x: np.ndarray, t: np.ndarray, b: float = 0.5) -> np.ndarray:
    t = np.broadcast_to(t, x.shape)
    T = t.sum(axis=-1)
    P = x.sum(axis=-1) / T
    p = _share(x, t)
    inner = ((1.0 - p) ** (1.0 - b) * p**b * t).sum(axis=-1) / (P * T)
    return 1.0 - (P / (1.0 - P)) * np.abs(inner) ** (1.0 / (1.0 - b))


# ------------------------------------------------------------------------- multigroup kernels
# c: counts, shape (..., n, K). Return shape (...,).


def _xlogy_ratio(c: np.ndarray, base: float) -> np.ndarray:
    """sum over areas and groups of (n_ik / N) log(n_ik N / (n_i n_k))."""
    N = c.sum(axis=(-2, -1))
    ti = c.sum(axis=-1, keepdims=True)
    tk = c.sum(axis=-2, keepdims=True)
    expected = ti * tk / N[..., None, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(
            c > 0, c * np.log(np.where(c > 0, c, 1.0) / np.where(c > 0, expected, 1.0)), 0.0
        )
    M = terms.sum(axis=(-2, -1)) / N
    return M / np.log(base) if base != np.e else M


def _group_entropy(c: np.ndarray, base: float = np.e) -> np.ndarray:
    Pk = c.sum(axis=-2) / c.sum(axis=(-2, -1))[..., None]
    with np.errstate(divide="ignore", invalid="ignore"):
        E = -np.where(Pk > 0, Pk * np.log(np.where(Pk > 0, Pk, 1.0)), 0.0).sum(axis=-1)
    return E / np.log(base) if base != np.e else E


def _k_mutual_information(c: np.ndarray, base: float = np.e) -> np.ndarray:
    return _xlogy_ratio(c, base)


def _k_theil_h(c: np.ndarray) -> np.ndarray:
    return _xlogy_ratio(c, np.e) / _group_entropy(c)


def _k_multigroup_dissimilarity(c: np.ndarray) -> np.ndarray:
    N = c.sum(axis=(-2, -1))
    ti = c.sum(axis=-1, keepdims=True)
    Pk = c.sum(axis=-2, keepdims=True) / N[..., None, None]
    interaction = (Pk * (1.0 - Pk)).sum(axis=(-2, -1))
    return np.abs(c - Pk * ti).sum(axis=(-2, -1)) / (2.0 * N * interaction)


def _k_relative_diversity(c: np.ndarray) -> np.ndarray:
    N = c.sum(axis=(-2, -1))
    ti = c.sum(axis=-1, keepdims=True)
    Pk = c.sum(axis=-2, keepdims=True) / N[..., None, None]
    interaction = (Pk * (1.0 - Pk)).sum(axis=(-2, -1))
    pik = _share(c, ti)
    return (ti * (pik - Pk) ** 2).sum(axis=(-2, -1)) / (N * interaction)


TWO_GROUP_INDICES: dict[str, Callable[..., np.ndarray]] = {
    "dissimilarity": _k_dissimilarity,
    "gini": _k_gini,
    "isolation": _k_isolation,
    "exposure": _k_exposure,
    "correlation_ratio": _k_correlation_ratio,
    "atkinson": _k_atkinson,
}
MULTI_GROUP_INDICES: dict[str, Callable[..., np.ndarray]] = {
    "theil_h": _k_theil_h,
    "mutual_information": _k_mutual_information,
    "multigroup_dissimilarity": _k_multigroup_dissimilarity,
    "relative_diversity": _k_relative_diversity,
}
INDEX_NAMES: tuple[str, ...] = (*TWO_GROUP_INDICES, *MULTI_GROUP_INDICES)


def _check_index(index: str) -> str:
    if index not in INDEX_NAMES:
        raise InputError(
            Problem(
                "index",
                "unknown segregation index",
                value=index,
                expected=f"one of {list(INDEX_NAMES)}",
            )
        )
    return index


def two_group_arrays(c: np.ndarray, group: int) -> tuple[np.ndarray, np.ndarray]:
    """Focal-group counts and area totals from a (..., n, K) table."""
    K = c.shape[-1]
    if not -K <= group < K:
        raise InputError(
            Problem("group", "focal group column out of range", value=group, expected=f"0..{K - 1}")
        )
    return c[..., group], c.sum(axis=-1)


def batch_index(index: str, tables: np.ndarray, *, group: int = 0, **kwargs: float) -> np.ndarray:
    """Evaluate ``index`` on a stack of tables of shape (..., n, K); one value per table."""
    _check_index(index)
    if index in TWO_GROUP_INDICES:
        x, t = two_group_arrays(tables, group)
        return TWO_GROUP_INDICES[index](x, t, **kwargs)
    return MULTI_GROUP_INDICES[index](tables, **kwargs)


def _check_two_group(arr: np.ndarray, group: int) -> None:
    x, t = two_group_arrays(arr, group)
    X, T = float(x.sum()), float(t.sum())
    if X <= 0 or X >= T:
        raise InputError(
            Problem(
                "counts",
                "a two-group index needs persons both in and outside the focal group",
                column=f"group {group}",
                value=f"{X:g} of {T:g} persons in the focal group",
                expected="0 < focal group total < total population",
            )
        )


def compute_index(
    index: str,
    counts: CountsLike,
    *,
    group: int = 0,
    allow_fractional: bool = False,
    **kwargs: float,
) -> IndexResult:
    """Any index of :data:`INDEX_NAMES` on ``counts`` as an :class:`IndexResult`."""
    _check_index(index)
    arr = as_counts(counts, allow_fractional=allow_fractional)
    if index in TWO_GROUP_INDICES:
        _check_two_group(arr, group)
    value = float(batch_index(index, arr, group=group, **kwargs))
    return IndexResult(
        name=index, statistic=value, n_areas=arr.shape[0], n_persons=float(arr.sum())
    )


def dissimilarity(counts: CountsLike, group: int = 0) -> IndexResult:
    """Index of dissimilarity D of the focal group ``group`` vs all other persons.

    ``D = sum_i t_i |p_i - P| / (2 T P (1 - P))`` (Massey & Denton 1988; Duncan & Duncan
    1955). Same value as PySAL ``segregation.singlegroup.Dissim``.
    """
    return compute_index("dissimilarity", counts, group=group)


def gini(counts: CountsLike, group: int = 0) -> IndexResult:
    """Gini segregation index (Massey & Denton 1988), computed in O(n log n).

    ``G = sum_i sum_j t_i t_j |p_i - p_j| / (2 T^2 P (1 - P))``; PySAL ``Gini``.
    """
    return compute_index("gini", counts, group=group)


def isolation(counts: CountsLike, group: int = 0) -> IndexResult:
    """Isolation index xPx = sum_i (x_i / X)(x_i / t_i) (Massey & Denton 1988); PySAL ``Isolation``."""
    return compute_index("isolation", counts, group=group)


def exposure(counts: CountsLike, group: int = 0) -> IndexResult:
    """Exposure / interaction index xPy = sum_i (x_i / X)(y_i / t_i) (Massey & Denton 1988); PySAL ``Interaction``."""
    return compute_index("exposure", counts, group=group)


def correlation_ratio(counts: CountsLike, group: int = 0) -> IndexResult:
    """Correlation ratio (eta^2) V = (xPx - P) / (1 - P) (Massey & Denton 1988); PySAL ``CorrelationR``."""
    return compute_index("correlation_ratio", counts, group=group)


def atkinson(counts: CountsLike, group: int = 0, b: float = 0.5) -> IndexResult:
    """Atkinson index with shape parameter ``b`` in (0, 1) (Massey & Denton 1988); PySAL ``Atkinson``."""
    if not 0.0 < b < 1.0:
        raise InputError(
            Problem("b", "Atkinson shape parameter out of range", value=b, expected="0 < b < 1")
        )
    return compute_index("atkinson", counts, group=group, b=b)


def theil_h(counts: CountsLike) -> IndexResult:
    """Theil's information theory index H = M / E (Theil 1971; Reardon & Firebaugh 2002).

    Same value as PySAL ``MultiInfoTheory`` and Elbers' ``mutual_total(...)$H``.
    """
    return compute_index("theil_h", counts)


def mutual_information(counts: CountsLike, *, base: float = float(np.e)) -> MutualInformationResult:
    """Mutual information index M and Theil's H (Theil & Finizza 1971; Mora & Ruiz-Castillo 2011).

    ``M = sum_i sum_k p_ik log(p_ik / (p_i p_k))`` over the joint distribution of areas and
    groups; ``H = M / E`` with ``E`` the group entropy. Natural log by default, as Elbers'
    R package ``segregation`` (whose ``mutual_total`` this reproduces) and PySAL
    ``MultiDivergence`` (= M).
    """
    arr = as_counts(counts)
    M = float(_k_mutual_information(arr, base))
    E = float(_group_entropy(arr, base))
    return MutualInformationResult(
        M=M, H=M / E, entropy=E, n_areas=arr.shape[0], n_persons=float(arr.sum()), base=float(base)
    )


def multigroup_dissimilarity(counts: CountsLike) -> IndexResult:
    """Multigroup dissimilarity index (Sakoda 1981; Reardon & Firebaugh 2002); PySAL ``MultiDissim``."""
    return compute_index("multigroup_dissimilarity", counts)


def relative_diversity(counts: CountsLike) -> IndexResult:
    """Relative diversity index (Carlson 1992; Reardon & Firebaugh 2002); PySAL ``MultiRelativeDiversity``."""
    return compute_index("relative_diversity", counts)
