"""Report fixtures on the full demo database (``demo_db`` from tests/conftest.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest


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
