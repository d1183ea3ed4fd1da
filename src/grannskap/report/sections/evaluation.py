"""Evaluation of interventions: what the data allow now (power/MDE) and what cannot be concluded.

With one statistics year no effect can be estimated. The section shows the minimum detectable
effect (Burlig, Preonas & Woerman 2020) of a future difference-in-differences comparison of
the RegSO in the programme's districts against the rest of the kommun, under stated
assumptions about the outcome's year-to-year correlation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from grannskap.errors import DataNotFoundError
from grannskap.report.context import Column, ReportContext, SectionResult, Table
from grannskap.report.data import KEY_INDICATORS
from grannskap.report.sections import _common

NAME = "evaluation"
TITLE = {"sv": "Utvärdering av insatserna", "en": "Evaluation of the interventions"}

__all__ = ["NAME", "TITLE", "build"]

ICC_SCENARIOS = (0.5, 0.8, 0.9)


def build(ctx: ReportContext) -> SectionResult:
    from grannskap.evaluation.power import mde_did

    rg = _common.regso(ctx)
    treated = rg["stadsdel"].notna()
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    if n_t == 0 or n_c == 0:
        raise DataNotFoundError(
            ctx.t(
                "inga RegSO är kopplade till stadsdelar i ett program för kommunen",
                "no RegSO are linked to districts of a programme for the municipality",
            )
        )
    rows = []
    for k in KEY_INDICATORS:
        if k.higher_is_better is None or k.key not in rg.columns:
            continue
        values = rg[k.key].astype(float).dropna()
        sigma2 = float(np.var(values, ddof=1))
        for icc in ICC_SCENARIOS:
            res = mde_did(n_t, n_c, 3, 3, sigma2=sigma2, rho=0.5, icc=icc)
            rows.append(
                {
                    "indicator": k.name(ctx.lang),
                    "icc": icc,
                    "sd": float(np.sqrt(sigma2)),
                    "mde": res.mde,
                }
            )
    tab = pd.DataFrame(rows)
    table = Table(
        "mde",
        ctx.t(
            "Minsta effekt som kan upptäckas (procentenheter) med 3 år före och 3 år efter",
            "Minimum detectable effect (percentage points) with 3 years before and 3 after",
        ),
        tab,
        [
            Column("indicator", ctx.t("Nyckeltal", "Indicator")),
            Column(
                "icc",
                ctx.t(
                    "Andel bestående områdesskillnad (antagande)",
                    "Share of permanent area differences (assumption)",
                ),
                "num1",
            ),
            Column("sd", ctx.t("Spridning mellan RegSO (sd)", "Spread between RegSO (sd)"), "num1"),
            Column("mde", ctx.t("MDE (procentenheter)", "MDE (percentage points)"), "num1"),
        ],
        _common.scb_source(ctx, "000005MO, 000007A8, 000006TA")
        + ctx.t(
            " Beräkning: Burlig, Preonas & Woerman (2020).",
            " Method: Burlig, Preonas & Woerman (2020).",
        ),
        ctx.t(
            "Antaganden: AR(1)-korrelation 0,5 i den icke-bestående delen; 5 % signifikans, 80 % styrka. Spridningen skattas från ett enda år.",
            "Assumptions: AR(1) correlation 0.5 in the non-permanent part; 5 % level, 80 % power. The spread is estimated from a single year.",
        ),
    )
    tab["icc"] = tab["icc"].astype(float)
    return SectionResult(NAME, TITLE[ctx.lang], True, data={"n_t": n_t, "n_c": n_c}, tables=[table])
