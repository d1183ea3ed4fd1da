"""Individualised neighbourhoods from register data: DuckDB vs Dask, pandas and brute force.

References: grid counts against a plain pandas ``groupby`` of the same SYNTHETIC person-year
rows (:func:`grannskap.register.synth.synthesize`, one synthetic municipality so that the
grid is small); neighbourhoods of a few cells against a brute-force computation from the
persons (all squared distances, rings of equal distance, the crossing ring taken whole, as
EquiPop defines it: Östh, Clark & Malmberg 2015); the DuckDB engine (in-process, untiled)
against the Dask engine (2-worker LocalCluster, tiles with halos run on the workers):
identical counts and, since the neighbourhoods are identical, identical indices.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import ConfigError, DataNotFoundError, DataQualityWarning
from grannskap.register import open_source
from grannskap.register.expr import And, Between
from grannskap.register.neighbourhoods import (
    grid_counts,
    group_conditions,
    register_neighbourhoods,
)
from grannskap.register.synth import synthesize, synthetic_deso_codes

K = [12, 50, 200, 800]


@pytest.fixture(scope="module")
def town_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """3,000 SYNTHETIC persons x 2 years in the 20 areas of one synthetic municipality."""
    codes = synthetic_deso_codes()
    town = [c for c in codes if c[:4] == codes[0][:4]]
    out = tmp_path_factory.mktemp("register_nbh") / "town"
    synthesize(out, 3000, 2, deso_codes=town, seed=3, rows_per_file=1000, row_group_size=400)
    return out


@pytest.fixture(scope="module")
def town_frame(town_dir: Path) -> pd.DataFrame:
    frame = pd.read_parquet(town_dir)
    frame["year"] = frame["year"].astype("int64")
    frame["background"] = frame["background"].astype(object)
    return frame


@pytest.fixture()
def bad_source(tmp_path: Path, town_frame: pd.DataFrame):  # type: ignore[no-untyped-def]
    """The town's first year with 7 persons without coordinates and 3 far outside Sweden."""
    frame = town_frame[town_frame["year"] == 2015].copy()
    frame["grid_cell"] = pd.array([pd.NA] * len(frame), dtype="Int64")
    frame.loc[frame.index[:7], ["x", "y"]] = np.nan
    frame.loc[frame.index[7:10], "x"] = 5_000_000.0
    path = tmp_path / "bad.parquet"
    frame.astype({"background": "string"}).to_parquet(path, index=False)
    return open_source(path)


def _pandas_cells(frame: pd.DataFrame, size: int) -> pd.DataFrame:
    """Plain pandas: persons per background per (year, cell), cell = floor(coord / size)."""
    f = frame.copy()
    if size == 1000:
        f["cell_x"] = f["grid_cell"] // 10**7
        f["cell_y"] = f["grid_cell"] % 10**7
    else:
        f["cell_x"] = (np.floor(f["x"] / size) * size).astype("int64")
        f["cell_y"] = (np.floor(f["y"] / size) * size).astype("int64")
    for g in ("swedish", "foreign"):
        f[g] = (f["background"] == g).astype("int64")
    out = f.groupby(["year", "cell_x", "cell_y"], as_index=False)[["swedish", "foreign"]].sum()
    return out.astype({"cell_x": "int64", "cell_y": "int64"})


@pytest.mark.parametrize("size", [100, 250, 1000])
def test_grid_counts_match_pandas(town_dir, town_frame, duck, dask_engine, size) -> None:  # type: ignore[no-untyped-def]
    source = open_source(town_dir)
    ref = _pandas_cells(town_frame, size)
    groups = group_conditions("background")
    for engine in (duck, dask_engine):
        got = grid_counts(engine, source, groups, cell_size=size)
        pd.testing.assert_frame_equal(got.cells, ref, check_exact=True, obj=engine.name)
        per_year = town_frame.groupby("year").size()
        np.testing.assert_array_equal(got.persons["persons"], per_year.to_numpy())
        assert (got.persons[["without_coordinates", "outside_extent", "ungrouped"]] == 0).all(
            axis=None
        )


