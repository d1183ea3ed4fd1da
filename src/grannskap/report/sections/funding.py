"""Funding: spending per year and per målområde, reconciled against the stated totals and the grant."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd

from grannskap.errors import DataNotFoundError
from grannskap.format import format_number
from grannskap.report import svg
from grannskap.report.context import Column, Figure, ReportContext, SectionResult, Table

NAME = "funding"
TITLE = {"sv": "Finansiering och avstämning", "en": "Funding and reconciliation"}

__all__ = ["NAME", "TITLE", "build", "findings_en"]

_POST_EN = {
    "Summa per år (beräknad)": "Sum per year (computed)",
    "Totalsumma per år (angiven i källan)": "Stated total per year (source)",
    "Summa per målområde/kostnadsslag (beräknad)": "Sum per goal area/cost type (computed)",
    "Totalsumma per målområde (angiven i källan)": "Stated total per goal area (source)",
    "Beviljat statsbidrag": "Grant awarded",
    "Ej förbrukat av bidraget (beviljat − angiven totalsumma)": "Not spent (grant − stated total)",
}


def findings_en(rec: Any) -> list[str]:
    """The ledger's findings (written in Swedish by :func:`grannskap.evaluation.ledger.reconcile`)
    in English, from the same numbers."""
    from grannskap.format import format_kr, format_percent

    def kr(v: Decimal) -> str:
        return format_kr(v, "en")

    out = []
    if rec.stated_total_year is not None and rec.stated_total_year != rec.sum_per_year:
        out.append(
            f"The amounts per year add up to {kr(rec.sum_per_year)}, but the source's total is "
            f"{kr(rec.stated_total_year)} (difference {kr(rec.sum_per_year - rec.stated_total_year)})."
        )
    if rec.stated_total_category is not None and rec.stated_total_category != rec.sum_per_category:
        out.append(
            f"The amounts per goal area add up to {kr(rec.sum_per_category)}, but the source's total is "
            f"{kr(rec.stated_total_category)} (difference {kr(rec.sum_per_category - rec.stated_total_category)})."
        )
    if rec.sum_per_year != rec.sum_per_category:
        out.append(
            f"The sum per year ({kr(rec.sum_per_year)}) and the sum per goal area "
            f"({kr(rec.sum_per_category)}) differ by {kr(rec.sum_per_year - rec.sum_per_category)}."
        )
    else:
        out.append(f"The sum per year and the sum per goal area agree ({kr(rec.sum_per_year)}).")
    if rec.grant is not None and rec.unspent is not None:
        label = f" ({rec.grant_label})" if rec.grant_label else ""
        out.append(
            f"Of the grant awarded, {kr(rec.grant)}{label}, {kr(rec.unspent)} remain according to "
            "the source's total."
        )
        if rec.grant_label and "milj" in rec.grant_label.lower():
            out.append(
                "The grant is given rounded in the source (millions of kronor with one decimal), "
                "so the remaining amount is uncertain by up to ±50,000 kr."
            )
    pc = rec.per_category
    unspecified = pc[pc["malomrade_id"].isna()]
    if len(unspecified) and rec.sum_per_category:
        share = sum(unspecified["amount_sek"], Decimal(0)) / rec.sum_per_category * 100
        out.append(
            f"{format_percent(float(share), 1, 'en')} of the costs are not tied to any goal area "
            f"({', '.join(str(c) for c in unspecified['category'])})."
        )
    return out


def _detail_table(ctx: ReportContext, pid: str) -> Table | None:
    """Funding rows by year × målområde × intervention, one column per funding source."""
    from grannskap.store.programme import funding_rows

    rows = funding_rows(ctx.con, pid)
    if rows.empty:
        return None
    none = ctx.t("(ej angivet)", "(not given)")
    rows["amount"] = rows["amount_sek"].map(float)
    rows["kind_label"] = (
        rows["kind"]
        .map({"budget": ctx.t("budget", "budget"), "spent": ctx.t("utfall", "spent")})
        .fillna(rows["kind"])
    )
    mcol = "malomrade_en" if ctx.lang == "en" else "malomrade_sv"
    rows["malomrade"] = rows[mcol].where(
        rows[mcol].notna() & (rows[mcol] != ""), rows["malomrade_sv"]
    )
    keys = ["year", "malomrade", "intervention", "kind_label"]
    for k in keys[1:]:
        rows[k] = rows[k].fillna(none)
    rows["year"] = rows["year"].astype("Int64")
    rows["funding_source"] = rows["funding_source"].fillna(none)
    # no row for a funder = nothing from that funder: 0 kr (not a suppressed cell)
    wide = rows.pivot_table(
        index=keys, columns="funding_source", values="amount", aggfunc="sum", fill_value=0.0
    ).reset_index()
    sources = [c for c in wide.columns if c not in keys]
    cols = [
        Column("year", ctx.t("År", "Year"), "year"),
        Column("malomrade", ctx.t("Målområde", "Goal area")),
        Column("intervention", ctx.t("Insats", "Intervention")),
        Column("kind_label", ctx.t("Slag", "Kind")),
    ] + [Column(str(c), str(c), "kr") for c in sources]
    wide.columns = [str(c) for c in wide.columns]
    src = "; ".join(dict.fromkeys(str(x) for x in rows["source_note"].dropna())) or ctx.t(
        "programfilen", "the programme file"
    )
    return Table(
        "funding-detail",
        ctx.t(
            "Finansiering per år, målområde och insats, per finansiär",
            "Funding per year, goal area and intervention, by funder",
        ),
        wide,
        cols,
        src,
        source_lang="sv",
    )


def build(ctx: ReportContext) -> SectionResult:
    from grannskap.evaluation.ledger import read_funding, reconcile
    from grannskap.store.report_programme import programmes

    prog = list(programmes(ctx.con, ctx.kommun)["programme_id"])
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
        source_lang="sv",
    )
    pc = rec.per_category.copy()
    recon = rec.table()
    recon = recon.drop_duplicates(subset=["post"]).reset_index(drop=True)
    if ctx.lang == "en":
        recon["post"] = recon["post"].map(lambda p: _POST_EN.get(p, p))
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
            source_lang="sv",
        ),
        Table(
            "spent-per-category",
            ctx.t("Förbrukat per målområde/kostnadsslag", "Spent per goal area/cost type"),
            pc,
            [
                Column(
                    "category",
                    ctx.t("Kostnadsslag (som i källan)", "Cost type (as printed)"),
                    lang="sv",
                ),
                Column("malomrade_id", ctx.t("Målområde", "Goal area")),
                Column("amount_sek", ctx.t("Belopp", "Amount"), "kr"),
            ],
            src,
            source_lang="sv",
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
            source_lang="sv",
        ),
    ]
    detail = _detail_table(ctx, str(prog[0]))
    if detail is not None:
        tables.append(detail)
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
            "findings": findings_en(rec) if ctx.lang == "en" else rec.findings,
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
