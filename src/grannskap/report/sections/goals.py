"""The 2030 goal: goal status and trend first; a probability of reaching it only where the
projection beat "no change" in a backtest; area types, transitions, thresholds.

Calls :func:`grannskap.goals.report_data` and presents its frames. The backtest and the
technical notes on the projection go to the methods section (``methods.py`` reads them from
``ctx.cache["goals_report_data"]``).
"""

from __future__ import annotations

from grannskap.report import svg
from grannskap.report.context import Column, Figure, ReportContext, SectionResult, Table

NAME = "goals"
TITLE = {"sv": "Målet 2030: läge och utveckling", "en": "The 2030 goal: status and trend"}

__all__ = ["NAME", "TITLE", "build", "backtest_table"]


def build(ctx: ReportContext) -> SectionResult:
    from grannskap.goals import report_data
    from grannskap.store.boards import programme_of

    rd = report_data(ctx.con, ctx.kommun, ctx.lang)
    ctx.cache["goals_report_data"] = rd  # the dashboard's area pages reuse it
    figures: list[Figure] = []
    tables: list[Table] = []
    src_goal = ctx.t(
        "grannskap.goals: SCB:s officiella områdestyper och polisens listor.",
        "grannskap.goals: SCB's official area types and the Police lists.",
    )
    gs = rd.goal_summary.copy()
    forecast_notes: list[str] = []
    if not gs.empty:
        shown = gs["forecast_shown"].astype(bool) if "forecast_shown" in gs else gs["p_met"].notna()
        sentence = rd.texts.get("forecast", "")
        forecast_notes = [sentence] if sentence else []
        for c in ("p_met", "p_met_low", "p_met_high"):
            gs[c + "_pct"] = gs[c].astype(float) * 100
        gs["latest_label"] = gs["latest_met"].map(
            {True: ctx.t("uppnått", "met"), False: ctx.t("inte uppnått", "not met")}
        )
        # the measured status and trend lead; a probability column only where one is shown
        columns = [
            Column("goal", ctx.t("Mål", "Goal")),
            Column("latest_year", ctx.t("Senaste år", "Latest year"), "year"),
            Column("latest_label", ctx.t("Läge", "Status")),
            Column("trend", ctx.t("Utveckling", "Trend")),
        ]
        if shown.any():
            columns += [
                Column("p_met_pct", ctx.t("Sannolikhet att nås, %", "Probability met, %"), "num1"),
                Column("p_met_low_pct", ctx.t("Lägst (90 %)", "Low (90 %)"), "num1"),
                Column("p_met_high_pct", ctx.t("Högst (90 %)", "High (90 %)"), "num1"),
            ]
        tables.append(
            Table(
                "goal-summary",
                ctx.t("Målen: läge och utveckling", "The goals: status and trend"),
                gs,
                columns,
                src_goal,
            )
        )
        gp = gs[shown]
        if not gp.empty:
            alt = ctx.t(
                "Sannolikhet att varje mål nås 2030, med 90 % intervall: ",
                "Probability that each goal is met by 2030, with 90 % intervals: ",
            ) + "; ".join(
                f"{r.goal}: {r.p_met_pct:.1f} % ({r.p_met_low_pct:.1f}–{r.p_met_high_pct:.1f})"
                for r in gp.itertuples()
            )
            figures.append(
                Figure(
                    "goal-probability",
                    ctx.t(
                        "Sannolikhet att målen nås till 2030 (procent, 90 % intervall)",
                        "Probability of meeting the goals by 2030 (percent, 90 % interval)",
                    ),
                    svg.interval_chart(
                        list(gp["goal"].astype(str)),
                        list(gp["p_met_pct"]),
                        list(gp["p_met_low_pct"]),
                        list(gp["p_met_high_pct"]),
                        title=ctx.t("Måluppfyllelse 2030", "Goal attainment 2030"),
                        desc=alt,
                        lang=ctx.lang,
                        unit=" %",
                    ),
                    alt,
                    src_goal,
                )
            )
    tr = rd.transitions
    if tr is not None and not tr.empty and rd.transition_years:
        t = tr.copy()
        t.index = [f"{ctx.t('typ', 'type')} {i}" for i in t.index]
        t = t.reset_index().rename(columns={"index": "from"})
        t.columns = [str(c) for c in t.columns]
        a, b = rd.transition_years
        tables.append(
            Table(
                "transitions",
                ctx.t(
                    f"Övergångar mellan SCB:s områdestyper {a}→{b} (antal RegSO; rad = {a}, kolumn = {b})",
                    f"Transitions between SCB area types {a}→{b} (number of RegSO; row = {a}, column = {b})",
                ),
                t,
                [Column("from", ctx.t("Från", "From"))]
                + [Column(c, f"→ {c}", "int") for c in t.columns[1:]],
                ctx.t("SCB, områdestyp per RegSO.", "Statistics Sweden, area type per RegSO."),
            )
        )
    cl = rd.closest
    if cl is not None and not cl.empty:
        c2 = cl.copy()
        c2["direction_label"] = c2["direction"].map(
            {
                "better": ctx.t("nära bättre typ", "close to a better type"),
                "worse": ctx.t("nära sämre typ", "close to a worse type"),
            }
        )
        tables.append(
            Table(
                "closest",
                ctx.t(
                    "De tio RegSO som ligger närmast en gräns mellan områdestyper",
                    "The ten RegSO closest to a threshold between area types",
                ),
                c2,
                [
                    Column("name", "RegSO"),
                    Column("area_code", ctx.t("Kod", "Code")),
                    Column("omradestyp", ctx.t("Typ (beräknad)", "Type (computed)"), "int"),
                    Column("direction_label", ctx.t("Riktning", "Direction")),
                    Column("distance_z", ctx.t("Avstånd (σ)", "Distance (σ)"), "num3"),
                ],
                ctx.t(
                    f"grannskap.goals, beräknat index {rd.computed_year} (SCB DeSO-tabeller).",
                    f"grannskap.goals, computed index {rd.computed_year} (SCB DeSO tables).",
                ),
            )
        )
    pp = rd.police_projection
    if pp is not None and not pp.empty:
        p2 = pp.copy()
        for c in [c for c in p2.columns if c.startswith("p_")]:
            p2[c] = p2[c].astype(float) * 100
        if "state_2025" in p2.columns:  # category names, never the stored codes
            p2["state_2025"] = (
                p2["state_2025"]
                .map(
                    {
                        "ej_listad": ctx.t("Inte listat", "Not listed"),
                        "utsatt": ctx.t("Utsatt", "Vulnerable"),
                        "riskomrade": ctx.t("Riskområde", "Risk area"),
                        "sarskilt_utsatt": ctx.t("Särskilt utsatt", "Especially vulnerable"),
                    }
                )
                .fillna(p2["state_2025"])
            )
        cols = [
            Column("name", ctx.t("Område", "Area")),
            Column("state_2025", ctx.t("Läge 2025", "State 2025")),
            Column("target_list_year", ctx.t("Lista", "List"), "year"),
        ]
        for key, lab in (
            ("ej_listad", ctx.t("Inte listat", "Not listed")),
            ("utsatt", ctx.t("Utsatt", "Vulnerable")),
            ("sarskilt_utsatt", ctx.t("Särskilt utsatt", "Especially vulnerable")),
        ):
            if f"p_{key}" in p2.columns:
                cols.append(Column(f"p_{key}", f"{lab}, %", "num1"))
        tables.append(
            Table(
                "police-projection",
                ctx.t(
                    "Polisens lista: sannolikhet per läge vid sista listan före 2030",
                    "Police list: probability of each state at the last list before 2030",
                ),
                p2,
                cols,
                src_goal,
            )
        )
    agree = rd.agreement
    dis = rd.disagreements
    if dis is not None and not dis.empty:
        tables.append(
            Table(
                "disagreements",
                ctx.t(
                    "RegSO där grannskaps beräknade typ skiljer sig från SCB:s",
                    "RegSO where grannskap's computed type differs from SCB's",
                ),
                dis,
                [
                    Column("name", "RegSO"),
                    Column("area_code", ctx.t("Kod", "Code")),
                    Column("computed", ctx.t("Beräknad", "Computed"), "int"),
                    Column("official", ctx.t("SCB officiell", "SCB official"), "int"),
                    Column("z", "z", "num3"),
                ],
                ctx.t(
                    "SCB officiella typer; grannskap.goals.", "SCB official types; grannskap.goals."
                ),
            )
        )
    return SectionResult(
        NAME,
        TITLE[ctx.lang],
        True,
        data={
            "has_programme": not programme_of(ctx.con, ctx.kommun).empty,
            "agreement": agree,
            "caveats": list(rd.caveats),
            "forecast_notes": forecast_notes,
            "notes": list(rd.notes),
            "computed_year": rd.computed_year,
        },
        figures=figures,
        tables=tables,
    )


