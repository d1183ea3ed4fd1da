"""Geometry and programme-file validation on import (issue 18, findings 8 and 9).

Each case is an attack from the issue; before this change every one of them was stored
(Point/LineString/GeometryCollection/zero-area/bow-tie "polygons") or gave a traceback
(a string ``crs``, NaN coordinates, wrong types in a programme file).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from grannskap.errors import DataQualityWarning, GrannskapError, InputError
from grannskap.ingest.geo import read_geojson
from grannskap.ingest.importer import import_file
from grannskap.ingest.programme import parse_programme
from grannskap.store import connect

X, Y = 400_000.0, 6_400_000.0
SQUARE = [[X, Y], [X + 100, Y], [X + 100, Y + 100], [X, Y + 100], [X, Y]]
BOWTIE = [[X, Y], [X + 100, Y + 100], [X + 100, Y], [X, Y + 100], [X, Y]]
FLAT = [[X, Y], [X + 100, Y], [X + 200, Y], [X, Y]]


def _fc(geometry: object, code: str = "1490C1010") -> bytes:
    feature = {"type": "Feature", "properties": {"deso": code}, "geometry": geometry}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


@pytest.mark.parametrize(
    "geometry, kind",
    [
        ({"type": "Point", "coordinates": [X, Y]}, "Point"),
        ({"type": "LineString", "coordinates": [[X, Y], [X + 1, Y + 1]]}, "LineString"),
        (
            {
                "type": "GeometryCollection",
                "geometries": [{"type": "Point", "coordinates": [X, Y]}],
            },
            "GeometryCollection",
        ),
    ],
)
def test_non_polygons_are_refused_naming_feature_and_area(geometry: object, kind: str) -> None:
    with pytest.raises(GrannskapError) as err:
        read_geojson(_fc(geometry), "f.geojson")
    line = err.value.lines()[0]
    assert "f.geojson" in line and "feature 1" in line and "1490C1010" in line and kind in line


def test_zero_area_polygon_is_refused() -> None:
    with pytest.raises(GrannskapError, match="zero area"):
        read_geojson(_fc({"type": "Polygon", "coordinates": [FLAT]}), "f.geojson")


def test_self_intersecting_polygon_is_repaired_with_a_warning() -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        gf = read_geojson(_fc({"type": "Polygon", "coordinates": [BOWTIE]}), "f.geojson")
    geom = gf.features[0].geometry
    assert geom.is_valid and geom.geom_type in ("Polygon", "MultiPolygon")
    assert geom.area == pytest.approx(5000.0)  # two triangles, 2 x (100 x 50 / 2)
    msgs = [str(w.message) for w in seen if issubclass(w.category, DataQualityWarning)]
    assert any("1490C1010" in m and "make_valid" in m for m in msgs)


def test_nan_and_infinite_coordinates_are_refused() -> None:
    nan = _fc({"type": "Polygon", "coordinates": [SQUARE]}).replace(b"400100.0", b"NaN", 1)
    inf = _fc({"type": "Polygon", "coordinates": [SQUARE]}).replace(b"400100.0", b"1e999999", 1)
    for data in (nan, inf):
        with pytest.raises(GrannskapError, match="finite"):
            read_geojson(data, "f.geojson")


def test_a_string_crs_is_an_error_not_a_traceback() -> None:
    doc = json.loads(_fc({"type": "Polygon", "coordinates": [SQUARE]}))
    doc["crs"] = "EPSG:3006"
    with pytest.raises(InputError, match="coordinate reference system"):
        read_geojson(json.dumps(doc).encode(), "f.geojson")


def test_shp_dbf_record_count_mismatch_is_refused(tmp_path: Path) -> None:
    import shapefile

    base = tmp_path / "areas"
    with shapefile.Writer(str(base), shapeType=shapefile.POLYGON) as w:
        w.field("deso", "C")
        for k in range(2):
            ring = [[x + 200 * k, y] for x, y in SQUARE]
            w.poly([ring[::-1]])
            w.record(f"1490C101{k}")
    base.with_suffix(".prj").write_text('PROJCS["SWEREF99_TM"]')
    with shapefile.Writer(str(tmp_path / "one"), shapeType=shapefile.POLYGON) as w1:
        w1.field("deso", "C")
        w1.poly([[[x, y] for x, y in SQUARE][::-1]])
        w1.record("1490C1010")
    (tmp_path / "one.dbf").replace(base.with_suffix(".dbf"))  # 2 shapes, 1 record
    with pytest.raises(InputError) as err:
        import_file(connect(":memory:"), base.with_suffix(".shp"))
    assert "2 shapes" in str(err.value) and "1 records" in str(err.value)


_PROG = """programme: {id: p, name: P, kommun: "1490"}
malomraden: [{id: M1, name_sv: A}]
"""


@pytest.mark.parametrize(
    "extra, field",
    [
        ("stadsdelar: [{code: s, name: S, regso: ['9999R001']}]", "stadsdelar[0].regso[0]"),
        ("stadsdelar: [{code: s, name: S, regso: ['banana']}]", "stadsdelar[0].regso[0]"),
        (
            "interventions: [{id: i, name: I, areas: [{system: galaxy, code: x}]}]",
            "interventions[0].areas[0].system",
        ),
        ("interventions: [{id: i, name: I, start_year: [1]}]", "interventions[0].start_year"),
        ("funding: [{grant: {amount: .nan}}]", "funding[0].grant.amount"),
        ("funding: [{grant: {amount: 1e999999999}}]", "funding[0].grant.amount"),
        ("funding: [{grant: [1, 2]}]", "funding[0].grant"),
        ("effektmal: [{id: E, name_sv: e, malomrade: [M1]}]", "effektmal[0].malomrade"),
        ("effektmal: 7", "effektmal"),
    ],
)
def test_malformed_programme_values_name_the_field(extra: str, field: str) -> None:
    with pytest.raises(GrannskapError) as err:
        parse_programme((_PROG + extra + "\n").encode(), "p.yaml")
    assert any(field in line for line in err.value.lines()), err.value.lines()


def test_deeply_nested_programme_is_one_error() -> None:
    deep = _PROG + "funding: " + "[" * 3000 + "]" * 3000 + "\n"
    with pytest.raises(GrannskapError):
        parse_programme(deep.encode(), "p.yaml")
