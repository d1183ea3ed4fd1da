"""Plain-language verdicts (Swedish by default, English) for the evaluation designs.

A verdict states the estimate and its interval, the assumptions that were checked and how they
came out, and what the evaluation can and cannot conclude. It never turns "no significant
effect" into "no effect": when the interval includes zero it says which effects the data
cannot rule out, and, given a minimum detectable effect, what the design could not have
detected. Warnings met by the estimators are repeated, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np

from grannskap._literals import Lang, validate_literal
from grannskap.evaluation.notes import note_text
from grannskap.format import format_adaptive

if TYPE_CHECKING:
    from grannskap.evaluation.cost import CostEffectResult
    from grannskap.evaluation.did.aggregate import AggregateResult
    from grannskap.evaluation.did.cs import ATTgtResult
    from grannskap.evaluation.did.simple import DiD2x2Result
    from grannskap.evaluation.did.twfe import TWFEResult
    from grannskap.evaluation.its import ITSResult

__all__ = [
    "Check",
    "Verdict",
    "verdict_cs",
    "verdict_twfe",
    "verdict_2x2",
    "verdict_its",
    "verdict_cost",
    "verdict_generic",
]

Status = Literal["ok", "warning", "fail", "not_checked"]


@dataclass
class Check:
    """One checked assumption: a key, its status and a sentence in the verdict's language."""

    name: str
    status: Status
    detail: str


@dataclass
class Verdict:
    """A verdict; :meth:`text` renders it."""

    design: str
    lang: str
    estimate: float
    ci_low: float
    ci_high: float
    headline: str
    checks: list[Check] = field(default_factory=list)
    can: list[str] = field(default_factory=list)
    cannot: list[str] = field(default_factory=list)
    simulated: bool = False

    def text(self) -> str:
        t = _T[self.lang]
        mark = {"ok": "[ok]", "warning": "[!]", "fail": "[X]", "not_checked": "[-]"}
        lines = []
        if self.simulated:
            lines += [t["simulated"], ""]
        lines += [f"{t['design']}: {self.design}", "", self.headline, "", t["checks"] + ":"]
        lines += [f"  {mark[c.status]} {c.detail}" for c in self.checks] or [f"  {t['none']}"]
        lines += ["", t["can"] + ":"] + [f"  - {s}" for s in self.can]
        lines += ["", t["cannot"] + ":"] + [f"  - {s}" for s in self.cannot]
        return "\n".join(lines) + "\n"


