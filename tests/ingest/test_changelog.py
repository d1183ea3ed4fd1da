"""SCB's change logs and 2025 key (DeSO 2018 → 2025, RegSO 2020 → 2025) for Borås.

Source: SCB "Historiska förändringar i DeSO/RegSO" and the key DeSO 2025 – RegSO 2025, Borås
extracts in ``src/grannskap/data/scb_andringar/`` (provenance in the data README): 12 RegSO in
the RegSO log, 56 DeSO adjustments, 26 RegSO whose boundaries moved in all (shared/data/README).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grannskap.demo import demo_files
from grannskap.errors import ValidationError
from grannskap.ingest.changelog import parse_changelog
from grannskap.ingest.importer import import_file
from grannskap.store import connect
from grannskap.store.changes import changed_areas


def _files() -> dict[str, Path]:
    return {p.name: p for p in demo_files() if "scb_andringar" in str(p)}


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    con = connect(str(tmp_path / "c.duckdb"))
    import_file(con, demo_files()[0])  # the key DeSO 2018 -> RegSO 2020
    for path in _files().values():
        import_file(con, path)
    yield con
    con.close()


def test_borås_revision_flags_26_regso(db) -> None:  # type: ignore[no-untyped-def]
    changed = changed_areas(db, "regso2020", "1490")
    assert len(changed) == 26
    norrby = changed.set_index("code").loc["1490R025"]
    assert norrby["name"] == "Norrby" and bool(norrby["in_regso_log"])
    assert int(changed["in_regso_log"].sum()) == 12
    assert str(changed["changed_on"].min())[:10] == "2025-01-01"
    # DeSO 2025 areas and their RegSO 2025 exist, one crosswalk row each
    n = db.execute(
        "SELECT count(*) FROM crosswalk WHERE from_system = 'deso2025' AND to_system = 'regso2025'"
    ).fetchone()
    assert n is not None and n[0] == 77
    log = _files()["deso_forandringar_1490_extract.csv"].read_text("utf-8").splitlines()[1:]
    deso = {c for line in log for c in line.split(",")[:2]}  # gave or received a part
    assert set(changed_areas(db, "deso2018", "1490")["code"]) == deso
    assert changed_areas(db, "regso2020", "0180").empty


def test_reimport_changes_nothing(db) -> None:  # type: ignore[no-untyped-def]
    before = db.execute("SELECT count(*) FROM area_change").fetchone()
    results = [import_file(db, p) for p in _files().values()]
    assert all(r.skipped for r in results)
    assert db.execute("SELECT count(*) FROM area_change").fetchone() == before


@pytest.mark.parametrize(
    ("text", "column", "value"),
    [
        ("fran,till,typ,datum\n1490C1050,1490X1020,Ger del,2025-01-01\n", "till", "1490X1020"),
        (
            "fran,till,typ,datum\n1490C1050,1490C1020,Ger del,1 januari 2025\n",
            "datum",
            "1 januari 2025",
        ),
        ("deso_2025,regso_2025\n1490A0010,1490R45\n", "regso_2025", "1490R45"),
    ],
)
def test_bad_rows_name_file_row_column_value(text: str, column: str, value: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_changelog(text.encode(), "andringar.csv")
    p = err.value.problems[0]
    assert (p.file, p.row, p.column, p.value) == ("andringar.csv", 2, column, value)


def test_failed_import_leaves_database_unchanged(tmp_path: Path) -> None:
    con = connect(str(tmp_path / "d.duckdb"))
    try:
        bad = tmp_path / "regso_changes.csv"
        bad.write_text(
            "kommun,kommun_name,old_code,old_name,new_code,new_name,change,date\n"
            "1490,Borås,1490R006,B,1490R006,B,Utvidgas,2025-01-01\n"
            "1490,Borås,1490R013,F,NOPE,F,Ger del,2025-01-01\n",
            encoding="utf-8",
        )
        with pytest.raises(ValidationError):
            import_file(con, bad)
        assert con.execute("SELECT count(*) FROM area_change").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM provenance").fetchone() == (0,)
    finally:
        con.close()
