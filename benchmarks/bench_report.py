"""Benchmark: the report end to end and the dashboard under load.

1. ``grannskap report --demo --out DIR`` in a fresh folder (builds the demo database from the
   embedded files, then writes report.html/.pdf/.xlsx and areas.gpkg), wall time; then the
   report alone on the existing database, per format. Target: ≤ 30 s end to end.
2. ``grannskap serve`` in a subprocess, 20 concurrent keep-alive clients on localhost for a
   bounded time over a mix of pages (overview, area pages, indicator comparison, goals,
   sections, CSV downloads). Target: p95 ≤ 200 ms. Baseline in the same run: the standard
   library's static file server serving the finished report.html at the same concurrency
   (the floor for any Python server on this machine).

``--quick``: 5 s of load instead of 20 s, no PDF.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

URLS = [
    "/",
    "/areas?level=regso",
    "/area/regso/1490R025",
    "/area/stadsdel/norrby",
    "/area/deso/1490C1390",
    "/area/police/P14",
    "/indicators?indicator=arbetslosa&level=regso",
    "/indicators?indicator=lag_ekonomisk_standard&level=deso",
    "/goals?malomrade=M3",
    "/section/funding",
    "/section/police",
    "/download/regso-indicators.csv",
    "/?lang=en",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, path: str, timeout: float = 180.0) -> float:
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path)
            r = c.getresponse()
            r.read()
            c.close()
            if r.status == 200:
                return time.perf_counter() - t0
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer {path} within {timeout} s")


def load(port: int, urls: list[str], users: int, seconds: float) -> dict[str, float]:
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def user(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        k = i
        mine: list[float] = []
        while time.perf_counter() < stop:
            url = urls[k % len(urls)]
            k += 1
            t0 = time.perf_counter()
            try:
                conn.request("GET", url)
                r = conn.getresponse()
                r.read()
                if r.status != 200:
                    errors[0] += 1
            except OSError:
                errors[0] += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - t0)
        conn.close()
        with lock:
            lat.extend(mine)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    a = np.array(lat) * 1000
    return {
        "requests": float(len(a)),
        "errors": float(errors[0]),
        "rps": len(a) / seconds,
        "p50": float(np.percentile(a, 50)),
        "p95": float(np.percentile(a, 95)),
        "p99": float(np.percentile(a, 99)),
    }


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    seconds = 5.0 if quick else 20.0
    users = 20
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        load_avg = os.getloadavg()[0]
    except OSError:
        load_avg = float("nan")
    print(f"load average at start: {load_avg:.1f}")
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        tmpd = Path(tmp)
        cmd = [sys.executable, "-m", "grannskap", "report", "--demo", "--out", str(tmpd / "out")]
        if quick:
            cmd += ["--format", "html", "--format", "xlsx", "--format", "gpkg"]
        import resource

        cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
        e2e = time.perf_counter() - t0
        cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr)
        print(
            f"report end to end (demo database build + all formats): {e2e:.1f} s wall, "
            f"{cpu:.1f} s CPU (grannskap and the Chromium it starts)  (target ≤ 30 s)"
        )
        db = tmpd / "out" / "grannskap-demo.duckdb"

        from grannskap.report.build import build_report
        from grannskap.store import connect

        con = connect(db, read_only=True)
        t0 = time.perf_counter()
        res = build_report(
            con,
            tmpd / "again",
            formats=("html", "xlsx", "gpkg") if quick else ("html", "xlsx", "gpkg", "pdf"),
        )
        alone = time.perf_counter() - t0
        con.close()
        steps = ", ".join(f"{k} at {v:.1f} s" for k, v in res.seconds.items())
        print(f"report alone on the existing database: {alone:.1f} s ({steps})")

        con = connect(db, read_only=True)
        regso = [
            r[0]
            for r in con.execute(
                "SELECT code FROM area WHERE system = 'regso2020' AND kommun_code = '1490'"
            ).fetchall()
        ]
        con.close()
        urls = (
            URLS + [f"/area/regso/{c}" for c in regso] + [f"/area/regso/{c}?lang=en" for c in regso]
        )
        p95: dict[str, float] = {}
        for flags, label in (
            ([], "response cache on (default)"),
            (["--no-cache"], "response cache OFF (every request rendered)"),
        ):
            port = _free_port()
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "grannskap",
                    "serve",
                    "--db",
                    str(db),
                    "--port",
                    str(port),
                    *flags,
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
                cwd=tmp,
            )
            try:
                ready = _wait(port, "/healthz")
                c = http.client.HTTPConnection("127.0.0.1", port)
                t1 = time.perf_counter()
                c.request("GET", "/")
                c.getresponse().read()
                first = time.perf_counter() - t1
                c.close()
                print(
                    f"dashboard [{label}]: start-up {ready:.1f} s (demo database, sv+en prepared); first page {1000 * first:.0f} ms (target < 1 s)"
                )
                ours = load(port, urls, users, seconds)
            finally:
                server.terminate()
                server.wait(timeout=30)
            p95[label] = ours["p95"]
            print(
                f"  {users} users x {seconds:.0f} s over {len(urls)} URLs: {ours['requests']:.0f} requests, "
                f"{ours['errors']:.0f} errors, {ours['rps']:.0f} req/s, p50 {ours['p50']:.0f} ms, p95 {ours['p95']:.0f} ms, "
                f"p99 {ours['p99']:.0f} ms (target p95 ≤ 200 ms)"
            )

        port2 = _free_port()
        static = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "http.server",
                str(port2),
                "--bind",
                "127.0.0.1",
                "--directory",
                str(tmpd / "again"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            _wait(port2, "/report.html", 30)
            base = load(port2, ["/report.html"], users, seconds)
        finally:
            static.terminate()
            static.wait(timeout=30)
        print(
            f"baseline: python -m http.server serving report.html ({(tmpd / 'again' / 'report.html').stat().st_size // 1024} kB), "
            f"same load: {base['requests']:.0f} requests, {base['rps']:.0f} req/s, p50 {base['p50']:.0f} ms, p95 {base['p95']:.0f} ms"
        )
        for label, value in p95.items():
            print(f"ratio p95 dashboard [{label}] / static baseline: {value / base['p95']:.2f}")
    try:
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
    except OSError:
        pass


if __name__ == "__main__":
    main(sys.argv[1:])
