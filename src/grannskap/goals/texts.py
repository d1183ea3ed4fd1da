"""Short plain-language paragraphs (Swedish by default) for the report section, built from the
frames of :class:`grannskap.goals.report.ReportData`. Numbers use Swedish formatting
(decimal comma, "91,5 %")."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from grannskap.format import format_number, format_share

if TYPE_CHECKING:
    from grannskap.goals.report import ReportData

__all__ = ["summary_texts"]


def _names(df: pd.DataFrame, col: str = "name") -> str:
    names = [str(n) for n in df[col].fillna(df["area_code"]).tolist()]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " och " + names[-1]


def summary_texts(d: ReportData, lang: str = "sv") -> dict[str, str]:
    """Keys: ``types``, ``agreement``, ``transitions``, ``distance``, ``projection`` (Swedish
    unless ``lang="en"``, where only short English equivalents are given)."""
    sv = lang == "sv"
    out: dict[str, str] = {}
    t = d.types
    if "omradestyp" in t.columns and t["omradestyp"].notna().any():
        parts = []
        for k in range(1, 6):
            sel = t[t["omradestyp"] == k]
            if len(sel) and k <= 2:
                parts.append(
                    f"{len(sel)} av typ {k} ({_names(sel)})"
                    if sv
                    else f"{len(sel)} of type {k} ({_names(sel)})"
                )
            elif len(sel):
                parts.append(f"{len(sel)} av typ {k}" if sv else f"{len(sel)} of type {k}")
        out["types"] = (
            f"Av kommunens {len(t)} RegSO är {d.computed_year} (beräknat) " + ", ".join(parts) + "."
            if sv
            else f"Of the {len(t)} RegSO in {d.computed_year} (computed): " + ", ".join(parts) + "."
        )
    if d.agreement:
        a = d.agreement
        text = (
            f"De beräknade typerna stämmer med SCB:s officiella för {a['n_agree']} av {a['n']} områden "
            f"({format_share(a['rate'], 1, lang)}) år {a['year']}."
            if sv
            else f"Computed types agree with SCB's official types for {a['n_agree']} of {a['n']} areas ({format_share(a['rate'], 1, lang)}) in {a['year']}."
        )
        if len(d.disagreements):
            gap = d.disagreements["z"].apply(
                lambda z: min(abs(z - c) for c in (2.0, 1.0, 0.0, -1.0))
            )
            text += (
                f" Avvikelserna ({_names(d.disagreements)}) ligger alla högst {format_number(gap.max(), 2, lang)} "
                "standardavvikelser från en tröskel, där proxyvariablerna avgör."
                if sv
                else f" The disagreements ({_names(d.disagreements)}) lie within {format_number(gap.max(), 2, lang)} SD of a threshold."
            )
        out["agreement"] = text
    if d.transition_years and not d.transitions.empty:
        y0, y1 = d.transition_years
        m = d.transitions
        moved = int(m.to_numpy().sum() - m.to_numpy().trace())
        total = int(m.to_numpy().sum())
        up = int(sum(m.loc[i, j] for i in m.index for j in m.columns if j > i))
        down = moved - up
        out["transitions"] = (
            f"Mellan {y0} och {y1} bytte {moved} av {total} områden typ enligt SCB: {up} till en bättre "
            f"typ (högre nummer) och {down} till en sämre."
            if sv
            else f"Between {y0} and {y1}, {moved} of {total} areas changed type: {up} to a better and {down} to a worse type."
        )
    if not d.distances.empty:
        b = (
            d.distances.dropna(subset=["delta_z_better"])
            .assign(a=lambda f: f["delta_z_better"].abs())
            .nsmallest(3, "a")
        )
        w = (
            d.distances.dropna(subset=["delta_z_worse"])
            .assign(a=lambda f: f["delta_z_worse"].abs())
            .nsmallest(3, "a")
        )
        fb = ", ".join(f"{r['name']} ({format_number(r['a'], 2, lang)} σ)" for _, r in b.iterrows())
        fw = ", ".join(f"{r['name']} ({format_number(r['a'], 2, lang)} σ)" for _, r in w.iterrows())
        out["distance"] = (
            f"Närmast en bättre typ: {fb}. Närmast en sämre typ: {fw}. (Avstånd i standardavvikelser "
            "av indexet, med årets nationella medelvärde och standardavvikelse.)"
            if sv
            else f"Closest to a better type: {fb}. Closest to a worse type: {fw}."
        )
    rows = []
    for _, g in d.goal_summary.iterrows():
        if g["p_met"] == g["p_met"]:
            rows.append(
                f"{g['goal']}: sannolikhet {format_share(g['p_met'], 1, lang)} (90\u00a0%-intervall "
                f"{format_share(g['p_met_low'], 1, lang)}–{format_share(g['p_met_high'], 1, lang)})."
                if sv
                else f"{g['goal']}: probability {format_share(g['p_met'], 1, lang)} (90 % interval {format_share(g['p_met_low'], 1, lang)}–{format_share(g['p_met_high'], 1, lang)})."
            )
    if rows:
        missed = d.goal_summary["latest_met"].eq(False).all()
        if sv:
            tail = (
                ' Om läget i dag består (prognosen "ingen förändring") nås inget av målen.'
                if missed
                else " Jämför med läget i dag i tabellen över målstatus."
            )
            tail += " Läs förbehållen."
        else:
            tail = " If today's situation persists, none of the goals is met." if missed else ""
            tail += " See the caveats."
        out["projection"] = " ".join(rows) + tail
    return out
