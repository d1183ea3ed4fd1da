"""areas.gpkg: area results for QGIS, written with the standard library's ``sqlite3``.

Follows OGC GeoPackage 1.3 (OGC 12-128r18): ``application_id`` 'GPKG', ``user_version``
10300, the required ``gpkg_spatial_ref_sys`` rows, ``gpkg_contents`` and
``gpkg_geometry_columns``, and geometry blobs as the GeoPackage binary header + WKB.

Layers: ``police_areas`` (polygons, EPSG:3006, the only boundaries in the demo database) and
attribute tables ``regso`` and ``deso`` with the key indicators (no geometry in the demo
database: join them in QGIS to SCB's DeSO/RegSO layers on ``regso``/``deso`` code). When
``area.geometry_wkb`` holds RegSO polygons, ``regso`` becomes a polygon layer instead.
"""

from __future__ import annotations

import sqlite3
import struct
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grannskap.report.context import ReportContext
from grannskap.report.data import KEY_INDICATORS, area_shares, stadsdel_crosswalk
from grannskap.report.sections import _common

__all__ = ["write_gpkg", "gpkg_geometry", "SWEREF99TM_WKT"]

SWEREF99TM_WKT = (
    'PROJCS["SWEREF99 TM",GEOGCS["SWEREF99",DATUM["SWEREF99",SPHEROID["GRS 1980",6378137,298.257222101]],'
    'PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],'
    'PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",15],PARAMETER["scale_factor",0.9996],'
    'PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1],'
    'AUTHORITY["EPSG","3006"]]'
)
_WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],'
    'UNIT["degree",0.0174532925199433],AUTHORITY["EPSG","4326"]]'
)


def gpkg_geometry(geom: Any, srs_id: int = 3006) -> bytes:
    """GeoPackage binary geometry: header (magic, version, flags, srs_id, xy envelope) + WKB."""
    from shapely import to_wkb

    minx, miny, maxx, maxy = geom.bounds
    flags = 0b0000_0011  # little endian, envelope [minx, maxx, miny, maxy]
    header = (
        b"GP"
        + bytes([0, flags])
        + struct.pack("<i", srs_id)
        + struct.pack("<4d", minx, maxx, miny, maxy)
    )
    return header + to_wkb(geom, byte_order=1)


def _base(con: sqlite3.Connection) -> None:
    con.execute("PRAGMA application_id = 1196444487")  # 'GPKG'
    con.execute("PRAGMA user_version = 10300")
    con.executescript(
        """
        CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
          organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
          definition TEXT NOT NULL, description TEXT);
        CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
          identifier TEXT UNIQUE, description TEXT DEFAULT '',
          last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
          min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
          CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
        CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
          geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
          CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
          CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
          CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
        """
    )
    con.executemany(
        "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
        [
            (
                "Undefined cartesian SRS",
                -1,
                "NONE",
                -1,
                "undefined",
                "undefined cartesian coordinate reference system",
            ),
            (
                "Undefined geographic SRS",
                0,
                "NONE",
                0,
                "undefined",
                "undefined geographic coordinate reference system",
            ),
            (
                "WGS 84 geodetic",
                4326,
                "EPSG",
                4326,
                _WGS84_WKT,
                "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
            ),
            ("SWEREF99 TM", 3006, "EPSG", 3006, SWEREF99TM_WKT, "Sweden, SWEREF 99 TM"),
        ],
    )


def _sql_type(series: pd.Series) -> str:
    if pd.api.types.is_integer_dtype(series):
        return "INTEGER"
    if pd.api.types.is_float_dtype(series):
        return "REAL"
    return "TEXT"


def _py(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and np.isnan(v):
        return None
    if hasattr(v, "item"):
        v = v.item()
    if isinstance(v, float) and np.isnan(v):
        return None
    return v if isinstance(v, int | float | str | bytes) else (None if pd.isna(v) else str(v))


def _attributes(con: sqlite3.Connection, name: str, frame: pd.DataFrame, description: str) -> None:
    cols = ", ".join(f'"{c}" {_sql_type(frame[c])}' for c in frame.columns)
    con.execute(f'CREATE TABLE "{name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, {cols})')
    ph = ", ".join("?" for _ in frame.columns)
    names = ", ".join(f'"{c}"' for c in frame.columns)
    con.executemany(
        f'INSERT INTO "{name}" ({names}) VALUES ({ph})',
        [[_py(v) for v in r] for r in frame.itertuples(index=False)],
    )
    con.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description) VALUES (?, 'attributes', ?, ?)",
        [name, name, description],
    )


