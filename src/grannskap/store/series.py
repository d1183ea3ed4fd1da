"""Typed read queries of the indicator spine (:mod:`grannskap.indicators`): series per area
and year, area labels, and the area hierarchy. SQL stays here; callers get frames with named,
documented columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "regso_labels",
    "term_values",
    "series_years",
    "area_parents",
    "regso_stadsdel",
    "area_names",
    "area_centroids",
    "part_sums",
]


def regso_labels(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """``"Kommunnamn (RegSO-namn)"`` → RegSO 2020 code, from SCB's key as loaded in ``area``.

    Empty when the key has not been imported.
    """
    rows = con.execute(
        "SELECT k.name, r.name, r.code FROM area r JOIN area k "
        "ON k.system = 'kommun' AND k.code = r.kommun_code "
        "WHERE r.system = 'regso2020' AND r.name IS NOT NULL AND k.name IS NOT NULL"
    ).fetchall()
    return {f"{kommun} ({regso})": code for kommun, regso, code in rows}


def term_values(
    con: duckdb.DuckDBPyConnection,
    area_system: str,
    terms: Sequence[tuple[str, str]],
    years: Sequence[int] | None = None,
    kommuner: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Observed values of ``(indicator_id, breakdown)`` terms per area and year.

    Returns
    -------
    pandas.DataFrame
        ``area, kommun, year, indicator_id, breakdown, value, status`` — one row per
        observation (value NaN when missing or suppressed), ordered by area, year.
    """
    if not terms:
        raise ValueError("term_values needs at least one (indicator_id, breakdown) term")
    cond = " OR ".join("(o.indicator_id = ? AND o.breakdown = ?)" for _ in terms)
    params: list[object] = [area_system]
    for ind, brk in terms:
        params += [ind, brk]
    sql = (
        "SELECT o.area_code AS area, a.kommun_code AS kommun, o.year, o.indicator_id, "
        "o.breakdown, o.value, o.status FROM observation o "
        "LEFT JOIN area a ON a.system = o.area_system AND a.code = o.area_code "
        f"WHERE o.area_system = ? AND ({cond})"
    )
    if years:
        sql += f" AND o.year IN ({', '.join('?' for _ in years)})"
        params += [int(y) for y in years]
    if kommuner:
        sql += f" AND a.kommun_code IN ({', '.join('?' for _ in kommuner)})"
        params += list(kommuner)
    sql += " ORDER BY o.area_code, o.year, o.indicator_id, o.breakdown"
    return con.execute(sql, params).df()


def series_years(con: duckdb.DuckDBPyConnection, indicator_id: str, area_system: str) -> list[int]:
    """The statistics years of an indicator in an area system, ascending."""
    rows = con.execute(
        "SELECT DISTINCT year FROM observation WHERE indicator_id = ? AND area_system = ? "
        "ORDER BY 1",
        [indicator_id, area_system],
    ).fetchall()
    return [int(r[0]) for r in rows]


def area_parents(con: duckdb.DuckDBPyConnection, system: str) -> pd.DataFrame:
    """``code, parent_code, kommun`` of every area of ``system`` (DeSO → RegSO parents)."""
    return con.execute(
        "SELECT code, parent_code, kommun_code AS kommun FROM area WHERE system = ? ORDER BY 1",
        [system],
    ).df()


def regso_stadsdel(con: duckdb.DuckDBPyConnection, kommun: str | None = None) -> pd.DataFrame:
    """RegSO 2020 → user-defined stadsdel (``regso, stadsdel, stadsdel_name``)."""
    sql = (
        "SELECT c.from_code AS regso, c.to_code AS stadsdel, a.name AS stadsdel_name "
        "FROM crosswalk c JOIN area a ON a.system = 'stadsdel' AND a.code = c.to_code "
        "WHERE c.from_system = 'regso2020' AND c.to_system = 'stadsdel' AND c.weight >= 0.5"
    )
    params: list[object] = []
    if kommun:
        sql += " AND c.from_code LIKE ?"
        params.append(kommun + "%")
    return con.execute(sql + " ORDER BY 1, 2", params).df()


def area_names(
    con: duckdb.DuckDBPyConnection, system: str, kommun: str | None = None
) -> pd.DataFrame:
    """``code, name, kommun`` of the areas of ``system`` (optionally of one kommun)."""
    sql = "SELECT code, name, kommun_code AS kommun FROM area WHERE system = ?"
    params: list[object] = [system]
    if kommun:
        sql += " AND kommun_code = ?"
        params.append(kommun)
    return con.execute(sql + " ORDER BY 1", params).df()


def area_centroids(con: duckdb.DuckDBPyConnection, system: str) -> pd.DataFrame:
    """``code, x, y`` (EPSG:3006 centroids, NaN when the polygons are not loaded)."""
    return con.execute(
        "SELECT code, centroid_x AS x, centroid_y AS y FROM area WHERE system = ? ORDER BY 1",
        [system],
    ).df()


def part_sums(
    con: duckdb.DuckDBPyConnection,
    area_system: str,
    parts: Sequence[tuple[str, Sequence[tuple[str, str, int]]]],
    years: Sequence[int] | None = None,
    kommuner: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Signed sums of terms per area and year, one column per part.

    ``parts`` = ``[(name, [(indicator_id, breakdown, sign), ...]), ...]``. A part is NULL
    (NaN) for an area and year unless every one of its terms has a value there (strict).

    Returns
    -------
    pandas.DataFrame
        ``area, kommun, year, <part names...>`` ordered by area, year.
    """
    terms = list(dict.fromkeys((i, b) for _, ts in parts for i, b, _s in ts))
    if not terms:
        raise ValueError("part_sums needs at least one term")
    params: list[object] = []
    selects = []
    for j, (_name, ts) in enumerate(parts):
        conds = []
        for ind, brk, sign in ts:
            conds.append(("(o.indicator_id = ? AND o.breakdown = ?)", ind, brk, int(sign)))
        cond = " OR ".join(c for c, *_ in conds)
        case = " ".join("WHEN o.indicator_id = ? AND o.breakdown = ? THEN ?" for _ in conds)
        selects.append(
            f"CASE WHEN count(o.value) FILTER (WHERE {cond}) = ? "
            f"THEN sum(o.value * CASE {case} END) FILTER (WHERE {cond}) END AS p{j}"
        )
        for _c, ind, brk, _sign in conds:
            params += [ind, brk]
        params.append(len(conds))
        for _c, ind, brk, sign in conds:
            params += [ind, brk, sign]
        for _c, ind, brk, _sign in conds:
            params += [ind, brk]
    where = " OR ".join("(o.indicator_id = ? AND o.breakdown = ?)" for _ in terms)
    sql = (
        "SELECT o.area_code AS area, coalesce(a.kommun_code, '') AS kommun, o.year, "
        + ", ".join(selects)
        + " FROM observation o LEFT JOIN area a ON a.system = o.area_system AND a.code = o.area_code"
        + f" WHERE o.area_system = ? AND ({where})"
    )
    params.append(area_system)
    for ind, brk in terms:
        params += [ind, brk]
    if years:
        sql += f" AND o.year IN ({', '.join('?' for _ in years)})"
        params += [int(y) for y in years]
    if kommuner:
        sql += f" AND a.kommun_code IN ({', '.join('?' for _ in kommuner)})"
        params += list(kommuner)
    sql += " GROUP BY 1, 2, 3 ORDER BY 1, 3"
    df = con.execute(sql, params).df()
    return df.rename(columns={f"p{j}": name for j, (name, _) in enumerate(parts)})
