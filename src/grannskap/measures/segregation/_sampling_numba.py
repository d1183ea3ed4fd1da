"""Compiled two-group random allocation (optional, needs numba): honest parallelism.

The numpy samplers of :mod:`._sampling` stream arrays of ``areas x replicates`` through
memory; two threads gave no speed-up there (0.6-1.0x, issue 17: memory-bound passes and
GIL-held steps such as ``np.add.at`` and the Python-level top-up loop). Here every
replicate is one compiled task, run in parallel over replicates (``prange``) with its work
(one count per area, 50,000 areas = 400 kB) in cache:

1. ``x_i ~ Binomial(t_i, q)`` for every area by the *same* guide-table inversion as
   :class:`._sampling.BinomialTable` (its tables are reused); the rare draws outside the
   tabulated window (``mean +- 4.5 sd``) are inverted exactly by walking the pmf
   recurrence outward from the window's edge (the numpy path asks scipy);
2. for the fixed-margin null, the table is topped up / thinned to exactly ``X`` focal
   persons one uniformly random person at a time: a person is drawn uniformly from all
   ``T`` and kept if not yet selected (top-up) / selected (thinning), then the area count
   moves by one. Persons within an area are exchangeable, so this is the uniformly random
   top-up of :func:`._sampling._adjust_to_total` and the result is an exact multivariate
   hypergeometric table (see the :mod:`._sampling` docstring);
3. D of the replicate (or the table is returned for the other two-group indices).

Random numbers: each replicate has its own xoshiro256** stream seeded (splitmix64) from one
64-bit seed drawn in replicate order from the caller's numpy generator, so the result is the
same for any number of threads. The streams differ from the numpy path's, so with and
without numba the simulated values differ (both exact).
"""

from __future__ import annotations

import numba as nb
import numpy as np

__all__ = ["two_group_null"]


@nb.njit(cache=True, inline="always")
def _rotl(x: np.uint64, k: int) -> np.uint64:
    return (x << np.uint64(k)) | (x >> np.uint64(64 - k))


@nb.njit(cache=True, inline="always")
def _splitmix(z: np.uint64) -> np.uint64:
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@nb.njit(cache=True, inline="always")
def _next(s: np.ndarray) -> np.uint64:
    result = _rotl(s[1] * np.uint64(5), 7) * np.uint64(9)
    t = s[1] << np.uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@nb.njit(cache=True, inline="always")
def _uniform(s: np.ndarray) -> float:
    return float(_next(s) >> np.uint64(11)) * (1.0 / 9007199254740992.0)


@nb.njit(cache=True, inline="always")
def _seed(s: np.ndarray, seed: np.uint64) -> None:
    z = seed
    for k in range(4):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        s[k] = _splitmix(z)


@nb.njit(cache=True)
def _tail(
    u: float,
    row: int,
    tt: np.ndarray,
    q: float,
    lo: np.ndarray,
    hi: np.ndarray,
    F_lo: np.ndarray,
    F_hi: np.ndarray,
    pmf_lo: np.ndarray,
    pmf_hi: np.ndarray,
) -> int:
    """Exact inverse CDF ``min{k : F(k) >= u}`` outside the tabulated window, by walking the
    binomial pmf recurrence ``p(k + 1) = p(k) (t - k) / (k + 1) q / (1 - q)`` from its edge."""
    t = tt[row]
    odds = q / (1.0 - q)
    if u <= F_lo[row]:
        if lo[row] == 0:  # u == 0
            return 0
        k = lo[row] - 1  # F(k) = F_lo >= u
        Fk = F_lo[row]
        pk = pmf_lo[row] / ((t - k) / (k + 1.0) * odds)  # p(lo - 1)
        while k > 0:
            below = Fk - pk  # F(k - 1)
            if below < u:
                break
            Fk = below
            pk = pk / ((t - (k - 1)) / k * odds)  # p(k - 1)
            k -= 1
        return k
    k = hi[row]  # F(hi) = F_hi < u
    Fk = F_hi[row]
    pk = pmf_hi[row]
    while k < t and Fk < u:
        pk = pk * ((t - k) / (k + 1.0) * odds)
        k += 1
        Fk += pk
    return k


