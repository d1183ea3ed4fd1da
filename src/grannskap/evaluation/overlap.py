"""Other interventions in the same areas and years as the one evaluated (pure: frames in).

An effect estimate for one intervention mixes in every other intervention that worked in the
same treated areas during the evaluated years; the verdict must warn about it. An intervention
whose start year is unknown is counted as overlapping (it may well have been active).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["overlapping_interventions", "overlap_note"]


def overlapping_interventions(
    areas: pd.DataFrame, others: pd.DataFrame, last_year: int
) -> pd.DataFrame:
    """Rows of ``others`` active in a treated area between its start and ``last_year``.

    Parameters
    ----------
    areas : DataFrame
        ``area_code, start_year`` of the evaluated intervention's areas.
    others : DataFrame
        ``intervention_id, area_code, start_year, end_year`` of the other interventions
        (``end_year`` missing: still running).
    last_year : int
        Last year of the outcome panel.
    """
    cols = ["intervention_id", "area_code", "start_year", "end_year"]
    if others.empty or areas.empty:
        return pd.DataFrame(columns=cols)
    start = areas.groupby("area_code")["start_year"].min()
    o = others[others["area_code"].isin(start.index)].copy()
    if o.empty:
        return pd.DataFrame(columns=cols)
    own_start = o["area_code"].map(start).astype(float)
    o_start = pd.to_numeric(o["start_year"], errors="coerce").astype(float)
    o_end = pd.to_numeric(o["end_year"], errors="coerce").astype(float).fillna(np.inf)
    active = o_start.isna() | ((o_start <= last_year) & (o_end >= own_start))
    return o.loc[active, cols].sort_values(["intervention_id", "area_code"]).reset_index(drop=True)


def overlap_note(rows: pd.DataFrame) -> str | None:
    """The verdict's warning for :func:`overlapping_interventions` rows, or ``None``."""
    if rows.empty:
        return None
    parts = []
    for iid, grp in rows.groupby("intervention_id", sort=True):
        s = pd.to_numeric(grp["start_year"], errors="coerce").min()
        e = pd.to_numeric(grp["end_year"], errors="coerce").max()
        years = "?" if pd.isna(s) else f"{int(s)}–{'' if pd.isna(e) else int(e)}"
        codes = ", ".join(sorted(grp["area_code"].astype(str).unique()))
        parts.append(f"{iid} ({codes}; {years})")
    return (
        "overlapping interventions in the treated area(s) during the evaluated years: "
        + "; ".join(parts)
        + "; the estimate mixes their effects"
    )
