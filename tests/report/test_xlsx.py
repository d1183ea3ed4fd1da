"""report.xlsx layout (issue 15 item 6): contents sheet first with every sheet's full title as a
link, exactly one notes sheet holding the suppression notice (and no other sheet repeating it),
numbers stored as numbers with Excel number formats, sheet names within Excel's rules.

Excel's rules for sheet names (≤ 31 characters, unique ignoring case, none of ``[]:*?/\\``):
Microsoft, "Rename a worksheet" (support.microsoft.com).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from grannskap.report.context import Column, SectionResult, Table
from grannskap.report.xlsx import (
    NUMBER_FORMATS,
    contents_sheet_name,
    notes_sheet_name,
    suppression_notice,
    write_xlsx,
)

LONG = "Andel med eftergymnasial utbildning per RegSO och år, jämfört med kommunen och riket"


def _sections() -> list[SectionResult]:
    frame = pd.DataFrame(
        {
            "name": ["Norrby", '=HYPERLINK("x")', "Hässleholmen"],
            "share": [48.00000000000001, None, 12.345],
            "n": [3167.0, 12000, None],
            "year": [2022, 2023, 2023],
            "d": [0.31234, 0.2, 0.1],
        }
    )
    cols = [
        Column("name", "Område"),
        Column("share", "Andel (%)", "pct1"),
        Column("n", "Folkmängd", "int"),
        Column("year", "År", "year"),
        Column("d", "D", "num3"),
    ]
    t1 = Table("a", LONG, frame, cols, "SCB 2022", note="Egen anmärkning.", number=1)
    t2 = Table("b", LONG, frame, cols, "SCB 2023", number=2)  # same title: names must differ
    t3 = Table("c", "Kort", frame, cols, "Polisen", number=3)
    return [
        SectionResult("s1", "Befolkning", True, tables=[t1, t2]),
        SectionResult("s2", "Polisens lista", True, tables=[t3]),
    ]


def _rows(ws: Any) -> list[list[Any]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _texts(ws: Any) -> str:
    return "\n".join(str(v) for r in _rows(ws) for v in r if v is not None)


def check_workbook(path: Path, lang: str, n_tables: int) -> Any:
    """The layout checks, shared by the synthetic and the full-report tests."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    names = wb.sheetnames
    # sheet names: Excel's rules
    assert len({n.lower() for n in names}) == len(names)
    assert all(1 <= len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in names)
    # contents first, one notes sheet, one sheet per table
    assert names[0] == contents_sheet_name(lang)
    assert names.count(notes_sheet_name(lang)) == 1
    tables = [n for n in names if n not in (contents_sheet_name(lang), notes_sheet_name(lang))]
    assert len(tables) == n_tables
    # the contents list every other sheet, each with a link to it and the full title
    toc = wb[names[0]]
    links = {c.hyperlink.location: c.value for row in toc.iter_rows() for c in row if c.hyperlink}
    targets = {re.sub(r"^'(.*)'!A1$", r"\1", loc).replace("''", "'") for loc in links}
    assert targets == set(names[1:])
    word = "Table" if lang == "en" else "Tabell"
    for n in tables:
        ws = wb[n]
        full = ws["A1"].value
        assert str(full).startswith(f"{word} ")
        assert full in links.values()  # the contents show the whole title, not the cut name
    # the notice once, on the notes sheet only
    notice = suppression_notice(lang)
    assert notice in _texts(wb[notes_sheet_name(lang)])
    for n in names:
        if n != notes_sheet_name(lang):
            text = _texts(wb[n])
            assert notice not in text
            assert "primär undertryckning" not in text.lower()
            assert "primary suppression" not in text.lower()
    return wb


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_layout_contents_notes_numbers(lang: str, tmp_path: Path) -> None:
    path = write_xlsx(_sections(), tmp_path / "r.xlsx", lang)
    wb = check_workbook(path, lang, 3)
    toc_titles = [c.value for row in wb.worksheets[0].iter_rows() for c in row if c.hyperlink]
    word = "Table" if lang == "en" else "Tabell"
    assert f"{word} 1. {LONG}" in toc_titles  # the full title, longer than 31 characters
    ws = wb.worksheets[1]
    assert ws["A1"].value == f"{word} 1. {LONG}"
    assert ws["A2"].value == ("Source: SCB 2022" if lang == "en" else "Källa: SCB 2022")
    assert ws["A3"].value == "Egen anmärkning."
    header = [c.value for c in ws[5]]
    assert header == ["Område", "Andel (%)", "Folkmängd", "År", "D"]
    rows = [[c for c in r] for r in ws.iter_rows(min_row=6, max_row=8)]
    # numbers are numbers, rounded as shown, with the kind's number format
    share, n, year, d = rows[0][1], rows[0][2], rows[0][3], rows[0][4]
    assert share.data_type == "n" and share.value == 48.0
    assert share.number_format == NUMBER_FORMATS["pct1"] == "#,##0.0"
    assert n.data_type == "n" and n.value == 3167 and n.number_format == "#,##0"
    assert year.value == 2022 and year.number_format == "0"  # no "2 022"
    assert d.value == 0.312 and d.number_format == "0.000"
    assert rows[2][1].value == 12.3
    # suppressed / missing = empty cell; text from the data stays a string, not a formula
    assert rows[1][1].value is None and rows[2][2].value is None
    assert rows[1][0].value == '=HYPERLINK("x")' and rows[1][0].data_type == "s"
    # the notes sheet: every table's source, the definitions
    notes = _texts(wb[notes_sheet_name(lang)])
    for source in ("SCB 2022", "SCB 2023", "Polisen"):
        assert source in notes
    assert ("Definitions" if lang == "en" else "Definitioner") in notes
    assert "RegSO" in notes


