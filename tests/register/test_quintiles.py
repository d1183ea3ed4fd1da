"""Income quintile groups (``income_quintile``) from register data, on both engines.

Reference: a plain pandas/numpy computation on the same SYNTHETIC person-year rows
(:func:`grannskap.register.synth.synthesize`, incomes rounded to create ties at the cut
points): the cut points from DuckDB's native ``quantile_cont`` per year, the group of each
person by ``numpy.searchsorted`` (``q1: x <= c20``, ``q2: c20 < x <= c40``, ... ``q5: x >
c80``), counted with ``groupby`` per year and 100 m cell.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from grannskap.errors import ConfigError, DataQualityWarning
from grannskap.register import open_source
from grannskap.register.expr import And, NotNull, Or
from grannskap.register.neighbourhoods import (
    QUINTILE_PROBS,
    grid_counts,
    group_conditions,
    quintile_cut_points,
    register_neighbourhoods,
)
from grannskap.register.synth import synthesize, synthetic_deso_codes

GROUPS = ["q1", "q2", "q3", "q4", "q5"]


@pytest.fixture(scope="module")
def income_frame(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    """2,500 SYNTHETIC persons x 2 years in one synthetic municipality; 2016's incomes rounded
    to 50,000 kronor (heavy ties) and a few incomes missing."""
    codes = synthetic_deso_codes()
    town = [c for c in codes if c[:4] == codes[0][:4]]
    root = tmp_path_factory.mktemp("quintiles")
    synthesize(root / "raw", 2500, 2, deso_codes=town, seed=8, rows_per_file=1000)
    frame = pd.read_parquet(root / "raw")
    frame["year"] = frame["year"].astype("int64")
    late = frame["year"] == 2016
    frame.loc[late, "disp_income"] = np.round(frame.loc[late, "disp_income"] / 5e4) * 5e4
    frame.loc[frame.index[::97], "disp_income"] = np.nan
    path = root / "income.parquet"
    frame.to_parquet(path, index=False)
    return frame, path


def _reference(frame: pd.DataFrame) -> tuple[dict[int, list[float]], pd.DataFrame]:
    con = duckdb.connect()
    cols = ", ".join(
        f"quantile_cont(disp_income, {p!r}) AS c{j}" for j, p in enumerate(QUINTILE_PROBS)
    )
    native = con.execute(
        f"SELECT year, {cols} FROM frame WHERE disp_income IS NOT NULL GROUP BY year ORDER BY year"
    ).df()
    con.close()
    cuts = {int(r.year): [float(r[f"c{j}"]) for j in range(4)] for _, r in native.iterrows()}
    f = frame[frame["disp_income"].notna()].copy()
    f["group"] = [
        f"q{int(np.searchsorted(cuts[y], x, side='left')) + 1}"
        for y, x in zip(f["year"], f["disp_income"], strict=True)
    ]
    f["cell_x"] = (np.floor(f["x"] / 100) * 100).astype("int64")
    f["cell_y"] = (np.floor(f["y"] / 100) * 100).astype("int64")
    counts = f.groupby(["year", "cell_x", "cell_y", "group"]).size().unstack("group", fill_value=0)
    return cuts, counts.reindex(columns=GROUPS, fill_value=0).reset_index()


def _check(engine, frame: pd.DataFrame, path: Path) -> None:  # type: ignore[no-untyped-def]
    source = open_source(path)
    cuts, expected = _reference(frame)
    ours = quintile_cut_points(engine, source)
    assert ours == {y: tuple(c) for y, c in cuts.items()}  # exact: the same float bits
    assert ours[2016][0] in set(frame.loc[frame["year"] == 2016, "disp_income"])  # a tied cut
    conds = group_conditions("income_quintile", cut_points=ours)
    counted = grid_counts(engine, source, conds, cell_size=100)
    got = counted.cells.sort_values(["year", "cell_x", "cell_y"]).reset_index(drop=True)
    exp = expected.sort_values(["year", "cell_x", "cell_y"]).reset_index(drop=True)
    merged = got.merge(exp, on=["year", "cell_x", "cell_y"], how="outer", suffixes=("", "_ref"))
    merged = merged.fillna(0)
    for g in GROUPS:
        np.testing.assert_array_equal(merged[g].to_numpy(), merged[f"{g}_ref"].to_numpy())
    # every person with an income in exactly one group; persons without one in none
    acc = counted.persons.set_index("year")
    known = frame.groupby("year")["disp_income"].count()
    assert acc["in_groups"].to_dict() == known.to_dict()
    assert (
        acc["ungrouped"].to_dict()
        == frame["disp_income"].isna().groupby(frame["year"]).sum().to_dict()
    )
    pairs = [
        And((a, b)) for i, a in enumerate(conds.values()) for b in list(conds.values())[i + 1 :]
    ]
    per_year = engine.count(
        source, ["year"], {**conds, "known": NotNull("disp_income"), "both": Or(tuple(pairs))}
    )
    assert (per_year["both"] == 0).all()
    assert (per_year[GROUPS].sum(axis=1) == per_year["known"]).all()
    # without ties (2015) the groups hold a fifth each, up to the rounding of the ranks
    y15 = per_year[per_year["year"] == 2015].iloc[0]
    assert all(abs(int(y15[g]) - int(y15["known"]) / 5) <= 1 for g in GROUPS)


def test_quintile_groups_duckdb(duck, income_frame):
    _check(duck, *income_frame)


def test_quintile_groups_dask(dask_engine, income_frame):
    _check(dask_engine, *income_frame)


def test_neighbourhoods_by_income_quintile(duck, income_frame):
    frame, path = income_frame
    with pytest.warns(DataQualityWarning, match="in none of the groups"):  # missing incomes
        result = register_neighbourhoods(
            duck, open_source(path), "income_quintile", k=[12, 100], indices=True
        )
    assert result.groups == tuple(GROUPS)
    out = result.to_frame()
    _, expected = _reference(frame)
    # the cells' own counts (the neighbourhoods' building blocks) add up to the reference
    for year, nb in result.by_year.items():
        exp = expected[expected["year"] == year][GROUPS].to_numpy().sum(axis=0)
        np.testing.assert_array_equal(nb.local.sum(axis=0), exp)
    assert set(GROUPS) <= set(out.columns)


def test_aggregate_counts_income_quintiles_per_deso(duck, dask_engine, income_frame):
    from grannskap.register import aggregate

    frame, path = income_frame
    source = open_source(path)
    cuts, _ = _reference(frame)
    plain = aggregate(source, duck)
    ours = aggregate(source, duck, income_quintiles=True)
    # the median (and so V1) is the same number whether or not the quintiles come along
    pd.testing.assert_frame_equal(ours.medians, plain.medians, check_exact=True)
    assert ours.quintiles is not None and plain.quintiles is None
    assert {
        int(y): list(r)
        for y, r in zip(ours.quintiles["year"], ours.quintiles.iloc[:, 2:].to_numpy(), strict=True)
    } == cuts
    f = frame[frame["disp_income"].notna()].copy()
    f["group"] = [
        f"pop|inkomstkvintil=q{int(np.searchsorted(cuts[y], x, side='left')) + 1}"
        for y, x in zip(f["year"], f["disp_income"], strict=True)
    ]
    ref = f.groupby(["year", "deso", "group"], observed=True).size().unstack("group", fill_value=0)
    cols = [f"pop|inkomstkvintil={g}" for g in GROUPS]
    got = ours.area.set_index(["year", "deso"])[cols]
    ref = ref.reindex(index=got.index, columns=cols, fill_value=0)
    np.testing.assert_array_equal(got.to_numpy(), ref.to_numpy())
    pd.testing.assert_frame_equal(
        ours.area[list(plain.area.columns)], plain.area
    )  # nothing else changed
    assert ours.grid is not None and set(cols) <= set(ours.grid.columns)  # per 1 km cell too
    np.testing.assert_array_equal(
        ours.grid[cols].to_numpy().sum(axis=0), got.to_numpy().sum(axis=0)
    )
    obs = ours.observations()
    assert set(obs["breakdown"]) >= {f"inkomstkvintil={g}" for g in GROUPS}
    theirs = aggregate(source, dask_engine, income_quintiles=True)
    pd.testing.assert_frame_equal(ours.area, theirs.area, check_exact=True)
    pd.testing.assert_frame_equal(ours.quintiles, theirs.quintiles, check_exact=True)
    pd.testing.assert_frame_equal(ours.medians, theirs.medians, check_exact=True)


def test_quintile_groups_need_cut_points():
    with pytest.raises(ConfigError, match="cut points"):
        group_conditions("income_quintile")
    with pytest.raises(ConfigError, match="non-decreasing"):
        group_conditions("income_quintile", cut_points={2015: (3.0, 2.0, 4.0, 5.0)})


def test_cli_neighbourhoods_income_quintile(tmp_path, income_frame):
    _, path = income_frame
    out = tmp_path / "nbh.parquet"
    r = subprocess.run(
        [sys.executable, "-m", "grannskap", "register", "neighbourhoods", str(path),
         "--groups", "income_quintile", "--k", "12,50", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    frame = pd.read_parquet(out)
    assert set(GROUPS) <= set(frame.columns)
    assert "q5" in r.stdout  # the indices per group are printed
    agg = tmp_path / "agg.csv"
    r = subprocess.run(
        [sys.executable, "-m", "grannskap", "register", "aggregate", str(path),
         "--income-quintiles", "--out", str(agg)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert "inkomstkvintil=q3" in set(pd.read_csv(agg)["breakdown"].dropna())
