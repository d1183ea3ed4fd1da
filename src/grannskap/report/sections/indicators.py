"""Key indicators: the kommun against Sweden and similar municipalities, and per stadsdel."""

from __future__ import annotations

import numpy as np
import pandas as pd

from grannskap.format import format_percent
from grannskap.report import svg
from grannskap.report.context import Column, Figure, ReportContext, SectionResult, Table
from grannskap.report.data import KEY_INDICATORS
from grannskap.report.sections import _common
from grannskap.store.report_queries import deso_years

NAME = "indicators"
TITLE = {
    "sv": "Nyckeltal jämfört med riket och liknande kommuner",
    "en": "Key indicators compared with Sweden and similar municipalities",
}

__all__ = ["NAME", "TITLE", "build", "stadsdel_table"]


def stadsdel_table(ctx: ReportContext) -> pd.DataFrame:
    """Key shares per user-defined stadsdel (RegSO → stadsdel crosswalk)."""
    from grannskap.report.data import area_shares, stadsdel_crosswalk

    cw = stadsdel_crosswalk(ctx.con, ctx.kommun)
    if cw.empty:
        return pd.DataFrame()
    s = area_shares(_common.counts(ctx), ctx.kommun, cw, ctx.threshold)  # primary + secondary
    s = s[s["level"] == "stadsdel"].assign(
        stadsdel_name=lambda f: f["code"].map(
            dict(zip(cw["stadsdel"], cw["stadsdel_name"], strict=True))
        )
    )
    return s.pivot(index="stadsdel_name", columns="indicator", values="percent").reset_index()


def trend_table(ctx: ReportContext, years: list[int]) -> pd.DataFrame:
    """Key shares per year for the kommun, the comparison group (fixed: the latest year's) and
    Sweden. Long frame: ``year, indicator, name, kommun, comparison, riket``."""
    from grannskap.report.data import key_indicator_table, stadsdel_crosswalk

    comp = list(_common.comparison(ctx)["kommun"])
    cw = stadsdel_crosswalk(ctx.con, ctx.kommun)  # same suppression pattern as the key table
    frames = []
    for year in years:
        kt = key_indicator_table(
            _common.counts_year(ctx, year), ctx.kommun, comp, ctx.threshold, ctx.lang, cw
        )
        frames.append(kt.assign(year=year))
    return pd.concat(frames, ignore_index=True)


def _trends(ctx: ReportContext, years: list[int]) -> tuple[list[Figure], list[Table]]:
    tr = trend_table(ctx, years)
    lbl_comp = ctx.t("Liknande kommuner", "Similar municipalities")
    lbl_nat = ctx.t("Riket", "Sweden")
    figures = []
    for k in KEY_INDICATORS:
        sub = tr[tr["indicator"] == k.key].set_index("year").reindex(years)
        if sub["kommun"].notna().sum() < 2:
            continue
        series = [
            (ctx.kommun_name, list(sub["kommun"])),
            (lbl_comp, list(sub["comparison"])),
            (lbl_nat, list(sub["riket"])),
        ]
        alt = f"{k.name(ctx.lang)} {years[0]}–{years[-1]}: " + "; ".join(
            f"{n} "
            + ", ".join(
                f"{y} {format_percent(v, 1, ctx.lang)}" for y, v in zip(years, vs, strict=True)
            )
            for n, vs in series
        )
        figures.append(
            Figure(
                f"trend-{k.key}",
                ctx.t(
                    f"{k.name_sv} {years[0]}–{years[-1]} (procent)",
                    f"{k.name_en} {years[0]}–{years[-1]} (percent)",
                ),
                svg.line_chart(years, series, title=k.name(ctx.lang), desc=alt, lang=ctx.lang),
                alt,
                _common.scb_source(ctx, k.source_table, years[-1]).replace(
                    str(years[-1]), f"{years[0]}–{years[-1]}", 1
                ),
            )
        )
    table = Table(
        "trends",
        ctx.t("Nyckeltal per år (procent)", "Key indicators per year (percent)"),
        tr.sort_values(["indicator", "year"]),
        [
            Column("name", ctx.t("Nyckeltal", "Indicator")),
            Column("year", ctx.t("År", "Year"), "year"),
            Column("kommun", ctx.kommun_name, "pct1"),
            Column("comparison", lbl_comp, "pct1"),
            Column("riket", lbl_nat, "pct1"),
        ],
        _common.scb_source(ctx, ", ".join(sorted({k.source_table for k in KEY_INDICATORS}))),
        ctx.t(
            "Jämförelsegruppen är densamma alla år (de kommuner som liknar kommunen mest det senaste året; se Metod).",
            "The comparison group is the same in every year (the municipalities most alike in the latest year; see Methods).",
        ),
    )
    return figures, [table]


