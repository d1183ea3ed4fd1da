"""Which years of which indicators the database already holds (for resumable fetches)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

__all__ = ["years_present"]


def years_present(
    con: duckdb.DuckDBPyConnection, indicator_ids: Sequence[str], area_code_prefix: str
) -> set[int]:
    """Years for which *every* indicator in ``indicator_ids`` has an observation in an area
    whose code starts with ``area_code_prefix`` (``"1490"`` for Borås, ``""`` for any)."""
    if not indicator_ids:
        return set()
    marks = ", ".join("?" for _ in indicator_ids)
    rows = con.execute(
        f"SELECT year FROM observation WHERE indicator_id IN ({marks}) "
        "AND starts_with(area_code, ?) GROUP BY year "
        "HAVING count(DISTINCT indicator_id) = ?",
        [*indicator_ids, area_code_prefix, len(set(indicator_ids))],
    ).fetchall()
    return {int(r[0]) for r in rows}
