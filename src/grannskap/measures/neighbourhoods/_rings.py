"""Grid offsets in rings of equal distance (the fixed geometry of every neighbourhood walk).

On a regular grid every origin cell sees the same geometry: the neighbour at offset
``(dx, dy)`` cells lies at squared distance ``dx**2 + dy**2`` (in cell units), so the order in
which cells enter a neighbourhood, and which of them are equidistant, is the same everywhere.
This module lists those offsets once, sorted by squared distance, in annuli of bounded size so
that a very long walk (sparse countryside) never holds the whole disk in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

__all__ = ["OffsetBatch", "isqrt", "iter_offset_batches"]


def isqrt(v: np.ndarray) -> np.ndarray:
    """Exact integer square root (floor) of non-negative int64 values."""
    v = np.asarray(v, dtype=np.int64)
    s = np.floor(np.sqrt(v.astype(float))).astype(np.int64)
    # float sqrt can be one off for large values; correct in both directions
    s = np.where(s * s > v, s - 1, s)
    s = np.where((s + 1) * (s + 1) <= v, s + 1, s)
    return s


@dataclass(frozen=True)
class OffsetBatch:
    """Offsets with squared distance in ``(d2_low, d2_high]``, sorted by squared distance.

    ``ring_start[r]`` is the position of the first offset of ring ``r`` (all offsets of one
    squared distance ``ring_d2[r]``); rings are never split between batches.
    """

    dx: np.ndarray
    dy: np.ndarray
    ring_start: np.ndarray
    ring_d2: np.ndarray
    d2_high: int


def _annulus(d2_low: int, d2_high: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All integer offsets with ``d2_low < dx**2 + dy**2 <= d2_high``, sorted by distance."""
    r_hi = int(isqrt(np.array(d2_high))[()])
    dy = np.arange(-r_hi, r_hi + 1, dtype=np.int64)
    rest_hi = d2_high - dy * dy
    x_out = isqrt(rest_hi)  # |dx| <= x_out
    rest_lo = d2_low - dy * dy
    x_in = np.where(rest_lo >= 0, isqrt(np.maximum(rest_lo, 0)), -1)  # |dx| > x_in
    if d2_low < 0:
        x_in = np.full_like(dy, -1)
    # right side: dx in (x_in, x_out], dx >= 0 ; left side: dx in [-x_out, -x_in), dx < 0
    start_r = np.maximum(x_in + 1, 0)
    n_r = np.maximum(x_out - start_r + 1, 0)
    start_l = np.maximum(x_in + 1, 1)  # magnitudes for the negative side
    n_l = np.maximum(x_out - start_l + 1, 0)
    total = int(n_r.sum() + n_l.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    row_r = np.repeat(np.arange(len(dy)), n_r)
    pos_r = np.arange(len(row_r)) - np.repeat(np.cumsum(n_r) - n_r, n_r)
    dx_r = start_r[row_r] + pos_r
    row_l = np.repeat(np.arange(len(dy)), n_l)
    pos_l = np.arange(len(row_l)) - np.repeat(np.cumsum(n_l) - n_l, n_l)
    dx_l = -(start_l[row_l] + pos_l)
    dxs = np.concatenate([dx_r, dx_l])
    dys = np.concatenate([dy[row_r], dy[row_l]])
    d2 = dxs * dxs + dys * dys
    order = np.argsort(d2, kind="stable")
    return dxs[order], dys[order], d2[order]


def iter_offset_batches(
    d2_limit: int, *, first_d2: int = 1024, max_batch: int = 2_000_000
) -> Iterator[OffsetBatch]:
    """Yield the offsets out to squared distance ``d2_limit`` (cells**2), nearest first.

    The first batch holds the disk of squared radius ``first_d2`` (including the origin
    offset ``(0, 0)``); later batches are annuli holding about ``max_batch`` offsets each.
    """
    low = -1
    high = min(first_d2, d2_limit)
    while low < d2_limit:
        dx, dy, d2 = _annulus(low, high)
        if len(d2):
            starts = np.flatnonzero(np.r_[True, d2[1:] != d2[:-1]])
            yield OffsetBatch(
                dx=dx,
                dy=dy,
                ring_start=starts,
                ring_d2=d2[starts],
                d2_high=high,
            )
        low = high
        # an annulus of squared width w holds about pi * w offsets
        step = max(int(max_batch / np.pi), 1)
        high = min(low + step, d2_limit)
