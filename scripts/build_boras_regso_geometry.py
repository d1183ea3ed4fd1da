"""Build ``src/grannskap/data/boras/regso2025_1490_epsg3006.geojson`` from the shared WGS84 file.

Run once at build time (needs pyproj, which is not a runtime dependency of grannskap)::

    python scripts/build_boras_regso_geometry.py ../shared/data/boras_geo/regso2025_1490_wgs84.geojson

Steps: read the 47 Borås RegSO (2025 boundaries, SCB open geodata, CC0) in WGS84 lon/lat;
repair invalid rings with ``shapely.make_valid`` (1490R046 Äspered self-intersects), keeping
only the polygonal parts; project to SWEREF 99 TM (EPSG:3006) with pyproj; round to 0.1 m;
write a GeoJSON FeatureCollection with ``crs`` EPSG:3006 and properties ``regso``, ``regsonamn``
and ``boundary_vintage`` ("RegSO 2025").
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer
from shapely import make_valid, set_precision
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

OUT = (
    Path(__file__).resolve().parents[1] / "src/grannskap/data/boras/regso2025_1490_epsg3006.geojson"
)


def polygonal(geom: object) -> Polygon | MultiPolygon:
    """The polygonal part of a repaired geometry (make_valid may add lines or points)."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in geom.geoms if isinstance(g, Polygon | MultiPolygon)]  # type: ignore[attr-defined]
    polys = [p for g in parts for p in (g.geoms if isinstance(g, MultiPolygon) else [g])]
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def main(src: str) -> None:
    doc = json.loads(Path(src).read_text(encoding="utf-8"))
    to3006 = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
    features = []
    for feat in doc["features"]:
        g = shape(feat["geometry"])
        repaired = not g.is_valid
        if repaired:
            g = polygonal(make_valid(g))
        g = shapely.transform(g, lambda xy: np.column_stack(to3006.transform(xy[:, 0], xy[:, 1])))
        g = set_precision(g, 0.1)
        if not g.is_valid:
            g = polygonal(make_valid(g))
        if not g.is_valid:
            raise SystemExit(f"{feat['properties']['code']}: still invalid after repair")
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "regso": feat["properties"]["code"],
                    "regsonamn": feat["properties"]["name"],
                    "boundary_vintage": "RegSO 2025",
                    "repaired": repaired,
                },
                "geometry": mapping(g),
            }
        )
    features.sort(key=lambda f: f["properties"]["regso"])
    out = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:3006"}},
        "features": features,
    }
    OUT.write_text(json.dumps(out, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    print(f"{len(features)} RegSO -> {OUT} ({OUT.stat().st_size / 1024:.0f} kB)")


if __name__ == "__main__":
    main(
        sys.argv[1]
        if len(sys.argv) > 1
        else "../shared/data/boras_geo/regso2025_1490_wgs84.geojson"
    )
