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

__all__ = ["distance_sums", "prox_matvec", "prox_colsum", "hops_before"]


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


@nb.njit(parallel=True, cache=True)
def hops_before(
    indptr: np.ndarray, indices: np.ndarray, rank: np.ndarray, rows: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """For each area ``i`` of ``rows``: the sum of contiguity steps (breadth-first search on the
    CSR graph) from ``i`` to the areas ranked before it (``0 <= rank_j < rank_i``); ``inf`` if
    one of them is unreachable (PySAL's Floyd-Warshall gives ``inf`` there)."""
    n = indptr.size - 1
    out = np.zeros(rows.size)
    for q in nb.prange(rows.size):
        i = rows[q]
        ri = rank[i]
        dist = np.full(n, -1, dtype=np.int64)
        queue = np.empty(n, dtype=np.int64)
        dist[i] = 0
        queue[0] = i
        head, tail = 0, 1
        need = 0
        for j in range(n):
            if rank[j] >= 0 and rank[j] < ri:
                need += 1
        acc = 0.0
        found = 0
        while head < tail and found < need:
            u = queue[head]
            head += 1
            if rank[u] >= 0 and rank[u] < ri:
                acc += dist[u]
                found += 1
            for e in range(indptr[u], indptr[u + 1]):
                v = indices[e]
                if dist[v] < 0:
                    dist[v] = dist[u] + 1
                    queue[tail] = v
                    tail += 1
        out[q] = acc if found == need else np.inf
    return out
