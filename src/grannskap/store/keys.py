"""SCB key files (*kopplingstabeller*) in the database: the areas of the three levels with
names and parents, and the DeSO -> RegSO crosswalk, in one transaction. SQL stays in
``store/`` (issue 13); parsing is in :mod:`grannskap.ingest.keyfile`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from grannskap.store.connection import transaction
from grannskap.store.load import LoadResult, already_imported

if TYPE_CHECKING:
    import duckdb

    from grannskap.ingest.keyfile import KeyFile

__all__ = ["load_keyfile"]


def load_keyfile(con: duckdb.DuckDBPyConnection, key: KeyFile) -> LoadResult:
    """Create kommun/RegSO/DeSO areas with names and parents, and the DeSO -> RegSO crosswalk."""
    previous = already_imported(con, key.file_hash)
    if previous is not None:
        return LoadResult(key.file_name, "koppling", previous, 0, skipped=True)
    f = key.frame
    kommuner = f[["kommun", "kommun_name"]].drop_duplicates("kommun")
    regsos = f[["regso", "regso_name", "kommun"]].drop_duplicates("regso")
    with transaction(con):
        row = con.execute(
            "INSERT INTO provenance (source, table_id, title, file_name, file_hash, row_count) "
            "VALUES ('scb', 'koppling_deso2018_regso2020', 'SCB: nyckel DeSO 2018 – RegSO 2020', ?, ?, ?) "
            "RETURNING import_id",
            [key.file_name, key.file_hash, len(f)],
        ).fetchone()
        import_id = int(row[0])  # type: ignore[index]
        con.register("_k", kommuner)
        con.register("_r", regsos)
        con.register("_d", f)
        try:
            con.execute(
                "INSERT OR IGNORE INTO area (system, code, name, kommun_code, import_id) "
                "VALUES ('riket', '00', 'Riket', '', ?)",
                [import_id],
            )
            con.execute(
                "INSERT OR REPLACE INTO area (system, code, name, parent_system, parent_code, kommun_code, import_id) "
                "SELECT 'kommun', kommun, kommun_name, 'lan', substr(kommun, 1, 2), kommun, ? FROM _k",
                [import_id],
            )
            con.execute(
                "INSERT OR REPLACE INTO area (system, code, name, parent_system, parent_code, kommun_code, import_id) "
                "SELECT ?, regso, regso_name, 'kommun', kommun, kommun, ? FROM _r",
                [key.to_system, import_id],
            )
            con.execute(
                "INSERT OR REPLACE INTO area (system, code, name, parent_system, parent_code, kommun_code, import_id) "
                "SELECT ?, deso, NULL, ?, regso, kommun, ? FROM _d",
                [key.from_system, key.to_system, import_id],
            )
            con.execute(
                "INSERT OR REPLACE INTO crosswalk (from_system, from_code, to_system, to_code, weight, import_id) "
                "SELECT ?, deso, ?, regso, 1.0, ? FROM _d",
                [key.from_system, key.to_system, import_id],
            )
        finally:
            for name in ("_k", "_r", "_d"):
                con.unregister(name)
    return LoadResult(
        key.file_name, "koppling_deso2018_regso2020", import_id, len(f), skipped=False
    )
