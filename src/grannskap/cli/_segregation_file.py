"""``grannskap segregation --input FILE``: every segregation index on the user's own data.

FILE is a CSV (one row per unit with counts; optional x/y columns in a projected CRS) or a
GeoPackage / GeoJSON / shapefile of polygons (read with pyogrio; the CRS comes from the file).
The indices are those of :mod:`grannskap.measures.segregation.registry` (our names or PySAL's
class names, case-insensitive); the output CSV has the columns of the database mode.

Nothing is computed here: the file is read and checked, the counts and geometry are handed to
the registry. Geographic coordinates (degrees) are refused for distance-based indices with a
suggestion (``--to-crs EPSG:3006`` or the UTM zone estimated for the file; reprojection needs
``pyproj``, the ``[geo]`` extra). Coordinates outside Sweden are fine here.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_file_arguments", "run_on_file"]

_GEO_SUFFIXES = (".gpkg", ".geojson", ".json", ".shp", ".zip", ".fgb")


def add_file_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the ``--input`` options (and let ``--index`` take PySAL's names too)."""
    for action in parser._actions:
        if action.dest == "index":
            action.choices = None  # file mode takes PySAL names too; checked when resolved
    g = parser.add_argument_group("on your own file (instead of the database)")
    g.add_argument(
        "--input",
        metavar="FILE",
        help="CSV (units with counts, optional x/y) or GeoPackage/GeoJSON/shapefile of polygons; "
        "--index then takes every PySAL index, by our name or PySAL's class name",
    )
    g.add_argument(
        "--group-columns",
        metavar="A,B,C",
        help="count columns of the groups (the first is the focal group of two-group indices)",
    )
    g.add_argument(
        "--total-column",
        metavar="T",
        help="total population column: the first group column is then compared with T minus it",
    )
    g.add_argument("--unit-column", metavar="U", help="unit identifier column (must be unique)")
    g.add_argument("--x-column", default="x", help="CSV: x / easting column (default x)")
    g.add_argument("--y-column", default="y", help="CSV: y / northing column (default y)")
    g.add_argument(
        "--crs", help="CRS of a file without one (e.g. a shapefile without .prj), e.g. EPSG:4326"
    )
    g.add_argument(
        "--to-crs",
        help="reproject before computing, e.g. EPSG:3006, or 'utm' for the estimated UTM zone "
        "(needs pyproj: pip install 'grannskap[geo]')",
    )
    g.add_argument("--layer", help="layer of a GeoPackage with several")


def _problem(file: str, reason: str, **kw: Any) -> Any:
    from grannskap.errors import Problem, UserFileError

    return UserFileError(Problem(file, reason, **kw))


# ----------------------------------------------------------------------------------- reading
def _read_table(path: Path, layer: str | None) -> tuple[Any, Any, str | None]:
    """(frame of attributes, array of shapely geometries or None, CRS string or None)."""
    import pandas as pd

    if not path.exists():
        raise _problem(str(path), "file not found", expected="an existing CSV or geodata file")
    suffix = path.suffix.lower()
    if suffix not in _GEO_SUFFIXES:
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False), None, None
        except (pd.errors.ParserError, UnicodeDecodeError) as exc:
            raise _problem(path.name, f"cannot read as CSV ({exc})", expected="a CSV file") from exc
    import numpy as np
    import pyogrio.raw
    import shapely

    try:
        meta, _, wkb, fields = pyogrio.raw.read(str(path), layer=layer)
    except Exception as exc:  # GDAL errors come in several classes
        raise _problem(
            path.name, f"cannot read the geodata ({exc})", expected="GeoPackage/GeoJSON/shapefile"
        ) from exc
    frame = pd.DataFrame({str(n): f for n, f in zip(meta["fields"], fields, strict=True)})
    geoms = shapely.from_wkb(wkb) if wkb is not None else np.full(len(frame), None, dtype=object)
    return frame, np.asarray(geoms, dtype=object), meta.get("crs")


