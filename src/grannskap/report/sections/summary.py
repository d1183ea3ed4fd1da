"""One page for politicians, in plain language: what is better, what is worse, what is uncertain."""

from __future__ import annotations

import math

from grannskap.format import format_number, format_percent
from grannskap.report.context import ReportContext, SectionResult
from grannskap.report.data import KEY_INDICATORS
from grannskap.report.sections import _common

NAME = "summary"
TITLE = {"sv": "Sammanfattning", "en": "Summary"}

__all__ = ["NAME", "TITLE", "build"]


def _points(ctx: ReportContext) -> tuple[list[str], list[str], list[str]]:
    better: list[str] = []
    worse: list[str] = []
    uncertain: list[str] = []
    kt = _common.key_table(ctx).set_index("indicator")
    for k in KEY_INDICATORS:
        if k.key not in kt.index:
            continue
        own, nat = float(kt.loc[k.key, "kommun"]), float(kt.loc[k.key, "riket"])
        if math.isnan(own) or math.isnan(nat):
            continue
        text = ctx.t(
            f"{k.name_sv}: {format_percent(own, 1)} i {ctx.kommun_name} mot {format_percent(nat, 1)} i riket ({ctx.year}).",
            f"{k.name_en}: {format_percent(own, 1, 'en')} in {ctx.kommun_name} against {format_percent(nat, 1, 'en')} in Sweden ({ctx.year}).",
        )
        if k.higher_is_better is None or abs(own - nat) < 0.5:
            continue
        good = (own > nat) == k.higher_is_better
        (better if good else worse).append(text)
    # change over time (when more than one year is in the database)
    ind = ctx.results.get("indicators")
    trends = next((t for t in (ind.tables if ind is not None else []) if t.key == "trends"), None)
    if trends is not None:
        tr = trends.frame
        first, last = int(tr["year"].min()), int(tr["year"].max())
        for k in KEY_INDICATORS:
            sub = tr[tr["indicator"] == k.key].set_index("year")
            if k.higher_is_better is None or first not in sub.index or last not in sub.index:
                continue
            a, b = float(sub.loc[first, "kommun"]), float(sub.loc[last, "kommun"])
            na, nb = float(sub.loc[first, "riket"]), float(sub.loc[last, "riket"])
            if math.isnan(a) or math.isnan(b) or abs(b - a) < 0.5:
                continue
            text = ctx.t(
                f"{k.name_sv} i {ctx.kommun_name} har gått från {format_percent(a, 1)} ({first}) till "
                f"{format_percent(b, 1)} ({last}); i riket från {format_percent(na, 1)} till {format_percent(nb, 1)}.",
                f"{k.name_en} in {ctx.kommun_name} went from {format_percent(a, 1, 'en')} ({first}) to "
                f"{format_percent(b, 1, 'en')} ({last}); in Sweden from {format_percent(na, 1, 'en')} to {format_percent(nb, 1, 'en')}.",
            )
            (better if (b > a) == k.higher_is_better else worse).append(text)
    # areas and police
    pol = _common.police_rows(ctx)
    if not pol.empty:
        last_year = int(pol["year"].max())
        now = pol[(pol["year"] == last_year) & (pol["category"] == "sarskilt_utsatt")]
        su = now["name"].tolist()
        if su:
            runs = [_common.police_since(ctx, c, "sarskilt_utsatt") for c in now["area_code"]]
            held = _common.police_years_held(ctx)
            parts = []
            for name, code, (first, proven, inferred) in zip(
                su, now["area_code"], runs, strict=True
            ):
                if proven:
                    note = ctx.t(f"sedan {first}", f"since {first}") + (
                        ctx.t(", en av listorna härledd", ", one of the lists inferred")
                        if inferred
                        else ""
                    )
                elif (
                    (prev := [y for y in _common.police_list_years(ctx) if y < first])
                    and prev[-1] in held
                    and (pred := _common.police_predecessor(ctx, code, prev[-1]))
                ):
                    note = ctx.t(
                        f"med nuvarande gräns sedan {first}; {prev[-1]} del av {pred}",
                        f"with its present boundary since {first}; in {prev[-1]} part of {pred}",
                    )
                elif prev and prev[-1] in held:
                    note = ctx.t(
                        f"på listan sedan {first} under detta namn; om det ingick i ett område på "
                        f"{prev[-1]} års lista kan inte avgöras utan gränserna",
                        f"on the list since {first} under this name; whether it was part of an area on "
                        f"the {prev[-1]} list cannot be told without the boundaries",
                    )
                else:
                    shown = [y for y in held if first <= y <= last_year]
                    note = ctx.t(
                        f"på listorna {' och '.join(map(str, shown))}; äldre listor finns inte område för område i databasen",
                        f"on the lists of {' and '.join(map(str, shown))}; older lists are not held area by area in the database",
                    )
                parts.append(f"{name} ({note})")
            worse.append(
                ctx.t(
                    f"{_join(parts, ' och ')} är särskilt utsatta områden enligt polisens lista {last_year}.",
                    f"{_join(parts, ' and ')} are especially vulnerable areas on the Police list of {last_year}.",
                )
            )
    rg = _common.regso(ctx)
    tcols = sorted(c for c in rg.columns if c.startswith("typ_"))
    if len(tcols) >= 2:
        a, b = tcols[-2], tcols[-1]
        up = rg[(rg[b] > rg[a])]
        down = rg[(rg[b] < rg[a])]
        if len(up):
            better.append(
                ctx.t(
                    f"{len(up)} RegSO fick en bättre områdestyp {a[4:]}–{b[4:]}: {', '.join(up['name'].astype(str))}.",
                    f"{len(up)} RegSO moved to a better area type {a[4:]}–{b[4:]}: {', '.join(up['name'].astype(str))}.",
                )
            )
        if len(down):
            worse.append(
                ctx.t(
                    f"{len(down)} RegSO fick en sämre områdestyp {a[4:]}–{b[4:]}: {', '.join(down['name'].astype(str))}.",
                    f"{len(down)} RegSO moved to a worse area type {a[4:]}–{b[4:]}: {', '.join(down['name'].astype(str))}.",
                )
            )
        n1 = int((rg[b] <= 2).sum())
        uncertain.append(
            ctx.t(
                f"{n1} av {len(rg)} RegSO har områdestyp 1 eller 2 (socioekonomiska utmaningar) {b[4:]}.",
                f"{n1} of {len(rg)} RegSO have area type 1 or 2 (socio-economic challenges) in {b[4:]}.",
            )
        )
    hist = ctx.results.get("history")
    hist_years: list[int] = list(hist.data.get("years", [])) if hist and hist.available else []
    if len(hist_years) >= 2 and hist is not None:
        # the change over time the board asks for: segregation first -> last year, per RegSO
        uncertain.extend(str(x) for x in hist.data.get("sentences", []))
        uncertain.append(
            ctx.t(
                f"Utvecklingen {hist_years[0]}–{hist_years[-1]} följs per RegSO (befolkning, "
                f"boende, inkomst och segregation; avsnittet ”Utveckling över tid”). Nyckeltalen "
                f"per DeSO ovan gäller {ctx.year}; om insatserna har haft effekt prövas i "
                "avsnittet om utvärdering.",
                f"The development {hist_years[0]}–{hist_years[-1]} is followed per RegSO "
                f"(population, housing, income and segregation; section “Change over time”). "
                f"The DeSO indicators above are for {ctx.year}; whether the interventions had "
                "an effect is examined in the evaluation section.",
            )
        )
    elif len(_deso_years(ctx)) <= 1:
        uncertain.append(
            ctx.t(
                f"Databasen har bara statistik för {ctx.year}. Det går därför inte att säga om läget har blivit bättre eller sämre, "
                "eller om insatserna har haft effekt. Jämförelserna här är mot riket och liknande kommuner samma år.",
                f"The database holds statistics for {ctx.year} only, so it cannot say whether things have improved or whether the "
                "interventions had an effect. The comparisons here are with Sweden and similar municipalities in the same year.",
            )
        )
    fund = ctx.results.get("funding")
    if fund is not None and fund.available and fund.data.get("grant") is not None:
        d = fund.data
        uncertain.append(
            ctx.t(
                f"Av statsbidraget på {format_number(float(d['grant']) / 1e6, 1)} miljoner kronor har "
                f"{format_number(float(d['spent']) / 1e6, 1)} miljoner förbrukats enligt källan. Källans tabell går inte ihop "
                f"på kronan (skillnad {format_number(d['diff_year'], 0)} kr) och "
                f"{format_number(d['unspecified'] / 1e6, 1)} miljoner är inte knutna till något målområde."
                if not d["balanced"]
                else f"Av statsbidraget på {format_number(float(d['grant']) / 1e6, 1)} miljoner kronor har "
                f"{format_number(float(d['spent']) / 1e6, 1)} miljoner förbrukats enligt källan.",
                f"Of the state grant of SEK {format_number(float(d['grant']) / 1e6, 1, 'en')} million, "
                f"{format_number(float(d['spent']) / 1e6, 1, 'en')} million has been spent according to the source."
                + (
                    ""
                    if d["balanced"]
                    else f" The source's table does not add up to the krona (difference SEK {format_number(d['diff_year'], 0, 'en')})."
                ),
            )
        )
    prog = ctx.results.get("programme")
    if prog is not None and prog.available and prog.data.get("n_unknown"):
        uncertain.append(
            ctx.t(
                f"Formuleringen av {prog.data['n_unknown']} av {prog.data['n_effektmal']} effektmål saknas i underlaget, "
                "så måluppfyllelsen kan inte bedömas per effektmål.",
                f"The wording of {prog.data['n_unknown']} of {prog.data['n_effektmal']} effect goals is missing from the sources, "
                "so goal attainment cannot be assessed per effect goal.",
            )
        )
    return better, worse, uncertain


def _join(parts: list[str], word: str) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + word + parts[-1]


def build(ctx: ReportContext) -> SectionResult:
    better, worse, uncertain = _points(ctx)
    missing = [
        r.title
        for r in ctx.results.values()
        if not r.available and r.name != NAME and not r.data.get("no_data")
    ]
    no_data = [r.title for r in ctx.results.values() if not r.available and r.data.get("no_data")]
    return SectionResult(
        NAME,
        TITLE[ctx.lang],
        True,
        data={
            "better": better,
            "worse": worse,
            "uncertain": uncertain,
            "missing": missing,
            "no_data": no_data,
        },
    )


def _deso_years(ctx: ReportContext) -> list[int]:
    from grannskap.indicators import available_years, group_set

    return available_years(ctx.con, group_set("background").bindings, "deso")
