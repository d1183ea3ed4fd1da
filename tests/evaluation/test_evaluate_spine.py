"""``grannskap evaluate`` on the indicator spine, with computed områdestyper and per-area start
years (#14 item 6).

The fast tests use hand-made frames and programme files; the slow one runs the command in a
subprocess on a fresh ``grannskap init --demo`` database (the shipped RegSO 2020–2023 series
and Borås' programme file, where Skolan som arena started on Sjöbo in 2021 and reached
Hässleholmen and Norrby in a year the sources do not give).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from grannskap.errors import ValidationError
from grannskap.evaluation.controls import choose_controls
from grannskap.ingest.programme import parse_programme
from grannskap.store.queries import EvaluationInputs

AREAS = ["1490R001", "1490R002", "1480R001", "1480R002", "1480R003", "0180R001", "0180R002"]


def _inputs(official: pd.DataFrame) -> EvaluationInputs:
    panel = pd.DataFrame(
        [{"area_code": a, "year": y, "value": 1.0} for a in AREAS for y in (2020, 2021, 2022)]
    )
    return EvaluationInputs(
        intervention=pd.Series({"intervention_id": "iv"}),
        # 1490R002 is a target area whose start year is unknown: never a comparison area
        areas=pd.DataFrame(
            {
                "area_system": ["regso2020", "regso2020"],
                "area_code": ["1490R001", "1490R002"],
                "start_year": [2021, None],
            }
        ),
        panel=panel,
        types=official,
        others=pd.DataFrame(columns=["intervention_id", "area_code", "start_year", "end_year"]),
        kommun=pd.DataFrame({"area_code": AREAS, "kommun_code": [a[:4] for a in AREAS]}),
        cost=None,
        notes=(),
    )


# official types for the treated kommun only (as SCB's overview gives them for Borås)
OFFICIAL_OWN = pd.DataFrame(
    {"area_code": ["1490R001", "1490R002"], "year": [2022, 2022], "omradestyp": [1.0, 1.0]}
)
COMPUTED = pd.DataFrame(
    {
        "area_code": ["1490R001", "1490R002", "1480R001", "1480R002", "1480R003", "0180R001"],
        "omradestyp": [2.0, 2.0, 2.0, 1.0, 2.0, 3.0],
    }
)


def test_computed_types_replace_missing_official_ones_and_say_so() -> None:
    chosen, table, notes = choose_controls(
        _inputs(OFFICIAL_OWN), "same-type-elsewhere", lambda: (COMPUTED, 2022)
    )
    # computed type of the treated area is 2: the type-2 areas outside 1490, none of 1490's
    assert chosen == ["1480R001", "1480R003"]
    assert set(table["reason"]) == {
        "same områdestyp computed by grannskap (2022) (2), other municipality"
    }
    assert any("computed by grannskap (socioeconomic index, 2022)" in n for n in notes)


def test_official_types_are_used_where_they_suffice() -> None:
    official = pd.concat(
        [
            OFFICIAL_OWN,
            pd.DataFrame({"area_code": ["0180R002"], "year": [2022], "omradestyp": [1.0]}),
        ]
    )

    def fail() -> tuple[pd.DataFrame, int]:
        raise AssertionError("computed types must not be read when official ones suffice")

    chosen, table, notes = choose_controls(_inputs(official), "same-type-elsewhere", fail)
    assert chosen == ["0180R002"]
    assert table["reason"].iloc[0] == "same official områdestyp (1), other municipality"
    assert not any("computed" in n for n in notes)


PROGRAMME = """
programme: {{id: p, name: Programme, kommun: "1490", start_year: 2018}}
interventions:
  - id: arena
    name: Arena
    start_year: 2021
    areas:
      - {{system: stadsdel, code: sjobo, start_year: 2021}}
      - {{system: stadsdel, code: norrby, start_year: {norrby}}}
      - {{system: stadsdel, code: hulta}}
"""


def test_programme_area_start_years_known_unknown_and_inherited() -> None:
    prog = parse_programme(PROGRAMME.format(norrby="unknown").encode(), "p.yaml")
    starts = prog.intervention_areas.set_index("area_code")["start_year"]
    assert starts["sjobo"] == 2021
    assert pd.isna(starts["norrby"])  # explicitly unknown: not the intervention's 2021
    assert starts["hulta"] == 2021  # no year given: the intervention's
    later = parse_programme(PROGRAMME.format(norrby=2023).encode(), "p.yaml")
    assert later.intervention_areas.set_index("area_code")["start_year"]["norrby"] == 2023
    with pytest.raises(ValidationError, match="start_year"):
        parse_programme(PROGRAMME.format(norrby="'snart'").encode(), "p.yaml")


@pytest.mark.slow
def test_evaluate_catalogue_indicator_on_fresh_demo(tmp_path: Path) -> None:
    """Done-when of #14: `evaluate` with an id `indicators` lists, on the RegSO 2020–2023 panel."""
    db, out = tmp_path / "demo.duckdb", tmp_path / "out"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
    cli = [sys.executable, "-m", "grannskap"]
    subprocess.run([*cli, "init", "--db", str(db), "--demo"], check=True, env=env, timeout=600)
    listed = subprocess.run(
        [*cli, "indicators", "--db", str(db)], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert "utrikes_fodda" in listed
    run = subprocess.run(
        [*cli, "evaluate", "--db", str(db), "--intervention", "skolan-som-arena"]
        + ["--outcome", "utrikes_fodda", "--design", "did", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    panel = pd.read_csv(out / "panel.csv", dtype={"area_code": str})
    assert sorted(panel["year"].unique()) == [2020, 2021, 2022, 2023]
    roles = pd.read_csv(out / "comparison_areas.csv", dtype={"area_code": str})
    treated = set(roles.loc[roles.role == "treated", "area_code"])
    # Sjöbo's three RegSO (the demo's crosswalk); Hässleholmen (R019, R020) and Norrby (R025)
    # have an unknown start year and are neither treated nor comparison
    assert treated == {"1490R033", "1490R034", "1490R035"}
    comparison = set(roles.loc[roles.role == "comparison", "area_code"])
    assert len(comparison) > 10 and not any(a.startswith("1490") for a in comparison)
    assert roles.loc[roles.role == "comparison", "reason"].str.contains("computed").all()
    sv = (out / "verdict_sv.txt").read_text(encoding="utf-8")
    en = (out / "verdict_en.txt").read_text(encoding="utf-8")
    assert "Utrikes födda [%], RegSO 2020–2023" in sv
    assert "Kontrollerade antaganden" in sv and "minsta upptäckbara effekt" in sv
    assert "minimum detectable effect" in en and "parallel" in en
    assert "Hässleholmen (stadsdel:hassleholmen), Norrby (stadsdel:norrby)" in en
    assert "computed by grannskap" in en and "omradesutveckling-nhs" in en
    result = pd.read_csv(out / "result.csv")
    assert (result["kind"] == "mde").sum() == 1
    # a raw stored series id keeps working
    raw = subprocess.run(
        [*cli, "evaluate", "--db", str(db), "--intervention", "skolan-som-arena"]
        + ["--outcome", "scb.TAB6572", "--design", "did", "--out", str(tmp_path / "raw")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert raw.returncode == 0, raw.stderr
