"""Change over time per RegSO: population and foreign-born, tenure, wage income, and the
segregation of foreign-born and Swedish-born residents per year with the change from the first
to the last year (SCB's RegSO 2020 series, e.g. 2020–2023; numbers in :mod:`._history`)."""

from __future__ import annotations

import math

import pandas as pd

from grannskap.format import format_number
from grannskap.indicators import indicator
from grannskap.report import svg
from grannskap.report.context import Column, Figure, ReportContext, SectionResult, Table
from grannskap.report.sections._history import History, history, verdict_text

NAME = "history"
TITLE = {
    "sv": "Utveckling över tid (RegSO): befolkning, boende, inkomst och segregation",
    "en": "Change over time (RegSO): population, housing, income and segregation",
}

__all__ = ["NAME", "TITLE", "build", "span", "change_sentence", "years_note"]

INDEX_LABELS = {
    "sv": {"dissimilarity": "Olikhetsindex D", "isolation": "Isolering", "theil_h": "Theils H"},
    "en": {"dissimilarity": "Dissimilarity D", "isolation": "Isolation", "theil_h": "Theil's H"},
}


def span(years: list[int], lang: str = "sv") -> str:
    """``"2020–2023"`` (consecutive), ``"2022 och 2023"`` / ``"2022 and 2023"``,
    ``"2018, 2020 och 2023"`` or ``"2022"``."""
    ys = sorted(years)
    if not ys:
        return ""
    if len(ys) == 1:
        return str(ys[0])
    if len(ys) > 2 and ys[-1] - ys[0] == len(ys) - 1:
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(map(str, ys[:-1])) + (" and " if lang == "en" else " och ") + str(ys[-1])


def _n(v: float, d: int, lang: str) -> str:
    return format_number(v, d, lang)


def change_sentence(row: pd.Series, lang: str) -> str:
    """Plain-language sentence on one index change (values ×100)."""
    lab = INDEX_LABELS[lang][str(row["index"])]
    a, b = 100 * row["estimate_a"], 100 * row["estimate_b"]
    d, lo, hi = 100 * row["difference_bc"], 100 * row["ci_low"], 100 * row["ci_high"]
    p = float(row["p_value"])
    if math.isnan(p):
        p_text = "p = .."
    elif p < 0.05:
        p_text = f"p < {_n(0.05 if p >= 0.01 else 0.01, 2, lang)}"
    else:
        p_text = f"p = {_n(p, 2, lang)}"
    v = verdict_text(str(row["verdict"]), lang)
    where = str(row["name"])
    if row["scope"] == "riket":
        where = "Sweden" if lang == "en" else "riket"
    if lang == "en":
        return (
            f"{lab} in {where} was {_n(a, 1, lang)} in {row['year_from']} and "
            f"{_n(b, 1, lang)} in {row['year_to']}: {v} (change {_n(d, 1, lang)}, 95 % interval "
            f"{_n(lo, 1, lang)} to {_n(hi, 1, lang)}, {p_text})."
        )
    return (
        f"{lab} i {where} var {_n(a, 1, lang)} år {row['year_from']} och "
        f"{_n(b, 1, lang)} år {row['year_to']}: {v} (förändring {_n(d, 1, lang)}, 95 % "
        f"intervall {_n(lo, 1, lang)} till {_n(hi, 1, lang)}, {p_text})."
    )


def _wide(h: History, ind: str, scopes: tuple[str, ...]) -> pd.DataFrame:
    v = h.values[(h.values.indicator == ind) & h.values.scope.isin(scopes)]
    order = {s: i for i, s in enumerate(scopes)}
    w = (
        v.assign(name=v["name"].fillna(v["code"]))
        .drop_duplicates(["scope", "code", "year"])
        .set_index(["scope", "code", "name", "year"])["value"]
        .unstack("year")
        .reset_index()
    )
    w.columns.name = None
    w = w[w["name"].notna()]
    w["_o"] = w["scope"].map(order)
    return w.sort_values(["_o", "code"]).drop(columns="_o").reset_index(drop=True)


def _source(ctx: ReportContext, tables: str, years: list[int]) -> str:
    return ctx.t(
        f"SCB, Statistikdatabasen (RegSO, indelning 2020), {tables}; statistikår "
        f"{span(years, 'sv')}. Egen bearbetning.",
        f"Statistics Sweden (SCB), RegSO (2020 division), {tables}; years "
        f"{span(years, 'en')}. Own calculations.",
    )


