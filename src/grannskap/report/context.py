"""The objects sections produce (figures, tables) and the context they are built in."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from grannskap._literals import Lang

if TYPE_CHECKING:
    import duckdb

__all__ = ["Column", "Figure", "Table", "SectionResult", "ReportContext", "Lang"]

ColumnKind = Literal["text", "int", "num1", "num3", "pct1", "kr", "year"]


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    kind: ColumnKind = "text"
    lang: str | None = None  # language of the cells when they quote a source (e.g. "sv")


@dataclass
class Figure:
    """An SVG figure with its alt text (``alt``) and source line (data year and source)."""

    key: str
    title: str
    svg: str
    alt: str
    source: str
    number: int = 0
    source_lang: str | None = None  # language of ``source`` when it quotes a data file


@dataclass
class Table:
    """A table as raw values (for XLSX/CSV) plus column labels and formats (for HTML)."""

    key: str
    title: str
    frame: pd.DataFrame
    columns: list[Column]
    source: str
    note: str = ""
    number: int = 0
    source_lang: str | None = None  # language of ``source`` when it quotes a data file

    def labelled(self) -> pd.DataFrame:
        """The frame restricted to the shown columns, with their labels as headers."""
        return self.frame[[c.field for c in self.columns]].rename(
            columns={c.field: c.label for c in self.columns}
        )


@dataclass
class SectionResult:
    name: str
    title: str
    available: bool
    reason: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    html: str = ""
    number: int = 0


@dataclass
class ReportContext:
    """What every section gets: the read-only connection, kommun, language, year, threshold."""

    con: duckdb.DuckDBPyConnection
    kommun: str
    kommun_name: str
    lang: Lang
    year: int
    threshold: int
    demo: bool = False
    cache: dict[str, Any] = field(default_factory=dict)
    results: dict[str, SectionResult] = field(default_factory=dict)
    compare: tuple[str, ...] | None = None  # comparison kommuner given by the user (--compare)

    @property
    def kommun_genitive(self) -> str:
        """Swedish/English genitive of the kommun name ("Borås" -> "Borås", "Umeå" -> "Umeås")."""
        if self.lang == "en":
            return self.kommun_name + "'s"
        return (
            self.kommun_name if self.kommun_name[-1:].lower() in "sxz" else self.kommun_name + "s"
        )

    def t(self, sv: str, en: str) -> str:
        """Pick the text for the report's language."""
        return en if self.lang == "en" else sv

    def cached(self, key: str, fn: Any) -> Any:
        if key not in self.cache:
            self.cache[key] = fn()
        return self.cache[key]
