"""Read helpers for boundaries (EPSG:3006 WKB) used by the report's maps and ``areas.gpkg``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import duckdb

__all__ = ["regso_geometry", "deso_geometry", "police_geometry", "VINTAGE_LABEL"]

#: Human names of the boundary vintages (the code system the polygons were imported as).
VINTAGE_LABEL = {
    "regso2020": "RegSO 2020",
    "regso2025": "RegSO 2025",
    "deso2018": "DeSO 2018",
    "deso2025": "DeSO 2025",
}


def _area_geometry(
    con: duckdb.DuckDBPyConnection, kommun: str, systems: tuple[str, str]
) -> pd.DataFrame:
    """One polygon per code of the kommun: the statistics' own division if it has geometry,
    else the same code in the later division (SCB kept the codes; boundaries were adjusted)."""
    return con.execute(
        "SELECT code, name, system AS vintage, geometry_wkb FROM area "
        "WHERE system IN (?, ?) AND kommun_code = ? AND geometry_wkb IS NOT NULL "
        "QUALIFY row_number() OVER (PARTITION BY code ORDER BY system = ? DESC) = 1 "
        "ORDER BY code",
        [systems[0], systems[1], kommun, systems[0]],
    ).df()


def regso_geometry(con: duckdb.DuckDBPyConnection, kommun: str) -> pd.DataFrame:
    """``code, name, vintage, geometry_wkb`` of the kommun's RegSO (RegSO 2020 preferred)."""
    return _area_geometry(con, kommun, ("regso2020", "regso2025"))


def deso_geometry(con: duckdb.DuckDBPyConnection, kommun: str) -> pd.DataFrame:
    """``code, name, vintage, geometry_wkb`` of the kommun's DeSO (DeSO 2018 preferred)."""
    return _area_geometry(con, kommun, ("deso2018", "deso2025"))


def police_geometry(con: duckdb.DuckDBPyConnection, kommun: str) -> pd.DataFrame:
    """The latest polygon of every police area in the kommun:
    ``area_code, name, year, category, geometry_wkb`` (category of that list year)."""
    return con.execute(
        "SELECT g.area_code, a.name, g.year, p.category, g.geometry_wkb "
        "FROM police_area_geometry g JOIN area a ON a.system = 'police' AND a.code = g.area_code "
        "LEFT JOIN police_classification p ON p.area_code = g.area_code AND p.year = g.year "
        "WHERE a.kommun_code = ? "
        "QUALIFY row_number() OVER (PARTITION BY g.area_code ORDER BY g.year DESC) = 1 "
        "ORDER BY g.area_code",
        [kommun],
    ).df()
