"""The exact medians of both engines equal DuckDB's native ``median`` bit for bit.

Reference: DuckDB's ``median`` (= ``quantile_cont(x, 0.5)``) and the order statistics of the
sorted values (``0.5*lo + 0.5*hi``), on adversarial floats: negative values, ties, magnitudes
from 1e-300 to 1e300, missing values, and years with 1, 2, odd and even counts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from grannskap.register import open_source
from grannskap.register.dask_engine import DaskEngine, _from_key, sortable_keys

from .reference import exact_median


def _write(tmp_path, years: dict[int, np.ndarray]) -> None:
    for year, values in years.items():
        n = len(values)
        frame = pd.DataFrame(
            {
                "person_id": np.arange(n, dtype=np.int64),
                "deso": "1490C1010",
                "age": 30,
                "sex": "K",
                "background": "swedish",
                "disp_income": values,
                "education": "gymnasial",
                "employment": "employed",
                "assistance_months": 0,
                "unemployment_days": 0,
            }
        )
        (tmp_path / f"year={year}").mkdir()
        half = n // 2
        frame.iloc[:half].to_parquet(tmp_path / f"year={year}" / "a.parquet", index=False)
        frame.iloc[half:].to_parquet(tmp_path / f"year={year}" / "b.parquet", index=False)


def test_dask_median_is_duckdb_median(tmp_path, duck, dask_client):
    rng = np.random.default_rng(7)
    wild = rng.normal(size=2001) * 10.0 ** rng.integers(-300, 300, 2001)
    wild[::50] = np.nan
    years = {
        2001: wild,
        2002: rng.normal(size=1000) * 1e5,  # even count, both signs
        2003: np.full(999, 250_000.0),  # all tied: the radix search reaches the last bit
        2004: np.array([-0.0, 0.0, 5e-324, -5e-324]),  # signed zeros and subnormals
        2005: np.array([123.5]),
        2006: np.array([1.0, 2.0]),
        2007: np.round(rng.lognormal(12.4, 0.5, 3000)),  # integer kronor with ties
        # more values than DuckDB's 8,192-value sample: the candidate misses, top-N lookups run
        2008: rng.normal(size=60_001) * 1e4,
        2009: np.round(rng.lognormal(12.4, 0.5, 60_000)),
    }
    _write(tmp_path, years)
    source = open_source(tmp_path)
    ours = duck.medians(source, "disp_income")
    native = duck.con.execute(
        "SELECT year, median(disp_income) AS m FROM read_parquet(?, hive_partitioning = true) "
        "WHERE disp_income IS NOT NULL GROUP BY year ORDER BY year",
        [source.paths],
    ).df()
    assert native["m"].tolist() == ours["median"].tolist()  # DuckDB's own median, bit for bit
    for gather_limit in (0, 10, 4_000_000):
        with DaskEngine(dask_client, partition_rows=9000, gather_limit=gather_limit) as dask:
            theirs = dask.medians(source, "disp_income")
        pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    for year, values in years.items():
        row = ours[ours["year"] == year].iloc[0]
        assert row["n"] == int(np.sum(~np.isnan(values)))
        assert row["median"] == exact_median(values) or (
            row["median"] == 0 and exact_median(values) == 0
        )


@given(st.lists(st.floats(allow_nan=False), min_size=2, max_size=50))
def test_sortable_keys_preserve_order(values):
    arr = np.asarray(values, dtype=np.float64)
    keys = sortable_keys(arr)
    ordered = arr[np.argsort(keys, kind="stable")]
    assert np.all(ordered[:-1] <= ordered[1:])  # (not np.diff: inf - inf is nan)
    back = np.array([_from_key(int(k)) for k in keys])
    np.testing.assert_array_equal(back.view(np.uint64), arr.view(np.uint64))  # bit-exact inverse
