"""Status of each goal per year, with the trend so far.

Police lists: Polisen publishes its list of *utsatta områden* about every second year
(2015, 2017, 2019, 2021, 2023, 2025). ``riskområde`` was dropped as a category in 2025; it is
merged into ``utsatt`` here so that the states mean the same in every year. A year's list is
*complete* when the number of rows we hold equals the national count in
``police_list_count``; in other years we hold only the areas some source named. Where a
kommun has rows in a year, the source named all of that kommun's areas (true of the shipped
Borås rows: see ``police_lists_national_counts_and_boras.csv``), so the kommun's status is
known in that year and its areas without a row were not listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from grannskap.errors import DataNotFoundError
from grannskap.goals.definitions import Goal

__all__ = ["GoalStatus", "police_histories", "goal_status", "trend_text_sv"]


@dataclass(frozen=True)
class GoalStatus:
    """Status of one goal: ``table`` has ``year, source, n_areas, n_bad, met`` (or ``value``
    for indicator goals); ``trend_sv`` says in Swedish how it has gone so far."""

    goal: Goal
    table: pd.DataFrame
    latest_year: int | None
    latest_met: bool | None
    trend_sv: str
    notes: tuple[str, ...] = field(default=())


def police_histories(classification: pd.DataFrame, list_counts: pd.DataFrame) -> pd.DataFrame:
    """Police-list state per area and list year: ``area_code, kommun_code, name, year, state``.

    ``state`` is ``utsatt`` (including ``riskomrade``), ``sarskilt_utsatt`` or ``ej_listad``;
    ``ej_listad`` only where the list is complete nationally or for the area's kommun (see the
    module docstring); otherwise the year is left out for that area (unknown).
    """
    c = classification.copy()
    c["state"] = c["category"].replace({"riskomrade": "utsatt"})
    c["kommun_code"] = c["kommun_code"].astype("string")
    held = c.groupby("year").size()
    totals = list_counts.set_index("year")["total"]
    complete = {int(y) for y, n in held.items() if y in totals.index and int(totals[y]) == int(n)}
    known = c.dropna(subset=["kommun_code"])
    kommun_years = set(zip(known["kommun_code"], known["year"].astype(int), strict=True))
    years = sorted(int(y) for y in set(held.index) | set(totals.index))
    areas = (
        c.sort_values("year")
        .groupby("area_code")
        .agg(kommun_code=("kommun_code", "last"), name=("name", "last"))
    )
    rows = []
    listed = {
        (a, int(y)): s for a, y, s in c[["area_code", "year", "state"]].itertuples(index=False)
    }
    for a, info in areas.iterrows():
        for y in years:
            if (a, y) in listed:
                rows.append((a, info.kommun_code, info["name"], y, listed[(a, y)]))
            elif y in complete or (info.kommun_code, y) in kommun_years:
                rows.append((a, info.kommun_code, info["name"], y, "ej_listad"))
    out = pd.DataFrame(rows, columns=["area_code", "kommun_code", "name", "year", "state"])
    out.attrs["complete_years"] = tuple(sorted(complete))
    return out


def _sv(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def trend_text_sv(table: pd.DataFrame, noun: str) -> str:
    """ "2 särskilt utsatta områden 2017 → 2 2025: oförändrat" style text."""
    t = table.dropna(subset=["n_bad"]).sort_values("year")
    if t.empty:
        return "Inga uppgifter ännu."
    first, last = t.iloc[0], t.iloc[-1]
    a, b = int(first.n_bad), int(last.n_bad)
    if len(t) == 1:
        return f"{b} {noun} {int(last.year)} (bara ett år med uppgifter; ingen trend)."
    word = "oförändrat" if a == b else ("minskat" if b < a else "ökat")
    changed = t[t["n_bad"].diff().fillna(0) != 0]
    if not changed.empty and int(changed.iloc[-1].year) < int(last.year):
        word += f", oförändrat sedan {int(changed.iloc[-1].year)}"
    peak = t.loc[t["n_bad"].idxmax()]
    text = f"{a} {noun} {int(first.year)}, {b} {int(last.year)}: {word}"
    if int(peak.n_bad) > max(a, b):
        text += f" (högst {int(peak.n_bad)} år {int(peak.year)})"
    return text + "."


def goal_status(
    goal: Goal,
    *,
    types: pd.DataFrame | None = None,
    police: pd.DataFrame | None = None,
    indicator: pd.DataFrame | None = None,
) -> GoalStatus:
    """Status per year of one goal.

    ``types``: ``area_code, year, omradestyp, source`` (e.g. 'officiell', 'beräknad');
    ``police``: the output of :func:`police_histories`; ``indicator``: ``area_code, year,
    value`` of the goal's indicator. Only the input matching ``goal.measure`` is used.
    """
    notes: list[str] = []
    if goal.measure == "police_category":
        if police is None:
            raise DataNotFoundError(f"goal {goal.id}: police list data are needed")
        p = police[police["kommun_code"] == goal.kommun]
        if p.empty:
            table = pd.DataFrame(columns=["year", "source", "n_areas", "n_bad", "met"])
            notes.append(
                f"Inga områden i kommun {goal.kommun} finns på polisens listor i databasen."
            )
        else:
            listed = p[p["state"] != "ej_listad"]
            table = (
                p.assign(bad=p["state"].isin(goal.bad_states))
                .groupby("year")
                .agg(n_bad=("bad", "sum"))
                .join(listed.groupby("year").size().rename("n_areas"))
                .fillna({"n_areas": 0})
                .reset_index()
            )
            table.insert(1, "source", "Polisen")
        noun = (
            "särskilt utsatta områden"
            if tuple(goal.bad_states) == ("sarskilt_utsatt",)
            else "områden"
        )
    elif goal.measure == "omradestyp":
        if types is None:
            raise DataNotFoundError(f"goal {goal.id}: area types are needed")
        t = types[types["area_code"].astype(str).str[:4] == goal.kommun].dropna(
            subset=["omradestyp"]
        )
        table = (
            t.assign(bad=t["omradestyp"].astype("int64").isin([int(b) for b in goal.bad_states]))
            .groupby(["year", "source"])
            .agg(n_areas=("bad", "size"), n_bad=("bad", "sum"))
            .reset_index()
        )
        bad_types = sorted(int(b) for b in goal.bad_states)
        noun = (
            f"områden av typ {bad_types[0]}–{bad_types[-1]}"
            if len(bad_types) > 1
            else f"områden av typ {bad_types[0]}"
        )
    else:
        if indicator is None:
            raise DataNotFoundError(f"goal {goal.id}: values of {goal.indicator_id} are needed")
        v = indicator[indicator["area_code"] == goal.area_code].sort_values("year")
        table = v[["year", "value"]].assign(source=goal.indicator_id)
        target = float(goal.target_value or 0.0)
        table["met"] = (
            table["value"] <= target if goal.direction == "decrease" else table["value"] >= target
        )
        latest = table.iloc[-1] if not table.empty else None
        trend = (
            "Inga uppgifter ännu."
            if latest is None
            else (
                f"{_sv(table.iloc[0].value)} ({int(table.iloc[0].year)}) → {_sv(latest.value)} "
                f"({int(latest.year)}); mål {_sv(target)}."
            )
        )
        return GoalStatus(
            goal,
            table.reset_index(drop=True),
            None if latest is None else int(latest.year),
            None if latest is None else bool(latest.met),
            trend,
            tuple(notes),
        )
    table["n_bad"] = table["n_bad"].astype("int64")
    table["met"] = table["n_bad"] <= goal.max_count
    table = table.sort_values(["year", "source"]).reset_index(drop=True)
    if table.empty:
        return GoalStatus(goal, table, None, None, "Inga uppgifter ännu.", tuple(notes))
    # the trend uses one series: the official source where there is one
    prefer = table[table["source"].isin(["officiell", "Polisen"])]
    series = prefer if not prefer.empty else table
    trend = trend_text_sv(series, noun)
    last = series.iloc[-1]
    return GoalStatus(goal, table, int(last.year), bool(np.bool_(last.met)), trend, tuple(notes))
