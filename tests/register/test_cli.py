"""``grannskap register synth|aggregate|validate`` end to end in a subprocess.

Reference: the aggregate file written by the CLI equals the library result on the same input.
"""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grannskap", "register", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_synth_then_aggregate(tmp_path):
    from grannskap.register import DuckDBEngine, aggregate, open_source

    out = tmp_path / "reg"
    r = _cli("synth", "--persons", "800", "--years", "2", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "SYNTHETIC" in r.stdout
    r = _cli("aggregate", str(out), "--engine", "duckdb", "--out", str(tmp_path / "agg.parquet"))
    assert r.returncode == 0, r.stderr
    got = pd.read_parquet(tmp_path / "agg.parquet")
    with DuckDBEngine() as engine:
        agg = aggregate(open_source(out), engine)
    # the CLI applies the default disclosure control (counts of 1-3 persons hidden)
    pd.testing.assert_frame_equal(got, agg.suppressed().observations())
    r = _cli("validate", str(out))
    assert r.returncode == 0 and "duplicate_person_year: 0" in r.stdout


@pytest.mark.slow
def test_aggregate_with_dask_and_db(tmp_path):
    """Dask LocalCluster with 2 worker processes from the CLI, loaded into the database."""
    out = tmp_path / "reg"
    assert _cli("synth", "--persons", "500", "--years", "2", "--out", str(out)).returncode == 0
    db = tmp_path / "g.duckdb"
    r = _cli(
        "aggregate", str(out), "--engine", "dask", "--workers", "2",
        "--out", str(tmp_path / "agg.csv"), "--db", str(db),
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "imported" in r.stdout
    frame = pd.read_csv(tmp_path / "agg.csv")
    assert set(frame["indicator_id"]) >= {
        "register.v1_lag_ekonomisk_standard",
        "register.befolkning",
    }


def test_user_errors_are_one_line(tmp_path):
    r = _cli("aggregate", str(tmp_path / "missing"), "--out", str(tmp_path / "x.csv"))
    assert r.returncode == 1
    assert r.stderr.strip().startswith("grannskap: error:") and "Traceback" not in r.stderr
    r = _cli("aggregate", str(tmp_path), "--out", str(tmp_path / "x.txt"))
    assert r.returncode == 1 and "expected to end in .parquet or .csv" in r.stderr
    r = _cli("aggregate", str(tmp_path), "--engine", "spark", "--out", "x.csv")
    assert r.returncode == 2  # argparse rejects the choice