_T: dict[str, dict[str, str]] = {
    "sv": {
        "simulated": "OBS: SIMULERADE DATA – inte verkliga uppgifter.",
        "design": "Utvärderingsdesign",
        "checks": "Kontrollerade antaganden",
        "none": "inga",
        "can": "Vad utvärderingen kan säga",
        "cannot": "Vad den inte kan säga",
        "head": "Skattad effekt på {out}: {est} ({lvl} % konfidensintervall {lo} till {hi}).",
        "sig": "Intervallet utesluter noll: data talar för en {dir} av {out} under designens "
        "antaganden.",
        "nonsig": "Intervallet innehåller noll: vi kan inte säga att insatsen påverkade {out}. "
        "Det betyder inte att effekten var noll – effekter mellan {lo} och {hi} är förenliga "
        "med data.",
        "up": "ökning",
        "down": "minskning",
        "mde": "Med denna design hade vi inte kunnat upptäcka en effekt mindre än {mde} "
        "(i absolut värde) med {pw} % sannolikhet.",
        "pre_ok": "Trender före start: inget statistiskt belagt brott mot parallella trender "
        "({test} p = {p}, {df} förperiodsskattningar). Det bevisar inte att trenderna hade "
        "fortsatt parallellt.",
        "pre_bad": "Trender före start: de behandlade och jämförelseområdena utvecklades olika "
        "redan före start ({test} p = {p}). Skattningen kan vara snedvriden.",
        "wald": "Wald-test",
        "perm": "permutationstest",
        "pre_none": "Trender före start kunde inte prövas (för få förperioder).",
        "pre_perm": " Permutationstestet lottar om vilka områden som behandlas och är giltigt "
        "även med få behandlade områden; det vanliga Wald-testet (p = {p}) förkastar då för ofta.",
        "pre_unrel": "Trender före start: Wald-testet (p = {p}) är opålitligt med bara {n} "
        "behandlade områden och förkastar alldeles för ofta; gör ett permutationstest.",
        "clusters_ok": "{n} behandlade områden och {c} jämförelseområden.",
        "clusters_few": "Bara {n} behandlade områden (och {c} jämförelseområden): "
        "osäkerhetsmåtten bygger på approximationer för många områden och kan vara för snäva.",
        "cov_yes": "Jämförelsen justeras för {cov} ({meth}).",
        "cov_no": "Ingen justering för bakgrundsvariabler: jämförelseområdena antas ha samma "
        "trend som de behandlade utan justering.",
        "overlap_ok": "Överlapp: jämförelseområdena liknar de behandlade i bakgrundsvariablerna "
        "(högsta skattade sannolikhet att behandlas bland jämförelseområdena {ps}).",
        "overlap_bad": "Svagt överlapp: vissa jämförelseområden liknar inte något behandlat "
        "område i bakgrundsvariablerna, eller tvärtom (högsta sannolikhet bland jämförelseområdena "
        "{ps}; {n} område(n) uteslutna; {share} % av de behandlade saknar motsvarighet). "
        "Skattningen vilar på få områden och på modellantaganden.",
        "control_never": "Jämförelsegrupp: områden som aldrig fick insatsen.",
        "control_not_yet": "Jämförelsegrupp: områden som ännu inte fått insatsen.",
        "can_pt": "Under antagandet att {out} hade utvecklats parallellt i behandlade och "
        "jämförelseområden utan insatsen, är skattningen den genomsnittliga effekten i de "
        "behandlade områdena under de observerade åren.",
        "cannot_general": "Om effekten gäller andra områden, andra år eller en annan "
        "utformning av insatsen.",
        "cannot_mech": "Vilken del av insatsen som verkade, eller om andra samtidiga "
        "förändringar i samma områden (andra insatser, nybyggnation, omflyttning) ligger "
        "bakom.",
        "cannot_pt": "Att trenderna hade varit parallella utan insatsen – det är ett antagande, "
        "inte något data kan bevisa.",
        "cannot_twfe": "Med stegvis start och effekter som växer över tid kan en vanlig "
        "tvåvägs-fixa-effekter-skattning vara missvisande; jämför med Callaway–Sant'Anna.",
        "cannot_its": "Utan jämförelseserie kan inte samtidiga händelser (konjunktur, "
        "regeländringar) skiljas från insatsens effekt.",
        "its_ok": "Restkorrelation (lag 1): {rho}; Newey–West-fel med {L} lag(ar).",
        "its_n": "{pre} år före och {post} år från start.",
        "its_t": "Intervall och p-värden från t-fördelningen med {df} frihetsgrader (inte "
        "normalfördelningen), eftersom serien bara har {n} år.",
        "its_head": "Nivåförändring vid start: {lvl_est} ({lvl} % KI {lo} till {hi}); "
        "trendförändring per år: {slope} ({slo} till {shi}).",
        "cost_head": "Kostnad per enhet effekt: {ratio} {cur} ({lvl} % KI {lo} till {hi}; "
        "metod: {meth}).",
        "cost_unb": "Kostnad per enhet effekt: {ratio} {cur} som punktskattning, men "
        "intervallet är obegränsat eftersom effekten inte skiljer sig säkert från noll – "
        "kostnadseffektiviteten kan inte bedömas.",
        "cost_can": "Vad varje enhet effekt har kostat, givet att effektskattningen är riktig.",
        "cost_cannot": "Om pengarna hade gjort mer nytta på annat sätt; kostnaden är bokförd "
        "kostnad, inte samhällsekonomisk kostnad.",
        "note": "Varning: {msg}",
        "mde_check": "Statistisk styrka: minsta upptäckbara effekt {mde}.",
    },
    "en": {
        "simulated": "NOTE: SIMULATED DATA – not real figures.",
        "design": "Evaluation design",
        "checks": "Assumptions checked",
        "none": "none",
        "can": "What the evaluation can say",
        "cannot": "What it cannot say",
        "head": "Estimated effect on {out}: {est} ({lvl} % confidence interval {lo} to {hi}).",
        "sig": "The interval excludes zero: the data indicate a {dir} in {out} under the "
        "design's assumptions.",
        "nonsig": "The interval includes zero: we cannot say that the intervention affected "
        "{out}. This does not mean the effect was zero – effects between {lo} and {hi} are "
        "compatible with the data.",
        "up": "increase",
        "down": "decrease",
        "mde": "With this design we could not have detected an effect smaller than {mde} "
        "(in absolute value) with {pw} % probability.",
        "pre_ok": "Pre-treatment trends: no statistical evidence against parallel trends "
        "({test} p = {p}, {df} pre-period estimates). This does not prove that trends would "
        "have stayed parallel.",
        "pre_bad": "Pre-treatment trends: treated and comparison areas already diverged before "
        "the start ({test} p = {p}). The estimate may be biased.",
        "wald": "Wald test",
        "perm": "permutation test",
        "pre_none": "Pre-treatment trends could not be tested (too few pre-periods).",
        "pre_perm": " The permutation test reshuffles which areas are treated and is valid even "
        "with few treated areas; the usual Wald test (p = {p}) rejects too often then.",
        "pre_unrel": "Pre-treatment trends: the Wald test (p = {p}) is unreliable with only {n} "
        "treated areas and rejects far too often; run a permutation test.",
        "clusters_ok": "{n} treated areas and {c} comparison areas.",
        "clusters_few": "Only {n} treated areas (and {c} comparison areas): the uncertainty "
        "measures rely on many-area approximations and may be too narrow.",
        "cov_yes": "The comparison adjusts for {cov} ({meth}).",
        "cov_no": "No adjustment for background variables: comparison areas are assumed to "
        "share the treated areas' trend unadjusted.",
        "overlap_ok": "Overlap: comparison areas resemble the treated ones in the covariates "
        "(largest estimated probability of treatment among comparison areas {ps}).",
        "overlap_bad": "Weak overlap: some comparison areas resemble no treated area in the "
        "covariates, or the other way round (largest probability among comparison areas {ps}; "
        "{n} area(s) trimmed; {share} % of treated areas without a counterpart). The estimate "
        "rests on few "
        "areas and on model assumptions.",
        "control_never": "Comparison group: areas never given the intervention.",
        "control_not_yet": "Comparison group: areas not yet given the intervention.",
        "can_pt": "Assuming {out} would have evolved in parallel in treated and comparison "
        "areas without the intervention, the estimate is the average effect in the treated "
        "areas over the observed years.",
        "cannot_general": "Whether the effect holds for other areas, other years or another "
        "form of the intervention.",
        "cannot_mech": "Which part of the intervention worked, or whether other simultaneous "
        "changes in the same areas (other interventions, new housing, migration) are behind "
        "it.",
        "cannot_pt": "That trends would have been parallel without the intervention – that is "
        "an assumption the data cannot prove.",
        "cannot_twfe": "With staggered starts and effects that grow over time, a plain two-way "
        "fixed-effects estimate can mislead; compare with Callaway–Sant'Anna.",
        "cannot_its": "Without a comparison series, simultaneous events (business cycle, rule "
        "changes) cannot be separated from the intervention's effect.",
        "its_ok": "Residual autocorrelation (lag 1): {rho}; Newey–West errors with {L} lag(s).",
        "its_n": "{pre} years before and {post} years from the start.",
        "its_t": "Intervals and p-values from the t distribution with {df} degrees of freedom "
        "(not the normal), because the series has only {n} years.",
        "its_head": "Level change at start: {lvl_est} ({lvl} % CI {lo} to {hi}); trend change "
        "per year: {slope} ({slo} to {shi}).",
        "cost_head": "Cost per unit of effect: {ratio} {cur} ({lvl} % CI {lo} to {hi}; "
        "method: {meth}).",
        "cost_unb": "Cost per unit of effect: {ratio} {cur} as a point estimate, but the "
        "interval is unbounded because the effect is not clearly different from zero – "
        "cost-effectiveness cannot be judged.",
        "cost_can": "What each unit of effect has cost, provided the effect estimate is right.",
        "cost_cannot": "Whether the money would have done more good elsewhere; the cost is the "
        "booked cost, not the cost to society.",
        "note": "Warning: {msg}",
        "mde_check": "Statistical power: minimum detectable effect {mde}.",
    },
}


