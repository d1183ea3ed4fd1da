"""Areas and *områdestyper*: choropleth maps from polygons (or a tile map), type changes.

With RegSO boundaries in the database (the demo ships Borås' RegSO 2025 polygons) the section
draws real maps: the *områdestyp* per RegSO with the Police's areas over it, and key indicators
per RegSO. Without boundaries it falls back to a tile map (one tile per RegSO in code order),
labelled as such. Where SCB's official types are missing, the types computed by
:mod:`grannskap.measures.socioeconomic` are used and labelled "beräknad".
"""

from __future__ import annotations

import warnings
from functools import partial

import pandas as pd

from grannskap.report import maps, svg
from grannskap.report.context import Column, Figure, ReportContext, SectionResult, Table
from grannskap.report.data import KEY_INDICATORS, OMRADESTYP_LABELS
from grannskap.report.sections import _common
from grannskap.report.sections._change_map import change_map

NAME = "areas"
TITLE = {"sv": "Områden och områdestyper", "en": "Areas and area types"}

__all__ = [
    "NAME",
    "TITLE",
    "build",
    "regso_tiles",
    "police_map",
    "area_types",
    "type_map",
    "MAP_INDICATORS",
]

#: Key indicators drawn as maps (besides the områdestyp map).
MAP_INDICATORS = ("lag_ekonomisk_standard", "forgymnasial")


def regso_tiles(
    ctx: ReportContext, rg: pd.DataFrame, year_col: str, href: str | None = None
) -> list[svg.Tile]:
    tiles = []
    for rec in rg.sort_values("regso").to_dict("records"):
        typ = rec.get(year_col)
        typ = None if typ is None or pd.isna(typ) else int(typ)
        note = OMRADESTYP_LABELS[ctx.lang].get(typ or 0, "")
        tiles.append(
            svg.Tile(
                rec["regso"],
                str(rec["name"]),
                typ,
                str(typ) if typ else "?",
                href.format(code=rec["regso"]) if href else None,
                note,
            )
        )
    return tiles


