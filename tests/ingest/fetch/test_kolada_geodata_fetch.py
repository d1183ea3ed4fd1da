"""Kolada v3 and SCB geodata WFS fetchers against the replay server.

Kolada: ``fixtures/http/kolada/N01951_page{1,2}.json`` — a two-page answer whose page 1
``next_url`` points at https://api.kolada.se/v3/... (rewritten by the replay server to itself,
so the client follows the recorded link). Geodata: ``fixtures/http/geodata/DeSO_2018_1490_page*``
— GeoServer WFS 1.1.0 ``application/json`` pages of Borås' 77 DeSO codes with SYNTHETIC
square geometries (no real boundaries offline).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from grannskap.errors import ConfigError, FetchError
from grannskap.ingest.fetch.geodata import GeodataClient
from grannskap.ingest.fetch.http import HttpClient, RateLimiter
from grannskap.ingest.fetch.kolada import KoladaClient, batches, parse_years
from replay_server import FIXTURES, ReplayServer, Reply

K = "/v3"
PAGE1 = FIXTURES / "kolada" / "N01951_page1.json"
PAGE2 = FIXTURES / "kolada" / "N01951_page2.json"


def http() -> HttpClient:
    return HttpClient(
        limiter=RateLimiter(1000, 1.0),
        timeout=5.0,
        sleep=lambda s: None,
        rng=random.Random(0),
        max_retries=2,
    )


def kolada_routes(replay: ReplayServer) -> None:
    path = f"{K}/data/kpi/N01951/municipality/1490,0000/year/2022"
    replay.add("GET", path, Reply.file(PAGE1), query="")
    replay.add("GET", path, Reply.file(PAGE2), query={"page": "2", "per_page": "1"})
    replay.add("GET", f"{K}/kpi/N01951", Reply.file("kolada/N01951_kpi.json"))


def test_kolada_paging_via_next_url(replay: ReplayServer) -> None:
    kolada_routes(replay)
    parsed = KoladaClient(replay.url + K, http=http()).fetch("N01951", ["1490", "0000"], [2022])
    pages = [r for r in replay.requests if "/data/" in r.path]
    assert len(pages) == 2 and pages[1].params == {"page": "2", "per_page": "1"}
    recorded = {
        e["municipality"]: e["values"][0]["value"]
        for p in (PAGE1, PAGE2)
        for e in json.loads(p.read_text())["values"]
    }
    assert (
        dict(zip(parsed.observations.area_code, parsed.observations.value, strict=True)) == recorded
    )
    assert (
        parsed.title == "Invånare totalt, antal"
        and parsed.indicators[0].name_sv == "Invånare totalt, antal"
    )


def test_kolada_borås_value_is_sum_of_scb_deso(shared_data: Path) -> None:
    """The recorded Borås value is SCB's population 2022 summed over the 77 DeSO (export 000005FE)."""
    openpyxl = pytest.importorskip("openpyxl")
    ws = openpyxl.load_workbook(
        next((shared_data / "scb_deso_2022").glob("000005FE_*.xlsx")), read_only=True
    ).active
    total = sum(
        r[3]
        for r in ws.iter_rows(values_only=True)
        if isinstance(r[0], str) and r[0].startswith("1490") and len(r[0]) == 9
    )
    assert json.loads(PAGE1.read_text())["values"][0]["values"][0]["value"] == total


def test_kolada_batches_municipalities_and_years(replay: ReplayServer) -> None:
    empty = {"count": 0, "values": [], "next_url": None}
    replay.add("GET", f"{K}/kpi/N01951", Reply.file("kolada/N01951_kpi.json"))
    munis = [f"{k:04d}" for k in range(1401, 1431)]  # 30 ids -> 2 batches
    for mb in (munis[:25], munis[25:]):
        for yb in ([str(y) for y in range(1998, 2023)], [str(y) for y in range(2023, 2025)]):
            replay.add(
                "GET",
                f"{K}/data/kpi/N01951/municipality/{','.join(mb)}/year/{','.join(yb)}",
                Reply.json(empty),
            )
    with pytest.raises(FetchError, match="no values"):
        KoladaClient(replay.url + K, http=http()).fetch("N01951", munis, range(1998, 2025))
    assert len([r for r in replay.requests if "/data/" in r.path]) == 4