_DESIGN_SV = {
    "difference-in-differences (Callaway & Sant'Anna 2021)": "skillnad-i-skillnader med "
    "stegvis start (Callaway & Sant'Anna 2021)",
    "two-way fixed effects (cluster-robust CR1)": "skillnad-i-skillnader, tvåvägs fixa "
    "effekter (klusterrobusta fel)",
    "difference-in-differences 2×2": "skillnad-i-skillnader 2×2",
    "interrupted time series": "avbruten tidsserie (segmenterad regression)",
    "interrupted time series (comparative)": "avbruten tidsserie med jämförelseserie",
    "cost per unit of effect": "kostnad per enhet effekt",
}


def _design(name: str, lang: str) -> str:
    return _DESIGN_SV.get(name, name) if lang == "sv" else name


def _lvl(alpha: float) -> str:
    return str(round(100 * (1 - alpha)))


def _core(
    design: str,
    est: float,
    lo: float,
    hi: float,
    alpha: float,
    lang: Lang,
    outcome: str,
    checks: list[Check],
    notes: list[str],
    mde: object | None,
    power: float,
    simulated: bool,
) -> Verdict:
    validate_literal(lang, Lang, "lang")
    t = _T[lang]
    f = lambda v: format_adaptive(v, lang)  # noqa: E731
    head = t["head"].format(out=outcome, est=f(est), lvl=_lvl(alpha), lo=f(lo), hi=f(hi))
    can: list[str] = []
    cannot: list[str] = []
    if lo > 0 or hi < 0:
        head += " " + t["sig"].format(dir=t["up"] if est > 0 else t["down"], out=outcome)
    else:
        head += " " + t["nonsig"].format(out=outcome, lo=f(lo), hi=f(hi))
    mde_value = _mde_value(mde)
    if mde_value is not None:
        checks.append(Check("power", "ok", t["mde_check"].format(mde=f(mde_value))))
        cannot.append(t["mde"].format(mde=f(mde_value), pw=round(100 * power)))
    for msg in dict.fromkeys(notes):
        checks.append(Check("note", "warning", t["note"].format(msg=note_text(msg, lang))))
    return Verdict(_design(design, lang), lang, est, lo, hi, head, checks, can, cannot, simulated)


