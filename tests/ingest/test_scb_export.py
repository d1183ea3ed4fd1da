"""The eleven real SCB DeSO exports import, and their figures in the database match the files.

Reference: the xlsx files themselves, read cell by cell with openpyxl at fixed positions
(independently of the importer's layout detection): SCB Statistikdatabasen exports of August
2024, ``../shared/data/scb_deso_2022/`` (provenance in its README).
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from grannskap.errors import InputError, ValidationError
from grannskap.ingest.scb_export import column_letter, parse_scb_csv, parse_scb_xlsx, slug
from grannskap.store import connect
from grannskap.store.load import load_parsed

EXPORTS = {
    # file stem: (table id, rows with codes start at, year)
    "000005F8_20240813-152932": ("000005F8", 2022),
    "000005FB_20240813-152341": ("000005FB", 2022),
    "000005FC_20240806-102837": ("000005FC", 2023),
    "000005FE_20240813-152154": ("000005FE", 2022),
    "000005FF_20240813-152010": ("000005FF", 2022),
    "000005FM_20240813-153407": ("000005FM", 2022),
    "000005LO_20240813-153750": ("000005LO", 2022),
    "000005MO_20240813-151714": ("000005MO", 2022),
    "000006OC_20240813-153146": ("000006OC", 2022),
    "000006TA_20240813-153551": ("000006TA", 2022),
    "000007A8_20240813-151334": ("000007A8", 2022),
}


def _cell_row(sheet, code: str) -> tuple:
    for row in sheet.iter_rows(values_only=True):
        if code in row:
            return row
    raise KeyError(code)


@pytest.fixture(scope="module")
def loaded(shared_data: Path):
    con = connect(":memory:")
    parsed = {}
    for stem in EXPORTS:
        p = parse_scb_xlsx(
            (shared_data / "scb_deso_2022" / f"{stem}.xlsx").read_bytes(), f"{stem}.xlsx"
        )
        load_parsed(con, p)
        parsed[stem] = p
    return con, parsed


def test_all_eleven_import_with_title_year_and_table_id_from_the_file(loaded) -> None:
    con, parsed = loaded
    for stem, (table_id, year) in EXPORTS.items():
        p = parsed[stem]
        assert p.table_id == table_id
        assert p.year == year
        assert " efter " in p.title
        assert p.observations["area_code"].nunique() == 5984  # every DeSO of the 2018 division
    n = con.execute(
        "SELECT count(DISTINCT area_code) FROM observation WHERE area_system = 'deso2018'"
    ).fetchone()[0]
    assert n == 5984


@pytest.mark.parametrize("code", ["1490C1010", "1490C1300", "0114A0010", "2584C1020"])
def test_background_counts_match_the_xlsx_cells(loaded, shared_data: Path, code: str) -> None:
    """000005FE: columns B, C, D = Swedish background, foreign background, total (kön totalt)."""
    con, _ = loaded
    sheet = openpyxl.load_workbook(
        shared_data / "scb_deso_2022" / "000005FE_20240813-152154.xlsx", read_only=True
    ).active
    row = _cell_row(sheet, code)
    got = dict(
        con.execute(
            "SELECT breakdown, value FROM observation WHERE indicator_id = 'scb.000005FE' AND area_code = ? AND year = 2022",
            [code],
        ).fetchall()
    )
    assert got["utlandsk_svensk_bakgrund=svensk bakgrund"] == row[1]
    assert got["utlandsk_svensk_bakgrund=utländsk bakgrund"] == row[2]
    assert got[""] == row[3]


def test_multi_content_tables_keep_each_content_as_an_indicator(loaded, shared_data: Path) -> None:
    """000006TA: low economic standard %, high %, persons; 000007A8: labour-market counts 16-64."""
    con, _ = loaded
    ta = openpyxl.load_workbook(
        shared_data / "scb_deso_2022" / "000006TA_20240813-153551.xlsx", read_only=True
    ).active
    row = _cell_row(ta, "1490C1300")
    low = con.execute(
        "SELECT value FROM observation WHERE indicator_id = 'scb.000006TA.lag_ekonomisk_standard_procent' "
        "AND area_code = '1490C1300'"
    ).fetchone()[0]
    persons = con.execute(
        "SELECT value FROM observation WHERE indicator_id = 'scb.000006TA.antal_personer_totalt' "
        "AND area_code = '1490C1300'"
    ).fetchone()[0]
    assert (low, persons) == (row[1], row[3])
    a8 = openpyxl.load_workbook(
        shared_data / "scb_deso_2022" / "000007A8_20240813-151334.xlsx", read_only=True
    ).active
    row = _cell_row(a8, "1490C1300")
    unemployed = con.execute(
        "SELECT value, breakdown FROM observation WHERE indicator_id = 'scb.000007A8.antal_arbetslosa' "
        "AND area_code = '1490C1300'"
    ).fetchone()
    assert unemployed == (row[2], "alder=16-64 år")
    unit = con.execute(
        "SELECT unit, kind FROM indicator WHERE indicator_id = 'scb.000006TA.lag_ekonomisk_standard_procent'"
    ).fetchone()
    assert unit == ("andel", "percent")


def test_year_in_the_row_stub_is_read(loaded) -> None:
    """000005FC has the year (2023) in column A and the region in column B."""
    con, _ = loaded
    assert con.execute(
        "SELECT DISTINCT year FROM observation WHERE indicator_id = 'scb.000005FC'"
    ).fetchall() == [(2023,)]


def test_footnotes_are_kept_as_provenance_notes(loaded) -> None:
    con, _ = loaded
    notes = con.execute("SELECT notes FROM provenance WHERE table_id = '000005FE'").fetchone()[0]
    assert "utländsk bakgrund" in notes


def test_scb_markers_map_to_status(tmp_xlsx, scb_rows) -> None:
    rows = scb_rows([["1490C1010", "..", "-", "x"], ["1490C1020", 5, 7, 12]])
    p = parse_scb_xlsx(tmp_xlsx(rows).read_bytes(), "m.xlsx")
    o = p.observations.set_index(["area_code", "breakdown"])
    assert o.loc[("1490C1010", "utlandsk_svensk_bakgrund=svensk bakgrund"), "status"] == "missing"
    assert o.loc[("1490C1010", "utlandsk_svensk_bakgrund=utländsk bakgrund"), "status"] == "zero"
    assert o.loc[("1490C1010", "utlandsk_svensk_bakgrund=utländsk bakgrund"), "value"] == 0
    assert o.loc[("1490C1010", ""), "status"] == "suppressed"


def test_bad_values_are_all_reported_with_row_column_and_value(tmp_xlsx, scb_rows) -> None:
    rows = scb_rows([["1490C1010", -3, 4, 1], ["1490C1020", "abc", 7, 12], ["NOTACODE", 1, 2, 3]])
    with pytest.raises(ValidationError) as err:
        parse_scb_xlsx(tmp_xlsx(rows).read_bytes(), "bad.xlsx")
    text = "\n".join(err.value.lines())
    assert "bad.xlsx, row 6, column B: negative value" in text and "-3" in text
    assert "row 7, column B: not a number" in text and "'abc'" in text
    assert "row 8, column A: not a region code" in text and "NOTACODE" in text
    assert len(err.value.problems) == 3


def test_changed_layout_is_reported(tmp_xlsx, scb_rows) -> None:
    rows = scb_rows(
        [["1490C1010", 1, 2, 3]], title="Folkmängden per region efter region, år och kön"
    )
    with pytest.raises(InputError, match="changed layout"):
        parse_scb_xlsx(tmp_xlsx(rows).read_bytes(), "c.xlsx")


def test_no_title_and_empty_files_are_rejected(tmp_xlsx) -> None:
    with pytest.raises(InputError, match="not an SCB Statistikdatabasen export"):
        parse_scb_xlsx(tmp_xlsx([["just a sheet"], [1, 2]]).read_bytes(), "x.xlsx")
    with pytest.raises(InputError, match="empty"):
        parse_scb_xlsx(tmp_xlsx([]).read_bytes(), "e.xlsx")
    with pytest.raises(InputError, match="Excel workbook"):
        parse_scb_xlsx(b"not a zip", "n.xlsx")


def test_duplicate_keys_are_rejected_on_load(tmp_xlsx, scb_rows) -> None:
    rows = scb_rows([["1490C1010", 1, 2, 3], ["1490C1010", 1, 2, 3]])
    p = parse_scb_xlsx(tmp_xlsx(rows).read_bytes(), "d.xlsx")
    with pytest.raises(ValidationError, match="duplicate key"):
        load_parsed(connect(":memory:"), p)


def test_csv_export_semicolon_with_decimal_comma() -> None:
    text = (
        '"Medelinkomst per region efter region, tabellinnehåll och år"\n\n'
        ';"Medelvärde, tkr";"Antal personer"\n;"2021";"2021"\n'
        '"1490 Borås";"301,5";"95000"\n"1401 Härryda";"350,2";".."\n\n"Källa:"\n"SCB"\n'
    )
    p = parse_scb_csv(text.encode("cp1252"), "inc.csv")
    o = p.observations.set_index(["indicator_id", "area_code"])
    assert o.loc[("scb.inc.medelvarde_tkr", "1490"), "value"] == pytest.approx(301.5)
    assert o.loc[("scb.inc.antal_personer", "1401"), "status"] == "missing"
    assert {a.code: a.name for a in p.areas}["1490"] == "Borås"


def test_helpers() -> None:
    assert slug("utländsk/svensk bakgrund") == "utlandsk_svensk_bakgrund"
    assert [column_letter(i) for i in (0, 25, 26, 27)] == ["A", "Z", "AA", "AB"]
