"""Issue 18, finding 7: an import runs while the dashboard is up, and the dashboard shows the
new data after the import commits, without a restart and without failed requests.

Before the fix the dashboard held the DuckDB file open (read-only), and DuckDB's
one-writer-or-many-readers lock made ``grannskap import`` fail until the dashboard was
stopped. Now the dashboard serves a private snapshot (``make_app(watch=True)``, the default of
``grannskap serve``).
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from grannskap.web.snapshot import Snapshots

PROGRAMME = Path(__file__).resolve().parents[2] / "src/grannskap/data/boras/programme.yaml"


def test_snapshot_waits_for_a_writer_and_sees_new_versions(tmp_path: Path) -> None:
    db = tmp_path / "g.duckdb"
    db.write_bytes(b"version 1")
    snaps = Snapshots(db, tmp_path / "snaps")
    (tmp_path / "snaps").mkdir()
    path, stamp = snaps.first()
    assert path.read_bytes() == b"version 1"
    wal = Path(str(db) + ".wal")
    wal.write_bytes(b"")  # an import is writing: no snapshot
    db.write_bytes(b"version 2, half written")
    assert snaps.take() is None
    wal.unlink()
    got = snaps.take()
    assert got is not None and got[0].read_bytes() == b"version 2, half written"
    assert got[1] != stamp


@pytest.mark.slow
def test_import_during_load_is_seen_without_errors(demo_db: Path, tmp_path: Path) -> None:
    """Four keep-alive clients for the whole run (about 30 s on the shared machine); an
    import of a changed programme file in another process in the middle of it."""
    from grannskap.web.server import DashboardServer, make_app

    db = tmp_path / "live.duckdb"
    shutil.copyfile(demo_db, db)
    changed = tmp_path / "programme.yaml"
    changed.write_text(
        PROGRAMME.read_text(encoding="utf-8").replace(
            "name_sv: Boende och närmiljö", "name_sv: Boende och närmiljö NYVERSION", 1
        ),
        encoding="utf-8",
    )
    app = make_app(db, warm=False, watch=True, poll=0.5)
    srv = DashboardServer(app, "127.0.0.1", 0)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    addr = (srv.server_address[0], int(srv.server_address[1]))
    errors: list[str] = []
    counts = [0]
    seen_new = threading.Event()
    stop = threading.Event()
    lock = threading.Lock()

    def client(i: int) -> None:
        conn = http.client.HTTPConnection(*addr, timeout=120)
        urls = ["/goals", "/", "/areas?level=deso", "/healthz"]
        k = i
        while not stop.is_set():
            url = urls[k % len(urls)]
            k += 1
            try:
                conn.request("GET", url)
                r = conn.getresponse()
                body = r.read()
                with lock:
                    counts[0] += 1
                    if r.status != 200:
                        errors.append(f"{url} -> {r.status}")
                if url == "/goals" and b"NYVERSION" in body:
                    seen_new.set()
            except (OSError, http.client.HTTPException) as exc:
                with lock:
                    errors.append(f"{url}: {exc!r}")
                conn.close()
                conn = http.client.HTTPConnection(*addr, timeout=120)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(4)]
    try:
        for t in threads:
            t.start()
        time.sleep(2.0)
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "grannskap", "import", "--db", str(db), str(changed)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stderr  # the dashboard does not lock the file
        committed = time.perf_counter() - t0
        assert seen_new.wait(180), "the new data never appeared"
        visible = time.perf_counter() - t0
        time.sleep(1.0)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
        srv.shutdown()
        srv.server_close()
        getattr(app, "snapshots", None) and app.snapshots.cleanup()  # type: ignore[attr-defined]
    print(
        f"import while serving: {counts[0]} requests, {len(errors)} errors; import took "
        f"{committed:.1f} s, new data visible {visible:.1f} s after it started"
    )
    assert not errors, errors[:5]


def test_serve_default_is_watching(monkeypatch: Any) -> None:
    from grannskap.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert args.no_watch is False
