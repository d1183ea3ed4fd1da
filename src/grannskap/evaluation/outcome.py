"""The outcome panel of an evaluation from the indicator catalogue (the ids `grannskap
indicators` lists).

``grannskap evaluate --outcome utrikes_fodda`` reads the indicator through the indicator spine
(:func:`grannskap.indicators.indicator_values`) at the level of area with the longest series —
RegSO 2020 for the shipped 2020–2023 series — instead of one stored table. Raw stored series
ids (``scb.TAB6572`` …) are not catalogue ids and keep being read as stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from grannskap.indicators import INDICATORS, Indicator, available_years, indicator_values

if TYPE_CHECKING:
    import duckdb

__all__ = ["CatalogueOutcome", "catalogue_outcome", "EVALUATION_LEVELS"]

EVALUATION_LEVELS: dict[str, str] = {"regso": "regso2020", "deso": "deso2018"}
"""Levels an outcome can be evaluated at and the area system of their codes (finest last)."""


@dataclass(frozen=True)
class CatalogueOutcome:
    """A catalogue indicator read for an evaluation."""

    indicator: Indicator
    level: str  # 'regso' or 'deso'
    area_system: str  # the system of the panel's area codes
    years: tuple[int, ...]
    panel: pd.DataFrame  # area_code, year, value, source, title, area_system, kommun

    def describe(self, lang: str) -> str:
        """``Utrikes födda [%], RegSO 2020–2023, SCB TAB6572`` (for the verdict's header)."""
        span = f"{self.years[0]}–{self.years[-1]}" if len(self.years) > 1 else str(self.years[0])
        tables = ", ".join(sorted(self.panel["source"].dropna().unique()))
        unit = {"percent": "%", "persons": "personer" if lang == "sv" else "persons"}.get(
            self.indicator.unit, self.indicator.unit
        )
        level = {"regso": "RegSO", "deso": "DeSO"}[self.level]
        return f"{self.indicator.name(lang)} [{unit}], {level} {span}, SCB {tables}"


def catalogue_outcome(con: duckdb.DuckDBPyConnection, outcome: str) -> CatalogueOutcome | None:
    """The panel of catalogue indicator ``outcome``, or ``None`` if it is not a catalogue id.

    The level is the one with the most years of data (RegSO before DeSO on a tie); a level
    without data is skipped. Returns ``None`` also when the indicator has no data at any level
    (the caller's error then names what is missing).
    """
    ind = next((i for i in INDICATORS if i.id == outcome), None)
    if ind is None:
        return None
    best: tuple[str, list[int]] | None = None
    for level in EVALUATION_LEVELS:
        years = available_years(con, ind.bindings, level)
        if years and (best is None or len(years) > len(best[1])):
            best = (level, years)
    if best is None:
        return None
    level, years = best
    values = indicator_values(con, ind, level, years)
    system = EVALUATION_LEVELS[level]
    panel = pd.DataFrame(
        {
            "area_code": values["area"].astype(str),
            "year": values["year"].astype("int64"),
            "value": values["value"].astype("float64"),
            "source": values["source"].astype(str),
            "title": ind.name_sv,
            "area_system": system,
            "kommun": values["kommun"].astype(str),
        }
    ).dropna(subset=["value"])
    return CatalogueOutcome(
        indicator=ind,
        level=level,
        area_system=system,
        years=tuple(sorted(int(y) for y in panel["year"].unique())),
        panel=panel.reset_index(drop=True),
    )
