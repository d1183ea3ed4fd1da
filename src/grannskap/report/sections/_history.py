"""The numbers of the history section, computed once per report (cached on the context).

Everything is read through the indicator spine (:mod:`grannskap.indicators`) at RegSO level
(SCB's RegSO 2020 series, e.g. 2020–2023) and summed up to stadsdel, kommun, the comparison
group and Sweden with the same definition. Shares are suppressed with
:func:`grannskap.privacy.publishable_shares` (primary and secondary within the kommun);
segregation indices are computed from :func:`grannskap.privacy.publishable_index_inputs`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from grannskap.errors import DataNotFoundError
from grannskap.indicators import available_years, group_counts, group_set, indicator
from grannskap.indicators.read import indicator_values
from grannskap.privacy import publishable_index_inputs, publishable_shares
from grannskap.store import series

if TYPE_CHECKING:
    import duckdb

    from grannskap.report.context import ReportContext

__all__ = [
    "History",
    "INDICATOR_IDS",
    "SEG_INDICES",
    "Verdict",
    "history",
    "history_years",
    "verdict",
    "verdict_text",
]

INDICATOR_IDS: tuple[str, ...] = (
    "folkmangd",
    "utrikes_fodda",
    "hyresratt",
    "bostadsratt",
    "aganderatt",
    "loneinkomst_medel",
)
SEG_INDICES: tuple[str, ...] = ("dissimilarity", "isolation", "theil_h")
Verdict = Literal["increased", "decreased", "uncertain"]
SEED = 20231231


@dataclass
class History:
    """Series per area and year, and segregation per year with its change."""

    years: list[int]
    values: pd.DataFrame  # scope, code, name, year, indicator, value (suppressed = NaN)
    segregation: pd.DataFrame  # scope, code, name, year, index, statistic, ci_low, ci_high, n_areas
    change: pd.DataFrame  # scope, code, name, index, year_from, year_to, estimate_a, estimate_b,
    # difference, difference_bc, ci_low, ci_high, p_value, verdict
    comparison: list[str] = field(default_factory=list)
    suppressed: int = 0


def history_years(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Years of the RegSO series of foreign-born / Swedish-born (empty when not imported)."""
    return available_years(con, group_set("birth_region").bindings, "regso")


def verdict(ci_low: float, ci_high: float, p_value: float, alpha: float = 0.05) -> Verdict:
    """``increased``/``decreased`` only when the interval excludes 0 *and* the permutation
    test rejects "no change" at ``alpha``; otherwise ``uncertain`` (the cautious reading)."""
    if not (np.isfinite(ci_low) and np.isfinite(ci_high)):
        return "uncertain"
    significant = np.isfinite(p_value) and p_value < alpha
    if ci_low > 0 and significant:
        return "increased"
    if ci_high < 0 and significant:
        return "decreased"
    return "uncertain"


def verdict_text(v: str, lang: str) -> str:
    sv = {
        "increased": "har ökat",
        "decreased": "har minskat",
        "uncertain": "ingen säker förändring",
    }
    en = {
        "increased": "has increased",
        "decreased": "has decreased",
        "uncertain": "no certain change",
    }
    return (en if lang == "en" else sv)[v]


def _sum_up(frame: pd.DataFrame, kind: str, by: list[str]) -> pd.DataFrame:
    """Sum RegSO rows by ``by`` (strict: a missing part makes the sum missing)."""
    f = frame.copy()
    if kind == "mean":
        f["num"] = f["value"] * f["den"]
    cols = ["num", "den"] if kind != "count" else ["value"]
    g = f.groupby(by, sort=True)
    total = g[cols].sum(min_count=1)
    missing = f[cols].isna().join(f[by]).groupby(by, sort=True)[cols].sum()
    total = total.where(missing.reindex(total.index) == 0).reset_index()
    if kind == "share":
        total["value"] = 100.0 * total["num"] / total["den"]
    elif kind == "mean":
        total["value"] = total["num"] / total["den"]
    return total


