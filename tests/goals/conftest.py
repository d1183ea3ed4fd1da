"""A small real database for the socioeconomic tests: SCB's DeSO->RegSO key, the three SCB
2022 DeSO exports the proxy profile uses, the Borås RegSO overview (official types, SCB
000005QX) and the police lists, imported with grannskap's own importers."""

from __future__ import annotations

from pathlib import Path

import pytest

from grannskap.demo import demo_files

NEEDED = (
    "koppling_deso2018_regso2020.csv",
    "000006TA",
    "000005MO",
    "000007A8",
    "boras_1490_regso_deso_overview.csv",
    "uso_2023_epsg3006.geojson",
    "uso_2025_attributes_all65.csv",
    "police_lists_national_counts_and_boras.csv",
    "programme.yaml",
)


def build_small_db(path: Path) -> Path:
    from grannskap.ingest.importer import import_file
    from grannskap.store import connect

    con = connect(path)
    try:
        for f in demo_files():
            if any(f.name.startswith(n) or f.name == n for n in NEEDED):
                import_file(con, f)
    finally:
        con.close()
    return path


@pytest.fixture(scope="session")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # shared by tests/goals and tests/measures/socioeconomic: built once per session
    path = tmp_path_factory.getbasetemp() / "grannskap_socioek_small.duckdb"
    return path if path.exists() else build_small_db(path)
