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

Storage (memory proportional to the populated cells, not the bounding box). The row prefix
sums ``RP[y, p]`` (persons of row ``y`` in the columns ``< p``) are kept only for the *blocks*
of ``_B = 64`` columns of a row that hold a populated cell: segment ``s`` stores the ``_B + 1``
values ``RP[y, 64 b + j]``, ``j = 0 ... 64``, in total and per group. A small index
``blk[y, b]`` (4 bytes per 64 cells of the box: 7 MB for Sweden at 100 m) holds ``s > 0`` for a
stored block, or ``-s`` for an empty one, where ``s`` is the last stored block to its left in
the row (``0``: none; segment 0 is all zeros); an empty block's prefix sums are all that
segment's last value. A lookup is one index read and one segment read; empty blocks are skipped
64 cells at a time when an annulus is bucketed. Before this, dense ``H x (W + 1)`` prefix sums
covered the whole box (2.0 GiB for 100 k persons spread over Sweden).

An origin's walk never goes beyond the farthest corner of the grid's box (``dmax``): at that
distance every person is in reach, so a k above the grid's population is known unreached
without walking, and its counts are the grid's totals.

numba is optional: without it :mod:`.knn` uses its pure-numpy ring walk.
"""

from __future__ import annotations

import math
import os

import numba as nb
import numpy as np

__all__ = ["run_prefix", "block_prefix_sums"]

_SH = 6
_B = 1 << _SH
"""Columns per stored block of the row prefix sums."""
_M = _B - 1

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


@nb.njit(cache=True, inline="always")
def _rp(blk, st, y, p):  # pragma: no cover - compiled
    """``RP[y, p]``: persons of row ``y`` in the columns ``< p`` (``0 <= p <= W``)."""
    v = np.int64(blk[y, p >> _SH])
    if v > 0:
        return st[v, p & _M]
    return st[-v, _B]


@nb.njit(cache=True, inline="always")
def _loc(blk, y, p):  # pragma: no cover - compiled
    """Segment and entry holding ``RP[y, p]``."""
    v = np.int64(blk[y, p >> _SH])
    if v > 0:
        return v, p & _M
    return -v, _B


@nb.njit(cache=True)
def _count_total(blk, st, H, W, ox, oy, D):  # pragma: no cover - compiled
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
            s += _rp(blk, st, oy, b) - _rp(blk, st, oy, a)
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
            s += _rp(blk, st, y, b) - _rp(blk, st, y, a)
        y = oy + dy
        if y < H:
            s += _rp(blk, st, y, b) - _rp(blk, st, y, a)
    return s


@nb.njit(cache=True, inline="always")
def _add_row(blk, sg, y, a, b, out):  # pragma: no cover - compiled
    sa, ja = _loc(blk, y, a)
    sb, jb = _loc(blk, y, b)
    for g in range(out.shape[0]):
        out[g] += sg[sb, jb, g] - sg[sa, ja, g]


@nb.njit(cache=True)
def _count_groups(blk, sg, H, W, ox, oy, D, out):  # pragma: no cover - compiled
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
            _add_row(blk, sg, y, a, b, out)
        y = oy + dy
        if dy > 0 and 0 <= y < H:
            _add_row(blk, sg, y, a, b, out)


@nb.njit(cache=True, inline="always")
def _bucket_run(blk, st, sg, y, x0, x1, ox, base, buck):  # pragma: no cover - compiled
    """Add the populated cells ``x0 <= x <= x1`` of row ``y`` to ``buck[(x - ox)^2 + base]``;
    empty blocks of 64 columns are skipped whole."""
    G = buck.shape[1]
    for bb in range(x0 >> _SH, (x1 >> _SH) + 1):
        v = blk[y, bb]
        if v <= 0:
            continue
        lo = max(x0, bb << _SH)
        hi = min(x1, (bb << _SH) + _M)
        for x in range(lo, hi + 1):
            j = x & _M
            if st[v, j + 1] != st[v, j]:
                dx = x - ox
                d = dx * dx + base
                for g in range(G):
                    buck[d, g] += sg[v, j + 1, g] - sg[v, j, g]


@nb.njit(cache=True, inline="always")
def _bucket_row(blk, st, sg, W, ox, y, xi, xo, base, buck):  # pragma: no cover - compiled
    """Add the cells ``xi < |dx| <= xo`` of row ``y`` to ``buck[dx^2 + base]``."""
    x0 = max(ox + xi + 1, 0)
    x1 = min(ox + xo, W - 1)
    if x1 >= x0:
        _bucket_run(blk, st, sg, y, x0, x1, ox, base, buck)
    x0 = max(ox - xo, 0)
    x1 = min(ox - max(xi + 1, 1), W - 1)
    if x1 >= x0:
        _bucket_run(blk, st, sg, y, x0, x1, ox, base, buck)


@nb.njit(cache=True)
def _bucket_annulus(blk, st, sg, H, W, ox, oy, d_lo, d_hi, buck):  # pragma: no cover
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
            _bucket_row(blk, st, sg, W, ox, y, xi, xo, base, buck)
        y = oy + dy
        if dy > 0 and y < H:
            _bucket_row(blk, st, sg, W, ox, y, xi, xo, base, buck)


@nb.njit(cache=True)
def _origin(
    blk, st, sg, H, W, ox, oy, kv, d_limit, proportional, buck, c_lo, before,
    counts, total, d2, reached, i, hint, hint_gap, grand,
):  # pragma: no cover - compiled  # fmt: skip
    K = kv.shape[0]
    G = c_lo.shape[0]
    # beyond the farthest corner of the box every person is in reach: walk no further
    ex = max(ox, W - 1 - ox)
    ey = max(oy, H - 1 - oy)
    d_all = ex * ex + ey * ey
    everything = d_limit >= d_all  # the walk's limit takes in the whole grid
    if everything:
        d_limit = d_all
    n_all = 0
    for g in range(G):
        n_all += grand[g]
    d_lo = -1
    n_lo = 0
    d_hi = 0
    n_hi = 0
    for g in range(G):
        c_lo[g] = 0
    j = 0
    while j < K:
        k = kv[j]
        if everything and k > n_all:  # more than the grid's population: never reached
            break
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
                if hi > d_limit and everything:
                    hi = d_limit  # N(d_all) is everything: still >= k
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
            n_g = _count_total(blk, st, H, W, ox, oy, dg)
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
            n_m = _count_total(blk, st, H, W, ox, oy, dm)
            if n_m >= k:
                d_hi = dm
                n_hi = n_m
            else:
                d_lo = dm
                n_lo = n_m
        # --- walk the annulus ring by ring ------------------------------------------------
        _count_groups(blk, sg, H, W, ox, oy, d_lo, c_lo)
        n_lo = 0
        for g in range(G):
            n_lo += c_lo[g]
        _bucket_annulus(blk, st, sg, H, W, ox, oy, d_lo, d_hi, buck)
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
        if everything:  # the whole grid
            for g in range(G):
                c_lo[g] = grand[g]
        else:
            _count_groups(blk, sg, H, W, ox, oy, d_limit, c_lo)
        s = 0
        for g in range(G):
            s += c_lo[g]
        while j < K:
            for g in range(G):
                counts[i, j, g] = c_lo[g]
            total[i, j] = s
            j += 1


@nb.njit(cache=True, parallel=True)
def _run(
    blk, st, sg, W, grand, ox, oy, slot, kv, d_limit, proportional, n_threads, block
):  # pragma: no cover - compiled
    n = ox.shape[0]
    K = kv.shape[0]
    G = sg.shape[2]
    H = blk.shape[0]
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
                    blk, st, sg, H, W, ox[i], oy[i], kv, d_limit, proportional, buck, c_lo,
                    before, counts, total, d2, reached, s, hint, gap, grand,
                )  # fmt: skip
                for j in range(K):
                    hint[j] = d2[s, j] if reached[s, j] else -1
    return counts, total, d2, reached


def block_prefix_sums(
    ux: np.ndarray, uy: np.ndarray, local: np.ndarray, W: int, H: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Row prefix sums of the populated 64-column blocks (see the module docstring).

    ``ux``, ``uy``: distinct cells (0-based in a ``W x H`` box), ``local``: ``(n, G)`` persons.
    Returns ``blk`` ``(H, W // 64 + 1)`` int32, ``st`` ``(n_seg + 1, 65)`` totals and ``sg``
    ``(n_seg + 1, 65, G)`` per group (int32 unless 2**31 persons could be in a row).
    """
    G = local.shape[1]
    dt = np.int32 if int(local.sum()) < 2**31 - 1 else np.int64
    nbx = W // _B + 1  # prefix positions 0 ... W
    ux = np.asarray(ux, dtype=np.int64)
    uy = np.asarray(uy, dtype=np.int64)
    key = uy * nbx + (ux >> _SH)
    ukey, seg = np.unique(key, return_inverse=True)
    seg = seg.ravel() + 1  # segment 0: all zeros (no populated block to the left)
    n_seg = len(ukey)
    sg = np.zeros((n_seg + 1, _B + 1, G), dtype=dt)
    sg[seg, (ux & _M) + 1, :] = local  # cells are distinct
    np.cumsum(sg, axis=1, out=sg)  # within the block, from 0 at its left edge
    # add the row's persons left of each block: exclusive running sum of block totals per row
    ends = sg[1:, _B, :].astype(np.int64)
    run = np.cumsum(ends, axis=0)
    row = ukey // nbx
    first = np.r_[True, row[1:] != row[:-1]]
    start_idx = np.maximum.accumulate(np.where(first, np.arange(n_seg), 0))
    left = run - ends  # everything before this block (all rows)
    left -= left[start_idx]  # ... minus what lies in earlier rows
    sg[1:] += left[:, None, :].astype(dt)
    st = sg.sum(axis=2, dtype=dt)
    flat = np.zeros(H * nbx, dtype=np.int32)
    flat[ukey] = np.arange(1, n_seg + 1, dtype=np.int32)
    blk = flat.reshape(H, nbx)
    # empty blocks: minus the last stored block to their left in the row (segment ids grow
    # along a row, so a running maximum finds it; 0 where there is none)
    last = np.maximum.accumulate(blk, axis=1)
    np.negative(last, out=last, where=blk == 0)
    blk = np.where(blk > 0, blk, last)
    return blk, st, sg


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
    blk, st, sg = block_prefix_sums(ux, uy, local, W, H)
    grand = local.sum(axis=0).astype(np.int64)
    n_threads = max(1, nb.get_num_threads())
    if origins is not None:
        ux, uy = ux[origins], uy[origins]
    # visit origins strip by strip (columns of _STRIP cells, row-major inside): consecutive
    # origins then touch the same prefix-sum rows and columns, which stay in cache
    order = np.lexsort((ux, uy, ux // _STRIP))
    return _run(
        blk,
        st,
        sg,
        int(W),
        grand,
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
