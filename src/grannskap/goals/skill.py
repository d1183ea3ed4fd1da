"""Whether a 2030 projection has shown skill, and hiding the probabilities when it has not.

A probability for 2030 is shown only when the projection model beat the naive forecast "no
change" (today's state persists) in a backtest on real history: fitted on the early years,
scored on the later ones with the multi-category Brier score (:mod:`grannskap.goals.backtest`).
A model that does worse than "no change", or that could not be tested, gives no basis for a
forecast, and the report says so in one plain sentence instead of showing a number.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from grannskap.errors import EstimationError
from grannskap.goals.backtest import backtest
from grannskap.goals.definitions import Goal

__all__ = ["MODEL_OF_MEASURE", "types_backtest", "mask_unskilled", "forecast_sentence"]

MODEL_OF_MEASURE = {"omradestyp": "types", "police_category": "police"}
"""Which projection model a goal's measure uses."""

_P_COLUMNS = ("p_met", "p_met_low", "p_met_high", "p_met_pooled_prior", "p_met_uniform_prior")


def types_backtest(
    type_hist: pd.DataFrame,
    years: Sequence[int],
    states: Sequence[Hashable],
    lang: str,
    seed: int,
) -> tuple[pd.DataFrame | None, str]:
    """Backtest of the area-type model on the official types: fit on the years up to the
    middle one, score every later year. Returns the scores (``None`` with fewer than three
    years) and a sentence for the methods section."""
    from grannskap.format import format_number
    from grannskap.goals.report_texts import report_texts

    tx = report_texts(lang)
    years = sorted(int(y) for y in years)
    span = f"{years[0]}–{years[-1]}" if years else ""
    if len(years) < 3:
        return None, tx["no_backtest_types"].format(years=span)
    fit_until = years[(len(years) - 1) // 2]
    try:
        bt = backtest(type_hist, states, fit_until, step=1, n_draws=200, seed=seed)
    except EstimationError as exc:
        return None, f"{tx['no_backtest_types'].format(years=span)} ({exc})"
    sc = bt.scores
    bm, bn = float(sc["brier_model"].mean()), float(sc["brier_naive"].mean())
    targets = sc["target_year"].astype(int)
    note = tx["backtest_types"].format(
        fit=fit_until,
        targets=f"{targets.min()}–{targets.max()}" if len(targets) > 1 else str(targets.iloc[0]),
        bm=format_number(bm, 2, lang),
        bn=format_number(bn, 2, lang),
        verdict=tx["backtest_worse" if bm >= bn else "backtest_better"],
    )
    frame = sc.assign(data="SCB:s officiella områdestyper (verkliga)", n_pairs_fit=bt.n_pairs)
    return frame, note


def mask_unskilled(
    summary: pd.DataFrame,
    goals: Sequence[Goal],
    skill: dict[str, bool | None],
    tx: dict[str, str],
) -> pd.DataFrame:
    """Add ``forecast_shown`` and ``forecast_note`` per goal; blank the probabilities of goals
    whose model has no demonstrated skill (kept in ``p_model*`` for the methods section)."""
    out = summary.copy()
    if out.empty:
        return out.assign(forecast_shown=pd.Series(dtype=bool), forecast_note="")
    measure = {g.id: g.measure for g in goals}
    shown, notes = [], []
    for _, row in out.iterrows():
        model = MODEL_OF_MEASURE.get(measure.get(row["goal_id"], ""), "")
        has_p = row["p_met"] == row["p_met"]
        ok = skill.get(model)
        shown.append(bool(has_p and ok))
        if not has_p and ok is None and not model:
            notes.append("")
        elif has_p and ok:
            notes.append(tx["forecast_shown"])
        elif ok is False:
            notes.append(tx["no_forecast_worse"])
        else:
            notes.append(tx["no_forecast_untested"])
    out["forecast_shown"] = shown
    out["forecast_note"] = notes
    for c in ("p_met", "p_met_low", "p_met_high"):
        out[c.replace("p_met", "p_model")] = out[c]
    hide = ~out["forecast_shown"]
    for c in _P_COLUMNS:
        out.loc[hide, c] = np.nan
    return out


def forecast_sentence(summary: pd.DataFrame, tx: dict[str, str]) -> str:
    """One plain sentence on whether and why a 2030 probability is shown (no jargon)."""
    if summary.empty or "forecast_shown" not in summary:
        return ""
    shown = summary["forecast_shown"].astype(bool)
    if shown.all():
        return tx["forecast_shown"]
    if shown.any():
        return tx["forecast_some"]
    reasons = {n for n in summary["forecast_note"] if n}
    if reasons == {tx["no_forecast_worse"]}:
        return tx["no_forecast_worse"]
    if reasons == {tx["no_forecast_untested"]}:
        return tx["no_forecast_untested"]
    return tx["no_forecast_both"]
