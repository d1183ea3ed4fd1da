"""Read queries for the report's police-list parts (``report/sections/_common.py``,
``police.py``, ``methods.py``): a kommun's classified areas, which list years are held in
full, polygons of listed areas and the place names of other kommuner."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "PoliceGeometry",
    "kommun_classifications",
    "list_counts",
    "list_sources",
    "full_list_years",
    "list_years",
    "overlap_candidates",
    "geometry_counts",
    "other_kommun_names",
    "other_police_area_names",
]


class PoliceGeometry(NamedTuple):
    """A police area's polygon on one list (WKB) with its name on that list (None if the
    area has a polygon but no classification row that year)."""

    area_code: str
    year: int
    geometry_wkb: bytes
    name: str | None


def kommun_classifications(con: duckdb.DuckDBPyConnection, kommun: str) -> pd.DataFrame:
    """The kommun's classified police areas: ``area_code, name, year, category,
    source_note``, by area and year."""
    return con.execute(
        "SELECT area_code, name, year, category, source_note FROM police_classification "
        "WHERE kommun_code = ? ORDER BY area_code, year",
        [kommun],
    ).df()


def list_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every column of ``police_list_count`` (the national count per list and category), by
    year."""
    return con.execute("SELECT * FROM police_list_count ORDER BY year").df()


def list_sources(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The source note of each list: ``year, source_note``, by year."""
    return con.execute("SELECT year, source_note FROM police_list_count ORDER BY year").df()


def full_list_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """The list years held in full for all of Sweden (at least as many classified areas as
    the list's national count), ascending."""
    rows = con.execute(
        "SELECT c.year FROM police_list_count c JOIN (SELECT year, count(DISTINCT area_code) AS n "
        "FROM police_classification GROUP BY year) p USING (year) WHERE p.n >= c.total"
    ).fetchall()
    return sorted(int(r[0]) for r in rows)


def list_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Every list year known (national counts or area rows), ascending."""
    rows = con.execute(
        "SELECT year FROM police_list_count UNION SELECT year FROM police_classification"
    ).fetchall()
    return sorted(int(r[0]) for r in rows)


def overlap_candidates(
    con: duckdb.DuckDBPyConnection, area_code: str, year: int
) -> list[PoliceGeometry]:
    """The polygons of ``area_code`` on lists after ``year`` and of every other area on the
    list of ``year``, latest year first (to look for an area it was split from)."""
    rows = con.execute(
        "SELECT g.area_code, g.year, g.geometry_wkb, p.name FROM police_area_geometry g "
        "LEFT JOIN police_classification p ON p.area_code = g.area_code AND p.year = g.year "
        "WHERE (g.area_code = ? AND g.year > ?) OR (g.year = ? AND g.area_code <> ?) "
        "ORDER BY g.year DESC",
        [area_code, year, year, area_code],
    ).fetchall()
    return [
        PoliceGeometry(str(c), int(y), bytes(g), None if n is None else str(n))
        for c, y, g, n in rows
    ]


def geometry_counts(con: duckdb.DuckDBPyConnection, area_code: str, year: int) -> tuple[int, int]:
    """``(polygons of area_code in any year, polygons of any area in year)``."""
    row = con.execute(
        "SELECT count(*) FILTER (WHERE area_code = ?), count(*) FILTER (WHERE year = ?) "
        "FROM police_area_geometry",
        [area_code, year],
    ).fetchone()
    return (0, 0) if row is None else (int(row[0]), int(row[1]))


def other_kommun_names(con: duckdb.DuckDBPyConnection, kommun: str) -> list[str]:
    """The names of every other municipality."""
    rows = con.execute(
        "SELECT name FROM area WHERE system = 'kommun' AND code <> ? AND name IS NOT NULL",
        [kommun],
    ).fetchall()
    return [str(n) for (n,) in rows]


def other_police_area_names(con: duckdb.DuckDBPyConnection, kommun: str) -> list[str]:
    """The distinct names of police areas outside ``kommun`` (or of no kommun)."""
    rows = con.execute(
        "SELECT DISTINCT name FROM police_classification WHERE coalesce(kommun_code, '') <> ?",
        [kommun],
    ).fetchall()
    return [str(n) for (n,) in rows]