def _crs_info(crs: str | None) -> tuple[bool | None, str]:
    """(is geographic, readable name) of a CRS string; None when unknown without pyproj."""
    if not crs:
        return None, "no CRS"
    try:
        from pyproj import CRS
    except ImportError:
        code = crs.upper().replace(" ", "")
        return (code in {"EPSG:4326", "EPSG:4258", "EPSG:4269", "OGC:CRS84"} or None), crs
    c = CRS.from_user_input(crs)
    name = f"{c.to_string()} ({c.name})" if c.name not in c.to_string() else c.to_string()
    return bool(c.is_geographic), name


def _estimate_utm(geoms: Any, crs: str) -> str:
    import shapely
    from pyproj import CRS, Transformer

    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    tr = Transformer.from_crs(CRS.from_user_input(crs), "EPSG:4326", always_xy=True)
    lon, lat = tr.transform((minx + maxx) / 2.0, (miny + maxy) / 2.0)
    zone = int(math.floor((lon + 180.0) / 6.0)) % 60 + 1
    return f"EPSG:{32600 + zone if lat >= 0 else 32700 + zone}"


def _reproject(geoms: Any, crs: str | None, to: str, name: str) -> tuple[Any, str]:
    import numpy as np

    from grannskap._compat import import_optional_dependency

    import_optional_dependency("pyproj", "geo")
    import shapely
    from pyproj import Transformer

    if not crs:
        raise _problem(
            name,
            "the file has no CRS, so it cannot be reprojected",
            expected="--crs, e.g. EPSG:4326",
        )
    target = _estimate_utm(geoms, crs) if to.lower() == "utm" else to
    tr = Transformer.from_crs(crs, target, always_xy=True)
    return shapely.transform(
        geoms, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1]))
    ), target


# ---------------------------------------------------------------------------------- checking
def _column(frame: Any, col: str, name: str, what: str) -> None:
    if col not in frame.columns:
        raise _problem(
            name,
            f"{what} column not found",
            column=col,
            value=col,
            expected=f"one of {list(frame.columns)[:30]}",
        )


def _numeric(frame: Any, col: str, units: list[str], name: str) -> Any:
    import pandas as pd

    raw = frame[col]
    values = pd.to_numeric(raw.astype(str).str.strip().replace("", None), errors="coerce")
    for i in range(len(values)):
        v = values.iloc[i]
        where = {"row": i + 2 if name.lower().endswith(".csv") else i + 1, "column": col}
        if pd.isna(v):
            raise _problem(
                name,
                "non-numeric count",
                value=f"unit {units[i]}: {raw.iloc[i]!r}",
                expected="a whole number of persons >= 0",
                **where,
            )
        if v < 0:
            raise _problem(
                name,
                "negative count",
                value=f"unit {units[i]}: {v:g}",
                expected="a count >= 0",
                **where,
            )
        if v != round(v):
            raise _problem(
                name,
                "non-integer count",
                value=f"unit {units[i]}: {v:g}",
                expected="a whole number of persons",
                **where,
            )
    return values.astype("float64")


def _counts(args: argparse.Namespace, frame: Any, name: str) -> tuple[Any, list[str], list[str]]:
    """The areas x groups table, the unit labels and the group names (focal group first)."""
    import numpy as np
    import pandas as pd

    groups = [c.strip() for c in (args.group_columns or "").split(",") if c.strip()]
    if not groups:
        raise _problem(name, "no group columns given", expected="--group-columns A,B[,C...]")
    if not args.total_column and len(groups) < 2:
        raise _problem(
            name,
            "fewer than two groups",
            value=groups,
            expected="two or more --group-columns, or one with --total-column",
        )
    if len(set(groups)) != len(groups):
        raise _problem(
            name, "a group column given twice", value=groups, expected="distinct columns"
        )
    if args.unit_column:
        _column(frame, args.unit_column, name, "unit")
        units = [str(u) for u in frame[args.unit_column]]
        seen: dict[str, int] = {}
        for i, u in enumerate(units):
            if u in seen:
                raise _problem(
                    name,
                    "a unit appears twice",
                    row=i + 2 if name.lower().endswith(".csv") else i + 1,
                    column=args.unit_column,
                    value=u,
                    expected=f"one row per unit (first at row {seen[u]})",
                )
            seen[u] = i + 2 if name.lower().endswith(".csv") else i + 1
    else:
        units = [str(i + 1) for i in range(len(frame))]
    for g in groups + ([args.total_column] if args.total_column else []):
        _column(frame, g, name, "count")
    if len(frame) == 0:
        raise _problem(name, "no units", expected="at least one row")
    data = {g: _numeric(frame, g, units, name) for g in groups}
    table = pd.DataFrame(data)
    table.index = pd.Index(units, name=args.unit_column or "unit")
    if args.total_column:
        total = _numeric(frame, args.total_column, units, name)
        rest = total.to_numpy() - table.to_numpy().sum(axis=1)
        bad = np.nonzero(rest < 0)[0]
        if bad.size:
            i = int(bad[0])
            raise _problem(
                name,
                "total smaller than its group(s)",
                row=i + 2 if name.lower().endswith(".csv") else i + 1,
                column=args.total_column,
                value=f"unit {units[i]}: {total.iloc[i]:g} < {table.iloc[i].sum():g} "
                f"({' + '.join(groups)})",
                expected="total >= the sum of the group columns",
            )
        if rest.sum() > 0 or len(groups) == 1:  # no empty "other" group (it would be K + 1)
            table[f"other than {'+'.join(groups)}"] = rest
    return table, units, list(table.columns)


