"""Which years of which indicators the database already holds (for resumable fetches)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

__all__ = ["years_present", "stored_series"]


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


def stored_series(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, str, int, int, int]]:
    """Every stored indicator with totals: ``(indicator_id, name_sv, name_en, area_system,
    first_year, last_year, n_years)``, one row per area system, ordered by id."""
    rows = con.execute(
        "SELECT o.indicator_id, coalesce(i.name_sv, ''), coalesce(i.name_en, ''), o.area_system, "
        "min(o.year), max(o.year), count(DISTINCT o.year) FROM observation o "
        "LEFT JOIN indicator i USING (indicator_id) WHERE o.breakdown = '' "
        "GROUP BY ALL ORDER BY 1, 4"
    ).fetchall()
    return [
        (str(a), str(b), str(c), str(d), int(e), int(f), int(g)) for a, b, c, d, e, f, g in rows
    ]
