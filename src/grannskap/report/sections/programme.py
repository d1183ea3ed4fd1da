"""The programme: målområden, effektmål (as far as known) and interventions with their areas."""

from __future__ import annotations

from grannskap.errors import DataNotFoundError
from grannskap.report.context import Column, ReportContext, SectionResult, Table

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
        "okand": "okänd",
    },
    "en": {
        "forebyggande": "preventive",
        "framjande": "promotive",
        "atgardande": "remedial",
        "okand": "unknown",
    },
}


def build(ctx: ReportContext) -> SectionResult:
    con = ctx.con
    prog = con.execute(
        "SELECT * FROM programme WHERE kommun_code = ? ORDER BY programme_id", [ctx.kommun]
    ).df()
    if prog.empty:
        raise DataNotFoundError(
            ctx.t(
                f"inget program för kommun {ctx.kommun} i databasen (importera en programfil)",
                f"no programme for kommun {ctx.kommun} in the database (import a programme file)",
            )
        )
    pid = str(prog["programme_id"].iloc[0])
    mo = con.execute("SELECT * FROM malomrade WHERE programme_id = ? ORDER BY ordinal", [pid]).df()
    em = con.execute("SELECT * FROM effektmal ORDER BY ordinal").df()
    iv = con.execute(
        "SELECT i.*, m.name_sv AS malomrade_name, "
        "(SELECT string_agg(coalesce(a.name, ia.area_code), ', ' ORDER BY ia.area_code) FROM intervention_area ia "
        " LEFT JOIN area a ON a.system = ia.area_system AND a.code = ia.area_code WHERE ia.intervention_id = i.intervention_id) AS areas "
        "FROM intervention i LEFT JOIN malomrade m USING (malomrade_id) WHERE i.programme_id = ? ORDER BY i.intervention_id",
        [pid],
    ).df()
    iv["type_label"] = iv["type"].map(TYPE_LABELS[ctx.lang])
    name_col = "name_en" if ctx.lang == "en" else "name_sv"
    if ctx.lang == "en":
        mo[name_col] = mo[name_col].where(mo[name_col] != "", mo["name_sv"])
    src = ctx.t(
        "Programfilen (Borås Stad: Socialt hållbart Borås – arbetet framåt, KS-beslut; boras.se).",
        "Programme file (Borås Stad: Socialt hållbart Borås – arbetet framåt, municipal board decision; boras.se).",
    )
    tables = [
        Table(
            "malomraden",
            ctx.t("Målområden", "Goal areas"),
            mo,
            [
                Column(name_col, ctx.t("Målområde", "Goal area")),
                Column("responsible", ctx.t("Ansvarig", "Responsible")),
                Column("decided", ctx.t("Beslutat", "Decided")),
            ],
            src,
        ),
        Table(
            "interventions",
            ctx.t("Insatser", "Interventions"),
            iv,
            [
                Column("name", ctx.t("Insats", "Intervention")),
                Column("type_label", ctx.t("Typ", "Type")),
                Column("malomrade_name", ctx.t("Målområde", "Goal area")),
                Column("areas", ctx.t("Områden", "Areas")),
                Column("start_year", ctx.t("Start", "Start"), "year"),
                Column("source_note", ctx.t("Källa", "Source")),
            ],
            src,
            ctx.t(
                "Tomma fält betyder att uppgiften saknas i underlaget.",
                "Empty cells mean the information is not in the sources.",
            ),
        ),
    ]
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
        },
        tables=tables,
    )
