"""PxWeb CSV exports *with labels* (Statistikdatabasen's "csv with heading") per RegSO.

What a user gets when exporting a RegSO table from SCB's web interface: one header row
``"region","<variable>",...,"<measure> 2020","<measure> 2021",...`` and one row per area and
combination of the other variables. The area is a **label**, ``"Kommunnamn (RegSO-namn)"``
(e.g. ``"Borås (Norrby)"``), not a code; it is joined to RegSO 2020 codes through SCB's key
DeSO 2018 → RegSO 2020 (which the importer reads from the database and passes in as
``labels``; the parser itself is pure). Labels are compared after trimming whitespace before
``")"`` and reading an en dash as a hyphen (SCB's exports and key differ in exactly these two
ways for 29 of the 3,363 RegSO); any label that still matches nothing is an error.

The table is recognised from its header layout (:data:`TABLES`); years come from the column
headers. Breakdowns follow the xlsx exports' convention (``slug(variable)=label``, totals left
out), so ``fodelseregion=Sverige`` means the same thing in SCB 000005FB (DeSO 2022) and in
TAB6572 (RegSO 2020–2023).
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from grannskap.errors import InputError, Problem, ValidationError
from grannskap.geography.codes import REGSO_RE
from grannskap.ingest.model import AreaDef, IndicatorDef, ParsedTable
from grannskap.ingest.scb_export import decode_text, slug

__all__ = [
    "PxCsvTable",
    "TABLES",
    "looks_like_pxweb_csv",
    "normalize_label",
    "parse_pxweb_csv",
]

_TOTALS = frozenset({"totalt", "total", "samtliga"})
_YEAR_HEADER = re.compile(r"^(?P<measure>.+?)\s+(?P<year>\d{4})$")


@dataclass(frozen=True)
class PxCsvTable:
    """A known PxWeb table: how its header reads and what its values are."""

    table_id: str
    indicator_id: str
    dims: tuple[str, ...]  # the header cells between "region" and the year columns
    measure: str  # the year columns read "<measure> <year>"
    title: str
    name_sv: str
    name_en: str
    unit: str
    kind: str
    numerator_def: str = ""
    notes: tuple[str, ...] = ()

    def indicator_def(self) -> IndicatorDef:
        """The catalogue entry the table's values are stored under (CSV import and fetch)."""
        return IndicatorDef(
            indicator_id=self.indicator_id,
            name_sv=self.name_sv,
            name_en=self.name_en,
            unit=self.unit,
            numerator_def=self.numerator_def,
            source_table=self.table_id,
            kind=self.kind,  # type: ignore[arg-type]
        )


CONSTANT_PRICES_NOTE = (
    "Medelvärdet av löneinkomst i tkr är troligen i fasta priser (senaste årets penningvärde): "
    "förändringen mellan åren (−2,8 % 2022, −3,6 % 2023 för de flesta områden) följer "
    "inflationen. Läs det som reala, inte nominella, belopp."
)

TABLES: tuple[PxCsvTable, ...] = (
    PxCsvTable(
        "TAB6572",
        "scb.TAB6572",
        ("födelseregion", "kön"),
        "Antal",
        "Folkmängden per region efter födelseregion och kön (BE0101Y FolkmDesoLandKon)",
        "Folkmängd efter födelseregion",
        "Population by region of birth",
        "personer",
        "count",
        "antal folkbokförda personer 31 december",
    ),
    PxCsvTable(
        "TAB6258",
        "scb.TAB6258",
        ("upplåtelseform",),
        "Antal",
        "Antal lägenheter efter region och upplåtelseform (BO0104 BO0104T10N)",
        "Lägenheter efter upplåtelseform",
        "Dwellings by tenure",
        "lägenheter",
        "count",
        "antal lägenheter 31 december",
    ),
    PxCsvTable(
        "Tab2InkDesoN",
        "scb.Tab2InkDesoN",
        ("inkomstkomponent", "kön"),
        "Medelvärde för samtliga, tkr",
        "Inkomster per region efter inkomstkomponent och kön (HE0110 Tab2InkDesoN)",
        "Medelvärde av löneinkomst för samtliga (tkr, troligen fasta priser)",
        "Mean wage income over all persons (SEK thousand, probably constant prices)",
        "tkr (troligen fasta priser)",
        "mean",
        "medelvärde för samtliga personer (även de utan inkomst)",
        (CONSTANT_PRICES_NOTE,),
    ),
)