def _mde_value(mde: object | None) -> float | None:
    if mde is None:
        return None
    if isinstance(mde, int | float):
        return float(mde)
    for attr in ("mde_placebo", "mde"):
        if hasattr(mde, attr):
            return float(getattr(mde, attr))
    return None


def _count_checks(n_treated: int, n_control: int, lang: str) -> Check:
    t = _T[lang]
    if n_treated < 10:
        return Check("clusters", "warning", t["clusters_few"].format(n=n_treated, c=n_control))
    return Check("clusters", "ok", t["clusters_ok"].format(n=n_treated, c=n_control))


def verdict_cs(
    res: ATTgtResult,
    agg: AggregateResult,
    *,
    outcome: str = "utfallet",
    lang: Lang = "sv",
    mde: object | None = None,
    power: float = 0.8,
    simulated: bool = False,
    pretest_level: float = 0.10,
) -> Verdict:
    """Verdict of a Callaway-Sant'Anna evaluation (``ATTgtResult`` + ``AggregateResult``)."""
    validate_literal(lang, Lang, "lang")
    t = _T[lang]
    f = lambda v: format_adaptive(v, lang)  # noqa: E731
    lo, hi = agg.overall_ci
    checks: list[Check] = []
    ug = np.asarray(res.unit_group)
    n_tr = int(np.isfinite(ug).sum())
    p_wald = res.pretest_p
    p_perm = getattr(res, "pretest_perm_p", None)
    if p_wald is None:
        checks.append(Check("pretrend", "not_checked", t["pre_none"]))
    elif p_perm is None and n_tr < 30:
        checks.append(Check("pretrend", "warning", t["pre_unrel"].format(p=f(p_wald), n=n_tr)))
    else:
        p_use = p_perm if p_perm is not None else p_wald
        key = "pre_bad" if p_use < pretest_level else "pre_ok"
        test = t["perm"] if p_perm is not None else t["wald"]
        text = t[key].format(test=test, p=f(p_use), df=res.pretest_df)
        if p_perm is not None:
            text += t["pre_perm"].format(p=f(p_wald))
        checks.append(Check("pretrend", "fail" if key == "pre_bad" else "ok", text))
    checks.append(_count_checks(n_tr, len(ug) - n_tr, lang))
    checks.append(Check("control", "ok", t[f"control_{res.control}"]))
    if res.covariates:
        checks.append(
            Check(
                "covariates",
                "ok",
                t["cov_yes"].format(cov=", ".join(res.covariates), meth=res.method),
            )
        )
    else:
        checks.append(Check("covariates", "not_checked", t["cov_no"]))
    if res.ps_max is not None:
        bad = res.weak_overlap
        key = "overlap_bad" if bad else "overlap_ok"
        checks.append(
            Check(
                "overlap",
                "warning" if bad else "ok",
                t[key].format(
                    ps=f(res.ps_max), n=res.n_trimmed, share=round(100 * res.treated_no_match)
                ),
            )
        )
    v = _core(
        "difference-in-differences (Callaway & Sant'Anna 2021)",
        agg.overall,
        lo,
        hi,
        agg.alpha,
        lang,
        outcome,
        checks,
        # notes already stated by a check above are not repeated
        [n for n in res.notes if not n.startswith(("weak overlap", "no pre-treatment"))],
        mde,
        power,
        simulated,
    )
    v.can.append(t["can_pt"].format(out=outcome))
    v.cannot += [t["cannot_pt"], t["cannot_mech"], t["cannot_general"]]
    return v


