"""areas.gpkg: the report's area results for QGIS, written with GDAL through pyogrio.

Every layer is written by GDAL's GPKG driver (OGC GeoPackage 1.3, EPSG:3006 SWEREF 99 TM) with
an R-tree spatial index on each geometry column. Attribute names are Swedish and documented
in the layer ``faltbeskrivning`` (layer, field, description) inside the file and in
``docs/gpkg.md``.

Layers (feature layers where the database holds the boundaries):

* ``regso`` - RegSO with key indicators, population and *områdestyp* (polygons when RegSO
  boundaries are imported; the demo ships Borås' RegSO 2025 boundaries);
* ``stadsdel`` - the kommun's own districts as the union of their RegSO polygons (when a
  RegSO → stadsdel key and RegSO boundaries exist);
* ``deso`` - DeSO with key indicators (polygons when DeSO boundaries are imported, else an
  attribute table to join on ``deso``);
* ``polisens_omraden`` - the Police's areas with their classification history;
* ``faltbeskrivning`` - what every field means.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from grannskap.report.context import ReportContext
from grannskap.report.data import KEY_INDICATORS, area_shares, stadsdel_crosswalk
from grannskap.report.sections import _common

__all__ = ["write_gpkg", "FIELD_DESCRIPTIONS", "LAYERS"]

LAYERS = ("regso", "stadsdel", "deso", "polisens_omraden", "faltbeskrivning")

#: Field descriptions (Swedish, as the attribute names); ``<indikator>_pct`` and
#: ``omradestyp_<år>`` are expanded per indicator/year in :func:`_descriptions`.
FIELD_DESCRIPTIONS: dict[str, str] = {
    "regso": "RegSO-kod (SCB, RegSO 2020)",
    "regsonamn": "RegSO-områdets namn (SCB)",
    "deso": "DeSO-kod (SCB, DeSO 2018)",
    "stadsdel": "kommunens stadsdel (kod)",
    "stadsdelsnamn": "kommunens stadsdel (namn)",
    "år": "statistikår",
    "folkmängd": "folkmängd (SCB 000005FE); tom där den är skyddad",
    "gränser": "gränsernas årgång (t.ex. RegSO 2025; koderna är desamma som RegSO 2020)",
    "omradeskod": "polisens områdeskod i grannskap",
    "namn": "områdets namn enligt polisen",
    "gränsår": "året för listan som gränsen kommer från",
    "klassning": "polisens klassning per lista (år: kategori)",
}


def _descriptions(layer: str, columns: list[str]) -> list[tuple[str, str, str]]:
    ki = {f"{k.key}_pct": k for k in KEY_INDICATORS}
    out = []
    for c in columns:
        if c in ki:
            k = ki[c]
            text = f"{k.name_sv}, procent ({k.population_sv}; SCB {k.source_table}); tom = skyddad"
        elif c.startswith("omradestyp_beraknad_"):
            text = (
                f"områdestyp {c.rsplit('_', 1)[1]} beräknad av grannskap med SCB:s metod "
                "(SCB:s officiella typ saknas i databasen); 1–5 som SCB:s"
            )
        elif c.startswith("omradestyp_"):
            text = (
                f"SCB:s områdestyp {c.rsplit('_', 1)[1]} (1 = stora socioekonomiska utmaningar "
                "… 5 = mycket goda socioekonomiska förutsättningar)"
            )
        else:
            text = FIELD_DESCRIPTIONS.get(c, c)
        out.append((layer, c, text))
    return out


def _field_arrays(frame: pd.DataFrame) -> tuple[list[np.ndarray], list[str], list[Any]]:
    """Columns as numpy arrays for GDAL, with null masks for missing integers and texts."""
    data, masks = [], []
    for c in frame.columns:
        s = frame[c]
        if pd.api.types.is_bool_dtype(s):
            s = s.astype("Int64")
        if pd.api.types.is_integer_dtype(s):
            mask = s.isna().to_numpy()
            data.append(s.fillna(0).to_numpy(dtype="int64"))
            masks.append(mask if mask.any() else None)
        elif pd.api.types.is_float_dtype(s):
            data.append(s.to_numpy(dtype="float64"))
            masks.append(None)
        else:
            arr = np.array([None if pd.isna(v) else str(v) for v in s], dtype=object)
            data.append(arr)
            masks.append(None)
    return data, [str(c) for c in frame.columns], masks


def _write(
    path: Path,
    layer: str,
    frame: pd.DataFrame,
    geoms: list[Any] | None,
    description: str,
    first: bool,
) -> None:
    import pyogrio.raw
    from shapely import to_wkb
    from shapely.geometry import MultiPolygon, Polygon

    data, fields, masks = _field_arrays(frame.reset_index(drop=True))
    kwargs: dict[str, Any] = {}
    if geoms is not None:
        multi = [MultiPolygon([g]) if isinstance(g, Polygon) else g for g in geoms]
        kwargs = {
            "geometry": np.array([to_wkb(g) for g in multi], dtype=object),
            "geometry_type": "MultiPolygon",
            "crs": "EPSG:3006",
            "layer_options": {"SPATIAL_INDEX": "YES", "DESCRIPTION": description},
        }
    else:
        kwargs = {"geometry": None, "layer_options": {"DESCRIPTION": description}}
    with warnings.catch_warnings():
        # outputs are written to a temporary name first (grannskap.outputs.atomic_path);
        # GDAL warns that its extension is not .gpkg
        warnings.filterwarnings(
            "ignore", message=".*(extension|file extension).*", category=RuntimeWarning
        )
        pyogrio.raw.write(
            str(path),
            field_data=data,
            fields=fields,
            field_mask=masks if any(m is not None for m in masks) else None,
            layer=layer,
            driver="GPKG",
            append=not first,
            **kwargs,
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


def _load(wkbs: pd.Series) -> list[Any]:
    from shapely import make_valid, wkb

    out = []
    for g in wkbs:
        shape = wkb.loads(bytes(g))
        out.append(shape if shape.is_valid else make_valid(shape))
    return out


def write_gpkg(ctx: ReportContext, path: Path) -> Path:
    """Write ``areas.gpkg`` for the report's kommun (overwrites an existing file)."""
    from shapely import union_all

    from grannskap.report.sections.areas import area_types
    from grannskap.store.geometry import (
        VINTAGE_LABEL,
        deso_geometry,
        police_geometry,
        regso_geometry,
    )

    path.unlink(missing_ok=True)
    counts = _common.counts(ctx)
    own = counts[counts["kommun"] == ctx.kommun]
    rg, official = area_types(ctx, _common.regso(ctx))
    type_cols = [c for c in rg.columns if c.startswith("typ_")]
    keep = ["regso", "name", "stadsdel", "stadsdel_name", "population", *type_cols]
    shares = ctx.cached(
        "area_shares",
        lambda: area_shares(
            counts, ctx.kommun, stadsdel_crosswalk(ctx.con, ctx.kommun), ctx.threshold
        ),
    )
    regso = rg[[c for c in keep if c in rg.columns]].merge(
        _shares(shares, "regso"), on="regso", how="left"
    )
    regso.insert(2, "year", ctx.year)
    type_names = {
        c: (f"omradestyp_{c[4:]}" if official else f"omradestyp_beraknad_{c[4:]}")
        for c in type_cols
    }
    regso = regso.rename(
        columns={
            "name": "regsonamn",
            "stadsdel_name": "stadsdelsnamn",
            "population": "folkmängd",
            "year": "år",
            **type_names,
        }
    )
    for c in type_names.values():
        regso[c] = regso[c].astype("Int64")
    regso["folkmängd"] = regso["folkmängd"].astype("Float64").round().astype("Int64")
    deso = _shares(shares, "deso").merge(
        own[["deso", "regso"]].drop_duplicates(), on="deso", how="left"
    )
    deso.insert(1, "år", ctx.year)
    descriptions: list[tuple[str, str, str]] = []
    first = True

    geo = regso_geometry(ctx.con, ctx.kommun)
    gmap = dict(zip(geo["code"], _load(geo["geometry_wkb"]), strict=True))
    vintage = dict(zip(geo["code"], geo["vintage"].map(VINTAGE_LABEL), strict=True))
    with_geom = regso[regso["regso"].isin(gmap)]
    if len(with_geom):
        with_geom = with_geom.assign(gränser=with_geom["regso"].map(vintage))
        _write(
            path,
            "regso",
            with_geom,
            [gmap[c] for c in with_geom["regso"]],
            f"RegSO: nyckeltal {ctx.year} (SCB) och områdestyp; gränser {', '.join(sorted(set(vintage.values())))}",
            first,
        )
        descriptions += _descriptions("regso", list(with_geom.columns))
        first = False
        if with_geom["stadsdel"].notna().any():
            parts = with_geom.dropna(subset=["stadsdel"]).groupby("stadsdel", sort=True)
            sd = pd.DataFrame(
                {
                    "stadsdel": list(parts.groups),
                    "stadsdelsnamn": [g["stadsdelsnamn"].iloc[0] for _, g in parts],
                    "regso": [", ".join(g["regso"]) for _, g in parts],
                }
            )
            geoms = [union_all([gmap[c] for c in g["regso"]]) for _, g in parts]
            _write(
                path,
                "stadsdel",
                sd,
                geoms,
                "Kommunens stadsdelar som union av sina RegSO",
                first,
            )
            descriptions += _descriptions("stadsdel", list(sd.columns))
    else:
        # no RegSO boundaries: an attribute table to join on 'regso' to SCB's layer
        _write(
            path,
            "regso",
            regso,
            None,
            f"RegSO: nyckeltal {ctx.year} (SCB); inga gränser i databasen - koppla på 'regso' till SCB:s RegSO-skikt",
            first,
        )
        descriptions += _descriptions("regso", list(regso.columns))
        first = False
    dgeo = deso_geometry(ctx.con, ctx.kommun)
    dmap = dict(zip(dgeo["code"], _load(dgeo["geometry_wkb"]), strict=True))
    if len(dmap) and deso["deso"].isin(dmap).all():
        _write(
            path,
            "deso",
            deso,
            [dmap[c] for c in deso["deso"]],
            f"DeSO: nyckeltal {ctx.year} (SCB)",
            first,
        )
    else:
        _write(
            path,
            "deso",
            deso,
            None,
            f"DeSO: nyckeltal {ctx.year} (SCB); inga DeSO-gränser i databasen - koppla på 'deso' till SCB:s DeSO-skikt",
            first,
        )
    descriptions += _descriptions("deso", list(deso.columns))
    first = False
    police = police_geometry(ctx.con, ctx.kommun)
    if not police.empty:
        hist = _common.police_rows(ctx)
        klass = {
            code: "; ".join(f"{int(r.year)}: {r.category}" for r in g.itertuples())
            for code, g in hist.groupby("area_code")
        }
        pol = pd.DataFrame(
            {
                "omradeskod": police["area_code"],
                "namn": police["name"],
                "gränsår": police["year"].astype("int64"),
                "klassning": police["area_code"].map(klass),
            }
        )
        _write(
            path,
            "polisens_omraden",
            pol,
            _load(police["geometry_wkb"]),
            "Polisens utsatta områden med klassning per lista (Polismyndigheten)",
            first,
        )
        descriptions += _descriptions("polisens_omraden", list(pol.columns))
    desc = pd.DataFrame(descriptions, columns=["skikt", "falt", "beskrivning"])
    _write(path, "faltbeskrivning", desc, None, "Vad varje fält betyder", first)
    return path
