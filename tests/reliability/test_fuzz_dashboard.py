"""Fuzzing every request parameter of the dashboard (``grannskap serve``).

Inputs: path segments and query strings built from the dashboard's real routes, area codes and
parameter names of the demo database (SCB DeSO/RegSO for Borås), mixed with SQL-injection
payloads, path traversal (plain, URL-encoded, double-encoded, backslash, NUL), over-long
values, random Unicode, invalid UTF-8 (raw bytes and percent-encoded) and malformed query
strings. Property: every answer is 200/204/400/404 (never 500), no traceback or Python file
path in the body, the payload is never reflected unescaped into HTML, and no request hangs
(the socket tests have a timeout). Each test prints a tally of the inputs tried and outcomes.

Default run: Hypothesis at the "ci" profile plus a fixed list over real sockets; the volume run
(``-m slow``) sends 20,000 random requests in process and 2,000 over a socket.
"""

from __future__ import annotations

import collections
import random
import socket
import string
import time
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

SQLI = [
    "' OR '1'='1",
    "1490' OR 1=1--",
    "1490'; DROP TABLE area; --",
    '1490"; DELETE FROM observation; --',
    "x' UNION SELECT name, sql FROM sqlite_master--",
    "1 UNION SELECT * FROM duckdb_tables()--",
    "'; ATTACH '/tmp/x.db' AS x; --",
    "'; COPY area TO '/tmp/leak.csv'; --",
    "1490R025' AND (SELECT count(*) FROM observation) > 0 --",
    "%27%20OR%201%3D1--",
    "regso2020' --",
    "?",
    "$1",
]
TRAVERSAL = [
    "../../etc/passwd",
    "..%2F..%2Fetc%2Fpasswd",
    "..%252F..%252Fetc%252Fpasswd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..\\..\\windows\\win.ini",
    "....//....//etc/passwd",
    "/etc/passwd",
    "%2Fetc%2Fpasswd",
    "regso-indicators.csv%00.txt",
    "regso-indicators.csv\x00",
    "..%c0%af..%c0%afetc%c0%afpasswd",
    "app.css/../../../pyproject.toml",
    "../web/app.py",
    "../../../../../../proc/self/environ",
]
ODD = [
    "",
    " ",
    "%",
    "%zz",
    "%ff%fe",
    "%c3%28",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
    "${jndi:ldap://x}",
    "x" * 5000,
    "1" * 300,
    "1490" * 100,
    "ä" * 1000,
    "\u202e\u0000\u0007",
    "NaN",
    "-1",
    "1e309",
    "0x1490",
]
ROUTES = ["", "areas", "area", "indicators", "goals", "section", "download", "static", "healthz"]
WORDS = [
    "regso", "deso", "stadsdel", "police", "1490R025", "1490C1390", "1490C1440", "norrby",
    "P13", "P14", "summary", "funding", "regso-indicators.csv", "deso-indicators.xlsx",
    "app.css", "report.css", "favicon.ico",
]  # fmt: skip
PARAMS = ["kommun", "lang", "level", "indicator", "year", "malomrade", "x", "KOMMUN", ""]
VALUES = ["1490", "sv", "en", "regso", "deso", "arbetslosa", "2022", "M3", "all"]
PAYLOADS = SQLI + TRAVERSAL + ODD
OK_STATUSES = {200, 204, 400, 404}


SLOWEST = [0.0]
HANG_S = 20.0  # far above any page's render time (< 1 s) even on the loaded shared machine


def handle(app: Any, path: str, query: str) -> Any:
    """``app.handle`` timed: a request taking longer than ``HANG_S`` counts as a hang."""
    t0 = time.perf_counter()
    resp = app.handle(path, query)
    took = time.perf_counter() - t0
    SLOWEST[0] = max(SLOWEST[0], took)
    assert took < HANG_S, f"{path!r}?{query!r} took {took:.1f} s"
    return resp


def check(resp: Any, where: str, tally: collections.Counter[str]) -> None:
    tally[str(resp.status)] += 1
    body = resp.body
    assert resp.status in OK_STATUSES, f"{where}: status {resp.status}"
    assert b"Traceback" not in body and b'File "/' not in body, f"{where}: traceback in body"
    if resp.content_type.startswith("text/html"):
        for bad in (b"<script>alert", b"<img src=x"):  # tags must arrive escaped
            assert bad not in body, f"{where}: payload reflected unescaped"


segment = st.one_of(
    st.sampled_from(ROUTES + WORDS),
    st.sampled_from(PAYLOADS),
    st.text(max_size=40),
    st.sampled_from(PAYLOADS).map(lambda p: quote(p, safe="")),
)
pair = st.tuples(
    st.one_of(st.sampled_from(PARAMS), st.text(max_size=10)),
    st.one_of(st.sampled_from(VALUES), st.sampled_from(PAYLOADS), st.text(max_size=60)),
    st.booleans(),  # URL-encode the pair or send it raw
)


