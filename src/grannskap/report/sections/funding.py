"""Funding: spending per year and per målområde, reconciled against the stated totals and the grant."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from grannskap.errors import DataNotFoundError
from grannskap.report import svg
from grannskap.report.context import Column, Figure, ReportContext, SectionResult, Table
from grannskap.report.format import format_number

NAME = "funding"
TITLE = {"sv": "Finansiering och avstämning", "en": "Funding and reconciliation"}

__all__ = ["NAME", "TITLE", "build"]


def build(ctx: ReportContext) -> SectionResult:
    from grannskap.evaluation.ledger import read_funding, reconcile

    prog = ctx.con.execute(
        "SELECT programme_id FROM programme WHERE kommun_code = ? ORDER BY 1", [ctx.kommun]
    ).fetchone()
    if not prog:
        raise DataNotFoundError(
            ctx.t(f"inget program för kommun {ctx.kommun}", f"no programme for kommun {ctx.kommun}")
        )
    funding = read_funding(ctx.con)
    if funding[funding["programme_id"] == prog[0]].empty:
        raise DataNotFoundError(
            ctx.t("inga finansieringsuppgifter i databasen", "no funding entries in the database")
        )
    rec = reconcile(funding, str(prog[0]))
    src_note = funding["source_note"].dropna()
    src = str(src_note.iloc[0]) if len(src_note) else ctx.t("programfilen", "the programme file")
    py = rec.per_year.copy()
    py["amount"] = py["amount_sek"].map(float)
    alt = (
        ctx.t(
            "Staplar med förbrukat statsbidrag per år: ", "Bars with grant money spent per year: "
        )
        + "; ".join(
            f"{int(r.year)}: {format_number(r.amount, 0, ctx.lang)} kr" for r in py.itertuples()
        )
        + "."
    )
    fig = Figure(
        "spent-per-year",
        ctx.t("Förbrukat statsbidrag per år (kronor)", "Grant spent per year (SEK)"),
        svg.bar_chart(
            [str(int(y)) for y in py["year"]],
            [(ctx.t("Förbrukat", "Spent"), list(py["amount"]))],
            title=ctx.t("Förbrukat per år", "Spent per year"),
            desc=alt,
            unit="kr",
            decimals=0,
            lang=ctx.lang,
        ),
        alt,
        src,
    )
    pc = rec.per_category.copy()
    recon = rec.table()
    if ctx.lang == "en":
        recon["post"] = [
            "Sum per year (computed)",
            "Stated total per year (source)",
            "Sum per goal area/cost type (computed)",
            "Stated total per goal area (source)",
            "Grant awarded",
            "Not spent (grant − stated total)",
        ]
    tables = [
        Table(
            "spent-per-year",
            ctx.t("Förbrukat per år", "Spent per year"),
            py,
            [
                Column("year", ctx.t("År", "Year"), "year"),
                Column("amount_sek", ctx.t("Belopp", "Amount"), "kr"),
            ],
            src,
        ),
        Table(
            "spent-per-category",
            ctx.t("Förbrukat per målområde/kostnadsslag", "Spent per goal area/cost type"),
            pc,
            [
                Column("category", ctx.t("Kostnadsslag (som i källan)", "Cost type (as printed)")),
                Column("malomrade_id", ctx.t("Målområde", "Goal area")),
                Column("amount_sek", ctx.t("Belopp", "Amount"), "kr"),
            ],
            src,
        ),
        Table(
            "reconciliation",
            ctx.t("Avstämning", "Reconciliation"),
            recon,
            [
                Column("post", ctx.t("Post", "Item")),
                Column("belopp_kr", ctx.t("Belopp", "Amount"), "kr"),
            ],
            src,
            ctx.t(
                "Skillnader redovisas på kronan; inget avrundas bort.",
                "Differences are shown to the krona; nothing is rounded away.",
            ),
        ),
    ]
    diff_year = (
        (rec.sum_per_year - rec.stated_total_year)
        if rec.stated_total_year is not None
        else Decimal(0)
    )
    return SectionResult(
        NAME,
        TITLE[ctx.lang],
        True,
        data={
            "findings": rec.findings,
            "balanced": rec.balanced,
            "grant": rec.grant,
            "spent": rec.spent,
            "unspent": rec.unspent,
            "diff_year": diff_year,
            "unspecified": float(
                pc.loc[pd.isna(pc["malomrade_id"]), "amount_sek"].map(float).sum()
            ),
        },
        figures=[fig],
        tables=tables,
    )