def _tables(ctx: ReportContext, h: History) -> list[Table]:
    ys = h.years
    pop = _wide(h, "folkmangd", ("kommun", "stadsdel", "comparison", "riket"))
    fb = _wide(h, "utrikes_fodda", ("kommun", "stadsdel", "comparison", "riket"))
    pop_fb = pop[["scope", "code", "name"]].copy()
    for y in ys:
        pop_fb[f"pop_{y}"] = pop[y] if y in pop.columns else math.nan
    fbm = fb.set_index("code")
    for y in ys:
        pop_fb[f"fb_{y}"] = pop_fb["code"].map(fbm[y]) if y in fbm.columns else math.nan
    own_kommun = pop_fb[(pop_fb.scope != "kommun") | (pop_fb.code == ctx.kommun)]
    t_pop = Table(
        "history-population",
        ctx.t(
            f"Folkmängd och andel utrikes födda, {span(ys, 'sv')}",
            f"Population and share foreign-born, {span(ys, 'en')}",
        ),
        own_kommun.reset_index(drop=True),
        [Column("name", ctx.t("Område", "Area"))]
        + [Column(f"pop_{y}", ctx.t(f"Folkmängd {y}", f"Population {y}"), "int") for y in ys]
        + [Column(f"fb_{y}", ctx.t(f"Utrikes födda {y}", f"Foreign-born {y}"), "pct1") for y in ys],
        _source(ctx, "TAB6572 (BE0101Y)", ys),
        ctx.t(
            "Utrikes födda = folkmängd totalt − födda i Sverige. Stadsdelarna är summor av sina RegSO.",
            "Foreign-born = total population − born in Sweden. The districts are sums of their RegSO.",
        ),
    )
    ten_rows = []
    for form in ("hyresratt", "bostadsratt", "aganderatt"):
        w = _wide(h, form, ("kommun", "comparison", "riket"))
        w = w[(w.scope != "kommun") | (w.code == ctx.kommun)]
        for _, r in w.iterrows():
            for y in ys:
                ten_rows.append({"name": r["name"], "year": y, "form": form, "v": r.get(y)})
    ten = pd.DataFrame(ten_rows)
    tenure = (
        ten.pivot_table(
            index=["name", "year"], columns="form", values="v", aggfunc="first", sort=False
        ).reset_index()
        if not ten.empty
        else pd.DataFrame(columns=["name", "year", "hyresratt", "bostadsratt", "aganderatt"])
    )
    t_ten = Table(
        "history-tenure",
        ctx.t(
            f"Upplåtelseform, andel av lägenheterna, {span(ys, 'sv')}",
            f"Tenure, share of dwellings, {span(ys, 'en')}",
        ),
        tenure,
        [Column("name", ctx.t("Område", "Area")), Column("year", ctx.t("År", "Year"), "year")]
        + [
            Column(f, indicator(f).name(ctx.lang), "pct1")
            for f in ("hyresratt", "bostadsratt", "aganderatt")
        ],
        _source(ctx, "TAB6258 (BO0104)", ys),
        ctx.t(
            "Andel av alla lägenheter, även de där upplåtelseformen saknas.",
            "Share of all dwellings, including those whose tenure is unknown.",
        ),
    )
    inc = _wide(h, "loneinkomst_medel", ("kommun", "stadsdel", "comparison", "riket"))
    inc = inc[(inc.scope != "kommun") | (inc.code == ctx.kommun)].copy()
    inc.columns = [
        f"inc_{c}" if isinstance(c, int | float) and not isinstance(c, bool) else c
        for c in inc.columns
    ]
    t_inc = Table(
        "history-income",
        ctx.t(
            f"Löneinkomst, medelvärde för samtliga (tkr, troligen fasta priser), {span(ys, 'sv')}",
            f"Wage income, mean over all persons (SEK thousand, probably constant prices), {span(ys, 'en')}",
        ),
        inc.reset_index(drop=True),
        [Column("name", ctx.t("Område", "Area"))]
        + [Column(f"inc_{y}", str(y), "num1") for y in ys],
        _source(ctx, "Tab2InkDesoN (HE0110)", ys),
        indicator("loneinkomst_medel").notes(ctx.lang),
    )
    have = set(h.values["indicator"])
    return [
        t
        for t, need in ((t_pop, "folkmangd"), (t_ten, "hyresratt"), (t_inc, "loneinkomst_medel"))
        if need in have
    ]


