"""Vectorised random tables for bootstrap and random-allocation inference.

All samplers return integer tables for many replicates at once, shape ``(r, n)`` (focal
group counts) or ``(r, n, K)``, drawn with a numpy ``Generator``.

The fast two-group path (:class:`BinomialTable`) samples independent ``Binomial(t_i, q)``
counts by exact table inversion (Walker-free guide-table inversion, Chen & Asau 1974;
Devroye 1986, ch. III.2) because ``Generator.binomial`` costs ~80 ns a draw, too slow for
1,000 x 50,000 draws. Fixed-margin random allocation (a multivariate hypergeometric table,
PySAL's "person permutation") is then obtained exactly: if every person is selected
independently with probability q and the selection is topped up (or thinned) by a uniformly
random set of the not selected (selected) persons until it has exactly X persons, the final
selection is a uniformly random X-subset of the population, because every step is
exchangeable over persons.
"""

from __future__ import annotations

import threading

import numpy as np
from scipy import stats

__all__ = [
    "BinomialTable",
    "PoissonTable",
    "two_group_systematic",
    "two_group_permutation",
    "two_group_evenness",
    "multigroup_permutation",
    "multigroup_evenness",
    "systematic",
    "bootstrap_within_areas",
    "bootstrap_table",
]

_SD_WINDOW = 4.5


