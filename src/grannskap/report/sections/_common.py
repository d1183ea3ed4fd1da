"""Data shared by several sections, computed once per report (cached on the context)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from grannskap.report import data
from grannskap.report.context import ReportContext

__all__ = ["counts", "comparison", "key_table", "regso", "scb_source", "police_rows"]


def counts(ctx: ReportContext) -> pd.DataFrame:
    return ctx.cached("counts", lambda: data.deso_counts(ctx.con, ctx.year))


def comparison(ctx: ReportContext) -> pd.DataFrame:
    return ctx.cached("comparison", lambda: data.comparable_kommuner(ctx.con, ctx.kommun, ctx.year))


def key_table(ctx: ReportContext) -> pd.DataFrame:
    return ctx.cached(
        "key_table",
        lambda: data.key_indicator_table(
            counts(ctx),
            ctx.kommun,
            list(comparison(ctx)["kommun"]),
            ctx.threshold,
            ctx.lang,
            data.stadsdel_crosswalk(ctx.con, ctx.kommun),
        ),
    )


def regso(ctx: ReportContext) -> pd.DataFrame:
    return ctx.cached(
        "regso", lambda: data.regso_table(ctx.con, counts(ctx), ctx.kommun, ctx.threshold)
    )


def scb_source(ctx: ReportContext, tables: str, year: int | None = None) -> str:
    y = year or ctx.year
    return ctx.t(
        f"SCB, Statistikdatabasen (DeSO), tabell {tables}; statistikår {y}. Egen bearbetning.",
        f"Statistics Sweden (SCB), DeSO tables {tables}; year {y}. Own calculations.",
    )


def police_rows(ctx: ReportContext) -> pd.DataFrame:
    def q() -> Any:
        return ctx.con.execute(
            "SELECT area_code, name, year, category, source_note FROM police_classification "
            "WHERE kommun_code = ? ORDER BY area_code, year",
            [ctx.kommun],
        ).df()

    return ctx.cached("police", q)
