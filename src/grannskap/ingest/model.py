"""What every importer produces: a :class:`ParsedTable`, independent of the file format.

Parsers (SCB xlsx/csv, JSON-stat 2, Kolada, register aggregation, ...) turn their input into a
``ParsedTable``; :func:`grannskap.store.load.load_parsed` writes it to the database in one
transaction with its provenance. Parsers never touch the database.

Observation frame columns (``OBSERVATION_COLUMNS``):

``indicator_id``  str    catalogue id, e.g. ``"scb.000005FE.utlandsk_bakgrund"``
``area_code``     str    region code as published (``"1490C1010"`` DeSO, ``"1490R003"`` RegSO, ``"1490"`` kommun, ``"00"`` Riket)
``year``          int    statistics year
``breakdown``     str    ``""`` for the total, else ``"key=value;key=value"`` (e.g. ``"kon=K"``)
``value``         float  the published value (NaN when missing or suppressed)
``numerator``     float  count behind a share, when known (NaN otherwise)
``denominator``   float  population the share is of, when known (NaN otherwise)
``status``        str    one of ``STATUSES``
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

__all__ = [
    "OBSERVATION_COLUMNS",
    "STATUSES",
    "Status",
    "IndicatorDef",
    "AreaDef",
    "ParsedTable",
    "empty_observations",
]

OBSERVATION_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "area_code",
    "year",
    "breakdown",
    "value",
    "numerator",
    "denominator",
    "status",
)

Status = Literal["ok", "missing", "suppressed", "zero", "preliminary"]
STATUSES: tuple[str, ...] = ("ok", "missing", "suppressed", "zero", "preliminary")
"""``missing`` = SCB ``..``/Kolada null; ``suppressed`` = hidden for confidentiality
(SCB ``x``/``.``-style markers); ``zero`` = SCB ``-`` (nothing to report)."""


@dataclass(frozen=True)
class IndicatorDef:
    """One entry of the indicator catalogue."""

    indicator_id: str
    name_sv: str
    name_en: str = ""
    unit: str = ""
    numerator_def: str = ""
    denominator_def: str = ""
    source_table: str = ""
    higher_is_better: bool | None = None
    responsible_board: str = ""
    kind: Literal["count", "share", "percent", "amount", "median", "mean", "other"] = "other"


@dataclass(frozen=True)
class AreaDef:
    """An area as a parser saw it (code systems are resolved by :mod:`grannskap.geography`)."""

    code: str
    name: str = ""
    system: str = ""  # e.g. "deso2018", "regso2020", "kommun", "lan", "riket", "police", "stadsdel"
    parent_code: str | None = None


@dataclass
class ParsedTable:
    """A parsed input, ready to be validated against the database and loaded."""

    source: str  # "scb", "kolada", "polisen", "register", "user"
    table_id: str  # e.g. SCB's "000005FE" or "TAB6586", Kolada KPI id
    title: str
    file_name: str
    file_hash: str  # sha256 of the bytes read
    observations: pd.DataFrame
    indicators: list[IndicatorDef] = field(default_factory=list)
    areas: list[AreaDef] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # footnotes, caveats read from the file
    year: int | None = None


def empty_observations() -> pd.DataFrame:
    """An empty observation frame with the right columns and dtypes."""
    return pd.DataFrame(
        {
            "indicator_id": pd.Series(dtype="string"),
            "area_code": pd.Series(dtype="string"),
            "year": pd.Series(dtype="int64"),
            "breakdown": pd.Series(dtype="string"),
            "value": pd.Series(dtype="float64"),
            "numerator": pd.Series(dtype="float64"),
            "denominator": pd.Series(dtype="float64"),
            "status": pd.Series(dtype="string"),
        }
    )
