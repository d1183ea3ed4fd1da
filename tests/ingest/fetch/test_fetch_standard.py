"""``grannskap fetch standard``: the recipe against the replay server, end to end.

Fixtures: ``fixtures/http/scb/TAB65{72,58,86}_*.json``, built by
``fixtures/http/build_recipe_fixtures.py`` from SCB's real numbers (PxWeb CSV exports per
RegSO 2020–2023 and SCB's official områdestyp 2022/2023 for Borås); see that script for what
is constructed. The check that matters: a database filled by the fetch holds exactly what the
PxWeb CSV import of the same SCB numbers holds, so everything downstream (report, segregation)
is fed the same, and Borås' published populations come out.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grannskap.cli import main
from grannskap.demo import demo_files
from grannskap.errors import FetchError
from grannskap.ingest.importer import import_file
from grannskap.store import connect
from replay_server import FIXTURES, ReplayServer, Reply, jsonstat_slicer

API = "/api/v2"
TABLES = ("TAB6572", "TAB6258", "TAB6586")


def _routes(replay: ReplayServer, tables: tuple[str, ...] = TABLES) -> None:
    replay.add("GET", f"{API}/config", Reply.file("scb/config.json"))
    for tid in tables:
        replay.add("GET", f"{API}/tables/{tid}/metadata", Reply.file(f"scb/{tid}_metadata.json"))
        full = json.loads((FIXTURES / "scb" / f"{tid}_data_boras.json").read_text("utf-8"))
        replay.add("POST", f"{API}/tables/{tid}/data", jsonstat_slicer(full))


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database without the RegSO 2020–2023 CSV series (the fetch brings them)."""
    path = tmp_path_factory.mktemp("base") / "base.duckdb"
    con = connect(str(path))
    try:
        for f in demo_files():
            if "scb_regso_2020_2023" not in str(f):
                import_file(con, f)
    finally:
        con.close()
    return path


def _copy(base: Path, path: Path) -> Path:
    shutil.copyfile(base, path)
    return path


def _fetch(db: Path, replay: ReplayServer, *extra: str) -> int:
    return main(
        ["fetch", "standard", "--kommun", "1490", "--from", "2018", "--to", "2023",
         "--no-geodata", "--db", str(db), "--base-url", replay.url + API,
         "--retries", "0", *extra]
    )  # fmt: skip


def _series(db: Path, indicator: str) -> dict[tuple[str, int, str], float]:
    con = connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT area_code, year, breakdown, value FROM observation "
            "WHERE indicator_id = ? AND starts_with(area_code, '1490') ORDER BY ALL",
            [indicator],
        ).fetchall()
    finally:
        con.close()
    return {(a, int(y), b): float(v) for a, y, b, v in rows if v is not None}


