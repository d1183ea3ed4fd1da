"""The Police's classification of the kommun's areas over time, and the national counts."""

from __future__ import annotations

import pandas as pd

from grannskap.report import svg
from grannskap.report.context import Column, Figure, ReportContext, SectionResult, Table
from grannskap.report.sections import _common
from grannskap.store import report_police

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
    nat = report_police.list_counts(ctx.con)
    if pc.empty and nat.empty:
        from grannskap.errors import DataNotFoundError

        raise DataNotFoundError(
            ctx.t("inga polisklassningar i databasen", "no police classifications in the database")
        )
    years = sorted(set(nat["year"].astype(int)) | set(pc["year"].astype(int)))
    figures, tables = [], []
    # one row per police area, named by its latest name
    latest = pc.sort_values("year").groupby("area_code").tail(1).set_index("area_code")["name"]
    from grannskap.ingest.police import INFERRED_MARK, is_inferred

    inferred = pc["source_note"].map(is_inferred) if len(pc) else pd.Series(dtype=bool)
    hl = ctx.t("härledd", "inferred")
    cells = {
        (str(latest[r.area_code]), int(r.year)): r.category + ("|h" if inf else "")
        for r, inf in zip(pc.itertuples(), inferred, strict=True)
    }
    rows = [str(latest[c]) for c in sorted(latest.index)]
    styles = {
        "utsatt": ("#E69F00", "#000", "U", labels["utsatt"]),
        "riskomrade": ("#56B4E9", "#000", "R", labels["riskomrade"]),
        "sarskilt_utsatt": ("#D55E00", "#fff", "SU", labels["sarskilt_utsatt"]),
    }
    for cat in list(styles):
        if any(v == cat + "|h" for v in cells.values()):
            fill, ink, short, label = styles[cat]
            styles[cat + "|h"] = (fill, ink, short + "*", f"{label}, {hl}")
    if rows:
        desc = []
        for name in rows:
            hist = ", ".join(
                f"{y}: {labels[cells[(name, y)].split('|')[0]].lower()}"
                + (f" ({hl})" if cells[(name, y)].endswith("|h") else "")
                for y in years
                if (name, y) in cells
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
        t = pc.assign(
            category_label=[
                labels[c] + (f" ({hl})" if inf else "")
                for c, inf in zip(pc["category"], inferred, strict=True)
            ],
            basis=[
                ctx.t("härledd ur källorna", "inferred from the sources")
                if inf
                else ctx.t("angiven i källan", "stated in the source")
                for inf in inferred
            ],
        )
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
                    Column("basis", ctx.t("Uppgiften", "Basis")),
                ],
                ctx.t(
                    "Polisen, lägesbilder över utsatta områden. ”Härledd”: listan det året finns inte "
                    "område för område i källorna; klassningen följer av att området inte nämns bland "
                    "listans förändringar.",
                    "Swedish Police, vulnerable-area reports. “Inferred”: that year's list is not in "
                    "the sources area by area; the classification follows from the area not being "
                    "named among the list's changes.",
                ),
            )
        )
    if not nat.empty:
        nat = nat.assign(
            source_note=[
                _common.local_clauses(ctx, str(n).removeprefix(INFERRED_MARK).strip())
                if isinstance(n, str)
                else n
                for n in nat["source_note"]
            ]
        )
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
                    Column("source_note", ctx.t("Källa", "Source"), lang="sv"),
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
