"""Residential segregation by foreign/Swedish background across DeSO (dissimilarity, isolation, Theil).

Uses :mod:`grannskap.measures.segregation`; bootstrap intervals when ``bootstrap_ci`` exists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grannskap.format import format_number
from grannskap.report import svg
from grannskap.report.context import Column, Figure, ReportContext, SectionResult, Table
from grannskap.report.sections import _common
from grannskap.report.sections.history import years_note
from grannskap.store.report_queries import background_counts as background_frame

NAME = "segregation"
TITLE = {
    "sv": "Segregation: utländsk och svensk bakgrund",
    "en": "Segregation: foreign and Swedish background",
}

__all__ = ["NAME", "TITLE", "build", "background_counts"]

_FE = "scb.000005FE"


def background_counts(ctx: ReportContext) -> pd.DataFrame:
    """Persons with foreign / Swedish background per DeSO (columns ``deso, kommun, foreign, swedish``)."""
    df = background_frame(ctx.con, _FE, ctx.year)
    return df.dropna()


def _indices(
    counts: np.ndarray, seg: object, n_boot: int = 200, n_sim: int = 100
) -> dict[str, float | None]:
    """D and isolation of group 0 (foreign background) and Theil's H for a (areas x 2) table,
    with bootstrap intervals (persons resampled within areas) and D under random allocation
    (:func:`grannskap.measures.segregation.bootstrap_ci`, :func:`expected_value`)."""
    out: dict[str, float | None] = {
        "dissimilarity": seg.dissimilarity(counts, group=0).statistic,  # type: ignore[attr-defined]
        "isolation": seg.isolation(counts, group=0).statistic,  # type: ignore[attr-defined]
        "theil_h": seg.theil_h(counts).statistic,  # type: ignore[attr-defined]
    }
    for name in ("dissimilarity", "theil_h"):
        res = seg.bootstrap_ci(  # type: ignore[attr-defined]
            counts, name, n_boot=n_boot, level=0.95, scheme="within_areas", seed=20221231
        )
        # the interval is for the estimate named by ``interval_for`` (the small-unit
        # bias-corrected value): that value is printed beside it (interval policy)
        out[name + "_bc"] = res.interval_estimate
        out[name + "_lo"], out[name + "_hi"] = res.ci_low, res.ci_high
    out["dissimilarity_random"] = seg.expected_value(  # type: ignore[attr-defined]
        counts, "dissimilarity", null="permutation", n_sim=n_sim, seed=20221231
    )
    return out


def _hidden_deso(ctx: ReportContext) -> set[str]:
    """DeSO of the kommun whose foreign-background share or population the report hides
    (primary or secondary suppression)."""
    from grannskap.report.data import area_population, area_shares, stadsdel_crosswalk

    counts = _common.counts(ctx)
    if counts.empty or "den" not in counts.columns:
        return set()  # no area tables are published (the primary rule still applies)
    xw = stadsdel_crosswalk(ctx.con, ctx.kommun)
    shares = ctx.cached("area_shares", lambda: area_shares(counts, ctx.kommun, xw, ctx.threshold))
    pops = area_population(counts, ctx.kommun, xw, ctx.threshold)
    s = shares[(shares["level"] == "deso") & (shares["indicator"] == "utlandsk_bakgrund")]
    p = pops[pops["level"] == "deso"]
    return set(s.loc[s["suppressed"], "code"]) | set(p.loc[p["suppressed"], "code"])


def build(ctx: ReportContext) -> SectionResult:
    import grannskap.measures.segregation as seg
    from grannskap.privacy import publishable_index_inputs

    bc = background_counts(ctx)
    hidden = _hidden_deso(ctx)

    def published_counts(sub: pd.DataFrame) -> np.ndarray:
        # hidden DeSO enter the published indices with rounded counts (issue 18, finding 3)
        return publishable_index_inputs(
            sub[["foreign_bg", "swedish_bg"]].to_numpy(dtype=float),
            ctx.threshold,
            hidden=sub["deso"].isin(hidden).to_numpy(),
        )

    comp = _common.comparison(ctx)
    groups = [(ctx.kommun, ctx.kommun_name)] + list(
        zip(comp["kommun"], comp["name"].astype(str), strict=True)
    )
    rows = []
    for code, name in groups:
        sub = bc[bc["kommun"] == code]
        if len(sub) < 2:
            continue
        r = _indices(published_counts(sub), seg)
        rows.append({"kommun": code, "name": name, "n_deso": len(sub), **r})
    arr = published_counts(bc)
    rows.append(
        {
            "kommun": "00",
            "name": ctx.t("Riket (alla DeSO)", "Sweden (all DeSO)"),
            "n_deso": len(bc),
            **_indices(arr, seg, n_boot=100, n_sim=50),  # 5,984 DeSO: fewer draws suffice
        }
    )
    tab = pd.DataFrame(rows)
    src = _common.scb_source(ctx, "000005FE")
    order = tab.sort_values("dissimilarity", ascending=False)
    has_ci = bool(order["dissimilarity_lo"].notna().all())

    def _ci(r: object) -> str:
        if not has_ci:
            return ""
        bc = format_number(100 * r.dissimilarity_bc, 1, ctx.lang)  # type: ignore[attr-defined]
        lo = format_number(100 * r.dissimilarity_lo, 1, ctx.lang)  # type: ignore[attr-defined]
        hi = format_number(100 * r.dissimilarity_hi, 1, ctx.lang)  # type: ignore[attr-defined]
        return ctx.t(f" (korrigerat {bc}; {lo}–{hi})", f" (corrected {bc}; {lo}–{hi})")

    alt = (
        ctx.t(
            "Olikhetsindex (D ×100) mellan personer med utländsk och svensk bakgrund över DeSO, med 95 % bootstrapintervall: ",
            "Dissimilarity index (D ×100) between persons with foreign and Swedish background across DeSO, with 95 % bootstrap intervals: ",
        )
        + "; ".join(
            f"{r.name} {format_number(100 * r.dissimilarity, 1, ctx.lang)}{_ci(r)}"
            for r in order.itertuples()
        )
        + "."
    )
    fig = Figure(
        "dissimilarity",
        ctx.t(
            f"Olikhetsindex (D) utländsk/svensk bakgrund, {ctx.year}: {ctx.kommun_name} och liknande kommuner",
            f"Dissimilarity index (D) foreign/Swedish background, {ctx.year}: {ctx.kommun_name} and similar municipalities",
        ),
        svg.interval_chart(
            list(order["name"]),
            list((order["dissimilarity_bc"] if has_ci else order["dissimilarity"]) * 100),
            list(
                (order["dissimilarity_lo"] if has_ci else order["dissimilarity"]).astype(float)
                * 100
            ),
            list(
                (order["dissimilarity_hi"] if has_ci else order["dissimilarity"]).astype(float)
                * 100
            ),
            title="D",
            desc=alt,
            unit="",
            vmax=60.0,
            lang=ctx.lang,
        ),
        alt,
        src
        + ctx.t(
            " Index × 100; punkt och streck = värde korrigerat för småområdesbias med 95 % bootstrapintervall för det korrigerade värdet (personer omdragna inom varje DeSO, 200 dragningar; riket 100).",
            " Index × 100; dot and whiskers = value corrected for small-area bias with the 95 % bootstrap interval of the corrected value (persons resampled within each DeSO, 200 draws; Sweden 100).",
        ),
    )
    for c in (
        "dissimilarity",
        "isolation",
        "theil_h",
        "dissimilarity_bc",
        "dissimilarity_lo",
        "dissimilarity_hi",
        "theil_h_bc",
        "theil_h_lo",
        "theil_h_hi",
        "dissimilarity_random",
    ):
        tab[c + "_100"] = pd.to_numeric(tab[c], errors="coerce") * 100
    table = Table(
        "segregation",
        ctx.t(
            f"Segregationsindex över DeSO, {ctx.year} (×100)",
            f"Segregation indices across DeSO, {ctx.year} (×100)",
        ),
        tab,
        [],
        src,
        ctx.t(
            "Index 0–1 visade ×100, avrundade till en decimal (även i XLSX-filen).",
            "Indices 0–1 shown ×100, rounded to one decimal (in the XLSX file too).",
        ),
    )
    table.columns = [Column("name", ctx.t("Område", "Area")), Column("n_deso", "DeSO", "int")] + [
        Column(c + "_100", lab, "num1")
        for c, lab in (
            ("dissimilarity", ctx.t("Olikhet D", "Dissimilarity D")),
            ("dissimilarity_bc", ctx.t("D, korrigerat", "D, corrected")),
            ("dissimilarity_lo", ctx.t("D, 95 % lägst", "D, 95 % low")),
            ("dissimilarity_hi", ctx.t("D, 95 % högst", "D, 95 % high")),
            (
                "dissimilarity_random",
                ctx.t("D vid slumpmässig fördelning", "D under random allocation"),
            ),
            ("isolation", ctx.t("Isolering", "Isolation")),
            ("theil_h", "Theil H"),
            ("theil_h_bc", ctx.t("H, korrigerat", "H, corrected")),
            ("theil_h_lo", ctx.t("H, 95 % lägst", "H, 95 % low")),
            ("theil_h_hi", ctx.t("H, 95 % högst", "H, 95 % high")),
        )
    ]
    return SectionResult(
        NAME,
        TITLE[ctx.lang],
        True,
        data={"has_ci": has_ci, "row": rows[0], "years_note": years_note(ctx)},
        figures=[fig],
        tables=[table],
    )
