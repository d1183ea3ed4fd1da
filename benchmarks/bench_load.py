"""Benchmark: the dashboard (``grannskap serve``) under bounded concurrent load, and a memory soak.

1. **Load.** ``grannskap serve`` on the real demo database in a subprocess; ``--users`` (default
   50) keep-alive clients (stdlib threads + ``http.client``, no think time) for ``--seconds``
   (default 60) over a mix of URLs: every page type, all RegSO pages in Swedish and English, CSV
   and XLSX downloads, and bad requests (unknown area, SQL-injection and path-traversal
   attempts) whose *expected* answer is a 4xx page. An error is any answer other than the
   expected status, any 5xx, a traceback in the body, or a connection failure.
   Printed: requests, errors, throughput, p50/p95/p99 latency.
2. **Soak.** The same server for ``--soak`` seconds (default 300) at a lower concurrency
   (``--soak-users``, default 10), the resident set size (RSS, ``/proc/<pid>/status``) of the
   server process sampled every second. Memory is "flat" when the RSS growth over the second
   half of the soak is under 5 % of the RSS at half time (the response cache is bounded, so
   RSS grows while the cache fills and must then stop growing).

There is no peer package for this; the baseline in the same run is the standard library's
``python -m http.server`` serving one static file at the same concurrency (the floor for any
Python HTTP server on this machine).

``python -m benchmarks load [--quick] [--db=PATH] [--users=N] [--seconds=S] [--soak=S]`` (use
``--opt=value``: the runner takes bare words as benchmark names);
``--quick``: 10 users x 5 s, 20 s soak.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["main", "run_load", "rss_kb"]

# (path, expected status); bad requests are part of the mix on purpose
BASE_URLS: list[tuple[str, int]] = [
    ("/", 200),
    ("/?lang=en", 200),
    ("/areas?level=regso", 200),
    ("/areas?level=deso", 200),
    ("/area/stadsdel/norrby", 200),
    ("/area/deso/1490C1390", 200),
    ("/area/police/P14", 200),
    ("/indicators?indicator=arbetslosa&level=regso", 200),
    ("/indicators?indicator=lag_ekonomisk_standard&level=deso", 200),
    ("/goals?malomrade=M3", 200),
    ("/section/funding", 200),
    ("/section/police", 200),
    ("/section/segregation", 200),
    ("/download/regso-indicators.csv", 200),
    ("/download/deso-indicators.xlsx", 200),
    ("/healthz", 200),
    ("/area/regso/1490R999", 404),
    ("/area/regso/1490R025'%20OR%20'1'='1", 404),
    ("/?kommun=1490%27%3B%20DROP%20TABLE%20area%3B--", 404),
    ("/download/..%2F..%2Fetc%2Fpasswd", 404),
    ("/static/..%2F..%2Fpyproject.toml", 404),
    ("/indicators?indicator=arbetslosa&indicator=x", 400),
]


def rss_kb(pid: int) -> int:
    """Resident set size of process ``pid`` in kB (Linux ``/proc``), 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, timeout: float = 300.0) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/healthz")
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return time.perf_counter() - t0
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server on port {port} did not answer /healthz within {timeout} s")