def _regso_table(ctx: ReportContext, h: History) -> Table:
    ys = h.years
    first, last = ys[0], ys[-1]
    pop = _wide(h, "folkmangd", ("regso",))
    fb = _wide(h, "utrikes_fodda", ("regso",)).set_index("code")
    sd = h.values[(h.values.scope == "regso")].drop_duplicates("code").set_index("code")["stadsdel"]
    out = pop[["code", "name"]].copy()
    out["stadsdel"] = out["code"].map(sd)
    for y in sorted({first, last}):
        out[f"pop_{y}"] = pop[y] if y in pop.columns else math.nan
        out[f"fb_{y}"] = out["code"].map(fb[y]) if y in fb.columns else math.nan
    cols = [
        Column("code", "RegSO"),
        Column("name", ctx.t("Namn", "Name")),
        Column("stadsdel", ctx.t("Stadsdel", "District")),
    ]
    for y in sorted({first, last}):
        cols += [Column(f"pop_{y}", ctx.t(f"Folkmängd {y}", f"Population {y}"), "int"),
                 Column(f"fb_{y}", ctx.t(f"Utrikes födda {y}", f"Foreign-born {y}"), "pct1")]  # fmt: skip
    return Table(
        "history-regso",
        ctx.t(
            f"RegSO i {ctx.kommun_name}: folkmängd och utrikes födda, {span(sorted({first, last}), 'sv')}",
            f"RegSO in {ctx.kommun_name}: population and foreign-born, {span(sorted({first, last}), 'en')}",
        ),  # fmt: skip
        out,
        cols,
        _source(ctx, "TAB6572", ys),
        ctx.t(
            "”..” = dolt (för få personer, eller för att ett dolt värde annars kan räknas fram).",
            "“..” = hidden (too few persons, or because a hidden value could otherwise be derived).",
        ),  # fmt: skip
    )


