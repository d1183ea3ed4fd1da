"""Movement between types and the distance of each area to the thresholds.

The distance uses the year's μ and σ as fixed: one area changing moves the national μ and σ
by a negligible amount (1/3,363 of its own change), so "how much must the index fall to reach
type t+1" is ``threshold − index``. For a single component with weight ``w_k`` (weights
summing to ``W``) that is a change of ``(threshold − index) x W / w_k`` percentage points;
for all components in proportion it is a relative change of ``threshold / index − 1``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from grannskap.errors import Problem, ValidationError
from grannskap.measures.socioeconomic.classify import CutRule

__all__ = ["transition_matrix", "distance_to_thresholds", "closest_to_thresholds"]


def transition_matrix(
    types_from: pd.Series,
    types_to: pd.Series,
    *,
    states: Sequence[int] = (1, 2, 3, 4, 5),
    normalize: bool = False,
) -> pd.DataFrame:
    """Counts (or row shares) of areas moving from each type to each type.

    ``types_from`` and ``types_to`` are indexed by area code; only areas with a type in
    both years count. Rows = type in the first year, columns = type in the second year.
    """
    both = pd.DataFrame({"from": types_from, "to": types_to}).dropna()
    if both.empty:
        raise ValidationError([Problem("transition matrix", "no area has a type in both years")])
    both = both.astype("int64")
    tab = pd.crosstab(both["from"], both["to"]).reindex(
        index=list(states), columns=list(states), fill_value=0
    )
    tab.index.name, tab.columns.name = "from", "to"
    if normalize:
        rows = tab.sum(axis=1).replace(0, np.nan)
        return tab.div(rows, axis=0)
    return tab


def distance_to_thresholds(
    classified: pd.DataFrame,
    components: Sequence[str],
    weights: dict[str, float] | None = None,
    rule: CutRule | None = None,
) -> pd.DataFrame:
    """For each area: how far the index is from the next better and the next worse type.

    Parameters
    ----------
    classified
        One row per area (one year) with ``area_code, index, mu, sigma, omradestyp`` and the
        component columns in percent (a merge of :attr:`Classification.frame` and
        :attr:`IndexTable.frame`).
    components, weights
        The index components and their weights (equal by default).

    Returns
    -------
    Frame with ``area_code, omradestyp, index, threshold_better, delta_index_better``
    (negative: the fall needed to reach the next better type; NaN for the best type),
    ``delta_z_better`` (the same in σ), ``<k>_pp_better`` (the change of component ``k``
    alone, in percentage points, that reaches the threshold), ``<k>_after_alone`` and
    ``<k>_feasible_alone`` (the component's value after that change, and whether it is >= 0), ``proportional_better`` (the
    relative change of all components together), ``threshold_worse``,
    ``delta_index_worse`` (positive: the rise that would make the area one type worse; NaN for
    type 1) and ``delta_z_worse``.
    """
    rule = rule or CutRule()
    w = (
        {k: 1.0 for k in components}
        if weights is None
        else {k: float(weights[k]) for k in components}
    )
    total = sum(w.values())
    df = classified.dropna(subset=["omradestyp"]).copy()
    t = df["omradestyp"].astype("int64").to_numpy()
    mu, sd, idx = (df[c].to_numpy(dtype=float) for c in ("mu", "sigma", "index"))
    cuts = np.array((np.inf, *rule.cuts, -np.inf))
    # type t spans [mu + cuts[t] sd, mu + cuts[t-1] sd)
    lower = mu + cuts[t] * sd
    upper = mu + cuts[t - 1] * sd
    better = np.where(t < rule.n_types, lower, np.nan)
    worse = np.where(t > 1, upper, np.nan)
    out = pd.DataFrame({"area_code": df["area_code"].to_numpy(), "omradestyp": t, "index": idx})
    if "year" in df.columns:
        out.insert(1, "year", df["year"].to_numpy())
    out["threshold_better"] = better
    # the edge itself belongs to the worse type: any fall strictly past it suffices
    out["delta_index_better"] = better - idx
    out["delta_z_better"] = out["delta_index_better"] / sd
    for k in components:
        out[f"{k}_pp_better"] = out["delta_index_better"] * total / w[k]
        if k in df.columns:
            after = df[k].to_numpy() + out[f"{k}_pp_better"].to_numpy()
            out[f"{k}_after_alone"] = after
            # a share cannot fall below zero: this component alone cannot bring the area there
            out[f"{k}_feasible_alone"] = np.where(np.isnan(after), False, after >= 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["proportional_better"] = np.where(idx > 0, better / idx - 1.0, np.nan)
    out["threshold_worse"] = worse
    out["delta_index_worse"] = worse - idx
    out["delta_z_worse"] = out["delta_index_worse"] / sd
    return out


def closest_to_thresholds(
    distances: pd.DataFrame,
    n: int = 10,
    direction: Literal["better", "worse", "either"] = "either",
) -> pd.DataFrame:
    """The ``n`` areas closest (in σ) to a type threshold in the given direction."""
    d = distances.copy()
    better = d["delta_z_better"].abs()
    worse = d["delta_z_worse"].abs()
    if direction == "better":
        d["distance_z"], d["direction"] = better, "better"
    elif direction == "worse":
        d["distance_z"], d["direction"] = worse, "worse"
    elif direction == "either":
        use_b = better.fillna(np.inf) <= worse.fillna(np.inf)
        d["distance_z"] = np.where(use_b, better, worse)
        d["direction"] = np.where(use_b, "better", "worse")
    else:
        raise ValidationError(
            [
                Problem(
                    "closest_to_thresholds",
                    "unknown direction",
                    value=direction,
                    expected="better, worse or either",
                )
            ]
        )
    return d.dropna(subset=["distance_z"]).sort_values("distance_z").head(n).reset_index(drop=True)
