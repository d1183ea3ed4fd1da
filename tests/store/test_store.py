"""The database: migrations, transactions, idempotency and clear errors."""

from __future__ import annotations

import hashlib
import multiprocessing
from pathlib import Path

import pytest

from grannskap.errors import DatabaseError, GrannskapError, SchemaVersionError
from grannskap.ingest.importer import import_file
from grannskap.store import connect, schema_version
from grannskap.store.connection import migrations


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_fresh_database_is_at_the_latest_schema(tmp_path: Path) -> None:
    con = connect(tmp_path / "g.duckdb")
    assert schema_version(con) == migrations()[-1][0]
    tables = {r[0] for r in con.execute("SHOW TABLES").fetchall()}
    assert {
        "area",
        "crosswalk",
        "indicator",
        "observation",
        "provenance",
        "programme",
        "malomrade",
        "effektmal",
        "intervention",
        "funding",
        "police_classification",
    } <= tables
    con.close()
    # reopening applies nothing new and keeps the version
    con = connect(tmp_path / "g.duckdb")
    assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == len(migrations())


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "g.duckdb"
    con = connect(path)
    con.execute("INSERT INTO schema_migrations (version, name) VALUES (999, 'future')")
    con.close()
    with pytest.raises(SchemaVersionError, match="newer than this grannskap supports"):
        connect(path)


def test_corrupt_and_missing_files_give_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(DatabaseError, match="bad.duckdb"):
        connect(bad)
    with pytest.raises(DatabaseError, match="no such database"):
        connect(tmp_path / "none.duckdb", read_only=True)


def _hold_lock(path: str, ready, release) -> None:  # type: ignore[no-untyped-def]
    con = connect(path)
    ready.set()
    release.wait(30)
    con.close()


def test_locked_database_gives_clear_error(tmp_path: Path) -> None:
    path = str(tmp_path / "g.duckdb")
    connect(path).close()
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(path, ready, release))
    proc.start()
    try:
        assert ready.wait(60)
        with pytest.raises(DatabaseError, match="locked"):
            connect(path)
    finally:
        release.set()
        proc.join(30)


def test_failed_import_leaves_the_file_byte_for_byte_unchanged(
    tmp_path: Path, shared_data: Path, tmp_xlsx, scb_rows
) -> None:
    path = tmp_path / "g.duckdb"
    con = connect(path)
    import_file(con, shared_data / "scb_koppling" / "koppling_deso2018_regso2020.csv")
    con.close()
    before = _digest(path)
    # valid rows first, then an unknown DeSO code (not in the loaded key) and a bad number
    bad = tmp_xlsx(
        scb_rows([["1490C1010", 1, 2, 3], ["1490C9999", 1, 2, 3], ["1490C1020", "x1", 2, 3]])
    )
    con = connect(path)
    with pytest.raises(GrannskapError) as err:
        import_file(con, bad)
    con.close()
    assert "x1" in "\n".join(err.value.lines())
    assert _digest(path) == before
    assert not Path(str(path) + ".wal").exists()
    # a failure at load time (unknown code after parsing succeeded) is also all-or-nothing
    bad2 = tmp_xlsx(scb_rows([["1490C1010", 1, 2, 3], ["1490C9999", 1, 2, 3]]), name="b2.xlsx")
    con = connect(path)
    with pytest.raises(GrannskapError, match="1490C9999"):
        import_file(con, bad2)
    con.close()
    assert _digest(path) == before


def test_reimport_is_idempotent(tmp_path: Path, tmp_xlsx, scb_rows) -> None:
    con = connect(tmp_path / "g.duckdb")
    f = tmp_xlsx(scb_rows([["1490C1010", 1, 2, 3]]))
    first = import_file(con, f)
    counts = [
        con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("observation", "provenance", "area")
    ]
    second = import_file(con, f)
    assert not first.skipped and second.skipped
    assert [
        con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("observation", "provenance", "area")
    ] == counts


def test_every_observation_has_provenance(tmp_path: Path, tmp_xlsx, scb_rows) -> None:
    con = connect(tmp_path / "g.duckdb")
    import_file(con, tmp_xlsx(scb_rows([["1490C1010", 1, 2, 3]])))
    orphans = con.execute(
        "SELECT count(*) FROM observation o LEFT JOIN provenance p USING (import_id) "
        "WHERE p.file_hash IS NULL"
    ).fetchone()[0]
    assert orphans == 0
    row = con.execute("SELECT source, table_id, length(file_hash) FROM provenance").fetchone()
    assert row == ("scb", "000005FE", 64)
