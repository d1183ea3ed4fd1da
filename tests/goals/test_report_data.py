"""report_data and the CLI on a database built from the real shipped files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from grannskap.goals import report_data


def test_report_data_for_boras(small_db: Path) -> None:
    con = duckdb.connect(str(small_db), read_only=True)
    try:
        r = report_data(con, kommun="1490", lang="sv", n_draws=300)
    finally:
        con.close()
    assert len(r.types) == 47 and r.types["name"].notna().all()
    assert {"official_2022", "official_2023", "omradestyp", "type_name", "stadsdel"} <= set(
        r.types.columns
    )
    assert r.agreement is not None and r.agreement["n"] == 47 and r.agreement["rate"] >= 0.91
    assert r.transition_years == (2022, 2023) and int(r.transitions.to_numpy().sum()) == 47
    # the type model could not be backtested (two official years): its projection is kept for
    # analysts but not shown
    assert r.forecast_skill["types"] is None
    assert len(r.projection) == 47 and not any(c.startswith("p_") for c in r.projection.columns)
    proj = r.projection_model
    p = proj[[f"p_type{s}" for s in range(1, 6)]].to_numpy()
    assert np.allclose(p.sum(axis=1), 1.0)
    for s in range(1, 6):
        assert (proj[f"p_type{s}_low"] <= proj[f"p_type{s}"] + 1e-12).all()
    s = r.goal_summary.set_index("goal_id")
    # the model's probabilities (hidden in the report: no skill in the backtest) are ordered
    assert ((s["p_model_low"] <= s["p_model"]) & (s["p_model"] <= s["p_model_high"])).all()
    assert set(r.police_projection_model["area_code"]) == {"P13", "P14"}
    assert (r.police_projection_model["target_list_year"] == 2029).all()
    assert r.police_projection.empty  # not shown: worse than "no change" in the backtest
    assert r.backtest_simulated["data"].str.contains("SIMULERADE").all()
    # real police-list backtest (fit on lists up to 2023, score 2025) is reported with its verdict
    assert r.backtest["target_year"].tolist() == [2025]
    assert any("Backtest på polisens listor" in c for c in r.method_notes)
    assert r.backtest_reliability["n"].sum() == 3 * int(r.backtest["n_areas"].iloc[0])
    assert any("tunna data" in c for c in r.method_notes)
    assert not r.closest.empty and isinstance(r.goal_status, pd.DataFrame)
    # no probability is shown, so there is no "projection" paragraph, only the reason
    assert set(r.texts) == {"types", "agreement", "transitions", "distance", "forecast"}
    assert r.texts["forecast"].startswith("Det finns inget underlag för en prognos för 2030")
    assert "43 av 47" in r.texts["agreement"] and "91,5" in r.texts["agreement"]


def test_cli_classify_and_goals(small_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "types.csv"
    cmd = [
        sys.executable,
        "-m",
        "grannskap",
        "classify",
        "--level",
        "regso",
        "--year",
        "2022",
        "--db",
        str(small_db),
        "--out",
        str(out),
    ]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    df = pd.read_csv(out, dtype={"area_code": str})
    assert {"area_code", "year", "index", "omradestyp", "omradestyp_official"} <= set(df.columns)
    assert len(df) == 3363
    assert "43/47" in res.stdout
    res = subprocess.run(
        [sys.executable, "-m", "grannskap", "goals", "--db", str(small_db), "--draws", "200"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "Inga särskilt utsatta områden" in res.stdout
    # no probability: the projection did worse than "no change" in the backtest
    assert "Sannolikhet att målet nås" not in res.stdout
    assert "inget underlag för en prognos för 2030" in res.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "grannskap",
            "classify",
            "--year",
            "1999",
            "--db",
            str(small_db),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode != 0 and "1999" in bad.stderr and "Traceback" not in bad.stderr
