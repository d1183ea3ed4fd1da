"""The history section and the years-adaptive wording (issue 13 item 5), on databases with 1, 2
and 4 statistics years of SCB's real RegSO series (../shared/data/scb_regso_2020_2023, cut to
fewer years by dropping year columns) beside the real 2022 DeSO export 000005FE.

Reference values: Borås population 2020 / 2023 = 113 714 / 114 592 and utrikes födda 26 895 /
28 150 (Borås Stad's published figures, ../shared/data/README.md).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from grannskap.report.build import build_context
from grannskap.report.render import render_section
from grannskap.report.sections import build_one
from grannskap.report.sections.history import change_sentence, span, years_note
from grannskap.store import connect

FOLK = "scb_regso_2020_2023/regso2020_folkmangd_fodelseregion_2020_2023.csv"
KEY = "scb_koppling/koppling_deso2018_regso2020.csv"
FE = "scb_deso_2022/000005FE_20240813-152154.xlsx"
OVERVIEW = "boras_1490_regso_deso_overview.csv"


def _cut(data: bytes, keep: set[int]) -> bytes:
    """The PxWeb CSV with only the year columns in ``keep`` (same rows, same labels)."""
    rows = [r for r in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")) if r]
    idx = [j for j, h in enumerate(rows[0]) if not h[-4:].isdigit() or int(h[-4:]) in keep]
    out = io.StringIO()
    w = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    w.writerow([rows[0][j] for j in idx])
    for r in rows[1:]:
        w.writerow([r[j] if j < 3 else int(r[j]) for j in idx])
    return out.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def base_db(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from grannskap.ingest.importer import import_file

    path = tmp_path_factory.mktemp("hist") / "base.duckdb"
    con = connect(path)
    try:
        for name in (KEY, FE, OVERVIEW):
            import_file(con, shared_data / name)
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def dbs(base_db: Path, shared_data: Path) -> dict[int, Path]:
    from grannskap.ingest.importer import import_file

    data = (shared_data / FOLK).read_bytes()
    out = {}
    for n, keep in ((1, {2022}), (2, {2022, 2023}), (4, {2020, 2021, 2022, 2023})):
        path = base_db.with_name(f"y{n}.duckdb")
        shutil.copy(base_db, path)
        csv_path = base_db.with_name(f"folk_{n}.csv")
        csv_path.write_bytes(data if n == 4 else _cut(data, keep))
        con = connect(path)
        try:
            import_file(con, csv_path)
        finally:
            con.close()
        out[n] = path
    return out


def _section(db: Path, lang: str = "sv"):  # type: ignore[no-untyped-def]
    con = connect(db, read_only=True)
    try:
        ctx = build_context(con, "1490", lang)
        res = build_one(ctx, "history")
        assert res.available, res.reason
        return res, render_section(ctx, res), years_note(ctx)
    finally:
        con.close()


def test_span_wording() -> None:
    assert span([2022]) == "2022"
    assert span([2022, 2023]) == "2022 och 2023"
    assert span([2022, 2023], "en") == "2022 and 2023"
    assert span([2020, 2021, 2022, 2023]) == "2020–2023"
    assert span([2018, 2020, 2023]) == "2018, 2020 och 2023"


def test_one_year(dbs: dict[int, Path]) -> None:
    res, html, (note, warn) = _section(dbs[1])
    assert res.data["years"] == [2022]
    assert "bara för ett år (2022)" in res.data["years_note"]
    assert "history-change" not in {t.key for t in res.tables}
    assert not res.data["sentences"]
    assert warn and "Bara ett år (2022)" in note
    assert "Bara ett år finns i databasen" not in html


def test_two_years(dbs: dict[int, Path]) -> None:
    res, html, (note, warn) = _section(dbs[2])
    assert res.data["years"] == [2022, 2023]
    assert "2 år (2022 och 2023)" in res.data["years_note"]
    assert not warn and "2022 och 2023" in note and "Bara ett år" not in note
    change = next(t for t in res.tables if t.key == "history-change").frame
    own = change[(change.scope == "kommun") & (change["index"] == "dissimilarity")].iloc[0]
    assert (own.year_from, own.year_to) == (2022, 2023)
    assert own.ci_low <= own.difference_bc <= own.ci_high
    assert any(s.startswith("Olikhetsindex D i Borås var") for s in res.data["sentences"])
    assert any(w in html for w in ("har ökat", "har minskat", "ingen säker förändring"))


def test_four_years_figures(dbs: dict[int, Path]) -> None:
    res, html, (note, _) = _section(dbs[4])
    assert res.data["years"] == [2020, 2021, 2022, 2023]
    pop = next(t for t in res.tables if t.key == "history-population").frame
    boras = pop[pop.code == "1490"].iloc[0]
    assert (boras.pop_2020, boras.pop_2023) == (113714, 114592)
    assert boras.fb_2020 == pytest.approx(100 * 26895 / 113714, abs=0.05)
    assert boras.fb_2023 == pytest.approx(100 * 28150 / 114592, abs=0.05)
    assert "2020–2023" in note and "RegSO" in html and "DeSO" in html
    assert {"history-dissimilarity", "history-foreign-born"} <= {f.key for f in res.figures}
    # every printed interval holds the estimate printed beside it (the corrected value)
    seg = next(t for t in res.tables if t.key == "history-segregation").frame
    for idx in ("dissimilarity", "theil_h"):
        rows = seg.dropna(subset=[f"ci_low_{idx}"])
        assert len(rows) == 4, idx
        assert (rows[f"ci_low_{idx}"] <= rows[f"corrected_{idx}"]).all(), idx
        assert (rows[f"corrected_{idx}"] <= rows[f"ci_high_{idx}"]).all(), idx
    change = next(t for t in res.tables if t.key == "history-change").frame
    assert (change["ci_low"] <= change["difference_bc"]).all()
    assert (change["difference_bc"] <= change["ci_high"]).all()


@pytest.mark.slow
def test_four_years_english(dbs: dict[int, Path]) -> None:
    _, html_en, (note_en, _) = _section(dbs[4], "en")
    assert "2020–2023" in note_en and "Change over time" in note_en
    assert any(w in html_en for w in ("has increased", "has decreased", "no certain change"))
    assert "ingen säker" not in html_en and "har ökat" not in html_en


def test_change_sentence_is_plain_swedish() -> None:
    row = {"index": "dissimilarity", "name": "Borås", "scope": "kommun", "estimate_a": 0.362,
           "estimate_b": 0.352, "difference_bc": -0.010, "ci_low": -0.019, "ci_high": -0.001,
           "p_value": 0.30, "verdict": "uncertain", "year_from": 2020, "year_to": 2023}  # fmt: skip
    text = change_sentence(row, "sv")  # type: ignore[arg-type]
    assert text.startswith("Olikhetsindex D i Borås var 36,2 år 2020 och 35,2 år 2023: ingen säker")
    assert "p = 0,30" in text
