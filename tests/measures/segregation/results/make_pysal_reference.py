"""Write pysal_reference.json: PySAL ``segregation``'s values of the indices grannskap adds in
issue 16, on PySAL's own Sacramento tracts, projected with ``estimate_utm_crs()`` (UTM 10N).

Run from the repository root (needs the [test] extra and ../shared/data):

    python tests/measures/segregation/results/make_pysal_reference.py

Some PySAL indices take many seconds here (SpatialProxProf ~20 s, BoundarySpatialDissim and
PARDissim ~5 s), which is why the default test run compares with these committed numbers and
keeps live comparisons for the fast ones (``test_pysal_extra.py``).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import geopandas as gpd
import segregation
from segregation import multigroup as mg
from segregation import singlegroup as sg

HERE = Path(__file__).resolve().parent
SHP = HERE.parents[3].parent / "shared/data/segregation_reference/sacramento2/sacramentot2.shp"
GROUPS = ["WHITE_", "BLACK_", "ASIAN_", "HISP_"]
FOCAL, TOTAL = "HISP_", "TOT_POP"
DISTANCE = 2000.0

SINGLE = [
    "ConProf",
    "DensityCorrectedDissim",
    "MinMax",
    "SpatialDissim",
    "BoundarySpatialDissim",
    "PARDissim",
    "AbsoluteCentralization",
    "RelativeCentralization",
    "AbsoluteClustering",
    "RelativeClustering",
    "AbsoluteConcentration",
    "RelativeConcentration",
    "Delta",
    "DistanceDecayInteraction",
    "DistanceDecayIsolation",
    "SpatialProxProf",
    "SpatialProximity",
]
SINGLE_IMPLICIT = ["ConProf", "DensityCorrectedDissim", "MinMax"]
MULTI = [
    "MultiGini",
    "MultiNormExposure",
    "MultiSquaredCoefVar",
    "SimpsonsConcentration",
    "SimpsonsInteraction",
]


def main() -> int:
    warnings.simplefilter("ignore")
    gdf = gpd.read_file(SHP)
    gdf = gdf.set_crs(4326) if gdf.crs is None else gdf  # the shipped .shp has no .prj
    gdf = gdf.to_crs(gdf.estimate_utm_crs())
    out: dict[str, object] = {
        "source": f"PySAL segregation {segregation.__version__}",
        "data": "sacramentot2.shp (libpysal Sacramento1), to_crs(estimate_utm_crs())",
        "crs": gdf.crs.to_string(),
        "focal": FOCAL,
        "total": TOTAL,
        "groups": GROUPS,
        "distance": DISTANCE,
        "single": {},
        "single_distance": {},
        "multi": {},
        "multi_distance": {},
    }
    for name in SINGLE:
        out["single"][name] = float(getattr(sg, name)(gdf, FOCAL, TOTAL).statistic)  # type: ignore[index]
        print(name, out["single"][name])  # type: ignore[index]
    for name in SINGLE_IMPLICIT:
        v = getattr(sg, name)(gdf, FOCAL, TOTAL, distance=DISTANCE).statistic
        out["single_distance"][name] = float(v)  # type: ignore[index]
    for name in MULTI:
        out["multi"][name] = float(getattr(mg, name)(gdf, GROUPS).statistic)  # type: ignore[index]
        v = getattr(mg, name)(gdf, GROUPS, distance=DISTANCE).statistic
        out["multi_distance"][name] = float(v)  # type: ignore[index]
    (HERE / "pysal_reference.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