def verdict_twfe(
    res: TWFEResult,
    *,
    term: str,
    n_treated: int,
    n_control: int,
    outcome: str = "utfallet",
    lang: Lang = "sv",
    mde: object | None = None,
    simulated: bool = False,
) -> Verdict:
    """Verdict of a TWFE regression coefficient ``term``."""
    validate_literal(lang, Lang, "lang")
    t = _T[lang]
    j = list(res.names).index(term)
    lo, hi = res.ci()[j]
    checks = [_count_checks(n_treated, n_control, lang)]
    v = _core(
        "two-way fixed effects (cluster-robust CR1)",
        float(res.coef[j]),
        float(lo),
        float(hi),
        res.alpha,
        lang,
        outcome,
        checks,
        list(res.notes),
        mde,
        0.8,
        simulated,
    )
    v.can.append(t["can_pt"].format(out=outcome))
    v.cannot += [t["cannot_pt"], t["cannot_twfe"], t["cannot_mech"], t["cannot_general"]]
    return v


def verdict_2x2(
    res: DiD2x2Result, *, outcome: str = "utfallet", lang: Lang = "sv", simulated: bool = False
) -> Verdict:
    """Verdict of a 2x2 DiD."""
    validate_literal(lang, Lang, "lang")
    t = _T[lang]
    lo, hi = res.ci
    checks = [
        _count_checks(res.n_treated, res.n_control, lang),
        Check("pretrend", "not_checked", t["pre_none"]),
    ]
    v = _core(
        "difference-in-differences 2×2",
        res.estimate,
        lo,
        hi,
        res.alpha,
        lang,
        outcome,
        checks,
        list(res.notes),
        None,
        0.8,
        simulated,
    )
    v.can.append(t["can_pt"].format(out=outcome))
    v.cannot += [t["cannot_pt"], t["cannot_mech"], t["cannot_general"]]
    return v


