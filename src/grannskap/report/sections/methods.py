"""Methods and data sources: indicator definitions, comparison group, suppression, provenance."""

from __future__ import annotations

import pandas as pd

from grannskap.report.context import Column, ReportContext, SectionResult, Table
from grannskap.report.data import (
    KEY_INDICATORS,
    area_population,
    area_shares,
    provenance_table,
    stadsdel_crosswalk,
    suppression_counts,
)
from grannskap.report.sections import _common
from grannskap.store import report_police

NAME = "methods"
TITLE = {"sv": "Metod och datakällor", "en": "Methods and data sources"}

__all__ = ["NAME", "TITLE", "build"]


def build(ctx: ReportContext) -> SectionResult:
    defs = pd.DataFrame(
        [
            {
                "name": k.name(ctx.lang),
                "numerator": " + ".join(f"{i}" + (f" [{b}]" if b else "") for i, b in k.numerator)
                + (
                    ctx.t(" (procent × antal personer)", " (percent × number of persons)")
                    if k.weighted_percent
                    else ""
                ),
                "denominator": " + ".join(
                    f"{i}" + (f" [{b}]" if b else "") for i, b in k.denominator
                ),
                "malomrade": k.malomrade_id or "",
                "direction": {
                    True: ctx.t("högre är bättre", "higher is better"),
                    False: ctx.t("lägre är bättre", "lower is better"),
                    None: ctx.t("ingen riktning", "no direction"),
                }[k.higher_is_better],
            }
            for k in KEY_INDICATORS
        ]
    )
    comp = _common.comparison(ctx)
    prov = provenance_table(ctx.con)
    prov["imported_at"] = prov["imported_at"].astype(str).str.slice(0, 19)
    # files that concern another kommun (its programme, its own extracts) are not this report's
    from grannskap.store.boards import programme_of

    own = set(programme_of(ctx.con, ctx.kommun)["programme_id"])
    other_programme = (prov["source"] == "programme") & ~prov["table_id"].isin(own)
    other_extract = prov["file_name"].str.extract(r"_(\d{4})_", expand=False)
    prov = prov[~other_programme & ~(other_extract.notna() & (other_extract != ctx.kommun))]
    pol = report_police.list_sources(ctx.con)
    # the national list sources also carry one kommun's local sources: keep them in its report
    pol["source_note"] = [_common.local_clauses(ctx, str(n or "")) for n in pol["source_note"]]
    tables = [
        Table(
            "definitions",
            ctx.t("Definitioner av nyckeltalen", "Definitions of the key indicators"),
            defs,
            [
                Column("name", ctx.t("Nyckeltal", "Indicator")),
                Column("numerator", ctx.t("Täljare", "Numerator")),
                Column("denominator", ctx.t("Nämnare", "Denominator")),
                Column("malomrade", ctx.t("Målområde (förslag)", "Goal area (suggested)")),
                Column("direction", ctx.t("Tolkning", "Reading")),
            ],
            ctx.t("grannskap; SCB:s tabell-id.", "grannskap; SCB table ids."),
        ),
        Table(
            "comparison-group",
            ctx.t("Jämförelsekommuner", "Comparison municipalities"),
            comp,
            [
                Column("name", ctx.t("Kommun", "Municipality")),
                Column("kommun", ctx.t("Kod", "Code")),
                Column(
                    "population", ctx.t(f"Folkmängd {ctx.year}", f"Population {ctx.year}"), "int"
                ),
            ]
            + (
                [Column("distance", ctx.t("Avstånd (z-värden)", "Distance (z-scores)"), "num3")]
                if comp["distance"].notna().any()
                else []
            ),
            _common.scb_source(ctx, "TAB6572, TAB6258, Tab2InkDesoN, 000005FB"),
            comp.attrs["choice"].method(ctx.lang) if "choice" in comp.attrs else "",
        ),
        Table(
            "police-sources",
            ctx.t("Källor till polisens listor", "Sources of the police lists"),
            pol,
            [
                Column("year", ctx.t("Lista", "List"), "year"),
                Column("source_note", ctx.t("Källa", "Source")),
            ],
            ctx.t(
                "Polisen och sekundära källor enligt kolumnen.",
                "Swedish Police and secondary sources as listed.",
            ),
        ),
        Table(
            "provenance",
            ctx.t("Importerade filer (proveniens)", "Imported files (provenance)"),
            prov,
            [
                Column("file_name", ctx.t("Fil", "File")),
                Column("source", ctx.t("Källa", "Source")),
                Column("table_id", ctx.t("Tabell", "Table")),
                Column("title", ctx.t("Titel", "Title")),
                Column("row_count", ctx.t("Rader", "Rows"), "int"),
                Column("sha256_12", "SHA-256 (12)"),
                Column("imported_at", ctx.t("Importerad", "Imported")),
            ],
            ctx.t("Databasens provenienstabell.", "The database's provenance table."),
        ),
    ]
    from grannskap.report.sections.goals import backtest_table

    goals_bt = backtest_table(ctx)
    if goals_bt is not None:
        tables.append(goals_bt)
    rd = ctx.cache.get("goals_report_data")
    return SectionResult(
        NAME,
        TITLE[ctx.lang],
        True,
        data={
            "suppression": _suppression(ctx),
            "goal_method_notes": list(getattr(rd, "method_notes", [])),
        },
        tables=tables,
    )


def _suppression(ctx: ReportContext) -> dict[str, int]:
    """Cells (area × key indicator, and area populations, at DeSO, RegSO, stadsdel and kommun
    level) hidden by the primary and by the secondary suppression rule."""
    counts = _common.counts(ctx)
    xw = stadsdel_crosswalk(ctx.con, ctx.kommun)
    shares = ctx.cached("area_shares", lambda: area_shares(counts, ctx.kommun, xw, ctx.threshold))
    return suppression_counts(shares, area_population(counts, ctx.kommun, xw, ctx.threshold))