def _brute_force(frame: pd.DataFrame, year: int, origin: tuple[int, int], k: int) -> tuple:
    """Whole-ring neighbourhood of ``k`` persons around a 100 m cell, from the persons."""
    f = frame[frame["year"] == year]
    cx = np.floor(f["x"].to_numpy() / 100).astype(np.int64)
    cy = np.floor(f["y"].to_numpy() / 100).astype(np.int64)
    d2 = (cx - origin[0] // 100) ** 2 + (cy - origin[1] // 100) ** 2
    foreign = (f["background"] == "foreign").to_numpy()
    rings = np.unique(d2)
    for r in rings:
        inside = d2 <= r
        if inside.sum() >= k:
            n_for = int(foreign[inside].sum())
            return int(inside.sum()) - n_for, n_for, np.sqrt(r) * 100.0
    raise AssertionError("k not reached")


def test_duckdb_equals_dask_and_brute_force(town_dir, town_frame, duck, dask_engine) -> None:  # type: ignore[no-untyped-def]
    source = open_source(town_dir)
    a = register_neighbourhoods(duck, source, k=K, knn_engine="numba")
    b = register_neighbourhoods(dask_engine, source, k=K, knn_engine="numba", tile_size=32)
    assert not a.tiling and set(b.tiling) == {2015, 2016}
    assert sum(r.retried for r in b.tiling.values()) > 0  # the halo retry path ran on Dask
    fa, fb = a.to_frame(), b.to_frame()
    pd.testing.assert_frame_equal(fa, fb, check_exact=True)
    pd.testing.assert_frame_equal(a.indices_frame(), b.indices_frame(), check_exact=True)
    pd.testing.assert_frame_equal(a.persons, b.persons, check_exact=True)
    assert len(fa) == sum(len(nb.x) for nb in a.by_year.values()) * len(K)
    assert fa["reached"].all()
    assert "swedish_local" not in fa.columns  # no small local counts in the output
    # brute force from the persons for a few cells
    rng = np.random.default_rng(0)
    for i in rng.choice(len(fa), 6, replace=False):
        row = fa.iloc[i]
        sw, fo, reach = _brute_force(
            town_frame, int(row["year"]), (int(row["x"]), int(row["y"])), int(row["k"])
        )
        assert (row["swedish"], row["foreign"]) == (sw, fo)
        assert row["N"] == sw + fo >= row["k"]
        assert row["reach"] == pytest.approx(reach, rel=1e-12)


def test_economic_standard_groups(town_dir, town_frame, duck) -> None:  # type: ignore[no-untyped-def]
    """Low standard = disp_income < 0.6 x the year's median (V1), counted like pandas does."""
    source = open_source(town_dir)
    with pytest.warns(DataQualityWarning, match="in none of the groups"):
        res = register_neighbourhoods(duck, source, "economic_standard", k=[12], years=[2016])
    f = town_frame[town_frame["year"] == 2016]
    limit = 0.6 * f["disp_income"].median()
    assert list(res.by_year) == [2016]
    nb = res.by_year[2016]
    assert nb.groups == ("low", "not_low")
    assert int(nb.local[:, 0].sum()) == int((f["disp_income"] < limit).sum())
    assert int(nb.local[:, 1].sum()) == int((f["disp_income"] >= limit).sum())
    unknown = int(f["disp_income"].isna().sum())
    assert int(res.persons["ungrouped"].iloc[0]) == unknown


def test_bad_coordinates_counted(bad_source, duck, dask_engine) -> None:  # type: ignore[no-untyped-def]
    results = []
    for engine in (duck, dask_engine):
        with pytest.warns(DataQualityWarning) as caught:
            res = register_neighbourhoods(engine, bad_source, k=[12], knn_engine="numpy")
        messages = " | ".join(str(w.message) for w in caught)
        assert "7 person-year(s) without coordinates" in messages
        assert "3 person-year(s) with a cell outside SWEREF 99 TM" in messages
        acc = res.persons.iloc[0]
        assert (int(acc["without_coordinates"]), int(acc["outside_extent"])) == (7, 3)
        assert int(acc["in_groups"]) == int(acc["persons"]) - 10
        assert int(res.by_year[2015].local.sum()) == int(acc["persons"]) - 10
        assert any("outside SWEREF 99 TM" in n for n in res.notes)
        results.append(res.to_frame())
    pd.testing.assert_frame_equal(results[0], results[1], check_exact=True)


def test_no_coordinates_at_all(tmp_path, town_frame, duck) -> None:  # type: ignore[no-untyped-def]
    frame = town_frame[town_frame["year"] == 2015].drop(columns=["x", "y"])
    path = tmp_path / "nocoord.parquet"
    frame.astype({"background": "string"}).to_parquet(path, index=False)
    source = open_source(path)
    with pytest.warns(DataQualityWarning), pytest.raises(DataNotFoundError, match="coordinates"):
        register_neighbourhoods(duck, source, k=[12])  # grid_cell alone is not 100 m
    res = register_neighbourhoods(duck, source, k=[12], cell_size=1000)  # but is 1 km
    assert int(res.persons["in_groups"].iloc[0]) == len(frame)


def test_bad_options(town_dir, town_frame, duck) -> None:  # type: ignore[no-untyped-def]
    source = open_source(town_dir)
    with pytest.raises(ConfigError, match="cell_size"):
        register_neighbourhoods(duck, source, cell_size=500)
    with pytest.raises(ConfigError, match="groups"):
        register_neighbourhoods(duck, source, "religion")
    sex = group_conditions("sex")
    old_women = And((sex["K"], Between("age", 65, 120)))
    with pytest.raises(ConfigError, match=r"overlap: \d+ person-year\(s\) satisfy two"):
        register_neighbourhoods(duck, source, {"women": sex["K"], "old_women": old_women})
    with pytest.warns(DataQualityWarning, match="in none of the groups"):
        ok = register_neighbourhoods(duck, source, {"women": sex["K"]}, k=[12], indices=False)
    men = town_frame.groupby("year")["sex"].apply(lambda s: int((s.astype(str) == "M").sum()))
    np.testing.assert_array_equal(ok.persons["ungrouped"].to_numpy(), men.to_numpy())


@pytest.mark.slow
def test_duckdb_equals_dask_worker_processes(town_dir, duck) -> None:  # type: ignore[no-untyped-def]
    """The same comparison on a LocalCluster of 2 worker processes (tasks pickled)."""
    from grannskap.register.dask_engine import DaskEngine

    source = open_source(town_dir)
    a = register_neighbourhoods(duck, source, k=K, ring_mode="proportional")
    with DaskEngine(workers=2, processes=True, partition_rows=700) as dask_engine:
        b = register_neighbourhoods(
            dask_engine, source, k=K, ring_mode="proportional", tile_size=24
        )
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), check_exact=True)
    pd.testing.assert_frame_equal(a.indices_frame(), b.indices_frame(), check_exact=True)