@pytest.fixture
def fetched(
    base_db: Path, tmp_path: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> Path:
    db = _copy(base_db, tmp_path / "fetched.duckdb")
    _routes(replay)
    assert _fetch(db, replay) == 0
    out = capsys.readouterr().out
    assert "TAB6572" in out and "fetched 2020–2023" in out, out
    assert "not in the table 2018–2019" in out, out
    return db


def test_fetch_equals_the_csv_import_of_the_same_numbers(
    fetched: Path, base_db: Path, tmp_path: Path, shared_data: Path
) -> None:
    csv_db = _copy(base_db, tmp_path / "csv.duckdb")
    con = connect(str(csv_db))
    try:
        for name in (
            "regso2020_folkmangd_fodelseregion_2020_2023.csv",
            "regso2020_lagenheter_upplatelseform_2020_2023.csv",
        ):
            import_file(con, shared_data / "scb_regso_2020_2023" / name)
    finally:
        con.close()
    for indicator in ("scb.TAB6572", "scb.TAB6258"):
        got, want = _series(fetched, indicator), _series(csv_db, indicator)
        assert got, indicator
        assert got == want, indicator


def test_boras_published_population_and_official_types(fetched: Path) -> None:
    pop = _series(fetched, "scb.TAB6572")
    # Borås Stad / SCB: population 31 December 2020–2023 (shared/data/README.md)
    totals = {
        y: sum(v for (a, yy, b), v in pop.items() if yy == y and b == "") for y in range(2020, 2024)
    }
    assert totals == {2020: 113714, 2021: 114091, 2022: 114445, 2023: 114592}
    sweden_born = {
        y: sum(v for (a, yy, b), v in pop.items() if yy == y and b == "fodelseregion=Sverige")
        for y in range(2020, 2024)
    }
    foreign = {y: totals[y] - sweden_born[y] for y in totals}
    assert foreign == {2020: 26895, 2021: 27488, 2022: 28117, 2023: 28150}
    types = _series(fetched, "scb.omradestyp")
    # SCB 000005QX: Bergdalen-Norrmalm väst (1490R001) has områdestyp 4 in 2022 and 2023
    assert types[("1490R001", 2022, "")] == 4 and types[("1490R001", 2023, "")] == 4
    assert {y for (_, y, _) in types} == {2022, 2023}


def test_second_run_fetches_nothing(
    fetched: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len([r for r in replay.requests if r.path.endswith("/data")])
    assert _fetch(fetched, replay) == 0
    after = len([r for r in replay.requests if r.path.endswith("/data")])
    assert after == before
    assert "already in the database 2020–2023" in capsys.readouterr().out


def test_interrupted_run_keeps_completed_years_and_resumes(
    base_db: Path, tmp_path: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _copy(base_db, tmp_path / "partial.duckdb")
    _routes(replay)
    # TAB6258 fails at SCB: the run stops with an error, TAB6572's years stay stored
    replay.add(
        "POST", f"{API}/tables/TAB6258/data", Reply.problem(500, "Internal Server Error", "x")
    )
    assert _fetch(db, replay) != 0
    assert {y for (_, y, _) in _series(db, "scb.TAB6572")} == {2020, 2021, 2022, 2023}
    assert _series(db, "scb.TAB6258") == {}
    capsys.readouterr()
    _routes(replay)  # SCB answers again
    assert _fetch(db, replay) == 0
    out = capsys.readouterr().out
    assert "TAB6572 (population by region of birth per RegSO): fetched –" in out, out
    assert {y for (_, y, _) in _series(db, "scb.TAB6258")} == {2020, 2021, 2022, 2023}


def test_a_table_with_another_shape_is_refused(tmp_path: Path, replay: ReplayServer) -> None:
    from grannskap.ingest.fetch.recipe import STANDARD, selection_for
    from grannskap.ingest.fetch.scb import ScbClient

    meta_doc = json.loads((FIXTURES / "scb" / "TAB6572_metadata.json").read_text("utf-8"))
    cc = meta_doc["dimension"]["ContentsCode"]["category"]
    cc["index"]["000007Y7"], cc["label"]["000007Y7"] = 1, "Andel"
    meta_doc["size"][meta_doc["id"].index("ContentsCode")] = 2
    replay.add("GET", f"{API}/config", Reply.file("scb/config.json"))
    replay.add("GET", f"{API}/tables/TAB6572/metadata", Reply.json(meta_doc))
    meta = ScbClient(replay.url + API).metadata("TAB6572")
    with pytest.raises(FetchError, match="TAB6572: 2 ContentsCodes"):
        selection_for(STANDARD[0], meta, "1490R*", [2020])


def test_polygons_step_stores_regso_geometry(
    base_db: Path, tmp_path: Path, replay: ReplayServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The recipe's last step: RegSO 2020 polygons from the WFS into the area table.
    (SYNTHETIC square polygons on the real codes: no real RegSO 2020 boundaries offline.)"""
    db = _copy(base_db, tmp_path / "geo.duckdb")
    _routes(replay)
    con = connect(str(db), read_only=True)
    codes = [r[0] for r in con.execute(
        "SELECT code FROM area WHERE system = 'regso2020' AND kommun_code = '1490' ORDER BY code"
    ).fetchall()]  # fmt: skip
    con.close()
    feats = []
    for k, code in enumerate(codes):
        x0, y0 = 360000 + (k % 10) * 1000, 6400000 + (k // 10) * 1000
        ring = [[x0, y0], [x0 + 900, y0], [x0 + 900, y0 + 900], [x0, y0 + 900], [x0, y0]]
        feats.append({
            "type": "Feature", "id": f"RegSO_2020.{k}", "geometry_name": "geom",
            "geometry": {"type": "MultiPolygon", "coordinates": [[ring]]},
            "properties": {"regsokod": code, "regso": f"namn {k}", "kommun": "1490"},
        })  # fmt: skip
    page = {
        "type": "FeatureCollection", "features": feats, "totalFeatures": len(feats),
        "numberReturned": len(feats),
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3006"}},
    }  # fmt: skip
    replay.add("GET", "/geoserver/stat/wfs", Reply.json(page))
    code = main(
        ["fetch", "standard", "--kommun", "1490", "--from", "2020", "--to", "2023",
         "--db", str(db), "--base-url", replay.url + API, "--retries", "0",
         "--geodata-url", replay.url + "/geoserver/stat/wfs"]
    )  # fmt: skip
    assert code == 0
    assert "RegSO_2020 polygons: 47" in capsys.readouterr().out
    con = connect(str(db), read_only=True)
    n = con.execute(
        "SELECT count(*) FROM area WHERE system = 'regso2020' AND kommun_code = '1490' "
        "AND geometry_wkb IS NOT NULL"
    ).fetchone()
    con.close()
    assert n is not None and n[0] == 47


def test_report_shows_every_year_fetched(fetched: Path) -> None:
    """fetch -> database -> report: the history section shows the years the server sent."""
    from grannskap.report.build import build_context
    from grannskap.report.render import render_report
    from grannskap.report.sections import build_sections

    con = connect(str(fetched), read_only=True)
    try:
        ctx = build_context(con, "1490", "sv")
        sections = build_sections(ctx, ("history",))
        render_report(ctx, sections)
    finally:
        con.close()
    (history,) = sections
    assert history.available, history.reason
    assert history.data["years"] == [2020, 2021, 2022, 2023]
    assert "2020" in history.html and "2023" in history.html


def test_metadata_read_once_per_table(fetched: Path, replay: ReplayServer) -> None:
    """SCB allows 30 calls per 10 s: each table's metadata is asked for once, not per year."""
    meta = [r for r in replay.requests if r.path.endswith("/metadata")]
    data = [r for r in replay.requests if r.path.endswith("/data")]
    assert len(meta) == len(TABLES)
    assert len(data) == 4 + 4 + 2  # TAB6572 and TAB6258: 2020–2023; TAB6586: 2022–2023
