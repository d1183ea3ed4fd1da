"""``grannskap segregation`` end to end: the real SCB 000005FE file imported with grannskap's
own importer, the CLI run in a subprocess and in-process, values checked against the indices
computed straight from the xlsx (read independently with openpyxl in conftest)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from grannskap.cli import main
from grannskap.measures import segregation as seg


@pytest.fixture(scope="module")
def db_with_background(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from grannskap.ingest.importer import import_file
    from grannskap.store import connect

    path = tmp_path_factory.mktemp("seg") / "g.duckdb"
    con = connect(path)
    try:
        import_file(con, shared_data / "scb_deso_2022" / "000005FE_20240813-152154.xlsx")
    finally:
        con.close()
    return path


def test_cli_boras_matches_direct_computation(
    db_with_background: Path, deso_background: pd.DataFrame, tmp_path: Path
) -> None:
    out = tmp_path / "seg.csv"
    code = main(
        [
            "segregation", "--level", "deso", "--groups", "background", "--year", "2022",
            "--kommun", "1490", "--index", "dissimilarity", "--index", "theil_h",
            "--ci", "0.9", "--n-boot", "60", "--n-sim", "20",
            "--db", str(db_with_background), "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    res = pd.read_csv(out, dtype={"scope": str})
    assert list(res["index"]) == ["dissimilarity", "theil_h"]
    boras = deso_background[deso_background.index.str.startswith("1490")][["foreign", "swedish"]]
    d = res.set_index("index")
    assert d.loc["dissimilarity", "statistic"] == pytest.approx(
        seg.dissimilarity(boras).statistic, rel=1e-12
    )
    assert d.loc["theil_h", "statistic"] == pytest.approx(seg.theil_h(boras).statistic, rel=1e-12)
    # default intervals are debiased: centred on the bias-corrected value
    assert (d.ci_low < d.bias_corrected).all() and (d.bias_corrected < d.ci_high).all()
    assert (d.ci_method == "debiased").all()
    # the CSV says which estimate the interval is for, and that estimate lies inside it
    assert (d.ci_for == "bias_corrected").all()
    for _, row in d.iterrows():
        assert row.ci_low <= row[row.ci_for] <= row.ci_high
    assert (d.ci_level == 0.9).all() and (d.n_areas == 77).all() and (d.scope == "1490").all()
    assert (d.expected_random < d.statistic).all()


def test_cli_subprocess_errors_are_one_line(db_with_background: Path, tmp_path: Path) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "grannskap",
            "segregation",
            "--year",
            "2019",
            "--db",
            str(db_with_background),
            "--out",
            str(tmp_path / "x.csv"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 1
    assert run.stderr.strip().count("\n") == 0 and "no background counts" in run.stderr
    assert "Traceback" not in run.stderr
    bad = main(
        [
            "segregation",
            "--year",
            "2022",
            "--ci",
            "95",
            "--db",
            str(db_with_background),
            "--out",
            str(tmp_path / "x.csv"),
        ]
    )
    assert bad == 1


def test_cli_index_choices_match_the_package() -> None:
    from grannskap.cli.segregation import DEFAULT_INDICES, INDEX_CHOICES

    assert INDEX_CHOICES == seg.INDEX_NAMES
    assert set(DEFAULT_INDICES) <= set(INDEX_CHOICES)


def test_cli_spatial_distance_needs_centroids_and_uses_them(
    db_with_background: Path, deso_background: pd.DataFrame, tmp_path: Path
) -> None:
    """Without centroids --distance is a clear error; with (SIMULATED) centroids written
    into a copy of the database the spatial rows equal spatial_dissimilarity."""
    import shutil

    import numpy as np

    from grannskap.store import connect

    out = tmp_path / "s.csv"
    args = ["segregation", "--year", "2022", "--kommun", "1490", "--index", "dissimilarity", "--distance", "1500",
            "--n-boot", "30", "--n-sim", "0", "--out", str(out)]  # fmt: skip
    assert main([*args, "--db", str(db_with_background)]) == 1
    db = tmp_path / "copy.duckdb"
    shutil.copy(db_with_background, db)
    boras = deso_background[deso_background.index.str.startswith("1490")].sort_index()
    rng = np.random.default_rng(0)
    xy = np.column_stack(
        [rng.uniform(365_000, 385_000, len(boras)), rng.uniform(6_390_000, 6_410_000, len(boras))]
    )
    con = connect(db)
    try:
        for code, (x, y) in zip(boras.index, xy, strict=True):
            con.execute(
                "UPDATE area SET centroid_x = ?, centroid_y = ? WHERE system = 'deso2018' AND code = ?",
                [float(x), float(y), code],
            )
    finally:
        con.close()
    assert main([*args, "--db", str(db)]) == 0
    res = pd.read_csv(out).set_index("distance_m")
    counts = boras[["foreign", "swedish"]]
    assert res.loc[0.0, "statistic"] == pytest.approx(
        seg.dissimilarity(counts).statistic, rel=1e-12
    )
    assert res.loc[1500.0, "statistic"] == pytest.approx(
        seg.kernel_spatial_dissimilarity(counts, xy, 1500.0).statistic, rel=1e-12
    )
    assert (
        res.loc[1500.0, "ci_low"] < res.loc[1500.0, "bias_corrected"] < res.loc[1500.0, "ci_high"]
    )
    # the database path draws the same profile chart (one polyline per index, 0 + distances)
    import xml.etree.ElementTree as ET

    svg = tmp_path / "p.svg"
    more = [*args, "--distance", "3000", "--index", "theil_h", "--lang", "en", "--chart", str(svg)]
    assert main([*more, "--db", str(db)]) == 0
    lines = ET.parse(svg).getroot().findall("{http://www.w3.org/2000/svg}polyline")
    assert sorted(p.get("data-index") for p in lines) == ["dissimilarity", "theil_h"]
    assert all(len(p.get("points", "").split()) == 3 for p in lines)


def test_cli_decompose_between_within_kommun(
    db_with_background: Path, deso_background: pd.DataFrame, tmp_path: Path
) -> None:
    """Sweden: M and H of all 5,984 DeSO split exactly into between- and within-kommun parts."""
    out = tmp_path / "d.csv"
    code = main(
        ["segregation", "--year", "2022", "--index", "mutual_information", "--index", "theil_h", "--decompose",
         "--n-boot", "20", "--n-sim", "0", "--ci-method", "percentile", "--db", str(db_with_background), "--out", str(out)]
    )  # fmt: skip
    assert code == 0
    full = pd.read_csv(out)
    # percentile intervals are around the uncorrected statistic, and say so
    assert (full["ci_for"] == "statistic").all()
    assert ((full.ci_low <= full.statistic) & (full.statistic <= full.ci_high)).all()
    d = full.set_index("index")["statistic"]
    counts = deso_background[["foreign", "swedish"]]
    m = seg.mutual_information(counts)
    assert d["mutual_information"] == pytest.approx(m.M, rel=1e-12)
    total = d["mutual_information_between_kommun"] + d["mutual_information_within_kommun"]
    assert total == pytest.approx(m.M, rel=1e-9)
    assert d["theil_h_between_kommun"] + d["theil_h_within_kommun"] == pytest.approx(m.H, rel=1e-9)
    kommun = counts.index.str[:4].to_numpy()
    assert d["mutual_information_between_kommun"] == pytest.approx(
        seg.decompose_between_within(counts, kommun).between_M, rel=1e-12
    )