def _xy(args: argparse.Namespace, frame: Any, units: list[str], name: str) -> Any:
    if args.x_column not in frame.columns or args.y_column not in frame.columns:
        return None
    import numpy as np
    import pandas as pd

    out = []
    for col in (args.x_column, args.y_column):
        v = pd.to_numeric(frame[col].astype(str).str.strip(), errors="coerce")
        bad = np.nonzero(~np.isfinite(v.to_numpy(dtype="float64")))[0]
        if bad.size:
            i = int(bad[0])
            raise _problem(
                name,
                "missing or non-numeric coordinate",
                row=i + 2,
                column=col,
                value=f"unit {units[i]}: {frame[col].iloc[i]!r}",
                expected="a number",
            )
        out.append(v.to_numpy(dtype="float64"))
    return np.column_stack(out)


def _check_projected(crs: str | None, coords: Any, name: str, index: str, geoms: Any) -> None:
    """Refuse geographic coordinates (degrees) for a distance-based index."""
    import numpy as np

    geographic, crs_name = _crs_info(crs)
    if geographic is None and coords is not None and coords.size:
        geographic = bool(
            np.all(np.abs(coords[:, 0]) <= 180) and np.all(np.abs(coords[:, 1]) <= 90)
        )
        crs_name = crs_name if crs else "no CRS, coordinates look like degrees"
    if not geographic:
        return
    hint = "--to-crs EPSG:3006 (Sweden) or --to-crs utm"
    if not crs:
        hint = "--crs EPSG:4326 (the file declares none) and " + hint
    try:
        if geoms is not None and crs:
            hint += f" (here {_estimate_utm(geoms, crs)})"
    except Exception:  # noqa: BLE001 - only a hint
        pass
    raise _problem(
        name,
        f"{index} measures distances or areas, but the coordinates are geographic",
        value=crs_name,
        expected=f"a projected CRS in metres: reproject with {hint}",
    )