def _features(
    con: sqlite3.Connection,
    name: str,
    frame: pd.DataFrame,
    geoms: list[Any],
    gtype: str,
    description: str,
) -> None:
    cols = ", ".join(f'"{c}" {_sql_type(frame[c])}' for c in frame.columns)
    con.execute(
        f'CREATE TABLE "{name}" (fid INTEGER PRIMARY KEY AUTOINCREMENT, geom {gtype}, {cols})'
    )
    ph = ", ".join("?" for _ in range(len(frame.columns) + 1))
    names = ", ".join(f'"{c}"' for c in frame.columns)
    con.executemany(
        f'INSERT INTO "{name}" (geom, {names}) VALUES ({ph})',
        [
            [gpkg_geometry(g), *[_py(v) for v in r]]
            for g, r in zip(geoms, frame.itertuples(index=False), strict=True)
        ],
    )
    b = np.array([g.bounds for g in geoms])
    con.execute(
        "INSERT INTO gpkg_contents VALUES (?, 'features', ?, ?, ?, ?, ?, ?, ?, 3006)",
        [
            name,
            name,
            description,
            datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            float(b[:, 0].min()),
            float(b[:, 1].min()),
            float(b[:, 2].max()),
            float(b[:, 3].max()),
        ],
    )
    con.execute(
        "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 3006, 0, 0)", [name, gtype]
    )


def _shares(shares: pd.DataFrame, by: str) -> pd.DataFrame:
    """Wide ``<indicator>_pct`` columns of one level of :func:`area_shares` (primary and
    secondary suppression already applied: the layers hold RegSO and their DeSO together)."""
    s = shares[shares["level"] == by].rename(columns={"code": by})
    wide = s.pivot(index=by, columns="indicator", values="percent")
    return (
        wide[[k.key for k in KEY_INDICATORS if k.key in wide.columns]]
        .add_suffix("_pct")
        .reset_index()
    )


def write_gpkg(ctx: ReportContext, path: Path) -> Path:
    """Write ``areas.gpkg`` for the report's kommun (overwrites an existing file)."""
    from shapely import wkb
    from shapely.geometry import MultiPolygon, Polygon

    path.unlink(missing_ok=True)
    counts = _common.counts(ctx)
    own = counts[counts["kommun"] == ctx.kommun]
    rg = _common.regso(ctx)
    keep = ["regso", "name", "stadsdel", "population"] + [
        c for c in rg.columns if c.startswith("typ_")
    ]
    shares = ctx.cached(
        "area_shares",
        lambda: area_shares(
            counts, ctx.kommun, stadsdel_crosswalk(ctx.con, ctx.kommun), ctx.threshold
        ),
    )
    regso = rg[keep].merge(_shares(shares, "regso"), on="regso", how="left")
    regso.insert(2, "year", ctx.year)
    deso = _shares(shares, "deso").merge(
        own[["deso", "regso"]].drop_duplicates(), on="deso", how="left"
    )
    deso.insert(1, "year", ctx.year)
    police = ctx.con.execute(
        "SELECT g.area_code, a.name, g.year AS boundary_year, g.geometry_wkb, "
        "(SELECT string_agg(p.year || ': ' || p.category, '; ' ORDER BY p.year) FROM police_classification p "
        " WHERE p.area_code = g.area_code) AS classification_history "
        "FROM police_area_geometry g JOIN area a ON a.system = 'police' AND a.code = g.area_code "
        "WHERE a.kommun_code = ? ORDER BY g.area_code, g.year",
        [ctx.kommun],
    ).df()
    con = sqlite3.connect(path)
    try:
        _base(con)
        geo = ctx.con.execute(
            "SELECT code, geometry_wkb FROM area WHERE system = 'regso2020' AND kommun_code = ? AND geometry_wkb IS NOT NULL",
            [ctx.kommun],
        ).df()
        if len(geo) == len(regso) and len(geo) > 0:
            gmap = {
                c: wkb.loads(bytes(g))
                for c, g in zip(geo["code"], geo["geometry_wkb"], strict=True)
            }
            geoms = [
                gmap[c] if isinstance(gmap[c], MultiPolygon) else MultiPolygon([gmap[c]])
                for c in regso["regso"]
            ]
            _features(
                con, "regso", regso, geoms, "MULTIPOLYGON", f"RegSO key indicators {ctx.year} (SCB)"
            )
        else:
            _attributes(
                con,
                "regso",
                regso,
                f"RegSO key indicators {ctx.year} (SCB); no geometry in the database - join on 'regso' to SCB's RegSO layer",
            )
        _attributes(
            con,
            "deso",
            deso,
            f"DeSO key indicators {ctx.year} (SCB); no geometry in the database - join on 'deso' to SCB's DeSO layer",
        )
        if not police.empty:
            geoms = []
            for g in police["geometry_wkb"]:
                shape = wkb.loads(bytes(g))
                geoms.append(MultiPolygon([shape]) if isinstance(shape, Polygon) else shape)
            _features(
                con,
                "police_areas",
                police.drop(columns=["geometry_wkb"]),
                geoms,
                "MULTIPOLYGON",
                "Police vulnerable areas with classification history (Polisen)",
            )
        con.commit()
    finally:
        con.close()
    return path
