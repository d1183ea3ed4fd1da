"""``grannskap indicators``: the catalogue a user picks ids from, with the years in the database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grannskap", "indicators", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_lists_catalogue_levels_and_years_of_the_demo(demo_db: Path, tmp_path: Path) -> None:
    out = _run("--db", str(demo_db), "--out", str(tmp_path / "ind.csv"))
    assert out.returncode == 0, out.stderr
    text = out.stdout
    # the RegSO series 2020–2023 and the DeSO exports of 2022 are both in the demo
    assert "utrikes_fodda" in text and "Utrikes födda" in text
    assert "RegSO (indelning 2020) 2020–2023" in text and "DeSO (indelning 2018) 2022" in text
    assert "birth_region" in text and "Gruppindelningar" in text
    assert "persons" not in text  # Swedish throughout
    frame = pd.read_csv(tmp_path / "ind.csv", sep=";", encoding="utf-8-sig")
    assert list(frame.columns) == ["id", "namn", "enhet", "nivåer och år i databasen", "källor"]
    row = frame.set_index("id").loc["loneinkomst_medel"]
    assert "2020–2023" in row["nivåer och år i databasen"] and row["enhet"] == "tkr"


def test_english_and_raw_series(demo_db: Path) -> None:
    out = _run("--db", str(demo_db), "--lang", "en", "--all")
    assert out.returncode == 0, out.stderr
    assert "Stored series (--all)" in out.stdout and "scb.omradestyp" in out.stdout
    assert "Indikatorer" not in out.stdout and "Foreign-born" in out.stdout


def test_missing_database_is_one_line(tmp_path: Path) -> None:
    out = _run("--db", str(tmp_path / "nope.duckdb"))
    assert out.returncode != 0
    assert "Traceback" not in out.stderr and out.stderr.strip().count("\n") == 0, out.stderr
