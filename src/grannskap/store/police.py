"""The Police's lists of *utsatta områden* in the database: loading a parsed list in one
transaction, and typed reads of the classifications and list counts. SQL stays in ``store/``
(issue 13); parsing is in :mod:`grannskap.ingest.police`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from grannskap.store.connection import transaction
from grannskap.store.load import LoadResult, already_imported

if TYPE_CHECKING:
    import duckdb

    from grannskap.ingest.police import PoliceList

__all__ = ["load_police", "police_classifications", "police_list_counts"]


def load_police(con: duckdb.DuckDBPyConnection, plist: PoliceList) -> LoadResult:
    """Load classifications, counts and polygons in one transaction (idempotent on the file hash)."""
    previous = already_imported(con, plist.file_hash)
    if previous is not None:
        return LoadResult(plist.file_name, "polisen", previous, 0, skipped=True)
    with transaction(con):
        row = con.execute(
            "INSERT INTO provenance (source, table_id, title, file_name, file_hash, row_count) "
            "VALUES ('polisen', ?, ?, ?, ?, ?) RETURNING import_id",
            [
                f"utsatta_omraden_{plist.kind}",
                "Polisen: utsatta områden",
                plist.file_name,
                plist.file_hash,
                len(plist.classifications),
            ],
        ).fetchone()
        import_id = int(row[0])  # type: ignore[index]
        cls = plist.classifications.assign(import_id=import_id)
        if len(cls):
            con.register("_c", cls)
            con.execute(
                "INSERT OR REPLACE INTO police_classification (area_code, name, ort, kommun_code, year, "
                "category, source_note, import_id) SELECT area_code, name, ort, kommun_code, year, category, "
                "source_note, import_id FROM _c"
            )
            con.execute(
                "INSERT INTO area (system, code, name, kommun_code, import_id) "
                "SELECT DISTINCT ON (area_code) 'police', area_code, name, kommun_code, import_id FROM _c "
                "WHERE area_code NOT IN (SELECT code FROM area WHERE system = 'police') ORDER BY area_code, year DESC"
            )
            con.unregister("_c")
        if len(plist.counts):
            con.register("_n", plist.counts.assign(import_id=import_id))
            con.execute(
                "INSERT OR REPLACE INTO police_list_count SELECT year, utsatt, riskomrade, sarskilt_utsatt, "
                "total, source_note, import_id FROM _n"
            )
            con.unregister("_n")
        if len(plist.geometries):
            g = plist.geometries.assign(import_id=import_id)
            con.register("_g", g)
            con.execute(
                "INSERT OR REPLACE INTO police_area_geometry SELECT area_code, year, geometry_wkb, area_km2, "
                "import_id FROM _g"
            )
            con.execute(
                "UPDATE area SET geometry_wkb = _g.geometry_wkb, centroid_x = _g.centroid_x, "
                "centroid_y = _g.centroid_y, name = _g.name FROM _g WHERE area.system = 'police' "
                "AND area.code = _g.area_code AND _g.year >= coalesce((SELECT max(year) FROM police_area_geometry p "
                "WHERE p.area_code = _g.area_code), 0)"
            )
            con.unregister("_g")
    return LoadResult(
        plist.file_name, "polisen", import_id, len(plist.classifications), skipped=False
    )


def police_classifications(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every stored classification: ``area_code, name, kommun_code, year, category``."""
    return con.execute(
        "SELECT area_code, name, kommun_code, year, category FROM police_classification"
    ).df()


def police_list_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The number of areas on each list: ``year, total``."""
    return con.execute("SELECT year, total FROM police_list_count").df()