def _values(
    con: duckdb.DuckDBPyConnection, ctx: ReportContext, years: list[int], comparison: list[str]
) -> tuple[pd.DataFrame, int]:
    names = series.area_names(con, "regso2020").set_index("code")["name"]
    knames = series.area_names(con, "kommun").set_index("code")["name"]
    sd = series.regso_stadsdel(con, ctx.kommun)
    sd_of = sd.drop_duplicates("regso").set_index("regso")["stadsdel"]
    sd_names = sd.drop_duplicates("stadsdel").set_index("stadsdel")["stadsdel_name"]
    frames = []
    shares_regso = []
    for iid in INDICATOR_IDS:
        ind = indicator(iid)
        try:
            v = indicator_values(con, ind, "regso", years)
        except DataNotFoundError:
            continue  # that series is not imported: its table is left out
        if v.empty:
            continue
        own = v[v["kommun"] == ctx.kommun].copy()
        own["stadsdel"] = own["area"].map(sd_of)
        parts = [
            own.assign(scope="regso", code=own["area"], name=own["area"].map(names)),
        ]
        if not sd.empty:
            s = _sum_up(own.dropna(subset=["stadsdel"]), ind.kind, ["stadsdel", "year"])
            parts.append(
                s.assign(scope="stadsdel", code=s["stadsdel"], name=s["stadsdel"].map(sd_names))
            )
        k = _sum_up(v[v["kommun"].isin([ctx.kommun, *comparison])], ind.kind, ["kommun", "year"])
        parts.append(k.assign(scope="kommun", code=k["kommun"], name=k["kommun"].map(knames)))
        c = _sum_up(v[v["kommun"].isin(comparison)].assign(g="comparison"), ind.kind, ["g", "year"])
        parts.append(
            c.assign(
                scope="comparison",
                code="comparison",
                name=ctx.t("Jämförelsekommunerna", "Comparison municipalities"),
            )
        )
        r = _sum_up(v.assign(g="00"), ind.kind, ["g", "year"])
        parts.append(r.assign(scope="riket", code="00", name=ctx.t("Riket", "Sweden")))
        for p in parts:
            for col in ("num", "den", "stadsdel"):
                if col not in p.columns:
                    p[col] = np.nan
        out = pd.concat(parts, ignore_index=True).assign(indicator=iid, kind=ind.kind)
        frames.append(out)
        if ind.kind == "share":
            shares_regso.append(
                out[out["scope"] == "regso"][["code", "year", "num", "den", "value"]].assign(
                    indicator=iid
                )
            )
    if not frames:
        raise DataNotFoundError("no RegSO series in the database (e.g. SCB TAB6572)")
    values = pd.concat(frames, ignore_index=True)
    hidden_n = 0
    # suppression of the kommun's RegSO shares (primary + secondary within the kommun), and
    # of a stadsdel whose RegSO has a hidden share (it would give the hidden one back)
    for iid in {s["indicator"].iloc[0] for s in shares_regso}:
        rs = values[(values["scope"] == "regso") & (values["indicator"] == iid)].copy()
        frame = pd.DataFrame(
            {"area_code": rs["code"], "year": rs["year"], "kommun": ctx.kommun,
             "s": rs["value"], "s_num": rs["num"], "s_den": rs["den"]},
            index=rs.index,
        )  # fmt: skip
        pub, counts = publishable_shares(frame, ["s"], ctx.threshold, groups=["kommun"], decimals=1)
        hidden_n += counts["primary"] + counts["secondary"]
        hidden = pub["s"].isna() & frame["s"].notna()
        values.loc[rs.index, "value"] = pub["s"]
        for code, year in zip(rs.loc[hidden, "code"], rs.loc[hidden, "year"], strict=True):
            sdc = sd_of.get(code)
            if sdc is not None:
                m = (
                    (values.scope == "stadsdel")
                    & (values.code == sdc)
                    & (values.year == year)
                    & (values.indicator == iid)
                )
                values.loc[m, "value"] = np.nan
    return values[
        ["scope", "code", "name", "year", "indicator", "kind", "value", "stadsdel"]
    ], hidden_n


