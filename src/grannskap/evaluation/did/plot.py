"""Event-study plot of a dynamic aggregation (matplotlib; Swedish labels by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from grannskap._literals import Lang, validate_literal
from grannskap.evaluation.did.aggregate import AggregateResult

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["event_study_plot"]

_LABELS = {
    "sv": {
        "x": "År i förhållande till insatsens start",
        "y": "Skattad effekt (ATT)",
        "title": "Händelsestudie (Callaway & Sant'Anna)",
        "pre": "Före start",
        "post": "Efter start",
        "band": "{lvl} % simultant konfidensband",
        "ci": "{lvl} % konfidensintervall",
        "sim": "SIMULERADE DATA",
    },
    "en": {
        "x": "Years relative to the start of the intervention",
        "y": "Estimated effect (ATT)",
        "title": "Event study (Callaway & Sant'Anna)",
        "pre": "Before start",
        "post": "After start",
        "band": "{lvl} % uniform confidence band",
        "ci": "{lvl} % confidence interval",
        "sim": "SIMULATED DATA",
    },
}


def event_study_plot(
    agg: AggregateResult,
    *,
    lang: Lang = "sv",
    title: str | None = None,
    simulated: bool = False,
) -> Figure:
    """Plot ATT by event time with its band; returns a matplotlib ``Figure`` (not shown).

    Pre-periods are drawn in grey, post-periods in blue; a uniform band is used when the
    aggregation was bootstrapped, otherwise pointwise intervals. ``simulated=True`` stamps
    the figure as simulated data.
    """
    validate_literal(lang, Lang, "lang")
    from matplotlib.figure import Figure

    lab = _LABELS[lang]
    fig = Figure(figsize=(7, 4.2))
    ax = fig.add_subplot(1, 1, 1)
    e = np.asarray(agg.labels, dtype=float)
    df = agg.to_frame()
    lvl = round(100 * (1 - agg.alpha))
    uniform = agg.bootstrap_se is not None
    pre = e < 0
    for mask, colour, name in ((pre, "#7f7f7f", lab["pre"]), (~pre, "#1f5fa8", lab["post"])):
        if mask.any():
            ax.errorbar(
                e[mask],
                df["att"][mask],
                yerr=[
                    df["att"][mask] - df["band_low"][mask],
                    df["band_high"][mask] - df["att"][mask],
                ],
                fmt="o",
                color=colour,
                capsize=3,
                label=name,
            )
    ax.axhline(0, color="black", linewidth=0.8)
    ax.axvline(-0.5, color="black", linestyle=":", linewidth=0.8)
    ax.set_xlabel(lab["x"])
    ax.set_ylabel(lab["y"])
    ax.set_title(title or lab["title"])
    ax.set_xticks(e)
    note = (lab["band"] if uniform else lab["ci"]).format(lvl=lvl)
    ax.legend(title=note, fontsize=8, title_fontsize=8, loc="best")
    if simulated:
        fig.text(0.99, 0.01, lab["sim"], ha="right", va="bottom", color="#b00020", fontsize=10)
    fig.tight_layout()
    return fig
