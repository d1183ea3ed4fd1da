"""Read helpers for programmes: effektmål with their målområde, and the years an indicator is held."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "effektmal",
    "observation_years",
    "funding_rows",
    "programme_import",
    "programme_ids",
    "replace_template_funding",
]


def effektmal(con: duckdb.DuckDBPyConnection, programme_id: str) -> pd.DataFrame:
    """The programme's effektmål in their order: ``effektmal_id, malomrade_id, malomrade_sv,
    malomrade_en, name_sv, name_en, known, indicator_ids, ordinal``."""
    return con.execute(
        "SELECT e.effektmal_id, e.malomrade_id, m.name_sv AS malomrade_sv, m.name_en AS malomrade_en, "
        "e.name_sv, e.name_en, e.known, e.indicator_ids, e.ordinal FROM effektmal e "
        "JOIN malomrade m USING (malomrade_id) WHERE m.programme_id = ? "
        "UNION ALL "
        "SELECT e.effektmal_id, NULL, NULL, NULL, e.name_sv, e.name_en, e.known, e.indicator_ids, e.ordinal "
        "FROM effektmal e JOIN provenance p USING (import_id) "
        "WHERE e.malomrade_id IS NULL AND p.source = 'programme' AND p.table_id = ? "
        "ORDER BY ordinal",
        [programme_id, programme_id],
    ).df()


def observation_years(
    con: duckdb.DuckDBPyConnection, indicator_id: str, area_system: str = "deso2018"
) -> list[int]:
    """The years for which ``indicator_id`` is held at ``area_system``."""
    rows = con.execute(
        "SELECT DISTINCT year FROM observation WHERE indicator_id = ? AND area_system = ? ORDER BY 1",
        [indicator_id, area_system],
    ).fetchall()
    return [int(r[0]) for r in rows]


def funding_rows(con: duckdb.DuckDBPyConnection, programme_id: str) -> pd.DataFrame:
    """Funding rows by year × målområde × intervention (``dimension = 'intervention'``):
    ``kind, year, malomrade_id, malomrade_sv, malomrade_en, intervention_id, intervention,
    funding_source, amount_sek, source_note``."""
    return con.execute(
        "SELECT f.kind, f.year, f.malomrade_id, m.name_sv AS malomrade_sv, m.name_en AS malomrade_en, "
        "f.intervention_id, i.name AS intervention, f.funding_source, f.amount_sek, f.source_note "
        "FROM funding f LEFT JOIN malomrade m ON m.malomrade_id = f.malomrade_id "
        "LEFT JOIN intervention i ON i.intervention_id = f.intervention_id "
        "WHERE f.programme_id = ? AND f.dimension = 'intervention' "
        "ORDER BY f.year NULLS LAST, m.ordinal NULLS LAST, i.name NULLS LAST, f.funding_source",
        [programme_id],
    ).df()


def programme_import(con: duckdb.DuckDBPyConnection, programme_id: str) -> str | None:
    """The file name the programme was imported from (None if unknown)."""
    row = con.execute(
        "SELECT p.file_name FROM programme g JOIN provenance p USING (import_id) WHERE g.programme_id = ?",
        [programme_id],
    ).fetchone()
    return None if row is None else str(row[0])


def programme_ids(
    con: duckdb.DuckDBPyConnection, programme_id: str
) -> tuple[set[str], set[str]] | None:
    """``(målområde ids, intervention ids)`` of a programme, None if it is not in the database."""
    if not con.execute("SELECT 1 FROM programme WHERE programme_id = ?", [programme_id]).fetchone():
        return None
    mal = {
        str(r[0])
        for r in con.execute(
            "SELECT malomrade_id FROM malomrade WHERE programme_id = ?", [programme_id]
        ).fetchall()
    }
    inter = {
        str(r[0])
        for r in con.execute(
            "SELECT intervention_id FROM intervention WHERE programme_id = ?", [programme_id]
        ).fetchall()
    }
    return mal, inter


def replace_template_funding(
    con: duckdb.DuckDBPyConnection,
    programme_id: str,
    file_name: str,
    file_hash: str,
    rows: pd.DataFrame,
) -> int:
    """Record the import and replace the programme's rows from earlier funding templates
    (call inside a transaction). Returns the new import id."""
    import_id = int(
        con.execute(
            "INSERT INTO provenance (source, table_id, title, file_name, file_hash, row_count) "
            "VALUES ('funding_xlsx', ?, 'Finansiering per år, målområde och insats', ?, ?, ?) "
            "RETURNING import_id",
            [programme_id, file_name, file_hash, len(rows)],
        ).fetchone()[0]  # type: ignore[index]
    )
    con.execute(
        "DELETE FROM funding WHERE programme_id = ? AND import_id IN "
        "(SELECT import_id FROM provenance WHERE source = 'funding_xlsx' AND table_id = ? AND import_id <> ?)",
        [programme_id, programme_id, import_id],
    )

    def text(v: object) -> str | None:
        return v if isinstance(v, str) else None

    for r in rows.itertuples():
        con.execute(
            "INSERT INTO funding (programme_id, kind, dimension, year, malomrade_id, intervention_id, "
            "amount_sek, funding_source, label, source_note, import_id) "
            "VALUES (?, ?, 'intervention', ?, ?, ?, CAST(? AS DECIMAL(18, 2)), ?, NULL, ?, ?)",
            [
                programme_id,
                r.kind,
                None if pd.isna(r.year) else int(r.year),
                text(r.malomrade_id),
                text(r.intervention_id),
                str(r.amount_sek),
                text(r.funding_source),
                text(r.source_note),
                import_id,
            ],
        )
    return import_id
