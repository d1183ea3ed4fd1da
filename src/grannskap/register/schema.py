"""The person-year input schema and the description of a register source on disk.

One row per person and year (a *person-year*). Columns (``REGISTER_COLUMNS``):

==================  =========  ==========================================================
column              type       meaning
==================  =========  ==========================================================
``person_id``       int64      pseudonymous person id (stable across years)
``year``            int64      statistics year (the hive partition ``year=YYYY`` or a column)
``deso``            string     DeSO code where the person is registered on 31 December
``grid_cell``       int64      optional: 1 km grid cell, ``E * 10**7 + N`` of its south-west
                               corner in SWEREF 99 TM (EPSG:3006), e.g. ``3190006400000``
``x``, ``y``        float64    optional: coordinates in EPSG:3006 (metres)
``age``             int64      age in completed years on 31 December (0–120 is possible)
``sex``             string     ``"K"`` (kvinna) or ``"M"`` (man)
``background``      string     ``"swedish"`` or ``"foreign"`` (SCB: utländsk bakgrund)
``disp_income``     float64    the household's equivalised disposable income (kronor per
                               consumption unit) attributed to the person — the basis of
                               SCB's *ekonomisk standard*; may be missing
``education``       string     ``"forgymnasial"``, ``"gymnasial"``, ``"eftergymnasial"``,
                               ``"unknown"``
``employment``      string     ``"employed"``, ``"unemployed"``, ``"not_in_labour_force"``
``assistance_months`` int64    months with economic assistance (ekonomiskt bistånd), 0–12
``unemployment_days`` int64    days registered as unemployed at Arbetsförmedlingen, 0–366
==================  =========  ==========================================================

Parquet input is a directory partitioned hive-style by year (``year=2019/part-0.parquet``) or
single files with a ``year`` column; CSV input is one or more files with a header row and a
``year`` column. Optional columns may be absent (they are read as missing).
"""

from __future__ import annotations

import csv
import glob
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from grannskap.errors import InputError, Problem

__all__ = [
    "REGISTER_COLUMNS",
    "REQUIRED_COLUMNS",
    "OPTIONAL_COLUMNS",
    "CATEGORIES",
    "AGE_MAX",
    "GRID_FACTOR",
    "InputFormat",
    "RegisterFile",
    "RegisterSource",
    "open_source",
    "read_deso_codes",
]

# Logical types: "int", "float", "str". Engines map them to their own types.
REGISTER_COLUMNS: dict[str, str] = {
    "person_id": "int",
    "year": "int",
    "deso": "str",
    "grid_cell": "int",
    "x": "float",
    "y": "float",
    "age": "int",
    "sex": "str",
    "background": "str",
    "disp_income": "float",
    "education": "str",
    "employment": "str",
    "assistance_months": "int",
    "unemployment_days": "int",
}
OPTIONAL_COLUMNS: tuple[str, ...] = ("grid_cell", "x", "y")
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c for c in REGISTER_COLUMNS if c not in OPTIONAL_COLUMNS)
CATEGORIES: dict[str, tuple[str, ...]] = {
    "sex": ("K", "M"),
    "background": ("swedish", "foreign"),
    "education": ("forgymnasial", "gymnasial", "eftergymnasial", "unknown"),
    "employment": ("employed", "unemployed", "not_in_labour_force"),
}
AGE_MAX = 120
"""Ages outside ``0..AGE_MAX`` are impossible and reported by validation."""
GRID_FACTOR = 10**7
"""``grid_cell = easting * GRID_FACTOR + northing`` (lower-left corner, metres, EPSG:3006)."""

InputFormat = Literal["parquet", "csv"]
_YEAR_DIR = re.compile(r"(?:^|[/\\])year=(\d{4})(?:[/\\]|$)")


@dataclass(frozen=True)
class RegisterFile:
    """One file of a register source: a partition as the engines see it."""

    path: str
    year: int | None  # from the hive directory, None when the year is a column
    columns: dict[str, str]  # column name -> type as stored (arrow or "csv")
    rows: int | None  # known for Parquet (footer), None for CSV


