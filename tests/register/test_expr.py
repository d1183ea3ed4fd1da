"""Conditions compiled to SQL (DuckDB) and evaluated with numpy count the same rows.

Reference: DuckDB evaluating the generated SQL on the same pandas frame; property-based with
Hypothesis over random data with missing values.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from grannskap.register.expr import (
    And,
    Batch,
    Between,
    Cat,
    Cmp,
    In,
    IsNull,
    NotNull,
    Or,
    PerYear,
    evaluate,
    to_sql,
)

CONDS = [
    Cmp("age", "<", 20),
    Cmp("age", "!=", 3),
    Cmp("inc", ">=", 0.5),
    Cmp("inc", "<", PerYear.of({2020: 0.3, 2021: 0.7})),
    Between("age", 5, 40),
    Cmp("sex", "==", "K"),
    Cmp("sex", "!=", "K"),
    In("sex", frozenset({"K", "X"})),
    In("sex", frozenset({"K"}), negate=True),
    IsNull("inc"),
    NotNull("sex"),
    And((Between("age", 20, 64), Or((Cmp("inc", "<", 0.2), Cmp("sex", "==", "M"))))),
]


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 300))
def test_sql_and_numpy_agree(seed, n):
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 100, n).astype(float)
    age[rng.random(n) < 0.2] = np.nan
    inc = rng.random(n)
    inc[rng.random(n) < 0.2] = np.nan
    sex = rng.choice(np.array(["K", "M", "X", None], dtype=object), n)
    year = rng.choice([2020, 2021, 2022], n).astype(float)
    frame = pd.DataFrame({"age": age, "inc": inc, "sex": sex, "year": year})  # noqa: F841
    codes, cats = pd.factorize(sex, use_na_sentinel=True)
    batch = Batch(
        {"age": age, "inc": inc, "sex": Cat(codes, np.asarray(cats, dtype=object)), "year": year}, n
    )
    con = duckdb.connect()
    for cond in CONDS:
        sql = f"SELECT count(*) FILTER (WHERE {to_sql(cond)}) FROM frame"
        expected = con.execute(sql).fetchone()[0]
        assert int(evaluate(cond, batch).sum()) == expected, to_sql(cond)