def verdict_its(
    res: ITSResult,
    *,
    outcome: str = "utfallet",
    lang: Lang = "sv",
    horizon: float | None = None,
    simulated: bool = False,
) -> Verdict:
    """Verdict of an interrupted time series; the headline effect is at ``horizon``.

    ``horizon`` defaults to the last observed period.
    """
    validate_literal(lang, Lang, "lang")
    t = _T[lang]
    f = lambda v: format_adaptive(v, lang)  # noqa: E731
    z = res.critical_value()
    period = float(res.periods[-1]) if horizon is None else float(horizon)
    est, se = res.effect_at(period)
    c, s = res.coef, res.se
    checks = [
        Check(
            "length",
            "ok" if res.n_pre >= 8 else "warning",
            t["its_n"].format(pre=res.n_pre, post=res.n_post),
        ),
        Check("autocorrelation", "ok", t["its_ok"].format(rho=f(res.rho1), L=res.maxlags)),
        Check("inference", "ok", t["its_t"].format(df=res.df, n=len(res.y))),
    ]
    v = _core(
        "interrupted time series" + (" (comparative)" if res.comparison else ""),
        est,
        est - z * se,
        est + z * se,
        res.alpha,
        lang,
        outcome,
        checks,
        list(res.notes),
        None,
        0.8,
        simulated,
    )
    v.headline += " " + t["its_head"].format(
        lvl_est=f(c[2]),
        lvl=_lvl(res.alpha),
        lo=f(c[2] - z * s[2]),
        hi=f(c[2] + z * s[2]),
        slope=f(c[3]),
        slo=f(c[3] - z * s[3]),
        shi=f(c[3] + z * s[3]),
    )
    v.cannot += [t["cannot_mech"], t["cannot_general"]]
    if not res.comparison:
        v.cannot.insert(0, t["cannot_its"])
    return v


def verdict_cost(
    res: CostEffectResult, *, currency: str = "kr", lang: Lang = "sv", simulated: bool = False
) -> Verdict:
    """Verdict of a cost-per-effect calculation."""
    validate_literal(lang, Lang, "lang")
    t = _T[lang]
    f = lambda v: format_adaptive(v, lang)  # noqa: E731
    if res.bounded:
        head = t["cost_head"].format(
            ratio=f(res.ratio),
            cur=currency,
            lvl=_lvl(res.alpha),
            lo=f(res.ci_low),
            hi=f(res.ci_high),
            meth=res.method,
        )
    else:
        head = t["cost_unb"].format(ratio=f(res.ratio), cur=currency)
    checks = [Check("note", "warning", t["note"].format(msg=note_text(m, lang))) for m in res.notes]
    return Verdict(
        _design("cost per unit of effect", lang),
        lang,
        res.ratio,
        res.ci_low,
        res.ci_high,
        head,
        checks,
        [t["cost_can"]],
        [t["cost_cannot"]],
        simulated,
    )


def verdict_generic(
    design: str,
    estimate: float,
    ci_low: float,
    ci_high: float,
    *,
    outcome: str = "utfallet",
    alpha: float = 0.05,
    lang: Lang = "sv",
    checks: list[Check] | None = None,
    notes: list[str] | None = None,
    mde: object | None = None,
    simulated: bool = False,
) -> Verdict:
    """Verdict for any design that yields an estimate and interval (e.g. synthetic control)."""
    validate_literal(lang, Lang, "lang")
    t = _T[lang]
    v = _core(
        design,
        estimate,
        ci_low,
        ci_high,
        alpha,
        lang,
        outcome,
        list(checks or []),
        list(notes or []),
        mde,
        0.8,
        simulated,
    )
    v.cannot += [t["cannot_mech"], t["cannot_general"]]
    return v
