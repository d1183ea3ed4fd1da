"""The embedded DuckDB database: connection, versioned migrations, loading and queries.

Public API::

    from grannskap.store import connect, transaction
    con = connect("grannskap.duckdb")            # creates/migrates the file
    con = connect("grannskap.duckdb", read_only=True)

Where new code goes: schema changes are a new ``migrations/NNN_<name>.sql`` (never edit a
released one); writes of parsed inputs go through :mod:`grannskap.store.load`; read helpers
shared by report/web/CLI go in :mod:`grannskap.store.queries`.
"""

from __future__ import annotations

from grannskap.store.connection import connect, schema_version, transaction

__all__ = ["connect", "transaction", "schema_version"]
