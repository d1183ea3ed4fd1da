"""The xlsx funding template: filled in by an analyst, imported after the programme file,
a new version replaces the old one, problems name row and column."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from grannskap.demo import demo_files
from grannskap.errors import ValidationError
from grannskap.ingest.funding_xlsx import COLUMNS, SHEET, write_template
from grannskap.ingest.importer import detect_format, import_file
from grannskap.store import connect

PROG = [p for p in demo_files() if p.name == "programme.yaml"][0]


@pytest.fixture()
def con():  # type: ignore[no-untyped-def]
    c = connect(":memory:")
    import_file(c, PROG)
    return c


def _filled(path: Path, rows: list[list[object]], con=None) -> Path:  # type: ignore[no-untyped-def]
    write_template(path, con, "shb")
    wb = load_workbook(path)
    for r in rows:
        wb[SHEET].append(r)
    wb.save(path)
    return path


def test_shipped_template_has_the_documented_columns() -> None:
    shipped = Path(str(PROG.parent.parent / "templates" / "finansiering_mall.xlsx"))
    wb = load_workbook(shipped)
    assert [c.value for c in wb[SHEET][1]] == list(COLUMNS)
    assert "anvisning" in wb.sheetnames


def test_template_round_trip_and_replacement(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = _filled(
        tmp_path / "finansiering.xlsx",
        [
            [
                "shb",
                2023,
                "M1",
                "kaa",
                "Kommunen (egen budget)",
                "utfall",
                "1 200 000",
                "ekonomisystemet 2024-01-31",
            ],
            [
                "shb",
                2023,
                "M1",
                "kaa",
                "Tillväxtverket",
                "utfall",
                350000,
                "ekonomisystemet 2024-01-31",
            ],
            [
                "shb",
                2024,
                "M2",
                None,
                "Kommunen (egen budget)",
                "budget",
                "2,5 milj",
                "budget 2024",
            ],
        ],
        con,
    )
    assert "koder" in load_workbook(p).sheetnames
    assert detect_format(p, p.read_bytes()) == "funding_xlsx"
    res = import_file(con, p)
    assert res.rows == 3 and not res.skipped
    rows = con.execute(
        "SELECT year, malomrade_id, intervention_id, funding_source, kind, amount_sek FROM funding "
        "WHERE dimension = 'intervention' ORDER BY year, funding_source"
    ).fetchall()
    assert rows[0] == (2023, "M1", "kaa", "Kommunen (egen budget)", "spent", Decimal("1200000.00"))
    assert rows[2][4] == "budget" and rows[2][5] == Decimal("2500000.00")
    # the state-grant rows of the programme file are untouched
    assert (
        con.execute(
            "SELECT count(*) FROM funding WHERE dimension = 'year' AND kind = 'spent'"
        ).fetchone()[0]
        == 6
    )
    # a new version replaces the previous template's rows
    p2 = _filled(
        tmp_path / "finansiering_v2.xlsx",
        [["shb", 2025, "M3", None, "Kommunen", "budget", 100, "x"]],
    )
    import_file(con, p2)
    assert (
        con.execute("SELECT count(*) FROM funding WHERE dimension = 'intervention'").fetchone()[0]
        == 1
    )


def test_template_problems_name_row_and_column(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    p = _filled(tmp_path / "bad.xlsx", [["shb", "tjugo", "M1", None, "K", "gåva", "mycket", None]])
    with pytest.raises(ValidationError) as err:
        import_file(con, p)
    out = "\n".join(err.value.lines())
    for needle in ("not a year", "unknown kind", "not an amount", "row 2"):
        assert needle in out, needle
    p = _filled(tmp_path / "ids.xlsx", [["shb", 2023, "M9", "nope", "K", "budget", 1, None]])
    with pytest.raises(ValidationError) as err:
        import_file(con, p)
    out = "\n".join(err.value.lines())
    assert "unknown målområde" in out and "unknown intervention" in out
    assert (
        con.execute("SELECT count(*) FROM funding WHERE dimension = 'intervention'").fetchone()[0]
        == 0
    )


def test_funding_section_shows_template_rows_by_funder(con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from grannskap.report.context import ReportContext
    from grannskap.report.sections.funding import _detail_table

    p = _filled(
        tmp_path / "f.xlsx",
        [
            ["shb", 2023, "M1", "kaa", "Kommunen", "utfall", 1000, "x"],
            ["shb", 2023, "M1", "kaa", "Tillväxtverket", "utfall", 500, "x"],
            ["shb", 2024, "M2", None, "Kommunen", "budget", 200, "x"],
        ],
    )
    import_file(con, p)
    ctx = ReportContext(con, "1490", "Borås", "sv", 2022, 5)
    t = _detail_table(ctx, "shb")
    assert t is not None
    f = t.frame.set_index(["year", "intervention"])
    assert f.loc[(2023, "KAA – kommunala aktivitetsansvaret"), "Kommunen"] == 1000
    assert f.loc[(2023, "KAA – kommunala aktivitetsansvaret"), "Tillväxtverket"] == 500
    assert f.loc[(2024, "(ej angivet)"), "Tillväxtverket"] == 0