def normalize_label(label: str) -> str:
    """The comparable form of an area label: en dash → hyphen, no whitespace before ``)``,
    runs of whitespace as one space, lower case."""
    text = label.replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"\s+\)", ")", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def _rows(data: bytes, file_name: str) -> list[list[str]]:
    """The non-blank rows of the file (SCB writes ``\\r\\r\\n`` line ends: blank rows between)."""
    text = decode_text(data, file_name)
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        raise InputError(
            Problem(file_name, f"malformed CSV ({exc})", expected="a PxWeb csv export")
        ) from exc
    return [[c.strip() for c in r] for r in rows if any(c.strip() for c in r)]


def looks_like_pxweb_csv(data: bytes) -> bool:
    """A header ``"region",...,"<measure> YYYY"`` (what the importer routes here)."""
    head = data[:2000].decode("utf-8-sig", errors="replace").lstrip("\ufeff")
    first = head.splitlines()[0] if head else ""
    try:
        cells = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return False
    cells = [c.strip() for c in cells]
    return len(cells) >= 2 and cells[0].lower() == "region" and bool(_YEAR_HEADER.match(cells[-1]))


def _layout(header: list[str], file_name: str) -> tuple[PxCsvTable, list[int]]:
    """The known table whose layout the header has, and the years of its value columns."""
    expected = "; ".join(
        f'{t.table_id}: "region", '
        + ", ".join(f'"{d}"' for d in t.dims)
        + f', "{t.measure} <år>" ...'
        for t in TABLES
    )
    for table in TABLES:
        n = 1 + len(table.dims)
        if [h.lower() for h in header[:n]] != ["region", *table.dims]:
            continue
        problems: list[Problem] = []
        years: list[int] = []
        for j, cell in enumerate(header[n:], start=n + 1):
            m = _YEAR_HEADER.match(cell)
            if m is None or m.group("measure") != table.measure:
                problems.append(
                    Problem(
                        file_name,
                        f"header layout of {table.table_id} changed: column {j} is not a year column",
                        row=1,
                        column=str(j),
                        value=cell,
                        expected=f'"{table.measure} <year>"',
                    )
                )
                continue
            year = int(m.group("year"))
            if year in years:
                problems.append(
                    Problem(
                        file_name,
                        f"year {year} twice in the header",
                        row=1,
                        column=str(j),
                        value=cell,
                        expected="each year once",
                    )
                )
            years.append(year)
        if not years and not problems:
            problems.append(
                Problem(
                    file_name,
                    "no year columns",
                    row=1,
                    expected=f'columns "{table.measure} <year>"',
                )
            )
        ValidationError.raise_if_any(problems)
        return table, years
    raise ValidationError(
        [
            Problem(
                file_name,
                "header layout not recognised as a known PxWeb table",
                row=1,
                value=", ".join(header),
                expected=expected,
            )
        ]
    )


def _value(cell: str) -> tuple[float, str] | None:
    """(value, status) of a cell; None when the cell is not a number or an SCB marker."""
    markers = {"..": "missing", ".": "suppressed", "x": "suppressed", "-": "zero", "": "missing"}
    if cell.lower() in markers:
        status = markers[cell.lower()]
        return (0.0 if status == "zero" else math.nan), status
    try:
        v = float(cell.replace("\u2212", "-").replace(" ", ""))
    except ValueError:
        return None
    return (v, "ok") if math.isfinite(v) else None


