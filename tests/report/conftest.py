"""The full demo database (real SCB/Police data shipped in the package), built once per session
and shared with tests/web (same file name under the session's base temp directory)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


def full_demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from grannskap.demo import build_demo
    from grannskap.store import connect

    path = tmp_path_factory.getbasetemp() / "grannskap_demo_full.duckdb"
    if not path.exists():
        con = connect(path)
        try:
            build_demo(con)
        finally:
            con.close()
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return full_demo_db(tmp_path_factory)


@pytest.fixture(scope="session")
def demo_con(demo_db: Path):  # type: ignore[no-untyped-def]
    from grannskap.store import connect

    con = connect(demo_db, read_only=True)
    yield con
    con.close()


@pytest.fixture(scope="session")
def report_dir(demo_con, tmp_path_factory: pytest.TempPathFactory) -> Path:  # type: ignore[no-untyped-def]
    """The full report (all four formats where possible) written once for the session."""
    from grannskap.report.build import build_report

    out = tmp_path_factory.mktemp("report")
    formats = (
        ("html", "xlsx", "gpkg", "pdf") if shutil.which("chromium") else ("html", "xlsx", "gpkg")
    )
    build_report(demo_con, out, kommun="1490", lang="sv", formats=formats, demo=True)
    return out
