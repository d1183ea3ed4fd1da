"""A tiny version of ``benchmarks/bench_load.py`` (the real figures are in BENCHMARKS.md, section
"load (dashboard)"): 8 keep-alive clients for 3 s against the dashboard on the real demo
database, over good and bad URLs. Property: zero errors (every answer has the expected status,
no 5xx, no traceback, no connection failure). No latency is asserted here (shared machine)."""

from __future__ import annotations

import http.client
import threading
import time

URLS = [
    ("/", 200),
    ("/areas?level=deso", 200),
    ("/area/regso/1490R025", 200),
    ("/area/deso/1490C1440", 200),  # a DeSO with a suppressed share (gave a 500 before)
    ("/indicators?indicator=arbetslosa&level=deso", 200),
    ("/download/regso-indicators.csv", 200),
    ("/area/regso/1490R025'%20OR%20'1'='1", 404),
    ("/download/..%2F..%2Fetc%2Fpasswd", 404),
    ("/?lang=xx", 400),
]


def test_concurrent_clients_see_no_errors(rel_server) -> None:  # type: ignore[no-untyped-def]
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + 3.0

    def user(i: int) -> None:
        conn = http.client.HTTPConnection(*rel_server, timeout=60)
        k, n, bad = i, 0, []
        while time.perf_counter() < stop:
            url, want = URLS[k % len(URLS)]
            k += 1
            try:
                conn.request("GET", url)
                r = conn.getresponse()
                body = r.read()
                if r.status != want or b"Traceback" in body:
                    bad.append(f"{url} -> {r.status}")
                n += 1
            except (OSError, http.client.HTTPException) as exc:
                bad.append(f"{url} -> {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection(*rel_server, timeout=60)
        conn.close()
        with lock:
            errors.extend(bad)
            done[0] += n

    threads = [threading.Thread(target=user, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"load smoke: 8 clients x 3 s, {done[0]} requests, {len(errors)} errors")
    assert done[0] >= 8 and not errors, errors[:10]
