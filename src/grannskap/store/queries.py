"""Read helpers shared by the CLI, the report and the dashboard (SQL stays in this package).

:func:`evaluation_inputs` gathers what ``grannskap evaluate`` needs for one intervention and one
outcome indicator: the intervention, its target areas (expressed, through the ``crosswalk``
table, in an area system the outcome is measured in), the outcome panel with provenance, the
official *områdestyp* per area, the other interventions' areas, each area's municipality and the
intervention's recorded spending.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd

from grannskap.errors import DataNotFoundError
from grannskap.ingest.overview import OFFICIAL_TYPE_INDICATOR

__all__ = ["EvaluationInputs", "evaluation_inputs", "target_area_names"]


@dataclass(frozen=True)
class EvaluationInputs:
    """What an evaluation reads from the database (frames as returned by DuckDB)."""

    intervention: pd.Series  # the ``intervention`` row
    # area_system, area_code, start_year (missing: unknown), target_system, target_code
    # (the targets in the outcome's system; target_* = the area as the programme file names it)
    areas: pd.DataFrame
    panel: pd.DataFrame  # area_code, year, value, source, title (the outcome, totals only)
    types: pd.DataFrame  # area_code, year, omradestyp (official type, own or via crosswalk)
    others: pd.DataFrame  # intervention_id, area_code, start_year, end_year (other interventions)
    kommun: pd.DataFrame  # area_code, kommun_code
    cost: float | None  # spending recorded in the funding ledger (kr), None if none
    notes: tuple[str, ...]  # how target areas were resolved


def _read(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any]) -> pd.DataFrame:
    return con.execute(sql, params).df()


def evaluation_inputs(
    con: duckdb.DuckDBPyConnection,
    intervention: str,
    outcome: str,
    *,
    outcome_panel: pd.DataFrame | None = None,
) -> EvaluationInputs:
    """Everything an evaluation of ``intervention`` on indicator ``outcome`` reads.

    ``outcome_panel`` (``area_code, year, value, source, title, area_system``), when given, is
    the outcome already read (a catalogue indicator through the indicator spine); otherwise
    ``outcome`` is a stored series id read from the observations.

    A target area whose start year is explicitly unknown keeps ``start_year`` missing (the
    caller leaves it out); the intervention's own start year applies only to areas that the
    programme file gives none (the programme loader fills it in).

    Raises
    ------
    DataNotFoundError
        The intervention, its target areas, their start years or the outcome's values are
        missing, or a target area cannot be expressed in a system the outcome is measured in.
    """
    iv = _read(con, "SELECT * FROM intervention WHERE intervention_id = ?", [intervention])
    if iv.empty:
        known = _read(con, "SELECT intervention_id FROM intervention ORDER BY 1", [])
        raise DataNotFoundError(
            f"intervention {intervention!r} is not in the database; known: "
            f"{known['intervention_id'].tolist()[:20]}"
        )
    areas = _read(
        con,
        "SELECT area_system, area_code, a.start_year FROM intervention_area a "
        "WHERE intervention_id = ? ORDER BY area_system, area_code",
        [intervention],
    )
    if areas.empty:
        raise DataNotFoundError(
            f"intervention {intervention!r} names no areas it works in; expected at least one "
            "area under the intervention's 'areas' in the programme file (system and code, "
            "e.g. {system: regso2020, code: 1490R001}), imported with `grannskap import`"
        )
    if areas["start_year"].isna().all():
        names = _area_names(con, areas)
        raise DataNotFoundError(
            f"intervention {intervention!r}: the year it started is unknown in every area it "
            f"works in ({', '.join(names)}); expected a start_year for the intervention or for "
            "its areas in the programme file (e.g. {system: stadsdel, code: sjobo, "
            "start_year: 2021})"
        )
    have = None if outcome_panel is None else set(outcome_panel["area_system"])
    areas, notes = _resolve_targets(con, areas, outcome, have)
    systems = sorted(areas["area_system"].unique())
    if outcome_panel is not None:
        panel = outcome_panel[outcome_panel["area_system"].isin(systems)][
            ["area_code", "year", "value", "source", "title"]
        ].reset_index(drop=True)
    else:
        panel = _read(
            con,
            "SELECT o.area_code, o.year, o.value, p.source, p.title FROM observation o "
            "LEFT JOIN provenance p USING (import_id) WHERE o.indicator_id = ? "
            f"AND o.breakdown = '' AND o.area_system IN ({','.join('?' * len(systems))}) "
            "AND o.value IS NOT NULL",
            [outcome, *systems],
        )
    if panel.empty:
        raise DataNotFoundError(
            f"indicator {outcome!r} has no total values (breakdown '') for area system(s) "
            f"{systems} in the database; for an indicator split by breakdowns, evaluate a "
            "component indicator instead"
        )
    marks = ",".join("?" * len(systems))
    types = _read(
        con,
        "SELECT area_code, year, value AS omradestyp FROM observation "
        f"WHERE indicator_id = ? AND area_system IN ({marks}) UNION ALL "
        "SELECT c.from_code, o.year, o.value FROM crosswalk c JOIN observation o "
        "ON o.area_system = c.to_system AND o.area_code = c.to_code "
        f"WHERE o.indicator_id = ? AND c.from_system IN ({marks}) AND c.weight >= 0.5",
        [OFFICIAL_TYPE_INDICATOR, *systems, OFFICIAL_TYPE_INDICATOR, *systems],
    )
    others = _read(
        con,
        "SELECT a.intervention_id, a.area_system, a.area_code, a.start_year,"
        " coalesce(a.end_year, i.end_year) AS end_year FROM intervention_area a "
        "JOIN intervention i USING (intervention_id) WHERE intervention_id <> ?",
        [intervention],
    )
    others = _others_in(con, others, systems)
    kommun = _read(
        con,
        f"SELECT code AS area_code, kommun_code FROM area WHERE system IN "
        f"({','.join('?' * len(systems))})",
        systems,
    )
    cost = _read(
        con,
        "SELECT sum(amount_sek) AS total, count(*) AS n FROM funding "
        "WHERE intervention_id = ? AND kind = 'spent'",
        [intervention],
    )
    total = cost["total"].iloc[0] if int(cost["n"].iloc[0]) else None
    return EvaluationInputs(
        intervention=iv.iloc[0],
        areas=areas,
        panel=panel,
        types=types,
        others=others,
        kommun=kommun,
        cost=None if total is None else float(total),
        notes=tuple(notes),
    )


def _area_names(con: duckdb.DuckDBPyConnection, areas: pd.DataFrame) -> list[str]:
    """``Name (system:code)`` of each area row, the code alone where no name is stored."""
    names = _read(con, "SELECT system AS area_system, code AS area_code, name FROM area", [])
    m = areas[["area_system", "area_code"]].merge(
        names, on=["area_system", "area_code"], how="left"
    )
    return [
        f"{r.name} ({r.area_system}:{r.area_code})"
        if isinstance(r.name, str) and r.name
        else f"{r.area_system}:{r.area_code}"
        for r in m.itertuples(index=False)
    ]


def target_area_names(con: duckdb.DuckDBPyConnection, areas: pd.DataFrame) -> list[str]:
    """Readable names of target areas (``area_system, area_code`` rows), for messages."""
    return _area_names(con, areas)


def _codes_in(con: duckdb.DuckDBPyConnection, target: str, system: str, code: str) -> list[str]:
    """Codes of system ``target`` inside area ``system:code`` (crosswalk, one or two steps)."""
    return sorted(
        _read(
            con,
            "SELECT DISTINCT c1.from_code AS code FROM crosswalk c1 WHERE c1.from_system = ? "
            "AND c1.to_system = ? AND c1.to_code = ? AND c1.weight >= 0.5 UNION "
            "SELECT DISTINCT c1.from_code FROM crosswalk c1 JOIN crosswalk c2 "
            "ON c1.to_system = c2.from_system AND c1.to_code = c2.from_code "
            "WHERE c1.from_system = ? AND c2.to_system = ? AND c2.to_code = ? "
            "AND c1.weight >= 0.5 AND c2.weight >= 0.5",
            [target, system, code] * 2,
        )["code"].tolist()
    )


def _others_in(
    con: duckdb.DuckDBPyConnection, others: pd.DataFrame, systems: list[str]
) -> pd.DataFrame:
    """Other interventions' areas expressed in ``systems`` (a stadsdel becomes its RegSO), so
    that overlaps with the evaluated areas are found; areas without a mapping are dropped."""
    rows = []
    for row in others.itertuples(index=False):
        base = {k: getattr(row, k) for k in ("intervention_id", "start_year", "end_year")}
        if row.area_system in systems:
            rows.append({**base, "area_code": row.area_code})
            continue
        for target in systems:
            codes = _codes_in(con, target, row.area_system, row.area_code)
            rows += [{**base, "area_code": c} for c in codes]
            if codes:
                break
    cols = ["intervention_id", "area_code", "start_year", "end_year"]
    return pd.DataFrame(rows, columns=cols)


def _resolve_targets(
    con: duckdb.DuckDBPyConnection,
    areas: pd.DataFrame,
    outcome: str,
    have: set[str] | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """Express target areas in an area system the outcome is measured in.

    A target given as, say, a *stadsdel* becomes the RegSO/DeSO inside it, found through the
    ``crosswalk`` table (one step, or two via an intermediate system; weight >= 0.5).
    """
    if have is None:
        have = set(
            _read(
                con,
                "SELECT DISTINCT area_system FROM observation WHERE indicator_id = ?",
                [outcome],
            )["area_system"]
        )
    if not have:
        raise DataNotFoundError(f"indicator {outcome!r} has no values in the database")
    notes: list[str] = []
    rows = []
    for row in areas.itertuples(index=False):
        given = {"target_system": row.area_system, "target_code": row.area_code}
        if row.area_system in have:
            rows.append({**row._asdict(), **given})
            continue
        found = None
        for target in sorted(have):
            codes = _codes_in(con, target, row.area_system, row.area_code)
            if codes:
                found = (target, sorted(codes))
                break
        if found is None:
            raise DataNotFoundError(
                f"the intervention's area {row.area_system}:{row.area_code} cannot be matched "
                f"to the areas where indicator {outcome!r} is measured ({sorted(have)}); "
                "expected a mapping of the area to those areas (a crosswalk file, imported "
                "with `grannskap import`)"
            )
        notes.append(
            f"target area {row.area_system}:{row.area_code} = {len(found[1])} {found[0]} "
            f"area(s) via the crosswalk"
        )
        for code in found[1]:
            rows.append(
                {"area_system": found[0], "area_code": code, "start_year": row.start_year, **given}
            )
    return pd.DataFrame(rows), notes