def build(ctx: ReportContext) -> SectionResult:
    kt = _common.key_table(ctx)
    comp = _common.comparison(ctx)
    names = ", ".join(comp["name"].astype(str))
    lbl_comp = ctx.t("Liknande kommuner", "Similar municipalities")
    lbl_nat = ctx.t("Riket", "Sweden")
    src = _common.scb_source(ctx, ", ".join(sorted({k.source_table for k in KEY_INDICATORS})))
    cats = [f"{n}" for n in kt["name"]]
    series = [
        (ctx.kommun_name, list(kt["kommun"])),
        (lbl_comp, list(kt["comparison"])),
        (lbl_nat, list(kt["riket"])),
    ]
    diffs = []
    for rec in kt.to_dict("records"):
        d = rec["kommun"] - rec["riket"]
        diffs.append(
            f"{rec['name']}: {ctx.kommun_name} {format_percent(rec['kommun'], 1, ctx.lang)}, "
            f"{lbl_nat.lower()} {format_percent(rec['riket'], 1, ctx.lang)}"
            if not np.isnan(d)
            else rec["name"]
        )
    alt = (
        ctx.t(
            f"Stapeldiagram med {len(kt)} nyckeltal i procent för {ctx.kommun_name}, tio liknande kommuner och riket. ",
            f"Bar chart of {len(kt)} key indicators in percent for {ctx.kommun_name}, ten similar municipalities and Sweden. ",
        )
        + "; ".join(diffs)
        + "."
    )
    fig1 = Figure(
        "key-indicators",
        ctx.t(
            f"Nyckeltal {ctx.year}: {ctx.kommun_name}, liknande kommuner och riket (procent)",
            f"Key indicators {ctx.year}: {ctx.kommun_name}, similar municipalities and Sweden (percent)",
        ),
        svg.bar_chart(
            cats, series, title=ctx.t("Nyckeltal", "Key indicators"), desc=alt, lang=ctx.lang
        ),
        alt,
        src + ctx.t(f" Liknande kommuner: {names}.", f" Similar municipalities: {names}."),
    )
    t1 = Table(
        "key-indicators",
        ctx.t(f"Nyckeltal {ctx.year} (procent)", f"Key indicators {ctx.year} (percent)"),
        kt,
        [
            Column("name", ctx.t("Nyckeltal", "Indicator")),
            Column("population", ctx.t("Avser", "Of")),
            Column("kommun", ctx.kommun_name, "pct1"),
            Column("comparison", lbl_comp, "pct1"),
            Column("riket", lbl_nat, "pct1"),
            Column("source", ctx.t("Källa", "Source")),
        ],
        src,
        ctx.t(
            f"Liknande kommuner = de som liknar kommunen mest i folkmängd, andel utrikes födda, upplåtelseform, inkomst och områdestyper (se Metod): {names}.",
            f"Similar municipalities = those most alike in population, share foreign-born, tenure, income and områdestyp mix (see Methods): {names}.",
        ),
    )
    figures, tables = [fig1], [t1]
    st = stadsdel_table(ctx)
    if not st.empty:
        rows = list(st["stadsdel_name"])
        keys = [k for k in KEY_INDICATORS if k.key in st.columns]
        series2 = [
            (r, [float(st.loc[st["stadsdel_name"] == r, k.key].iloc[0]) for k in keys])
            for r in rows
        ]
        series2.append(
            (
                ctx.kommun_name,
                [float(kt.loc[kt["indicator"] == k.key, "kommun"].iloc[0]) for k in keys],
            )
        )
        series2.append(
            (lbl_nat, [float(kt.loc[kt["indicator"] == k.key, "riket"].iloc[0]) for k in keys])
        )
        alt2 = ctx.t(
            f"Stapeldiagram: nyckeltal för stadsdelarna {', '.join(rows)} jämfört med hela {ctx.kommun_name} och riket.",
            f"Bar chart: key indicators for the districts {', '.join(rows)} compared with all of {ctx.kommun_name} and Sweden.",
        )
        figures.append(
            Figure(
                "stadsdelar",
                ctx.t(
                    f"Nyckeltal {ctx.year} i stadsdelarna med insatser, jämfört med kommunen och riket (procent)",
                    f"Key indicators {ctx.year} in the districts with interventions, compared with the municipality and Sweden (percent)",
                ),
                svg.bar_chart(
                    [k.name(ctx.lang) for k in keys],
                    series2,
                    title=ctx.t("Stadsdelar", "Districts"),
                    desc=alt2,
                    lang=ctx.lang,
                ),
                alt2,
                src
                + ctx.t(
                    " Stadsdelarna är sammansatta av RegSO enligt programfilen.",
                    " Districts are unions of RegSO as given in the programme file.",
                ),
            )
        )
        cols = [Column("stadsdel_name", ctx.t("Stadsdel", "District"))] + [
            Column(k.key, k.name(ctx.lang), "pct1") for k in keys
        ]
        tables.append(
            Table(
                "stadsdelar",
                ctx.t(
                    f"Nyckeltal per stadsdel {ctx.year} (procent)",
                    f"Key indicators per district {ctx.year} (percent)",
                ),
                st,
                cols,
                src,
            )
        )
    rg = _common.regso(ctx)
    cols = [
        Column("name", "RegSO"),
        Column("regso", ctx.t("Kod", "Code")),
        Column("population", ctx.t("Folkmängd", "Population"), "int"),
    ]
    cols += [Column(k.key, k.name(ctx.lang), "pct1") for k in KEY_INDICATORS if k.key in rg.columns]
    tables.append(
        Table(
            "regso-indicators",
            ctx.t(
                f"Nyckeltal per RegSO {ctx.year} (procent)",
                f"Key indicators per RegSO {ctx.year} (percent)",
            ),
            rg.sort_values("name"),
            cols,
            src,
            ctx.t(
                f"Andelar för områden med färre än {ctx.threshold} personer i täljare eller nämnare visas som ”..”, "
                "liksom andelar som annars kunde räknas fram ur en summa (sekundär undertryckning).",
                f"Shares for areas with fewer than {ctx.threshold} persons in numerator or denominator are shown as “..”, "
                "as are shares that could otherwise be worked out from a total (secondary suppression).",
            ),
        )
    )
    ids = sorted({i for k in KEY_INDICATORS for i, _ in (*k.numerator, *k.denominator)})
    years = deso_years(ctx.con, ids)
    if len(years) > 1:
        tf, tt = _trends(ctx, years)
        figures = [*figures[:1], *tf, *figures[1:]]
        tables = [*tables[:1], *tt, *tables[1:]]
    return SectionResult(
        NAME,
        TITLE[ctx.lang],
        True,
        data={"years": years, "comparison": comp, "n_regso": len(rg)},
        figures=figures,
        tables=tables,
    )