@nb.njit(cache=True, parallel=True)
def _null_kernel(
    seeds: np.ndarray,
    t: np.ndarray,
    cum: np.ndarray,
    order: np.ndarray,
    rows: np.ndarray,
    guide: np.ndarray,
    F: np.ndarray,
    offset: np.ndarray,
    mid: np.ndarray,
    half: np.ndarray,
    G: int,
    tt: np.ndarray,
    q: float,
    lo: np.ndarray,
    hi: np.ndarray,
    F_lo: np.ndarray,
    F_hi: np.ndarray,
    pmf_lo: np.ndarray,
    pmf_hi: np.ndarray,
    X: int,
    fixed: bool,
    tables: np.ndarray,
    buf: np.ndarray,
    out: np.ndarray,
) -> None:
    """One replicate per task: binomial draws, top-up / thinning to X, D (see module doc).

    The counts go to ``tables[j]`` when it has rows, else to this thread's ``buf`` row."""
    n = t.shape[0]
    T = cum[n]
    P = X / T
    denom = 2.0 * T * P * (1.0 - P)
    keep = tables.shape[0] > 0
    for j in nb.prange(seeds.shape[0]):
        xj = tables[j] if keep else buf[nb.get_thread_id()]
        s = np.empty(4, dtype=np.uint64)
        _seed(s, seeds[j])
        S = 0
        for ii in range(n):
            i = order[ii]  # areas grouped by law, so each law's table stays in cache
            u = _uniform(s)
            row = rows[ii]
            if abs(u - mid[row]) >= half[row]:
                v = _tail(u, row, tt, q, lo, hi, F_lo, F_hi, pmf_lo, pmf_hi)
            else:
                pos = guide[row * G + int(u * G)]
                while F[pos] < u:
                    pos += 1
                v = pos - offset[row]
            xj[i] = v
            S += v
        while fixed and S != X:
            person = min(int(_uniform(s) * T), T - 1)
            a, b = 0, n  # the area of the person: the last a with cum[a] <= person
            while b - a > 1:
                m = (a + b) >> 1
                if cum[m] <= person:
                    a = m
                else:
                    b = m
            k = person - cum[a]
            if S < X:
                if k >= xj[a]:  # not selected yet: select
                    xj[a] += 1
                    S += 1
            elif k < xj[a]:  # selected: deselect
                xj[a] -= 1
                S -= 1
        if fixed:
            acc = 0.0
            for i in range(n):
                acc += abs(xj[i] - P * t[i])
            out[j] = acc / denom


def _arrays(table: object) -> tuple[np.ndarray, ...]:
    """The table's arrays in the kernel's dtypes, cached on the table."""
    cached = getattr(table, "_numba_arrays", None)
    if cached is None:
        tb = table
        order = np.argsort(tb.inv, kind="stable").astype(np.int32)  # type: ignore[attr-defined]
        cached = (
            tb.inv.astype(np.int64),  # type: ignore[attr-defined]
            # positions in F: int32 halves the guide's cache footprint when they fit
            np.asarray(tb.guide, dtype=np.int32 if tb.F.size < 2**31 else np.int64),  # type: ignore[attr-defined]
            np.asarray(tb.F, dtype=np.float64),  # type: ignore[attr-defined]
            (tb.row_start - tb.lo).astype(np.int64),  # type: ignore[attr-defined]
            np.asarray(tb._mid, dtype=np.float64),  # type: ignore[attr-defined]
            np.asarray(tb._half, dtype=np.float64),  # type: ignore[attr-defined]
            np.asarray(tb.t, dtype=np.int64),  # type: ignore[attr-defined]
            np.asarray(tb.lo, dtype=np.int64),  # type: ignore[attr-defined]
            np.asarray(tb.hi, dtype=np.int64),  # type: ignore[attr-defined]
            np.asarray(tb.F_lo, dtype=np.float64),  # type: ignore[attr-defined]
            np.asarray(tb.F_hi, dtype=np.float64),  # type: ignore[attr-defined]
            np.asarray(tb.pmf_lo, dtype=np.float64),  # type: ignore[attr-defined]
            np.asarray(tb.pmf_hi, dtype=np.float64),  # type: ignore[attr-defined]
            order,
            tb.inv[order].astype(np.int32),  # type: ignore[attr-defined]
        )
        table._numba_arrays = cached  # type: ignore[attr-defined]
    return cached


def two_group_null(
    rng: np.random.Generator,
    table: object,
    t: np.ndarray,
    X: int,
    r: int,
    *,
    fixed: bool,
    want_d: bool,
) -> np.ndarray:
    """``r`` replicates under the two-group null: D values (``want_d``) or tables (r, n).

    ``table`` is the :class:`._sampling.BinomialTable` of ``(t, X / T)``; ``fixed`` selects
    the fixed-margin permutation null (else "evenness", independent binomials; D is then
    not computed here, ``want_d`` must be False).
    """
    if want_d and not fixed:
        raise ValueError("D is computed in the kernel only for the fixed-margin null")
    t = np.asarray(t, dtype=np.int64)
    n = t.shape[0]
    seeds = rng.integers(0, 2**63, size=r, dtype=np.int64).astype(np.uint64)
    _, guide, F, offset, mid, half, tt, lo, hi, F_lo, F_hi, pmf_lo, pmf_hi, order, rows = _arrays(
        table
    )
    cum = np.concatenate([[0], np.cumsum(t)]).astype(np.int64)
    tables = np.empty((0 if want_d else r, n), dtype=np.int64)
    buf = np.empty((nb.get_num_threads() if want_d else 0, n), dtype=np.int64)
    out = np.empty(r)
    q = float(table.q)  # type: ignore[attr-defined]
    _null_kernel(
        seeds, t, cum, order, rows, guide, F, offset, mid, half, int(table.G),  # type: ignore[attr-defined]
        tt, q, lo, hi, F_lo, F_hi, pmf_lo, pmf_hi, int(X), fixed, tables, buf, out,
    )  # fmt: skip
    return out if want_d else tables
