"""Per board (nämnd/förvaltning): the effektmål and indicators it owns, their status and trend,
and the interventions it runs with the money spent — for the board's ordinary follow-up.

The board is the ``responsible`` of a målområde in the programme file (it owns the målområde's
effektmål) and of an intervention (else the intervention's målområde's board). A programme
without responsible boards gives a one-line "not available" box naming the field to fill in.
Each board's tables are downloadable (CSV/xlsx) from the dashboard like every other table.
"""

from __future__ import annotations

import pandas as pd

from grannskap.errors import DataNotFoundError
from grannskap.report.context import Column, ReportContext, SectionResult, Table
from grannskap.report.sections.programme import TYPE_LABELS, programme_status

NAME = "boards"
TITLE = {
    "sv": "Per nämnd och förvaltning: mål, nyckeltal, insatser och medel",
    "en": "Per board: goals, indicators, interventions and funding",
}

__all__ = ["NAME", "TITLE", "build"]


def build(ctx: ReportContext) -> SectionResult:
    from grannskap.store.boards import (
        board_interventions,
        malomraden,
        programme_of,
        spent_by_malomrade,
    )
    from grannskap.store.programme import effektmal

    prog = programme_of(ctx.con, ctx.kommun)
    if prog.empty:
        raise DataNotFoundError(
            ctx.t(
                "inget program för kommunen i databasen (importera en programfil)",
                "no programme for the municipality in the database (import a programme file)",
            )
        )
    pid = str(prog["programme_id"].iloc[0])
    mo = malomraden(ctx.con, pid)
    iv = board_interventions(ctx.con, pid)
    boards = [b for b in dict.fromkeys([*mo["responsible"], *iv["board"]]) if b]
    if not boards:
        raise DataNotFoundError(
            ctx.t(
                "programfilen anger ingen ansvarig nämnd eller förvaltning "
                "(fältet responsible för målområden och insatser)",
                "the programme file names no responsible board "
                "(the field responsible of goal areas and interventions)",
            )
        )
    em = effektmal(ctx.con, pid)
    status = programme_status(ctx, pid, em) if len(em) else pd.DataFrame()
    if len(status):
        status = status.merge(em[["effektmal_id", "malomrade_id"]], left_on="id",
                              right_on="effektmal_id", how="left")  # fmt: skip
    spent = spent_by_malomrade(ctx.con, pid)
    iv["type_label"] = iv["type"].map(TYPE_LABELS[ctx.lang])
    iv["spent"] = iv["spent_sek"].astype("float64")
    name_col = "name_en" if ctx.lang == "en" else "name_sv"
    src = ctx.t(
        "Programfilen (ansvariga, effektmål, insatser och medel); nyckeltal från databasen.",
        "The programme file (responsible boards, effect goals, interventions and funding); "
        "indicators from the database.",
    )
    tables: list[Table] = []
    summary = []
    for k, board in enumerate(boards, start=1):
        own = mo[mo["responsible"] == board]
        goals = (
            status[status["malomrade_id"].isin(own["malomrade_id"])]
            if len(status)
            else pd.DataFrame(columns=["nr", "text", "indicators", "status", "trend"])
        )
        runs = iv[iv["board"] == board]
        areas = ", ".join(str(n or s) for n, s in zip(own[name_col], own["name_sv"], strict=True))
        money = sum(spent.get(str(m), 0.0) for m in own["malomrade_id"])
        summary.append(
            {
                "board": board,
                "malomraden": areas,
                "n_goals": len(goals),
                "n_linked": int(goals["linked"].sum()) if "linked" in goals else 0,
                "n_interventions": len(runs),
                "spent": money if money else None,
            }
        )
        if len(goals):
            tables.append(
                Table(
                    f"board{k}-goals",
                    ctx.t(
                        f"{board}: effektmål och nyckeltal", f"{board}: effect goals and indicators"
                    ),
                    goals,
                    [
                        Column("nr", ctx.t("Nr", "No."), "int"),
                        Column("text", ctx.t("Effektmål", "Effect goal")),
                        Column("indicators", ctx.t("Nyckeltal", "Indicator")),
                        Column("status", ctx.t("Status", "Status")),
                        Column("trend", ctx.t("Trend", "Trend")),
                    ],
                    src,
                )
            )
        if len(runs):
            tables.append(
                Table(
                    f"board{k}-interventions",
                    ctx.t(f"{board}: insatser och medel", f"{board}: interventions and funding"),
                    runs,
                    [
                        Column("name", ctx.t("Insats", "Intervention")),
                        Column("type_label", ctx.t("Typ", "Type")),
                        Column("start_year", ctx.t("Start", "Start"), "year"),
                        Column("spent", ctx.t("Använda medel", "Funds used"), "kr"),
                    ],
                    src,
                    ctx.t(
                        "”..”: programfilen anger inga medel för insatsen.",
                        "“..”: the programme file gives no funding for the intervention.",
                    ),
                )
            )
    overview = pd.DataFrame(summary)
    tables.insert(
        0,
        Table(
            "boards",
            ctx.t("Ansvariga nämnder och förvaltningar", "Responsible boards"),
            overview,
            [
                Column("board", ctx.t("Nämnd/förvaltning", "Board")),
                Column("malomraden", ctx.t("Målområden", "Goal areas")),
                Column("n_goals", ctx.t("Effektmål", "Effect goals"), "int"),
                Column("n_linked", ctx.t("Med nyckeltal", "With indicator"), "int"),
                Column("n_interventions", ctx.t("Insatser", "Interventions"), "int"),
                Column(
                    "spent", ctx.t("Använda medel (målområdena)", "Funds used (goal areas)"), "kr"
                ),
            ],
            src,
        ),
    )
    unassigned = int((iv["board"] == "").sum())
    return SectionResult(
        NAME,
        TITLE[ctx.lang],
        True,
        data={"n_boards": len(boards), "unassigned": unassigned},
        tables=tables,
    )
