"""Compiled exact engine (optional, needs numba): disk counts from row prefix sums.

Same answer as the ring walk of :mod:`.knn`, found differently, so that work per origin grows
with the neighbourhood's *radius* rather than its *area* (sparse countryside needs radii of
hundreds of cells at k = 25,600).

For an origin ``(ox, oy)`` the persons within squared distance ``D`` (cells**2) are a sum over
the rows ``dy`` of the disk of one row-prefix difference each::

    N(D) = sum_dy  RP[oy+dy, ox+w+1] - RP[oy+dy, ox-w],   w = isqrt(D - dy**2)

(2 r + 1 lookups; rows ``oy +- dy`` share ``w``, and ``w`` is stepped down from the previous
row's instead of taken as a square root, so a count is ``r`` row visits and no ``sqrt``). For
each k the smallest ring distance ``D*`` with ``N(D*) >= k`` is bracketed, narrowed by
interpolation/bisection on ``N(D)`` until the bracket ``(D_lo, D_hi]`` is about ``r / 4`` wide
(measured: narrower brackets beat wider annuli), and the few cells in that annulus are bucketed
by their exact squared distance (a counting sort) and walked ring by ring from ``N(D_lo)``: that
gives the crossing ring and the persons before it and in it, per group, exactly as the ring
walk does.

The bracket usually costs nothing: origins are visited in strips of 64 columns, row-major
inside a strip (which keeps the prefix-sum rows a disk touches in cache), and the previous
origin ``p`` (``g`` cells away) crossed k at ``D*_p``; since a disk of radius ``r`` around the
origin lies inside the disk of radius ``r + g`` around ``p``,
``N((sqrt(D*_p - 1) - g)^2) < k <= N((sqrt(D*_p) + g)^2)``. Threads take interleaved blocks of
origins, so towns and countryside are shared evenly.

numba is optional: without it :mod:`.knn` uses its pure-numpy ring walk.
"""

from __future__ import annotations

import math
import os

import numba as nb
import numpy as np

__all__ = ["run_prefix"]

_STRIP = 64
"""Width (cells) of the strips origins are visited in (measured on the 10 M-person grid: 64
took 57 s of CPU, row-major order 88 s, strips of 8 / 32 / 128 / 256: 72 / 59 / 59 / 67 s)."""


@nb.njit(cache=True, inline="always")
def _isqrt(v: int) -> int:
    s = int(math.sqrt(v))
    while s * s > v:
        s -= 1
    while (s + 1) * (s + 1) <= v:
        s += 1
    return s


@nb.njit(cache=True)
def _count_total(RPt, H, W, ox, oy, D):  # pragma: no cover - compiled
    if D < 0:
        return 0
    # rows oy +- dy share the half-width w = isqrt(D - dy^2), which only shrinks as dy
    # grows: found by stepping down from the previous row's (r steps in all, no sqrt)
    w = _isqrt(D)
    s = 0
    if 0 <= oy < H:
        a = max(ox - w, 0)
        b = min(ox + w + 1, W)
        if b > a:
            s += RPt[oy, b] - RPt[oy, a]
    for dy in range(1, w + 1):
        rest = D - dy * dy
        while w * w > rest:
            w -= 1
        a = max(ox - w, 0)
        b = min(ox + w + 1, W)
        if b <= a:
            continue
        y = oy - dy
        if y >= 0:
            s += RPt[y, b] - RPt[y, a]
        y = oy + dy
        if y < H:
            s += RPt[y, b] - RPt[y, a]
    return s


@nb.njit(cache=True)
def _count_groups(RPg, H, W, ox, oy, D, out):  # pragma: no cover - compiled
    G = out.shape[0]
    for g in range(G):
        out[g] = 0
    if D < 0:
        return
    w = _isqrt(D)
    for dy in range(0, _isqrt(D) + 1):
        rest = D - dy * dy
        while w * w > rest:
            w -= 1
        a = max(ox - w, 0)
        b = min(ox + w + 1, W)
        if b <= a:
            continue
        y = oy - dy
        if 0 <= y < H:
            for g in range(G):
                out[g] += RPg[y, b, g] - RPg[y, a, g]
        y = oy + dy
        if dy > 0 and 0 <= y < H:
            for g in range(G):
                out[g] += RPg[y, b, g] - RPg[y, a, g]


@nb.njit(cache=True, inline="always")
def _bucket_row(RPt, RPg, W, ox, y, xi, xo, base, buck):  # pragma: no cover - compiled
    """Add the cells ``xi < |dx| <= xo`` of row ``y`` to ``buck[dx^2 + base]``."""
    G = buck.shape[1]
    for dx in range(xi + 1, xo + 1):
        x = ox + dx
        if x < W and RPt[y, x + 1] != RPt[y, x]:  # skip empty cells cheaply
            d = dx * dx + base
            for g in range(G):
                buck[d, g] += RPg[y, x + 1, g] - RPg[y, x, g]
    for dx in range(max(xi + 1, 1), xo + 1):
        x = ox - dx
        if x >= 0 and RPt[y, x + 1] != RPt[y, x]:
            d = dx * dx + base
            for g in range(G):
                buck[d, g] += RPg[y, x + 1, g] - RPg[y, x, g]