class _InverseTable:
    """Exact inverse-CDF sampler for n independent discrete variables with fixed laws.

    Each law is tabulated on a window ``lo..hi`` around its mean; draws whose uniform falls
    outside the window's CDF range are inverted exactly by ``_ppf`` (scipy).
    """

    lo: np.ndarray
    hi: np.ndarray
    n: int
    _lut: np.ndarray | None = None  # person -> area lookup, cached by two_group_permutation

    def _build(
        self,
        inv: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        closes: np.ndarray,
        pmf0: np.ndarray,
        F_lo: np.ndarray,
    ) -> None:
        """Tables for the distinct laws (rows); ``inv`` maps each area to its row.

        ``closes``: hi is the top of the support (the CDF reaches 1 there). Areas with the
        same law share one row, so the tables stay small and cache-resident.
        """
        self.inv = inv
        self.n_areas = int(inv.shape[0])
        n = lo.shape[0]
        width = hi - lo + 1
        W = int(width.max())
        self.lo, self.hi, self.W, self.n = lo, hi, W, n
        k = lo[:, None] + np.arange(W)[None, :]
        valid = k <= hi[:, None]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            ratio = np.where(valid[:, 1:], self._ratio(k[:, :-1]), 0.0)
        pmf = np.empty((n, W))
        pmf[:, 0] = pmf0
        pmf[:, 1:] = pmf0[:, None] * np.cumprod(ratio, axis=1)
        pmf = np.where(valid, pmf, 0.0)
        self.F_lo = F_lo
        # the probabilities at both window edges, for exact tail inversion by recurrence
        # in the compiled sampler (``_sampling_numba``)
        self.pmf_lo = pmf[:, 0].copy()
        self.pmf_hi = pmf[np.arange(n), width - 1].copy()
        F = F_lo[:, None] + np.cumsum(pmf, axis=1)
        rows = np.arange(n)
        last = F[rows, width - 1]
        self.F_hi = np.where(closes, 1.0, last)
        F[rows, width - 1] = np.where(closes, 1.0, last)
        F = np.where(valid, F, 2.0)  # never reached for u inside the window
        # a sentinel after the last row stops the forward search for u in the upper tail
        self.F = np.append(F.ravel(), 2.0)
        # guide table: guide[i, g] = #{w : F[i, w] < g / G}; the product is nudged up so
        # that rounding can only make the guide smaller (the search walks forward only)
        G = 4 * W  # finer than the support: the forward search is then ~0-1 steps
        start = np.minimum(np.floor(F * (G * (1.0 + 1e-12))).astype(np.int64) + 1, G)
        flat = (rows[:, None] * (G + 1) + start).ravel()
        guide = np.bincount(flat, minlength=n * (G + 1)).reshape(n, G + 1)
        guide = np.minimum(np.cumsum(guide, axis=1)[:, :G], width[:, None] - 1)
        self.guide = (guide + (rows * W)[:, None]).ravel()
        self.row_start = rows * W
        self.G = G
        # u outside (F_lo, F_hi] is inverted exactly by scipy; test it in one comparison
        self._mid = (self.F_lo + self.F_hi) / 2.0
        self._half = (self.F_hi - self.F_lo) / 2.0

    def _ratio(self, k: np.ndarray) -> np.ndarray:  # pmf(k + 1) / pmf(k)
        raise NotImplementedError

    def _ppf(self, u: np.ndarray, rows: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def _buffers(self, n: int, r: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-thread scratch arrays, reused across chunks (fresh pages are costly)."""
        local = self.__dict__.setdefault("_local", threading.local())
        bufs = getattr(local, "bufs", None)
        if bufs is None or bufs[0].shape != (n, r):
            bufs = (np.empty((n, r)), np.empty((n, r), dtype=np.int64))
            local.bufs = bufs
        return bufs

    def sample_t(self, rng: np.random.Generator, r: int) -> np.ndarray:
        """``r`` independent draws, areas along the first axis: shape (n, r), int64."""
        n, G, inv = self.n_areas, self.G, self.inv
        u, gi = self._buffers(n, r)
        rng.random(out=u)
        # guide bucket floor(u * G), written straight into the int buffer (truncation = floor)
        np.multiply(u, G, out=gi, casting="unsafe")
        gi += (inv * G)[:, None]
        pos = self.guide[gi].reshape(-1)
        u_f = u.reshape(-1)
        idx = np.flatnonzero(self.F[pos] < u_f)
        while idx.size:
            pos[idx] += 1
            idx = idx[self.F[pos[idx]] < u_f[idx]]
        x = pos.reshape(n, r)
        x -= (self.row_start - self.lo)[inv][:, None]
        tails = np.abs(u - self._mid[inv][:, None]) >= self._half[inv][:, None]
        if tails.any():
            jj, rr = np.nonzero(tails)
            x[jj, rr] = self._ppf(u[jj, rr], inv[jj]).astype(np.int64)
        return x

    def sample(self, rng: np.random.Generator, r: int) -> np.ndarray:
        """``r`` independent draws of the whole vector, shape (r, n), int64."""
        return np.ascontiguousarray(self.sample_t(rng, r).T)


class BinomialTable(_InverseTable):
    """Independent ``Binomial(t_i, q)``, tabulated on ``mean +- 4.5 sd`` (tails: exact ppf)."""

    def __init__(self, t: np.ndarray, q: float) -> None:
        keys, inv = np.unique(np.asarray(t, dtype=np.int64), return_inverse=True)
        t = keys
        self.t, self.q = t, float(q)
        mu = t * q
        sd = np.sqrt(t * q * (1.0 - q))
        lo = np.maximum(0, np.floor(mu - _SD_WINDOW * sd - 1)).astype(np.int64)
        hi = np.minimum(t, np.ceil(mu + _SD_WINDOW * sd + 1)).astype(np.int64)
        F_lo = np.where(lo > 0, stats.binom.cdf(lo - 1, t, q), 0.0)
        self._build(inv.ravel(), lo, hi, hi >= t, stats.binom.pmf(lo, t, q), F_lo)

    def _ratio(self, k: np.ndarray) -> np.ndarray:
        if self.q >= 1.0:
            return np.zeros(k.shape)
        return (self.t[:, None] - k) / (k + 1.0) * (self.q / (1.0 - self.q))

    def _ppf(self, u: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return stats.binom.ppf(u, self.t[rows], self.q)


class PoissonTable(_InverseTable):
    """Independent ``Poisson(mu_i)``, tabulated on ``mean +- 4.5 sd`` (tails: exact ppf)."""

    def __init__(self, mu: np.ndarray) -> None:
        mu, inv = np.unique(np.asarray(mu, dtype="float64"), return_inverse=True)
        self.mu = mu
        sd = np.sqrt(mu)
        lo = np.maximum(0, np.floor(mu - _SD_WINDOW * sd - 1)).astype(np.int64)
        hi = np.ceil(mu + _SD_WINDOW * sd + 1).astype(np.int64)
        F_lo = np.where(lo > 0, stats.poisson.cdf(lo - 1, mu), 0.0)
        self._build(inv.ravel(), lo, hi, mu <= 0, stats.poisson.pmf(lo, mu), F_lo)

    def _ratio(self, k: np.ndarray) -> np.ndarray:
        return self.mu[:, None] / (k + 1.0)

    def _ppf(self, u: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return stats.poisson.ppf(u, self.mu[rows])


def person_lookup(slots: np.ndarray) -> np.ndarray:
    """Area of every person when persons are numbered area by area (int32, length sum)."""
    return np.repeat(np.arange(slots.shape[0], dtype=np.int32), slots)


def _pick_distinct(
    rng: np.random.Generator,
    x_t: np.ndarray,
    slots: np.ndarray,
    reps: np.ndarray,
    need: np.ndarray,
    selected: np.ndarray,
    n_selected: np.ndarray,
    lut: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """For each replicate in ``reps``, ``need`` distinct uniformly random persons (slots).

    Area i has ``slots[i]`` persons numbered 0..slots_i-1, of which the first ``x_t[i, r]``
    are *selected* (only counts matter: persons within an area are exchangeable). Persons
    are drawn uniformly with replacement and kept if their status matches ``selected[r]``;
    the first ``need[r]`` distinct kept persons of a replicate, in draw order, form a
    uniformly random subset. ``n_selected[r]`` is the column total of ``x_t`` (known to the
    caller). Returns (area, replicate) of the chosen persons.
    """
    cum = np.cumsum(slots)
    total = int(cum[-1])
    # ``lut`` (person -> area, see person_lookup) replaces the binary search when given
    areas_out, reps_out = [], []
    need = need.copy()
    todo = need > 0
    seen: np.ndarray = np.empty(0, dtype=np.int64)
    while todo.any():
        rr = reps[todo]
        nn = need[todo]
        frac = np.where(selected[rr], n_selected[rr], total - n_selected[rr]) / total
        k = np.ceil(nn / np.maximum(frac, 1e-3) * 1.2 + 10).astype(np.int64)
        rep_of = np.repeat(rr, k)
        person = rng.integers(0, total, size=rep_of.shape[0])
        area = lut[person] if lut is not None else np.searchsorted(cum, person, side="right")
        j = person - (cum[area] - slots[area])
        is_sel = j < x_t[area, rep_of]
        ok = is_sel == selected[rep_of]
        rep_of, person, area = rep_of[ok], person[ok], area[ok]
        key = rep_of * total + person
        # drop persons chosen in an earlier round, then keep first occurrences in draw order
        fresh = ~np.isin(key, seen)
        rep_of, area, key = rep_of[fresh], area[fresh], key[fresh]
        _, first = np.unique(key, return_index=True)
        first.sort()
        rep_of, area, key = rep_of[first], area[first], key[first]
        order = np.argsort(rep_of, kind="stable")
        rep_of, area, key = rep_of[order], area[order], key[order]
        starts = np.searchsorted(rep_of, rr)
        counts = np.diff(np.append(starts, rep_of.shape[0]))
        rank = np.arange(rep_of.shape[0]) - np.repeat(starts, counts)
        need_of = np.zeros(x_t.shape[1], dtype=np.int64)
        need_of[rr] = nn
        take = rank < need_of[rep_of]
        areas_out.append(area[take])
        reps_out.append(rep_of[take])
        seen = np.concatenate([seen, key[take]])
        got = np.bincount(rep_of[take], minlength=x_t.shape[1])
        need[todo] -= got[rr]
        todo = need > 0
    return np.concatenate(areas_out), np.concatenate(reps_out)


def _adjust_to_total(
    rng: np.random.Generator, x_t: np.ndarray, t: np.ndarray, X: int, lut: np.ndarray | None = None
) -> np.ndarray:
    """Top up / thin each replicate of x_t (n, r) to exactly X selected persons, in place.

    Topping up switches a uniformly random set of not-selected persons to selected,
    thinning a uniformly random set of selected persons back (see :func:`_pick_distinct`);
    no O(n) work per replicate.
    """
    S = x_t.sum(axis=0)
    reps = np.flatnonzero(S != X)
    if not reps.size:
        return x_t
    up = S < X
    area, rep = _pick_distinct(rng, x_t, t, reps, np.abs(X - S[reps]), ~up, S, lut)
    np.add.at(x_t, (area, rep), np.where(up[rep], 1, -1))
    return x_t


def two_group_permutation(
    rng: np.random.Generator, t: np.ndarray, X: int, r: int, table: BinomialTable | None = None
) -> np.ndarray:
    """Random allocation with both margins fixed: x ~ multivariate hypergeometric.

    Returns an (r, n) view of an area-major array.
    """
    T = int(t.sum())
    table = table or BinomialTable(t, X / T)
    t = np.asarray(t, dtype=np.int64)
    if table._lut is None and int(t.sum()) <= 60_000_000:
        table._lut = person_lookup(t)
    return _adjust_to_total(rng, table.sample_t(rng, r), t, int(X), table._lut).T


def two_group_evenness(
    rng: np.random.Generator, t: np.ndarray, P: float, r: int, table: BinomialTable | None = None
) -> np.ndarray:
    """Every person independently in the focal group with the overall share P: x_i ~ Bin(t_i, P)."""
    table = table or BinomialTable(t, P)
    return table.sample_t(rng, r).T


def multigroup_permutation(
    rng: np.random.Generator, t: np.ndarray, totals: np.ndarray, r: int
) -> np.ndarray:
    """Random allocation with area sizes and group totals fixed, (r, n, K).

    Recursive halving of the area list: at each node the node's persons are split between
    its two halves by a multivariate hypergeometric draw (sequential hypergeometrics).
    """
    t = np.asarray(t, dtype=np.int64)
    n, K = t.shape[0], int(totals.shape[0])
    out = np.zeros((r, n, K), dtype=np.int64)
    cum = np.concatenate([[0], np.cumsum(t)])
    starts, ends = np.array([0]), np.array([n])
    counts = np.broadcast_to(np.asarray(totals, dtype=np.int64), (r, 1, K)).copy()
    while starts.size:
        single = ends - starts == 1
        if single.any():
            out[:, starts[single], :] = counts[:, single, :]
        keep = ~single
        starts, ends, counts = starts[keep], ends[keep], counts[:, keep, :]
        if not starts.size:
            break
        mids = (starts + ends) // 2
        left_size = cum[mids] - cum[starts]
        left = np.empty_like(counts)
        m = np.broadcast_to(left_size, counts.shape[:2]).copy()
        rest = counts.sum(axis=2)
        for k in range(K - 1):
            rest = rest - counts[:, :, k]
            h = rng.hypergeometric(counts[:, :, k], rest, m) if m.size else m
            left[:, :, k] = h
            m = m - h
        left[:, :, K - 1] = m
        right = counts - left
        starts = np.concatenate([starts, mids])
        ends = np.concatenate([mids, ends])
        counts = np.concatenate([left, right], axis=1)
    return out


def _conditional_binomials(
    rng: np.random.Generator, size_: np.ndarray, probs: np.ndarray
) -> np.ndarray:
    """Multinomial(size_, probs) per area by conditional binomials; probs (..., n, K)."""
    K = probs.shape[-1]
    out = np.empty(probs.shape, dtype=np.int64)
    remaining = size_.astype(np.int64)
    p_rest = np.ones(probs.shape[:-1])
    for k in range(K - 1):
        pk = np.divide(probs[..., k], p_rest, out=np.zeros(probs.shape[:-1]), where=p_rest > 0)
        draw = rng.binomial(remaining, np.clip(pk, 0.0, 1.0))
        out[..., k] = draw
        remaining = remaining - draw
        p_rest = p_rest - probs[..., k]
    out[..., K - 1] = remaining
    return out


def multigroup_evenness(
    rng: np.random.Generator, t: np.ndarray, P: np.ndarray, r: int
) -> np.ndarray:
    """Each area's persons drawn multinomially with the overall group shares P, (r, n, K)."""
    n = t.shape[0]
    probs = np.broadcast_to(P, (r, n, P.shape[0]))
    return _conditional_binomials(rng, np.broadcast_to(t, (r, n)), probs)


def two_group_systematic(
    rng: np.random.Generator,
    t: np.ndarray,
    X: int,
    Y: int,
    r: int,
    tables: tuple[PoissonTable, PoissonTable] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """PySAL's "systematic" null for two groups: x ~ Mult(X, t/T), y ~ Mult(Y, t/T).

    Exact by Poissonisation: independent ``Poisson(X t_i / T)`` counts are, given their sum
    S, multinomial(S, t/T); topping up with X - S further multinomial persons, or thinning
    S - X of the drawn persons uniformly, leaves a multinomial(X, t/T) table. Returns
    (r, n) views of area-major arrays for x and y.
    """
    t = np.asarray(t, dtype=np.int64)
    T = int(t.sum())
    p = t / T
    cum_p = np.cumsum(p)
    out = []
    for Z, table in zip((X, Y), tables or (PoissonTable(X * p), PoissonTable(Y * p)), strict=True):
        z = table.sample_t(rng, r)
        S = z.sum(axis=0)
        add = np.flatnonzero(S < Z)
        if add.size:
            # multinomial additions: areas drawn with replacement, p_i = t_i / T
            m = (Z - S[add]).astype(np.int64)
            rep_of = np.repeat(add, m)
            area = np.searchsorted(cum_p, rng.random(rep_of.shape[0]) * cum_p[-1], side="right")
            np.add.at(z, (np.minimum(area, t.shape[0] - 1), rep_of), 1)
        rem = np.flatnonzero(S > Z)
        if rem.size:
            # thinning: uniformly random drawn persons, numbered in per-area slots
            slots = np.maximum(z.max(axis=1), 1)
            area, rep = _pick_distinct(
                rng, z, slots, rem, (S[rem] - Z).astype(np.int64), np.ones(r, dtype=bool), S
            )
            np.add.at(z, (area, rep), -1)
        out.append(z.T)
    return out[0], out[1]


def systematic(rng: np.random.Generator, t: np.ndarray, totals: np.ndarray, r: int) -> np.ndarray:
    """PySAL's "systematic" null: each group's members placed multinomially with p_i = t_i / T."""
    p = t / t.sum()
    return np.stack([rng.multinomial(int(Xk), p, size=r) for Xk in totals], axis=-1)


def bootstrap_within_areas(rng: np.random.Generator, c: np.ndarray, r: int) -> np.ndarray:
    """Resample persons within each area: multinomial(t_i, p_i.) per area, (r, n, K)."""
    t = c.sum(axis=1)
    probs = np.divide(c, t[:, None], out=np.zeros_like(c, dtype="float64"), where=t[:, None] > 0)
    return _conditional_binomials(
        rng, np.broadcast_to(t, (r, c.shape[0])), np.broadcast_to(probs, (r, *c.shape))
    )


def bootstrap_table(rng: np.random.Generator, c: np.ndarray, r: int) -> np.ndarray:
    """Resample all persons of the table: multinomial(N, n_ik / N) over cells (Elbers), (r, n, K)."""
    N = int(c.sum())
    draws = rng.multinomial(N, (c / N).ravel(), size=r)
    return draws.reshape(r, *c.shape)