@dataclass
class RegisterSource:
    """A person-year register on disk: its files, format and per-file schemas."""

    root: str
    format: InputFormat
    files: list[RegisterFile] = field(default_factory=list)

    @property
    def hive(self) -> bool:
        return any(f.year is not None for f in self.files)

    @property
    def paths(self) -> list[str]:
        return [f.path for f in self.files]

    @property
    def columns(self) -> list[str]:
        """Union of the schema's columns present in at least one file, in schema order."""
        present = {c for f in self.files for c in f.columns}
        if self.hive:
            present.add("year")
        return [c for c in REGISTER_COLUMNS if c in present]

    @property
    def rows(self) -> int | None:
        if any(f.rows is None for f in self.files):
            return None
        return sum(int(f.rows or 0) for f in self.files)


def _parquet_schema(path: str) -> tuple[dict[str, str], int]:
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path)
    schema = meta.schema.to_arrow_schema()
    cols = {}
    for name, typ in zip(schema.names, schema.types, strict=True):
        text = str(typ)
        if text.startswith("dictionary<values="):  # dictionary-encoded strings are strings
            text = text[len("dictionary<values=") :].split(",")[0]
        if text == "large_string":
            text = "string"
        cols[name] = text
    return cols, int(meta.num_rows)


def _csv_header(path: str) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), [])
    return {name.strip(): "csv" for name in header}


def open_source(path: str | os.PathLike[str], fmt: InputFormat | None = None) -> RegisterSource:
    """Find the files of a register at ``path`` (directory, file or glob) and read their schemas.

    Parameters
    ----------
    path
        A directory (searched recursively for ``*.parquet`` / ``*.csv``), one file, or a glob.
    fmt
        ``"parquet"`` or ``"csv"``; guessed from the file names when ``None``.

    Raises
    ------
    InputError
        When no files are found or the format cannot be told.
    """
    text = str(path)
    if any(ch in text for ch in "*?["):
        found = sorted(glob.glob(text, recursive=True))
    elif Path(text).is_dir():
        found = sorted(
            str(p)
            for p in Path(text).rglob("*")
            if p.is_file()
            and p.suffix.lower() in (".parquet", ".csv")
            or p.name.endswith(".csv.gz")
        )
    elif Path(text).is_file():
        found = [text]
    else:
        raise InputError(
            Problem(text, "register input not found", expected="a directory, file or glob")
        )
    if fmt is None:
        kinds = {"csv" if ".csv" in Path(p).name.lower() else "parquet" for p in found}
        if len(kinds) > 1:
            raise InputError(
                Problem(text, "register input mixes Parquet and CSV files", expected="one format")
            )
        fmt = kinds.pop() if kinds else "parquet"  # type: ignore[assignment]
    suffix = ".csv" if fmt == "csv" else ".parquet"
    found = [p for p in found if suffix in Path(p).name.lower()]
    if not found:
        raise InputError(Problem(text, f"no {suffix} files found", expected="person-year files"))
    files = []
    for p in found:
        m = _YEAR_DIR.search(str(Path(p).parent).replace("\\", "/") + "/")
        year = int(m.group(1)) if m else None
        if fmt == "parquet":
            cols, rows = _parquet_schema(p)
            files.append(RegisterFile(p, year, cols, rows))
        else:
            files.append(RegisterFile(p, year, _csv_header(p), None))
    return RegisterSource(root=text, format=fmt, files=files)  # type: ignore[arg-type]


def read_deso_codes(path: str | os.PathLike[str], column: str = "DeSO_2018") -> frozenset[str]:
    """The DeSO codes of a key file, e.g. SCB's ``koppling_deso2018_regso2020.csv``.

    Source: SCB's key DeSO 2018 → RegSO 2020 (5,984 DeSO), columns
    ``Kommun,Kommunnamn,DeSO_2018,RegSO_2020,RegSOkod_2020``.
    """
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if reader.fieldnames is None or column not in reader.fieldnames:
            raise InputError(
                Problem(
                    str(path),
                    "DeSO key file lacks the code column",
                    column=column,
                    value=reader.fieldnames,
                    expected=f"a header with {column!r}",
                )
            )
        return frozenset(row[column].strip() for row in reader if row[column].strip())
