"""Loading a :class:`~grannskap.ingest.model.ParsedTable` into the database.

All validation happens before the first write; the writes are one transaction. So a failed
import leaves the database as it was, and re-importing the same bytes (same ``file_hash``)
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from grannskap.errors import Problem, ValidationError
from grannskap.geography.codes import normalize_code
from grannskap.ingest.model import OBSERVATION_COLUMNS, STATUSES, ParsedTable
from grannskap.store.connection import transaction

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "LoadResult",
    "load_parsed",
    "already_imported",
    "validate_observations",
    "record_provenance",
]


@dataclass(frozen=True)
class LoadResult:
    file_name: str
    table_id: str
    import_id: int | None
    rows: int
    skipped: bool  # True when the same bytes were imported before

    def describe(self) -> str:
        if self.skipped:
            return f"{self.file_name}: already imported (same content), nothing changed"
        return f"{self.file_name}: imported {self.rows} rows from table {self.table_id}"


def already_imported(con: duckdb.DuckDBPyConnection, file_hash: str) -> int | None:
    row = con.execute(
        "SELECT import_id FROM provenance WHERE file_hash = ?", [file_hash]
    ).fetchone()
    return int(row[0]) if row else None


def _known_codes(con: duckdb.DuckDBPyConnection, system: str) -> set[str]:
    return {
        r[0] for r in con.execute("SELECT code FROM area WHERE system = ?", [system]).fetchall()
    }


def validate_observations(
    con: duckdb.DuckDBPyConnection, parsed: ParsedTable
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check an observation frame; return it with an ``area_system`` column, and all problems."""
    obs = parsed.observations
    problems: list[Problem] = []
    missing_cols = [c for c in OBSERVATION_COLUMNS if c not in obs.columns]
    if missing_cols:
        return obs, [Problem(parsed.file_name, f"parser produced no column(s) {missing_cols}")]
    if obs.empty:
        return obs, [
            Problem(parsed.file_name, "no data rows found", expected="at least one observation")
        ]
    obs = obs.reset_index(drop=True).copy()
    bad_status = ~obs["status"].isin(STATUSES)
    for i in np.flatnonzero(bad_status.to_numpy())[:20]:
        problems.append(
            Problem(
                parsed.file_name,
                "unknown status",
                row=int(i) + 1,
                column="status",
                value=obs.at[i, "status"],
                expected=f"one of {list(STATUSES)}",
            )
        )
    # once per distinct (code, year): a table has ~6 k codes in ~270 k rows
    code_idx, code_u = pd.factorize(obs["area_code"], use_na_sentinel=False)
    year_idx, year_u = pd.factorize(obs["year"], use_na_sentinel=False)
    pair_u, pair_inv = np.unique(code_idx * len(year_u) + year_idx, return_inverse=True)
    code_list, year_list = list(code_u), list(year_u)
    normalized = [
        normalize_code(str(code_list[p // len(year_list)]), int(year_list[p % len(year_list)]))
        for p in pair_u.tolist()
    ]
    for column, part in (("area_system", 0), ("area_code", 1)):
        obs[column] = pd.Series([n[part] for n in normalized]).take(pair_inv).set_axis(obs.index)
    systems = {system for system, _ in normalized}
    unknown_pattern = obs["area_system"].isna()
    for i in np.flatnonzero(unknown_pattern.to_numpy())[:50]:
        problems.append(
            Problem(
                parsed.file_name,
                "not a Swedish region code",
                column="region",
                value=obs.at[i, "area_code"],
                expected="a DeSO (e.g. 1490C1010), RegSO (1490R003), kommun (1490), län (14) or riket (00) code",
            )
        )
    for system in sorted(
        set(s for s in systems if s in ("deso2018", "deso2025", "regso2020", "regso2025"))
    ):
        known = _known_codes(con, system)
        if not known:
            continue  # no reference list loaded for this system: pattern check only
        codes = set(obs.loc[obs["area_system"] == system, "area_code"].unique())
        for code in sorted(codes - known)[:50]:
            problems.append(
                Problem(
                    parsed.file_name,
                    f"unknown {system} code (not in the loaded SCB key)",
                    column="region",
                    value=code,
                    expected=f"a {system} code from SCB's key file",
                )
            )
    key = ["indicator_id", "area_code", "year", "breakdown"]
    dup = obs.duplicated(key, keep="first")
    for i in np.flatnonzero(dup.to_numpy())[:20]:
        r = obs.loc[i]
        problems.append(
            Problem(
                parsed.file_name,
                "duplicate key (same indicator, area, year and breakdown twice)",
                value=f"{r['indicator_id']} / {r['area_code']} / {r['year']} / {r['breakdown'] or 'totalt'}",
            )
        )
    return obs, problems


def record_provenance(con: duckdb.DuckDBPyConnection, parsed: ParsedTable, rows: int) -> int:
    """Insert the provenance row (inside the caller's transaction) and return its import id."""
    row = con.execute(
        "INSERT INTO provenance (source, table_id, title, file_name, file_hash, row_count, notes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING import_id",
        [
            parsed.source,
            parsed.table_id,
            parsed.title,
            parsed.file_name,
            parsed.file_hash,
            rows,
            "\n".join(parsed.notes) or None,
        ],
    ).fetchone()
    if row is None:  # pragma: no cover - RETURNING always yields a row
        raise RuntimeError("provenance insert returned nothing")
    return int(row[0])


def _defer_checkpoints(con: duckdb.DuckDBPyConnection) -> None:
    """Let the write-ahead log grow to 1 GB before DuckDB checkpoints (default 16 MB).

    Every checkpoint rewrites the observation table's primary-key index whole, so with the
    default a checkpoint every few imports made importing ten years of exports quadratic
    (per year 3 s at the first year, 20 s at the tenth); the log is checkpointed when the
    database is closed. Durability is unchanged: committed imports are in the log."""
    row = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()
    if row and str(row[0]).strip().upper() in ("16.0 MIB", "16.0MIB", "16MB", "16.7 MB"):
        con.execute("SET checkpoint_threshold = '1GB'")


def load_parsed(con: duckdb.DuckDBPyConnection, parsed: ParsedTable) -> LoadResult:
    """Validate and load one parsed table in a single transaction.

    Raises :class:`ValidationError` listing every problem; the database is untouched then.
    """
    previous = already_imported(con, parsed.file_hash)
    if previous is not None:
        return LoadResult(parsed.file_name, parsed.table_id, previous, 0, skipped=True)
    _defer_checkpoints(con)
    obs, problems = validate_observations(con, parsed)
    ValidationError.raise_if_any(problems)

    frame = obs[
        [
            "indicator_id",
            "area_system",
            "area_code",
            "year",
            "breakdown",
            "value",
            "numerator",
            "denominator",
            "status",
        ]
    ].copy()
    frame["year"] = frame["year"].astype("int64")
    for col in ("value", "numerator", "denominator"):
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    for col in ("indicator_id", "area_system", "area_code", "breakdown", "status"):
        frame[col] = frame[col].astype(str)
    indicators = pd.DataFrame(
        [
            {
                "indicator_id": d.indicator_id,
                "name_sv": d.name_sv,
                "name_en": d.name_en,
                "unit": d.unit,
                "kind": d.kind,
                "numerator_def": d.numerator_def,
                "denominator_def": d.denominator_def,
                "source_table": d.source_table,
                "higher_is_better": d.higher_is_better,
                "responsible_board": d.responsible_board,
            }
            for d in parsed.indicators
        ],
        columns=[
            "indicator_id",
            "name_sv",
            "name_en",
            "unit",
            "kind",
            "numerator_def",
            "denominator_def",
            "source_table",
            "higher_is_better",
            "responsible_board",
        ],
    )
    areas = (
        frame[["area_system", "area_code"]]
        .drop_duplicates()
        .rename(columns={"area_system": "system", "area_code": "code"})
    )
    names = {a.code: a.name for a in parsed.areas if a.name}
    areas["name"] = areas["code"].map(names)
    areas["kommun_code"] = areas["code"].where(~areas["system"].isin(["riket", "lan"]), "").str[:4]

    with transaction(con):
        import_id = record_provenance(con, parsed, len(frame))
        frame["import_id"] = import_id
        con.register("_new_obs", frame)
        con.register("_new_ind", indicators)
        con.register("_new_areas", areas)
        try:
            con.execute(
                "INSERT INTO indicator SELECT * FROM _new_ind "
                "WHERE indicator_id NOT IN (SELECT indicator_id FROM indicator)"
            )
            con.execute(
                "INSERT INTO area (system, code, name, kommun_code, import_id) "
                "SELECT system, code, name, kommun_code, ? FROM _new_areas n "
                "WHERE NOT EXISTS (SELECT 1 FROM area a WHERE a.system = n.system AND a.code = n.code)",
                [import_id],
            )
            con.execute(
                "INSERT OR REPLACE INTO observation (indicator_id, area_system, area_code, year, "
                "breakdown, value, numerator, denominator, status, import_id) "
                "SELECT indicator_id, area_system, area_code, year, breakdown, value, numerator, "
                "denominator, status, import_id FROM _new_obs"
            )
        finally:
            for name in ("_new_obs", "_new_ind", "_new_areas"):
                con.unregister(name)
    return LoadResult(parsed.file_name, parsed.table_id, import_id, len(frame), skipped=False)
