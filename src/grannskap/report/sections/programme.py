"""The programme: målområden, effektmål with status and trend, interventions with their areas."""

from __future__ import annotations

import pandas as pd

from grannskap.errors import DataNotFoundError
from grannskap.report import data as rdata
from grannskap.report.context import Column, ReportContext, SectionResult, Table
from grannskap.report.sections import _common
from grannskap.report.sections._effektmal import effektmal_status
from grannskap.store import report_programme

NAME = "programme"
TITLE = {
    "sv": "Programmet: målområden, effektmål och insatser",
    "en": "The programme: goal areas, effect goals and interventions",
}

__all__ = ["NAME", "TITLE", "build"]

TYPE_LABELS = {
    "sv": {
        "forebyggande": "förebyggande",
        "framjande": "främjande",
        "atgardande": "åtgärdande",
        "okand": "ej angiven",
    },
    "en": {
        "forebyggande": "preventive",
        "framjande": "promotive",
        "atgardande": "remedial",
        "okand": "not specified",
    },
}


def _series(ctx: ReportContext, keys: set[str]) -> dict[str, dict[int, float]]:
    """The kommun's share per year for each key indicator in ``keys`` (all years held)."""
    from grannskap.store.programme import observation_years

    out: dict[str, dict[int, float]] = {}
    wanted = [k for k in rdata.KEY_INDICATORS if k.key in keys]
    years = sorted({y for k in wanted for y in observation_years(ctx.con, k.numerator[0][0])})
    for y in years:
        try:
            c = _common.counts_year(ctx, y)
        except DataNotFoundError:
            continue
        sh = rdata.shares_by(c[c["kommun"] == ctx.kommun], "kommun", ctx.threshold)
        for r in sh.itertuples():
            if r.indicator in keys and pd.notna(r.percent):
                out.setdefault(str(r.indicator), {})[y] = float(r.percent)
    return out


def programme_status(ctx: ReportContext, pid: str, em: pd.DataFrame) -> pd.DataFrame:
    """Status and trend of each effektmål of programme ``pid`` (computed once per report:
    the programme and the per-board sections show the same rows)."""

    def compute() -> pd.DataFrame:
        linked = {i for ids in em["indicator_ids"] if ids is not None for i in ids}
        return effektmal_status(
            ctx, em, _common.key_table(ctx), _common.police_rows(ctx), _series(ctx, linked)
        )

    return ctx.cached(f"effektmal_status:{pid}", compute)  # type: ignore[no-any-return]


def build(ctx: ReportContext) -> SectionResult:
    con = ctx.con
    prog = report_programme.programmes(con, ctx.kommun)
    if prog.empty:
        raise DataNotFoundError(
            ctx.t(
                f"inget program för kommun {ctx.kommun} i databasen (importera en programfil)",
                f"no programme for kommun {ctx.kommun} in the database (import a programme file)",
            )
        )
    pid = str(prog["programme_id"].iloc[0])
    mo = report_programme.malomrade_rows(con, pid)
    from grannskap.store.programme import effektmal, programme_import

    em = effektmal(con, pid)
    status = programme_status(ctx, pid, em)
    iv = report_programme.interventions(con, pid, ctx.lang)
    iv["type_label"] = iv["type"].map(TYPE_LABELS[ctx.lang])
    name_col = "name_en" if ctx.lang == "en" else "name_sv"
    if ctx.lang == "en":
        mo[name_col] = mo[name_col].where(mo[name_col] != "", mo["name_sv"])
    fname = programme_import(con, pid) or ""
    pname = str(prog["name"].iloc[0])
    src = ctx.t(
        f"Programfilen {fname} ({pname}); källor per rad i filen.",
        f"The programme file {fname} ({pname}); sources per row in the file.",
    )
    tables = [
        Table(
            "malomraden",
            ctx.t("Målområden", "Goal areas"),
            mo,
            [
                Column(name_col, ctx.t("Målområde", "Goal area")),
                Column("responsible", ctx.t("Ansvarig", "Responsible"), lang="sv"),
                Column("decided", ctx.t("Beslutat", "Decided")),
            ],
            src,
        ),
        Table(
            "interventions",
            ctx.t("Insatser", "Interventions"),
            iv,
            [
                Column("name", ctx.t("Insats", "Intervention"), lang="sv"),
                Column("type_label", ctx.t("Typ", "Type")),
                Column("malomrade_name", ctx.t("Målområde", "Goal area")),
                Column("areas", ctx.t("Områden", "Areas"), lang="sv"),
                Column("start_year", ctx.t("Start", "Start"), "year"),
                Column("source_note", ctx.t("Källa", "Source"), lang="sv"),
            ],
            src,
            ctx.t(
                "Tomma fält betyder att uppgiften saknas i underlaget.",
                "Empty cells mean the information is not in the sources.",
            ),
        ),
    ]
    tables.insert(
        1,
        Table(
            "effektmal",
            ctx.t(
                "Effektmål: nyckeltal, status och trend",
                "Effect goals: indicators, status and trend",
            ),
            status,
            [
                Column("nr", ctx.t("Nr", "No."), "int"),
                Column("text", ctx.t("Effektmål", "Effect goal")),
                Column("malomrade", ctx.t("Målområde", "Goal area")),
                Column("indicators", ctx.t("Nyckeltal", "Indicator")),
                Column("status", ctx.t("Status", "Status")),
                Column("trend", ctx.t("Trend", "Trend")),
            ],
            src,
            ctx.t(
                "Nyckeltalen är grannskaps koppling (programfilens fält indicators); "
                "”inget nyckeltal ännu” betyder att inget nyckeltal i databasen mäter målet.",
                "The indicators are grannskap's link (the programme file's field indicators); "
                "“no indicator yet” means no indicator in the database measures the goal.",
            ),
        ),
    )
    unknown = int((~em["known"]).sum()) if not em.empty else 0
    return SectionResult(
        NAME,
        TITLE[ctx.lang],
        True,
        data={
            "programme": prog.iloc[0].to_dict(),
            "n_effektmal": len(em),
            "n_unknown": unknown,
            "effektmal": em.to_dict("records"),
            "n_linked": int(status["linked"].sum()) if len(status) else 0,
        },
        tables=tables,
    )
