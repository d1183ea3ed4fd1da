"""A content digest of a grannskap database, to check that a faster importer writes the same rows.

``python -m benchmarks.db_digest DB`` prints one sha256 per table (observation, indicator, area,
provenance without its timestamp) over the rows sorted by their key, values rendered with
``repr`` (so that floats compare bit for bit).
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

__all__ = ["table_digests", "main"]

_QUERIES = {
    "observation": "SELECT indicator_id, area_system, area_code, year, breakdown, value, numerator, "
    "denominator, status, import_id FROM observation "
    "ORDER BY indicator_id, area_system, area_code, year, breakdown",
    "indicator": "SELECT * FROM indicator ORDER BY indicator_id",
    "area": "SELECT system, code, name, kommun_code, import_id FROM area ORDER BY system, code",
    "provenance": "SELECT import_id, source, table_id, title, file_name, file_hash, row_count, notes "
    "FROM provenance ORDER BY import_id",
}


def table_digests(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """``{table: sha256 hex}`` over every row of the table, sorted by its key."""
    out: dict[str, str] = {}
    for table, sql in _QUERIES.items():
        h = hashlib.sha256()
        n = 0
        for row in con.execute(sql).fetchall():
            h.update(repr(row).encode())
            h.update(b"\n")
            n += 1
        out[table] = f"{n} rows {h.hexdigest()}"
    return out


def main(argv: list[str]) -> None:
    from grannskap.store import connect

    con = connect(Path(argv[0]), read_only=True)
    for table, digest in table_digests(con).items():
        print(f"{table}: {digest}")
    con.close()


if __name__ == "__main__":
    main(sys.argv[1:])
