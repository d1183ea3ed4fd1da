"""``grannskap evaluate`` end to end on a database filled with a SIMULATED panel.

The panel is simulated (labelled so in the provenance table and checked to be labelled in
every output); the shipped demo data has one year only, which the command must refuse.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grannskap.cli import main
from grannskap.evaluation.simulate import simulate_panel

EFFECT = 2.0


def _fill(db: Path, years: range, *, seed: int = 0) -> None:
    """A SIMULATED RegSO panel: 4 treated areas in kommun 1490 from 2019, 120 others."""
    from grannskap.store import connect

    sim = simulate_panel(
        124, years, cohorts=(2019,), share_treated=0.5, effect=EFFECT, seed=seed
    ).data
    codes = sorted(sim.area_code.unique())
    treated = sorted(sim.loc[sim.first_treat > 0, "area_code"].unique())[:4]
    sim = sim[(sim.first_treat == 0) | sim.area_code.isin(treated)]
    rename = {}
    for i, c in enumerate(codes):
        kommun = "1490" if c in treated or i % 10 == 0 else f"{1200 + i % 7:04d}"
        rename[c] = f"{kommun}R{i:03d}"
    sim = sim.assign(area_code=sim.area_code.map(rename))
    treated = [rename[c] for c in treated]
    con = connect(db)
    con.execute(
        "INSERT INTO provenance (import_id, source, table_id, title, file_name, file_hash, "
        "row_count) VALUES (1, 'simulated', 'sim', 'SIMULATED panel for tests', 'none', 'x', 0)"
    )
    areas = sim[["area_code"]].drop_duplicates()
    for code in areas.area_code:
        con.execute(
            "INSERT INTO area (system, code, kommun_code) VALUES ('regso2020', ?, ?)",
            [code, code[:4]],
        )
    obs = sim[["area_code", "year", "value"]].assign(
        indicator_id="sim.outcome",
        area_system="regso2020",
        breakdown="",
        status="ok",
        import_id=1,
    )
    types = areas.assign(
        indicator_id="scb.omradestyp",
        area_system="regso2020",
        breakdown="",
        status="ok",
        import_id=1,
        year=years[-1],
        value=np.where(np.arange(len(areas)) % 3 == 0, 4.0, 1.0),
    )
    types.loc[types.area_code.isin(treated), "value"] = 1.0
    cols = [
        "indicator_id",
        "area_system",
        "area_code",
        "year",
        "breakdown",
        "value",
        "status",
        "import_id",
    ]
    con.register("obs_rows", pd.concat([obs[cols], types[cols]], ignore_index=True))
    con.execute("INSERT INTO observation (" + ", ".join(cols) + ") SELECT * FROM obs_rows")
    con.execute(
        "INSERT INTO intervention (intervention_id, programme_id, name, type, start_year) "
        "VALUES ('sim-iv', 'p', 'Simulerad insats', 'forebyggande', 2019)"
    )
    con.execute(
        "INSERT INTO intervention (intervention_id, programme_id, name, type, start_year) "
        "VALUES ('other', 'p', 'Annan insats', 'okand', 2018)"
    )
    for code in treated:
        con.execute(
            "INSERT INTO intervention_area (intervention_id, area_system, area_code, "
            "start_year) VALUES ('sim-iv', 'regso2020', ?, 2019)",
            [code],
        )
    con.execute(
        "INSERT INTO funding (programme_id, kind, dimension, intervention_id, amount_sek) "
        "VALUES ('p', 'spent', 'intervention', 'sim-iv', 1500000.00)"
    )
    # the same areas as one city district, reachable only through the crosswalk
    con.execute(
        "INSERT INTO intervention (intervention_id, programme_id, name, type, start_year) "
        "VALUES ('sim-sd', 'p', 'Simulerad stadsdelsinsats', 'framjande', 2019)"
    )
    con.execute(
        "INSERT INTO intervention_area (intervention_id, area_system, area_code, start_year) "
        "VALUES ('sim-sd', 'stadsdel', 'simdel', 2019)"
    )
    for code in treated:
        con.execute(
            "INSERT INTO crosswalk (from_system, from_code, to_system, to_code) "
            "VALUES ('regso2020', ?, 'stadsdel', 'simdel')",
            [code],
        )
    con.execute(
        "INSERT INTO intervention (intervention_id, programme_id, name, type, start_year) "
        "VALUES ('no-areas', 'p', 'Insats utan områden', 'okand', 2019)"
    )
    other_area = sorted(set(sim.area_code) - set(treated))[5]
    con.execute(
        "INSERT INTO intervention_area (intervention_id, area_system, area_code, "
        "start_year) VALUES ('other', 'regso2020', ?, 2018)",
        [other_area],
    )
    con.close()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("evaldb") / "sim.duckdb"
    _fill(path, range(2012, 2024))
    return path


def test_did_writes_outputs_labelled_simulated(db: Path, tmp_path: Path) -> None:
    code = main(
        [
            "evaluate",
            "--intervention",
            "sim-iv",
            "--outcome",
            "sim.outcome",
            "--design",
            "did",
            "--db",
            str(db),
            "--out",
            str(tmp_path),
            "--bootstrap",
            "199",
        ]
    )
    assert code == 0
    for name in (
        "result.csv",
        "verdict_sv.txt",
        "verdict_en.txt",
        "event_study.png",
        "comparison_areas.csv",
        "panel.csv",
    ):
        assert (tmp_path / name).is_file(), name
    sv = (tmp_path / "verdict_sv.txt").read_text(encoding="utf-8")
    assert sv.startswith("SIMULERADE DATA")
    assert "4 behandlade områden" in sv and "treated area" not in sv
    res = pd.read_csv(tmp_path / "result.csv")
    simple = res[res.kind == "simple_overall"].iloc[0]
    assert simple.ci_low < EFFECT < simple.ci_high
    mde = res[res.kind == "mde"].att.iloc[0]  # placebo MDE among the comparison areas
    assert 0 < mde < EFFECT and "upptäcka en effekt mindre än" in sv
    assert (res["data"] == "simulated").all()
    comp = pd.read_csv(tmp_path / "comparison_areas.csv")
    ctrl = comp[comp.role == "comparison"]
    assert len(ctrl) > 10 and not ctrl.area_code.str.startswith("1490").any()
    assert ctrl.reason.str.contains("områdestyp").all()
    # the area of "other" was left out and that is said (in Swedish in the Swedish verdict)
    assert "1 område med andra insatser uteslöts ur jämförelsegruppen" in sv
    assert "Permutationstest" in sv  # few treated areas: the pre-test is calibrated
    # few treated areas: the verdict's interval is the randomisation interval, and it says so
    ri = res[res.kind == "simple_overall_randomization"].iloc[0]
    assert ri.att == pytest.approx(simple.att) and ri.ci_low < EFFECT < ri.ci_high
    assert "randomiseringsinferens" in sv and "bara 4 områden behandlades" in sv
    assert f"{ri.n_assignments - 1:.0f} slumpade omlottningar" in sv
    cost = pd.read_csv(tmp_path / "cost_per_effect.csv").iloc[0]
    assert cost.cost == 1_500_000 and cost.ratio == pytest.approx(1_500_000 / simple.att)
    assert "Kostnad per enhet effekt" in sv


def test_city_district_target_is_mapped_through_crosswalk(db: Path, tmp_path: Path) -> None:
    code = main(
        [
            "evaluate",
            "--intervention",
            "sim-sd",
            "--outcome",
            "sim.outcome",
            "--design",
            "its",
            "--db",
            str(db),
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    sv = (tmp_path / "verdict_sv.txt").read_text(encoding="utf-8")
    assert "4 behandlade områden" in sv
    assert "målområdet stadsdel:simdel motsvarar 4 områden i regso2020" in sv
    en = (tmp_path / "verdict_en.txt").read_text(encoding="utf-8")
    assert "4 treated area(s)" in en and "stadsdel:simdel = 4 regso2020 area(s)" in en


def test_its_with_comparison(db: Path, tmp_path: Path) -> None:
    code = main(
        [
            "evaluate",
            "--intervention",
            "sim-iv",
            "--outcome",
            "sim.outcome",
            "--design",
            "its",
            "--controls",
            "all",
            "--db",
            str(db),
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    assert "jämförelseserie" in (tmp_path / "verdict_sv.txt").read_text(encoding="utf-8")


def test_one_year_panel_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Like the shipped demo data (2022 only): a clear one-line refusal, no output files."""
    path = tmp_path / "one.duckdb"
    _fill(path, range(2022, 2023))
    code = main(
        [
            "evaluate",
            "--intervention",
            "sim-iv",
            "--outcome",
            "sim.outcome",
            "--design",
            "did",
            "--db",
            str(path),
            "--out",
            str(tmp_path / "o"),
        ]
    )
    assert code != 0
    err = capsys.readouterr().err
    assert "1 year(s) (2022)" in err and "at least 3 years" in err
    assert not (tmp_path / "o" / "result.csv").exists()


