"""Vector geodata: GeoJSON and ESRI shapefiles in SWEREF 99 TM (EPSG:3006).

Reads features into ``(properties, shapely geometry)`` pairs with a CRS check. Two kinds of
files are recognised by their attributes: the Police's *utsatta områden* polygons (NAMN,
KATEGORI, ORT, ...) and SCB's DeSO/RegSO polygons (a property holding DeSO/RegSO codes, as
served by SCB's geodata WFS).
"""

from __future__ import annotations

import hashlib
import io
import math
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grannskap.errors import DataQualityWarning, InputError, Problem, ValidationError
from grannskap.geography.codes import DESO_RE, REGSO_RE
from grannskap.ingest.jsonio import load_json

__all__ = [
    "Feature",
    "GeoFile",
    "area_label",
    "read_geojson",
    "read_shapefile",
    "validate_polygons",
    "SWEREF_X",
    "SWEREF_Y",
]

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


_POLYGONAL = ("Polygon", "MultiPolygon")


def area_label(properties: dict[str, Any]) -> str:
    """The code (or name) a feature's area is known by, for messages: the first DeSO/RegSO code
    among its properties, else the Police's OMRADESKOD or NAMN, else ``"(no code)"``."""
    for value in properties.values():
        if isinstance(value, str) and (DESO_RE.match(value) or REGSO_RE.match(value)):
            return value
    for key in ("OMRADESKOD", "omradeskod", "NAMN", "namn", "code", "name"):
        value = properties.get(key)
        if isinstance(value, str | int) and str(value).strip():
            return str(value).strip()
    return "(no code)"


def _polygonal_parts(geom: Any) -> Any:
    """The polygonal parts of ``geom`` as one Polygon/MultiPolygon (empty if there are none)."""
    from shapely.geometry import MultiPolygon, Polygon

    if geom.geom_type in _POLYGONAL:
        return geom
    polys: list[Any] = []
    for part in getattr(geom, "geoms", []):
        if part.geom_type == "Polygon":
            polys.append(part)
        elif part.geom_type in ("MultiPolygon", "GeometryCollection"):
            sub = _polygonal_parts(part)
            polys.extend(getattr(sub, "geoms", [sub]) if not sub.is_empty else [])
    if not polys:
        return Polygon()
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def validate_polygons(features: list[Feature], file_name: str) -> None:
    """Every feature's geometry must be a usable polygon (issue 18, finding 8), in place:

    - only Polygon and MultiPolygon (a Point, LineString or GeometryCollection is refused);
    - every coordinate finite (NaN and infinity are refused);
    - a polygon with zero area is refused;
    - an invalid polygon (self-intersecting, a bow-tie) is repaired with shapely's
      ``make_valid``, keeping only the polygonal parts, with a :class:`DataQualityWarning`
      naming the area; if nothing polygonal with an area is left it is refused.

    Problems name the file, the feature (1-based, as ``row``) and the area's code.
    """
    import shapely

    problems: list[Problem] = []
    for i, f in enumerate(features):
        g = f.geometry
        if g is None:
            continue  # _check_extent reports it
        code = area_label(f.properties)

        def refuse(reason: str, value: object, expected: str, i: int = i, code: str = code) -> None:
            problems.append(
                Problem(
                    file_name,
                    f"feature {i + 1}, area {code}: {reason}",
                    row=i + 1,
                    column="geometry",
                    value=value,
                    expected=expected,
                )
            )

        if g.geom_type not in _POLYGONAL:
            refuse("not a polygon", g.geom_type, "a Polygon or MultiPolygon")
            continue
        coords = shapely.get_coordinates(g)
        if not all(math.isfinite(v) for v in coords.ravel().tolist()):
            refuse("a coordinate is not a finite number", "NaN or infinity", "finite coordinates")
            continue
        if g.is_empty:
            continue  # _check_extent reports it
        if not g.is_valid:
            reason = shapely.is_valid_reason(g)
            repaired = _polygonal_parts(shapely.make_valid(g))
            if repaired.is_empty or repaired.area <= 0:
                refuse(
                    "a polygon with zero area (nothing polygonal left after make_valid)",
                    reason,
                    "a polygon with a positive area",
                )
                continue
            warnings.warn(
                f"{file_name}: feature {i + 1}, area {code}: invalid polygon ({reason}) repaired "
                f"with make_valid (area {g.area:.0f} -> {repaired.area:.0f} m²); check the source",
                DataQualityWarning,
                stacklevel=2,
            )
            f.geometry = g = repaired
        if g.area <= 0:
            refuse("a polygon with zero area", g.area, "a polygon with a positive area")
        if len(problems) >= 50:
            break
    ValidationError.raise_if_any(problems)


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

    doc = load_json(data, file_name)  # strict: no NaN/Infinity, no duplicate keys, bounded depth
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
    crs_doc = doc.get("crs")
    crs_props = crs_doc.get("properties") if isinstance(crs_doc, dict) else None
    crs = crs_props.get("name", "") if isinstance(crs_props, dict) else ""
    if crs_doc is not None and not isinstance(crs_props, dict):
        raise InputError(
            Problem(
                file_name,
                "unreadable coordinate reference system",
                column="crs",
                value=str(crs_doc)[:80],
                expected='{"type": "name", "properties": {"name": "EPSG:3006"}}',
            )
        )
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
        if not isinstance(feat, dict) or not isinstance(feat.get("geometry"), dict):
            problems.append(
                Problem(
                    file_name,
                    "a feature must be an object with a geometry object",
                    row=i + 1,
                    column="geometry",
                    value=type(feat.get("geometry") if isinstance(feat, dict) else feat).__name__,
                    expected="a GeoJSON Feature",
                )
            )
            continue
        try:
            geom = shape(feat["geometry"])
        except RecursionError:
            problems.append(
                Problem(file_name, "geometry nested too deeply", row=i + 1, column="geometry")
            )
            continue
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
    validate_polygons(features, file_name)
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
        shapes = reader.shapes()
        records = reader.records()
    except Exception as exc:  # pyshp raises generic errors for corrupt files
        raise InputError(
            Problem(name, f"cannot read the shapefile ({exc})", expected="a valid ESRI shapefile")
        ) from exc
    if len(shapes) != len(records):
        # pyshp pairs shapes and records by position: a mismatch drops or swaps areas
        raise InputError(
            Problem(
                name,
                "the shapefile's parts disagree on the number of features",
                value=f"{len(shapes)} shapes in .shp, {len(records)} records in .dbf",
                expected="as many records in .dbf as shapes in .shp",
            )
        )
    features = []
    for i, (shp, rec) in enumerate(zip(shapes, records, strict=True)):
        try:
            geom = shape(shp.__geo_interface__) if shp.shapeType != 0 else None
        except Exception as exc:  # pyshp/shapely on a malformed record
            raise InputError(
                Problem(name, f"unreadable shape ({exc})", row=i + 1, column="geometry")
            ) from exc
        features.append(Feature(dict(rec.as_dict()), geom))
    if not features:
        raise InputError(Problem(name, "no features", expected="at least one feature"))
    validate_polygons(features, name)
    _check_extent([f.geometry for f in features], name)
    return GeoFile(name, digest.hexdigest(), features)