def build(segs: list[str], pairs: list[tuple[str, str, bool]]) -> tuple[str, str]:
    path = "/" + "/".join(segs)
    query = "&".join(
        (quote(k, safe="") + "=" + quote(v, safe="")) if enc else f"{k}={v}" for k, v, enc in pairs
    )
    return path, query


TALLY: collections.Counter[str] = collections.Counter()


@settings(deadline=None)
@given(
    segs=st.lists(segment, min_size=0, max_size=4),
    pairs=st.lists(pair, max_size=5),
)
def test_any_path_and_query_gives_a_clean_answer(rel_app, segs, pairs) -> None:  # type: ignore[no-untyped-def]
    path, query = build(segs, pairs)
    check(handle(rel_app, path, query), f"{path!r}?{query!r}", TALLY)


@settings(deadline=None)
@given(
    route=st.sampled_from(
        [
            ("/", ""),
            ("/areas", "level"),
            ("/indicators", "indicator"),
            ("/indicators", "level"),
            ("/indicators", "year"),
            ("/goals", "malomrade"),
            ("/", "kommun"),
            ("/", "lang"),
        ]
    ),
    payload=st.sampled_from(SQLI + ODD + TRAVERSAL),
    encode=st.booleans(),
)
def test_injection_in_every_parameter(rel_app, route, payload, encode) -> None:  # type: ignore[no-untyped-def]
    path, key = route
    value = quote(payload, safe="") if encode else payload
    resp = handle(rel_app, path, f"{key}={value}" if key else "")
    check(resp, f"{path}?{key}={value!r}", TALLY)
    if key and resp.status == 200:  # only a known value may be accepted
        assert payload in VALUES, f"{path}?{key}={payload!r} was accepted"


@pytest.mark.parametrize("payload", SQLI + TRAVERSAL + ODD)
@pytest.mark.parametrize("where", ["area-regso", "area-level", "section", "download", "static"])
def test_payload_in_every_path_segment(rel_app, payload: str, where: str) -> None:  # type: ignore[no-untyped-def]
    seg = payload
    path = {
        "area-regso": f"/area/regso/{seg}",
        "area-level": f"/area/{seg}/1490R025",
        "section": f"/section/{seg}",
        "download": f"/download/{seg}",
        "static": f"/static/{seg}",
    }[where]
    resp = handle(rel_app, path, "")
    check(resp, path, TALLY)
    assert resp.status in (400, 404), f"{path!r} -> {resp.status}"
    assert b"root:x:0" not in resp.body and b"[project]" not in resp.body


def test_every_real_area_page_renders(rel_app) -> None:  # type: ignore[no-untyped-def]
    """Every area of the demo kommun (all four levels) answers 200: the pages a user reaches by
    clicking (found a 500 on /area/deso/1490C1440, a DeSO with a suppressed share)."""
    d = rel_app.cache.get("1490", "sv")
    codes = [lv_code for lv_code in d.names]
    bad = [
        (lv, c, r.status)
        for lv, c in codes
        if (r := rel_app.handle(f"/area/{lv}/{c}", "")).status != 200
    ]
    print(f"area pages: {len(codes)} tried, {len(bad)} not 200")
    assert len(codes) > 100 and not bad, bad[:10]


# ---- over a real socket: bytes the in-process handler never sees ------------------------------
RAW = [
    b"GET /area/regso/\xff\xfe HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /?kommun=\xc3\x28 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /?kommun=%ff%fe%fd HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /download/..%2F..%2Fetc%2Fpasswd HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /download/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /static/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /static/%2e%2e/%2e%2e/pyproject.toml HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET //etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET http://evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /?" + b"kommun=1490&" * 400 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"X-Long: " + b"h" * 70000 + b"\r\n\r\n",
    b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(200)) + b"\r\n",
    b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET / HTTP/9.9\r\n\r\n",
    b"GET /\r\n\r\n",
    b"BREW / HTTP/1.1\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)),  # a TLS ClientHello
    b"\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
]


def raw_request(addr: tuple[str, int], data: bytes, timeout: float = 15.0) -> bytes:
    with socket.create_connection(addr, timeout=timeout) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                b = s.recv(65536)
            except ConnectionResetError:
                break
            if not b:
                break
            chunks.append(b)
    return b"".join(chunks)


