"""The map of change per RegSO between the first and last year of the RegSO series (used by
the areas section): the foreign-born share, on a diverging colour-blind safe scale."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from grannskap.report import maps
from grannskap.report.context import Figure, ReportContext

__all__ = ["CHANGE_COLOURS", "CHANGE_INDICATOR", "change_map"]

#: Colour-blind safe diverging scale for change (ColorBrewer PuOr, Brewer 2003): decrease
#: purple, about unchanged white, increase orange.
CHANGE_COLOURS = ("#5e3c99", "#b2abd2", "#f7f7f7", "#fdb863", "#e66101")
_CHANGE_INK = ("#ffffff", "#000000", "#000000", "#000000", "#000000")
CHANGE_INDICATOR = "utrikes_fodda"


def change_map(
    ctx: ReportContext,
    rows: pd.DataFrame,
    shapes: dict[str, object],
    draw: Callable[..., str],
    vintage: str,
    numbers: str,
) -> tuple[Figure, dict[str, float], str] | None:
    """Change of the foreign-born share per RegSO between the first and last year of the
    RegSO series (SCB, suppressed as in the history section), or None without a series.
    ``draw`` is the section's :func:`maps.choropleth` with its police overlay and inset bound."""
    from grannskap.errors import DataNotFoundError
    from grannskap.format import format_number
    from grannskap.report.sections._history import history

    try:
        h = history(ctx)
    except DataNotFoundError:
        return None
    v = h.values
    v = v[(v["scope"] == "regso") & (v["indicator"] == CHANGE_INDICATOR)]
    if v.empty or len(h.years) < 2:
        return None
    a, b = h.years[0], h.years[-1]
    wide = v.pivot_table(index="code", columns="year", values="value", aggfunc="first")
    if a not in wide.columns or b not in wide.columns:
        return None
    diff = (wide[b] - wide[a]).dropna().to_dict()
    if not diff:
        return None
    top = max(abs(x) for x in diff.values()) or 1.0
    cuts = (-0.6 * top, -0.2 * top, 0.2 * top, 0.6 * top)

    def klass(x: float) -> int:
        return sum(x > c for c in cuts)

    def pp(x: float) -> str:
        return ("+" if x > 0 else "") + format_number(x, 1, ctx.lang)

    unit = ctx.t("procentenheter", "percentage points")
    areas = []
    for r in rows.to_dict("records"):
        x = diff.get(r["regso"])
        k = None if x is None else klass(x)
        fill, ink = (
            (CHANGE_COLOURS[k], _CHANGE_INK[k]) if k is not None else (maps.MISSING_FILL, "#000")
        )
        tip = (
            f"{pp(x)} {unit}"
            if x is not None
            else ctx.t("skyddad eller saknas", "suppressed or missing")
        )
        areas.append(
            maps.MapArea(
                r["regso"],
                str(r["name"]),
                shapes[r["regso"]],
                fill,
                ink,
                tip,
                maps.serial(r["regso"]),
            )
        )
    edges = (-top, *cuts, top)
    legend = [(CHANGE_COLOURS[i], f"{pp(edges[i])} … {pp(edges[i + 1])} {unit}") for i in range(5)]
    if any(r not in diff for r in rows["regso"]):
        legend.append(
            (maps.MISSING_FILL, ctx.t("skyddad eller saknas (..)", "suppressed or missing (..)"))
        )
    title = ctx.t(
        f"Förändring av andelen utrikes födda per RegSO i {ctx.kommun_name} {a}–{b}",
        f"Change in the foreign-born share per RegSO in {ctx.kommun_name} {a}–{b}",
    )
    up = max(diff.items(), key=lambda kv: kv[1])
    down = min(diff.items(), key=lambda kv: kv[1])
    name_of = dict(zip(rows["regso"], rows["name"], strict=True))
    alt = ctx.t(
        f"Karta: förändringen av andelen utrikes födda {a}–{b} per RegSO, i fem klasser från "
        f"minskning (lila) till ökning (orange). Störst ökning i {name_of.get(up[0], up[0])} "
        f"({pp(up[1])} {unit}), störst minskning i {name_of.get(down[0], down[0])} ({pp(down[1])} {unit}).",
        f"Map: the change in the foreign-born share {a}–{b} per RegSO, in five classes from "
        f"decrease (purple) to increase (orange). Largest increase in {name_of.get(up[0], up[0])} "
        f"({pp(up[1])} {unit}), largest decrease in {name_of.get(down[0], down[0])} ({pp(down[1])} {unit}).",
    )
    fig = Figure(
        "map-change",
        title,
        draw(areas, title=title, desc=alt, legend=legend),
        alt,
        ctx.t(
            f"SCB, folkmängd efter födelseregion per RegSO {a}–{b} (RegSO 2020); skyddade andelar som i "
            "avsnittet om utvecklingen över tid. ",
            f"Statistics Sweden, population by birth region per RegSO {a}–{b} (RegSO 2020); suppressed "
            "shares as in the section on change over time. ",
        )
        + vintage
        + numbers,
    )
    label = ctx.t(
        f"Utrikes födda, förändring {a}–{b} (procentenheter)",
        f"Foreign-born, change {a}–{b} (percentage points)",
    )
    return fig, diff, label
