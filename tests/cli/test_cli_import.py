"""The CLI end to end in a subprocess: exit codes, one line per problem, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grannskap", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def test_help_lists_the_commands() -> None:
    out = run("--help")
    assert out.returncode == 0
    for cmd in ("import", "init"):
        assert cmd in out.stdout


@pytest.mark.parametrize(
    ("content", "name", "needle"),
    [
        (b"", "empty.csv", "empty"),
        (b"\x00\x01\x02garbage", "thing.bin", "unknown file type"),
        (b"just,some\n1,2\n", "plain.csv", "not an SCB Statistikdatabasen export"),
        (b'{"a": 1}', "x.json", "unrecognised JSON"),
        (b"programme: [unclosed", "p.yaml", "not valid YAML"),
    ],
)
def test_bad_files_give_one_line_errors_and_no_traceback(
    tmp_path: Path, content: bytes, name: str, needle: str
) -> None:
    f = tmp_path / name
    f.write_bytes(content)
    out = run("import", str(f), "--db", str(tmp_path / "g.duckdb"))
    assert out.returncode != 0
    assert "Traceback" not in out.stderr
    assert needle in out.stderr
    assert out.stderr.startswith(f"grannskap: error: {name}") or out.stderr.startswith(
        f"grannskap: error: {f}"
    )


def test_import_real_export_then_again(tmp_path: Path, shared_data: Path) -> None:
    db = str(tmp_path / "g.duckdb")
    f = str(shared_data / "scb_deso_2022" / "000005FE_20240813-152154.xlsx")
    first = run("import", f, "--db", db)
    assert first.returncode == 0, first.stderr
    assert "imported 17952 rows" in first.stdout
    again = run("import", f, "--db", db)
    assert again.returncode == 0 and "already imported" in again.stdout


def test_database_that_is_a_directory(tmp_path: Path) -> None:
    out = run("init", "--db", str(tmp_path))
    assert out.returncode != 0 and "is a directory" in out.stderr and "Traceback" not in out.stderr
