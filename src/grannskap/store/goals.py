"""Typed reads for the goals section (:mod:`grannskap.goals.report`): RegSO names and the
stadsdel each RegSO lies in. SQL stays in ``store/`` (issue 13)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import duckdb

__all__ = ["regso_names", "regso_stadsdel_names"]


def regso_names(con: duckdb.DuckDBPyConnection, kommun: str) -> pd.DataFrame:
    """The kommun's RegSO 2020 areas: ``area_code, name`` (in the database's order)."""
    return con.execute(
        "SELECT code AS area_code, name FROM area WHERE system = 'regso2020' AND kommun_code = ?",
        [kommun],
    ).df()


def regso_stadsdel_names(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every RegSO 2020 → stadsdel link: ``area_code, stadsdel`` (the stadsdel's name, its
    code where no name is stored)."""
    return con.execute(
        "SELECT c.from_code AS area_code, coalesce(a.name, c.to_code) AS stadsdel FROM crosswalk c "
        "LEFT JOIN area a ON a.system = 'stadsdel' AND a.code = c.to_code "
        "WHERE c.from_system = 'regso2020' AND c.to_system = 'stadsdel'"
    ).df()
