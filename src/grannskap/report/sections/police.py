"""The Police's classification of the kommun's areas over time, and the national counts."""

from __future__ import annotations

import pandas as pd

from grannskap.report import svg
from grannskap.report.context import Column, Figure, ReportContext, SectionResult, Table
from grannskap.report.sections import _common

NAME = "police"
TITLE = {"sv": "Polisens utsatta områden 2015–2025", "en": "Police vulnerable areas 2015–2025"}

__all__ = ["NAME", "TITLE", "build", "CATEGORY_LABELS"]

CATEGORY_LABELS = {
    "sv": {
        "utsatt": "Utsatt område",
        "riskomrade": "Riskområde",
        "sarskilt_utsatt": "Särskilt utsatt område",
    },
    "en": {
        "utsatt": "Vulnerable area",
        "riskomrade": "Risk area",
        "sarskilt_utsatt": "Especially vulnerable area",
    },
}


def build(ctx: ReportContext) -> SectionResult:
    labels = CATEGORY_LABELS[ctx.lang]
    pc = _common.police_rows(ctx)
    nat = ctx.con.execute("SELECT * FROM police_list_count ORDER BY year").df()
    if pc.empty and nat.empty:
        from grannskap.errors import DataNotFoundError

        raise DataNotFoundError(
            ctx.t("inga polisklassningar i databasen", "no police classifications in the database")
        )
    years = sorted(set(nat["year"].astype(int)) | set(pc["year"].astype(int)))
    figures, tables = [], []
    # one row per police area, named by its latest name
    latest = pc.sort_values("year").groupby("area_code").tail(1).set_index("area_code")["name"]
    cells = {(str(latest[r.area_code]), int(r.year)): r.category for r in pc.itertuples()}
    rows = [str(latest[c]) for c in sorted(latest.index)]
    styles = {
        "utsatt": ("#E69F00", "#000", "U", labels["utsatt"]),
        "riskomrade": ("#56B4E9", "#000", "R", labels["riskomrade"]),
        "sarskilt_utsatt": ("#D55E00", "#fff", "SU", labels["sarskilt_utsatt"]),
    }
    if rows:
        desc = []
        for name in rows:
            hist = ", ".join(
                f"{y}: {labels[cells[(name, y)]].lower()}" for y in years if (name, y) in cells
            )
            desc.append(f"{name} – {hist}")
        alt = (
            ctx.t(
                "Rutnät med polisens klassning per lista och år. ",
                "Grid of the police classification per list year. ",
            )
            + "; ".join(desc)
            + ". "
            + ctx.t(
                "Tomma rutor: området fanns inte på listan det året.",
                "Empty cells: the area was not on that year's list.",
            )
        )
        figures.append(
            Figure(
                "police-grid",
                ctx.t(
                    f"Polisens klassning av områden i {ctx.kommun_name} per lista",
                    f"Police classification of areas in {ctx.kommun_name} per list",
                ),
                svg.category_grid(
                    rows,
                    years,
                    cells,
                    title=ctx.t("Polisens klassning", "Police classification"),
                    desc=alt,
                    styles=styles,
                ),
                alt,
                ctx.t(
                    f"Polisen, lägesbilder över utsatta områden {years[0]}–{years[-1]} (listor vartannat år); se metodavsnittet för källor per år.",
                    f"Swedish Police, vulnerable-area reports {years[0]}–{years[-1]} (lists every other year); see the methods section for sources per year.",
                ),
            )
        )
        t = pc.assign(category_label=pc["category"].map(labels))
        tables.append(
            Table(
                "police-areas",
                ctx.t(
                    f"Polisens klassning av områden i {ctx.kommun_name}",
                    f"Police classification of areas in {ctx.kommun_name}",
                ),
                t,
                [
                    Column("name", ctx.t("Område", "Area")),
                    Column("area_code", ctx.t("Kod", "Code")),
                    Column("year", ctx.t("Lista", "List"), "year"),
                    Column("category_label", ctx.t("Klassning", "Classification")),
                ],
                ctx.t(
                    "Polisen, lägesbilder över utsatta områden.",
                    "Swedish Police, vulnerable-area reports.",
                ),
            )
        )
    if not nat.empty:
        labs = [str(int(y)) for y in nat["year"]]
        stacks = [
            (labels[c], [float(v) if pd.notna(v) else 0.0 for v in nat[c]])
            for c in ("utsatt", "riskomrade", "sarskilt_utsatt")
        ]
        alt = ctx.t(
            "Staplar per lista med antal områden i landet: ",
            "Columns per list with the number of areas in Sweden: ",
        ) + "; ".join(
            f"{int(r.year)}: {int(r.total)} ({int(r.sarskilt_utsatt)} {labels['sarskilt_utsatt'].lower()})"
            for r in nat.itertuples()
        )
        figures.append(
            Figure(
                "police-national",
                ctx.t(
                    "Antal utsatta områden i Sverige per lista och kategori",
                    "Number of vulnerable areas in Sweden per list and category",
                ),
                svg.stacked_columns(
                    labs,
                    stacks,
                    title=ctx.t("Utsatta områden i riket", "Vulnerable areas in Sweden"),
                    desc=alt,
                    lang=ctx.lang,
                    colours=["#E69F00", "#56B4E9", "#D55E00"],
                ),
                alt,
                ctx.t(
                    f"Polisen, lägesbilder {labs[0]}–{labs[-1]}. 2025 redovisas inga riskområden (kategorin användes inte i listan).",
                    f"Swedish Police, reports {labs[0]}–{labs[-1]}. No risk areas are reported for 2025 (the category was not used).",
                ),
            )
        )
        tables.append(
            Table(
                "police-national",
                ctx.t("Antal områden i riket per lista", "Number of areas in Sweden per list"),
                nat,
                [
                    Column("year", ctx.t("Lista", "List"), "year"),
                    Column("utsatt", labels["utsatt"], "int"),
                    Column("riskomrade", labels["riskomrade"], "int"),
                    Column("sarskilt_utsatt", labels["sarskilt_utsatt"], "int"),
                    Column("total", ctx.t("Totalt", "Total"), "int"),
                    Column("source_note", ctx.t("Källa", "Source")),
                ],
                ctx.t(
                    "Polisen; källa per år i kolumnen Källa.",
                    "Swedish Police; source per year in the Source column.",
                ),
            )
        )
    return SectionResult(
        NAME,
        TITLE[ctx.lang],
        True,
        data={"years": years, "rows": rows},
        figures=figures,
        tables=tables,
    )
