"""Local (per-area) measures for maps: location quotients, local entropy, local M.

* location quotient ``LQ_ik = (n_ik / t_i) / (N_k / N)`` (Isard 1960; PySAL
  ``MultiLocationQuotient``);
* local entropy ``E_i = -sum_k p_ik log p_ik / log K`` (normalised to [0, 1] as PySAL
  ``MultiLocalEntropy``; ``normalize=False`` gives the raw natural-log entropy);
* local linkage ``L_i = sum_k p_k|i ln(p_k|i / P_k)`` and the contribution ``p_i L_i`` of each
  area to the mutual information index M, which sum to M exactly (Theil 1971; Elbers'
  ``mutual_local``; Mora & Ruiz-Castillo 2011).

Areas with zero population get NaN.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._validate import CountsLike, area_labels, as_counts, group_labels
from .mutual import local_linkage_by_area
from .results import LocalResult

__all__ = ["location_quotients", "local_entropy", "local_measures"]


def location_quotients(counts: CountsLike) -> np.ndarray:
    """Location quotient of every group in every area, shape (areas, groups); NaN for empty areas."""
    c = as_counts(counts, allow_fractional=True)
    ti = c.sum(axis=1, keepdims=True)
    Pk = c.sum(axis=0, keepdims=True) / c.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (c / ti) / Pk
    lq[ti[:, 0] <= 0] = np.nan
    return lq


def local_entropy(counts: CountsLike, *, normalize: bool = True) -> np.ndarray:
    """Entropy of the group mix of each area (diversity), NaN for empty areas."""
    c = as_counts(counts, allow_fractional=True)
    ti = c.sum(axis=1, keepdims=True)
    p = np.divide(c, ti, out=np.zeros_like(c), where=ti > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        e = -np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0).sum(axis=1)
    if normalize:
        e = e / np.log(c.shape[1])
    e[ti[:, 0] <= 0] = np.nan
    return e


def local_measures(counts: CountsLike) -> LocalResult:
    """All local measures of one table in one frame (one row per area), plus M.

    Columns: ``area``, ``population``, ``local_entropy`` (normalised), ``local_linkage``,
    ``contribution_M`` (sums to ``M``; empty areas contribute 0) and ``lq_<group>``.
    """
    c = as_counts(counts, allow_fractional=True)
    N = c.sum()
    L = local_linkage_by_area(c)
    ti = c.sum(axis=1)
    contrib = np.where(ti > 0, ti / N * np.nan_to_num(L), 0.0)
    frame = pd.DataFrame(
        {
            "area": area_labels(counts),
            "population": ti,
            "local_entropy": local_entropy(c),
            "local_linkage": L,
            "contribution_M": contrib,
        }
    )
    lq = location_quotients(c)
    for k, g in enumerate(group_labels(counts)):
        frame[f"lq_{g}"] = lq[:, k]
    return LocalResult(frame=frame, M=float(contrib.sum()))
