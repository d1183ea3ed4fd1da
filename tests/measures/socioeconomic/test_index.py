"""Index from counts: aggregation DeSO -> RegSO, bad input, agreement with SCB's official types."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from grannskap.errors import ValidationError
from grannskap.measures.socioeconomic import (
    PROXY_PROFILE,
    CutRule,
    aggregate_components,
    agreement,
    build_components,
    compute_index,
)
from grannskap.store.socioeconomic import classify_from_store, load_inputs


def _read_scb_xlsx(path: Path, first_data_row: int) -> pd.DataFrame:
    """Independent reader: SCB export rows that start with a DeSO code, as read by openpyxl."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True)
    rows = [
        r
        for i, r in enumerate(wb.active.iter_rows(values_only=True))
        if i >= first_data_row and r[0]
    ]
    rows = [r for r in rows if isinstance(r[0], str) and len(r[0]) == 9 and r[0][4] in "ABC"]
    return pd.DataFrame(rows).set_index(0)


def test_counts_aggregation_matches_independent_pandas_from_xlsx(
    shared_data: Path, small_db: Path
) -> None:
    """V1..V3 of Borås' RegSO, computed here from SCB's xlsx files (openpyxl + pandas) and SCB's
    key, equal the pipeline's values from the database (sources: SCB 000006TA, 000005MO,
    000007A8, koppling_deso2018_regso2020.csv)."""
    d = shared_data / "scb_deso_2022"
    ta = _read_scb_xlsx(next(d.glob("000006TA_*.xlsx")), 5)
    mo = _read_scb_xlsx(next(d.glob("000005MO_*.xlsx")), 4)
    a8 = _read_scb_xlsx(next(d.glob("000007A8_*.xlsx")), 6)
    key = pd.read_csv(shared_data / "scb_koppling" / "koppling_deso2018_regso2020.csv", dtype=str)
    regso = key.set_index("DeSO_2018")["RegSOkod_2020"]
    deso = pd.DataFrame(
        {
            "v1n": ta[1].astype(float) / 100 * ta[3].astype(float),
            "v1d": ta[3].astype(float),
            "v2n": mo[1].astype(float),
            "v2d": mo[[1, 2, 3, 4, 5]].astype(float).sum(axis=1),
            "v3n": a8[2].astype(float),
            "v3d": a8[5].astype(float),
        }
    )
    deso["regso"] = regso.reindex(deso.index).to_numpy()
    g = deso[deso["regso"].str.startswith("1490")].groupby("regso").sum()
    expected = pd.DataFrame({f"V{i}": 100 * g[f"v{i}n"] / g[f"v{i}d"] for i in (1, 2, 3)})
    assert len(expected) == 47

    con = duckdb.connect(str(small_db), read_only=True)
    try:
        res = classify_from_store(con, [2022], profile="proxy")
    finally:
        con.close()
    got = res.frame.set_index("area_code").loc[expected.index, ["V1", "V2", "V3", "index"]]
    np.testing.assert_allclose(got[["V1", "V2", "V3"]].to_numpy(), expected.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(
        got["index"].to_numpy(), expected.mean(axis=1).to_numpy(), rtol=1e-12
    )
    # counts-based, not an average of DeSO percentages: Norrby (1490R025) spans several DeSO
    assert any("procent × befolkning" in n for n in res.notes)


def test_agreement_with_official_boras_types_2022(small_db: Path) -> None:
    """Computed proxy types vs SCB's official 2022 types for the 47 Borås RegSO (source:
    boras_1490_regso_deso_overview.csv, SCB table 000005QX). Measured: 43 of 47 = 91.5 %;
    the four disagreements all lie within 0.06 σ of a type threshold."""
    con = duckdb.connect(str(small_db), read_only=True)
    try:
        res = classify_from_store(con, [2022], profile="auto")
    finally:
        con.close()
    assert res.index.profile == "proxy"  # SCB's exact variables are not in the shipped data
    f = res.frame.dropna(subset=["official"]).set_index("area_code")
    a = agreement(f["omradestyp"], f["official"])
    assert a.n == 47
    assert a.rate >= 0.91
    z = f.loc[a.disagreements["area_code"], "z"].to_numpy()
    gap = np.min(np.abs(z[:, None] - np.array([2.0, 1.0, 0.0, -1.0])[None, :]), axis=1)
    assert (gap < 0.06).all()
    # national classification covers all 3,363 RegSO
    assert res.frame["area_code"].nunique() == 3363
    # population vs sample SD: no Borås type changes
    con = duckdb.connect(str(small_db), read_only=True)
    try:
        res0 = classify_from_store(con, [2022], rule=CutRule(ddof=0))
    finally:
        con.close()
    b0 = res0.frame.set_index("area_code").loc[f.index, "omradestyp"]
    assert (b0 == f["omradestyp"]).all()


def _obs(rows: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["indicator_id", "breakdown", "area_code", "value"]).assign(
        year=2022, numerator=np.nan, denominator=np.nan
    )


def _good_rows(code: str, scale: float = 1.0) -> list[tuple[str, str, str, float]]:
    rows = [
        ("scb.000006TA.lag_ekonomisk_standard_procent", "", code, 10.0),
        ("scb.000006TA.antal_personer_totalt", "", code, 1000.0 * scale),
        ("scb.000007A8.antal_arbetslosa", "alder=16-64 år", code, 30.0),
        ("scb.000007A8.antal_totalt", "alder=16-64 år", code, 600.0 * scale),
    ]
    for lvl in PROXY_PROFILE.components[1].denominator:
        v = 50.0 if "förgymnasial" in lvl.breakdown else 100.0
        rows.append((lvl.indicator_id, lvl.breakdown, code, v * scale))
    return rows


def test_missing_series_names_the_area() -> None:
    rows = _good_rows("0001A0001") + _good_rows("0001A0002")
    rows = [r for r in rows if not (r[2] == "0001A0002" and r[0].endswith("antal_arbetslosa"))]
    with pytest.raises(ValidationError) as exc:
        build_components(_obs(rows), PROXY_PROFILE)
    assert "0001A0002" in "\n".join(exc.value.lines())
    assert "V3" in "\n".join(exc.value.lines())


def test_zero_denominator_names_the_area() -> None:
    rows = _good_rows("0001A0001") + _good_rows("0001A0002", scale=0.0)
    comps = build_components(_obs(rows), PROXY_PROFILE)
    with pytest.raises(ValidationError, match="0001A0002.*zero denominator"):
        compute_index(comps, PROXY_PROFILE)
    # an area below the population limit is not an error (it is flagged, not classified)
    table = compute_index(comps, PROXY_PROFILE, min_population=50)
    assert np.isnan(table.frame.set_index("area_code").loc["0001A0002", "index"])


def test_mixed_code_versions_without_key_names_the_areas() -> None:
    comps = build_components(_obs(_good_rows("0001A0001") + _good_rows("0001A0099")), PROXY_PROFILE)
    key = pd.Series({"0001A0001": "0001R001"})
    with pytest.raises(ValidationError) as exc:
        aggregate_components(comps, key)
    assert "0001A0099" in exc.value.lines()[0]
    split = pd.Series(
        ["0001R001", "0001R002", "0001R001"], index=["0001A0001", "0001A0001", "0001A0099"]
    )
    with pytest.raises(ValidationError, match="0001A0001 maps to more than one"):
        aggregate_components(comps, split)


def test_counts_are_summed_not_percentages_averaged() -> None:
    rows = _good_rows("0001A0001") + _good_rows("0001A0002", scale=3.0)
    comps = build_components(_obs(rows), PROXY_PROFILE)
    agg = aggregate_components(comps, pd.Series({"0001A0001": "0001R001", "0001A0002": "0001R001"}))
    t = compute_index(agg, PROXY_PROFILE).frame.iloc[0]
    # V3: (30 + 30) / (600 + 1800) = 2.5 %, not the mean of 5 % and 1.667 %
    assert t["V3"] == pytest.approx(100 * 60 / 2400)


def test_unknown_year_is_a_clear_error(small_db: Path) -> None:
    from grannskap.errors import DataNotFoundError

    con = duckdb.connect(str(small_db), read_only=True)
    try:
        with pytest.raises(DataNotFoundError, match="1999"):
            load_inputs(con, [1999])
    finally:
        con.close()


def test_deso_2025_data_without_key_is_a_clear_error(tmp_path: Path) -> None:
    """A year imported on DeSO 2025 with only the 2018 -> 2020 key in the database: the error
    names the missing key instead of matching codes of different divisions."""
    from grannskap.store import connect

    db = tmp_path / "d25.duckdb"
    con = connect(db)
    rows = _obs(_good_rows("0001A0001") + _good_rows("0001A0002")).assign(
        area_system="deso2025", year=2024, status="ok", import_id=0
    )
    con.register("rows", rows)
    con.execute(
        "INSERT INTO observation SELECT indicator_id, area_system, area_code, year, breakdown, "
        "value, numerator, denominator, status, import_id FROM rows"
    )
    con.execute(
        "INSERT INTO crosswalk VALUES ('deso2018', '0001A0001', 'regso2020', '0001R001', 1.0, 0)"
    )
    try:
        with pytest.raises(ValidationError, match="deso2025 -> regso2025"):
            classify_from_store(con, [2024])
        # both divisions in one year: error naming the year
        con.execute(
            "INSERT INTO observation SELECT indicator_id, 'deso2018', area_code, year, breakdown, "
            "value, numerator, denominator, status, import_id FROM rows"
        )
        with pytest.raises(ValidationError, match="year 2024 has DeSO data in both divisions"):
            classify_from_store(con, [2024])
    finally:
        con.close()


def test_scb_profile_chosen_when_register_variables_exist() -> None:
    """Exact SCB variables (register.* share indicators with numerator/denominator, as written by
    grannskap.register.indicators) are used when present."""
    from grannskap.measures.socioeconomic import SCB_PROFILE, Term, choose_profile

    avail = [Term("register.v1_lag_ekonomisk_standard"), Term("register.v2_forgymnasial_20_64")]
    assert choose_profile(avail).name == "proxy"
    avail.append(Term("register.v3_bistand_arbetsloshet_20_64"))
    assert choose_profile(avail).name == "scb"
    obs = pd.DataFrame(
        [
            (t.indicator_id, "", code, 2022, np.nan, n, d)
            for code, (n, d) in (("0001A0001", (10, 100)), ("0001A0002", (30, 100)))
            for t in SCB_PROFILE.terms()
        ],
        columns=[
            "indicator_id",
            "breakdown",
            "area_code",
            "year",
            "value",
            "numerator",
            "denominator",
        ],
    )
    comps = build_components(obs, SCB_PROFILE)
    agg = aggregate_components(comps, pd.Series({"0001A0001": "0001R001", "0001A0002": "0001R001"}))
    t = compute_index(agg, SCB_PROFILE).frame.iloc[0]
    assert t["V1"] == pytest.approx(20.0) and t["index"] == pytest.approx(20.0)


def test_user_profile_from_yaml_with_weights(small_db: Path, tmp_path: Path) -> None:
    """A two-component profile from YAML, weighted 1:2, equals the weighted mean of the proxy's
    V1 and V3 (same SCB series)."""
    import yaml

    from grannskap.measures.socioeconomic import load_profile

    spec = {
        "name": "egen",
        "components": [
            {
                "key": "V1",
                "kind": "percent_times_base",
                "numerator": "scb.000006TA.lag_ekonomisk_standard_procent",
                "denominator": "scb.000006TA.antal_personer_totalt",
            },
            {
                "key": "V3",
                "kind": "counts",
                "weight": 2,
                "numerator": [
                    {"indicator_id": "scb.000007A8.antal_arbetslosa", "breakdown": "alder=16-64 år"}
                ],
                "denominator": [
                    {"indicator_id": "scb.000007A8.antal_totalt", "breakdown": "alder=16-64 år"}
                ],
            },
        ],
    }
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True), encoding="utf-8")
    prof = load_profile(path)
    con = duckdb.connect(str(small_db), read_only=True)
    try:
        mine = classify_from_store(con, [2022], profile=prof).frame.set_index("area_code")
        proxy = classify_from_store(con, [2022], profile="proxy").frame.set_index("area_code")
    finally:
        con.close()
    expected = (proxy["V1"] + 2 * proxy["V3"]) / 3
    np.testing.assert_allclose(
        mine.loc[expected.index, "index"].to_numpy(), expected.to_numpy(), rtol=1e-12
    )
    bad = {"components": [{"key": "V1", "kind": "magic", "numerator": "x"}, {"kind": "counts"}]}
    from grannskap.measures.socioeconomic import profile_from_mapping

    with pytest.raises(ValidationError) as exc:
        profile_from_mapping(bad)
    text = "\n".join(exc.value.lines())
    assert "magic" in text and "needs a `key`" in text