def area_types(ctx: ReportContext, rg: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """``rg`` with ``typ_<year>`` columns and whether they are SCB's official types.

    Without official types, the types computed from the DeSO tables of the report year
    (:func:`grannskap.measures.socioeconomic.classify_from_store`) fill ``typ_<year>``.
    """
    if any(c.startswith("typ_") for c in rg.columns) and rg.filter(like="typ_").notna().any().any():
        return rg, True

    def compute() -> pd.DataFrame:
        from grannskap.measures.socioeconomic.pipeline import classify_from_store

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = classify_from_store(ctx.con, [ctx.year], level="regso")
        return res.frame[["area_code", "omradestyp"]]

    try:
        computed = ctx.cached("computed_types", compute)
    except Exception:  # no inputs for the index: no types at all (the section says so)
        return rg, False
    out = rg.copy()
    out[f"typ_{ctx.year}"] = (
        out["regso"].map(computed.set_index("area_code")["omradestyp"]).astype("Int64")
    )
    if out[f"typ_{ctx.year}"].isna().all():
        return rg, False
    return out, False


def _overlays(ctx: ReportContext) -> tuple[list[maps.Overlay], list[int]]:
    from shapely import wkb

    from grannskap.store.geometry import police_geometry

    # cached: the dashboard redraws the map with links per request, without the database
    pol = ctx.cached("police_geometry", lambda: police_geometry(ctx.con, ctx.kommun))
    overlays = [
        maps.Overlay(str(r.name), wkb.loads(bytes(r.geometry_wkb))) for r in pol.itertuples()
    ]
    return overlays, sorted({int(y) for y in pol["year"]})


def police_map(ctx: ReportContext) -> Figure | None:
    """A map of the police areas alone (used where no RegSO boundaries are held)."""
    overlays, years = _overlays(ctx)
    if not overlays:
        return None
    shapes = [(o.label, o.geometry, svg.OKABE_ITO[5 + i % 2]) for i, o in enumerate(overlays)]
    names = ", ".join(o.label for o in overlays)
    ys = ", ".join(map(str, years))
    alt = ctx.t(
        f"Karta över polisens gränser för {names} i {ctx.kommun_name} (lista {ys}); skalstreck 1 km.",
        f"Map of the Police's boundaries of {names} in {ctx.kommun_name} (list {ys}); scale bar 1 km.",
    )
    return Figure(
        "police-map",
        ctx.t(
            f"Polisens utsatta områden i {ctx.kommun_name}: gränser",
            f"Police vulnerable areas in {ctx.kommun_name}: boundaries",
        ),
        svg.polygon_map(
            shapes,
            title=ctx.t("Polisens områden", "Police areas"),
            desc=alt,
            scale_note="(SWEREF 99 TM)",
        ),
        alt,
        ctx.t(
            f"Polisen, lägesbild utsatta områden, lista {ys} (polygoner EPSG:3006).",
            f"Swedish Police, vulnerable areas list {ys} (polygons EPSG:3006).",
        ),
    )


def _vintage_note(ctx: ReportContext, vintages: set[str]) -> str:
    from grannskap.store.geometry import VINTAGE_LABEL

    drawn = ", ".join(VINTAGE_LABEL.get(v, v) for v in sorted(vintages))
    if vintages == {"regso2020"}:
        return ctx.t(f"Gränser: SCB, {drawn}.", f"Boundaries: Statistics Sweden, {drawn}.")
    return ctx.t(
        f"Gränser: SCB, {drawn} (samma koder som RegSO 2020; en del gränser justerades 2025, "
        "så kartan kan avvika något från indelningen statistiken avser).",
        f"Boundaries: Statistics Sweden, {drawn} (same codes as RegSO 2020; some boundaries were "
        "adjusted in 2025, so the map may differ slightly from the division the statistics refer to).",
    )


def _maps(
    ctx: ReportContext,
    rg: pd.DataFrame,
    type_col: str | None,
    official: bool,
    href: str | None = None,
) -> tuple[list[Figure], list[Table], str]:
    """The choropleth figures and their data table (empty without RegSO boundaries)."""
    from shapely import wkb

    from grannskap.store.geometry import regso_geometry

    geo = ctx.cached("regso_geometry", lambda: regso_geometry(ctx.con, ctx.kommun))
    if geo.empty:
        return [], [], ""
    shapes = {c: wkb.loads(bytes(g)) for c, g in zip(geo["code"], geo["geometry_wkb"], strict=True)}
    rows = rg[rg["regso"].isin(shapes)].sort_values("regso")
    vintage = _vintage_note(ctx, set(geo["vintage"]))
    overlays, pyears = _overlays(ctx)
    pol_label = ctx.t(
        f"Polisens utsatta områden (lista {', '.join(map(str, pyears))})",
        f"Police vulnerable areas (list {', '.join(map(str, pyears))})",
    )
    numbers = ctx.t(
        " Siffrorna på kartan är RegSO-kodens löpnummer (1490R023 = 23), se tabellen med kartornas data.",
        " The numbers on the map are the RegSO code's serial number (1490R023 = 23); see the table of the maps' data.",
    ).replace("1490R023", f"{ctx.kommun}R023")
    inset = ctx.t(
        "Tätorten förstorad (rutan i översiktskartan)",
        "The urban core enlarged (the box on the overview)",
    )
    # every RegSO map of the section: the same police overlay, inset and language
    draw = partial(
        maps.choropleth,
        overlays=overlays,
        overlay_label=pol_label,
        lang=ctx.lang,
        inset_label=inset,
    )
    figures: list[Figure] = []
    data_cols = [
        Column("name", "RegSO"),
        Column("regso", ctx.t("Kod", "Code")),
        Column("map_no", ctx.t("Nr på kartan", "No. on map")),
    ]
    table = rows[["regso", "name"]].copy()
    table["map_no"] = table["regso"].map(maps.serial)
    if type_col is not None:
        yr = type_col[4:]
        kind = (
            ctx.t("SCB:s områdestyp", "SCB area type")
            if official
            else ctx.t("beräknad områdestyp", "computed area type")
        )
        labels = OMRADESTYP_LABELS[ctx.lang]
        areas = []
        for r in rows.to_dict("records"):
            typ = None if pd.isna(r[type_col]) else int(r[type_col])
            fill, ink = maps.type_fill(typ)
            areas.append(
                maps.MapArea(
                    r["regso"],
                    str(r["name"]),
                    shapes[r["regso"]],
                    fill,
                    ink,
                    f"{ctx.t('typ', 'type')} {typ} – {labels[typ]}"
                    if typ
                    else ctx.t("uppgift saknas", "not known"),
                    maps.serial(r["regso"]),
                    href.format(code=r["regso"]) if href else None,
                )
            )
        counts = rows[type_col].value_counts().sort_index()
        alt = (
            ctx.t(
                f"Karta över {ctx.kommun_genitive} {len(rows)} RegSO färgade efter {kind} {yr}: ",
                f"Map of {ctx.kommun_genitive} {len(rows)} RegSO coloured by {kind} {yr}: ",
            )
            + ", ".join(
                f"{int(n)} {ctx.t('av typ', 'of type')} {int(k)}" for k, n in counts.items()
            )
            + "."
        )
        if overlays:
            alt += ctx.t(
                f" Polisens områden ({', '.join(o.label for o in overlays)}) är ritade med svart kant och streckning.",
                f" The Police's areas ({', '.join(o.label for o in overlays)}) are drawn with a black outline and hatching.",
            )
        legend = [(maps.type_fill(k)[0], f"{k} – {v}") for k, v in labels.items()]
        if rows[type_col].isna().any():
            legend.append((maps.MISSING_FILL, ctx.t("uppgift saknas", "not known")))
        title = ctx.t(
            f"RegSO i {ctx.kommun_name} efter {kind} {yr}",
            f"RegSO in {ctx.kommun_name} by {kind} {yr}",
        )
        figures.append(
            Figure(
                "type-map",
                title,
                draw(areas, title=title, desc=alt, legend=legend),
                alt,
                (
                    ctx.t(
                        f"SCB, områdestyp per RegSO {yr}. ",
                        f"Statistics Sweden, area type per RegSO {yr}. ",
                    )
                    if official
                    else ctx.t(
                        f"Beräknad med grannskap (SCB:s metod på DeSO-tabellerna {yr}); inte SCB:s officiella typ. ",
                        f"Computed by grannskap (SCB's method on the DeSO tables {yr}); not SCB's official type. ",
                    )
                )
                + (
                    ctx.t("Polisen, utsatta områden. ", "Swedish Police, vulnerable areas. ")
                    if overlays
                    else ""
                )
                + vintage
                + numbers,
            )
        )
        table["typ"] = rows[type_col].values
        data_cols.append(
            Column(
                "typ",
                f"{ctx.t('Områdestyp', 'Area type')} {yr}"
                + ("" if official else ctx.t(" (beräknad)", " (computed)")),
                "int",
            )
        )
    for key in MAP_INDICATORS:
        ki = next((k for k in KEY_INDICATORS if k.key == key), None)
        if ki is None or key not in rows.columns or rows[key].notna().sum() == 0:
            continue
        vals = [float(v) if pd.notna(v) else float("nan") for v in rows[key]]
        breaks = maps.quantile_breaks(vals)
        labels_b = maps.break_labels(vals, breaks, 1, ctx.lang, "%")
        areas = []
        for r, v in zip(rows.to_dict("records"), vals, strict=True):
            k = maps.class_of(v, breaks)
            fill, ink = maps.blues(k, len(breaks)) if k is not None else (maps.MISSING_FILL, "#000")
            tip = svg._fmt(None if k is None else v, 1, ctx.lang) + (" %" if k is not None else "")
            areas.append(
                maps.MapArea(
                    r["regso"],
                    str(r["name"]),
                    shapes[r["regso"]],
                    fill,
                    ink,
                    tip,
                    maps.serial(r["regso"]),
                )
            )
        legend = [(maps.blues(i, len(breaks))[0], lab) for i, lab in enumerate(labels_b)]
        n_missing = sum(1 for v in vals if v != v)
        if n_missing:
            legend.append(
                (
                    maps.MISSING_FILL,
                    ctx.t("skyddad eller saknas (..)", "suppressed or missing (..)"),
                )
            )
        name = ki.name(ctx.lang)
        title = ctx.t(
            f"{name} per RegSO i {ctx.kommun_name} {ctx.year}",
            f"{name} per RegSO in {ctx.kommun_name} {ctx.year}",
        )
        present = [(v, r) for v, r in zip(vals, rows["name"], strict=True) if v == v]
        lo, hi = min(present), max(present)
        alt = (
            ctx.t(
                f"Karta: {name.lower()} ({ki.population(ctx.lang)}) per RegSO i fem kvantilklasser; "
                f"lägst i {lo[1]} ({svg._fmt(lo[0], 1, ctx.lang)} %), högst i {hi[1]} ({svg._fmt(hi[0], 1, ctx.lang)} %)",
                f"Map: {name.lower()} ({ki.population(ctx.lang)}) per RegSO in five quantile classes; "
                f"lowest in {lo[1]} ({svg._fmt(lo[0], 1, ctx.lang)} %), highest in {hi[1]} ({svg._fmt(hi[0], 1, ctx.lang)} %)",
            )
            + (
                ctx.t(f"; {n_missing} områden skyddade", f"; {n_missing} areas suppressed")
                if n_missing
                else ""
            )
            + "."
        )
        figures.append(
            Figure(
                f"map-{key}",
                title,
                draw(areas, title=title, desc=alt, legend=legend),
                alt,
                _common.scb_source(ctx, ki.source_table) + " " + vintage + numbers,
            )
        )
        table[key] = rows[key].values
        data_cols.append(Column(key, f"{name} (%)", "pct1"))
    change = change_map(ctx, rows, shapes, draw, vintage, numbers)
    if change is not None:
        fig, values, label = change
        figures.append(fig)
        table["change"] = table["regso"].map(values)
        data_cols.append(Column("change", label, "num1"))
    tables = (
        [
            Table(
                "map-data",
                ctx.t("Kartornas data per RegSO", "The maps' data per RegSO"),
                table,
                data_cols,
                ctx.t(
                    "Se figurerna ovan; skyddade värden visas som ..",
                    "See the figures above; suppressed values are shown as ..",
                ),
            )
        ]
        if figures
        else []
    )
    return figures, tables, vintage


def type_map(ctx: ReportContext, href: str) -> Figure | None:
    """The *områdestyp* map with every RegSO a link (``href`` has ``{code}``), for the
    dashboard; None without RegSO boundaries or types."""
    rg, official = area_types(ctx, _common.regso(ctx))
    type_cols = sorted(c for c in rg.columns if c.startswith("typ_"))
    if not type_cols:
        return None
    figs, _, _ = _maps(ctx, rg, type_cols[-1], official, href=href)
    return next((f for f in figs if f.key == "type-map"), None)


def build(ctx: ReportContext) -> SectionResult:
    rg0 = _common.regso(ctx)
    rg, official = area_types(ctx, rg0)
    type_cols = sorted(c for c in rg.columns if c.startswith("typ_"))
    figures: list[Figure] = []
    tables: list[Table] = []
    last = type_cols[-1] if type_cols else None
    map_figs, map_tabs, vintage = _maps(ctx, rg, last, official)
    data: dict[str, object] = {
        "has_geom": bool(map_figs),
        "vintage": vintage,
        "official": official,
        "type_years": [c[4:] for c in type_cols],
    }
    if last is not None:
        yr = last[4:]
        counts = rg[last].value_counts().sort_index()
        data["type_counts"] = {int(k): int(n) for k, n in counts.items()}
        if not map_figs:
            parts = [f"{int(n)} {ctx.t('av typ', 'of type')} {int(k)}" for k, n in counts.items()]
            alt = (
                ctx.t(
                    f"Rutkarta med en ruta per RegSO ({len(rg)} områden) i kodordning, färgad efter områdestyp {yr}: ",
                    f"Tile map with one tile per RegSO ({len(rg)} areas) in code order, coloured by area type {yr}: ",
                )
                + ", ".join(parts)
                + "."
            )
            figures.append(
                Figure(
                    "tile-map",
                    ctx.t(
                        f"RegSO i {ctx.kommun_name} efter områdestyp {yr} (rutkarta)",
                        f"RegSO in {ctx.kommun_name} by area type {yr} (tile map)",
                    ),
                    svg.tile_map(
                        regso_tiles(ctx, rg, last),
                        title=ctx.t("Områdestyper", "Area types"),
                        desc=alt,
                        legend=OMRADESTYP_LABELS[ctx.lang],
                        unknown_label=ctx.t("uppgift saknas", "not known"),
                    ),
                    alt,
                    (
                        ctx.t(
                            f"SCB, områdestyp per RegSO (officiell indelning), {yr}. ",
                            f"Statistics Sweden, area type per RegSO (official), {yr}. ",
                        )
                        if official
                        else ctx.t(
                            f"Beräknad med grannskap från SCB:s DeSO-tabeller {yr}; inte SCB:s officiella typ. ",
                            f"Computed by grannskap from SCB's DeSO tables {yr}; not SCB's official type. ",
                        )
                    )
                    + ctx.t(
                        "Rutorna ligger i kodordning, inte geografiskt: databasen saknar gränser för RegSO.",
                        "Tiles are in code order, not geographic: the database has no RegSO boundaries.",
                    ),
                )
            )
        if len(type_cols) >= 2:
            a, b = type_cols[-2], type_cols[-1]
            changed = rg[(rg[a] != rg[b]) & rg[a].notna() & rg[b].notna()]
            data["changed"] = [
                {"name": r["name"], "code": r["regso"], "from": int(r[a]), "to": int(r[b])}
                for r in changed.to_dict("records")
            ]
            data["change_years"] = (a[4:], b[4:])
    figures += map_figs
    if not map_figs:
        pm = police_map(ctx)
        if pm is not None:
            figures.append(pm)
    cols = [
        Column("name", "RegSO"),
        Column("regso", ctx.t("Kod", "Code")),
    ]
    shown = rg.sort_values("regso").copy()
    if shown["stadsdel_name"].notna().any() if "stadsdel_name" in shown else False:
        cols.append(Column("stadsdel_name", ctx.t("Stadsdel", "District")))
    cols.append(Column("population", ctx.t("Folkmängd", "Population"), "int"))
    suffix = "" if official else ctx.t(" (beräknad)", " (computed)")
    cols += [
        Column(c, ctx.t("Områdestyp ", "Area type ") + c[4:] + suffix, "int") for c in type_cols
    ]
    if last is not None:
        shown["type_name"] = shown[last].map(
            lambda v: "" if pd.isna(v) else OMRADESTYP_LABELS[ctx.lang].get(int(v), "")
        )
        cols.append(Column("type_name", ctx.t("Typens namn ", "Type name ") + last[4:]))
    tables.append(
        Table(
            "regso-types",
            ctx.t("RegSO, folkmängd och områdestyp", "RegSO, population and area type"),
            shown,
            cols,
            (
                ctx.t("SCB: områdestyp per RegSO; ", "Statistics Sweden: area type per RegSO; ")
                if official
                else ctx.t(
                    "Områdestyp beräknad med grannskap; ", "Area type computed by grannskap; "
                )
            )
            + ctx.t(
                f"folkmängd SCB 000005FE ({ctx.year}).", f"population SCB 000005FE ({ctx.year})."
            ),
        )
    )
    tables += map_tabs
    return SectionResult(NAME, TITLE[ctx.lang], True, data=data, figures=figures, tables=tables)