def test_cli_writes_library_result(town_dir, duck, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """``grannskap register neighbourhoods`` in a subprocess equals the library result."""
    import subprocess
    import sys

    out, ind = tmp_path / "nbh.parquet", tmp_path / "ind.csv"
    cmd = [sys.executable, "-m", "grannskap", "register", "neighbourhoods", str(town_dir)]
    r = subprocess.run(
        [*cmd, "--k", "12,50", "--out", str(out), "--indices", str(ind)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "SYNTHETIC" in r.stdout
    expected = register_neighbourhoods(duck, open_source(town_dir), k=[12, 50])
    got = pd.read_parquet(out)
    assert got["synthetic"].all()
    pd.testing.assert_frame_equal(got.drop(columns="synthetic"), expected.to_frame())
    assert not any(c.endswith("_local") for c in got.columns)
    got_ind = pd.read_csv(ind)
    np.testing.assert_allclose(
        got_ind["H"].to_numpy(), expected.indices_frame()["H"].to_numpy(), rtol=1e-12
    )
    bad = subprocess.run(
        [*cmd, "--k", "12,x", "--out", str(out)], capture_output=True, text=True, timeout=300
    )
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert "`--k` was '12,x'" in bad.stderr


def test_csv_input_same_counts(tmp_path, duck, dask_engine) -> None:  # type: ignore[no-untyped-def]
    """CSV (text cast to numbers by each engine) gives the same cells as Parquet, both engines."""
    codes = synthetic_deso_codes()
    town = [c for c in codes if c[:4] == codes[1][:4]]
    synthesize(tmp_path / "csv", 800, 1, deso_codes=town, seed=5, fmt="csv")
    synthesize(tmp_path / "pq", 800, 1, deso_codes=town, seed=5)
    groups = group_conditions("sex")
    ref = grid_counts(duck, open_source(tmp_path / "pq"), groups).cells
    assert int(ref[["K", "M"]].to_numpy().sum()) == 800
    for engine in (duck, dask_engine):
        got = grid_counts(engine, open_source(tmp_path / "csv"), groups).cells
        pd.testing.assert_frame_equal(got, ref, check_exact=True, obj=engine.name)
