"""Fault injection: an import killed with SIGKILL at random points leaves the database either
unchanged or fully updated, never half (issue 7). The default run tries a handful of kill
points; ``-m slow`` tries many and prints the tally recorded in RELIABILITY.md.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grannskap.store import connect

_STATE_SQL = (
    "SELECT (SELECT count(*) FROM observation), (SELECT coalesce(sum(hash(indicator_id, area_code, breakdown, value)), 0) "
    "FROM observation), (SELECT count(*) FROM provenance), (SELECT count(*) FROM indicator), (SELECT count(*) FROM area)"
)


def _state(path: Path) -> tuple:
    con = connect(path)
    try:
        return con.execute(_STATE_SQL).fetchone()
    finally:
        con.close()


@pytest.fixture(scope="module")
def setup(tmp_path_factory, shared_data: Path):
    base = tmp_path_factory.mktemp("kill")
    seed = base / "seed.duckdb"
    con = connect(seed)
    from grannskap.ingest.importer import import_file

    import_file(con, shared_data / "scb_koppling" / "koppling_deso2018_regso2020.csv")
    con.close()
    target = shared_data / "scb_deso_2022" / "000005LO_20240813-153750.xlsx"  # 35,904 rows
    done = base / "done.duckdb"
    shutil.copy(seed, done)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "grannskap", "import", str(target), "--db", str(done)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    duration = time.perf_counter() - t0
    return seed, target, _state(seed), _state(done), duration


def _kill_at(seed: Path, target: Path, work: Path, delay: float) -> None:
    shutil.copy(seed, work)
    proc = subprocess.Popen(
        [sys.executable, "-m", "grannskap", "import", str(target), "--db", str(work)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait(60)


def _run(setup, tmp_path: Path, points: int) -> dict[str, int]:
    seed, target, before, after, duration = setup
    rng = random.Random(20261126)
    tally = {"unchanged": 0, "complete": 0}
    for i in range(points):
        work = tmp_path / f"w{i}.duckdb"
        _kill_at(seed, target, work, rng.uniform(0.0, duration * 1.1))
        state = _state(work)
        assert state in (before, after), f"half-written database after kill point {i}: {state}"
        tally["unchanged" if state == before else "complete"] += 1
    return tally


def test_sigkill_during_import_is_all_or_nothing(setup, tmp_path: Path) -> None:
    tally = _run(setup, tmp_path, points=6)
    assert sum(tally.values()) == 6


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_sigkill_many_points(setup, tmp_path: Path) -> None:
    tally = _run(setup, tmp_path, points=100)
    print(
        f"\nkill points: 100, unchanged: {tally['unchanged']}, complete: {tally['complete']}, half: 0"
    )
