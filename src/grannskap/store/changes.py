"""Storing and reading SCB's change logs between DeSO/RegSO versions (table ``area_change``).

A key DeSO 2025 → RegSO 2025 creates the 2025 areas and their crosswalk. A change log adds
no crosswalk rows: the logs say *that* a part moved, not how many people live in it, so a
RegSO 2020 and the RegSO 2025 with the same code are the same area only where the log lists
no change. :func:`changed_areas` answers the question the report and the spine ask: which
areas' boundaries moved at a revision, so that a series that crosses it is flagged instead of
silently joined.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from grannskap.store.connection import transaction
from grannskap.store.load import LoadResult, already_imported

if TYPE_CHECKING:
    import duckdb

    from grannskap.ingest.changelog import ChangeLog

__all__ = ["load_changelog", "changed_areas"]


def load_changelog(con: duckdb.DuckDBPyConnection, log: ChangeLog) -> LoadResult:
    """Store a parsed change log or 2025 key in one transaction (idempotent on the bytes)."""
    previous = already_imported(con, log.file_hash)
    if previous is not None:
        return LoadResult(log.file_name, log.kind, previous, 0, skipped=True)
    frame = log.frame
    with transaction(con):
        row = con.execute(
            "INSERT INTO provenance (source, table_id, title, file_name, file_hash, row_count) "
            "VALUES ('scb', ?, ?, ?, ?, ?) RETURNING import_id",
            [log.kind, log.title, log.file_name, log.file_hash, len(frame)],
        ).fetchone()
        import_id = int(row[0])  # type: ignore[index]
        con.register("_chg", frame)
        try:
            if log.kind == "deso_regso_key_2025":
                # RegSO 2025 areas take the name of the same code in RegSO 2020 where known
                con.execute(
                    "INSERT OR IGNORE INTO area (system, code, name, parent_system, parent_code, "
                    "kommun_code, import_id) SELECT DISTINCT 'regso2025', c.regso, r.name, "
                    "'kommun', substr(c.regso, 1, 4), substr(c.regso, 1, 4), ? FROM _chg c "
                    "LEFT JOIN area r ON r.system = 'regso2020' AND r.code = c.regso",
                    [import_id],
                )
                con.execute(
                    "INSERT OR IGNORE INTO area (system, code, name, parent_system, parent_code, "
                    "kommun_code, import_id) SELECT 'deso2025', deso, NULL, 'regso2025', regso, "
                    "substr(deso, 1, 4), ? FROM _chg",
                    [import_id],
                )
                con.execute(
                    "INSERT OR REPLACE INTO crosswalk (from_system, from_code, to_system, "
                    "to_code, weight, import_id) SELECT 'deso2025', deso, 'regso2025', regso, "
                    "1.0, ? FROM _chg",
                    [import_id],
                )
            else:
                con.execute(
                    "INSERT OR IGNORE INTO area_change SELECT from_system, from_code, to_system, "
                    "to_code, change, changed_on, ? FROM _chg",
                    [import_id],
                )
        finally:
            con.unregister("_chg")
    return LoadResult(log.file_name, log.kind, import_id, len(frame), skipped=False)


def changed_areas(
    con: duckdb.DuckDBPyConnection, from_system: str, kommun: str | None = None
) -> pd.DataFrame:
    """Areas of ``from_system`` ('regso2020', 'deso2018') whose boundaries changed at a
    revision: ``code, name, changed_on, changes, in_regso_log``, ordered by code.

    A RegSO 2020 counts as changed when SCB's RegSO log lists it (``in_regso_log``) or when
    one of its DeSO is in the DeSO log, as the DeSO 2018 that changed or as the DeSO 2025 that
    received a part (a DeSO boundary adjustment moves the RegSO's boundary too where it runs
    along it; the log does not say, so it is flagged). ``changes`` is SCB's wording,
    '; '-joined.
    """
    like = kommun or ""
    if from_system == "regso2020":
        sql = (
            "WITH hits AS ("
            " SELECT from_code AS code, changed_on, change, TRUE AS in_log FROM area_change"
            " WHERE from_system = 'regso2020'"
            " UNION ALL"
            " SELECT x.to_code, c.changed_on, 'DeSO ' || c.from_code || ': ' || c.change, FALSE"
            " FROM area_change c JOIN crosswalk x ON x.from_system = 'deso2018'"
            " AND x.from_code = c.from_code AND x.to_system = 'regso2020'"
            " WHERE c.from_system = 'deso2018'"
            " UNION ALL"  # the RegSO that received a part (same code in both versions)
            " SELECT x.to_code, c.changed_on, 'DeSO ' || c.to_code || ': ' || c.change, FALSE"
            " FROM area_change c JOIN crosswalk x ON x.from_system = 'deso2025'"
            " AND x.from_code = c.to_code AND x.to_system = 'regso2025'"
            " WHERE c.from_system = 'deso2018')"
            " SELECT h.code, any_value(a.name) AS name, min(h.changed_on) AS changed_on,"
            " string_agg(DISTINCT h.change, '; ' ORDER BY h.change) AS changes,"
            " bool_or(h.in_log) AS in_regso_log FROM hits h"
            " LEFT JOIN area a ON a.system = 'regso2020' AND a.code = h.code"
            " WHERE starts_with(h.code, ?) GROUP BY h.code ORDER BY h.code"
        )
        return con.execute(sql, [like]).df()
    # DeSO: the one that gave a part and the one that received it (same code in both versions)
    return con.execute(
        "WITH hits AS (SELECT from_code AS code, changed_on, change FROM area_change "
        "WHERE from_system = ? UNION ALL SELECT to_code, changed_on, 'mottar del: ' || change "
        "FROM area_change WHERE from_system = ? AND to_code <> from_code) "
        "SELECT h.code, any_value(a.name) AS name, min(h.changed_on) AS changed_on, "
        "string_agg(DISTINCT h.change, '; ' ORDER BY h.change) AS changes, "
        "FALSE AS in_regso_log FROM hits h "
        "LEFT JOIN area a ON a.system = ? AND a.code = h.code "
        "WHERE starts_with(h.code, ?) GROUP BY h.code ORDER BY h.code",
        [from_system, from_system, from_system, like],
    ).df()
