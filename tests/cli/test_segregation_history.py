"""``grannskap segregation`` over levels, group sets and years (issue 13), on the real SCB
RegSO series 2020–2023 (../shared/data/scb_regso_2020_2023, imported with grannskap's own
importer). Reference values are computed here straight from the CSV (read with the csv module
and joined to codes through SCB's key independently of the importer)."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grannskap.cli import main
from grannskap.measures import segregation as seg

FOLK = "scb_regso_2020_2023/regso2020_folkmangd_fodelseregion_2020_2023.csv"
TENURE = "scb_regso_2020_2023/regso2020_lagenheter_upplatelseform_2020_2023.csv"
KEY = "scb_koppling/koppling_deso2018_regso2020.csv"
OVERVIEW = "boras_1490_regso_deso_overview.csv"


@pytest.fixture(scope="module")
def regso_db(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from grannskap.ingest.importer import import_file
    from grannskap.store import connect

    path = tmp_path_factory.mktemp("seghist") / "g.duckdb"
    con = connect(path)
    try:
        for name in (KEY, FOLK, TENURE, OVERVIEW):
            import_file(con, shared_data / name)
    finally:
        con.close()
    return path


def _boras_birth_region(shared_data: Path) -> dict[int, pd.DataFrame]:
    """Foreign-born / born in Sweden per Borås RegSO and year, read straight from the CSV."""
    key = {}
    for r in csv.DictReader(io.StringIO((shared_data / KEY).read_text(encoding="utf-8-sig"))):
        key[f"{r['Kommunnamn']} ({r['RegSO_2020']})"] = r["RegSOkod_2020"]
    text = (shared_data / FOLK).read_text(encoding="utf-8-sig")
    rows = [r for r in csv.reader(io.StringIO(text, newline="")) if r]
    years = [int(h.split()[-1]) for h in rows[0][3:]]
    vals: dict[tuple[str, str], list[float]] = {}
    for r in rows[1:]:
        if r[0].startswith("Borås ("):
            vals[(key[r[0]], r[1])] = [float(v) for v in r[3:]]
    codes = sorted({c for c, _ in vals})
    out = {}
    for j, y in enumerate(years):
        total = np.array([vals[(c, "totalt")][j] for c in codes])
        sweden = np.array([vals[(c, "Sverige")][j] for c in codes])
        out[y] = pd.DataFrame({"foreign": total - sweden, "swedish": sweden}, index=codes)
    return out


def test_done_when_command_subprocess(regso_db: Path, shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.csv"
    run = subprocess.run(
        [sys.executable, "-m", "grannskap", "segregation", "--db", str(regso_db),
         "--level", "regso", "--groups", "birth_region", "--year", "2020", "--year", "2023",
         "--kommun", "1490", "--index", "dissimilarity", "--n-boot", "200", "--n-perm", "200",
         "--n-sim", "20", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    res = pd.read_csv(out, dtype={"scope": str})
    for col in ("scope", "level", "groups", "focal_group", "year", "index", "distance_m",
                "statistic", "ci_low", "ci_high"):  # fmt: skip
        assert col in res.columns
    level = res[res["estimate"] == "level"].set_index("year")
    assert sorted(level.index) == [2020, 2023]
    ref = _boras_birth_region(shared_data)
    for y in (2020, 2023):
        assert level.loc[y, "statistic"] == pytest.approx(
            seg.dissimilarity(ref[y]).statistic, rel=1e-12
        )
        assert level.loc[y, "n_areas"] == 47 and level.loc[y, "scope"] == "1490"
    assert level.loc[2020, "n_persons"] == 113714  # Borås Stad's published population 2020
    change = res[res["estimate"] == "change"]
    assert len(change) == 1
    c = change.iloc[0]
    assert (c["year_from"], c["year"]) == (2020, 2023)
    assert c["statistic"] == pytest.approx(
        level.loc[2023, "statistic"] - level.loc[2020, "statistic"], rel=1e-12
    )
    assert c["ci_low"] < c["bias_corrected"] < c["ci_high"]
    assert 0 < c["p_value"] <= 1


def test_year_range_tenure_and_levels(regso_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    common = ["--index", "dissimilarity", "--n-boot", "20", "--n-sim", "0", "--n-perm", "20",
              "--db", str(regso_db), "--out", str(out)]  # fmt: skip
    assert main(["segregation", "--level", "regso", "--groups", "tenure", "--year",
                 "2020-2023", "--kommun", "1490", *common]) == 0  # fmt: skip
    res = pd.read_csv(out)
    assert sorted(res.loc[res.estimate == "level", "year"]) == [2020, 2021, 2022, 2023]
    assert (res["focal_group"] == "hyresratt").all()
    assert (res.estimate == "change").sum() == 1
    # stadsdel: the four Borås focus areas summed from their RegSO
    assert main(["segregation", "--level", "stadsdel", "--groups", "birth_region",
                 "--year", "2023", "--kommun", "1490", *common]) == 0  # fmt: skip
    res = pd.read_csv(out)
    assert res["n_areas"].tolist() == [4]
    # kommun: all 290 kommuner of Sweden, scope 00
    assert main(["segregation", "--level", "kommun", "--groups", "birth_region",
                 "--year", "2022", *common]) == 0  # fmt: skip
    res = pd.read_csv(out, dtype={"scope": str})
    assert res["n_areas"].tolist() == [290] and res["scope"].tolist() == ["00"]


def test_missing_year_and_bad_options_are_clear(regso_db: Path, tmp_path: Path) -> None:
    from grannskap.errors import ConfigError, DataNotFoundError
    from grannskap.indicators import parse_years

    base = ["segregation", "--db", str(regso_db), "--out", str(tmp_path / "x.csv"),
            "--level", "regso", "--groups", "birth_region"]  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-m", "grannskap", *base, "--year", "2019"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert "2019" in run.stderr and "2020–2023" in run.stderr
    assert main([*base, "--year", "2020", "--level", "kommun", "--kommun", "1490"]) == 1
    assert parse_years(["2020-2022", "2022"]) == [2020, 2021, 2022]
    with pytest.raises(ConfigError):
        parse_years(["2023-2020"])
    with pytest.raises(DataNotFoundError):
        from grannskap.indicators import group_counts, group_set
        from grannskap.store import connect

        con = connect(regso_db, read_only=True)
        try:
            group_counts(con, group_set("background"), "regso", [2022])
        finally:
            con.close()


def test_choices_match_the_catalogue() -> None:
    from grannskap.cli.segregation import GROUP_CHOICES, LEVEL_CHOICES
    from grannskap.indicators import GROUP_SETS, LEVELS

    assert GROUP_CHOICES == tuple(g.name for g in GROUP_SETS)
    assert set(LEVEL_CHOICES) <= set(LEVELS)


@pytest.mark.slow
def test_done_when_on_fresh_demo_db(tmp_path: Path) -> None:
    """Issue 13's done-when, literally: ``init --demo`` then the segregation command."""
    db = tmp_path / "X.duckdb"
    init = subprocess.run(
        [sys.executable, "-m", "grannskap", "init", "--db", str(db), "--demo"],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    out = tmp_path / "d.csv"
    run = subprocess.run(
        [sys.executable, "-m", "grannskap", "segregation", "--db", str(db), "--level", "regso",
         "--groups", "birth_region", "--year", "2020", "--year", "2023", "--kommun", "1490",
         "--index", "dissimilarity", "--out", str(out)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    res = pd.read_csv(out)
    assert sorted(res.loc[res.estimate == "level", "year"]) == [2020, 2023]
    assert (res.estimate == "change").sum() == 1
