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

import bisect
import csv
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from grannskap.errors import InputError, Problem, ValidationError
from grannskap.geography.codes import classify_code, split_code_label
from grannskap.ingest.model import AreaDef, IndicatorDef, ParsedTable
from grannskap.ingest.scb_cells import (
    NEGATIVE,
    Cell,
    RowMetas,
    cell_meta,
    cell_values,
    column_letter,
    kind_of,
    raw_text,
    row_cells,
    slug,
    text_of,
)

__all__ = [
    "parse_scb_xlsx",
    "parse_scb_csv",
    "parse_scb_grid",
    "slug",
    "column_letter",
    "decode_text",
]

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
    title_row = next((i for i, r in enumerate(rows) if any(text_of(c) for c in r)), None)
    if title_row is None:
        raise InputError(
            Problem(file_name, "the file is empty", expected="an SCB Statistikdatabasen export")
        )
    title = next(t for t in (text_of(c) for c in rows[title_row]) if t)
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
        if not any(text_of(c) for c in row):
            if header_rows and first_data is None:
                continue
            continue
        first = text_of(row[0]) if row else None
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
        if not any(text_of(c) for c in rows[i]):
            footer_start = i
            break
        data_rows.append(i)

    # stub columns: leading cells that are empty (or dimension names) in every header row
    def leading_stub(row: list[Cell]) -> int:
        n = 0
        for c in row:
            t = text_of(c)
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
        if any(c < len(rows[i]) and text_of(rows[i][c]) is not None for i in data_rows)
    ]
    # a header row that only names the stub dimensions (csv "med rubrik") is not a column dimension
    label_rows = [
        h
        for h in header_rows
        if any(text_of(rows[h][c]) for c in data_cols if c < len(rows[h]))
        and not all(
            (text_of(rows[h][c]) or "").lower() in dim_names for c in data_cols if c < len(rows[h])
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
        t
        for r in rows[start:]
        for t in [next((x for x in (text_of(c) for c in r) if x), None)]
        if t
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


def parse_scb_grid(rows: Sequence[Sequence[Cell]], file_name: str, file_hash: str) -> ParsedTable:
    """Parse the cell grid of an SCB export (see module docstring)."""
    grid: list[list[Cell]] = (
        rows  # type: ignore[assignment]  # calamine's rows are lists already: no copy
        if type(rows) is list and all(type(r) is list for r in rows)
        else [list(r) for r in rows]
    )
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
            t = text_of(row[c]) if c < len(row) else None
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
    region_dim = next(d for d in stub_dims if roles[d] == "region")
    region_k = stub_dims.index(region_dim)
    year_dim = next(d for d in layout.dims if roles[d] == "year")
    cols = layout.data_cols
    # what a cell's labels determine (year, indicator, breakdown, unit), once per distinct
    # combination of the non-region stub labels and the column: the work per cell is then
    # copying its value; a row whose cells all have a valid year is added column-wise
    metas: dict[tuple[str | None, ...], RowMetas] = {}
    n_stub = layout.n_stub
    stub_values: list[str | None] = [None] * n_stub
    # (row, column position, problem): problems are reported in row, then column order
    keyed: list[tuple[int, int, Problem]] = []
    ids: list[str] = []
    codes: list[str] = []
    years: list[int] = []
    breakdowns: list[str] = []
    cells: list[Cell] = []
    nonneg: list[bool] = []
    # (first cell index, grid row, column positions) of each row's cells
    segments: list[tuple[int, int, Sequence[int]]] = []
    areas: dict[str, AreaDef] = {}
    all_cols = range(len(cols))
    last_col = max(cols)
    for i in layout.data_rows:
        row = grid[i]
        for k in range(n_stub):
            t = text_of(row[k]) if k < len(row) else None
            if t is not None:
                stub_values[k] = t
        region_text = stub_values[region_k]
        split = split_code_label(region_text) if region_text else None
        if split is None:
            keyed.append(
                (
                    i,
                    -1,
                    Problem(
                        file_name,
                        "not a region code",
                        row=i + 1,
                        column=column_letter(region_k),
                        value=region_text,
                        expected="a DeSO/RegSO/kommun/län code such as 1490C1010, 1490R003 or '1490 Borås'",
                    ),
                )
            )
            continue
        code, name = split
        rest = tuple(v for k, v in enumerate(stub_values) if k != region_k)
        rm = metas.get(rest)
        if rm is None:
            labels_row = dict(zip(stub_dims, stub_values, strict=True))
            rm = metas[rest] = RowMetas(
                [
                    cell_meta(
                        {**labels_row, **col_labels[c]},
                        layout.dims,
                        roles,
                        year_dim,
                        table_id,
                        units,
                    )
                    for c in cols
                ]
            )
        start = len(cells)
        if rm.clean and all(classify_code(code, y) is not None for y in rm.year_set):
            ids += rm.ids
            years += rm.years  # type: ignore[arg-type]
            breakdowns += rm.breakdowns
            nonneg += rm.nonneg
            codes += [code] * len(cols)
            if len(row) > last_col:
                cells += [row[c] for c in cols]
            else:
                cells += [row[c] if c < len(row) else None for c in cols]
            segments.append((start, i, all_cols))
        else:
            js = row_cells(row, i, code, cols, rm.metas, file_name, keyed)
            for j in js:
                meta = rm.metas[j]
                ids.append(meta.indicator_id)
                codes.append(code)
                years.append(meta.year)  # type: ignore[arg-type]
                breakdowns.append(meta.breakdown)
                nonneg.append(meta.nonneg)
                c = cols[j]
                cells.append(row[c] if c < len(row) else None)
            segments.append((start, i, js))
        if code not in areas and len(cells) > start:
            areas[code] = AreaDef(code=code, name=name)
    values, statuses, bad = cell_values(cells, nonneg)
    starts = [seg[0] for seg in segments]
    for n, message in bad:
        first, i, positions = segments[bisect.bisect_right(starts, n) - 1]
        j = positions[n - first]
        keyed.append(
            (
                i,
                j,
                Problem(
                    file_name,
                    message,
                    row=i + 1,
                    column=column_letter(cols[j]),
                    value=raw_text(cells[n]),
                    expected="a value >= 0"
                    if message == NEGATIVE
                    else "a number or one of SCB's markers .. . - x",
                ),
            )
        )
    keyed.sort(key=lambda t: (t[0], t[1]))
    ValidationError.raise_if_any(p for _, _, p in keyed)
    if not ids:
        raise InputError(
            Problem(file_name, "no data rows found", expected="at least one region row")
        )
    n_obs = len(ids)
    frame = pd.DataFrame(
        {
            "indicator_id": ids,
            "area_code": codes,
            "year": years,
            "breakdown": breakdowns,
            "value": values,
            "numerator": [None] * n_obs,
            "denominator": [None] * n_obs,
            "status": statuses,
        }
    )
    indicators = []
    used = {(m.indicator_id, m.content) for rm in metas.values() for m in rm.metas if m.year}
    for ind, content in sorted(used):
        unit = units.get(content, units.get("", ""))
        label = content or layout.subject
        indicators.append(
            IndicatorDef(
                indicator_id=str(ind),
                name_sv=str(label) if content else layout.subject,
                unit=unit,
                kind=kind_of(unit, str(label)),  # type: ignore[arg-type]
                source_table=f"SCB Statistikdatabasen {table_id}: {layout.title}",
            )
        )
    last_year = max(years)
    return ParsedTable(
        source="scb",
        table_id=table_id,
        title=layout.title,
        file_name=file_name,
        file_hash=file_hash,
        observations=frame,
        indicators=indicators,
        areas=list(areas.values()),
        notes=notes,
        year=int(last_year),
    )


def _read_xlsx_rows(data: bytes, file_name: str) -> list[list[Cell]]:
    """The cells of the first worksheet, row by row from A1 (python-calamine, Rust)."""
    import python_calamine

    # any failure while reading the workbook (zip, XML, ...) is a damaged-file error
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        try:
            if not book.sheet_names:
                raise InputError(
                    Problem(
                        file_name, "the workbook has no worksheet", expected="one sheet of data"
                    )
                )
            rows: list[list[Cell]] = book.get_sheet_by_index(0).to_python(skip_empty_area=False)  # type: ignore[assignment]
            return rows
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


def parse_scb_xlsx(data: bytes, file_name: str) -> ParsedTable:
    """Parse an SCB xlsx export (first worksheet)."""
    rows = _read_xlsx_rows(data, file_name)
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