def _segregation_parts(
    ctx: ReportContext, h: History
) -> tuple[list[Table], list[Figure], list[str]]:
    ys = h.years
    s = h.segregation.copy()
    if s.empty:
        return [], [], []
    w = s.pivot_table(index=["scope", "code", "name", "year", "n_areas"], columns="index",
                      values=["statistic", "corrected", "ci_low", "ci_high"], aggfunc="first").reset_index()  # fmt: skip
    w.columns = ["_".join(str(p) for p in c if p) if isinstance(c, tuple) else c for c in w.columns]
    for c in list(w.columns):
        if c.startswith(("statistic_", "corrected_", "ci_low_", "ci_high_")):
            w[c] = w[c] * 100
    w = w[w.scope != "comparison"].sort_values(
        ["scope", "year"],
        key=lambda x: x.map({"kommun": 0, "riket": 1}) if x.name == "scope" else x,
    )
    t_seg = Table(
        "history-segregation",
        ctx.t(
            f"Segregation mellan utrikes och inrikes födda över RegSO, {span(ys, 'sv')} (×100)",
            f"Segregation of foreign-born and Swedish-born across RegSO, {span(ys, 'en')} (×100)",
        ),  # fmt: skip
        w.reset_index(drop=True),
        [
            Column("name", ctx.t("Område", "Area")),
            Column("year", ctx.t("År", "Year"), "year"),
            Column("n_areas", "RegSO", "int"),
            Column("statistic_dissimilarity", INDEX_LABELS[ctx.lang]["dissimilarity"], "num1"),
            Column("corrected_dissimilarity", ctx.t("D, korrigerat", "D, corrected"), "num1"),
            Column("ci_low_dissimilarity", ctx.t("D, 95 % lägst", "D, 95 % low"), "num1"),
            Column("ci_high_dissimilarity", ctx.t("D, 95 % högst", "D, 95 % high"), "num1"),
            Column("statistic_isolation", INDEX_LABELS[ctx.lang]["isolation"], "num1"),
            Column("statistic_theil_h", INDEX_LABELS[ctx.lang]["theil_h"], "num1"),
            Column("corrected_theil_h", ctx.t("H, korrigerat", "H, corrected"), "num1"),
            Column("ci_low_theil_h", ctx.t("H, 95 % lägst", "H, 95 % low"), "num1"),
            Column("ci_high_theil_h", ctx.t("H, 95 % högst", "H, 95 % high"), "num1"),
        ],  # fmt: skip
        _source(ctx, "TAB6572", ys),
        ctx.t(
            "Intervall: bootstrap, personer omdragna inom varje RegSO (200 dragningar); intervallet gäller det småområdeskorrigerade värdet (”korrigerat”) som står bredvid. För riket visas inga årsintervall (de är mycket smala).",
            "Intervals: bootstrap, persons resampled within each RegSO (200 draws); the interval is for the small-unit bias-corrected value (“corrected”) shown beside it. No yearly intervals for Sweden (they are very narrow).",
        ),  # fmt: skip
    )
    tables, sentences = [t_seg], []
    d = s[s["index"] == "dissimilarity"]
    series = []
    for scope, code in (("kommun", ctx.kommun), ("riket", "00")):
        sub = d[(d.scope == scope) & (d.code == code)].set_index("year")["statistic"]
        if not sub.empty:
            series.append(
                (
                    str(d[(d.scope == scope)]["name"].iloc[0]),
                    [float(sub.get(y, math.nan)) * 100 for y in ys],
                )
            )
    comp = d[d.scope == "comparison"].groupby("year")["statistic"].median()
    if not comp.empty:
        series.append(
            (
                ctx.t("Jämförelsekommuner (median)", "Comparison (median)"),
                [float(comp.get(y, math.nan)) * 100 for y in ys],
            )
        )
    alt = ctx.t("Olikhetsindex D ×100 per år: ", "Dissimilarity D ×100 per year: ") + "; ".join(
        f"{n} " + ", ".join(f"{y} {_n(v, 1, ctx.lang)}" for y, v in zip(ys, vals, strict=True))
        for n, vals in series
    )
    figs = []
    if len(ys) > 1:
        figs.append(Figure(
            "history-dissimilarity",
            ctx.t(f"Olikhetsindex D, utrikes och inrikes födda över RegSO, {span(ys, 'sv')}",
                  f"Dissimilarity D, foreign-born and Swedish-born across RegSO, {span(ys, 'en')}"),
            svg.line_chart(ys, series, title="D ×100", desc=alt, lang=ctx.lang, unit="", width=520),
            alt,
            _source(ctx, "TAB6572", ys),
        ))  # fmt: skip
    if not h.change.empty:
        c = h.change.copy()
        c["index_label"] = c["index"].map(INDEX_LABELS[ctx.lang])
        c["verdict_text"] = c["verdict"].map(lambda v: verdict_text(v, ctx.lang))
        for col in ("estimate_a", "estimate_b", "difference_bc", "ci_low", "ci_high"):
            c[col + "_100"] = c[col] * 100
        order = {"kommun": 0, "riket": 1, "comparison": 2}
        c = c.sort_values(["scope", "name"], key=lambda x: x.map(order) if x.name == "scope" else x)
        first, last = ys[0], ys[-1]
        tables.append(Table(
            "history-change",
            ctx.t(f"Förändring {first}–{last} av segregationen mellan utrikes och inrikes födda (×100)",
                  f"Change {first}–{last} in the segregation of foreign-born and Swedish-born (×100)"),
            c.reset_index(drop=True),
            [Column("name", ctx.t("Område", "Area")), Column("index_label", ctx.t("Index", "Index")),
             Column("estimate_a_100", str(first), "num1"), Column("estimate_b_100", str(last), "num1"),
             Column("difference_bc_100", ctx.t("Förändring", "Change"), "num1"),
             Column("ci_low_100", ctx.t("95 % lägst", "95 % low"), "num1"),
             Column("ci_high_100", ctx.t("95 % högst", "95 % high"), "num1"),
             Column("p_value", "p", "num3"), Column("verdict_text", ctx.t("Slutsats", "Conclusion"))],
            _source(ctx, "TAB6572", ys),
            ctx.t("Förändringen är skillnaden mellan de småområdeskorrigerade värdena; intervallet är ett bootstrapintervall (personer omdragna inom RegSO) och p kommer från ett permutationstest av ”ingen förändring” (personerna i varje RegSO fördelas slumpmässigt mellan åren). ”Har ökat/minskat” skrivs bara när intervallet inte innehåller 0 och p < 0,05; annars ”ingen säker förändring”. Dragningar: 400 för kommunen, 200 för jämförelsekommunerna, för riket 100 bootstrapdragningar och 40 permutationer (minsta möjliga p 0,024).",
                  "The change is the difference of the small-unit bias-corrected values; the interval is a bootstrap interval (persons resampled within RegSO) and p comes from a permutation test of “no change” (each RegSO's persons dealt at random between the years). “Has increased/decreased” is written only when the interval excludes 0 and p < 0.05; otherwise “no certain change”. Draws: 400 for the municipality, 200 for the comparison municipalities, for Sweden 100 bootstrap draws and 40 permutations (smallest possible p 0.024)."),
        ))  # fmt: skip
        for _, r in c[c.scope.isin(["kommun", "riket"])].iterrows():
            sentences.append(change_sentence(r, ctx.lang))
    return tables, figs, sentences