# ------------------------------------------------------------------------------------ running
def run_on_file(args: argparse.Namespace) -> int:
    """Compute the requested indices on ``args.input`` and write the CSV ``args.out``."""
    import warnings

    import pandas as pd

    from grannskap.errors import ConfigError, GrannskapWarning
    from grannskap.measures.segregation import registry
    from grannskap.measures.segregation.geometry import area_geometry

    if getattr(args, "kommun", None) or getattr(args, "decompose", False):
        raise ConfigError("`--kommun` and `--decompose` need the database; not with `--input`")
    if not (args.ci == 0 or 0 < args.ci < 1):
        raise ConfigError(f"`--ci` was {args.ci} but is expected to be 0 or between 0 and 1")
    if args.n_boot < 2 or args.n_sim < 0:
        raise ConfigError(
            f"`--n-boot` must be >= 2 and `--n-sim` >= 0 (got {args.n_boot}, {args.n_sim})"
        )
    distances: list[float | None] = [None, *sorted(set(args.distance or []))]
    if any(d is not None and not d > 0 for d in distances):
        raise ConfigError(f"`--distance` must be positive (got {args.distance})")
    path = Path(args.input)
    name = path.name
    frame, geoms, crs = _read_table(path, args.layer)
    crs = crs or args.crs
    table, units, group_names = _counts(args, frame, name)
    geo = None
    coords = None
    if geoms is not None:
        if args.to_crs:
            geoms, crs = _reproject(geoms, crs, args.to_crs, name)
        geo = area_geometry(geoms, labels=units, name=name)
    else:
        coords = _xy(args, frame, units, name)
        if args.to_crs:
            raise ConfigError("`--to-crs` reprojects polygons; give CSV x/y already projected")
    specs = [registry.resolve_index(i) for i in (args.index or _default_indices(geo, table))]
    rows: list[dict[str, Any]] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", GrannskapWarning)
        for spec in specs:
            counts = table
            for distance in distances:
                if distance is not None and not spec.spatial_implicit:
                    continue
                if spec.needs_polygons and geo is None:
                    raise _problem(
                        name,
                        f"{spec.name} ({spec.pysal}) needs polygons",
                        expected="a GeoPackage, GeoJSON or shapefile instead of a CSV",
                    )
                if distance is not None and coords is None and geo is None:
                    raise _problem(
                        name,
                        f"--distance needs the units' coordinates for {spec.name}",
                        column=f"{args.x_column}/{args.y_column}",
                        expected=f"x/y columns ({args.x_column}, {args.y_column}: projected "
                        "metres; see --x-column/--y-column) or polygons",
                    )
                if spec.needs_polygons or distance is not None:
                    pts = coords if coords is not None else geo.centroids  # type: ignore[union-attr]
                    _check_projected(crs, pts, name, spec.name, geoms)
                rows.append(
                    _row(registry, spec, counts, geo, coords, distance, args, name, group_names)
                )
    for w in caught:
        print(f"grannskap: warning: {w.message}", file=sys.stderr)
    from grannskap.cli.segregation import COLUMNS, write_chart
    from grannskap.outputs import write_csv  # atomic, no formulas from data (issue 18)

    out = pd.DataFrame(rows, columns=list(COLUMNS))
    write_csv(out, args.out)
    print(f"wrote {len(out)} row(s) to {args.out}")
    write_chart(out, args)
    return 0


def _default_indices(geo: Any, table: Any) -> list[str]:
    return ["dissimilarity", "isolation", "theil_h", "mutual_information"]


def _row(
    registry: Any,
    spec: Any,
    counts: Any,
    geo: Any,
    coords: Any,
    distance: float | None,
    args: argparse.Namespace,
    name: str,
    group_names: list[str],
) -> dict[str, Any]:
    import warnings

    from grannskap.errors import EstimationWarning

    kw: dict[str, Any] = {"geometry": geo, "coords": coords, "distance": distance}
    if args.ci and spec.bootstrap:
        r = registry.bootstrap(
            spec.name,
            counts,
            n_boot=args.n_boot,
            level=args.ci,
            method=args.ci_method,
            seed=args.seed,
            **kw,
        )
    else:
        if args.ci:
            warnings.warn(
                f"{spec.name}: no bootstrap interval (one optimisation per area and replicate)",
                EstimationWarning,
                stacklevel=1,
            )
        r = registry.evaluate(spec.name, counts, **kw)
    expected = (
        registry.expected_random(spec.name, counts, n_sim=args.n_sim, seed=args.seed, **kw)
        if args.n_sim
        else float("nan")
    )
    return {
        "scope": name,
        "level": args.unit_column or "unit",
        "groups": ",".join(group_names),
        "focal_group": group_names[0],
        "year": args.year[0] if args.year and len(args.year) == 1 else None,
        "index": spec.name,
        "distance_m": 0.0 if distance is None else distance,
        "statistic": r.statistic,
        "ci_low": r.ci_low,
        "ci_high": r.ci_high,
        "ci_level": r.ci_level,
        "ci_method": args.ci_method if r.ci_level else None,
        "ci_for": getattr(r, "interval_for", None),
        "se": r.se,
        "bias_corrected": r.bias_corrected,
        "expected_random": expected,
        "n_areas": r.n_areas,
        "n_persons": int(r.n_persons),
        "estimate": "level",
        "year_from": None,
        "p_value": None,
        "source": name,
    }
