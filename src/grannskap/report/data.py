"""Read the numbers the report and the dashboard show, from the database (one place for both).

Key indicators are *shares computed from counts* at DeSO level and summed to any level
(RegSO, stadsdel, kommun, the comparison group, Sweden), so that every level uses the same
definition. Small counts are suppressed with :mod:`grannskap.privacy`.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from grannskap.errors import DataNotFoundError
from grannskap.privacy import DEFAULT_THRESHOLD, check_threshold, secondary_suppress, suppress_frame
from grannskap.store import report_queries as q

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "KeyIndicator",
    "KEY_INDICATORS",
    "OMRADESTYP_LABELS",
    "deso_counts",
    "shares_by",
    "stadsdel_crosswalk",
    "area_shares",
    "area_population",
    "suppression_counts",
    "kommun_name",
    "check_kommun",
    "comparable_kommuner",
    "key_indicator_table",
    "regso_table",
    "omradestyp",
    "latest_year",
    "provenance_table",
]


@dataclass(frozen=True)
class KeyIndicator:
    """A share (percent) defined as sum(numerator) / sum(denominator) over DeSO.

    ``numerator``/``denominator`` are ``(indicator_id, breakdown)`` pairs that are summed;
    ``weighted_percent`` marks SCB percentages that are turned back into counts by
    multiplying with the denominator before summing.
    """

    key: str
    name_sv: str
    name_en: str
    numerator: tuple[tuple[str, str], ...]
    denominator: tuple[tuple[str, str], ...]
    population_sv: str
    population_en: str
    source_table: str
    higher_is_better: bool | None
    malomrade_id: str | None  # our suggested link; the effektmål wording is not known
    weighted_percent: bool = False

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_sv

    def population(self, lang: str) -> str:
        return self.population_en if lang == "en" else self.population_sv


_MO = "scb.000005MO"
_MO_LEVELS = (
    "utbildningsniva=förgymnasial utbildning",
    "utbildningsniva=gymnasial utbildning",
    "utbildningsniva=eftergymnasial utbildning, mindre än 3 år",
    "utbildningsniva=eftergymnasial utbildning, 3 år eller mer",
    "utbildningsniva=uppgift om utbildningsnivå saknas",
)
_OC = "scb.000006OC"
_OC_FORMS = ("hyresrätt", "bostadsrätt", "äganderätt", "uppgift saknas")
_AGE = "alder=16-64 år"

KEY_INDICATORS: tuple[KeyIndicator, ...] = (
    KeyIndicator(
        "utlandsk_bakgrund",
        "Utländsk bakgrund",
        "Foreign background",
        (("scb.000005FE", "utlandsk_svensk_bakgrund=utländsk bakgrund"),),
        (("scb.000005FE", ""),),
        "andel av befolkningen",
        "share of the population",
        "000005FE",
        None,
        None,
    ),
    KeyIndicator(
        "forgymnasial",
        "Förgymnasial utbildning, 25–64 år",
        "Compulsory education only, 25–64",
        ((_MO, "utbildningsniva=förgymnasial utbildning"),),
        tuple((_MO, b) for b in _MO_LEVELS),
        "andel av befolkningen 25–64 år",
        "share of the population aged 25–64",
        "000005MO",
        False,
        "M3",
    ),
    KeyIndicator(
        "arbetslosa",
        "Arbetslösa, 16–64 år",
        "Unemployed, 16–64",
        (("scb.000007A8.antal_arbetslosa", _AGE),),
        (("scb.000007A8.antal_sysselsatta_och_arbetslosa_arbetskraften", _AGE),),
        "andel av arbetskraften 16–64 år",
        "share of the labour force aged 16–64",
        "000007A8",
        False,
        "M3",
    ),
    KeyIndicator(
        "sysselsatta",
        "Sysselsatta, 16–64 år",
        "Employed, 16–64",
        (("scb.000007A8.antal_sysselsatta", _AGE),),
        (("scb.000007A8.antal_totalt", _AGE),),
        "andel av befolkningen 16–64 år",
        "share of the population aged 16–64",
        "000007A8",
        True,
        "M3",
    ),
    KeyIndicator(
        "lag_ekonomisk_standard",
        "Låg ekonomisk standard",
        "Low economic standard",
        (("scb.000006TA.lag_ekonomisk_standard_procent", ""),),
        (("scb.000006TA.antal_personer_totalt", ""),),
        "andel av befolkningen",
        "share of the population",
        "000006TA",
        False,
        "M1",
        weighted_percent=True,
    ),
    KeyIndicator(
        "hyresratt",
        "Hyresrätter",
        "Rental dwellings",
        ((_OC, "upplatelseform=hyresrätt"),),
        tuple((_OC, f"upplatelseform={f}") for f in _OC_FORMS),
        "andel av lägenheterna",
        "share of dwellings",
        "000006OC",
        None,
        "M2",
    ),
)

OMRADESTYP_LABELS: dict[str, dict[int, str]] = {
    "sv": {
        1: "Stora socioekonomiska utmaningar",
        2: "Socioekonomiska utmaningar",
        3: "Socioekonomiskt blandade områden",
        4: "Goda socioekonomiska förutsättningar",
        5: "Mycket goda socioekonomiska förutsättningar",
    },
    "en": {
        1: "Major socio-economic challenges",
        2: "Socio-economic challenges",
        3: "Socio-economically mixed",
        4: "Good socio-economic conditions",
        5: "Very good socio-economic conditions",
    },
}


_LATEST_YEAR_IDS = ("scb.000005FE", "scb.000005MO", "scb.000007A8.antal_arbetslosa")


def latest_year(con: duckdb.DuckDBPyConnection, indicator_prefix: str = "scb.0000") -> int:
    """The latest statistics year in the database (for DeSO-level SCB tables)."""
    year = q.latest_deso_year(con, _LATEST_YEAR_IDS)
    if year is None:
        raise DataNotFoundError(
            "the database holds no DeSO statistics (expected SCB tables such as 000005FE); "
            "run `grannskap init --demo` or import SCB exports first"
        )
    return year


def kommun_name(con: duckdb.DuckDBPyConnection, kommun: str) -> str:
    return q.kommun_name(con, kommun) or kommun


def check_kommun(con: duckdb.DuckDBPyConnection, kommun: str) -> str:
    """Validate a kommun code against the database; returns it or raises DataNotFoundError."""
    text = str(kommun).strip()
    if not q.kommun_exists(con, text):
        if q.kommun_count(con) == 0:
            raise DataNotFoundError(
                "the database is empty (no municipalities); build the demo with "
                "`grannskap init --demo` or import SCB exports with `grannskap import`"
            )
        raise DataNotFoundError(
            f"kommun {kommun!r} is not in the database; expected a four-digit municipality code "
            "such as '1490' (Borås)"
        )
    return text


def _key_ids() -> list[str]:
    pairs = {p for k in KEY_INDICATORS for p in (*k.numerator, *k.denominator)}
    return sorted({p[0] for p in pairs})


def _read_counts(con: duckdb.DuckDBPyConnection, years: list[int] | None) -> pd.DataFrame:
    return q.deso_observations(con, _key_ids(), years)


def _wide_counts(obs: pd.DataFrame, year: int) -> pd.DataFrame:
    obs = obs.drop(columns="year")
    obs["col"] = obs["indicator_id"] + "|" + obs["breakdown"]
    wide = obs.pivot_table(
        index=["deso", "regso", "kommun"], columns="col", values="value", aggfunc="sum"
    )
    frames = []
    for k in KEY_INDICATORS:
        cols_n = [f"{i}|{b}" for i, b in k.numerator]
        cols_d = [f"{i}|{b}" for i, b in k.denominator]
        if not all(c in wide.columns for c in cols_n + cols_d):
            continue
        den = wide[cols_d].sum(axis=1, min_count=1)
        num = wide[cols_n].sum(axis=1, min_count=1)
        if k.weighted_percent:
            num = num * den / 100.0
        frames.append(pd.DataFrame({"indicator": k.key, "num": num, "den": den}).reset_index())
    if not frames:
        raise DataNotFoundError(f"no key indicator can be computed for year {year}")
    return pd.concat(frames, ignore_index=True)


def deso_counts(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """Numerator and denominator of every key indicator per DeSO.

    Columns: ``deso, regso, kommun, indicator, num, den``.
    """
    return _wide_counts(_read_counts(con, [year]), year)


def shares_by(counts: pd.DataFrame, by: str, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Sum ``num``/``den`` by column ``by`` and compute the share in percent (suppressed if small)."""
    g = counts.groupby([by, "indicator"], as_index=False)[["num", "den"]].sum(min_count=1)
    g = suppress_frame(g, "num", "den", "share", threshold)
    g["percent"] = g["share"] * 100.0
    return g


