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
from grannskap.evaluation.verdict_texts import DESIGN_SV as _DESIGN_SV
from grannskap.evaluation.verdict_texts import TEXTS as _T
from grannskap.format import format_adaptive

if TYPE_CHECKING:
    from grannskap.evaluation.cost import CostEffectResult
    from grannskap.evaluation.did.aggregate import AggregateResult
    from grannskap.evaluation.did.cs import ATTgtResult
    from grannskap.evaluation.did.randomization import RandomizationResult
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


def _count_checks(n_treated: int, n_control: int, lang: str, *, covered: bool = False) -> Check:
    """Number of areas; with few treated areas a warning unless ``covered`` (the inference
    used is valid with few treated areas)."""
    t = _T[lang]
    if n_treated < 10 and not covered:
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
    randomization: RandomizationResult | None = None,
) -> Verdict:
    """Verdict of a Callaway-Sant'Anna evaluation (``ATTgtResult`` + ``AggregateResult``).

    With ``randomization`` (few treated areas) the headline interval is the randomisation
    interval, and the verdict says which method was used and why.
    """
    validate_literal(lang, Lang, "lang")
    t = _T[lang]
    f = lambda v: format_adaptive(v, lang)  # noqa: E731
    lo, hi = agg.overall_ci
    alpha = agg.alpha
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
    design = "difference-in-differences (Callaway & Sant'Anna 2021)"
    if randomization is not None:
        ri = randomization
        text = t["ri"].format(
            m=ri.n_assignments if ri.exact else ri.n_assignments - 1,
            kind=t["ri_exact"] if ri.exact else t["ri_random"],
            p=f(ri.p_value),
            n=ri.n_treated,
            lo=f(lo),
            hi=f(hi),
        )
        checks.append(Check("inference", "ok", text))
        checks.append(_count_checks(n_tr, len(ug) - n_tr, lang, covered=True))
        lo, hi, alpha = ri.ci_low, ri.ci_high, ri.alpha
        design += ", randomisation inference"
    else:
        status: Status = "ok" if n_tr >= 10 else "warning"
        checks.append(Check("inference", status, t["analytic"].format(n=n_tr)))
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
        design,
        agg.overall,
        lo,
        hi,
        alpha,
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
