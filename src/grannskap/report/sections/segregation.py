"""Residential segregation by foreign/Swedish background across DeSO (dissimilarity, isolation, Theil).

Uses :mod:`grannskap.measures.segregation`; bootstrap intervals when ``bootstrap_ci`` exists.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grannskap.report import svg
from grannskap.report.context import Column, Figure, ReportContext, SectionResult, Table
from grannskap.report.sections import _common

NAME = "segregation"
TITLE = {
    "sv": "Segregation: utländsk och svensk bakgrund",
    "en": "Segregation: foreign and Swedish background",
}

__all__ = ["NAME", "TITLE", "build", "background_counts"]

_FE = "scb.000005FE"


def background_counts(ctx: ReportContext) -> pd.DataFrame:
    """Persons with foreign / Swedish background per DeSO (columns ``deso, kommun, foreign, swedish``)."""
    df = ctx.con.execute(
        "SELECT o.area_code AS deso, a.kommun_code AS kommun, "
        "sum(o.value) FILTER (WHERE o.breakdown = 'utlandsk_svensk_bakgrund=utländsk bakgrund') AS foreign_bg, "
        "sum(o.value) FILTER (WHERE o.breakdown = 'utlandsk_svensk_bakgrund=svensk bakgrund') AS swedish_bg "
        "FROM observation o JOIN area a ON a.system = 'deso2018' AND a.code = o.area_code "
        "WHERE o.indicator_id = ? AND o.area_system = 'deso2018' AND o.year = ? GROUP BY 1, 2",
        [_FE, ctx.year],
    ).df()
    return df.dropna()


def _indices(counts: np.ndarray, seg: object) -> dict[str, float]:
    """D and isolation of group 0 (foreign background) and Theil's H for a (areas x 2) table."""
    return {
        "dissimilarity": seg.dissimilarity(counts, group=0).statistic,  # type: ignore[attr-defined]
        "isolation": seg.isolation(counts, group=0).statistic,  # type: ignore[attr-defined]
        "theil_h": seg.theil_h(counts).statistic,  # type: ignore[attr-defined]
    }


def build(ctx: ReportContext) -> SectionResult:
    import grannskap.measures.segregation as seg

    bc = background_counts(ctx)
    comp = _common.comparison(ctx)
    groups = [(ctx.kommun, ctx.kommun_name)] + list(
        zip(comp["kommun"], comp["name"].astype(str), strict=True)
    )
    rows = []
    for code, name in groups:
        sub = bc[bc["kommun"] == code]
        if len(sub) < 2:
            continue
        arr = sub[["foreign_bg", "swedish_bg"]].to_numpy(dtype=float)
        r = _indices(arr, seg)
        rows.append({"kommun": code, "name": name, "n_deso": len(sub), **r})
    arr = bc[["foreign_bg", "swedish_bg"]].to_numpy(dtype=float)
    rows.append(
        {
            "kommun": "00",
            "name": ctx.t("Riket (alla DeSO)", "Sweden (all DeSO)"),
            "n_deso": len(bc),
            **_indices(arr, seg),
        }
    )
    tab = pd.DataFrame(rows)
    src = _common.scb_source(ctx, "000005FE")
    order = tab.sort_values("dissimilarity", ascending=False)
    alt = (
        ctx.t(
            "Stapeldiagram över olikhetsindex (D) mellan personer med utländsk och svensk bakgrund över DeSO: ",
            "Bar chart of the dissimilarity index (D) between persons with foreign and Swedish background across DeSO: ",
        )
        + "; ".join(f"{r.name} {r.dissimilarity:.2f}" for r in order.itertuples())
        + "."
    )
    fig = Figure(
        "dissimilarity",
        ctx.t(
            f"Olikhetsindex (D) utländsk/svensk bakgrund, {ctx.year}: {ctx.kommun_name} och liknande kommuner",
            f"Dissimilarity index (D) foreign/Swedish background, {ctx.year}: {ctx.kommun_name} and similar municipalities",
        ),
        svg.bar_chart(
            list(order["name"]),
            [("D", list(order["dissimilarity"] * 100))],
            title="D",
            desc=alt,
            unit="",
            decimals=0,
            lang=ctx.lang,
        ),
        alt,
        src + ctx.t(" Index × 100.", " Index × 100."),
    )
    for c in ("dissimilarity", "isolation", "theil_h"):
        tab[c + "_100"] = tab[c].astype(float) * 100
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
            "Index 0–1 visade ×100; full precision i XLSX-filen.",
            "Indices 0–1 shown ×100; full precision in the XLSX file.",
        ),
    )
    table.columns = [Column("name", ctx.t("Område", "Area")), Column("n_deso", "DeSO", "int")] + [
        Column(c + "_100", lab, "num1")
        for c, lab in (
            ("dissimilarity", ctx.t("Olikhet D ×100", "Dissimilarity D ×100")),
            ("isolation", ctx.t("Isolering ×100", "Isolation ×100")),
            ("theil_h", "Theil H ×100"),
        )
    ]
    has_ci = hasattr(seg, "bootstrap_ci")
    return SectionResult(
        NAME,
        TITLE[ctx.lang],
        True,
        data={"has_ci": has_ci, "row": rows[0]},
        figures=[fig],
        tables=[table],
    )
