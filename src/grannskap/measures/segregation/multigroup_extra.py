"""Further multigroup indices of Reardon & Firebaugh (2002) and Simpson (1949).

Kernels take counts ``c`` of shape ``(..., n, K)`` and return one value per leading index
(batched, for bootstrap and random-allocation inference), with PySAL ``segregation`` 2.5's
conventions (``multigroup/multi_gini.py``, ``multi_norm_exposure.py``,
``multi_squared_coef_var.py``, ``simpsons_concentration.py``, ``simpsons_interaction.py``):
areas without persons have shares 0.

Reardon, S. F. & Firebaugh, G. (2002), "Measures of multigroup segregation", Sociological
Methodology 32:33-67. Simpson, E. H. (1949), "Measurement of diversity", Nature 163:688.
"""

from __future__ import annotations

import numpy as np

from ._validate import CountsLike, as_counts
from .results import IndexResult

__all__ = [
    "multigroup_gini",
    "multigroup_normalized_exposure",
    "multigroup_squared_cv",
    "simpsons_concentration",
    "simpsons_interaction",
]


def _parts(c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    T = c.sum(axis=(-2, -1))
    ti = c.sum(axis=-1, keepdims=True)
    pik = np.divide(c, ti, out=np.zeros(c.shape, dtype="float64"), where=ti > 0)
    Pk = c.sum(axis=-2, keepdims=True) / T[..., None, None]
    return T, ti, pik, Pk


def _k_multi_gini(c: np.ndarray) -> np.ndarray:
    T, ti, pik, Pk = _parts(c)
    Is = (Pk * (1.0 - Pk)).sum(axis=(-2, -1))
    # per group: sum_{i,j} t_i t_j |p_ik - p_jk| = 2 sum_{i<j} (sorted), in O(n log n)
    p = np.swapaxes(pik, -1, -2)  # (..., K, n)
    t = np.broadcast_to(np.swapaxes(ti, -1, -2), p.shape)
    order = np.argsort(p, axis=-1, kind="stable")
    ps = np.take_along_axis(p, order, axis=-1)
    ts = np.take_along_axis(t, order, axis=-1)
    cum_t = np.cumsum(ts, axis=-1) - ts
    cum_tp = np.cumsum(ts * ps, axis=-1) - ts * ps
    half = (ts * (ps * cum_t - cum_tp)).sum(axis=(-2, -1))
    return half / (T * T * Is)


def _k_multi_norm_exposure(c: np.ndarray) -> np.ndarray:
    T, ti, pik, Pk = _parts(c)
    return (ti * (pik - Pk) ** 2 / (1.0 - Pk)).sum(axis=(-2, -1)) / T


def _k_multi_squared_cv(c: np.ndarray) -> np.ndarray:
    T, ti, pik, Pk = _parts(c)
    K = c.shape[-1]
    return (ti * (pik - Pk) ** 2 / Pk).sum(axis=(-2, -1)) / (T * (K - 1))


def _k_simpsons_concentration(c: np.ndarray) -> np.ndarray:
    Pk = c.sum(axis=-2) / c.sum(axis=(-2, -1))[..., None]
    return (Pk * Pk).sum(axis=-1)


def _k_simpsons_interaction(c: np.ndarray) -> np.ndarray:
    Pk = c.sum(axis=-2) / c.sum(axis=(-2, -1))[..., None]
    return (Pk * (1.0 - Pk)).sum(axis=-1)


def _result(name: str, kernel: object, counts: CountsLike) -> IndexResult:
    arr = as_counts(counts)
    value = float(kernel(arr))  # type: ignore[operator]
    return IndexResult(name, value, arr.shape[0], float(arr.sum()))


def multigroup_gini(counts: CountsLike) -> IndexResult:
    """Multigroup Gini index ``sum_k sum_ij t_i t_j |p_ik - p_jk| / (2 T^2 I)``, I Simpson's
    interaction (Reardon & Firebaugh 2002, eq. 9); PySAL ``MultiGini``."""
    return _result("multigroup_gini", _k_multi_gini, counts)


def multigroup_normalized_exposure(counts: CountsLike) -> IndexResult:
    """Normalised exposure ``sum_k sum_i t_i (p_ik - P_k)^2 / (T (1 - P_k))`` (Reardon &
    Firebaugh 2002, eq. 12; James 1986); PySAL ``MultiNormExposure``."""
    return _result("multigroup_normalized_exposure", _k_multi_norm_exposure, counts)


def multigroup_squared_cv(counts: CountsLike) -> IndexResult:
    """Squared coefficient of variation ``sum_k sum_i t_i (p_ik - P_k)^2 / ((K - 1) T P_k)``
    (Reardon & Firebaugh 2002, eq. 11); PySAL ``MultiSquaredCoefVar``."""
    return _result("multigroup_squared_cv", _k_multi_squared_cv, counts)


def simpsons_concentration(counts: CountsLike) -> IndexResult:
    """Simpson's concentration ``sum_k P_k^2``: the probability that two persons drawn at
    random belong to the same group (Simpson 1949); PySAL ``SimpsonsConcentration``."""
    return _result("simpsons_concentration", _k_simpsons_concentration, counts)


def simpsons_interaction(counts: CountsLike) -> IndexResult:
    """Simpson's interaction ``sum_k P_k (1 - P_k)``: the probability that two persons drawn at
    random belong to different groups (Reardon & Firebaugh 2002, eq. 1); PySAL
    ``SimpsonsInteraction``."""
    return _result("simpsons_interaction", _k_simpsons_interaction, counts)
