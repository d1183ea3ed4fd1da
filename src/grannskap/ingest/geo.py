"""Vector geodata: GeoJSON and ESRI shapefiles in SWEREF 99 TM (EPSG:3006).

Reads features into ``(properties, shapely geometry)`` pairs with a CRS check. Two kinds of
files are recognised by their attributes: the Police's *utsatta områden* polygons (NAMN,
KATEGORI, ORT, ...) and SCB's DeSO/RegSO polygons (a property holding DeSO/RegSO codes, as
served by SCB's geodata WFS).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grannskap.errors import InputError, Problem, ValidationError

__all__ = ["Feature", "GeoFile", "read_geojson", "read_shapefile", "SWEREF_X", "SWEREF_Y"]

# The extent of SWEREF 99 TM over Sweden (with a margin); coordinates outside are not EPSG:3006.
SWEREF_X = (150_000.0, 1_000_000.0)
SWEREF_Y = (6_050_000.0, 7_750_000.0)


@dataclass
class Feature:
    properties: dict[str, Any]
    geometry: Any  # shapely geometry, EPSG:3006


@dataclass
class GeoFile:
    file_name: str
    file_hash: str
    features: list[Feature] = field(default_factory=list)


def _check_extent(geoms: list[Any], file_name: str) -> None:
    problems = []
    for i, g in enumerate(geoms):
        if g is None or g.is_empty:
            problems.append(Problem(file_name, "empty geometry", row=i + 1, expected="a polygon"))
            continue
        minx, miny, maxx, maxy = g.bounds
        if not (
            SWEREF_X[0] <= minx
            and maxx <= SWEREF_X[1]
            and SWEREF_Y[0] <= miny
            and maxy <= SWEREF_Y[1]
        ):
            hint = (
                " (looks like longitude/latitude degrees)"
                if abs(maxx) <= 180 and abs(maxy) <= 90
                else ""
            )
            problems.append(
                Problem(
                    file_name,
                    f"coordinates outside SWEREF 99 TM{hint}",
                    row=i + 1,
                    value=f"bounds {tuple(round(b, 1) for b in g.bounds)}",
                    expected="EPSG:3006 coordinates (x 150 000–1 000 000, y 6 050 000–7 750 000)",
                )
            )
        if len(problems) >= 20:
            break
    ValidationError.raise_if_any(problems)


def read_geojson(data: bytes, file_name: str) -> GeoFile:
    """Read a GeoJSON FeatureCollection in EPSG:3006."""
    from shapely.geometry import shape

    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(
            Problem(file_name, f"not valid JSON ({exc})", expected="a GeoJSON FeatureCollection")
        ) from exc
    if (
        not isinstance(doc, dict)
        or doc.get("type") != "FeatureCollection"
        or not isinstance(doc.get("features"), list)
    ):
        raise InputError(
            Problem(
                file_name,
                "not a GeoJSON FeatureCollection",
                value=doc.get("type") if isinstance(doc, dict) else type(doc).__name__,
                expected="type FeatureCollection with a features list",
            )
        )
    crs = ((doc.get("crs") or {}).get("properties") or {}).get("name", "")
    if crs and "3006" not in str(crs):
        raise InputError(
            Problem(
                file_name,
                "wrong coordinate reference system",
                value=crs,
                expected="EPSG:3006 (SWEREF 99 TM)",
            )
        )
    features, problems = [], []
    for i, feat in enumerate(doc["features"]):
        try:
            geom = shape(feat["geometry"])
        except Exception as exc:  # shapely raises several types for malformed geometry
            problems.append(
                Problem(
                    file_name,
                    f"invalid geometry ({type(exc).__name__})",
                    row=i + 1,
                    column="geometry",
                    expected="a GeoJSON geometry",
                )
            )
            continue
        props = feat.get("properties") or {}
        if not isinstance(props, dict):
            problems.append(
                Problem(file_name, "properties is not an object", row=i + 1, column="properties")
            )
            continue
        features.append(Feature(props, geom))
    ValidationError.raise_if_any(problems)
    if not features:
        raise InputError(Problem(file_name, "no features", expected="at least one feature"))
    _check_extent([f.geometry for f in features], file_name)
    return GeoFile(file_name, hashlib.sha256(data).hexdigest(), features)


def read_shapefile(path: Path) -> GeoFile:
    """Read an ESRI shapefile (``.shp`` with ``.shx``, ``.dbf`` and ``.prj`` beside it, or a ``.zip``)."""
    import shapefile  # pyshp
    from shapely.geometry import shape

    name = path.name
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            members = {Path(n).suffix.lower(): n for n in zf.namelist()}
            parts = {
                ext: io.BytesIO(zf.read(members[ext]))
                for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg")
                if ext in members
            }
    else:
        parts = {}
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            sib = path.with_suffix(ext)
            if sib.exists():
                parts[ext] = io.BytesIO(sib.read_bytes())
    for ext in (".shp", ".dbf"):
        if ext not in parts:
            raise InputError(
                Problem(
                    name,
                    f"shapefile part {ext} is missing",
                    expected=".shp, .shx, .dbf and .prj together",
                )
            )
    if ".prj" not in parts:
        raise InputError(
            Problem(
                name,
                "shapefile has no .prj: its coordinate reference system is unknown",
                expected="a .prj declaring SWEREF 99 TM (EPSG:3006)",
            )
        )
    prj = parts[".prj"].getvalue().decode("latin-1")
    if "SWEREF99_TM" not in prj.replace(" ", "_").upper() and "3006" not in prj:
        raise InputError(
            Problem(
                name,
                "wrong coordinate reference system in .prj",
                value=prj[:80],
                expected="SWEREF 99 TM (EPSG:3006)",
            )
        )
    encoding = (
        parts[".cpg"].getvalue().decode("ascii", "ignore").strip() if ".cpg" in parts else "utf-8"
    )
    digest = hashlib.sha256()
    for ext in sorted(parts):
        digest.update(parts[ext].getvalue())
    try:
        reader = shapefile.Reader(
            shp=parts[".shp"],
            shx=parts.get(".shx"),
            dbf=parts[".dbf"],
            encoding=encoding or "utf-8",
        )
        records = list(reader.iterShapeRecords())
    except Exception as exc:  # pyshp raises generic errors for corrupt files
        raise InputError(
            Problem(name, f"cannot read the shapefile ({exc})", expected="a valid ESRI shapefile")
        ) from exc
    features = [
        Feature(dict(sr.record.as_dict()), shape(sr.shape.__geo_interface__)) for sr in records
    ]
    if not features:
        raise InputError(Problem(name, "no features", expected="at least one feature"))
    _check_extent([f.geometry for f in features], name)
    return GeoFile(name, digest.hexdigest(), features)
