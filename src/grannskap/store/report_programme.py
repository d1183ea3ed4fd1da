"""Read queries for the report's programme section: the kommun's programmes, their
målområden and their interventions with målområde and area names."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import duckdb

__all__ = ["programmes", "malomrade_rows", "interventions"]


def programmes(con: duckdb.DuckDBPyConnection, kommun: str) -> pd.DataFrame:
    """Every column of the kommun's ``programme`` rows, by programme id."""
    return con.execute(
        "SELECT * FROM programme WHERE kommun_code = ? ORDER BY programme_id", [kommun]
    ).df()


def malomrade_rows(con: duckdb.DuckDBPyConnection, programme_id: str) -> pd.DataFrame:
    """Every column of the programme's ``malomrade`` rows, in the programme's order."""
    return con.execute(
        "SELECT * FROM malomrade WHERE programme_id = ? ORDER BY ordinal", [programme_id]
    ).df()


def interventions(con: duckdb.DuckDBPyConnection, programme_id: str, lang: str) -> pd.DataFrame:
    """Every column of the programme's ``intervention`` rows, by id, with
    ``malomrade_name`` (English with ``lang="en"`` where the målområde has an English name,
    else Swedish) and ``areas`` (its target areas' names, else codes, by code, joined by
    ", ")."""
    return con.execute(
        "SELECT i.*, CASE WHEN ? = 'en' AND coalesce(m.name_en, '') <> '' THEN m.name_en "
        "ELSE m.name_sv END AS malomrade_name, "
        "(SELECT string_agg(coalesce(a.name, ia.area_code), ', ' ORDER BY ia.area_code) "
        " FROM intervention_area ia LEFT JOIN area a ON a.system = ia.area_system "
        " AND a.code = ia.area_code WHERE ia.intervention_id = i.intervention_id) AS areas "
        "FROM intervention i LEFT JOIN malomrade m USING (malomrade_id) "
        "WHERE i.programme_id = ? ORDER BY i.intervention_id",
        [lang, programme_id],
    ).df()
