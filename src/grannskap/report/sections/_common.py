"""Data shared by several sections, computed once per report (cached on the context)."""

from __future__ import annotations

import pandas as pd

from grannskap.report import data
from grannskap.report.context import ReportContext
from grannskap.store import report_police

__all__ = [
    "counts",
    "comparison",
    "key_table",
    "regso",
    "scb_source",
    "police_rows",
    "police_years_held",
    "police_full_years",
    "police_list_years",
    "police_since",
    "police_predecessor",
    "local_clauses",
]


def counts(ctx: ReportContext) -> pd.DataFrame:
    return counts_year(ctx, ctx.year)


def counts_year(ctx: ReportContext, year: int) -> pd.DataFrame:
    """:func:`data.deso_counts` of ``year``, read once per report (trends, programme)."""
    return ctx.cached(f"counts:{year}", lambda: data.deso_counts(ctx.con, year))


def comparison(ctx: ReportContext) -> pd.DataFrame:
    return ctx.cached(
        "comparison",
        lambda: data.comparable_kommuner(ctx.con, ctx.kommun, ctx.year, compare=ctx.compare),
    )


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
    return ctx.cached("police", lambda: report_police.kommun_classifications(ctx.con, ctx.kommun))


def police_full_years(ctx: ReportContext) -> list[int]:
    """The list years held in full for all of Sweden (as many areas as the national count)."""
    return ctx.cached("police_full_years", lambda: report_police.full_list_years(ctx.con))


def police_years_held(ctx: ReportContext) -> list[int]:
    """The list years whose areas the database holds area by area for the kommun: lists held
    in full for all of Sweden (as many areas as the list's national count), and years with
    rows for this kommun (a kommun's own summary of the lists, such as Borås'). Other years
    are held as national counts only, so nothing can be said about the kommun's areas then."""

    def q() -> list[int]:
        pol = police_rows(ctx)
        return sorted(set(police_full_years(ctx)) | {int(y) for y in pol["year"]})

    return ctx.cached("police_years_held", q)


def police_list_years(ctx: ReportContext) -> list[int]:
    """Every list year known (national counts or area rows)."""
    return ctx.cached("police_list_years", lambda: report_police.list_years(ctx.con))


def police_predecessor(ctx: ReportContext, area_code: str, year: int) -> str | None:
    """The name of an area on the list of ``year`` whose polygon overlaps ``area_code``'s
    (a split or renamed area keeps its history under another code), or None."""
    from shapely import wkb

    rows = report_police.overlap_candidates(ctx.con, area_code, year)
    mine = [wkb.loads(r.geometry_wkb) for r in rows if r.area_code == area_code]
    if not mine:
        return None
    g = mine[0]
    for code, y, geom, name in rows:
        if code != area_code and y == year:
            other = wkb.loads(geom)
            if g.intersects(other) and g.intersection(other).area > 0.05 * g.area:
                return str(name or code)
    return None


def police_since(ctx: ReportContext, area_code: str, category: str) -> tuple[int, bool, bool]:
    """``(first, proven, inferred)`` for an area in ``category`` on the latest list: the first
    list year of its unbroken run in that category, whether "since <first>" is proven, and
    whether the run rests on an inferred year. Proven: the list before is held for the kommun,
    and either the area is on it (in another category), or that list is the kommun's own
    summary (which names all its areas), or polygons show no area of it overlapping this one
    (a code new on a national list may be split from an old area, :func:`police_predecessor`)."""
    from grannskap.ingest.police import is_inferred

    pol = police_rows(ctx)
    mine = pol[pol["area_code"] == area_code].set_index("year")
    held = set(police_years_held(ctx))
    years = police_list_years(ctx)
    last = int(mine.index.max())
    first, inferred = last, False
    for y in reversed([y for y in years if y <= last]):
        if y in mine.index and mine.loc[y, "category"] == category:
            first = y
            inferred = inferred or is_inferred(mine.loc[y, "source_note"])
            continue
        break
    before = [y for y in years if y < first]
    proven = bool(before) and before[-1] in held
    full = set(police_full_years(ctx))
    if proven and before[-1] not in mine.index and before[-1] in full:
        # newly on the list, or split from an area of the list before: only polygons can tell
        n_area, n_year = report_police.geometry_counts(ctx.con, area_code, before[-1])
        has_geom = n_area > 0 and n_year > 0
        proven = has_geom and police_predecessor(ctx, area_code, before[-1]) is None
    return first, proven, inferred


_WORD = r"(?:s|områden|området)?\b"


def local_clauses(ctx: ReportContext, text: str) -> str:
    """``text`` (a source note of clauses separated by "; ") without the clauses that name
    another kommun or another kommun's police area (the national list sources also carry
    one kommun's local sources, which do not belong in another kommun's report)."""
    import re

    if not text:
        return text

    def q() -> list[str]:
        names = set(report_police.other_kommun_names(ctx.con, ctx.kommun))
        for n in report_police.other_police_area_names(ctx.con, ctx.kommun):
            names.update(p.strip() for p in n.split("/") if len(p.strip()) > 3)
        own = {str(n) for n in police_rows(ctx)["name"]} | {ctx.kommun_name}
        return sorted(n for n in names if n not in own)

    forbidden = ctx.cached("other_place_names", q)
    pattern = ctx.cached(
        "other_place_re",
        lambda: (
            re.compile(r"\b(?:" + "|".join(re.escape(n) for n in forbidden) + ")" + _WORD)
            if forbidden
            else None
        ),
    )
    if pattern is None:
        return text
    kept = [c for c in text.split("; ") if not pattern.search(c)]
    return "; ".join(kept)
