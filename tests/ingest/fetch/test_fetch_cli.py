"""``grannskap fetch ...`` end to end against the replay server, stored in a DuckDB file.

Sources: the recorded-shape fixtures in ``tests/fixtures/http`` (see their README); stored
values are compared with the fixture files read independently with ``json``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grannskap.cli import main
from grannskap.cli.fetch import parse_assignments
from grannskap.errors import ConfigError
from replay_server import FIXTURES, ReplayServer, Reply, jsonstat_slicer

duckdb = pytest.importorskip("duckdb")

API = "/api/v2"
DATA = FIXTURES / "scb" / "TAB6571_data_boras_2022.json"


def scb_routes(replay: ReplayServer) -> None:
    replay.add("GET", f"{API}/config", Reply.file("scb/config.json"))
    replay.add("GET", f"{API}/tables/TAB6571/metadata", Reply.file("scb/TAB6571_metadata.json"))
    replay.add(
        "POST",
        f"{API}/tables/TAB6571/data",
        jsonstat_slicer(json.loads(DATA.read_text(encoding="utf-8"))),
    )


def rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_fetch_scb_stores_and_is_idempotent(
    replay: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scb_routes(replay)
    db = tmp_path / "g.duckdb"
    argv = [
        "fetch",
        "scb",
        "TAB6571",
        "--select",
        "Region=1490*",
        "--select",
        "UtlBakgrund=*",
        "--base-url",
        replay.url + API,
        "--db",
        str(db),
    ]
    assert main(argv) == 0
    doc = json.loads(DATA.read_text(encoding="utf-8"))
    stored = rows(
        db,
        "SELECT sum(value), count(*) FROM observation WHERE indicator_id = 'scb.TAB6571.000007Y4'",
    )
    assert stored == [(float(sum(doc["value"])), len(doc["value"]))]
    total = rows(
        db, "SELECT value FROM observation WHERE area_code = '1490A0010' AND breakdown = ''"
    )
    assert total == [(float(doc["value"][2]),)]  # Region 0, UtlBakgrund SA
    assert main(argv) == 0  # same content again: nothing changes
    assert "already imported" in capsys.readouterr().out
    assert rows(db, "SELECT count(*) FROM observation") == [(231,)]


def test_fetch_kolada_stores(replay: ReplayServer, tmp_path: Path) -> None:
    path = "/v3/data/kpi/N01951/municipality/1490,0000/year/2022"
    replay.add("GET", path, Reply.file("kolada/N01951_page1.json"), query="")
    replay.add(
        "GET", path, Reply.file("kolada/N01951_page2.json"), query={"page": "2", "per_page": "1"}
    )
    replay.add("GET", "/v3/kpi/N01951", Reply.file("kolada/N01951_kpi.json"))
    db = tmp_path / "g.duckdb"
    code = main(
        [
            "fetch",
            "kolada",
            "N01951",
            "--municipality",
            "1490,0000",
            "--years",
            "2022",
            "--base-url",
            replay.url + "/v3",
            "--db",
            str(db),
        ]
    )
    assert code == 0
    got = dict(
        rows(db, "SELECT area_code, value FROM observation WHERE indicator_id = 'kolada.N01951'")
    )
    pages = [json.loads((FIXTURES / f"kolada/N01951_page{i}.json").read_text()) for i in (1, 2)]
    # Kolada's country id "0000" is stored as SCB's riket code "00" (one code per area)
    expected = {
        {"0000": "00"}.get(e["municipality"], e["municipality"]): float(e["values"][0]["value"])
        for p in pages
        for e in p["values"]
    }
    assert got == expected


def test_fetch_geodata_writes_file_and_imports(replay: ReplayServer, tmp_path: Path) -> None:
    for i, start in enumerate((0, 30, 60), start=1):
        q = {
            "service": "WFS",
            "version": "1.1.0",
            "request": "GetFeature",
            "typeName": "stat:DeSO_2018",
            "outputFormat": "application/json",
            "srsName": "EPSG:3006",
            "maxFeatures": "30",
            "startIndex": str(start),
            "CQL_FILTER": "kommun='1490'",
        }
        replay.add("GET", "/wfs", Reply.file(f"geodata/DeSO_2018_1490_page{i}.json"), query=q)
    out = tmp_path / "deso_2018.geojson"
    db = tmp_path / "g.duckdb"
    argv = ["fetch", "geodata", "--layer", "DeSO_2018", "--kommun", "1490", "--out", str(out)]
    argv += ["--page-size", "30", "--base-url", replay.url + "/wfs", "--db", str(db)]
    assert main(argv) == 0
    feats = json.loads(out.read_text(encoding="utf-8"))["features"]
    assert len(feats) == 77
    stored = rows(
        db, "SELECT count(*) FROM area WHERE system = 'deso2018' AND geometry_wkb IS NOT NULL"
    )
    assert stored == [(77,)]


def test_failed_fetch_leaves_database_unchanged(replay: ReplayServer, tmp_path: Path) -> None:
    scb_routes(replay)
    db = tmp_path / "g.duckdb"
    base = ["--base-url", replay.url + API, "--db", str(db)]
    assert main(["fetch", "scb", "TAB6571", "--select", "UtlBakgrund=1", *base]) == 0
    before = db.read_bytes()
    replay.add("POST", f"{API}/tables/TAB6571/data", Reply(200, DATA.read_bytes(), drop_after=50))
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "grannskap",
            "fetch",
            "scb",
            "TAB6571",
            "--select",
            "UtlBakgrund=2",
            "--retries",
            "1",
            "--timeout",
            "5",
            *base,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "grannskap: error:" in proc.stderr
    assert db.read_bytes() == before


def test_bad_select_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["fetch", "scb", "TAB6571", "--select", "Region", "--base-url", "http://127.0.0.1:9"])
        != 0
    )
    err = capsys.readouterr().err
    assert err.count("grannskap: error:") == 1 and "VAR=code" in err


def test_parse_assignments() -> None:
    assert parse_assignments(["Tid=range(2018,2020),2022", "Region=1490*"], "--select") == {
        "Tid": ["range(2018,2020)", "2022"],
        "Region": ["1490*"],
    }
    with pytest.raises(ConfigError):
        parse_assignments(["Tid=2018", "Tid=2019"], "--select")