def stadsdel_crosswalk(con: duckdb.DuckDBPyConnection, kommun: str) -> pd.DataFrame:
    """RegSO → user-defined stadsdel of the kommun (columns ``regso, stadsdel, stadsdel_name``)."""
    return q.stadsdel_crosswalk(con, kommun)


def _hierarchy(
    counts: pd.DataFrame, kommun: str, crosswalk: pd.DataFrame | None
) -> tuple[pd.DataFrame, list[str | tuple[str, str]]]:
    """The kommun's DeSO rows with a ``stadsdel`` column, and the published additive edges:
    DeSO → RegSO → kommun, and RegSO → stadsdel → kommun when there are stadsdelar."""
    own = counts[counts["kommun"] == kommun]
    if crosswalk is None or crosswalk.empty:
        return own, ["regso", "kommun"]
    cw = crosswalk[["regso", "stadsdel"]].drop_duplicates()
    own = own.merge(cw, on="regso", how="left")
    return own, ["regso", "stadsdel", "kommun", ("regso", "kommun")]


_AREA_SHARE_COLUMNS = (
    "level",
    "code",
    "indicator",
    "num",
    "den",
    "share",
    "percent",
    "suppressed",
    "suppression",
)


_MEMO: OrderedDict[tuple[object, ...], pd.DataFrame] = OrderedDict()
_MEMO_SIZE = 64


