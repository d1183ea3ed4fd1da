"""Cells of an SCB export: labels, markers and values (column-wise helpers of :mod:`.scb_export`).

A cell's labels (year, content, breakdowns) are the same for every region row, so they are
worked out once per column (:class:`CellMeta`); the per-cell work is then copying a value and
reading SCB's markers (``..`` not available, ``.`` cannot occur, ``-`` zero, ``x``
confidential).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from grannskap.errors import Problem
from grannskap.geography.codes import classify_code

__all__ = [
    "Cell",
    "MARKERS",
    "CellMeta",
    "RowMetas",
    "cell_meta",
    "cell_values",
    "row_cells",
    "raw_text",
    "slug",
    "column_letter",
    "text_of",
    "is_total",
    "kind_of",
    "number_of",
    "NEGATIVE",
]

Cell = object
MARKERS = {"..": "missing", ".": "missing", "-": "zero", "x": "suppressed", "X": "suppressed"}


@lru_cache(maxsize=4096)
def slug(text: str) -> str:
    """ASCII identifier from a Swedish label: ``"utländsk/svensk bakgrund"`` -> ``"utlandsk_svensk_bakgrund"``."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", norm).strip("_")


def column_letter(index: int) -> str:
    """0-based column index -> spreadsheet letter (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def text_of(cell: Cell) -> str | None:
    if cell is None:
        return None
    text = str(cell).strip()
    return text or None


def is_total(label: str) -> bool:
    low = label.strip().lower()
    return low.startswith("totalt") or low in ("samtliga", "total", "alla")


def kind_of(unit: str, label: str) -> str:
    u, low = unit.lower(), label.lower()
    if "median" in low:
        return "median"
    if "medel" in low:
        return "mean"
    if "procent" in u or "procent" in low or u == "andel":
        return "percent"
    if "kronor" in u:
        return "amount"
    if u == "antal":
        return "count"
    return "other"


def number_of(cell: Cell) -> float | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip().replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"-?\d+(,\d+)?", text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class CellMeta:
    """What the labels of a cell determine: year (None: not a year), indicator, breakdown."""

    year: int | None
    year_text: str
    indicator_id: str = ""
    breakdown: str = ""
    content: str = ""
    nonneg: bool = False  # a count or a share: negative values are errors


def cell_meta(
    labels: dict[str, str | None],
    dims: list[str],
    roles: dict[str, str],
    year_dim: str,
    table_id: str,
    units: dict[str, str],
) -> CellMeta:
    year_text = labels.get(year_dim) or ""
    if not re.fullmatch(r"(19|20)\d\d", year_text.strip()):
        return CellMeta(None, year_text)
    content = next((labels[d] for d in dims if roles[d] == "content"), None)
    indicator_id = f"scb.{table_id}" + (f".{slug(content)}" if content else "")
    parts = [
        f"{slug(d)}={labels[d]}"
        for d in dims
        if roles[d] == "breakdown" and not is_total(labels[d])  # type: ignore[arg-type]
    ]
    unit = units.get(content or "", units.get("", ""))
    return CellMeta(
        int(year_text),
        year_text,
        indicator_id,
        ";".join(parts),
        content or "",
        kind_of(unit, content or "") in ("count", "percent"),
    )


class RowMetas:
    """The cell metadata of one row's columns, and the same as columns for bulk appends."""

    def __init__(self, metas: list[CellMeta]) -> None:
        self.metas = metas
        self.clean = all(m.year is not None for m in metas)
        self.year_set = {m.year for m in metas}
        self.ids = [m.indicator_id for m in metas]
        self.years = [m.year for m in metas]
        self.breakdowns = [m.breakdown for m in metas]
        self.nonneg = [m.nonneg for m in metas]


def row_cells(
    row: list[Cell],
    i: int,
    code: str,
    cols: list[int],
    metas: list[CellMeta],
    file_name: str,
    keyed: list[tuple[int, int, Problem]],
) -> list[int]:
    """Column positions of a row's cells with a valid year; problems of the others to ``keyed``."""
    js: list[int] = []
    for j, (c, meta) in enumerate(zip(cols, metas, strict=True)):
        if meta.year is None:
            keyed.append(
                (
                    i,
                    j,
                    Problem(
                        file_name,
                        "not a year",
                        row=i + 1,
                        column=column_letter(c),
                        value=meta.year_text,
                        expected="a four-digit year such as 2022",
                    ),
                )
            )
            continue
        if classify_code(code, meta.year) is None:
            keyed.append(
                (i, j, Problem(file_name, "not a region code", row=i + 1, column="A", value=code))
            )
            break
        js.append(j)
    return js


NEGATIVE = "negative value for a count or share"
_NOT_A_NUMBER = "not a number"


def cell_values(
    cells: list[Cell], nonneg: list[bool]
) -> tuple[list[float | None], list[str], list[tuple[int, str]]]:
    """Values and statuses of the cells, and ``(index, message)`` of the cells in error."""
    values: list[float | None] = []
    statuses: list[str] = []
    bad: list[tuple[int, str]] = []
    add_value, add_status = values.append, statuses.append
    for n, cell in enumerate(cells):
        kind = type(cell)
        if kind is float or kind is int:
            value: float | None = float(cell)  # type: ignore[arg-type]
            status = "ok"
        elif cell is None:
            value, status = None, "missing"
        else:
            raw = text_of(cell)
            if raw is None:
                value, status = None, "missing"
            elif raw in MARKERS:
                status = MARKERS[raw]
                value = 0.0 if status == "zero" else None
            else:
                value, status = number_of(cell), "ok"
                if value is None:
                    bad.append((n, _NOT_A_NUMBER))
        if value is not None and value < 0 and status == "ok" and nonneg[n]:
            bad.append((n, NEGATIVE))
        add_value(value)
        add_status(status)
    return values, statuses, bad


def raw_text(cell: Cell) -> str | None:
    """A cell's text as the user sees it in the spreadsheet (``5``, not calamine's ``5.0``)."""
    if type(cell) is float and cell.is_integer():
        return str(int(cell))
    return text_of(cell)
