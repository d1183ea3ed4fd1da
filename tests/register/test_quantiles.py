"""Exact per-year quantiles: DuckDB engine == Dask engine == DuckDB's own ``quantile_cont``.

References: DuckDB's native ``quantile_cont(x, p)`` (bit for bit) and the order statistics of
the sorted values (``numpy.sort``), with ``numpy.quantile(x, p, method="linear")`` to within
rounding (numpy interpolates with a different floating-point formula, so the last bit may
differ). Data: small SYNTHETIC values with several years, missing values, ties, negative
values and years of 1 and 2 values.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannskap.errors import ConfigError
from grannskap.register import open_source
from grannskap.register.dask_engine import DaskEngine
from grannskap.register.engine import interpolate, quantile_label, quantile_ranks

from .test_median import _write

PROBS = (0.2, 0.4, 0.6, 0.8, 0.01, 0.5, 0.999, 0.0, 1.0)


def _years() -> dict[int, np.ndarray]:
    rng = np.random.default_rng(2026)
    spread = rng.normal(size=1501) * 10.0 ** rng.integers(-3, 250, 1501)
    spread[::40] = np.nan
    kronor = np.round(rng.lognormal(12.3, 0.6, 2500) / 100) * 100  # many ties
    kronor[::7] = np.nan
    return {
        2011: spread,
        2012: rng.normal(size=1200) * 1e5 - 2e4,  # both signs
        2013: kronor,
        2014: np.full(300, 180_000.0),  # all tied
        2015: np.array([-75_000.5]),  # n = 1
        2016: np.array([np.nan, 120_000.0, -3.0]),  # n = 2 after the missing value
        # more values than DuckDB's 8,192-value sample: candidates miss, top-N lookups run
        2017: np.round(rng.lognormal(12.4, 0.5, 20_000)),
    }


@pytest.fixture(scope="module")
def quantile_source(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("quantiles")
    years = _years()
    _write(out, years)
    return open_source(out), years


def test_quantiles_duckdb_dask_native_numpy(quantile_source, duck, dask_client):
    source, years = quantile_source
    ours = duck.quantiles(source, "disp_income", PROBS)
    assert list(ours.columns) == ["year", "n", *[quantile_label(p) for p in PROBS]]
    assert ours["year"].tolist() == sorted(years)
    # DuckDB's own quantile_cont, bit for bit
    cols = ", ".join(f"quantile_cont(disp_income, {p!r}) AS {quantile_label(p)!r}" for p in PROBS)
    native = duck.con.execute(
        f"SELECT year, {cols} FROM read_parquet(?, hive_partitioning = true) "
        "WHERE disp_income IS NOT NULL GROUP BY year ORDER BY year",
        [source.paths],
    ).df()
    for p in PROBS:
        label = quantile_label(p)
        np.testing.assert_array_equal(
            ours[label].to_numpy().view(np.uint64), native[label].to_numpy().view(np.uint64)
        )
    # the Dask engine: several radix levels (gather_limit 0 and 3 force a descent to the last
    # bits), one level then gathering, and gathering at once
    passes = {}
    for gather_limit in (0, 3, 500, 4_000_000):
        with DaskEngine(dask_client, partition_rows=900, gather_limit=gather_limit) as dask:
            assert len(dask.partitions(source)) >= 14  # several tasks per year
            calls = []
            compute = dask._compute
            dask._compute = lambda obj, c=calls, f=compute: c.append(1) or f(obj)  # type: ignore[method-assign]
            theirs = dask.quantiles(source, "disp_income", PROBS)
        passes[gather_limit] = len(calls)
        pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    # gather_limit 0: all four 16-bit levels are counted (64-bit keys); a large limit gathers
    # the values of the top-level bins in the second pass
    assert passes == {0: 4, 3: 4, 500: 3, 4_000_000: 2}, passes
    # against the sorted values and numpy
    for year, values in years.items():
        x = values[~np.isnan(values)]
        s = np.sort(x)
        row = ours[ours["year"] == year].iloc[0]
        assert row["n"] == len(x)
        for p in PROBS:
            lo, hi, frac = quantile_ranks(len(x), p)
            got = row[quantile_label(p)]
            assert min(s[lo], s[hi]) <= got <= max(s[lo], s[hi])
            assert got == interpolate(float(s[lo]), float(s[hi]), frac)
            ref = np.quantile(x, p, method="linear")
            scale = max(abs(s[lo]), abs(s[hi]))
            assert abs(got - ref) <= 4 * np.finfo(float).eps * scale, (year, p, got, ref)


def test_median_is_unchanged_by_the_quantile_path(quantile_source, duck, dask_client):
    """``medians`` shares the order-statistic search: still DuckDB's ``median`` bit for bit."""
    source, _ = quantile_source
    native = duck.con.execute(
        "SELECT year, median(disp_income) AS m FROM read_parquet(?, hive_partitioning = true) "
        "WHERE disp_income IS NOT NULL GROUP BY year ORDER BY year",
        [source.paths],
    ).df()
    med = duck.medians(source, "disp_income")
    assert med["median"].tolist() == native["m"].tolist()
    with DaskEngine(dask_client, partition_rows=900, gather_limit=3) as dask:
        pd.testing.assert_frame_equal(med, dask.medians(source, "disp_income"), check_exact=True)
    q = duck.quantiles(source, "disp_income", [0.5])
    assert q["q0.5"].tolist() == med["median"].tolist()