def _status(resp: bytes) -> int | None:
    try:
        return int(resp.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None


def test_raw_requests_over_a_socket(rel_server) -> None:  # type: ignore[no-untyped-def]
    tally: collections.Counter[str] = collections.Counter()
    for data in RAW:
        t0 = time.perf_counter()
        resp = raw_request(rel_server, data)
        took = time.perf_counter() - t0
        code = _status(resp)
        tally[str(code)] += 1
        assert took < 15, f"{data[:60]!r} took {took:.1f} s"
        assert code is None or code < 500 or code in (501, 505), f"{data[:60]!r} -> {code}"
        assert b"Traceback" not in resp and b"root:x:0" not in resp, data[:60]
        assert b"[project]" not in resp
    # the server still answers normally afterwards
    assert _status(raw_request(rel_server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")) == 200
    print(f"raw socket requests: {len(RAW)} tried, outcomes {dict(tally)}")


def test_a_stalled_client_does_not_block_others(rel_server) -> None:  # type: ignore[no-untyped-def]
    """Slowloris-style: five connections send half a request and stall; others are served."""
    stalled = [socket.create_connection(rel_server, timeout=5) for _ in range(5)]
    try:
        for s in stalled:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        t0 = time.perf_counter()
        resp = raw_request(rel_server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _status(resp) == 200 and time.perf_counter() - t0 < 10
    finally:
        for s in stalled:
            s.close()


def test_client_leaving_mid_request_leaves_no_traceback(rel_server, capfd) -> None:  # type: ignore[no-untyped-def]
    """Half a request, then close: the server must not print a BrokenPipe traceback (it did)."""
    for _ in range(3):
        c = socket.create_connection(rel_server, timeout=5)
        c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        c.close()
    time.sleep(1.0)
    assert _status(raw_request(rel_server, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")) == 200
    assert "Traceback" not in capfd.readouterr().err


def test_tally() -> None:
    """Prints what the Hypothesis tests above tried (runs after them in file order)."""
    print(
        f"in-process fuzz requests: {sum(TALLY.values())}, outcomes {dict(TALLY)}, "
        f"slowest {SLOWEST[0]:.2f} s"
    )
    assert "500" not in TALLY


# ---- volume (slow) ----------------------------------------------------------------------------
def _random_request(rng: random.Random) -> tuple[str, str]:
    def token() -> str:
        r = rng.random()
        if r < 0.35:
            return rng.choice(ROUTES + WORDS)
        if r < 0.6:
            p = rng.choice(PAYLOADS)
            return quote(p, safe="") if rng.random() < 0.5 else p
        if r < 0.8:
            return "".join(rng.choice(string.printable) for _ in range(rng.randint(0, 30)))
        cps = (rng.randint(0, 0x2FFFF) for _ in range(rng.randint(0, 12)))
        return "".join(chr(c) for c in cps if not 0xD800 <= c <= 0xDFFF)  # no lone surrogates

    segs = [token() for _ in range(rng.randint(0, 4))]
    pairs = [
        (
            rng.choice(PARAMS) if rng.random() < 0.7 else token(),
            rng.choice(VALUES) if rng.random() < 0.4 else token(),
            rng.random() < 0.5,
        )
        for _ in range(rng.randint(0, 5))
    ]
    return build(segs, pairs)


@pytest.mark.slow
def test_fuzz_dashboard_volume(rel_app, rel_server) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(20261126)
    tally: collections.Counter[str] = collections.Counter()
    n = 20_000
    t0 = time.perf_counter()
    for _ in range(n):
        path, query = _random_request(rng)
        check(handle(rel_app, path, query), f"{path!r}?{query!r}", tally)
    dt = time.perf_counter() - t0
    print(
        f"dashboard volume fuzz (in process): {n} requests in {dt:.0f} s, outcomes {dict(tally)}, "
        f"slowest {SLOWEST[0]:.2f} s"
    )
    sock: collections.Counter[str] = collections.Counter()
    m = 2_000
    t0 = time.perf_counter()
    for _ in range(m):
        path, query = _random_request(rng)
        target = (path + ("?" + query if query else "")).encode("utf-8", "surrogateescape")
        target = target.replace(b" ", b"%20").replace(b"\r", b"%0D").replace(b"\n", b"%0A")
        if rng.random() < 0.2:  # invalid UTF-8 bytes in the request line
            target += bytes(rng.randint(0x80, 0xFF) for _ in range(3))
        resp = raw_request(rel_server, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        code = _status(resp)
        sock[str(code)] += 1
        assert code is not None and (code < 500 or code in (501, 505)), (target[:200], code)
        assert b"Traceback" not in resp
    dt = time.perf_counter() - t0
    print(f"dashboard volume fuzz (socket): {m} requests in {dt:.0f} s, outcomes {dict(sock)}")
