"""Fixtures with the real reference data for the segregation tests.

Sources (see ../shared/data/README.md):
* Sacramento 2000 census tracts - PySAL's own test data (libpysal ``sacramento2``);
* SCB table 000005FE (Folkmängden efter utländsk/svensk bakgrund, DeSO, 2022);
* Benjamin Elbers' ``schools00`` / ``schools05`` (R package ``segregation``).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

SAC_GROUPS = ["WHITE_", "BLACK_", "ASIAN_", "HISP_"]
DESO = re.compile(r"^\d{4}[ABC]\d{4}$")


@pytest.fixture(scope="session")
def sacramento(shared_data: Path):
    """Sacramento tracts projected to UTM 10N (metres) with centroid coordinates."""
    gpd = pytest.importorskip("geopandas")
    path = shared_data / "segregation_reference" / "sacramento2" / "sacramentot2.shp"
    if not path.exists():
        pytest.skip(f"{path} not found")
    gdf = gpd.read_file(path)
    # the shapefile has no .prj; its coordinates are longitude/latitude (NAD83 ~ WGS84)
    gdf = gdf.set_crs(4326).to_crs(32610)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gdf["TOT"] = gdf[SAC_GROUPS].sum(axis=1)
        xy = np.column_stack([gdf.centroid.x, gdf.centroid.y])
    return gdf, xy


@pytest.fixture(scope="session")
def deso_background(shared_data: Path) -> pd.DataFrame:
    """Persons with Swedish / foreign background per DeSO 2022 (SCB 000005FE), read with openpyxl.

    Layout (looked at by hand): title row, blank, year row, header row
    ``svensk bakgrund | utländsk bakgrund | totalt``, sex row, then one row per DeSO code,
    then SCB's footnotes.
    """
    openpyxl = pytest.importorskip("openpyxl")
    path = shared_data / "scb_deso_2022" / "000005FE_20240813-152154.xlsx"
    if not path.exists():
        pytest.skip(f"{path} not found")
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = []
    for row in wb.worksheets[0].iter_rows(values_only=True):
        if isinstance(row[0], str) and DESO.match(row[0]):
            rows.append(row[:4])
    wb.close()
    df = pd.DataFrame(rows, columns=["deso", "swedish", "foreign", "total"]).set_index("deso")
    return df.astype("int64")


def _schools(shared_data: Path, name: str) -> pd.DataFrame:
    path = shared_data / "segregation_reference" / name
    if not path.exists():
        pytest.skip(f"{path} not found")
    return pd.read_csv(path)


@pytest.fixture(scope="session")
def schools00(shared_data: Path) -> pd.DataFrame:
    return _schools(shared_data, "schools00.csv.gz")


@pytest.fixture(scope="session")
def schools05(shared_data: Path) -> pd.DataFrame:
    return _schools(shared_data, "schools05.csv.gz")


def school_table(long: pd.DataFrame) -> pd.DataFrame:
    """Schools x race counts from Elbers' long format."""
    return long.pivot_table(index="school", columns="race", values="n", aggfunc="sum", fill_value=0)