def test_unknown_intervention_and_subprocess_exit_code(db: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "grannskap",
            "evaluate",
            "--intervention",
            "nope",
            "--outcome",
            "sim.outcome",
            "--design",
            "did",
            "--db",
            str(db),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "'nope' is not in the database" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_errors_speak_of_interventions_and_areas_not_tables(db: Path, tmp_path: Path) -> None:
    """Issue 14: an intervention without areas is explained in the programme file's terms."""
    from grannskap.errors import DataNotFoundError
    from grannskap.store import connect
    from grannskap.store.queries import evaluation_inputs

    con = connect(db, read_only=True)
    try:
        with pytest.raises(DataNotFoundError) as info:
            evaluation_inputs(con, "no-areas", "sim.outcome")
    finally:
        con.close()
    msg = str(info.value)
    assert "'no-areas' names no areas it works in" in msg and "programme file" in msg
    assert "intervention_area" not in msg and "rows" not in msg


def test_without_matplotlib_the_chart_is_skipped_with_a_note(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """matplotlib is the optional ``[plot]`` extra (issue 18): without it evaluate still writes
    its results and says in one line how to get the chart."""
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    code = main(
        [
            "evaluate", "--intervention", "sim-iv", "--outcome", "sim.outcome",
            "--design", "did", "--db", str(db), "--out", str(tmp_path), "--bootstrap", "99",
        ]
    )  # fmt: skip
    assert code == 0
    assert (tmp_path / "result.csv").is_file() and not (tmp_path / "event_study.png").exists()
    err = capsys.readouterr().err
    assert "pip install 'grannskap[plot]'" in err and "Traceback" not in err