@pytest.mark.parametrize("probs", [[], [0.2, 1.5], [-0.1], [float("nan")], [0.2, 0.2], ["x"]])
def test_bad_probs_are_refused(quantile_source, duck, probs):
    source, _ = quantile_source
    with pytest.raises(ConfigError, match="probs"):
        duck.quantiles(source, "disp_income", probs)


def test_no_values_give_an_empty_frame(tmp_path, duck):
    _write(tmp_path, {2020: np.array([np.nan, np.nan])})
    out = duck.quantiles(open_source(tmp_path), "disp_income", (0.2, 0.8))
    assert out.empty and list(out.columns) == ["year", "n", "q0.2", "q0.8"]


@pytest.fixture(scope="module")
def con():  # type: ignore[no-untyped-def]
    import duckdb

    c = duckdb.connect()
    yield c
    c.close()


@given(
    st.lists(st.floats(allow_nan=False, allow_infinity=False, width=64), min_size=1, max_size=6),
    st.sampled_from([0.2, 0.4, 0.6, 0.8, 0.3, 0.7, 0.1, 0.25, 0.999]),
)
def test_interpolation_is_duckdbs_quantile_cont(con, values, p):
    """:func:`interpolate` on the sorted values == DuckDB's ``quantile_cont``, bit for bit
    (also where it leaves [lo, hi] by a rounding step, e.g. tied huge or tiny values)."""
    s = np.sort(np.asarray(values, dtype=np.float64))
    lo, hi, frac = quantile_ranks(len(s), p)
    ours = interpolate(float(s[lo]), float(s[hi]), frac)
    native = con.execute(
        f"SELECT quantile_cont(x, {p!r}) FROM (SELECT unnest(?::DOUBLE[]) AS x)", [list(values)]
    ).fetchone()[0]
    if np.isnan(native):  # inf - inf inside DuckDB's arithmetic
        assert np.isnan(ours)
    elif native == 0:  # DuckDB orders/normalises signed zeros its own way
        assert ours == 0
    else:
        assert np.float64(ours).view(np.uint64) == np.float64(native).view(np.uint64)
        with np.errstate(over="ignore"):  # nextafter(max float, inf) is inf: fine here
            assert np.nextafter(s[lo], -np.inf) <= ours <= np.nextafter(s[hi], np.inf)