def _content_key(frame: pd.DataFrame | None) -> str | None:
    """A digest of a frame's content (values, index, column names and dtypes)."""
    if frame is None:
        return None
    h = hashlib.sha256(repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode())
    h.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return h.hexdigest()


def _memoised(key: tuple[object, ...], compute: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``compute()`` once per ``key`` (an LRU of the last 64); a copy each time, so that a
    caller's changes do not reach the next one. Suppression is the costly part of a report:
    the same shares are asked for by several sections and by the trend table of every year."""
    hit = _MEMO.get(key)
    if hit is None:
        hit = compute()
        _MEMO[key] = hit
        if len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    else:
        _MEMO.move_to_end(key)
    return hit.copy()


def area_shares(
    counts: pd.DataFrame,
    kommun: str,
    crosswalk: pd.DataFrame | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Key shares of every area of ``kommun`` at every published level, with primary AND
    secondary suppression.

    The outputs show a kommun's shares per DeSO, RegSO, stadsdel and for the kommun together,
    and each level is the sum of the level below, so a hidden DeSO could be recovered as
    RegSO minus its other DeSO. Per indicator, numerator, denominator and complement are
    treated as additive cells; :func:`grannskap.privacy.secondary_suppress` adds complementary
    suppressions until no published total has exactly one hidden part (and the hidden parts
    together are not a small count).

    Returns
    -------
    pandas.DataFrame
        ``level`` (``deso``/``regso``/``stadsdel``/``kommun``), ``code``, ``indicator``,
        ``num``, ``den`` (blank where suppressed), ``share`` (0–1), ``percent``,
        ``suppressed``, ``suppression`` (``"primary"``/``"secondary"``/None).
    """
    threshold = check_threshold(threshold)
    key = ("area_shares", _content_key(counts), kommun, _content_key(crosswalk), threshold)
    return _memoised(key, lambda: _area_shares(counts, kommun, crosswalk, threshold))


def _area_shares(
    counts: pd.DataFrame, kommun: str, crosswalk: pd.DataFrame | None, threshold: int
) -> pd.DataFrame:
    own, groups = _hierarchy(counts, kommun, crosswalk)
    frames = []
    for key, sub in own.groupby("indicator", sort=False):
        sub = sub.drop_duplicates(subset=["deso"]).assign(rest=lambda f: f["den"] - f["num"])
        res = secondary_suppress(
            sub, ["den", "num", "rest"], groups, code_col="deso", threshold=threshold
        )
        frames.append(res.assign(indicator=key))
    if not frames:
        return pd.DataFrame(columns=list(_AREA_SHARE_COLUMNS))
    out = pd.concat(frames, ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(out["den"] > 0, out["num"] / out["den"], np.nan)
    out["share"] = np.where(out["suppressed"], np.nan, share)
    out["percent"] = out["share"] * 100.0
    out["num"] = out["num"].where(~out["suppressed"])
    out["den"] = out["den"].where(~out["suppressed"])
    return out[list(_AREA_SHARE_COLUMNS)]


def area_population(
    counts: pd.DataFrame,
    kommun: str,
    crosswalk: pd.DataFrame | None = None,
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Population (SCB 000005FE total) of every area of ``kommun`` at every published level,
    with primary (fewer than ``threshold``) and secondary suppression as in
    :func:`area_shares`. Columns ``level, code, population, suppressed, suppression``."""
    threshold = check_threshold(threshold)
    key = ("area_population", _content_key(counts), kommun, _content_key(crosswalk), threshold)
    return _memoised(key, lambda: _area_population(counts, kommun, crosswalk, threshold))


def _area_population(
    counts: pd.DataFrame, kommun: str, crosswalk: pd.DataFrame | None, threshold: int
) -> pd.DataFrame:
    own, groups = _hierarchy(counts, kommun, crosswalk)
    sub = own[own["indicator"] == "utlandsk_bakgrund"].drop_duplicates(subset=["deso"])
    if sub.empty:
        raise DataNotFoundError(
            f"no population per DeSO for kommun {kommun} in the database; expected SCB's export "
            "000005FE (utländsk/svensk bakgrund), e.g. from `grannskap init --demo`"
        )
    res = secondary_suppress(sub, ["den"], groups, code_col="deso", threshold=threshold)
    res["population"] = res["den"].where(~res["suppressed"])
    return res[["level", "code", "population", "suppressed", "suppression"]]


def suppression_counts(
    shares: pd.DataFrame, population: pd.DataFrame | None = None
) -> dict[str, int]:
    """How many published cells (area × indicator, and area populations) each kind of
    suppression hid: keys ``cells``, ``primary``, ``secondary``."""
    parts = [shares] + ([population] if population is not None else [])
    s = pd.concat([p[["suppression"]] for p in parts], ignore_index=True)["suppression"]
    return {
        "cells": int(len(s)),
        "primary": int((s == "primary").sum()),
        "secondary": int((s == "secondary").sum()),
    }


def comparable_kommuner(
    con: duckdb.DuckDBPyConnection,
    kommun: str,
    year: int,
    k: int = 10,
    compare: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The ``k`` municipalities most alike ``kommun`` (``kommun, name, population, distance``),
    or the group ``compare`` given by the user (``grannskap report --compare``).

    Chosen by :func:`grannskap.measures.peers.choose_peers` on population, share foreign-born,
    share rental dwellings, mean wage income and the share of RegSO with områdestyp 1–2, each
    of ``year`` and read through the indicator spine; ``attrs["choice"]`` holds the
    :class:`~grannskap.measures.peers.PeerChoice` (its ``method(lang)`` is the methods text).
    """
    from grannskap.measures.peers import choose_peers, override_peers

    features = peer_features(con, year)
    if compare:
        choice = override_peers(features, kommun, compare, year=year)
    else:
        choice = choose_peers(features, kommun, k, year=year)
    names = q.kommun_names(con)
    # the population is shown whether or not the chooser could use it (too few kommuner
    # with the year, e.g. after fetching one kommun's series)
    pop = features[["kommun", "folkmangd"]].rename(columns={"folkmangd": "population"})
    out = (
        choice.peers.drop(columns=["folkmangd"], errors="ignore")
        .merge(names, on="kommun", how="left")
        .merge(pop, on="kommun", how="left")
    )
    out = out[["kommun", "name", "population", "distance"]].reset_index(drop=True)
    out.attrs["choice"] = choice
    return out


def peer_features(con: duckdb.DuckDBPyConnection, year: int) -> pd.DataFrame:
    """Per municipality the indicators :mod:`grannskap.measures.peers` compares on, ``year``
    (a column is NaN where its data are missing; the chooser then leaves it out)."""
    from grannskap.indicators import indicator, indicator_values
    from grannskap.measures.peers import PEER_FEATURES

    cols: dict[str, pd.Series] = {}
    for name in PEER_FEATURES:
        if name == "typ_1_2":
            continue
        try:
            v = indicator_values(con, indicator(name), "kommun", [year])
        except DataNotFoundError:
            continue
        cols[name] = v.set_index("kommun")["value"]
    if "folkmangd" not in cols:
        raise DataNotFoundError(
            f"no population per municipality for {year} in the database; expected SCB's series "
            "(grannskap init --demo or grannskap import FILE)"
        )
    try:
        from grannskap.errors import GrannskapError
        from grannskap.measures.socioeconomic import classify_from_store

        types = classify_from_store(con, [year], level="regso", profile="auto").frame
        t = types.dropna(subset=["omradestyp"])
        low = t["omradestyp"].astype(int).isin([1, 2]).astype(float) * 100.0
        cols["typ_1_2"] = low.groupby(t["area_code"].str.slice(0, 4)).mean()
    except GrannskapError:
        pass  # no index inputs for the year: the chooser names the indicator as left out
    frame = pd.DataFrame(cols)
    frame.index.name = "kommun"
    if "typ_1_2" not in frame:
        frame["typ_1_2"] = np.nan
    return frame.reset_index()


def key_indicator_table(
    counts: pd.DataFrame,
    kommun: str,
    comparison: list[str],
    threshold: int,
    lang: str,
    crosswalk: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Percent per key indicator for the kommun, the comparison group and Sweden.

    The kommun's value comes from :func:`area_shares` (with ``crosswalk``, the stadsdelar the
    outputs publish beside it), so that it is hidden whenever secondary suppression hides it.
    """
    c = counts.copy()
    sh = area_shares(c, kommun, crosswalk, threshold)
    own = sh[sh["level"] == "kommun"].set_index("indicator")["percent"]
    grp = c[c["kommun"].isin(comparison)].assign(group="comparison")
    comp = shares_by(grp, "group", threshold).set_index("indicator")["percent"]
    nat = shares_by(c.assign(group="riket"), "group", threshold).set_index("indicator")["percent"]
    rows = []
    for k in KEY_INDICATORS:
        if k.key not in own.index and k.key not in nat.index:
            continue
        rows.append(
            {
                "indicator": k.key,
                "name": k.name(lang),
                "population": k.population(lang),
                "kommun": own.get(k.key, np.nan),
                "comparison": comp.get(k.key, np.nan),
                "riket": nat.get(k.key, np.nan),
                "source": f"SCB {k.source_table}",
            }
        )
    return pd.DataFrame(rows)


def omradestyp(con: duckdb.DuckDBPyConnection, kommun: str) -> pd.DataFrame:
    """SCB's official områdestyp per RegSO and year (long: ``regso, year, typ``)."""
    return q.official_omradestyp(con, kommun)


def regso_table(
    con: duckdb.DuckDBPyConnection, counts: pd.DataFrame, kommun: str, threshold: int
) -> pd.DataFrame:
    """One row per RegSO of the kommun: name, stadsdel, population, key shares, områdestyp.

    Shares and populations are suppressed primarily and secondarily (:func:`area_shares`).
    """
    areas = q.regso_areas(con, kommun)
    cw = stadsdel_crosswalk(con, kommun)
    s = area_shares(counts, kommun, cw, threshold)
    s = s[s["level"] == "regso"]
    wide = s.pivot(index="code", columns="indicator", values="percent")
    pop = area_population(counts, kommun, cw, threshold)
    pop = pop[pop["level"] == "regso"].set_index("code")["population"]
    out = areas.merge(wide, left_on="regso", right_index=True, how="left")
    out["population"] = out["regso"].map(pop)
    types = omradestyp(con, kommun)
    for year, g in types.groupby("year"):
        out[f"typ_{year}"] = out["regso"].map(g.set_index("regso")["typ"])
    return out


def provenance_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every imported file (:func:`grannskap.store.report_queries.provenance`)."""
    return q.provenance(con)
