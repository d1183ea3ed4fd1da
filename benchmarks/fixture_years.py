"""Benchmark fixture: a SIMULATED ten-year database from the real shapes of the demo exports.

The eleven SCB Statistikdatabasen DeSO exports shipped in ``grannskap/data/scb_deso_2022`` are
written once per statistics year 2014-2023: the year labels are relabelled, every numeric cell
is perturbed (one smooth trend per DeSO and table plus 2 % noise, counts stay whole numbers,
shares keep one decimal) and the title, file name and a footnote say SIMULATED. The layout
(title, header rows, stub columns, markers, footnotes, table id) is the real one, so the
importer does exactly the work it does on real exports. **These are not SCB figures.** The
fixture lives in ``benchmarks/``, not in the package.

``python -m benchmarks.fixture_years DIR [--years 2014-2023]`` writes the xlsx files;
:func:`build_database` imports them (with the rest of the demo files) into a DuckDB file.
"""

from __future__ import annotations

import hashlib
import sys
import zlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import duckdb

__all__ = ["YEARS", "source_exports", "write_year", "write_fixture", "build_database", "main"]

YEARS: tuple[int, ...] = tuple(range(2014, 2024))
SEED = 20261202
LABEL = "SIMULERAD"  # in every title: the report shows source titles in its provenance
NOTE = (
    "SIMULERADE DATA / SIMULATED benchmark data: the layout of SCB export {table} relabelled as "
    "{year} and every value perturbed (benchmarks/fixture_years.py). Not official statistics."
)
_FOOTER_KEYS = ("Senaste uppdatering:", "Källa:", "Kontaktperson:", "Sort:", "Officiell statistik")


def source_exports() -> list[Path]:
    """The eleven real xlsx exports of the demo dataset."""
    from grannskap.demo import demo_files

    return [f for f in demo_files() if f.suffix == ".xlsx"]


def _read(path: Path) -> list[list[object]]:
    import python_calamine

    book = python_calamine.CalamineWorkbook.from_path(str(path))
    try:
        rows: list[list[object]] = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    finally:
        book.close()
    return rows


def _source_year(rows: Sequence[Sequence[object]]) -> str:
    """The four-digit year label of the export (in a header row or the stub)."""
    for row in rows[1:40]:
        for cell in row:
            if (
                isinstance(cell, str)
                and len(cell) == 4
                and cell.isdigit()
                and cell[:2] in ("19", "20")
            ):
                return cell
    raise ValueError("no year label in the first 40 rows")


def _perturbed(
    rows: list[list[object]], year: int, table: str, src_year: str
) -> list[list[object]]:
    out = [list(r) for r in rows]
    out[0][0] = f"{LABEL} {year}: {out[0][0]}"
    footer = next(
        (
            i
            for i, r in enumerate(out)
            if r and isinstance(r[0], str) and r[0].strip() in _FOOTER_KEYS
        ),
        len(out),
    )
    width = max(len(r) for r in out)
    note_row: list[object] = [NOTE.format(table=table, year=year)] + [""] * (width - 1)
    out.insert(footer, note_row)
    rng = np.random.default_rng([SEED, year, zlib.crc32(table.encode())])
    dy = year - int(src_year)
    for i, row in enumerate(out):
        if i == 0 or i == footer:
            continue
        nums = [j for j, c in enumerate(row) if type(c) is float or type(c) is int]
        for j, c in enumerate(row):
            if c == src_year:
                row[j] = str(year)
        if not nums:
            continue
        # one trend per row (area) and table: -1.5 % ... +1.5 % a year, and 2 % noise per cell
        key = str(row[0]) + str(row[1] if len(row) > 1 else "")
        trend = ((zlib.crc32((table + key).encode()) % 3001) / 1000 - 1.5) / 100
        noise = rng.normal(0.0, 0.02, len(nums))
        for j, e in zip(nums, noise, strict=True):
            v = float(row[j])  # type: ignore[arg-type]
            f = max(0.0, (1 + trend) ** dy * (1 + e))
            row[j] = float(round(v * f)) if v.is_integer() else round(v * f, 1)
    return out


def write_year(src: Path, year: int, out_dir: Path) -> Path:
    """One SIMULATED export: ``src`` relabelled as ``year`` and perturbed."""
    import xlsxwriter

    rows = _read(src)
    table = src.stem.split("_")[0]
    data = _perturbed(rows, year, table, _source_year(rows))
    path = out_dir / f"{table}_{LABEL}_{year}.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet(table)
    for i, row in enumerate(data):
        for j, cell in enumerate(row):
            if cell is None or cell == "":
                continue
            if isinstance(cell, str):
                sheet.write_string(i, j, cell)
            else:
                sheet.write_number(i, j, float(cell))  # type: ignore[arg-type]
    book.close()
    return path


def write_fixture(out_dir: Path, years: Iterable[int] = YEARS) -> dict[int, list[Path]]:
    """Write every export for every year into ``out_dir``; ``{year: [paths]}``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    sources = source_exports()
    return {y: [write_year(s, y, out_dir) for s in sources] for y in years}


def fixture_key() -> str:
    """Changes when the generator or the source exports change (for caching the fixture)."""
    h = hashlib.sha256(Path(__file__).read_bytes())
    for s in source_exports():
        h.update(s.read_bytes())
    return h.hexdigest()[:12]


def other_demo_files() -> tuple[list[Path], list[Path]]:
    """The demo files that are not the eleven exports: (the SCB key first, the rest after)."""
    from grannskap.demo import demo_files

    files = [f for f in demo_files() if f.suffix != ".xlsx"]
    return files[:1], files[1:]


def build_database(con: duckdb.DuckDBPyConnection, exports: Sequence[Path]) -> None:
    """The SCB key, the given exports, then the rest of the demo files (overview, police, programme)."""
    from grannskap.ingest.importer import import_file

    key, rest = other_demo_files()
    for f in [*key, *exports, *rest]:
        import_file(con, f)


def main(argv: list[str]) -> None:
    years = YEARS
    args = [a for a in argv if not a.startswith("--")]
    if "--years" in argv:
        lo, hi = argv[argv.index("--years") + 1].split("-")
        years = tuple(range(int(lo), int(hi) + 1))
        args = [a for a in args if a != argv[argv.index("--years") + 1]]
    out = Path(args[0] if args else "fixture-10y")
    written = write_fixture(out, years)
    print(
        f"wrote {sum(len(v) for v in written.values())} SIMULATED exports for {list(written)} to {out}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
