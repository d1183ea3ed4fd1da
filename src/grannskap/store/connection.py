"""Opening the database file with clear errors, and applying migrations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from grannskap.errors import DatabaseError, SchemaVersionError

if TYPE_CHECKING:
    import duckdb

__all__ = ["connect", "transaction", "schema_version", "migrations"]

_MIGRATION_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+)\.sql$")


def migrations() -> list[tuple[int, str, str]]:
    """All shipped migrations as ``(version, name, sql)``, in order."""
    found = []
    for entry in resources.files("grannskap.store").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), match.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this database (0 for an empty database)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_migrations'"
    ).fetchone()
    if not exists or exists[0] == 0:
        return 0
    row = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def _migrate(con: duckdb.DuckDBPyConnection, path: str) -> None:
    available = migrations()
    latest = available[-1][0] if available else 0
    current = schema_version(con)
    if current > latest:
        raise SchemaVersionError(
            f"{path}: database schema version {current} is newer than this grannskap "
            f"supports ({latest}); upgrade grannskap"
        )
    pending = [m for m in available if m[0] > current]
    if not pending:
        return
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
            "applied_at TIMESTAMP NOT NULL DEFAULT current_timestamp)"
        )
        for version, name, sql in pending:
            con.execute(sql)
            con.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name]
            )
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def connect(
    path: str | Path = "grannskap.duckdb", *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (and, unless read-only, create and migrate) the database at ``path``.

    ``":memory:"`` gives an in-memory database. Raises :class:`DatabaseError` with a
    one-line explanation when the file is locked by another process, corrupt, or missing
    in read-only mode.
    """
    import duckdb

    text = str(path)
    if read_only and text != ":memory:" and not Path(text).exists():
        raise DatabaseError(
            f"{text}: no such database; create it with `grannskap import` or `--demo`"
        )
    if text != ":memory:" and Path(text).is_dir():
        raise DatabaseError(f"{text}: is a directory, expected a DuckDB database file")
    try:
        con = duckdb.connect(text, read_only=read_only)
    except duckdb.IOException as exc:
        msg = str(exc)
        if "lock" in msg.lower():
            raise DatabaseError(
                f"{text}: the database is locked by another process (close it and retry)"
            ) from exc
        raise DatabaseError(f"{text}: cannot open the database ({msg.splitlines()[0]})") from exc
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise DatabaseError(f"{text}: not a usable DuckDB database ({first})") from exc
    try:
        if read_only:
            if schema_version(con) == 0:
                raise DatabaseError(f"{text}: not a grannskap database (no schema)")
            latest = migrations()[-1][0]
            if schema_version(con) > latest:
                raise SchemaVersionError(
                    f"{text}: database schema version {schema_version(con)} is newer than "
                    f"this grannskap supports ({latest}); upgrade grannskap"
                )
        else:
            _migrate(con, text)
    except Exception:
        con.close()
        raise
    return con


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """``BEGIN`` ... ``COMMIT``, or ``ROLLBACK`` on any exception (which is re-raised)."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
