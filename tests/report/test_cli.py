"""End to end: the README's main command in a subprocess (`grannskap report --demo --out DIR`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grannskap", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=600,
    )


def test_report_demo_cli_writes_the_files(demo_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, db)  # --demo on an existing demo database is a no-op import (idempotent)
    out = tmp_path / "out"
    r = _run(
        "report",
        "--demo",
        "--db",
        str(db),
        "--out",
        str(out),
        "--format",
        "html",
        "--format",
        "xlsx",
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    assert (out / "report.html").stat().st_size > 50_000
    assert (out / "report.xlsx").exists() and not (out / "areas.gpkg").exists()
    assert "Traceback" not in r.stderr


def test_unknown_kommun_is_one_line_and_nonzero(demo_db: Path, tmp_path: Path) -> None:
    r = _run(
        "report",
        "--db",
        str(demo_db),
        "--out",
        str(tmp_path / "o"),
        "--kommun",
        "9999",
        cwd=tmp_path,
    )
    assert r.returncode != 0
    assert "Traceback" not in r.stderr
    assert r.stderr.strip().count("\n") == 0 and "'9999'" in r.stderr


def test_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    r = _run(
        "report", "--db", str(tmp_path / "nope.duckdb"), "--out", str(tmp_path / "o"), cwd=tmp_path
    )
    assert r.returncode != 0 and "Traceback" not in r.stderr and "nope.duckdb" in r.stderr


@pytest.mark.slow
def test_readme_main_command_from_scratch(tmp_path: Path) -> None:
    """Exactly the README's first command (after install): builds the demo DB, writes all files."""
    r = _run("report", "--demo", "--out", "out", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    for name in ("report.html", "report.xlsx", "areas.gpkg"):
        assert (tmp_path / "out" / name).exists()
    if shutil.which("chromium"):
        assert (tmp_path / "out" / "report.pdf").exists()


def test_empty_database_is_a_clear_error(tmp_path: Path) -> None:
    db = tmp_path / "empty.duckdb"
    assert _run("init", "--db", str(db), cwd=tmp_path).returncode == 0
    r = _run("report", "--db", str(db), "--out", str(tmp_path / "o"), cwd=tmp_path)
    assert r.returncode != 0 and "Traceback" not in r.stderr and "empty" in r.stderr
