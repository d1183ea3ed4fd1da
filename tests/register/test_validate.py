"""Bad input is counted and reported, never silently dropped — on both engines.

Reference: the problems injected by hand below (the expected counts are the injections).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from grannskap.errors import DataQualityWarning, ValidationError
from grannskap.register import aggregate, open_source, validate

KNOWN = frozenset({"1490C1010", "1490C1020", "1490C1030"})


def _persons(year: int, n: int, start: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(year)
    return pd.DataFrame(
        {
            "person_id": np.arange(start, start + n, dtype=np.int64),
            "deso": rng.choice(sorted(KNOWN), n),
            "age": rng.integers(0, 95, n),
            "sex": rng.choice(["K", "M"], n),
            "background": rng.choice(["swedish", "foreign"], n),
            "disp_income": rng.integers(50_000, 600_000, n).astype(float),
            "education": rng.choice(["forgymnasial", "gymnasial", "eftergymnasial"], n),
            "employment": rng.choice(["employed", "unemployed", "not_in_labour_force"], n),
            "assistance_months": rng.integers(0, 13, n),
            "unemployment_days": rng.integers(0, 300, n),
        }
    )


@pytest.fixture(scope="module")
def bad_dir(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("bad")
    a = _persons(2020, 200)
    a.loc[0, "deso"] = "0000X0000"  # unknown DeSO
    a.loc[1, "deso"] = "9999C9999"  # unknown DeSO
    a.loc[2, "deso"] = None  # missing DeSO
    a.loc[3, "age"] = -1  # impossible
    a.loc[4, "age"] = 130  # impossible
    a.loc[5, "disp_income"] = -20_000.0  # negative
    a.loc[6, "sex"] = "X"  # invalid category
    a.loc[7, "assistance_months"] = 13  # out of range
    a = pd.concat([a, a.iloc[[10]]], ignore_index=True)  # person 11 twice in 2020
    b = _persons(2021, 150)
    b.loc[0, "disp_income"] = -1.0  # negative
    b.loc[1, "disp_income"] = -5.0  # negative
    b = pd.concat([b, b.iloc[[20, 20]]], ignore_index=True)  # person 21 three times in 2021
    for year, frame in ((2020, a), (2021, b)):
        (root / f"year={year}").mkdir()
        frame.to_parquet(root / f"year={year}" / "part-0.parquet", index=False)
    # a second 2021 file with another schema: income stored as integers, a column too many
    c = _persons(2021, 50, start=1000)
    c["disp_income"] = c["disp_income"].astype("int64")
    c["extra_column"] = 1
    pq.write_table(
        pa.Table.from_pandas(c, preserve_index=False), root / "year=2021" / "part-1.parquet"
    )
    return root


EXPECTED = {
    "unknown_deso": 2,
    "missing_deso": 1,
    "impossible_age": 2,
    "negative_income": 3,
    "invalid_sex": 1,
    "assistance_months_out_of_range": 1,
    "duplicate_person_year": 3,  # 1 extra row in 2020 + 2 extra rows in 2021
    "schema_differs": 1,
}


@pytest.mark.parametrize("engine_name", ["duck", "dask_engine"])
def test_every_problem_is_counted(bad_dir, engine_name, request):
    engine = request.getfixturevalue(engine_name)
    source = open_source(bad_dir)
    with pytest.warns(DataQualityWarning):
        report = validate(source, engine, KNOWN)
    counts = report.counts
    for code, n in EXPECTED.items():
        assert counts[code] == n, code
    others = {k: v for k, v in counts.items() if k not in EXPECTED}
    assert not any(others.values()), others
    assert report.rows == 201 + 152 + 50
    assert report.duplicate_keys == 2
    assert report.duplicate_examples["person_id"].tolist() == [11, 21]
    by_code = {p.code: p for p in report.problems}
    assert by_code["negative_income"].by_year == {2020: 1, 2021: 2}
    assert sorted(by_code["impossible_age"].examples["age"].tolist()) == [-1, 130]
    issue = report.schema_issues[0]
    assert issue.path.endswith("part-1.parquet")
    assert issue.extra == ("extra_column",)
    assert issue.changed[0][0] == "disp_income"


def test_strict_mode_raises_with_every_problem(bad_dir, duck):
    with pytest.raises(ValidationError) as info:
        validate(open_source(bad_dir), duck, KNOWN, strict=True)
    text = "\n".join(info.value.lines())
    assert "2 person-year(s) with a DeSO code not in the given list" in text
    assert "3 extra row(s)" in text
    assert "0000X0000" in text
    assert "partition schema differs" in text


def test_bad_rows_are_kept_in_the_aggregates(bad_dir, duck, dask_engine):
    source = open_source(bad_dir)
    for engine in (duck, dask_engine):
        result = aggregate(source, engine)
        assert int(result.area["pop"].sum()) == 201 + 152 + 50  # nothing dropped
        assert set(result.area["deso"].dropna()) == KNOWN | {"0000X0000", "9999C9999"}
        assert any("1 person-year(s) without a DeSO code" in n for n in result.notes)
    a, b = aggregate(source, duck), aggregate(source, dask_engine)
    pd.testing.assert_frame_equal(a.area, b.area)
    pd.testing.assert_frame_equal(a.medians, b.medians)


def test_missing_required_column_is_an_error(tmp_path, duck):
    frame = _persons(2020, 10).drop(columns=["age"])
    frame.to_parquet(tmp_path / "only.parquet", index=False)
    source = open_source(tmp_path / "only.parquet")
    with pytest.raises(ValidationError, match="required column missing"):
        validate(source, duck)


def test_clean_data_has_no_problem(synth_source, duck):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        report = validate(synth_source, duck)
    assert report.ok
    assert report.rows == sum(f.rows for f in synth_source.files)


def test_unreadable_values_are_an_input_error(tmp_path, duck):
    from grannskap.errors import InputError

    (tmp_path / "r.csv").write_text(
        "person_id,year,deso,age,sex,background,disp_income,education,employment,"
        "assistance_months,unemployment_days\n1,2020,1490C1010,abc,K,swedish,1,gymnasial,employed,0,0\n"
    )
    with pytest.raises(InputError, match="cannot be read"):
        aggregate(open_source(tmp_path / "r.csv"), duck)
