"""The embedded Borås/Sweden demo dataset: build a database from the files shipped in ``data/``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import duckdb

    from grannskap.store.load import LoadResult

__all__ = ["DEMO_KOMMUN", "demo_files", "build_demo"]

DEMO_KOMMUN = "1490"


def _data_dir() -> Path:
    return Path(str(resources.files("grannskap").joinpath("data")))


def demo_files() -> list[Path]:
    """The demo files in load order (the key first, so that codes are checked against it)."""
    d = _data_dir()
    return [
        d / "scb_koppling" / "koppling_deso2018_regso2020.csv",
        # SCB's 2025 revision for Borås: key DeSO 2025 -> RegSO 2025 and the change logs
        d / "scb_andringar" / "deso2025_regso2025_1490_extract.csv",
        d / "scb_andringar" / "regso_changes_1490_extract.csv",
        d / "scb_andringar" / "deso_forandringar_1490_extract.csv",
        # RegSO series 2020–2023 (PxWeb CSV with labels, joined to codes through the key)
        *sorted((d / "scb_regso_2020_2023").glob("*.csv")),
        *sorted((d / "scb_deso_2022").glob("*.xlsx")),
        d / "boras" / "boras_1490_regso_deso_overview.csv",
        d / "boras" / "regso2025_1490_epsg3006.geojson",
        d / "polisen" / "uso_2023_epsg3006.geojson",
        d / "polisen" / "uso_2025_attributes_all65.csv",
        d / "polisen" / "uso_2025_boras_only_epsg3006.geojson",
        d / "polisen" / "police_lists_national_counts_and_boras.csv",
        d / "boras" / "programme.yaml",
    ]


def build_demo(con: duckdb.DuckDBPyConnection) -> list[LoadResult]:
    """Import every demo file (idempotent: an existing demo database is left as it is)."""
    from grannskap.ingest.importer import import_file

    return [import_file(con, path) for path in demo_files()]
