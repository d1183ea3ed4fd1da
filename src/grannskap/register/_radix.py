"""Exact order statistics on Dask: a radix select over order-preserving 64-bit keys.

Values are mapped to order-preserving unsigned 64-bit keys (IEEE-754 bits, sign-flipped). Pass
1 counts, per year, the keys' top 16 bits (65,536 bins) and finds, for every wanted rank (the
two middle ranks of a median; ``floor`` and ``ceil`` of ``(n - 1) * p`` for each quantile
``p``), the bin that holds it. Each further pass either gathers the values of those bins (when
at most ``gather_limit`` values fall in them) or counts the next 16 bits within them; all the
ranks of all years move down together, one pass per level, and ranks that fall in the same bin
share its histogram. Every step is integer counting, so the order statistics are exact; memory
is bounded by the partition size, the 65,536-bin histograms and ``gather_limit``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from grannskap.register.partitions import Part, read_batch

if TYPE_CHECKING:
    from grannskap.register.dask_engine import DaskEngine

__all__ = ["sortable_keys", "order_statistics"]

_BITS = 16
_BINS = 1 << _BITS


def sortable_keys(values: np.ndarray) -> np.ndarray:
    """Order-preserving map float64 -> uint64 (``a < b`` iff ``key(a) < key(b)``, no NaN)."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    neg = (bits >> np.uint64(63)).astype(bool)
    return np.where(neg, ~bits, bits | np.uint64(1 << 63))


def _from_key(key: int) -> float:
    """Inverse of :func:`sortable_keys` for one key."""
    k = np.array([key], dtype=np.uint64)
    top = np.uint64(1 << 63)
    bits = k ^ top if (k[0] & top) else ~k
    return float(bits.view(np.float64)[0])


# ------------------------------------------------------------------------------- task bodies
Spec = tuple[int, int, int, bool]  # (year, key prefix, bits below the prefix, gather values)


def _hist_part(part: Part, column: str, specs: tuple[Spec, ...]) -> list[np.ndarray]:
    """For each spec (year, prefix, shift, gather): bin counts of the next 16 bits, or values."""
    batch = read_batch(part, [column, "year"])
    vals = np.asarray(batch[column], dtype=np.float64)
    years = np.asarray(batch["year"])
    ok = ~np.isnan(vals)
    results: list[np.ndarray] = []
    by_year: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for year, prefix, shift, gather in specs:
        if year not in by_year:
            sel = ok & (years == year)
            by_year[year] = (sortable_keys(vals[sel]), vals[sel])
        keys, v = by_year[year]
        if shift < 64:
            hit = (keys >> np.uint64(shift)) == np.uint64(prefix)
            keys_in, v_in = keys[hit], v[hit]
        else:
            keys_in, v_in = keys, v
        if gather:
            results.append(v_in)
        else:
            low = shift - _BITS
            bins = ((keys_in >> np.uint64(low)) & np.uint64(_BINS - 1)).astype(np.int64)
            results.append(np.bincount(bins, minlength=_BINS).astype(np.int64))
    return results


def _sum_hist(parts: list[list[np.ndarray]], specs: tuple[Spec, ...]) -> list[np.ndarray]:
    out = []
    for i, (_, _, _, gather) in enumerate(specs):
        items = [p[i] for p in parts]
        out.append(np.concatenate(items) if gather else functools.reduce(np.add, items))
    return out


def _top_hist_part(part: Part, column: str) -> dict[int, np.ndarray]:
    batch = read_batch(part, [column, "year"])
    vals = np.asarray(batch[column], dtype=np.float64)
    years = np.asarray(batch["year"])
    ok = ~np.isnan(vals) & ~np.isnan(years)
    out = {}
    for y in np.unique(years[ok]):
        keys = sortable_keys(vals[ok & (years == y)])
        bins = (keys >> np.uint64(64 - _BITS)).astype(np.int64)
        out[int(y)] = np.bincount(bins, minlength=_BINS).astype(np.int64)
    return out


def _sum_year_hists(parts: list[dict[int, np.ndarray]]) -> dict[int, np.ndarray]:
    out: dict[int, np.ndarray] = {}
    for p in parts:
        for y, h in p.items():
            out[y] = out[y] + h if y in out else h.copy()
    return out


def _descend(t: list[Any], hist: np.ndarray, counts_in: dict[tuple[int, int, int], int]) -> None:
    """Move a radix-select target one 16-bit level down, into the bin holding its rank."""
    cum = np.cumsum(hist)
    b = int(np.searchsorted(cum, t[1], side="right"))
    t[1] -= int(cum[b - 1]) if b else 0
    t[2] = ((t[2] << _BITS) | b) if t[3] < 64 else b
    t[3] -= _BITS
    counts_in[(t[0], t[2], t[3])] = int(hist[b])
    if t[3] == 0:  # all 64 bits known: the key is the value
        t[4] = _from_key(t[2])


# ------------------------------------------------------------------------------------ driver
def order_statistics(
    engine: DaskEngine, source: Any, column: str, ranks: Callable[[int], Sequence[int]]
) -> dict[int, tuple[int, dict[int, float]]]:
    """Per year: ``n`` (non-missing values) and ``{rank: value}`` for the 0-based ``ranks(n)``.

    Years without a non-missing value are left out. ``engine`` provides the partitions, the
    task tree and ``gather_limit`` (see the module docstring for the passes).
    """
    parts = engine.partitions(source)
    delayed = engine._dask.delayed
    # pass 1: per year, counts of the keys' top 16 bits (also gives n per year)
    top = engine._compute(
        engine._tree([delayed(_top_hist_part)(p, column) for p in parts], _sum_year_hists)
    )
    # target = [year, rank within current prefix, prefix, shift, resolved value, rank]
    targets: list[list[Any]] = []
    counts_in: dict[tuple[int, int, int], int] = {}
    n_of: dict[int, int] = {}
    for y in sorted(top):
        n = int(top[y].sum())
        if n == 0:
            continue
        n_of[y] = n
        for rank in sorted(set(ranks(n))):
            t: list[Any] = [y, rank, 0, 64, None, rank]
            _descend(t, top[y], counts_in)
            targets.append(t)

    def spec(t: list[Any]) -> Spec:
        return (t[0], t[2], t[3], counts_in[(t[0], t[2], t[3])] <= engine.gather_limit)

    while any(t[4] is None for t in targets):
        specs = tuple(sorted({spec(t) for t in targets if t[4] is None}))
        leaves = [delayed(_hist_part)(p, column, specs) for p in parts]
        res = engine._compute(engine._tree(leaves, _sum_hist, specs))
        by_spec = dict(zip(specs, res, strict=True))
        for t in targets:
            if t[4] is None:
                key = spec(t)
                if key[3]:  # gathered values: pick the rank directly
                    t[4] = float(np.partition(by_spec[key], t[1])[t[1]])
                else:
                    _descend(t, by_spec[key], counts_in)
    out: dict[int, tuple[int, dict[int, float]]] = {y: (n, {}) for y, n in n_of.items()}
    for t in targets:
        out[t[0]][1][t[5]] = t[4]
    return out
