"""Areas and SCB's official områdestyper: tile map of RegSO, police-area map, type changes."""

from __future__ import annotations

import pandas as pd

from grannskap.report import svg
from grannskap.report.context import Column, Figure, ReportContext, SectionResult, Table
from grannskap.report.data import OMRADESTYP_LABELS
from grannskap.report.sections import _common

NAME = "areas"
TITLE = {"sv": "Områden och områdestyper", "en": "Areas and area types"}

__all__ = ["NAME", "TITLE", "build", "regso_tiles", "police_map"]


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


def police_map(ctx: ReportContext) -> Figure | None:
    """A real map of the police areas in the kommun (the only polygons in the demo database)."""
    from shapely import wkb

    rows = ctx.con.execute(
        "SELECT g.area_code, a.name, g.year, g.geometry_wkb FROM police_area_geometry g "
        "JOIN area a ON a.system = 'police' AND a.code = g.area_code "
        "WHERE a.kommun_code = ? QUALIFY row_number() OVER (PARTITION BY g.area_code ORDER BY g.year DESC) = 1 "
        "ORDER BY g.area_code",
        [ctx.kommun],
    ).fetchall()
    if not rows:
        return None
    shapes = [
        (str(name), wkb.loads(bytes(geom)), svg.OKABE_ITO[5 + i % 2])
        for i, (_, name, _, geom) in enumerate(rows)
    ]
    years = sorted({int(r[2]) for r in rows})
    names = ", ".join(s[0] for s in shapes)
    alt = ctx.t(
        f"Karta över polisens gränser för {names} i {ctx.kommun_name} (lista {', '.join(map(str, years))}). "
        "Områdena ligger nära varandra; skalstreck 1 km.",
        f"Map of the Police's boundaries of {names} in {ctx.kommun_name} (list {', '.join(map(str, years))}). "
        "The areas lie close together; scale bar 1 km.",
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
            f"Polisen, lägesbild utsatta områden, lista {', '.join(map(str, years))} (polygoner EPSG:3006).",
            f"Swedish Police, vulnerable areas list {', '.join(map(str, years))} (polygons EPSG:3006).",
        ),
    )


def build(ctx: ReportContext) -> SectionResult:
    rg = _common.regso(ctx)
    type_cols = sorted(c for c in rg.columns if c.startswith("typ_"))
    figures: list[Figure] = []
    tables: list[Table] = []
    has_geom = ctx.con.execute(
        "SELECT count(*) FROM area WHERE system = 'regso2020' AND kommun_code = ? AND geometry_wkb IS NOT NULL",
        [ctx.kommun],
    ).fetchone()[0]
    data: dict[str, object] = {"has_geom": bool(has_geom), "type_years": [c[4:] for c in type_cols]}
    if type_cols:
        last = type_cols[-1]
        yr = last[4:]
        counts = rg[last].value_counts().sort_index()
        parts = [f"{int(n)} {ctx.t('av typ', 'of type')} {int(k)}" for k, n in counts.items()]
        alt = (
            ctx.t(
                f"Rutkarta med en ruta per RegSO ({len(rg)} områden) i kodordning, färgad efter SCB:s områdestyp {yr}: ",
                f"Tile map with one tile per RegSO ({len(rg)} areas) in code order, coloured by SCB area type {yr}: ",
            )
            + ", ".join(parts)
            + "."
        )
        figures.append(
            Figure(
                "tile-map",
                ctx.t(
                    f"RegSO i {ctx.kommun_name} efter SCB:s områdestyp {yr} (rutkarta)",
                    f"RegSO in {ctx.kommun_name} by SCB area type {yr} (tile map)",
                ),
                svg.tile_map(
                    regso_tiles(ctx, rg, last),
                    title=ctx.t("Områdestyper", "Area types"),
                    desc=alt,
                    legend=OMRADESTYP_LABELS[ctx.lang],
                    unknown_label=ctx.t("uppgift saknas", "not known"),
                ),
                alt,
                ctx.t(
                    f"SCB, områdestyp per RegSO (officiell indelning), {yr}. Rutorna ligger i kodordning, inte geografiskt: "
                    "databasen saknar gränser för DeSO/RegSO.",
                    f"Statistics Sweden, area type per RegSO (official), {yr}. Tiles are in code order, not geographic: "
                    "the database has no DeSO/RegSO boundaries.",
                ),
            )
        )
        data["type_counts"] = {int(k): int(n) for k, n in counts.items()}
        if len(type_cols) >= 2:
            a, b = type_cols[-2], type_cols[-1]
            changed = rg[(rg[a] != rg[b]) & rg[a].notna() & rg[b].notna()]
            data["changed"] = [
                {"name": r["name"], "code": r["regso"], "from": int(r[a]), "to": int(r[b])}
                for r in changed.to_dict("records")
            ]
            data["change_years"] = (a[4:], b[4:])
    pm = police_map(ctx)
    if pm is not None:
        figures.append(pm)
    cols = [
        Column("name", "RegSO"),
        Column("regso", ctx.t("Kod", "Code")),
        Column("stadsdel", ctx.t("Stadsdel", "District")),
        Column("population", ctx.t("Folkmängd", "Population"), "int"),
    ]
    cols += [Column(c, ctx.t("Områdestyp ", "Area type ") + c[4:], "int") for c in type_cols]
    tables.append(
        Table(
            "regso-types",
            ctx.t("RegSO, folkmängd och områdestyp", "RegSO, population and area type"),
            rg.sort_values("regso"),
            cols,
            ctx.t(
                f"SCB: områdestyp per RegSO; folkmängd SCB 000005FE ({ctx.year}).",
                f"Statistics Sweden: area type per RegSO; population SCB 000005FE ({ctx.year}).",
            ),
        )
    )
    return SectionResult(NAME, TITLE[ctx.lang], True, data=data, figures=figures, tables=tables)
