"""Read queries for the report's key indicators, areas and provenance (``report/data.py``
and the indicator and segregation sections): DeSO observations, area names and
hierarchy, official områdestyper, provenance rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from grannskap.store.arrow import query_frame

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "latest_deso_year",
    "kommun_name",
    "kommun_exists",
    "kommun_count",
    "kommun_names",
    "deso_observations",
    "deso_years",
    "stadsdel_crosswalk",
    "regso_areas",
    "official_omradestyp",
    "provenance",
    "background_counts",
]

_DESO = "deso2018"


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)


def latest_deso_year(con: duckdb.DuckDBPyConnection, indicator_ids: Sequence[str]) -> int | None:
    """The latest year with a DeSO observation of any of ``indicator_ids``; None if none."""
    row = con.execute(
        f"SELECT max(year) FROM observation WHERE area_system = '{_DESO}' "
        f"AND indicator_id IN ({_marks(indicator_ids)})",
        list(indicator_ids),
    ).fetchone()
    return None if not row or row[0] is None else int(row[0])


def kommun_name(con: duckdb.DuckDBPyConnection, kommun: str) -> str | None:
    """The kommun's name, None if it is not in the database or has no name."""
    row = con.execute(
        "SELECT name FROM area WHERE system = 'kommun' AND code = ?", [kommun]
    ).fetchone()
    return str(row[0]) if row and row[0] else None


def kommun_exists(con: duckdb.DuckDBPyConnection, kommun: str) -> bool:
    """Whether ``kommun`` is a code of the ``kommun`` area system."""
    row = con.execute(
        "SELECT count(*) FROM area WHERE system = 'kommun' AND code = ?", [kommun]
    ).fetchone()
    return bool(row and row[0])


def kommun_count(con: duckdb.DuckDBPyConnection) -> int:
    """The number of municipalities in the database."""
    row = con.execute("SELECT count(*) FROM area WHERE system = 'kommun'").fetchone()
    return int(row[0]) if row else 0


def kommun_names(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every municipality: ``kommun, name``."""
    return con.execute("SELECT code AS kommun, name FROM area WHERE system = 'kommun'").df()


def deso_observations(
    con: duckdb.DuckDBPyConnection, indicator_ids: Sequence[str], years: Sequence[int] | None
) -> pd.DataFrame:
    """Observations of ``indicator_ids`` per DeSO (all years when ``years`` is None), with the
    DeSO's RegSO and kommun: ``deso, regso, kommun, year, indicator_id, breakdown, value``."""
    where_year = "" if years is None else f"AND o.year IN ({_marks(years)}) "
    return query_frame(
        con,
        "SELECT o.area_code AS deso, a.parent_code AS regso, a.kommun_code AS kommun, "
        "o.year, o.indicator_id, o.breakdown, o.value FROM observation o "
        f"JOIN area a ON a.system = '{_DESO}' AND a.code = o.area_code "
        f"WHERE o.area_system = '{_DESO}' {where_year}AND o.indicator_id IN "
        f"({_marks(indicator_ids)})",
        [*(years or []), *indicator_ids],
    )


def deso_years(con: duckdb.DuckDBPyConnection, indicator_ids: Sequence[str]) -> list[int]:
    """The years with a DeSO observation of any of ``indicator_ids``, ascending."""
    rows = con.execute(
        f"SELECT DISTINCT year FROM observation WHERE area_system = '{_DESO}' AND indicator_id IN "
        f"({_marks(indicator_ids)})",
        list(indicator_ids),
    ).fetchall()
    return sorted(int(r[0]) for r in rows)


def stadsdel_crosswalk(con: duckdb.DuckDBPyConnection, kommun: str) -> pd.DataFrame:
    """RegSO → user-defined stadsdel of the kommun (columns ``regso, stadsdel, stadsdel_name``)."""
    return con.execute(
        "SELECT c.from_code AS regso, c.to_code AS stadsdel, a.name AS stadsdel_name "
        "FROM crosswalk c JOIN area a ON a.system = 'stadsdel' AND a.code = c.to_code "
        "WHERE c.from_system = 'regso2020' AND c.to_system = 'stadsdel' AND c.from_code LIKE ? "
        "ORDER BY 1, 2",
        [kommun + "%"],
    ).df()


def regso_areas(con: duckdb.DuckDBPyConnection, kommun: str) -> pd.DataFrame:
    """The kommun's RegSO with their stadsdel (if any): ``regso, name, stadsdel,
    stadsdel_name``, by code."""
    return con.execute(
        "SELECT a.code AS regso, a.name, c.to_code AS stadsdel, s.name AS stadsdel_name FROM area a "
        "LEFT JOIN crosswalk c ON c.from_system = 'regso2020' AND c.from_code = a.code "
        "AND c.to_system = 'stadsdel' "
        "LEFT JOIN area s ON s.system = 'stadsdel' AND s.code = c.to_code "
        "WHERE a.system = 'regso2020' AND a.kommun_code = ? ORDER BY a.code",
        [kommun],
    ).df()


def official_omradestyp(con: duckdb.DuckDBPyConnection, kommun: str) -> pd.DataFrame:
    """SCB's official områdestyp per RegSO of the kommun and year (``regso, year, typ``)."""
    return con.execute(
        "SELECT o.area_code AS regso, o.year, CAST(o.value AS INTEGER) AS typ FROM observation o "
        "JOIN area a ON a.system = 'regso2020' AND a.code = o.area_code "
        "WHERE o.indicator_id = 'scb.omradestyp' AND a.kommun_code = ? ORDER BY 1, 2",
        [kommun],
    ).df()


def provenance(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every imported file: ``import_id, source, table_id, title, file_name, sha256_12,
    row_count, imported_at``, by import id."""
    return con.execute(
        "SELECT import_id, source, table_id, title, file_name, substr(file_hash, 1, 12) AS sha256_12, "
        "row_count, imported_at FROM provenance ORDER BY import_id"
    ).df()


def background_counts(con: duckdb.DuckDBPyConnection, indicator_id: str, year: int) -> pd.DataFrame:
    """Persons with foreign / Swedish background per DeSO of ``year`` from SCB's export
    ``indicator_id`` (000005FE): ``deso, kommun, foreign_bg, swedish_bg``, by DeSO code (a
    fixed row order, so that a seeded bootstrap gives the same interval on every run)."""
    return con.execute(
        "SELECT o.area_code AS deso, a.kommun_code AS kommun, "
        "sum(o.value) FILTER (WHERE o.breakdown = 'utlandsk_svensk_bakgrund=utländsk bakgrund') AS foreign_bg, "
        "sum(o.value) FILTER (WHERE o.breakdown = 'utlandsk_svensk_bakgrund=svensk bakgrund') AS swedish_bg "
        f"FROM observation o JOIN area a ON a.system = '{_DESO}' AND a.code = o.area_code "
        f"WHERE o.indicator_id = ? AND o.area_system = '{_DESO}' AND o.year = ? GROUP BY 1, 2 "
        "ORDER BY 1",
        [indicator_id, year],
    ).df()
