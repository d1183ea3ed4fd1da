"""Compiled all-pairs proximity products (optional, needs numba; the ``[fast]`` extra).

The proximity matrix of :mod:`.clustering` (``c_ij = 1 - exp(-d_ij / s_j)``, diagonal from
the areas) is dense by definition, so its products cost O(n^2). numpy forms it block by block
with about ten temporary arrays per block; these loops compute each ``c_ij`` once, in
registers, and multiply it straight into the result (threads share the rows). Same formulas as
the numpy path, element for element.
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

__all__ = ["distance_sums", "prox_matvec", "prox_colsum"]


@nb.njit(parallel=True, cache=True)
def distance_sums(xy: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    n = xy.shape[0]
    s = np.zeros(n)
    for i in nb.prange(n):
        acc = 0.0
        xi, yi = xy[i, 0], xy[i, 1]
        for j in range(n):
            dx = xi - xy[j, 0]
            dy = yi - xy[j, 1]
            acc += math.sqrt(dx * dx + dy * dy)
        s[i] = acc
    return s


@nb.njit(parallel=True, cache=True)
def prox_matvec(
    xy: np.ndarray, s: np.ndarray, diag: np.ndarray, V: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """``(c @ V, row sums of c)``."""
    n, k = V.shape
    out = np.zeros((n, k))
    rowsum = np.zeros(n)
    for i in nb.prange(n):
        xi, yi = xy[i, 0], xy[i, 1]
        acc = np.zeros(k)
        rs = 0.0
        for j in range(n):
            if j == i:
                c = diag[i]
            else:
                dx = xi - xy[j, 0]
                dy = yi - xy[j, 1]
                c = -math.expm1(-math.sqrt(dx * dx + dy * dy) / s[j])
            rs += c
            for q in range(k):
                acc[q] += c * V[j, q]
        for q in range(k):
            out[i, q] = acc[q]
        rowsum[i] = rs
    return out, rowsum


@nb.njit(parallel=True, cache=True)
def prox_colsum(xy: np.ndarray, s: np.ndarray, diag: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Column sums of c (c is not symmetric: column j is scaled by s_j)."""
    n = xy.shape[0]
    out = np.zeros(n)
    for j in nb.prange(n):
        xj, yj, sj = xy[j, 0], xy[j, 1], s[j]
        acc = 0.0
        for i in range(n):
            if i == j:
                acc += diag[j]
            else:
                dx = xy[i, 0] - xj
                dy = xy[i, 1] - yj
                acc += -math.expm1(-math.sqrt(dx * dx + dy * dy) / sj)
        out[j] = acc
    return out
