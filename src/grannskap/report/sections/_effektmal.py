"""Status and trend of each effektmål from the indicators it is linked to (pure over frames).

Used by the programme section. An effektmål names its indicators in the programme file
(``indicators: [...]``): key indicators of :data:`grannskap.report.data.KEY_INDICATORS`, or
``polisen.utsatta_omraden`` for the kommun's areas on the Police list. Without indicators the
status is "inget nyckeltal ännu".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from grannskap.format import format_number
from grannskap.report.context import ReportContext
from grannskap.report.data import KEY_INDICATORS

__all__ = ["POLICE_LINK", "effektmal_status", "police_status", "indicator_status"]

POLICE_LINK = "polisen.utsatta_omraden"
_KI = {k.key: k for k in KEY_INDICATORS}


def _pct(ctx: ReportContext, v: float) -> str:
    return format_number(v, 1, ctx.lang) + "\u00a0%"


def police_status(ctx: ReportContext, police: pd.DataFrame) -> tuple[str, str, bool | None]:
    """(status, trend, met) for "no vulnerable areas": the latest list and the one before."""
    if police.empty:
        return (
            ctx.t(
                "inga av kommunens områden på polisens listor i databasen",
                "none of the municipality's areas on the Police lists in the database",
            ),
            "",
            None,
        )
    on = police[police["category"].notna() & (police["category"] != "ej_lista")]
    years = sorted(int(y) for y in police["year"].unique())
    last = years[-1]
    now = on[on["year"] == last]
    status = ctx.t(
        f"{len(now)} områden på polisens lista {last}",
        f"{len(now)} areas on the Police list {last}",
    )
    if len(now):
        status += " (" + ", ".join(sorted(str(n) for n in now["name"])) + ")"
    trend = ""
    if len(years) >= 2:
        prev = years[-2]
        n_prev = int((on["year"] == prev).sum())
        word = (
            ctx.t("färre", "fewer")
            if len(now) < n_prev
            else ctx.t("fler", "more")
            if len(now) > n_prev
            else ctx.t("oförändrat", "unchanged")
        )
        trend = f"{prev}: {n_prev} → {last}: {len(now)} ({word})"
    return status, trend, len(now) == 0


def indicator_status(
    ctx: ReportContext, key: str, key_table: pd.DataFrame, series: dict[int, float]
) -> tuple[str, str]:
    """(status, trend) of one key indicator for the kommun: the latest value beside Sweden's,
    and the change between the first and last year held (or "one measurement")."""
    ki = _KI[key]
    row = key_table[key_table["indicator"] == key]
    name = ki.name(ctx.lang)
    if row.empty or pd.isna(row["kommun"].iloc[0]):
        return f"{name}: " + ctx.t("uppgift saknas", "not available"), ""
    v = float(row["kommun"].iloc[0])
    status = f"{name}: {_pct(ctx, v)} {ctx.year}"
    if pd.notna(row["riket"].iloc[0]):
        status += f" ({ctx.t('riket', 'Sweden')} {_pct(ctx, float(row['riket'].iloc[0]))})"
    years = sorted(y for y, x in series.items() if pd.notna(x))
    if len(years) < 2:
        return status, ctx.t(
            f"en mätpunkt ({ctx.year}); trend kräver fler år i databasen",
            f"one measurement ({ctx.year}); a trend needs more years in the database",
        )
    a, b = series[years[0]], series[years[-1]]
    diff = b - a
    if ki.higher_is_better is None or abs(diff) < 0.05:
        word = (
            ctx.t("förändring", "change") if abs(diff) >= 0.05 else ctx.t("oförändrat", "unchanged")
        )
    else:
        better = (diff > 0) == ki.higher_is_better
        word = ctx.t("bättre", "better") if better else ctx.t("sämre", "worse")
    sign = "+" if diff > 0 else ""
    trend = (
        f"{years[0]}: {_pct(ctx, a)} → {years[-1]}: {_pct(ctx, b)} "
        f"({sign}{format_number(diff, 1, ctx.lang)} {ctx.t('procentenheter', 'percentage points')}, {word})"
    )
    return status, trend


def effektmal_status(
    ctx: ReportContext,
    em: pd.DataFrame,
    key_table: pd.DataFrame,
    police: pd.DataFrame,
    series: dict[str, dict[int, float]],
) -> pd.DataFrame:
    """One row per effektmål with ``text``, ``malomrade``, ``indicators`` (names),
    ``status`` and ``trend`` (texts; "inget nyckeltal ännu" where none is linked)."""
    rows: list[dict[str, Any]] = []
    for e in em.to_dict("records"):
        ids: Sequence[str] = list(
            e.get("indicator_ids") if e.get("indicator_ids") is not None else []
        )
        text = e["name_en"] if ctx.lang == "en" and e.get("name_en") else e["name_sv"]
        mo = (
            e.get("malomrade_en")
            if ctx.lang == "en" and e.get("malomrade_en")
            else e.get("malomrade_sv")
        )
        names, statuses, trends = [], [], []
        for i in ids:
            if i == POLICE_LINK:
                names.append(
                    ctx.t(
                        "Polisens lista över utsatta områden", "The Police list of vulnerable areas"
                    )
                )
                s, t, _ = police_status(ctx, police)
            elif i in _KI:
                names.append(_KI[i].name(ctx.lang))
                s, t = indicator_status(ctx, i, key_table, series.get(i, {}))
            else:
                names.append(i)
                s, t = ctx.t(f"{i}: okänt nyckeltal", f"{i}: unknown indicator"), ""
            statuses.append(s)
            if t:
                trends.append(t)
        rows.append(
            {
                "nr": int(e.get("ordinal") or len(rows) + 1),
                "id": e["effektmal_id"],
                "malomrade": mo or "",
                "text": text,
                "indicators": "; ".join(names)
                if names
                else ctx.t("inget nyckeltal ännu", "no indicator yet"),
                "status": "; ".join(statuses) if statuses else "–",
                "trend": "; ".join(trends),
                "linked": bool(ids),
            }
        )
    return pd.DataFrame(
        rows, columns=["nr", "id", "malomrade", "text", "indicators", "status", "trend", "linked"]
    )
