"""Goal definitions and status on the real police lists and SCB's official Borås types.

Sources: police_lists_national_counts_and_boras.csv (Borås areas on each list 2015–2025: 2015
Hässleholmen/Hulta utsatt, Norrby not listed; 2017–2025 both särskilt utsatta), Polisen's 2023
and 2025 lists (59 and 65 areas), and boras_1490_regso_deso_overview.csv (official types).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from grannskap.errors import ValidationError
from grannskap.goals import goal_status, load_goals, parse_goals, police_histories


@pytest.fixture(scope="module")
def police(small_db: Path) -> pd.DataFrame:
    con = duckdb.connect(str(small_db), read_only=True)
    try:
        pc = con.execute(
            "SELECT area_code, name, kommun_code, year, category FROM police_classification"
        ).df()
        lc = con.execute("SELECT year, total FROM police_list_count").df()
    finally:
        con.close()
    return police_histories(pc, lc)


def test_shipped_goals_load() -> None:
    goals = {g.id: g for g in load_goals(kommun="1490")}
    assert set(goals) == {
        "inga_sarskilt_utsatta_2030",
        "ingen_omradestyp_1_2030",
        "ingen_omradestyp_1_2_2030",
    }
    assert goals["ingen_omradestyp_1_2_2030"].bad_states == (1, 2)
    assert all(g.deadline == 2030 for g in goals.values())


def test_bad_goal_files_collect_all_problems() -> None:
    data = {
        "goals": [
            {"id": "x", "measure": "weather", "deadline": "soon"},
            {
                "id": "x",
                "measure": "omradestyp",
                "bad_states": [7],
                "deadline": 2030,
                "area_set": {"kommun": "1490"},
            },
        ]
    }
    with pytest.raises(ValidationError) as exc:
        parse_goals(data)
    text = "\n".join(exc.value.lines())
    assert "weather" in text and "deadline" in text and "duplicate" in text and "types 1–5" in text


def test_police_goal_status_per_list_year(police: pd.DataFrame) -> None:
    assert set(police.attrs["complete_years"]) == {2023, 2025}
    goal = next(g for g in load_goals() if g.measure == "police_category")
    st = goal_status(goal, police=police)
    by_year = st.table.set_index("year")["n_bad"].to_dict()
    assert by_year == {2015: 0, 2017: 2, 2019: 2, 2021: 2, 2023: 2, 2025: 2}
    assert st.table.set_index("year").loc[2015, "met"]
    assert not st.latest_met and st.latest_year == 2025
    assert "oförändrat sedan 2017" in st.trend_sv
    # Norrby was not on the 2015 list (known for Borås), Hässleholmen/Hulta was 'utsatt'
    b = police[police["kommun_code"] == "1490"].set_index(["area_code", "year"])["state"]
    assert b[("P13", 2015)] == "ej_listad" and b[("P14", 2015)] == "utsatt"
    # nationally, 2025 has 19 särskilt utsatta of 65 (Polisen, December 2025)
    y25 = police[(police["year"] == 2025) & (police["state"] != "ej_listad")]
    assert len(y25) == 65 and (y25["state"] == "sarskilt_utsatt").sum() == 19


def test_type_goal_status_from_official_types(small_db: Path) -> None:
    con = duckdb.connect(str(small_db), read_only=True)
    try:
        off = con.execute(
            "SELECT area_code, year, CAST(value AS BIGINT) AS omradestyp FROM observation WHERE indicator_id = 'scb.omradestyp'"
        ).df()
    finally:
        con.close()
    goals = {g.id: g for g in load_goals()}
    st1 = goal_status(goals["ingen_omradestyp_1_2030"], types=off.assign(source="officiell"))
    st12 = goal_status(goals["ingen_omradestyp_1_2_2030"], types=off.assign(source="officiell"))
    # official: type 1 = Hässleholmen väst, Norrby, Sjöbo-Johannelund; type 2 adds four more
    assert st1.table.set_index("year")["n_bad"].to_dict() == {2022: 3, 2023: 3}
    assert st12.table.set_index("year")["n_bad"].to_dict() == {2022: 7, 2023: 7}
    assert (st1.table["n_areas"] == 47).all()
    assert not st1.latest_met


def test_yaml_round_trip(tmp_path: Path) -> None:
    p = tmp_path / "g.yaml"
    p.write_text(
        yaml.safe_dump(
            {
                "kommun": "0180",
                "goals": [
                    {
                        "id": "a",
                        "measure": "police_category",
                        "bad_states": ["sarskilt_utsatt"],
                        "deadline": 2030,
                    }
                ],
            }
        )
    )
    (g,) = load_goals(p)
    assert g.kommun == "0180" and g.measure == "police_category"


def test_indicator_goal_status() -> None:
    """An indicator goal (value of one series against a target) on a small hand-made series."""
    data = {
        "goals": [
            {
                "id": "arbetsloshet",
                "measure": "indicator",
                "indicator_id": "x.arbetslosa_procent",
                "area_code": "1490",
                "target_value": 5.0,
                "direction": "decrease",
                "deadline": 2030,
                "area_set": {"kommun": "1490"},
            }
        ]
    }
    (goal,) = parse_goals(data)
    values = pd.DataFrame(
        {"area_code": "1490", "year": [2020, 2021, 2022], "value": [7.0, 6.0, 4.5]}
    )
    st = goal_status(goal, indicator=values)
    assert st.table["met"].tolist() == [False, False, True]
    assert st.latest_year == 2022 and st.latest_met
    assert "7 (2020) → 4,5 (2022)" in st.trend_sv
