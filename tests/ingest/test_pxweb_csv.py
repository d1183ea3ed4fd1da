"""PxWeb CSV exports with area labels (SCB RegSO series 2020–2023, ../shared/data).

Reference values: Borås population 2020–2023 = 113 714 / 114 091 / 114 445 / 114 592 and
utrikes födda 26 895 / 27 488 / 28 117 / 28 150 (Borås Stad's published figures, checked in
../shared/data/README.md).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from grannskap.errors import GrannskapError, ValidationError
from grannskap.ingest.importer import detect_format, import_file
from grannskap.ingest.pxweb_csv import looks_like_pxweb_csv, normalize_label, parse_pxweb_csv
from grannskap.store import connect

FOLK = "regso2020_folkmangd_fodelseregion_2020_2023.csv"
TENURE = "regso2020_lagenheter_upplatelseform_2020_2023.csv"
INCOME = "regso2020_loneinkomst_medelvarde_2020_2023.csv"
KEY = "scb_koppling/koppling_deso2018_regso2020.csv"


@pytest.fixture(scope="module")
def labels(shared_data: Path) -> dict[str, str]:
    text = (shared_data / KEY).read_text(encoding="utf-8-sig")
    return {
        f"{r['Kommunnamn']} ({r['RegSO_2020']})": r["RegSOkod_2020"]
        for r in csv.DictReader(io.StringIO(text))
    }


@pytest.fixture(scope="module")
def series(shared_data: Path) -> Path:
    return shared_data / "scb_regso_2020_2023"


@pytest.fixture(scope="module")
def key_db(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    path = tmp_path_factory.mktemp("pxweb") / "key.duckdb"
    con = connect(path)
    try:
        import_file(con, shared_data / KEY)
    finally:
        con.close()
    return path


def test_normalize_label_trims_space_before_paren_and_reads_en_dash() -> None:
    assert normalize_label("Botkyrka (Tuna )") == normalize_label("Botkyrka (Tuna)")
    assert normalize_label("Sotenäs (Hunnebostrand\u2013Bovallstrand)") == normalize_label(
        "Sotenäs (Hunnebostrand-Bovallstrand)"
    )
    assert normalize_label("Borås (Norrby)") != normalize_label("Borås (Norrby centrum)")


def test_population_matches_published_boras_totals(series: Path, labels: dict[str, str]) -> None:
    data = (series / FOLK).read_bytes()
    assert looks_like_pxweb_csv(data)
    p = parse_pxweb_csv(data, FOLK, labels)
    assert p.table_id == "TAB6572"
    obs = p.observations
    assert obs["area_code"].nunique() == 3363  # every RegSO 2020 of SCB's key
    boras = obs[obs["area_code"].str.startswith("1490")]
    total = boras[boras["breakdown"] == ""].groupby("year")["value"].sum()
    sweden = boras[boras["breakdown"] == "fodelseregion=Sverige"].groupby("year")["value"].sum()
    assert total.to_dict() == {2020: 113714, 2021: 114091, 2022: 114445, 2023: 114592}
    assert (total - sweden).to_dict() == {2020: 26895, 2021: 27488, 2022: 28117, 2023: 28150}


def test_tenure_and_income_parse(series: Path, labels: dict[str, str]) -> None:
    t = parse_pxweb_csv((series / TENURE).read_bytes(), TENURE, labels)
    assert t.table_id == "TAB6258"
    assert set(t.observations["breakdown"]) == {
        "upplatelseform=hyresrätt",
        "upplatelseform=bostadsrätt",
        "upplatelseform=äganderätt",
        "upplatelseform=uppgift saknas",
    }
    assert sorted(t.observations["year"].unique()) == [2020, 2021, 2022, 2023]
    i = parse_pxweb_csv((series / INCOME).read_bytes(), INCOME, labels)
    assert i.table_id == "Tab2InkDesoN"
    assert i.indicators[0].kind == "mean"
    assert "fasta priser" in i.indicators[0].unit
    assert any("fasta priser" in n for n in i.notes)
    # first data row of the file: Upplands Väsby (Bollstanäs) 438.3 tkr in 2020
    row = i.observations[(i.observations.area_code == "0114R001") & (i.observations.year == 2020)]
    assert row["value"].tolist() == [438.3]


def test_import_into_db_and_detect(series: Path, key_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "x.duckdb"
    db.write_bytes(key_db.read_bytes())
    assert detect_format(series / FOLK, (series / FOLK).read_bytes()) == "pxweb_csv"
    con = connect(db)
    try:
        r = import_file(con, series / FOLK)
        assert r.rows == 3363 * 2 * 4 and not r.skipped
        assert import_file(con, series / FOLK).skipped  # same bytes: nothing changes
        n = con.execute(
            "SELECT count(*) FROM observation WHERE indicator_id = 'scb.TAB6572' "
            "AND area_system = 'regso2020'"
        ).fetchone()
        assert n == (3363 * 2 * 4,)
    finally:
        con.close()


HEADER = '\ufeff"region","födelseregion","kön","Antal 2020","Antal 2021"\r\r\n'


def _parse(text: str, labels: dict[str, str]) -> None:
    parse_pxweb_csv(text.encode("utf-8"), "bad.csv", labels)


def test_unknown_label_names_file_row_and_label(labels: dict[str, str]) -> None:
    text = (
        HEADER
        + '"Borås (Norrby)","totalt","totalt",1,2\r\r\n"Borås (Atlantis)","totalt","totalt",1,2\r\r\n'
    )
    with pytest.raises(ValidationError) as e:
        _parse(text, labels)
    p = e.value.problems[0]
    assert (p.file, p.row, p.column, p.value) == ("bad.csv", 3, "region", "Borås (Atlantis)")
    assert "Kommunnamn (RegSO-namn)" in (p.expected or "")


def test_year_twice_in_header(labels: dict[str, str]) -> None:
    text = '"region","födelseregion","kön","Antal 2020","Antal 2020"\n"Borås (Norrby)","totalt","totalt",1,2\n'
    with pytest.raises(ValidationError, match="year 2020 twice"):
        _parse(text, labels)


def test_changed_header_layout(labels: dict[str, str]) -> None:
    text = '"region","födelseland","kön","Antal 2020"\n"Borås (Norrby)","totalt","totalt",1\n'
    with pytest.raises(ValidationError, match="header layout not recognised") as e:
        _parse(text, labels)
    assert e.value.problems[0].row == 1
    text = '"region","födelseregion","kön","Antal 2020","Medelålder 2021"\n'
    with pytest.raises(ValidationError, match="header layout of TAB6572 changed"):
        _parse(text, labels)


def test_same_row_twice_and_bad_number(labels: dict[str, str]) -> None:
    row = '"Borås (Norrby)","totalt","totalt",1,2\n'
    with pytest.raises(ValidationError, match="twice"):
        _parse(HEADER + row + row, labels)
    with pytest.raises(ValidationError, match="not a number"):
        _parse(HEADER + '"Borås (Norrby)","totalt","totalt",1,abc\n', labels)


def test_without_key_in_db_is_a_clear_error(series: Path, tmp_path: Path) -> None:
    con = connect(tmp_path / "empty.duckdb")
    try:
        with pytest.raises(GrannskapError, match="key"):
            import_file(con, series / FOLK)
        assert con.execute("SELECT count(*) FROM observation").fetchone() == (0,)
    finally:
        con.close()


def test_bad_file_leaves_db_unchanged(key_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "y.duckdb"
    db.write_bytes(key_db.read_bytes())
    bad = tmp_path / "bad.csv"
    bad.write_text(
        HEADER + '"Borås (Norrby)","totalt","totalt",1,2\n"Nowhere (X)","totalt","totalt",1,2\n',
        encoding="utf-8",
    )
    con = connect(db)
    try:
        before = con.execute("SELECT count(*) FROM provenance").fetchone()
        with pytest.raises(ValidationError, match="Nowhere"):
            import_file(con, bad)
        assert con.execute("SELECT count(*) FROM provenance").fetchone() == before
        assert con.execute("SELECT count(*) FROM observation").fetchone() == (0,)
    finally:
        con.close()
