"""``grannskap segregation --input FILE`` end to end: PySAL's values on PySAL's data, bad input.

Reference values: PySAL ``segregation`` 2.5.4 on its Sacramento tracts projected with
``estimate_utm_crs()`` (``tests/measures/segregation/results/pysal_reference.json``, written by
``make_pysal_reference.py`` beside it). The GeoPackage is written in a temporary directory
from the shipped shapefile.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grannskap.cli import main

REF = json.loads(
    (
        Path(__file__).parents[1] / "measures" / "segregation" / "results" / "pysal_reference.json"
    ).read_text()
)


@pytest.fixture(scope="module")
def sac_files(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    gpd = pytest.importorskip("geopandas")
    shp = shared_data / "segregation_reference" / "sacramento2" / "sacramentot2.shp"
    if not shp.exists():
        pytest.skip(f"{shp} not found")
    d = tmp_path_factory.mktemp("sac")
    gdf = gpd.read_file(shp).set_crs(4326)  # the shipped .shp has no .prj (lon/lat)
    cols = ["FIPS", "TOT_POP", "WHITE_", "BLACK_", "ASIAN_", "HISP_", "geometry"]
    gdf = gdf[cols]
    gdf.to_file(d / "sacramento_lonlat.gpkg")
    utm = gdf.to_crs(gdf.estimate_utm_crs())
    utm.to_file(d / "sacramento.gpkg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xy = utm.centroid
    csv = pd.DataFrame(utm.drop(columns="geometry")).assign(x=xy.x, y=xy.y)
    csv.to_csv(d / "sacramento.csv", index=False)
    return d


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grannskap", "segregation", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _single_group_run(
    sac_files: Path, out: Path, names: list[str], subprocess_: bool
) -> pd.DataFrame:
    args = [
        "--input", str(sac_files / "sacramento.gpkg"), "--group-columns", "HISP_",
        "--total-column", "TOT_POP", *[a for n in names for a in ("--index", n)],
        "--ci", "0", "--n-sim", "0", "--out", str(out),
    ]  # fmt: skip
    if subprocess_:
        run = _cli(*args)
        assert run.returncode == 0, run.stderr
    else:
        assert main(["segregation", *args]) == 0
    return pd.read_csv(out)


def _check_single(df: pd.DataFrame, names: list[str]) -> None:
    from grannskap.measures.segregation.registry import resolve_index

    assert len(df) == len(names)
    got = dict(zip(df["index"], df["statistic"], strict=True))
    for name in names:
        assert got[resolve_index(name).name] == pytest.approx(REF["single"][name], rel=1e-6), name
    assert set(df["focal_group"]) == {"HISP_"}
    assert list(df.columns[:10]) == (
        "scope level groups focal_group year index distance_m statistic ci_low ci_high".split()
    )


def test_every_single_group_index_equals_pysal(sac_files: Path, tmp_path: Path) -> None:
    """Source: PySAL segregation 2.5.4 (committed values), to 1e-6 as issue 16 asks."""
    names = list(REF["single"])
    _check_single(_single_group_run(sac_files, tmp_path / "o.csv", names, False), names)


def test_subprocess_index_equals_pysal(sac_files: Path, tmp_path: Path) -> None:
    """The command of issue 16 in a subprocess; source: PySAL segregation 2.5.4."""
    names = ["SpatialProximity"]
    _check_single(_single_group_run(sac_files, tmp_path / "o.csv", names, True), names)


@pytest.mark.slow
def test_every_single_group_index_equals_pysal_in_a_subprocess(
    sac_files: Path, tmp_path: Path
) -> None:
    """Source: PySAL segregation 2.5.4 (committed values), every index, one subprocess."""
    names = list(REF["single"])
    _check_single(_single_group_run(sac_files, tmp_path / "o.csv", names, True), names)


def test_multigroup_indices_and_distance_versions_equal_pysal(sac_files: Path) -> None:
    """Source: PySAL 2.5.4 multigroup classes, aspatial and ``distance=2000``."""
    out = sac_files / "multi.csv"
    idx = [a for name in REF["multi"] for a in ("--index", name)]
    code = main(
        [
            "segregation", "--input", str(sac_files / "sacramento.gpkg"), "--group-columns",
            ",".join(REF["groups"]), *idx, "--distance", "2000", "--ci", "0", "--n-sim", "0",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    df = pd.read_csv(out)
    from grannskap.measures.segregation.registry import resolve_index

    for name in REF["multi"]:
        ours = resolve_index(name).name
        row0 = df[(df["index"] == ours) & (df["distance_m"] == 0)]["statistic"].item()
        row2 = df[(df["index"] == ours) & (df["distance_m"] == 2000)]["statistic"].item()
        assert row0 == pytest.approx(REF["multi"][name], rel=1e-6)
        assert row2 == pytest.approx(REF["multi_distance"][name], rel=1e-6)


def test_csv_with_xy_and_intervals(sac_files: Path, tmp_path: Path) -> None:
    """MinMax at 2000 m from CSV centroids equals PySAL's ``MinMax(distance=2000)``; the
    interval brackets the value it is for."""
    out = tmp_path / "o.csv"
    code = main(
        [
            "segregation", "--input", str(sac_files / "sacramento.csv"), "--group-columns",
            "HISP_", "--total-column", "TOT_POP", "--unit-column", "FIPS", "--index", "MinMax",
            "--distance", "2000", "--n-boot", "50", "--n-sim", "20", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    df = pd.read_csv(out)
    spatial = df[df["distance_m"] == 2000].iloc[0]
    assert spatial["statistic"] == pytest.approx(REF["single_distance"]["MinMax"], rel=1e-9)
    for _, r in df.iterrows():
        value = r["bias_corrected"] if r["ci_for"] == "bias_corrected" else r["statistic"]
        assert r["ci_low"] <= value <= r["ci_high"]
        assert np.isfinite(r["expected_random"]) and r["expected_random"] < r["statistic"]


def test_geographic_crs_is_refused_for_distance_based_indices(
    sac_files: Path, tmp_path: Path
) -> None:
    run = _cli(
        "--input", str(sac_files / "sacramento_lonlat.gpkg"), "--group-columns", "HISP_",
        "--total-column", "TOT_POP", "--index", "Delta", "--out", str(tmp_path / "o.csv"),
    )  # fmt: skip
    assert run.returncode != 0
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr
    assert "EPSG:4326" in lines[0] and "--to-crs" in lines[0] and "EPSG:32610" in lines[0]


def test_to_crs_utm_reprojects(sac_files: Path, tmp_path: Path) -> None:
    out = tmp_path / "o.csv"
    code = main(
        [
            "segregation", "--input", str(sac_files / "sacramento_lonlat.gpkg"),
            "--group-columns", "HISP_", "--total-column", "TOT_POP", "--index", "delta",
            "--to-crs", "utm", "--ci", "0", "--n-sim", "0", "--out", str(out),
        ]
    )  # fmt: skip
    assert code == 0
    assert pd.read_csv(out)["statistic"].item() == pytest.approx(REF["single"]["Delta"], rel=1e-9)


# ------------------------------------------------------------------------------- bad input
def _csv(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "units.csv"
    p.write_text(text)
    return p


def _error(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> str:
    code = main(
        ["segregation", "--input", str(path), *args, "--ci", "0", "--n-sim", "0",
         "--out", str(path.with_suffix(".out.csv"))]
    )  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code != 0 and len(err) == 1, err
    return err[0]


GOOD = "unit,a,b,tot\nu1,10,5,20\nu2,3,9,12\nu3,4,4,10\n"


@pytest.mark.parametrize(
    ("text", "args", "words"),
    [
        (GOOD.replace("u2,3,", "u2,x3,"), ["--group-columns", "a,b"], ["non-numeric", "a", "u2", "x3"]),
        (GOOD.replace("u3,4,4", "u3,-4,4"), ["--group-columns", "a,b"], ["negative", "a", "u3", "-4"]),
        (GOOD.replace("u1,10,5,20", "u1,10,5,12"), ["--group-columns", "a,b", "--total-column", "tot"],
         ["total smaller", "tot", "u1", "12"]),
        (GOOD.replace("u3,", "u1,"), ["--group-columns", "a,b"], ["twice", "unit", "u1"]),
        (GOOD, ["--group-columns", "a"], ["fewer than two groups", "a"]),
        (GOOD, ["--group-columns", "a,c"], ["not found", "c"]),
        (GOOD.replace("u2,3,", "u2,3.5,"), ["--group-columns", "a,b"], ["non-integer", "u2", "3.5"]),
    ],
)  # fmt: skip
def test_bad_counts_are_one_line_naming_column_unit_and_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, args: list[str], words: list[str]
) -> None:
    line = _error(capsys, _csv(tmp_path, text), "--unit-column", "unit", *args)
    for w in words:
        assert w in line, (w, line)


def test_distance_on_a_csv_needs_projected_xy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _error(capsys, _csv(tmp_path, GOOD), "--group-columns", "a,b", "--distance", "500")
    assert "--distance needs the units' coordinates" in line and "x/y" in line
    deg = "unit,a,b,x,y\nu1,10,5,18.0,59.3\nu2,3,9,18.1,59.3\nu3,4,4,18.0,59.4\n"
    line = _error(capsys, _csv(tmp_path, deg), "--group-columns", "a,b", "--distance", "500")
    assert "geographic" in line and "--to-crs" in line


def test_polygon_index_on_a_csv_and_invalid_or_missing_geometry(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _error(capsys, _csv(tmp_path, GOOD), "--group-columns", "a,b", "--index", "Delta")
    assert "needs polygons" in line
    square = [
        [600000, 6600000],
        [601000, 6600000],
        [601000, 6601000],
        [600000, 6601000],
        [600000, 6600000],
    ]
    bowtie = [
        [600000, 6600000],
        [601000, 6601000],
        [601000, 6600000],
        [600000, 6601000],
        [600000, 6600000],
    ]
    feats = [
        {"type": "Feature", "properties": {"id": "p1", "a": 5, "b": 7}, "geometry": {"type": "Polygon", "coordinates": [square]}},
        {"type": "Feature", "properties": {"id": "p2", "a": 5, "b": 1}, "geometry": {"type": "Polygon", "coordinates": [bowtie]}},
    ]  # fmt: skip
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}}
    gj = tmp_path / "areas.geojson"
    gj.write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": feats}))
    line = _error(capsys, gj, "--group-columns", "a,b", "--unit-column", "id", "--index", "Delta")
    assert "invalid polygon" in line and "p2" in line
    feats[1]["geometry"] = None
    gj.write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": feats}))
    line = _error(capsys, gj, "--group-columns", "a,b", "--unit-column", "id", "--index", "Delta")
    assert "missing" in line and "p2" in line


def test_multiscalar_profile_equals_pysal_and_the_chart_has_one_line_per_index(
    sac_files: Path, tmp_path: Path
) -> None:
    """Source: PySAL 2.5.4 ``segregation.dynamics.compute_multiscalar_profile`` on the
    Sacramento tracts (UTM), computed here: Dissim (HISP_ vs TOT_POP) and MultiInfoTheory."""
    import xml.etree.ElementTree as ET

    gpd = pytest.importorskip("geopandas")
    dyn = pytest.importorskip("segregation.dynamics")
    from segregation.multigroup import MultiInfoTheory
    from segregation.singlegroup import Dissim

    gdf = gpd.read_file(sac_files / "sacramento.gpkg")
    dists = [1000.0, 2000.0, 4000.0]
    groups = ["WHITE_", "BLACK_", "ASIAN_", "HISP_"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref_d = dyn.compute_multiscalar_profile(
            gdf, Dissim, group_pop_var="HISP_", total_pop_var="TOT_POP", distances=dists
        )
        ref_h = dyn.compute_multiscalar_profile(
            gdf, MultiInfoTheory, groups=groups, distances=dists
        )
    dist_args = [a for d in dists for a in ("--distance", str(int(d)))]
    out, svg = tmp_path / "d.csv", tmp_path / "profile.svg"
    assert main(
        ["segregation", "--input", str(sac_files / "sacramento.gpkg"), "--group-columns",
         "HISP_", "--total-column", "TOT_POP", "--index", "Dissim", "--index", "gini",
         *dist_args, "--n-boot", "20", "--n-sim", "0", "--out", str(out), "--chart", str(svg)]
    ) == 0  # fmt: skip
    df = pd.read_csv(out)
    ours = df[df["index"] == "dissimilarity"].set_index("distance_m")["statistic"]
    for d, v in ref_d.items():
        assert ours[float(d)] == pytest.approx(v, rel=1e-6, abs=1e-12)
    out_h = tmp_path / "h.csv"
    assert main(
        ["segregation", "--input", str(sac_files / "sacramento.gpkg"), "--group-columns",
         ",".join(groups), "--index", "MultiInfoTheory", *dist_args, "--ci", "0", "--n-sim",
         "0", "--out", str(out_h)]
    ) == 0  # fmt: skip
    h = pd.read_csv(out_h).set_index("distance_m")["statistic"]
    for d, v in ref_h.items():
        assert h[float(d)] == pytest.approx(v, rel=1e-6, abs=1e-12)
    root = ET.parse(svg).getroot()  # valid XML
    ns = "{http://www.w3.org/2000/svg}"
    lines = root.findall(f"{ns}polyline")
    assert sorted(p.get("data-index") for p in lines) == ["dissimilarity", "gini"]
    assert all(len(p.get("points", "").split()) == 4 for p in lines)  # 0 + three distances
    assert len(root.findall(f"{ns}polygon")) == 2  # the interval bands
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "Avstånd (bandbredd, m); 0 = utan avstånd" in texts  # Swedish by default