@nb.njit(cache=True)
def _bucket_annulus(RPt, RPg, H, W, ox, oy, d_lo, d_hi, buck):  # pragma: no cover
    """Persons per group of the cells with d_lo < dx^2+dy^2 <= d_hi, by squared distance."""
    n_b = d_hi - d_lo
    G = buck.shape[1]
    for b in range(n_b):
        for g in range(G):
            buck[b, g] = 0
    # outer and inner half-widths of rows oy +- dy only shrink as dy grows: step them down
    xo = _isqrt(d_hi)
    xi = _isqrt(d_lo) if d_lo >= 0 else -1
    for dy in range(0, _isqrt(d_hi) + 1):
        dy2 = dy * dy
        rest = d_hi - dy2
        while xo * xo > rest:
            xo -= 1
        rest = d_lo - dy2
        if rest < 0:
            xi = -1
        else:
            while xi * xi > rest:
                xi -= 1
        base = dy2 - d_lo - 1
        y = oy - dy
        if y >= 0:
            _bucket_row(RPt, RPg, W, ox, y, xi, xo, base, buck)
        y = oy + dy
        if dy > 0 and y < H:
            _bucket_row(RPt, RPg, W, ox, y, xi, xo, base, buck)


@nb.njit(cache=True)
def _origin(
    RPt, RPg, H, W, ox, oy, kv, d_limit, proportional, buck, c_lo, before,
    counts, total, d2, reached, i, hint, hint_gap,
):  # pragma: no cover - compiled  # fmt: skip
    K = kv.shape[0]
    G = c_lo.shape[0]
    d_lo = -1
    n_lo = 0
    d_hi = 0
    n_hi = 0
    for g in range(G):
        c_lo[g] = 0
    j = 0
    while j < K:
        k = kv[j]
        # --- bracket: find d_hi with N(d_hi) >= k --------------------------------------
        found = False
        known = True  # n_lo / n_hi hold counts (False: bracket from geometry alone)
        # The previous origin, hint_gap cells away, crossed k at squared distance hint[j].
        # Disks around the two origins nest: disk(o, r) lies inside disk(p, r + gap). So
        # N_o((sqrt(hint - 1) - gap)^2) < k <= N_o((sqrt(hint) + gap)^2): a bracket of
        # width about 4 r gap without counting anything.
        if hint_gap >= 0.0 and hint[j] > 0:
            rp = math.sqrt(hint[j])
            if hint_gap <= 0.25 * rp + 2.0:
                hi = int(math.ceil((rp + hint_gap) ** 2 + 1e-6))
                if hi <= d_limit:
                    r_in = math.sqrt(hint[j] - 1) - hint_gap
                    if r_in > 0.0:
                        lo = int(math.floor(r_in * r_in - 1e-6))
                        if lo > d_lo:
                            d_lo = lo
                    if hi > d_lo:
                        d_hi = hi
                        found = True
                        known = False
        while not found and d_lo < d_limit:
            if d_lo < 0:
                dg = 0
            elif n_lo == 0:
                dg = 4 * d_lo + 8
            else:
                dg = int((d_lo + 1) * (k / n_lo) * 1.1) + 1
                dg = max(dg, d_lo + 1 + d_lo // 8)
                dg = min(dg, 16 * d_lo + 16)
            if dg > d_limit:
                dg = d_limit
            n_g = _count_total(RPt, H, W, ox, oy, dg)
            if n_g >= k:
                d_hi = dg
                n_hi = n_g
                found = True
                break
            d_lo = dg
            n_lo = n_g
        if not found:
            break
        # --- narrow the bracket until the annulus is about one ring of cells ------------
        last_width = d_hi - d_lo
        while d_hi - d_lo > (_isqrt(d_hi) >> 2) + 8:  # about r / 4 (see the docstring)
            width = d_hi - d_lo
            if not known or 2 * width > last_width:  # ends not counted, or slow progress
                dm = d_lo + width // 2
            else:
                frac = (k - n_lo) / (n_hi - n_lo)
                dm = d_lo + int(frac * width)
            last_width = width
            if dm <= d_lo:
                dm = d_lo + 1
            if dm >= d_hi:
                dm = d_hi - 1
            n_m = _count_total(RPt, H, W, ox, oy, dm)
            if n_m >= k:
                d_hi = dm
                n_hi = n_m
            else:
                d_lo = dm
                n_lo = n_m
        # --- walk the annulus ring by ring ------------------------------------------------
        _count_groups(RPg, H, W, ox, oy, d_lo, c_lo)
        n_lo = 0
        for g in range(G):
            n_lo += c_lo[g]
        _bucket_annulus(RPt, RPg, H, W, ox, oy, d_lo, d_hi, buck)
        cum = n_lo
        for b in range(d_hi - d_lo):
            ring = 0
            for g in range(G):
                ring += buck[b, g]
            if ring == 0:
                continue
            for g in range(G):
                before[g] = c_lo[g]
                c_lo[g] += buck[b, g]
            cum_before = cum
            cum += ring
            while j < K and cum >= kv[j]:
                if proportional:
                    f = (kv[j] - cum_before) / ring
                    f = min(max(f, 0.0), 1.0)
                    for g in range(G):
                        counts[i, j, g] = before[g] + f * buck[b, g]
                    total[i, j] = cum_before + f * ring
                else:
                    for g in range(G):
                        counts[i, j, g] = c_lo[g]
                    total[i, j] = cum
                d2[i, j] = d_lo + 1 + b
                reached[i, j] = True
                j += 1
        d_lo = d_hi
        n_lo = cum
    if j < K:  # not reached within d_limit: everything in reach
        _count_groups(RPg, H, W, ox, oy, d_limit, c_lo)
        s = 0
        for g in range(G):
            s += c_lo[g]
        while j < K:
            for g in range(G):
                counts[i, j, g] = c_lo[g]
            total[i, j] = s
            j += 1


@nb.njit(cache=True, parallel=True)
def _run(RPt, RPg, ox, oy, slot, kv, d_limit, proportional, n_threads, block):  # pragma: no cover
    n = ox.shape[0]
    K = kv.shape[0]
    G = RPg.shape[2]
    H = RPt.shape[0]
    W = RPt.shape[1] - 1
    counts = np.zeros((n, K, G))
    total = np.zeros((n, K))
    d2 = np.zeros((n, K), dtype=np.int64)
    reached = np.zeros((n, K), dtype=np.bool_)
    n_blocks = (n + block - 1) // block
    t_max = _isqrt(d_limit) + 10
    for t in nb.prange(n_threads):
        buck = np.zeros((t_max, G), dtype=np.int64)
        c_lo = np.zeros(G, dtype=np.int64)
        before = np.zeros(G, dtype=np.int64)
        hint = np.full(K, -1, dtype=np.int64)
        # interleaved blocks: towns and countryside shared evenly between threads
        for b in range(t, n_blocks, n_threads):
            gap = -1.0
            for i in range(b * block, min(n, (b + 1) * block)):
                if i > b * block:
                    gap = math.sqrt((ox[i] - ox[i - 1]) ** 2 + (oy[i] - oy[i - 1]) ** 2)
                s = slot[i]  # the origin's row in the results (origins are visited in strips)
                _origin(
                    RPt, RPg, H, W, ox[i], oy[i], kv, d_limit, proportional, buck, c_lo,
                    before, counts, total, d2, reached, s, hint, gap,
                )  # fmt: skip
                for j in range(K):
                    hint[j] = d2[s, j] if reached[s, j] else -1
    return counts, total, d2, reached


def run_prefix(
    ux: np.ndarray,
    uy: np.ndarray,
    local: np.ndarray,
    W: int,
    H: int,
    kvals: np.ndarray,
    d2_limit: int,
    proportional: bool,
    origins: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Neighbourhoods of the unique cells ``(ux, uy)`` (0-based within a ``W x H`` box).

    ``origins``: positions in ``ux``/``uy`` of the cells whose neighbourhoods are wanted (all
    cells by default); every cell counts as a neighbour either way.
    """
    G = local.shape[1]
    # row prefix sums fit int32 (half the memory) unless a row could hold 2**31 persons
    dt = np.int32 if int(local.sum()) < 2**31 - 1 else np.int64
    dense = np.zeros((H, W + 1, G), dtype=dt)
    dense[uy, ux + 1, :] = local
    np.cumsum(dense, axis=1, out=dense)
    RPg = dense
    RPt = RPg.sum(axis=2, dtype=dt)
    n_threads = max(1, nb.get_num_threads())
    if origins is not None:
        ux, uy = ux[origins], uy[origins]
    # visit origins strip by strip (columns of _STRIP cells, row-major inside): consecutive
    # origins then touch the same prefix-sum rows and columns, which stay in cache
    order = np.lexsort((ux, uy, ux // _STRIP))
    return _run(
        RPt,
        RPg,
        ux[order].astype(np.int64),
        uy[order].astype(np.int64),
        order.astype(np.int64),  # results go to the origins' own rows
        kvals.astype(np.int64),
        int(d2_limit),
        bool(proportional),
        n_threads,
        256,
    )


def compiled_engine_cached() -> bool:
    """Whether numba's on-disk cache holds the compiled engine for this environment.

    The kernels are compiled with ``cache=True``: the first run in a new environment compiles
    them (about 1-2 minutes on two cores) and writes the cache beside this module (or under
    ``NUMBA_CACHE_DIR``); later runs load it in well under a second. The CLI uses this to say
    what it is doing before a first, slow run.
    """
    try:
        index_path = getattr(_run, "_cache")._cache_file._index_path  # noqa: B009 - numba internal
    except AttributeError:  # numba internals moved: assume compiled, say nothing
        return True
    return bool(os.path.exists(index_path))
