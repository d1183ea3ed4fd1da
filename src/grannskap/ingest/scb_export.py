"""SCB Statistikdatabasen exports (xlsx and csv) as a :class:`ParsedTable`.

An export is a grid: a title row ``"<subject> efter <dim>, <dim> och <dim>"``, header rows
(one per column dimension, merged cells spanning their children), data rows whose leading
*stub* columns hold the row dimensions (region, sometimes year), then footnotes ending with
``Intern referenskod: <table id>``. The title's dimension list is in pivot order: first the
stub dimensions, then one dimension per header row. Everything (title, year, regions, table
id, units, footnotes) is read from the file; a layout that does not fit this structure is
reported as a changed layout, never guessed at.

SCB's markers: ``..`` not available (missing), ``.`` cannot occur (missing), ``-`` nothing to
report (zero), ``x`` confidential (suppressed).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from grannskap.errors import InputError, Problem, ValidationError
from grannskap.geography.codes import classify_code, split_code_label
from grannskap.ingest.model import AreaDef, IndicatorDef, ParsedTable

__all__ = [
    "parse_scb_xlsx",
    "parse_scb_csv",
    "parse_scb_grid",
    "slug",
    "column_letter",
    "decode_text",
]

Cell = object
_MARKERS = {"..": "missing", ".": "missing", "-": "zero", "x": "suppressed", "X": "suppressed"}
_YEAR_DIMS = {"år", "kalenderår", "inkomstår", "year", "tid"}
_REGION_DIMS = {"region", "kommun", "län", "deso", "regso", "område"}
_CONTENT_DIMS = {"tabellinnehåll", "contents", "table contents"}
_FOOTER_KEYS = (
    "Senaste uppdatering:",
    "Källa:",
    "Kontaktperson:",
    "Sort:",
    "Datatyp:",
    "Referenstid:",
    "Officiell statistik",
    "Databas:",
    "Intern referenskod:",
)


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


def _text(cell: Cell) -> str | None:
    if cell is None:
        return None
    text = str(cell).strip()
    return text or None


def _is_total(label: str) -> bool:
    low = label.strip().lower()
    return low.startswith("totalt") or low in ("samtliga", "total", "alla")


def _parse_title(title: str) -> tuple[str, list[str]] | None:
    if " efter " not in title:
        return None
    subject, _, rest = title.partition(" efter ")
    parts = re.split(r",\s*|\s+och\s+", rest.strip().rstrip("."))
    return subject.strip(), [p.strip() for p in parts if p.strip()]


@dataclass
class _Layout:
    title: str
    subject: str
    dims: list[str]
    header_rows: list[int]
    n_stub: int
    data_rows: list[int]
    data_cols: list[int]
    footer_start: int


def _find_layout(rows: list[list[Cell]], file_name: str) -> _Layout:
    nonempty = [i for i, r in enumerate(rows) if any(_text(c) for c in r)]
    if not nonempty:
        raise InputError(
            Problem(file_name, "the file is empty", expected="an SCB Statistikdatabasen export")
        )
    title_row = nonempty[0]
    title = next(t for t in (_text(c) for c in rows[title_row]) if t)
    parsed = _parse_title(title)
    if parsed is None:
        raise InputError(
            Problem(
                file_name,
                "not an SCB Statistikdatabasen export: no title of the form "
                "'<subject> efter <dimensions>'",
                row=title_row + 1,
                value=title,
            )
        )
    subject, dims = parsed
    dim_names = {d.lower() for d in dims}
    header_rows: list[int] = []
    first_data: int | None = None
    for i in range(title_row + 1, len(rows)):
        row = rows[i]
        if not any(_text(c) for c in row):
            if header_rows and first_data is None:
                continue
            continue
        first = _text(row[0]) if row else None
        if first is None or first.lower() in dim_names:
            header_rows.append(i)
            continue
        first_data = i
        break
    if first_data is None or not header_rows:
        raise InputError(
            Problem(
                file_name,
                "layout not recognised: no header rows followed by data rows",
                expected="SCB's export layout (title, header rows, data rows, footnotes)",
            )
        )
    data_rows = []
    footer_start = len(rows)
    for i in range(first_data, len(rows)):
        if not any(_text(c) for c in rows[i]):
            footer_start = i
            break
        data_rows.append(i)

    # stub columns: leading cells that are empty (or dimension names) in every header row
    def leading_stub(row: list[Cell]) -> int:
        n = 0
        for c in row:
            t = _text(c)
            if t is None or t.lower() in dim_names:
                n += 1
            else:
                break
        return n

    n_stub = min(leading_stub(rows[h]) for h in header_rows)
    width = max(len(rows[i]) for i in data_rows)
    data_cols = [
        c
        for c in range(n_stub, width)
        if any(c < len(rows[i]) and _text(rows[i][c]) is not None for i in data_rows)
    ]
    # a header row that only names the stub dimensions (csv "med rubrik") is not a column dimension
    label_rows = [
        h
        for h in header_rows
        if any(_text(rows[h][c]) for c in data_cols if c < len(rows[h]))
        and not all(
            (_text(rows[h][c]) or "").lower() in dim_names for c in data_cols if c < len(rows[h])
        )
    ]
    if n_stub + len(label_rows) != len(dims):
        raise InputError(
            Problem(
                file_name,
                "SCB export with a changed layout: the title names "
                f"{len(dims)} dimension(s) ({', '.join(dims)}) but the file has {n_stub} row-label column(s) "
                f"and {len(label_rows)} header row(s)",
                row=title_row + 1,
                value=title,
                expected="one row-label column or header row per dimension",
            )
        )
    return _Layout(title, subject, dims, label_rows, n_stub, data_rows, data_cols, footer_start)


def _footnotes(rows: list[list[Cell]], start: int) -> tuple[list[str], dict[str, list[str]]]:
    """Free-text notes, and the key/value sections (Sort:, Intern referenskod:, ...)."""
    lines = [
        t for r in rows[start:] for t in [next((x for x in (_text(c) for c in r) if x), None)] if t
    ]
    notes: list[str] = []
    sections: dict[str, list[str]] = {}
    current: str | None = None
    for line in lines:
        if line in _FOOTER_KEYS or (line.endswith(":") and line.rstrip(":") + ":" in _FOOTER_KEYS):
            current = line
            sections.setdefault(current, [])
        elif current is None:
            notes.append(re.sub(r"<[^>]+>", "", line))
        else:
            sections[current].append(line)
    return notes, sections


def _units(sections: dict[str, list[str]], contents: list[str]) -> dict[str, str]:
    sort = sections.get("Sort:", [])
    if not sort:
        return {}
    if len(sort) == 1 or not any(s.endswith(":") for s in sort):
        return {c: sort[0] for c in contents} | {"": sort[0]}
    units: dict[str, str] = {}
    for label, unit in zip(sort[::2], sort[1::2], strict=False):
        units[label.rstrip(":").strip()] = unit
    return units


def _kind(unit: str, label: str) -> str:
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


def _number(cell: Cell) -> float | None:
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


def parse_scb_grid(rows: Sequence[Sequence[Cell]], file_name: str, file_hash: str) -> ParsedTable:
    """Parse the cell grid of an SCB export (see module docstring)."""
    grid = [list(r) for r in rows]
    layout = _find_layout(grid, file_name)
    notes, sections = _footnotes(grid, layout.footer_start)
    ref = sections.get("Intern referenskod:", [])
    table_id = ref[0] if ref else re.split(r"[_.\s]", file_name.rsplit("/", 1)[-1])[0]

    stub_dims = layout.dims[: layout.n_stub]
    head_dims = layout.dims[layout.n_stub :]
    roles = {
        d: (
            "region"
            if d.lower() in _REGION_DIMS
            else "year"
            if d.lower() in _YEAR_DIMS
            else "content"
            if d.lower() in _CONTENT_DIMS
            else "breakdown"
        )
        for d in layout.dims
    }
    problems: list[Problem] = []
    if "region" not in [roles[d] for d in stub_dims]:
        raise InputError(
            Problem(
                file_name,
                "SCB export with a changed layout: regions must be in the rows",
                value=layout.title,
                expected="'region' among the row dimensions",
            )
        )
    if "year" not in roles.values():
        raise InputError(
            Problem(
                file_name,
                "the export has no year dimension",
                value=layout.title,
                expected="'år' among the dimensions",
            )
        )

    # column labels per header dimension, merged cells forward-filled to the right
    col_labels: dict[int, dict[str, str]] = {c: {} for c in layout.data_cols}
    for dim, h in zip(head_dims, layout.header_rows, strict=True):
        row = grid[h]
        last: str | None = None
        for c in range(layout.n_stub, max(layout.data_cols) + 1):
            t = _text(row[c]) if c < len(row) else None
            last = t if t is not None else last
            if c in col_labels:
                if last is None:
                    problems.append(
                        Problem(
                            file_name,
                            f"missing header label for dimension '{dim}'",
                            row=h + 1,
                            column=column_letter(c),
                        )
                    )
                else:
                    col_labels[c][dim] = last
    ValidationError.raise_if_any(problems)

    contents = sorted(
        {lab[d] for lab in col_labels.values() for d in head_dims if roles[d] == "content"}
    )
    units = _units(sections, contents)
    records: list[dict[str, object]] = []
    areas: dict[str, AreaDef] = {}
    stub_values: dict[str, str | None] = {d: None for d in stub_dims}
    for i in layout.data_rows:
        row = grid[i]
        for k, dim in enumerate(stub_dims):
            t = _text(row[k]) if k < len(row) else None
            if t is not None:
                stub_values[dim] = t
        labels_row = {d: v for d, v in stub_values.items()}
        region_dim = next(d for d in stub_dims if roles[d] == "region")
        region_text = labels_row[region_dim]
        split = split_code_label(region_text) if region_text else None
        if split is None:
            problems.append(
                Problem(
                    file_name,
                    "not a region code",
                    row=i + 1,
                    column=column_letter(stub_dims.index(region_dim)),
                    value=region_text,
                    expected="a DeSO/RegSO/kommun/län code such as 1490C1010, 1490R003 or '1490 Borås'",
                )
            )
            continue
        code, name = split
        for c in layout.data_cols:
            labels = {**labels_row, **col_labels[c]}
            year_dim = next(d for d in layout.dims if roles[d] == "year")
            year_text = labels.get(year_dim) or ""
            if not re.fullmatch(r"(19|20)\d\d", year_text.strip()):
                problems.append(
                    Problem(
                        file_name,
                        "not a year",
                        row=i + 1,
                        column=column_letter(c),
                        value=year_text,
                        expected="a four-digit year such as 2022",
                    )
                )
                continue
            year = int(year_text)
            if classify_code(code, year) is None:
                problems.append(
                    Problem(file_name, "not a region code", row=i + 1, column="A", value=code)
                )
                break
            content = next((labels[d] for d in layout.dims if roles[d] == "content"), None)
            indicator_id = f"scb.{table_id}" + (f".{slug(content)}" if content else "")
            parts = [
                f"{slug(d)}={labels[d]}"
                for d in layout.dims
                if roles[d] == "breakdown" and not _is_total(labels[d])
            ]
            cell = row[c] if c < len(row) else None
            raw = _text(cell)
            unit = units.get(content or "", units.get("", ""))
            status, value = "ok", None
            if raw is None:
                status = "missing"
            elif raw in _MARKERS:
                status = _MARKERS[raw]
                value = 0.0 if status == "zero" else None
            else:
                value = _number(cell)
                if value is None:
                    problems.append(
                        Problem(
                            file_name,
                            "not a number",
                            row=i + 1,
                            column=column_letter(c),
                            value=raw,
                            expected="a number or one of SCB's markers .. . - x",
                        )
                    )
                    continue
                if value < 0 and _kind(unit, content or "") in ("count", "percent"):
                    problems.append(
                        Problem(
                            file_name,
                            "negative value for a count or share",
                            row=i + 1,
                            column=column_letter(c),
                            value=raw,
                            expected="a value >= 0",
                        )
                    )
                    continue
            areas.setdefault(code, AreaDef(code=code, name=name))
            records.append(
                {
                    "indicator_id": indicator_id,
                    "area_code": code,
                    "year": year,
                    "breakdown": ";".join(parts),
                    "value": value,
                    "numerator": None,
                    "denominator": None,
                    "status": status,
                    "_content": content or "",
                }
            )
    ValidationError.raise_if_any(problems)
    if not records:
        raise InputError(
            Problem(file_name, "no data rows found", expected="at least one region row")
        )
    frame = pd.DataFrame.from_records(records)
    indicators = []
    for (ind, content), _ in frame.groupby(["indicator_id", "_content"], sort=True):
        unit = units.get(content, units.get("", ""))
        label = content or layout.subject
        indicators.append(
            IndicatorDef(
                indicator_id=str(ind),
                name_sv=str(label) if content else layout.subject,
                unit=unit,
                kind=_kind(unit, str(label)),  # type: ignore[arg-type]
                source_table=f"SCB Statistikdatabasen {table_id}: {layout.title}",
            )
        )
    years = sorted(frame["year"].unique())
    return ParsedTable(
        source="scb",
        table_id=table_id,
        title=layout.title,
        file_name=file_name,
        file_hash=file_hash,
        observations=frame.drop(columns="_content"),
        indicators=indicators,
        areas=list(areas.values()),
        notes=notes,
        year=int(years[-1]) if years else None,
    )


def parse_scb_xlsx(data: bytes, file_name: str) -> ParsedTable:
    """Parse an SCB xlsx export (first worksheet)."""
    import openpyxl

    # openpyxl reads lazily and raises many different types (zlib, XML, KeyError, IndexError)
    # for damaged files: any failure while reading the workbook is a damaged-file error.
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not book.worksheets:
                raise InputError(
                    Problem(
                        file_name, "the workbook has no worksheet", expected="one sheet of data"
                    )
                )
            rows = [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]
        finally:
            book.close()
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001 - see above
        raise InputError(
            Problem(
                file_name,
                f"cannot read as an Excel workbook ({type(exc).__name__})",
                expected="an .xlsx file exported from SCB Statistikdatabasen",
            )
        ) from exc
    return parse_scb_grid(rows, file_name, hashlib.sha256(data).hexdigest())


def decode_text(data: bytes, file_name: str) -> str:
    """Decode a text file as UTF-8 (with or without BOM) or Windows-1252; clear error otherwise."""
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(
        Problem(file_name, "cannot decode text", expected="UTF-8 or Windows-1252 text")
    )


def parse_scb_csv(data: bytes, file_name: str) -> ParsedTable:
    """Parse an SCB csv export (comma, semicolon or tab separated; UTF-8 or Windows-1252)."""
    text = decode_text(data, file_name)
    if not text.strip():
        raise InputError(Problem(file_name, "the file is empty", expected="an SCB csv export"))
    sample = "\n".join(text.splitlines()[:50])
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
    try:
        rows = [
            [c if c != "" else None for c in r]
            for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
    except csv.Error as exc:
        raise InputError(
            Problem(file_name, f"malformed CSV ({exc})", expected="an SCB csv export")
        ) from exc
    return parse_scb_grid(rows, file_name, hashlib.sha256(data).hexdigest())