def test_the_check_can_fail(tmp_path: Path) -> None:
    """A workbook with the notice on a table sheet (the old layout) fails the check."""
    import xlsxwriter

    path = tmp_path / "old.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Innehåll").write_string(0, 0, "Tabeller")
    ws = wb.add_worksheet("T1 Andel")
    ws.write_string(0, 0, "Tabell 1. Andel")
    ws.write_string(2, 0, suppression_notice("sv"))
    wb.add_worksheet("Noter").write_string(0, 0, suppression_notice("sv"))
    wb.close()
    with pytest.raises(AssertionError):
        check_workbook(path, "sv", 1)


def test_no_tables_still_a_valid_workbook(tmp_path: Path) -> None:
    import openpyxl

    write_xlsx([SectionResult("s", "s", True)], tmp_path / "e.xlsx", "en")
    assert openpyxl.load_workbook(tmp_path / "e.xlsx").sheetnames == ["Contents", "Notes"]


def test_dashboard_download_shares_the_layout() -> None:
    """The dashboard's per-table (and per-board) xlsx downloads go through the same writer."""
    import io
    from types import SimpleNamespace

    import openpyxl

    from grannskap.web.downloads import download

    t = _sections()[0].tables[0]
    ctx = SimpleNamespace(kommun="1490", year=2022, lang="sv", t=lambda sv, en: sv)
    r = download(SimpleNamespace(tables={"a": t}, ctx=ctx), "a.xlsx")  # type: ignore[arg-type]
    wb = openpyxl.load_workbook(io.BytesIO(r.body))
    assert wb.sheetnames[0] == "Innehåll" and wb.sheetnames[-1] == "Noter"
    assert len(wb.sheetnames) == 3


def test_full_report_xlsx(report_dir: Path) -> None:
    html = (report_dir / "report.html").read_text(encoding="utf-8")
    n_tables = len(re.findall(r"<strong>Tabell \d+\.</strong>", html))
    assert n_tables > 5
    wb = check_workbook(report_dir / "report.xlsx", "sv", n_tables)
    numbers = [
        c
        for ws in wb.worksheets[1:-1]
        for row in ws.iter_rows(min_row=6)
        for c in row
        if c.data_type == "n" and c.value is not None
    ]
    assert len(numbers) > 100
    assert all(c.number_format in set(NUMBER_FORMATS.values()) | {"General"} for c in numbers)
    # no measured value hides as text ("3167.0", "48,0"); integer-looking text is a code or a
    # map label ("0180", "12"), which stays text
    texts = [
        c.value
        for ws in wb.worksheets[1:-1]
        for row in ws.iter_rows(min_row=6)
        for c in row
        if c.data_type == "s"
    ]
    assert not [v for v in texts if re.fullmatch(r"-?\d+[.,]\d+", str(v))]


@pytest.mark.slow
def test_full_report_xlsx_english(demo_con, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from grannskap.report.build import build_report

    build_report(demo_con, tmp_path, kommun="1490", lang="en", formats=("xlsx",), demo=True)
    import openpyxl

    n = len(openpyxl.load_workbook(tmp_path / "report.xlsx").sheetnames) - 2
    wb = check_workbook(tmp_path / "report.xlsx", "en", n)
    # the writer's own words are English (titles and quoted sources may hold Swedish names)
    sv_words = re.compile(r"\b(Tabell|Källa|Blad|Titel|Avsnitt|och|för|Tomma|med)\b")
    own = [r for r in _rows(wb["Contents"])[:5]]
    notes = _rows(wb["Notes"])
    own += notes[: next(i for i, r in enumerate(notes) if r[0] == "Sources by table") + 2]
    words = " ".join(str(v) for r in own for v in r if v is not None)
    assert "Definitions" in words and not sv_words.search(words), words
