"""Page builders of the dashboard that need more than a template: the area page and the map.

Pure functions of a :class:`~grannskap.web.data.Dashboard` (what the database holds for one
kommun, year and language); :mod:`grannskap.web.app` routes requests to them.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from grannskap.errors import HttpError
from grannskap.report import svg
from grannskap.report.context import Column, Figure, Table
from grannskap.report.data import KEY_INDICATORS
from grannskap.report.render import format_cell
from grannskap.web.data import AREA_SYSTEMS, Dashboard, type_label

__all__ = ["area_parts", "comparison_figure", "tile_map"]

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def tile_map(d: Dashboard, url: Any) -> Figure | None:
    from grannskap.report.sections.areas import regso_tiles

    type_cols = sorted(c for c in d.regso.columns if c.startswith("typ_"))
    if not type_cols:
        return None
    href = url("/area/regso/{code}").replace("%7B", "{").replace("%7D", "}")
    real = next((f for f in d.sections["areas"].figures if f.key == "type-map"), None)
    if real is not None:  # RegSO boundaries held: the choropleth, each area a link
        from grannskap.report.sections.areas import type_map

        linked = d.ctx.cached(f"linked_type_map:{href}", lambda: type_map(d.ctx, href))
        if linked is not None:
            return Figure(
                linked.key, linked.title, linked.svg, linked.alt, linked.source, real.number
            )
    fig = next((f for f in d.sections["areas"].figures if f.key == "tile-map"), None)
    if fig is None:
        return None
    tiles = regso_tiles(d.ctx, d.regso, type_cols[-1], href=href)
    from grannskap.report.data import OMRADESTYP_LABELS

    s = svg.tile_map(
        tiles,
        title=fig.title,
        desc=fig.alt
        + " "
        + d.ctx.t(
            "Varje ruta är en länk till områdets sida.", "Each tile links to the area's page."
        ),
        legend=OMRADESTYP_LABELS[d.ctx.lang],
        unknown_label=d.ctx.t("uppgift saknas", "not known"),
    )
    return Figure(fig.key, fig.title, s, fig.alt, fig.source, fig.number)


def comparison_figure(
    d: Dashboard,
    title: str,
    series: list[tuple[str, dict[str, float]]],
    source: str,
    key: str,
) -> tuple[Figure, Table]:
    keys = [k for k in KEY_INDICATORS if any(k.key in s for _, s in series)]
    cats = [k.name(d.ctx.lang) for k in keys]
    # a suppressed share is None in the row records: show it as missing, not a 500
    ser = [
        (name, [math.nan if vals.get(k.key) is None else float(vals[k.key]) for k in keys])
        for name, vals in series
    ]
    alt = d.ctx.t("Stapeldiagram: ", "Bar chart: ") + "; ".join(
        f"{c}: " + ", ".join(f"{n} {format_cell(v[i], 'pct1', d.ctx.lang)}" for n, v in ser)
        for i, c in enumerate(cats)
    )
    fig = Figure(
        key,
        title,
        svg.bar_chart(cats, ser, title=title, desc=alt, lang=d.ctx.lang),
        alt,
        source,
        1,
    )
    frame = pd.DataFrame({"indicator": cats, **{name: v for name, v in ser}})
    cols = [Column("indicator", d.ctx.t("Nyckeltal", "Indicator"))] + [
        Column(name, name, "pct1") for name, _ in ser
    ]
    return fig, Table(key, title, frame, cols, source, number=1)


def _deso_stadsdel(d: Any, info: dict[str, Any]) -> str | None:
    """A DeSO inherits the stadsdel (and so the police areas and interventions) of its RegSO."""
    parent = info.get("regso")
    if not parent:
        return None
    sd = d.regso_rows.get(parent[0], {}).get("stadsdel")
    return sd if isinstance(sd, str) else None


def area_parts(d: Dashboard, level: str, code: str) -> tuple[dict[str, Any], Any, Any]:
    """Everything the area page shows (validated level and code), also used for downloads."""
    ctx = d.ctx
    if level not in AREA_SYSTEMS:
        raise HttpError(
            404,
            f"area level {level!r} is not known",
            "expected one of: " + ", ".join(AREA_SYSTEMS),
        )
    if not _CODE.fullmatch(code) or not d.has_area(level, code):
        raise HttpError(
            404,
            f"area {code!r} ({level}) is not in {ctx.kommun_name}",
            ctx.t("Välj ett område på områdessidan.", "Pick an area on the areas page."),
        )
    name = d.area_name(level, code)
    src = ctx.t(
        f"SCB DeSO-tabeller, statistikår {ctx.year}; egen bearbetning.",
        f"SCB DeSO tables, year {ctx.year}; own calculations.",
    )
    info: dict[str, Any] = {"level": level, "code": code, "name": name}
    kom = (ctx.kommun_name, d.kommun_shares)
    nat = (ctx.t("Riket", "Sweden"), d.riket_shares)
    fig = table = None
    rows = {"regso": d.regso_rows, "deso": d.deso_rows, "stadsdel": d.stadsdel_rows}
    if level in rows:
        row = rows[level][code]
        label = f"DeSO {code}" if level == "deso" else name
        series: list[tuple[str, dict[str, Any]]] = [
            (label, {k.key: row.get(k.key) for k in KEY_INDICATORS})
        ]
        if level == "deso":  # a DeSO is compared with its RegSO too
            parent = d.regso_rows[row["regso"]]
            series.append((str(parent["name"]), {k.key: parent.get(k.key) for k in KEY_INDICATORS}))
            info["regso"] = (row["regso"], d.area_name("regso", row["regso"]))
        fig, table = comparison_figure(
            d,
            ctx.t(f"Nyckeltal {ctx.year}: {label}", f"Key indicators {ctx.year}: {label}"),
            [*series, kom, nat],
            src,
            f"area-{level}-{code}",
        )
        info["population"] = row.get("population")
    if level == "regso":
        info["types"] = [
            (c[4:], row[c], type_label(ctx.lang, row[c]))
            for c in sorted(c for c in d.regso.columns if c.startswith("typ_"))
            if row[c] is not None
        ]
        info["stadsdel"] = row.get("stadsdel") if isinstance(row.get("stadsdel"), str) else None
        info["deso"] = d.deso_by_regso.get(code, [])
        info["goals"] = d.goals_by_area.get(code)
        info["goals_year"] = d.goals_by_area.get("_year", {}).get("computed_year")
    elif level == "stadsdel":
        info["members"] = [
            (
                c,
                d.area_name("regso", c),
                [
                    d.regso_rows[c][c2]
                    for c2 in sorted(c2 for c2 in d.regso.columns if c2.startswith("typ_"))
                ],
            )
            for c in d.stadsdel_members.get(code, [])
        ]
        info["type_years"] = [
            c[4:] for c in sorted(c2 for c2 in d.regso.columns if c2.startswith("typ_"))
        ]
        info["police"] = [
            (p, d.area_name("police", p)) for p, s in d.police_stadsdel.items() if s == code
        ]
    elif level == "police":
        info["stadsdel_link"] = d.police_stadsdel.get(code)
    stadsdel_code = (
        code
        if level == "stadsdel"
        else info.get("stadsdel")
        if level == "regso"
        else d.police_stadsdel.get(code)
        if level == "police"
        else _deso_stadsdel(d, info)
        if level == "deso"
        else None
    )
    police_codes = (
        [code]
        if level == "police"
        else [p for p, s in d.police_stadsdel.items() if s == stadsdel_code]
        if stadsdel_code
        else []
    )
    from grannskap.report.sections.police import CATEGORY_LABELS

    info["police_history"] = [
        (r["name"], int(r["year"]), CATEGORY_LABELS[ctx.lang].get(r["category"], r["category"]))
        for r in d.police_records
        if r["area_code"] in police_codes
    ]
    iv_ids = d.interventions_by_stadsdel.get(stadsdel_code or "", set())
    info["interventions"] = [r for r in d.intervention_records if r["intervention_id"] in iv_ids]
    sname = d.area_name("stadsdel", stadsdel_code) if stadsdel_code else None
    if sname:
        from grannskap.web.data import slug

        info["funding"] = [r for r in d.funding_records if slug(sname) in slug(str(r["category"]))]
        info["stadsdel_name"] = sname
    info["stadsdel_code"] = stadsdel_code
    return info, fig, table