def parse_pxweb_csv(data: bytes, file_name: str, labels: Mapping[str, str]) -> ParsedTable:
    """Parse a PxWeb CSV export with area labels into RegSO 2020 observations.

    Parameters
    ----------
    data
        The file's bytes.
    file_name
        Used in problem reports and as provenance.
    labels
        ``"Kommunnamn (RegSO-namn)"`` → RegSO 2020 code, from SCB's key (any spelling: both
        sides are compared through :func:`normalize_label`).

    Raises
    ------
    ValidationError
        Every problem found: unknown header layout, a year twice, a label that matches no
        RegSO, a row twice, a value that is not a number.
    """
    rows = _rows(data, file_name)
    if not rows:
        raise InputError(Problem(file_name, "the file is empty", expected="a PxWeb csv export"))
    table, years = _layout(rows[0], file_name)
    index: dict[str, str] = {}
    ambiguous: set[str] = set()
    for known, known_code in labels.items():
        key = normalize_label(known)
        if key in index and index[key] != known_code:
            ambiguous.add(key)
        index[key] = known_code
    if not index:
        raise InputError(
            Problem(
                file_name,
                "no RegSO labels to match the areas against",
                expected="SCB's key DeSO 2018 – RegSO 2020 imported first "
                "(koppling_deso2018_regso2020.csv)",
            )
        )
    n_dims = len(table.dims)
    width = 1 + n_dims + len(years)
    problems: list[Problem] = []
    records: list[tuple[str, int, str, float, str]] = []
    seen: dict[tuple[str, str], int] = {}
    names: dict[str, str] = {}
    for row_no, cells in enumerate(rows[1:], start=2):
        if len(cells) != width:
            problems.append(
                Problem(
                    file_name,
                    f"{len(cells)} cells but the header has {width}",
                    row=row_no,
                    expected=f"{width} cells",
                )
            )
            continue
        label = cells[0]
        token = label.split(" ", 1)[0]
        if REGSO_RE.match(token):
            code: str | None = token
        else:
            key = normalize_label(label)
            code = index.get(key)
            if key in ambiguous:
                problems.append(
                    Problem(
                        file_name,
                        "area label matches more than one RegSO in SCB's key",
                        row=row_no,
                        column="region",
                        value=label,
                        expected="a label naming one RegSO",
                    )
                )
                continue
        if code is None:
            problems.append(
                Problem(
                    file_name,
                    "area label matches no RegSO 2020 in SCB's key",
                    row=row_no,
                    column="region",
                    value=label,
                    expected="'Kommunnamn (RegSO-namn)' as in SCB's key DeSO 2018 – RegSO 2020, "
                    "e.g. 'Borås (Norrby)'",
                )
            )
            continue
        names.setdefault(code, label)
        parts = [
            f"{slug(dim)}={val}"
            for dim, val in zip(table.dims, cells[1 : 1 + n_dims], strict=True)
            if val.lower() not in _TOTALS
        ]
        breakdown = ";".join(parts)
        first = seen.get((code, breakdown))
        if first is not None:
            problems.append(
                Problem(
                    file_name,
                    f"the same area and breakdown twice (first on row {first})",
                    row=row_no,
                    column="region",
                    value=f"{label} / {breakdown or 'totalt'}",
                    expected="each area and breakdown once",
                )
            )
            continue
        seen[(code, breakdown)] = row_no
        for j, (year, cell) in enumerate(zip(years, cells[1 + n_dims :], strict=True)):
            parsed = _value(cell)
            if parsed is None or (table.kind == "count" and parsed[0] < 0):
                problems.append(
                    Problem(
                        file_name,
                        "not a number",
                        row=row_no,
                        column=rows[0][1 + n_dims + j],
                        value=cell,
                        expected="a number >= 0 or an SCB marker (.., ., x, -)",
                    )
                )
                continue
            records.append((code, year, breakdown, parsed[0], parsed[1]))
    ValidationError.raise_if_any(problems)
    if not records:
        raise InputError(Problem(file_name, "no data rows", expected="one row per area"))
    frame = pd.DataFrame.from_records(
        records, columns=["area_code", "year", "breakdown", "value", "status"]
    )
    obs = pd.DataFrame(
        {
            "indicator_id": pd.array([table.indicator_id] * len(frame), dtype="string"),
            "area_code": pd.array(frame["area_code"], dtype="string"),
            "year": frame["year"].astype("int64"),
            "breakdown": pd.array(frame["breakdown"], dtype="string"),
            "value": frame["value"].astype("float64"),
            "numerator": math.nan,
            "denominator": math.nan,
            "status": pd.array(frame["status"], dtype="string"),
        }
    )
    indicator = table.indicator_def()
    return ParsedTable(
        source="scb",
        table_id=table.table_id,
        title=table.title,
        file_name=file_name,
        file_hash=hashlib.sha256(data).hexdigest(),
        observations=obs,
        indicators=[indicator],
        areas=[AreaDef(code=c, system="regso2020") for c in sorted(names)],
        notes=[
            f"PxWeb CSV with labels, {len(names)} RegSO 2020, years {min(years)}–{max(years)}",
            *table.notes,
        ],
    )
