"""Disclosure control for register aggregates: no published count of 1 to ``threshold - 1``.

``grannskap register aggregate`` writes counts per DeSO-year and per grid-cell-year computed
from person-level data. Published as they are, a cell with 1-3 persons identifies them, and a
hidden cell can be given away by subtraction (a DeSO's total minus its other age bands, or the
national total minus every other grid cell). This module applies, to the wide count frames of
:class:`grannskap.register.indicators.RegisterAggregates`:

*primary suppression*
    every count ``c`` with ``1 <= c < threshold`` is hidden; a share (numerator / denominator) is
    hidden when its numerator, its denominator or its complement (denominator - numerator) is
    such a count (99.9 % of 783 identifies the one person outside the group);
*secondary (complementary) suppression*
    over every additive relation the output publishes or lets a reader derive -- within an
    area-year: total = sum of the sex / age band / background / income quintile counts, and
    ``alder=20-64`` = the 20-64 denominator of V3 (the same persons); across areas: the sum of a
    counter over all areas of a year (the national total, derivable from the DeSO rows) -- no
    relation may have exactly one hidden cell, and the hidden cells of a relation whose total is
    shown must together reach ``threshold`` (else their sum is a small count itself). The
    smallest shown cell is added until that holds (Hundepool et al., *Handbook on Statistical
    Disclosure Control*, ESSnet SDC 2010, ch. 4-5; the same rule as
    :func:`grannskap.privacy.complementary_cells`, vectorised over rows because a national grid
    has millions of cells).

Zero counts stay published (SCB's practice; a zero identifies nobody). The threshold default is
4, so counts of 1-3 persons are hidden; ``--no-suppression`` is for work inside a secure
environment only. Pure maths: frames in, frames and masks out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grannskap.privacy import check_threshold

__all__ = [
    "DEFAULT_REGISTER_THRESHOLD",
    "SHARE_COUNTERS",
    "SuppressedCounts",
    "partition_relations",
    "suppress_counts",
]

#: counts of 1, 2 and 3 persons are hidden (issue 18: "counts of 1-3 persons")
DEFAULT_REGISTER_THRESHOLD = 4

#: share indicator counters: (numerator, denominator)
SHARE_COUNTERS: tuple[tuple[str, str], ...] = (
    ("v1_num", "v1_den"),
    ("v2_num", "v2_den"),
    ("v3_num", "v3_den"),
    ("emp_num", "v3_den"),
)


_LAST = 1e300  # sort key of a zero complement


def _complement_key(values: np.ndarray) -> np.ndarray:
    """Order of complement candidates: smallest first, zeros last (a hidden zero protects
    nothing: the hidden sum stays the same)."""
    return np.where(values > 0, values, _LAST)


@dataclass(frozen=True)
class SuppressedCounts:
    """A wide count frame after suppression.

    ``frame`` has the same rows and columns as the input; every hidden count is NaN (the count
    columns become float64). ``status`` is ``(rows, counters)`` int8: 0 shown, 1 primary,
    2 secondary. ``hidden_shares`` maps a numerator counter to the rows whose share is hidden.
    """

    frame: pd.DataFrame
    counters: tuple[str, ...]
    status: np.ndarray
    hidden_shares: dict[str, np.ndarray]

    @property
    def n_primary(self) -> int:
        return int((self.status == 1).sum())

    @property
    def n_secondary(self) -> int:
        return int((self.status == 2).sum())


def partition_relations(columns: Sequence[str]) -> list[tuple[str, list[str]]]:
    """The within-row additive relations ``(total, parts)`` among ``columns``.

    ``pop`` = its parts for every breakdown dimension present (``pop|kon=K`` ...), and the
    20-64 age band = ``v3_den`` (both count every person aged 20-64).
    """
    cols = list(columns)
    out: list[tuple[str, list[str]]] = []
    if "pop" in cols:
        dims: dict[str, list[str]] = {}
        for c in cols:
            if c.startswith("pop|"):
                dims.setdefault(c.split("|", 1)[1].split("=", 1)[0], []).append(c)
        out += [("pop", parts) for parts in dims.values() if parts]
    if "pop|alder=20-64" in cols and "v3_den" in cols:
        out.append(("pop|alder=20-64", ["v3_den"]))
    return out


def _add_complements(
    values: np.ndarray, status: np.ndarray, total: int, parts: np.ndarray, threshold: int
) -> bool:
    """One vectorised sweep of one within-row relation; True when a cell was added."""
    idx = np.concatenate(([total], parts))
    hid = status[:, idx] > 0
    n_hid = hid.sum(axis=1)
    hidden_sum = np.where(hid[:, 1:], values[:, parts], 0.0).sum(axis=1)
    total_shown = ~hid[:, 0]
    need = (n_hid == 1) | (total_shown & (n_hid >= 2) & (hidden_sum < threshold))
    if not need.any():
        return False
    rows = np.flatnonzero(need)
    sub = values[np.ix_(rows, parts)]
    shown = ~hid[np.ix_(rows, np.arange(1, len(idx)))]
    key = np.where(shown, _complement_key(sub), np.inf)
    pick = key.argmin(axis=1)
    has_part = np.isfinite(key[np.arange(len(rows)), pick])
    changed = False
    if has_part.any():
        status[rows[has_part], parts[pick[has_part]]] = 2
        changed = True
    no_part = rows[~has_part]
    no_part = no_part[status[no_part, total] == 0]
    if len(no_part):
        status[no_part, total] = 2
        changed = True
    return changed


def _add_column_complements(
    values: np.ndarray, status: np.ndarray, years: np.ndarray, threshold: int
) -> bool:
    """The national total of every counter and year is derivable: the same rule over the rows
    of each year, per column."""
    changed = False
    for y in np.unique(years):
        rows = np.flatnonzero(years == y)
        for j in range(values.shape[1]):
            col = status[rows, j]
            hid = col > 0
            n_hid = int(hid.sum())
            if n_hid == 0:
                continue
            if n_hid >= 2 and float(values[rows[hid], j].sum()) >= threshold:
                continue
            shown = rows[~hid]
            if not len(shown):
                continue
            status[shown[np.argmin(_complement_key(values[shown, j]))], j] = 2
            changed = True
    return changed


def suppress_counts(
    frame: pd.DataFrame, key: str, threshold: int = DEFAULT_REGISTER_THRESHOLD
) -> SuppressedCounts:
    """Primary and secondary suppression of a wide count frame (``year``, ``key``, counters).

    Rows without a ``key`` (persons in no area) are not published and take no part.
    """
    threshold = check_threshold(threshold)
    counters = tuple(c for c in frame.columns if c not in ("year", key))
    published = frame[key].notna().to_numpy()
    raw = frame[list(counters)].to_numpy(dtype=float, na_value=np.nan)
    values = np.nan_to_num(raw, nan=0.0)
    col = {c: i for i, c in enumerate(counters)}
    status = np.zeros(values.shape, dtype=np.int8)
    small = (values >= 1) & (values < threshold)
    status[small & published[:, None]] = 1
    pairs = [(col[n], col[d]) for n, d in SHARE_COUNTERS if n in col and d in col]
    for n, d in pairs:
        comp = values[:, d] - values[:, n]
        comp_small = (comp >= 1) & (comp < threshold) & published
        # the complement is not a published cell: hiding the numerator hides the share
        status[comp_small & (status[:, n] == 0), n] = 1
    relations = [
        (col[t], np.array([col[p] for p in parts], dtype=int))
        for t, parts in partition_relations(counters)
    ]
    rows = np.flatnonzero(published)
    vals, stat = values[rows], status[rows]
    years = frame["year"].to_numpy()[rows]
    changed = True
    while changed:
        changed = False
        for total, parts in relations:
            while _add_complements(vals, stat, total, parts, threshold):
                changed = True
        if _add_column_complements(vals, stat, years, threshold):
            changed = True
    status[rows] = stat
    out = frame.copy()
    masked = np.where(status > 0, np.nan, raw)
    for c, i in col.items():
        out[c] = masked[:, i]
    hidden_shares = {counters[n]: (status[:, n] > 0) | (status[:, d] > 0) for n, d in pairs}
    return SuppressedCounts(out, counters, status, hidden_shares)
