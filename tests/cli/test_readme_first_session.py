"""The README's first session runs as written, in a fresh folder, in a subprocess; a command
without a database says how to make one and names ``--db``."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"


def first_session() -> list[str]:
    """The commands of the first bash block under "## Using it" (comments dropped)."""
    text = README.read_text(encoding="utf-8")
    part = text.split("## Using it", 1)[1]
    block = part.split("```bash", 1)[1].split("```", 1)[0]
    return [ln.split("  #", 1)[0].strip() for ln in block.splitlines() if ln.strip()]


def _run(cmd: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    args = shlex.split(cmd)
    assert args[0] == "grannskap", cmd
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "grannskap", *args[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
    )


def test_first_session_has_no_placeholders() -> None:
    cmds = first_session()
    assert cmds[0] == "grannskap init --demo" and len(cmds) >= 5
    for c in cmds:
        assert not re.search(r"\b(FILE|ID|INDICATOR|DIR|PATH)\b|\.\.\.|\|", c), c


def test_missing_database_hint_names_db(tmp_path: Path) -> None:
    r = _run("grannskap classify --level regso --year 2022 --out t.csv", tmp_path)
    assert r.returncode == 1
    assert "--db" in r.stderr and "grannskap init" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.slow
def test_readme_first_session_runs_as_written(tmp_path: Path) -> None:
    for cmd in first_session():
        r = _run(cmd, tmp_path)
        assert r.returncode == 0, f"{cmd}\n{r.stderr[-2000:]}"
    assert (tmp_path / "grannskap.duckdb").exists()
    assert (tmp_path / "types.csv").stat().st_size > 0 and (tmp_path / "seg.csv").stat().st_size > 0
    for name in ("report.html", "report.xlsx", "areas.gpkg"):
        assert (tmp_path / "rapport" / name).exists(), name
    assert 'lang="en"' in (tmp_path / "report-en" / "report.html").read_text(encoding="utf-8")
