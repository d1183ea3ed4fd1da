"""Plain-language verdicts (Swedish and English) for a synthetic-control evaluation.

The text states the estimate, the placebo p-value and rank, the assumptions that were checked
and what the design can and cannot conclude (Abadie 2021, JEL 59:391-425, sec. 7-8, lists the
conditions under which a synthetic control is credible).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grannskap.format import format_adaptive, format_number

from .conformal import ConformalResult

__all__ = ["VerdictInputs", "verdict_texts"]


@dataclass(frozen=True)
class VerdictInputs:
    """What the verdict needs to know about a fit."""

    treated: Hashable
    outcome: str
    treatment_start: Hashable
    method: str
    estimate: float
    pre_rmspe: float
    outcome_spread: float
    weights: pd.Series
    n_donors: int
    n_pre: int
    p_value: float | None
    rank: int | None
    n_placebo_units: int | None
    fit_too_good: bool
    share_exact_placebos: float | None
    loo_range: tuple[float, float] | None
    in_time_gap: float | None
    simulated: bool
    notes_sv: tuple[str, ...] = ()
    notes_en: tuple[str, ...] = ()
    placebo_search: str | None = None
    conformal: ConformalResult | None = None


def _fmt(x: float, lang: str) -> str:
    """An effect with its sign, decimals by magnitude (the one formatter, grannskap.format)."""
    return format_adaptive(x, lang, decimals=(3, 2, 1, 0), signed=True)


def _num(x: float, lang: str, digits: int = 2) -> str:
    return format_number(x, digits, lang)


def _top_donors(weights: pd.Series, lang: str, n: int = 4) -> str:
    top = weights[weights.abs() > 0.005].sort_values(ascending=False).head(n)
    return ", ".join(f"{k} {_num(float(v), lang)}" for k, v in top.items())


def _interval(lo: float, hi: float, lang: str) -> str:
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return "obegränsat" if lang == "sv" else "unbounded"
    sep = " till " if lang == "sv" else " to "
    return f"{_fmt(lo, lang)}{sep}{_fmt(hi, lang)}"


def _period(t: object) -> str:
    if isinstance(t, float) and t.is_integer():
        return str(int(t))
    return str(t)


def _conformal_texts(cf: ConformalResult | None) -> tuple[list[str], list[str]]:
    """Sentences on the conformal intervals (Chernozhukov, Wüthrich & Zhu 2021)."""
    if cf is None:
        return (
            ["Inga konforma intervall beräknades; osäkerheten bedöms bara med placebotest."],
            ["No conformal intervals were computed; uncertainty is judged by placebo tests only."],
        )
    level = _num(100 * cf.level, "sv", 0)
    level_en = _num(100 * cf.level, "en", 0)
    n = len(cf.periods)
    last = _period(cf.periods.index[-1])
    row = cf.periods.iloc[-1]
    head_sv = (
        f"Konforma {level} %-intervall för effekten år för år (Chernozhukov, Wüthrich & Zhu "
        "2021; vikter skattade på utfallet): "
    )
    head_en = (
        f"Conformal {level_en} % intervals for the effect period by period (Chernozhukov, "
        "Wüthrich & Zhu 2021; weights fitted on the outcome): "
    )
    lo, hi = float(row["lower"]), float(row["upper"])
    est = float(row["estimate"])
    if cf.bounded:
        head_sv += (
            f"intervallet utesluter noll i {cf.n_excluding_zero} av {n} perioder efter "
            f"starten; {last}: {_fmt(est, 'sv')} ({_interval(lo, hi, 'sv')}). "
        )
        head_en += (
            f"the interval excludes zero in {cf.n_excluding_zero} of {n} post periods; "
            f"{last}: {_fmt(est, 'en')} ({_interval(lo, hi, 'en')}). "
        )
    else:
        head_sv += f"{last}: {_fmt(est, 'sv')} ({_interval(lo, hi, 'sv')}). "
        head_en += f"{last}: {_fmt(est, 'en')} ({_interval(lo, hi, 'en')}). "
    sv = [head_sv + f"Permutationstest av ingen effekt alls: p = {_num(cf.p_no_effect, 'sv', 3)}."]
    en = [head_en + f"Permutation test of no effect at all: p = {cf.p_no_effect:.3f}."]
    if cf.min_alpha_per_period > 1.0 - cf.level + 1e-12:
        sv.append(
            f"Med så få perioder före starten kan intervallen inte avgränsas på {level} "
            f"%-nivån (det krävs minst {cf.min_pre_periods} perioder före)."
        )
        en.append(
            f"With so few pre-treatment periods the intervals cannot be bounded at the "
            f"{level_en} % level (at least {cf.min_pre_periods} pre-periods "
            "are needed)."
        )
    return sv, en


def verdict_texts(inp: VerdictInputs) -> tuple[str, str]:
    """Return ``(verdict_sv, verdict_en)``."""
    rel = inp.pre_rmspe / inp.outcome_spread if inp.outcome_spread > 0 else float("nan")
    sv: list[str] = []
    en: list[str] = []
    if inp.simulated:
        sv.append("OBS: SIMULERADE DATA, inte verkliga mätningar.")
        en.append("NOTE: SIMULATED DATA, not real measurements.")
    variant_sv = {
        "synth": "syntetisk kontroll",
        "penalized": "straffad syntetisk kontroll (Abadie & L'Hour 2021)",
        "augmented": "förstärkt syntetisk kontroll med ridge (Ben-Michael m.fl. 2021)",
    }[inp.method]
    variant_en = {
        "synth": "synthetic control",
        "penalized": "penalised synthetic control (Abadie & L'Hour 2021)",
        "augmented": "ridge-augmented synthetic control (Ben-Michael et al. 2021)",
    }[inp.method]
    sv.append(
        f"Skattning ({variant_sv}): efter starten {inp.treatment_start} låg {inp.outcome} i "
        f"{inp.treated} i genomsnitt {_fmt(inp.estimate, 'sv')} jämfört med den syntetiska "
        f"kontrollen, ett vägt genomsnitt av jämförelseområden ({_top_donors(inp.weights, 'sv')})."
    )
    en.append(
        f"Estimate ({variant_en}): after the start in {inp.treatment_start}, {inp.outcome} in "
        f"{inp.treated} was on average {_fmt(inp.estimate, 'en')} relative to the synthetic "
        f"control, a weighted average of comparison units ({_top_donors(inp.weights, 'en')})."
    )
    sv.append(
        f"Anpassning före starten ({inp.n_pre} perioder): genomsnittligt fel (RMSPE) "
        f"{_num(inp.pre_rmspe, 'sv')}, {_num(100 * rel, 'sv', 1)} % av spridningen mellan "
        "områdena."
    )
    en.append(
        f"Pre-treatment fit ({inp.n_pre} periods): RMSPE {_num(inp.pre_rmspe, 'en')}, "
        f"{_num(100 * rel, 'en', 1)} % of the spread between units."
    )
    if inp.fit_too_good:
        share = (
            f" och för {_num(100 * inp.share_exact_placebos, 'sv', 0)} % av placeboområdena"
            if inp.share_exact_placebos
            else ""
        )
        share_en = (
            f" and for {_num(100 * inp.share_exact_placebos, 'en', 0)} % of the placebo units"
            if inp.share_exact_placebos
            else ""
        )
        sv.append(
            f"Varning: anpassningen före starten är nästan perfekt för {inp.treated}{share}. "
            f"Med {inp.n_donors} jämförelseområden och bara {inp.n_pre} år före kan nästan "
            "vilket område som helst efterliknas exakt, så kvoten efter/före och p-värdet "
            "säger inget och resultatet är inte informativt. "
            + (
                "Använd den straffade varianten eller en mindre, likartad jämförelsegrupp."
                if inp.method == "synth"
                else "Använd en mindre, likartad jämförelsegrupp."
            )
        )
        en.append(
            f"Warning: the pre-treatment fit is almost perfect for {inp.treated}{share_en}. "
            f"With {inp.n_donors} comparison units and only {inp.n_pre} pre-periods almost any "
            "unit can be reproduced exactly, so the post/pre RMSPE ratio and its p-value are "
            "meaningless and the result is not informative. "
            + (
                "Use the penalised variant or a smaller pool of similar comparison units."
                if inp.method == "synth"
                else "Use a smaller pool of similar comparison units."
            )
        )
    if inp.p_value is not None and inp.rank is not None:
        sv.append(
            f"Placebotest i rummet: {inp.treated} har rang {inp.rank} av "
            f"{inp.n_placebo_units} i kvoten mellan fel efter och före (p = "
            f"{_num(inp.p_value, 'sv', 3)})."
        )
        en.append(
            f"In-space placebo test: {inp.treated} ranks {inp.rank} of {inp.n_placebo_units} "
            f"in the post/pre RMSPE ratio (p = {inp.p_value:.3f})."
        )
        if not inp.fit_too_good:
            if inp.p_value <= 0.1:
                sv.append("En så stor avvikelse är ovanlig bland jämförelseområdena.")
                en.append("A deviation this large is rare among the comparison units.")
            else:
                sv.append(
                    "Lika stora avvikelser är vanliga bland jämförelseområdena, så skillnaden "
                    "kan vara slump."
                )
                en.append(
                    "Deviations this large are common among the comparison units, so the "
                    "difference may be chance."
                )
    else:
        sv.append("Inget placebotest kördes, så det finns inget p-värde.")
        en.append("No placebo test was run, so there is no p-value.")
    if inp.placebo_search == "fast":
        sv.append(
            "OBS: placeboområdena anpassades med en snabbare, förenklad sökning. De passar "
            "då sämre än det behandlade området, så rangen blir för hög och p-värdet för "
            "litet; kör om med samma sökning för alla innan slutsatser dras."
        )
        en.append(
            "NOTE: the placebo units were fitted with a faster, lighter search. They then fit "
            "worse than the treated unit, so its rank is too high and the p-value too small; "
            "rerun with the same search for all units before drawing conclusions."
        )
    sv_cf, en_cf = _conformal_texts(inp.conformal)
    sv.extend(sv_cf)
    en.extend(en_cf)
    if inp.loo_range is not None:
        lo, hi = inp.loo_range
        sv.append(
            f"Utan ett jämförelseområde i taget blir skattningen mellan {_fmt(lo, 'sv')} och "
            f"{_fmt(hi, 'sv')}."
        )
        en.append(
            f"Leaving out one comparison unit at a time gives estimates between "
            f"{_fmt(lo, 'en')} and {_fmt(hi, 'en')}."
        )
    if inp.in_time_gap is not None:
        sv.append(
            f"Placebo i tid (låtsad tidigare start): genomsnittlig avvikelse "
            f"{_fmt(inp.in_time_gap, 'sv')} före den verkliga starten."
        )
        en.append(
            f"In-time placebo (pretended earlier start): average gap "
            f"{_fmt(inp.in_time_gap, 'en')} before the real start."
        )
    sv.extend(inp.notes_sv)
    en.extend(inp.notes_en)
    sv.append(
        "Kan inte avgöras: att skillnaden beror på insatsen förutsätter att inget annat som "
        "påverkar utfallet hände samtidigt i området, att jämförelseområdena inte påverkades "
        "av insatsen och att sambandet före starten håller efter den."
    )
    en.append(
        "Cannot be concluded: attributing the difference to the intervention assumes that "
        "nothing else affecting the outcome happened in the unit at the same time, that the "
        "comparison units were not affected by the intervention and that the pre-treatment "
        "relationship holds afterwards."
    )
    return " ".join(sv), " ".join(en)
