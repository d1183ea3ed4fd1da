"""Read queries for the per-board view: who is responsible for which målområde and
intervention, and the money spent per målområde and intervention."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import duckdb

__all__ = ["programme_of", "malomraden", "board_interventions", "spent_by_malomrade"]


def programme_of(con: duckdb.DuckDBPyConnection, kommun: str) -> pd.DataFrame:
    """The kommun's programmes (``programme_id, name, start_year, end_year``), by id."""
    return con.execute(
        "SELECT programme_id, name, start_year, end_year FROM programme "
        "WHERE kommun_code = ? ORDER BY programme_id",
        [kommun],
    ).df()


def malomraden(con: duckdb.DuckDBPyConnection, programme_id: str) -> pd.DataFrame:
    """``malomrade_id, name_sv, name_en, responsible, ordinal`` in the programme's order."""
    return con.execute(
        "SELECT malomrade_id, name_sv, name_en, responsible, ordinal FROM malomrade "
        "WHERE programme_id = ? ORDER BY ordinal, malomrade_id",
        [programme_id],
    ).df()


def board_interventions(con: duckdb.DuckDBPyConnection, programme_id: str) -> pd.DataFrame:
    """Interventions with the board that runs them: ``intervention_id, name, type,
    malomrade_id, start_year, board`` (the intervention's own ``responsible``, else its
    målområde's, else '') and ``spent_sek`` (sum of its funding rows; NULL when none)."""
    return con.execute(
        "SELECT i.intervention_id, i.name, i.type, i.malomrade_id, i.start_year, "
        "coalesce(nullif(i.responsible, ''), nullif(m.responsible, ''), '') AS board, "
        "(SELECT sum(f.amount_sek) FROM funding f WHERE f.programme_id = i.programme_id "
        " AND f.intervention_id = i.intervention_id AND f.kind = 'spent') AS spent_sek "
        "FROM intervention i LEFT JOIN malomrade m USING (malomrade_id) "
        "WHERE i.programme_id = ? ORDER BY i.name",
        [programme_id],
    ).df()


def spent_by_malomrade(con: duckdb.DuckDBPyConnection, programme_id: str) -> dict[str, float]:
    """Money spent per målområde as the source states it (``dimension = 'category'``)."""
    rows = con.execute(
        "SELECT malomrade_id, sum(amount_sek) FROM funding WHERE programme_id = ? "
        "AND kind = 'spent' AND dimension = 'category' AND malomrade_id IS NOT NULL GROUP BY 1",
        [programme_id],
    ).fetchall()
    return {str(m): float(v) for m, v in rows}