def test_kolada_next_url_loop_detected(replay: ReplayServer) -> None:
    path = f"{K}/data/kpi/N01951/municipality/1490/year/2022"
    loop = json.loads(PAGE1.read_text())
    loop["next_url"] = f"https://api.kolada.se{path}"
    replay.add("GET", path, Reply.json(loop))
    with pytest.raises(FetchError, match="loops"):
        KoladaClient(replay.url + K, http=http()).fetch(
            "N01951", ["1490"], [2022], with_title=False
        )


def test_kolada_interrupted_second_page(replay: ReplayServer) -> None:
    kolada_routes(replay)
    replay.add(
        "GET",
        f"{K}/data/kpi/N01951/municipality/1490,0000/year/2022",
        Reply(200, PAGE2.read_bytes(), drop_after=20),
        query={"page": "2", "per_page": "1"},
    )
    result = None
    with pytest.raises(FetchError, match="attempts"):
        result = KoladaClient(replay.url + K, http=http()).fetch("N01951", ["1490", "0000"], [2022])
    assert result is None


def test_kolada_bad_arguments() -> None:
    c = KoladaClient("http://127.0.0.1:9", http=http())
    with pytest.raises(ConfigError):
        c.fetch("n00945", ["1490"], [2022])
    with pytest.raises(ConfigError):
        c.fetch("N00945", ["Borås"], [2022])
    assert parse_years("2018-2020,2023") == [2018, 2019, 2020, 2023]
    with pytest.raises(ConfigError):
        parse_years("2020-2018")
    assert batches([str(i) for i in range(51)], 25)[-1] == ["50"]


# ------------------------------------------------------------------ geodata
WFS = "/geoserver/stat/wfs"


def wfs_query(start: int, page: int = 30) -> dict[str, str]:
    return {
        "service": "WFS",
        "version": "1.1.0",
        "request": "GetFeature",
        "typeName": "stat:DeSO_2018",
        "outputFormat": "application/json",
        "srsName": "EPSG:3006",
        "maxFeatures": str(page),
        "startIndex": str(start),
        "CQL_FILTER": "kommun='1490'",
    }


def geo_routes(replay: ReplayServer) -> None:
    for i, start in enumerate((0, 30, 60), start=1):
        replay.add(
            "GET", WFS, Reply.file(f"geodata/DeSO_2018_1490_page{i}.json"), query=wfs_query(start)
        )


def test_geodata_paging_writes_feature_collection(replay: ReplayServer, tmp_path: Path) -> None:
    geo_routes(replay)
    out = tmp_path / "deso.geojson"
    res = GeodataClient(replay.url + WFS, http=http(), page_size=30).fetch_to_file(
        "DeSO_2018", out, kommun="1490"
    )
    assert res.n_features == 77 and res.n_requests == 3
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["type"] == "FeatureCollection" and "3006" in doc["crs"]["properties"]["name"]
    codes = [f["properties"]["deso"] for f in doc["features"]]
    assert len(set(codes)) == 77 and all(c.startswith("1490") for c in codes)
    assert [r.params["startIndex"] for r in replay.requests] == ["0", "30", "60"]


def test_geodata_wrong_crs_rejected(replay: ReplayServer, tmp_path: Path) -> None:
    page = json.loads((FIXTURES / "geodata" / "DeSO_2018_1490_page3.json").read_text())
    page["crs"]["properties"]["name"] = "urn:ogc:def:crs:EPSG::4326"
    replay.add("GET", WFS, Reply.json(page))
    out = tmp_path / "x.geojson"
    with pytest.raises(FetchError, match="EPSG:3006"):
        GeodataClient(replay.url + WFS, http=http(), page_size=30).fetch_to_file("DeSO_2018", out)
    assert not out.exists()


def test_geodata_interrupted_leaves_no_file(replay: ReplayServer, tmp_path: Path) -> None:
    geo_routes(replay)
    replay.add(
        "GET",
        WFS,
        Reply(200, (FIXTURES / "geodata/DeSO_2018_1490_page2.json").read_bytes(), drop_after=100),
        query=wfs_query(30),
    )
    out = tmp_path / "deso.geojson"
    with pytest.raises(FetchError):
        GeodataClient(replay.url + WFS, http=http(), page_size=30).fetch_to_file(
            "DeSO_2018", out, kommun="1490"
        )
    assert not out.exists() and not list(tmp_path.iterdir())


def test_geodata_bad_arguments() -> None:
    c = GeodataClient("http://127.0.0.1:9", http=http())
    with pytest.raises(ConfigError, match="DeSO_2018"):
        c.features("DeSO_2019")
    with pytest.raises(ConfigError, match="kommun"):
        c.features("DeSO_2018", kommun="Borås")
