"""``grannskap import FILE...``: detect each file's format and load it in one transaction.

Formats, tried in this order: SCB xlsx export; SCB key file; PxWeb CSV with area labels;
RegSO overview; Police summary of
lists; Police attribute table (csv); SCB csv export; PxWebApi JSON-stat 2; Kolada JSON;
GeoJSON / shapefile (Police polygons, or SCB DeSO/RegSO polygons); programme YAML/TOML.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from grannskap.errors import InputError, Problem, UnknownFormatError, ValidationError
from grannskap.geography.codes import DESO_RE, REGSO_RE, classify_code
from grannskap.ingest import (
    changelog,
    funding_xlsx,
    geo,
    keyfile,
    overview,
    police,
    programme,
    pxweb_csv,
    scb_export,
)
from grannskap.ingest.csvio import read_csv_records
from grannskap.ingest.limits import check_file_size, check_geojson, check_zip
from grannskap.ingest.scb_export import slug
from grannskap.store.changes import load_changelog
from grannskap.store.connection import transaction
from grannskap.store.load import LoadResult, already_imported, load_parsed
from grannskap.store.series import regso_labels

if TYPE_CHECKING:
    import duckdb

    from grannskap.ingest.model import ParsedTable

__all__ = ["import_file", "detect_format"]


def _kommun_by_name(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = con.execute(
        "SELECT code, name FROM area WHERE system = 'kommun' AND name IS NOT NULL"
    ).fetchall()
    out = {name.lower(): code for code, name in rows}
    out.update({slug(name): code for code, name in rows})
    return out


def _known_police(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], str]:
    rows = con.execute(
        "SELECT DISTINCT area_code, name, kommun_code FROM police_classification"
    ).fetchall()
    return {(k or "", slug(n.split("/")[0])): code for code, n, k in rows}


def _is_police_attribute_csv(data: bytes) -> bool:
    head = data[:1000].decode("utf-8-sig", errors="replace").splitlines()[:1]
    return bool(head) and all(c in head[0].split(",") for c in ("NAMN", "KATEGORI", "ORT"))


def _police_attribute_csv(data: bytes, file_name: str) -> geo.GeoFile:
    """An attribute table without geometry, as a GeoFile whose features have no polygons."""
    records = read_csv_records(data, file_name, ("NAMN", "KATEGORI", "ORT"))
    feats = [geo.Feature(row, None) for _, row in records]
    if not feats:
        raise InputError(Problem(file_name, "no rows", expected="one row per police area"))
    return geo.GeoFile(file_name, hashlib.sha256(data).hexdigest(), feats)


def _load_area_polygons(con: duckdb.DuckDBPyConnection, gf: geo.GeoFile) -> LoadResult:
    """SCB DeSO/RegSO polygons: set geometry and centroid of existing (or new) areas."""
    props = gf.features[0].properties
    code_key = next(
        (
            k
            for k, v in props.items()
            if isinstance(v, str) and (DESO_RE.match(v) or REGSO_RE.match(v))
        ),
        None,
    )
    if code_key is None:
        raise UnknownFormatError(
            Problem(
                gf.file_name,
                "no property holds DeSO or RegSO codes",
                expected="Police polygons (NAMN, KATEGORI, ORT) or SCB DeSO/RegSO polygons",
            )
        )
    year_hint = 2025 if "2025" in gf.file_name else None
    problems, rows = [], []
    for i, f in enumerate(gf.features):
        code = str(f.properties.get(code_key, ""))
        system = classify_code(code, year_hint)
        if system not in ("deso2018", "deso2025", "regso2020", "regso2025"):
            problems.append(
                Problem(
                    gf.file_name, "not a DeSO/RegSO code", row=i + 1, column=code_key, value=code
                )
            )
            continue
        name = (
            f.properties.get("regsonamn") or f.properties.get("regso") or f.properties.get("namn")
        )
        c = f.geometry.centroid
        rows.append(
            (
                system,
                code,
                name if isinstance(name, str) and not REGSO_RE.match(name) else None,
                f.geometry.wkb,
                c.x,
                c.y,
            )
        )
    ValidationError.raise_if_any(problems)
    previous = already_imported(con, gf.file_hash)
    if previous is not None:
        return LoadResult(gf.file_name, "geodata", previous, 0, skipped=True)
    with transaction(con):
        import_id = int(
            con.execute(
                "INSERT INTO provenance (source, table_id, title, file_name, file_hash, row_count) "
                "VALUES ('geodata', ?, 'SCB geodata: områdesgränser', ?, ?, ?) RETURNING import_id",
                [rows[0][0], gf.file_name, gf.file_hash, len(rows)],
            ).fetchone()[0]  # type: ignore[index]
        )
        for system, code, name, wkb, x, y in rows:
            con.execute(
                "INSERT INTO area (system, code, name, kommun_code, geometry_wkb, centroid_x, centroid_y, import_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (system, code) DO UPDATE SET "
                "geometry_wkb = excluded.geometry_wkb, centroid_x = excluded.centroid_x, "
                "centroid_y = excluded.centroid_y, name = coalesce(area.name, excluded.name)",
                [system, code, name, code[:4], wkb, x, y, import_id],
            )
    return LoadResult(gf.file_name, "geodata", import_id, len(rows), skipped=False)


def _load_geofile(con: duckdb.DuckDBPyConnection, gf: geo.GeoFile, year: int | None) -> LoadResult:
    if police.is_police_geofile(gf):
        return police.load_police(con, police.police_from_geofile(gf, _kommun_by_name(con), year))
    return _load_area_polygons(con, gf)


def _load_overview(con: duckdb.DuckDBPyConnection, data: bytes, name: str) -> LoadResult:
    parsed, focus = overview.parse_overview(data, name)
    result = load_parsed(con, parsed)
    if not result.skipped and len(focus):
        with transaction(con):
            for r in focus.drop_duplicates("stadsdel").itertuples():
                con.execute(
                    "INSERT OR IGNORE INTO area (system, code, name, kommun_code, import_id) "
                    "VALUES ('stadsdel', ?, ?, ?, ?)",
                    [r.stadsdel, r.stadsdel_name, r.regso[:4], result.import_id],
                )
            for r in focus.itertuples():
                con.execute(
                    "INSERT OR IGNORE INTO crosswalk VALUES ('regso2020', ?, 'stadsdel', ?, 1.0, ?)",
                    [r.regso, r.stadsdel, result.import_id],
                )
                con.execute(
                    "UPDATE area SET name = coalesce(name, ?) WHERE system = 'regso2020' AND code = ?",
                    [r.regso_name, r.regso],
                )
    return result


def detect_format(path: Path, data: bytes) -> str:
    """The name of the format of ``data`` (see module docstring) or raise UnknownFormatError."""
    suffix = path.suffix.lower()
    name = path.name
    if not data and suffix != ".shp":
        raise InputError(Problem(name, "the file is empty", expected="a file with data"))
    if suffix == ".xlsx" or data[:4] == b"PK\x03\x04" and suffix != ".zip":
        return "funding_xlsx" if funding_xlsx.looks_like_funding_xlsx(data) else "scb_xlsx"
    if suffix in (".shp", ".zip"):
        return "shapefile"
    if suffix in (".geojson",):
        return "geojson"
    if suffix in (".yaml", ".yml", ".toml"):
        return "programme"
    if suffix == ".json" or data.lstrip()[:1] in (b"{", b"["):
        try:
            from grannskap.ingest import (
                jsonstat,
                kolada,
            )  # written in parallel; optional until present
        except ImportError:
            jsonstat = kolada = None  # type: ignore[assignment]
        head = data[:4000]
        if b'"FeatureCollection"' in head:
            return "geojson"
        if jsonstat is not None and hasattr(jsonstat, "sniff"):
            kind = jsonstat.sniff(data, name)
            if kind:
                return kind
        if kolada is not None and hasattr(kolada, "sniff"):
            kind = kolada.sniff(data, name)
            if kind:
                return kind
        raise UnknownFormatError(
            Problem(name, "unrecognised JSON", expected="JSON-stat 2, Kolada v3 JSON or GeoJSON")
        )
    if suffix in (".csv", ".txt", ".tsv") or not suffix:
        if keyfile.looks_like_keyfile(data):
            return "keyfile"
        if pxweb_csv.looks_like_pxweb_csv(data):
            return "pxweb_csv"
        if changelog.looks_like_changelog(data):
            return "changelog"
        if overview.looks_like_overview(data):
            return "overview"
        if police.looks_like_police_summary(data):
            return "police_summary"
        if _is_police_attribute_csv(data):
            return "police_csv"
        return "scb_csv"
    raise UnknownFormatError(
        Problem(
            name,
            f"unknown file type '{suffix or '(none)'}'",
            expected=".xlsx, .csv, .json, .geojson, .shp/.zip, .yaml or .toml",
        )
    )


def import_file(
    con: duckdb.DuckDBPyConnection, path: Path, *, year: int | None = None
) -> LoadResult:
    """Import one file (format detected) in one transaction; idempotent on the file's content."""
    path = Path(path)
    if not path.exists():
        raise InputError(Problem(str(path), "no such file"))
    if path.is_dir():
        raise InputError(Problem(str(path), "is a directory", expected="a file"))
    check_file_size(path)  # limits before any parser (issue 18; grannskap.ingest.limits)
    data = path.read_bytes() if path.suffix.lower() != ".shp" else b""
    check_zip(data, path.name)
    if path.suffix.lower() in (".geojson", ".json"):
        check_geojson(data, path.name)
    kind = detect_format(path, data)
    name = path.name
    loaders: dict[str, Callable[[], LoadResult]] = {
        "scb_xlsx": lambda: load_parsed(con, scb_export.parse_scb_xlsx(data, name)),
        "funding_xlsx": lambda: funding_xlsx.load_funding_xlsx(
            con, funding_xlsx.parse_funding_xlsx(data, name)
        ),
        "scb_csv": lambda: load_parsed(con, scb_export.parse_scb_csv(data, name)),
        "keyfile": lambda: keyfile.load_keyfile(con, keyfile.parse_keyfile(data, name)),
        "changelog": lambda: load_changelog(con, changelog.parse_changelog(data, name)),
        "pxweb_csv": lambda: load_parsed(
            con, pxweb_csv.parse_pxweb_csv(data, name, regso_labels(con))
        ),
        "overview": lambda: _load_overview(con, data, name),
        "police_summary": lambda: police.load_police(
            con, police.parse_police_summary(data, name, _known_police(con), _kommun_by_name(con))
        ),
        "police_csv": lambda: police.load_police(
            con,
            police.police_from_geofile(
                _police_attribute_csv(data, name), _kommun_by_name(con), year
            ),
        ),
        "geojson": lambda: _load_geofile(con, geo.read_geojson(data, name), year),
        "shapefile": lambda: _load_geofile(con, geo.read_shapefile(path), year),
        "programme": lambda: programme.load_programme(con, programme.parse_programme(data, name)),
    }
    if kind in loaders:
        return loaders[kind]()
    from grannskap.ingest import jsonstat, kolada

    parsers: dict[str, Callable[[bytes, str], ParsedTable]] = {
        "jsonstat2": jsonstat.parse_jsonstat2,
        "kolada": kolada.parse_kolada,
    }
    parser = parsers.get(kind)
    if parser is None:
        raise UnknownFormatError(Problem(name, f"no importer for format {kind!r}"))
    return load_parsed(con, parser(data, name))