def _segregation(
    con: duckdb.DuckDBPyConnection,
    ctx: ReportContext,
    years: list[int],
    comparison: list[str],
    values: pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    import grannskap.measures.segregation as seg
    from grannskap.measures.segregation.change import index_change

    gs = group_set("birth_region")
    counts = group_counts(con, gs, "regso", years)
    knames = series.area_names(con, "kommun").set_index("code")["name"]
    hidden = values[
        (values.scope == "regso") & (values.indicator == "utrikes_fodda") & values["value"].isna()
    ]
    hidden_keys = set(zip(hidden["code"], hidden["year"], strict=True))
    by_kommun = {str(k): g for k, g in counts.groupby("kommun", sort=False)}
    empty = counts.iloc[:0]
    own_name = str(knames.get(ctx.kommun, ctx.kommun))
    scopes: list[tuple[str, str, str, pd.DataFrame]] = [
        ("kommun", ctx.kommun, own_name, by_kommun.get(ctx.kommun, empty))
    ]
    scopes += [
        ("comparison", k, str(knames.get(k, k)), by_kommun.get(k, empty)) for k in comparison
    ]
    scopes.append(("riket", "00", ctx.t("Riket", "Sweden"), counts))
    cols = gs.group_names
    rows, changes = [], []
    first, last = years[0], years[-1]
    for scope, code, name, sub in scopes:
        tables: dict[int, pd.DataFrame] = {}
        by_year = {int(y): g for y, g in sub.groupby("year", sort=False)}
        for y in years:
            t = by_year.get(y, empty).dropna(subset=cols).set_index("area")[cols]
            if len(t) < 2:
                continue
            flags = np.array([(a, y) in hidden_keys for a in t.index])
            pub = pd.DataFrame(
                publishable_index_inputs(t.to_numpy(float), ctx.threshold, hidden=flags),
                index=t.index, columns=cols,
            )  # fmt: skip
            tables[y] = pub
            # comparison kommuner: D only (their figure and change); intervals for the kommun
            for idx in SEG_INDICES if scope != "comparison" else ("dissimilarity",):
                stat = float(seg.compute_index(idx, pub.to_numpy()).statistic)
                lo: float | None = None
                hi: float | None = None
                bc: float | None = None
                if scope == "kommun" and idx != "isolation":
                    boot = seg.bootstrap_ci(
                        pub.round().astype("int64"), idx, n_boot=200, level=0.95, seed=SEED
                    )
                    # the interval is for the bias-corrected value (interval policy): print both
                    lo, hi, bc = boot.ci_low, boot.ci_high, float(boot.interval_estimate)
                rows.append({"scope": scope, "code": code, "name": name, "year": y, "index": idx,
                             "statistic": stat, "corrected": bc, "ci_low": lo, "ci_high": hi,
                             "n_areas": len(pub)})  # fmt: skip
        if len(years) < 2 or first not in tables or last not in tables:
            continue
        a, b = tables[first], tables[last]
        common = a.index.intersection(b.index)
        a, b = a.loc[common].round().astype("int64"), b.loc[common].round().astype("int64")
        # all of Sweden: 3,363 RegSO, where each draw costs most and the interval is narrow
        n_boot, n_perm = {"riket": (100, 40), "comparison": (200, 200)}.get(scope, (400, 400))
        for idx in SEG_INDICES if scope != "comparison" else ("dissimilarity",):
            r = index_change(a, b, idx, n_boot=n_boot, n_perm=n_perm, seed=SEED, ci=0.95)
            changes.append(
                {"scope": scope, "code": code, "name": name, "index": idx, "year_from": first,
                 "year_to": last, "estimate_a": r.estimate_a, "estimate_b": r.estimate_b,
                 "difference": r.difference, "difference_bc": r.difference_bias_corrected,
                 "ci_low": r.ci_low, "ci_high": r.ci_high, "p_value": r.p_value,
                 "verdict": verdict(r.ci_low, r.ci_high, r.p_value), "n_areas": len(common)}
            )  # fmt: skip
    return pd.DataFrame(rows), pd.DataFrame(changes)


def history(ctx: ReportContext) -> History:
    """The history numbers of ``ctx.kommun`` (cached on the context)."""

    def build() -> History:
        from grannskap.report.sections import _common

        years = history_years(ctx.con)
        if not years:
            raise DataNotFoundError(
                "the database holds no RegSO series over several years (SCB TAB6572, TAB6258, "
                "Tab2InkDesoN as PxWeb CSV: grannskap import FILE, or grannskap init --demo)"
            )
        comparison = [str(k) for k in _common.comparison(ctx)["kommun"]]
        values, hidden = _values(ctx.con, ctx, years, comparison)
        seg_rows, change = _segregation(ctx.con, ctx, years, comparison, values)
        return History(years, values, seg_rows, change, comparison, hidden)

    result: History = ctx.cached("history", build)
    return result
