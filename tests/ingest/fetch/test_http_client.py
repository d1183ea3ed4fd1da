"""The shared HTTP client against the local replay server: rate limit, retries, failures.

The 429/503 answers follow PxWebApi's OpenAPI ``ErrorResponse429`` (RFC 7807 problem JSON).
"""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grannskap.errors import FetchError
from grannskap.ingest.fetch.http import HttpClient, RateLimiter, build_url
from replay_server import ReplayServer, Reply


def fast_client(**kw: object) -> tuple[HttpClient, list[float]]:
    slept: list[float] = []
    client = HttpClient(timeout=5.0, sleep=slept.append, rng=random.Random(1), **kw)  # type: ignore[arg-type]
    return client, slept


def test_429_retry_after_is_honoured(replay: ReplayServer) -> None:
    replay.add(
        "GET",
        "/x",
        [
            Reply.problem(
                429, "Too many requests", "30 calls per 10 seconds", **{"Retry-After": "7"}
            ),
            Reply.json({"ok": True}),
        ],
    )
    client, slept = fast_client()
    resp = client.get(replay.url + "/x")
    assert resp.json() == {"ok": True}
    assert slept == [7.0]  # Retry-After, not the jittered back-off
    assert len(replay.requests) == 2


def test_503_backoff_grows_with_jitter(replay: ReplayServer) -> None:
    replay.add(
        "GET", "/y", [Reply.problem(503, "Service Unavailable", "busy")] * 3 + [Reply.json([1])]
    )
    client, slept = fast_client(backoff_base=0.5, backoff_max=10.0)
    assert client.get(replay.url + "/y").json() == [1]
    assert len(slept) == 3
    for k, s in enumerate(slept):
        assert 0.0 <= s <= 0.5 * 2**k  # full jitter within the exponential cap


def test_retries_exhausted_is_fetch_error(replay: ReplayServer) -> None:
    replay.add("GET", "/z", Reply.problem(503, "Service Unavailable", "down for maintenance"))
    client, slept = fast_client(max_retries=2)
    with pytest.raises(FetchError, match="after 3 attempts.*503.*down for maintenance"):
        client.get(replay.url + "/z")
    assert len(replay.requests) == 3 and len(slept) == 2


def test_400_is_not_retried_and_quotes_detail(replay: ReplayServer) -> None:
    replay.add(
        "POST",
        "/d",
        Reply.problem(400, "Bad Request", "Value, xxx is not a valid value code for variable yyy"),
    )
    client, _ = fast_client()
    with pytest.raises(FetchError, match="HTTP 400.*not a valid value code") as err:
        client.post_json(replay.url + "/d", {"selection": []})
    assert err.value.status == 400 and len(replay.requests) == 1


def test_dropped_connection_mid_body_then_success(replay: ReplayServer) -> None:
    body = b'{"values": [1, 2, 3]}'
    replay.add(
        "GET",
        "/drop",
        [Reply(200, body, {"Content-Type": "application/json"}, drop_after=5), Reply(200, body)],
    )
    client, slept = fast_client()
    assert client.get(replay.url + "/drop").body == body
    assert len(slept) == 1


def test_dropped_connection_always_fails_cleanly(replay: ReplayServer) -> None:
    replay.add("GET", "/drop", Reply(200, b'{"values": [1, 2, 3]}', drop_after=4))
    client, _ = fast_client(max_retries=1)
    with pytest.raises(FetchError, match="connection dropped|network error|protocol error"):
        client.get(replay.url + "/drop")


def test_connection_refused_fails_fast() -> None:
    server = ReplayServer().start()
    url = server.url
    server.stop()
    client, slept = fast_client()
    with pytest.raises(FetchError, match="cannot connect|network error"):
        client.get(url + "/gone")


def test_cache_resumes_without_network(replay: ReplayServer, tmp_path) -> None:  # type: ignore[no-untyped-def]
    replay.add("GET", "/c", Reply.json({"n": 1}))
    client, _ = fast_client(cache_dir=tmp_path)
    assert client.get(replay.url + "/c").json() == {"n": 1}
    replay.add("GET", "/c", Reply.problem(503, "down", "down"))
    client2, _ = fast_client(cache_dir=tmp_path, max_retries=0)
    assert client2.get(replay.url + "/c").json() == {"n": 1}  # served from cache
    assert len(replay.requests) == 1