def run_load(
    port: int, urls: list[tuple[str, int]], users: int, seconds: float, pid: int | None = None
) -> dict[str, Any]:
    """``users`` keep-alive clients without think time for ``seconds``; latency in ms.

    Returns requests, errors (with up to 10 examples), rps, p50/p95/p99 and, when ``pid`` is
    given, the server's RSS in kB sampled once a second as ``rss`` (list of (t, kB)).
    """
    lat: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    rss: list[tuple[float, int]] = []

    def user(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        k = i * 7
        mine: list[float] = []
        bad: list[str] = []
        while time.perf_counter() < stop:
            url, want = urls[k % len(urls)]
            k += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", url)
                r = conn.getresponse()
                body = r.read()
                if r.status != want or r.status >= 500 or b"Traceback" in body:
                    bad.append(f"{url} -> {r.status} (expected {want})")
            except (OSError, http.client.HTTPException) as exc:
                bad.append(f"{url} -> {type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            lat.extend(mine)
            errors.extend(bad)

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    t_start = time.perf_counter()
    for t in threads:
        t.start()
    while pid is not None and time.perf_counter() < stop:
        rss.append((time.perf_counter() - t_start, rss_kb(pid)))
        time.sleep(1.0)
    for t in threads:
        t.join()
    a = np.array(lat) * 1000 if lat else np.array([np.nan])
    return {
        "requests": len(lat),
        "errors": len(errors),
        "error_examples": errors[:10],
        "rps": len(lat) / seconds,
        "p50": float(np.percentile(a, 50)),
        "p95": float(np.percentile(a, 95)),
        "p99": float(np.percentile(a, 99)),
        "rss": rss,
    }


def _fmt(label: str, users: int, seconds: float, r: dict[str, Any]) -> str:
    return (
        f"{label}: {users} users x {seconds:.0f} s: {r['requests']} requests, {r['errors']} errors, "
        f"{r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms"
    )


def _loadavg() -> str:
    try:
        return " ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks load")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--db", default=None, help="existing database (default: build the demo)")
    ap.add_argument("--users", type=int, default=None)
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--soak", type=float, default=None)
    ap.add_argument("--soak-users", type=int, default=10)
    ap.add_argument("--no-cache", action="store_true", help="serve with --no-cache")
    args = ap.parse_args(argv)
    users = args.users or (10 if args.quick else 50)
    seconds = args.seconds or (5.0 if args.quick else 60.0)
    soak = args.soak if args.soak is not None else (20.0 if args.quick else 300.0)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    print(f"load average at start (1/5/15 min): {_loadavg()}; {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "demo.duckdb"
        if not args.db:
            from grannskap.demo import build_demo
            from grannskap.store import connect

            t0 = time.perf_counter()
            con = connect(db)
            try:
                build_demo(con)
            finally:
                con.close()
            print(f"demo database built in {time.perf_counter() - t0:.1f} s", flush=True)
        from grannskap.store import connect

        con = connect(db, read_only=True)
        regso = [
            r[0]
            for r in con.execute(
                "SELECT code FROM area WHERE system = 'regso2020' AND kommun_code = '1490' "
                "ORDER BY code"
            ).fetchall()
        ]
        con.close()
        urls = BASE_URLS + [(f"/area/regso/{c}", 200) for c in regso]
        urls += [(f"/area/regso/{c}?lang=en", 200) for c in regso]
        port = _free_port()
        cmd = [sys.executable, "-m", "grannskap", "serve", "--db", str(db), "--port", str(port)]
        if args.no_cache:
            cmd.append("--no-cache")
        log = open(Path(tmp) / "server.log", "w")  # noqa: SIM115 - closed below
        server = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp)
        try:
            ready = _wait(port)
            print(
                f"dashboard started in {ready:.1f} s, RSS {rss_kb(server.pid) / 1024:.0f} MB; "
                f"{len(urls)} URLs ({sum(1 for _, s in urls if s != 200)} bad requests expecting 4xx)",
                flush=True,
            )
            res = run_load(port, urls, users, seconds, pid=server.pid)
            print(_fmt("load", users, seconds, res), flush=True)
            for e in res["error_examples"]:
                print("  error:", e)
            if soak > 0:
                sres = run_load(port, urls, args.soak_users, soak, pid=server.pid)
                print(_fmt("soak", args.soak_users, soak, sres), flush=True)
                for e in sres["error_examples"]:
                    print("  error:", e)
                rss = sres["rss"]
                if len(rss) >= 4:
                    t = np.array([x[0] for x in rss])
                    kb = np.array([x[1] for x in rss], dtype=float)
                    half = kb[len(kb) // 2]
                    grow = kb[-1] - half
                    slope = np.polyfit(t[len(t) // 2 :], kb[len(kb) // 2 :], 1)[0] * 60 / 1024
                    flat = grow < 0.05 * half
                    print(
                        f"soak RSS: start {kb[0] / 1024:.0f} MB, half time {half / 1024:.0f} MB, "
                        f"end {kb[-1] / 1024:.0f} MB, max {kb.max() / 1024:.0f} MB; growth over "
                        f"the second half {grow / 1024:+.1f} MB ({100 * grow / half:+.1f} %), "
                        f"slope {slope:+.2f} MB/min -> {'flat' if flat else 'NOT flat'}",
                        flush=True,
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
        tb = (Path(tmp) / "server.log").read_text(errors="replace").count("Traceback")
        print(f"tracebacks in the server log: {tb}")
        port2 = _free_port()
        static_dir = Path(tmp) / "static"
        static_dir.mkdir()
        (static_dir / "page.html").write_bytes(b"x" * 60_000)
        static = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(port2), "--bind", "127.0.0.1"],
            cwd=static_dir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < 30:
                try:
                    socket.create_connection(("127.0.0.1", port2), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            base = run_load(port2, [("/page.html", 200)], users, min(seconds, 20.0))
        finally:
            static.terminate()
            static.wait(timeout=30)
        print(
            _fmt("baseline python -m http.server, one 60 kB file", users, min(seconds, 20.0), base)
        )
        print(f"ratio p95 dashboard / static baseline: {res['p95'] / base['p95']:.2f}")
    print(f"load average at end: {_loadavg()}")


if __name__ == "__main__":
    main(sys.argv[1:])
