"""SCB PxWebApi v2 fetcher against the replay server.

Recorded shapes: ``fixtures/http/scb/config.json`` (PxWebApi's reference ``/config`` answer,
maxDataCells 10,000, 30 calls / 10 s), ``TAB6571_metadata.json`` and
``TAB6571_data_boras_2022.json`` (JSON-stat 2; numbers from SCB export 000005FE, see
``fixtures/http/README.md``). For the splitting test the server answers each POSTed selection
with the matching slice of the recorded cube, so the merged chunks can be compared with the
single recorded response.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannskap.errors import ConfigError, FetchError
from grannskap.ingest.fetch.http import HttpClient, RateLimiter
from grannskap.ingest.fetch.scb import Expression, ScbClient, expand_values, split_selection
from grannskap.ingest.jsonstat import parse_jsonstat2
from replay_server import FIXTURES, RecordedRequest, ReplayServer, Reply, jsonstat_slicer

API = "/api/v2"
DATA = FIXTURES / "scb" / "TAB6571_data_boras_2022.json"
FULL = json.loads(DATA.read_text(encoding="utf-8"))


def slicer(req: RecordedRequest) -> Reply:
    return jsonstat_slicer(FULL)(req)


def client(replay: ReplayServer, **kw: object) -> ScbClient:
    http = HttpClient(
        limiter=RateLimiter(1000, 1.0), timeout=5.0, sleep=lambda s: None, rng=random.Random(0)
    )
    return ScbClient(replay.url + API, http=http, **kw)  # type: ignore[arg-type]


def setup_routes(replay: ReplayServer, config: dict | None = None) -> None:
    if config is None:
        replay.add("GET", f"{API}/config", Reply.file("scb/config.json"))
    else:
        replay.add("GET", f"{API}/config", Reply.json(config))
    replay.add(
        "GET",
        f"{API}/tables/TAB6571/metadata",
        Reply.file("scb/TAB6571_metadata.json"),
        query={"lang": "sv"},
    )


def data_requests(replay: ReplayServer) -> list[RecordedRequest]:
    return [r for r in replay.requests if r.path.endswith("/data")]


def test_single_request_equals_recorded_response(replay: ReplayServer) -> None:
    setup_routes(replay)
    selection = {
        "Region": ["1490*"],
        "UtlBakgrund": ["*"],
        "Kon": ["1+2"],
        "ContentsCode": ["000007Y4"],
        "Tid": ["2022"],
    }
    expected_body = {
        "selection": [
            {
                "variableCode": "Region",
                "valueCodes": list(FULL["dimension"]["Region"]["category"]["index"]),
            },
            {"variableCode": "UtlBakgrund", "valueCodes": ["1", "2", "SA"]},
            {"variableCode": "Kon", "valueCodes": ["1+2"]},
            {"variableCode": "ContentsCode", "valueCodes": ["000007Y4"]},
            {"variableCode": "Tid", "valueCodes": ["2022"]},
        ]
    }
    body = json.dumps(expected_body, ensure_ascii=False, separators=(",", ":")).encode()
    replay.add(
        "POST",
        f"{API}/tables/TAB6571/data",
        Reply.file(DATA),
        query={"lang": "sv", "outputFormat": "json-stat2"},
        body=body,
    )
    parsed = client(replay).fetch("TAB6571", selection)
    recorded = parse_jsonstat2(DATA.read_bytes(), "recorded")
    assert parsed.observations.equals(recorded.observations)
    assert parsed.file_hash == recorded.file_hash  # one chunk: same bytes, same hash
    assert len(data_requests(replay)) == 1 and data_requests(replay)[0].method == "POST"


def test_split_under_cell_limit_and_merge(replay: ReplayServer) -> None:
    config = json.loads((FIXTURES / "scb" / "config.json").read_text())
    config["maxDataCells"] = 50  # 77 DeSO x 3 = 231 cells -> must split
    setup_routes(replay, config)
    replay.add("POST", f"{API}/tables/TAB6571/data", slicer)
    parsed = client(replay).fetch("TAB6571", {"Region": ["*"], "UtlBakgrund": ["*"]})
    reqs = data_requests(replay)
    for r in reqs:
        cells = math.prod(len(s["valueCodes"]) for s in r.json()["selection"])
        assert cells <= 50
    assert len(reqs) == math.ceil(231 / 48)  # 16 DeSO (48 cells) per chunk
    recorded = parse_jsonstat2(DATA.read_bytes(), "recorded").observations
    key = ["area_code", "breakdown"]
    got = parsed.observations.sort_values(key).reset_index(drop=True)
    exp = recorded.sort_values(key).reset_index(drop=True)
    assert got.equals(exp)
    assert any("fetched in" in n for n in parsed.notes)


def test_interrupted_chunk_fails_whole_fetch(replay: ReplayServer) -> None:
    config = json.loads((FIXTURES / "scb" / "config.json").read_text())
    config["maxDataCells"] = 100
    setup_routes(replay, config)
    calls = {"n": 0}

    def flaky(req: RecordedRequest) -> Reply:
        calls["n"] += 1
        if calls["n"] >= 2:  # the second chunk never arrives whole
            return Reply(200, json.dumps(slicer(req).body.decode()).encode(), drop_after=10)
        return slicer(req)

    replay.add("POST", f"{API}/tables/TAB6571/data", flaky)
    c = client(replay)
    c.http.max_retries = 2
    result = None
    with pytest.raises(FetchError, match="failed after 3 attempts"):
        result = c.fetch("TAB6571", {"Region": ["*"], "UtlBakgrund": ["*"]})
    assert result is None


def test_429_then_success(replay: ReplayServer) -> None:
    setup_routes(replay)
    replay.add(
        "POST",
        f"{API}/tables/TAB6571/data",
        [
            Reply.problem(
                429,
                "Too many requests",
                "You have reach the threshold for request limiting.",
                **{"Retry-After": "1"},
            ),
            Reply.file(DATA),
        ],
    )
    slept: list[float] = []
    c = client(replay)
    c.http.sleep = slept.append
    parsed = c.fetch("TAB6571", {"Region": ["*"], "UtlBakgrund": ["*"]})
    assert len(parsed.observations) == 231 and slept == [1.0]


def test_bad_answer_is_fetch_error(replay: ReplayServer) -> None:
    setup_routes(replay)
    broken = copy.deepcopy(FULL)
    broken["value"] = broken["value"][:-1]
    replay.add("POST", f"{API}/tables/TAB6571/data", Reply.json(broken))
    with pytest.raises(FetchError, match="not a valid JSON-stat 2"):
        client(replay).fetch("TAB6571", {"Region": ["*"], "UtlBakgrund": ["*"]})


def test_unknown_variable_and_code(replay: ReplayServer) -> None:
    setup_routes(replay)
    with pytest.raises(ConfigError, match="no variable 'Alder'"):
        client(replay).fetch("TAB6571", {"Alder": ["tot"]})
    with pytest.raises(ConfigError, match="'9999X' is not a value code"):
        client(replay).fetch("TAB6571", {"Region": ["9999X"]})


def test_codelist_goes_to_metadata_and_body(replay: ReplayServer) -> None:
    replay.add("GET", f"{API}/config", Reply.file("scb/config.json"))
    replay.add(
        "GET",
        f"{API}/tables/TAB6571/metadata",
        Reply.file("scb/TAB6571_metadata.json"),
        query={"lang": "sv", "codelist[Region]": "vs_DeSO2018"},
    )
    replay.add("POST", f"{API}/tables/TAB6571/data", slicer)
    client(replay).fetch("TAB6571", {"Region": ["1490A*"]}, {"Region": "vs_DeSO2018"})
    sel = data_requests(replay)[0].json()["selection"]
    region = next(s for s in sel if s["variableCode"] == "Region")
    assert region["codelist"] == "vs_DeSO2018" and len(region["valueCodes"]) == 10
    assert "UtlBakgrund" not in {s["variableCode"] for s in sel}  # eliminable: left to SCB


# ------------------------------------------------------------------ pure helpers
CODES = ["2018", "2019", "2020", "2021", "2022"]


def test_expand_values() -> None:
    assert expand_values(["*"], CODES, "Tid") == CODES
    assert expand_values(["from(2020)"], CODES, "Tid") == ["2020", "2021", "2022"]
    assert expand_values(["to(2019)"], CODES, "Tid") == ["2018", "2019"]
    assert expand_values(["range(2021,2019)"], CODES, "Tid") == ["2019", "2020", "2021"]
    assert expand_values(["202?", "2018"], CODES, "Tid") == ["2020", "2021", "2022", "2018"]
    assert expand_values(["top(2)"], CODES, "Tid") == Expression(2, ("top(2)",))
    with pytest.raises(ConfigError):
        expand_values(["1999"], CODES, "Tid")
    with pytest.raises(ConfigError):
        expand_values(["top(1)", "2018"], CODES, "Tid")


@given(
    st.lists(st.integers(1, 12), min_size=1, max_size=4),
    st.integers(1, 500),
)
def test_split_selection_covers_each_cell_once(sizes: list[int], max_cells: int) -> None:
    sel = {f"v{k}": [f"c{i}" for i in range(n)] for k, n in enumerate(sizes)}
    try:
        chunks = split_selection(sel, max_cells)
    except ConfigError:
        assert max_cells < 1  # cannot happen: one cell always fits
        raise
    cells = []
    for ch in chunks:
        assert math.prod(len(v) for v in ch.values()) <= max_cells
        cells += list(itertools.product(*ch.values()))
    assert sorted(cells) == sorted(itertools.product(*sel.values()))


def test_get_with_valuecodes_and_post_fallback_for_long_urls(replay: ReplayServer) -> None:
    setup_routes(replay)
    replay.add("GET", f"{API}/tables/TAB6571/data", slicer)
    replay.add("POST", f"{API}/tables/TAB6571/data", slicer)
    sel = {"Region": ["*"], "UtlBakgrund": ["1"]}
    short = client(replay, method="GET").fetch("TAB6571", sel)
    get = data_requests(replay)[-1]
    assert get.method == "GET" and len(get.params["valuecodes[Region]"].split(",")) == 77
    long = client(replay, method="GET", max_url_length=300).fetch("TAB6571", sel)
    assert data_requests(replay)[-1].method == "POST"  # URL too long for SCB: POST instead
    assert short.observations.equals(long.observations) and len(short.observations) == 77


def test_cache_resumes_interrupted_split_fetch(replay: ReplayServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = json.loads((FIXTURES / "scb" / "config.json").read_text())
    config["maxDataCells"] = 100  # 231 cells -> 3 chunks of 33, 33, 11 DeSO x 3
    setup_routes(replay, config)
    state = {"n": 0}

    def third_fails(req: RecordedRequest) -> Reply:
        state["n"] += 1
        return Reply.problem(503, "Service Unavailable", "down") if state["n"] >= 3 else slicer(req)

    replay.add("POST", f"{API}/tables/TAB6571/data", third_fails)
    c = client(replay)
    c.http.cache_dir = tmp_path
    c.http.max_retries = 0
    with pytest.raises(FetchError):
        c.fetch("TAB6571", {"Region": ["*"], "UtlBakgrund": ["*"]})
    assert len(data_requests(replay)) == 3
    replay.add("POST", f"{API}/tables/TAB6571/data", slicer)  # the service is back
    c2 = client(replay)
    c2.http.cache_dir = tmp_path
    parsed = c2.fetch("TAB6571", {"Region": ["*"], "UtlBakgrund": ["*"]})
    assert len(data_requests(replay)) == 4  # only the missing chunk was requested again
    assert len(parsed.observations) == 231


def test_config_limits_tighten_the_rate_limiter(replay: ReplayServer) -> None:
    """``/config`` says 30 calls per 10 s (PxWebApi reference answer): a looser limiter adapts."""
    setup_routes(replay)
    c = client(replay)
    assert c.max_cells == 10000
    assert (c.http.limiter.calls, c.http.limiter.period) == (30, 10.0)  # type: ignore[union-attr]