def test_rate_limit_respected_at_the_server(replay: ReplayServer) -> None:
    """At most 3 requests in any 0.3 s window (a scaled-down SCB 30 per 10 s), measured by the server."""
    replay.add("GET", "/r", Reply.json({}))
    client = HttpClient(limiter=RateLimiter(3, 0.3), timeout=5.0)
    for _ in range(9):
        client.get(replay.url + "/r")
    t = [r.time for r in replay.requests]
    assert len(t) == 9
    for i in range(len(t) - 3):
        assert t[i + 3] - t[i] >= 0.3 * 0.95, f"4 requests within {t[i + 3] - t[i]:.3f} s"
    assert t[-1] - t[0] < 3.0


def test_token_bucket_with_fake_clock() -> None:
    now = [0.0]

    def sleep(s: float) -> None:
        now[0] += s

    limiter = RateLimiter(30, 10.0, clock=lambda: now[0], sleep=sleep)
    stamps = []
    for _ in range(90):
        limiter.acquire()
        stamps.append(now[0])
    # SCB: 30 calls per 10 s, in ANY window of 10 s.
    assert stamps[29] == 0.0 and stamps[30] == pytest.approx(10.0)
    for i in range(len(stamps) - 30):
        assert stamps[i + 30] - stamps[i] >= 10.0 - 1e-9


def test_build_url_keeps_selection_syntax() -> None:
    url = build_url(
        "http://h/api/v2/",
        "tables/TAB1/data",
        [("valuecodes[Region]", "1490*,0114"), ("lang", "sv")],
    )
    assert url == "http://h/api/v2/tables/TAB1/data?valuecodes%5BRegion%5D=1490*,0114&lang=sv"


def test_time_is_short() -> None:
    start = time.monotonic()
    RateLimiter(1, 0.01).acquire()
    assert time.monotonic() - start < 1.0


def test_replay_index_file(replay: ReplayServer) -> None:
    """Routes can be loaded from a recorded index (``fixtures/http/scb/index.json``)."""
    replay.load("scb/index.json")
    client, _ = fast_client()
    cfg = client.get(replay.url + "/api/v2/config").json()
    assert cfg["maxDataCells"] == 10000 and cfg["maxCallsPerTimeWindow"] == 30
    # an unmatched request answers 404 naming the missing recording
    with pytest.raises(FetchError, match="HTTP 404.*no recording"):
        client.get(replay.url + "/api/v2/tables/NOPE/metadata")


ANSWERS = st.sampled_from(["ok", "429", "503", "drop", "400"])


@settings(max_examples=25, deadline=None)
@given(st.lists(ANSWERS, min_size=1, max_size=5), st.integers(0, 3))
def test_any_answer_sequence_gives_whole_body_or_fetch_error(
    answers: list[str], retries: int
) -> None:
    """Whatever the server does, the client returns the complete body or raises FetchError."""
    body = b'{"value": [1, 2, 3], "status": {"1": ".."}}'
    make = {
        "ok": lambda: Reply(200, body, {"Content-Type": "application/json"}),
        "429": lambda: Reply.problem(429, "Too many requests", "slow down", **{"Retry-After": "2"}),
        "503": lambda: Reply.problem(503, "Service Unavailable", "busy"),
        "drop": lambda: Reply(200, body, drop_after=7),
        "400": lambda: Reply.problem(400, "Bad Request", "bad selection"),
    }
    with ReplayServer() as server:
        server.add("GET", "/p", [make[a]() for a in answers])
        client, slept = fast_client(max_retries=retries)
        expected_ok, expected_n = False, retries + 1
        for k in range(retries + 1):  # what a correct client must do (the last answer repeats)
            a = answers[min(k, len(answers) - 1)]
            if a in ("ok", "400"):
                expected_ok, expected_n = a == "ok", k + 1
                break
        try:
            resp = client.get(server.url + "/p")
        except FetchError:
            ok = False
        else:
            ok = True
            assert resp.body == body  # never a partial body
        assert ok == expected_ok
        assert len(server.requests) == expected_n
        assert len(slept) == expected_n - 1
        for k, pause in enumerate(slept):
            if answers[min(k, len(answers) - 1)] == "429":
                assert pause == 2.0  # Retry-After honoured


def test_only_http_urls() -> None:
    client, _ = fast_client()
    with pytest.raises(FetchError, match="only http"):
        client.get("file:///etc/passwd")
