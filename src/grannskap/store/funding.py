"""Typed reads of the funding ledger (table ``funding``) for the reconciliation in
:mod:`grannskap.evaluation.ledger`. SQL stays in ``store/`` (issue 13)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from grannskap.errors import ConfigError

if TYPE_CHECKING:
    import duckdb

__all__ = ["funding_entries", "funding_by"]


def funding_entries(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every funding row in entry order, all columns of ``funding``: ``entry_id,
    programme_id, kind, dimension, year, category, malomrade_id, intervention_id, amount_sek``
    (``Decimal``), ``funding_source, label, source_note, import_id``."""
    return con.execute("SELECT * FROM funding ORDER BY entry_id").df()


def funding_by(con: duckdb.DuckDBPyConnection, by: str, programme_id: str) -> pd.DataFrame:
    """Spending by ``"type"`` (intervention type) or ``"malomrade"`` over time, from
    intervention rows: ``year, key, amount_sek`` (``key`` = the type or målområde id,
    ``'okänt'`` where the intervention has none)."""
    if by not in ("type", "malomrade"):
        raise ConfigError(f"`by` was {by!r} but is expected to be one of ['type', 'malomrade']")
    col = "i.type" if by == "type" else "coalesce(i.malomrade_id, 'okänt')"
    return con.execute(
        f"SELECT f.year, {col} AS key, sum(f.amount_sek) AS amount_sek FROM funding f "
        "JOIN intervention i USING (intervention_id) WHERE f.programme_id = ? AND f.dimension = 'intervention' "
        "GROUP BY ALL ORDER BY 1, 2",
        [programme_id],
    ).df()