def backtest_table(ctx: ReportContext) -> Table | None:
    """The goals' backtest (real history and the SIMULATED method check) for the methods
    section, or ``None`` when the goals section has not been built."""
    import pandas as pd

    rd = ctx.cache.get("goals_report_data")
    if rd is None:
        return None
    parts = [f for f in (rd.backtest, rd.backtest_simulated) if f is not None and not f.empty]
    if not parts:
        return None
    bt = pd.concat(parts, ignore_index=True)
    for c in ("brier_model", "brier_naive"):
        bt[c] = bt[c].astype(float)  # three decimals matter for Brier scores
    return Table(
        "goals-backtest",
        ctx.t(
            "Prognosen för 2030 prövad på tidigare år (Brier-poäng; lägre är bättre) jämfört "
            "med ”ingen förändring”",
            "The 2030 projection tested on earlier years (Brier score; lower is better) "
            "against “no change”",
        ),
        bt,
        [
            Column("data", ctx.t("Data", "Data")),
            Column("target_year", ctx.t("Målår", "Target year"), "year"),
            Column("horizon_years", ctx.t("Horisont (år)", "Horizon (years)"), "int"),
            Column("n_areas", ctx.t("Områden", "Areas"), "int"),
            Column("brier_model", ctx.t("Brier modell", "Brier model"), "num3"),
            Column("brier_naive", ctx.t("Brier ingen förändring", "Brier no change"), "num3"),
        ],
        ctx.t(
            "grannskap.goals.backtest (Markovmodell). Rader märkta SIMULERADE bygger på "
            "simulerade data.",
            "grannskap.goals.backtest (Markov model). Rows marked SIMULATED use simulated data.",
        ),
    )