def build(ctx: ReportContext) -> SectionResult:
    h = history(ctx)
    ys = h.years
    tables = _tables(ctx, h)
    seg_tables, seg_figs, sentences = _segregation_parts(ctx, h)
    figs: list[Figure] = []
    fb = _wide(h, "utrikes_fodda", ("kommun", "comparison", "riket"))
    fb = fb[(fb.scope != "kommun") | (fb.code == ctx.kommun)]
    if len(ys) > 1:
        series = [
            (str(r["name"]), [float(r.get(y, math.nan)) for y in ys]) for _, r in fb.iterrows()
        ]
        alt = ctx.t("Andel utrikes födda per år: ", "Share foreign-born per year: ") + "; ".join(
            f"{n} "
            + ", ".join(f"{y} {_n(v, 1, ctx.lang)} %" for y, v in zip(ys, vals, strict=True))
            for n, vals in series
        )
        figs.append(Figure(
            "history-foreign-born",
            ctx.t(f"Andel utrikes födda, {span(ys, 'sv')}", f"Share foreign-born, {span(ys, 'en')}"),
            svg.line_chart(ys, series, title=ctx.t("Utrikes födda, %", "Foreign-born, %"), desc=alt, lang=ctx.lang, width=520),
            alt,
            _source(ctx, "TAB6572", ys),
        ))  # fmt: skip
    if len(ys) == 1:
        years_note = ctx.t(
            f"RegSO-serierna finns bara för ett år ({ys[0]}) i databasen, så förändringen över tid kan inte visas ännu.",
            f"The RegSO series cover only one year ({ys[0]}) in the database, so change over time cannot be shown yet.",
        )
    else:
        years_note = ctx.t(
            f"RegSO-serierna finns för {len(ys)} år ({span(ys, 'sv')}); förändringen beräknas mellan första och sista året, {ys[0]} och {ys[-1]}.",
            f"The RegSO series cover {len(ys)} years ({span(ys, 'en')}); the change is computed between the first and the last year, {ys[0]} and {ys[-1]}.",
        )
    return SectionResult(
        NAME,
        TITLE[ctx.lang],
        True,
        data={
            "years": ys,
            "span": span(ys, ctx.lang),
            "years_note": years_note,
            "sentences": sentences,
            "n_hidden": h.suppressed,
            "n_comparison": len(h.comparison),
            "income_note": indicator("loneinkomst_medel").notes(ctx.lang),
        },
        figures=figs + seg_figs,
        tables=[*tables, _regso_table(ctx, h), *seg_tables],
    )


def years_note(ctx: ReportContext) -> tuple[str, bool]:
    """What the DeSO-level segregation section says about time, adapted to the years in the
    database: ``(text, is_warning)``."""
    from grannskap.indicators import available_years, group_set
    from grannskap.report.sections._history import history_years

    deso = available_years(ctx.con, group_set("background").bindings, "deso") or [ctx.year]
    regso = history_years(ctx.con)
    if len(regso) >= 2:
        return (
            ctx.t(
                f"Olikhetsindex per DeSO finns för {span(deso, 'sv')} (utländsk och svensk "
                f"bakgrund). Utvecklingen {span(regso, 'sv')} – för utrikes och inrikes födda "
                f"över RegSO, med förändringen mellan {regso[0]} och {regso[-1]} och dess "
                "osäkerhet – visas i avsnittet ”Utveckling över tid (RegSO)”.",
                f"Dissimilarity per DeSO is available for {span(deso, 'en')} (foreign and "
                f"Swedish background). The development {span(regso, 'en')} – for foreign-born "
                f"and Swedish-born across RegSO, with the change from {regso[0]} to "
                f"{regso[-1]} and its uncertainty – is shown in the section “Change over time "
                "(RegSO)”.",
            ),
            False,
        )
    if len(deso) >= 2:
        return (
            ctx.t(
                f"Databasen har DeSO-uppgifter för {span(deso, 'sv')}; här visas det senaste "
                f"året, {ctx.year}.",
                f"The database holds DeSO data for {span(deso, 'en')}; the latest year, "
                f"{ctx.year}, is shown here.",
            ),
            False,
        )
    only = regso[0] if regso and regso[0] != ctx.year else ctx.year
    return (
        ctx.t(
            f"Bara ett år ({only}) finns i databasen, så utvecklingen över tid kan inte visas ännu.",
            f"Only one year ({only}) is in the database, so change over time cannot be shown yet.",
        ),
        True,
    )
