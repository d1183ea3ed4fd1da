"""Read indicators and group counts through the catalogue, per area, level and year.

Every reader here goes through :mod:`grannskap.store.series` (no SQL in this package) and
through the catalogue's bindings: for each year the first binding that has data is used,
bindings in the level's own area system before finer ones that are summed up (a RegSO value
for 2022 comes from the RegSO series, not from the DeSO export summed, when both exist).
Sums are strict: an area whose part is missing or suppressed makes the sum missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from grannskap.errors import ConfigError, DataNotFoundError
from grannskap.indicators.catalogue import Binding, GroupSet, Indicator
from grannskap.store import series

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "Level",
    "LEVELS",
    "LEVEL_NAMES",
    "group_counts",
    "indicator_values",
    "available_years",
    "parse_years",
]

Level = Literal["deso", "regso", "stadsdel", "kommun", "riket"]
LEVELS: tuple[str, ...] = ("deso", "regso", "stadsdel", "kommun", "riket")
LEVEL_NAMES: dict[str, dict[str, str]] = {
    "sv": {
        "deso": "DeSO (indelning 2018)",
        "regso": "RegSO (indelning 2020)",
        "stadsdel": "stadsdel",
        "kommun": "kommun",
        "riket": "riket",
    },
    "en": {
        "deso": "DeSO (2018 division)",
        "regso": "RegSO (2020 division)",
        "stadsdel": "city district",
        "kommun": "municipality",
        "riket": "Sweden",
    },
}
# the level each area system is; which levels it can be summed up to
_SYSTEM_LEVEL = {"deso2018": "deso", "regso2020": "regso"}
_REACHES = {
    "deso2018": ("deso", "regso", "stadsdel", "kommun", "riket"),
    "regso2020": ("regso", "stadsdel", "kommun", "riket"),
}


def _check_level(level: str) -> None:
    if level not in LEVELS:
        raise ConfigError(f"`--level` was {level!r} but is expected to be one of {list(LEVELS)}")


def _usable(bindings: Sequence[Binding], level: str) -> list[Binding]:
    ok = [b for b in bindings if level in _REACHES.get(b.area_system, ())]
    return sorted(ok, key=lambda b: _SYSTEM_LEVEL.get(b.area_system) != level)


def _parts(
    con: duckdb.DuckDBPyConnection,
    binding: Binding,
    years: Sequence[int] | None,
    kommuner: Sequence[str] | None,
) -> pd.DataFrame:
    """Signed sums of each part's terms per area and year (columns area, kommun, year, parts)."""
    parts = [(n, [(t.indicator_id, t.breakdown, t.sign) for t in ts]) for n, ts in binding.parts]
    out = series.part_sums(con, binding.area_system, parts, years, kommuner)
    for name, _ in binding.parts:
        out[name] = out[name].astype("float64")
    return out


def _target(
    con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, system: str, level: str
) -> pd.Series:
    """The code of the ``level`` area each row's area lies in (NaN: in none)."""
    if _SYSTEM_LEVEL.get(system) == level:
        return frame["area"]
    if level == "kommun":
        return frame["kommun"]
    if level == "riket":
        return pd.Series("00", index=frame.index)
    regso = frame["area"]
    if system == "deso2018":
        parents = series.area_parents(con, "deso2018").set_index("code")["parent_code"]
        regso = frame["area"].map(parents)
    if level == "regso":
        return regso
    cw = series.regso_stadsdel(con).drop_duplicates("regso").set_index("regso")["stadsdel"]
    return regso.map(cw)


def _strict_sum(frame: pd.DataFrame, keys: list[str], cols: list[str]) -> pd.DataFrame:
    g = frame.groupby(keys, sort=True)
    total = g[cols].sum(min_count=1)
    flags = frame[cols].isna().join(frame[keys])
    n_missing = flags.groupby(keys, sort=True)[cols].sum()
    return total.where(n_missing.reindex(total.index) == 0).reset_index()


def _read(
    con: duckdb.DuckDBPyConnection,
    bindings: Sequence[Binding],
    level: str,
    years: Sequence[int] | None,
    kommuner: Sequence[str] | None,
    what: str,
    weighted: tuple[str, str] | None = None,
) -> pd.DataFrame:
    _check_level(level)
    usable = _usable(bindings, level)
    if not usable:
        raise DataNotFoundError(f"{what} is not defined at level {level!r}")
    frames = []
    covered: set[int] = set()
    for b in usable:
        first = b.terms()[0]
        todo = [
            y
            for y in series.series_years(con, first.indicator_id, b.area_system)
            if y not in covered and (not years or y in years)
        ]
        if not todo:
            continue
        part = _parts(con, b, todo, None if level in ("riket",) else kommuner)
        if part.empty:
            continue
        cols = [n for n, _ in b.parts]
        if weighted is not None:
            value, weight = weighted
            part[value] = part[value] * part[weight]
        part["code"] = _target(con, part, b.area_system, level)
        part = part.dropna(subset=["code"])
        if level == "kommun":
            part["kommun"] = part["code"]
        elif level == "riket":
            part["kommun"] = ""
        agg = _strict_sum(part, ["code", "kommun", "year"], cols)
        if weighted is not None:
            agg[weighted[0]] = agg[weighted[0]] / agg[weighted[1]]
        agg["source"] = b.table
        agg["area_system"] = b.area_system
        covered |= set(int(y) for y in agg["year"].unique())
        frames.append(agg)
    if not frames:
        yrs = f" for {', '.join(map(str, years))}" if years else ""
        raise DataNotFoundError(
            f"no {what} at level {level}{yrs} in the database; expected one of the tables "
            f"{sorted({b.table for b in usable})} (grannskap import FILE or grannskap init --demo)"
        )
    out = pd.concat(frames, ignore_index=True).rename(columns={"code": "area"})
    out["year"] = out["year"].astype("int64")
    return out.sort_values(["year", "area"], kind="stable").reset_index(drop=True)


def group_counts(
    con: duckdb.DuckDBPyConnection,
    gs: GroupSet,
    level: str,
    years: Sequence[int] | None = None,
    kommuner: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Counts per (area, year, group) of a group set at ``level``.

    Returns
    -------
    pandas.DataFrame
        ``area, kommun, year, <one column per group, focal first>, source, area_system``
        (``source`` = the SCB table the year was read from, ``area_system`` = the system it
        was stored in before summing up). A count is NaN when a part was missing.
    """
    out = _read(con, gs.bindings, level, years, _listed(kommuner), gs.name)
    if kommuner and level != "riket":
        out = out[out["kommun"].isin(list(kommuner))]
    return out[["area", "kommun", "year", *gs.group_names, "source", "area_system"]]


def _listed(kommuner: Sequence[str] | None) -> list[str] | None:
    return list(kommuner) if kommuner else None


def indicator_values(
    con: duckdb.DuckDBPyConnection,
    ind: Indicator,
    level: str,
    years: Sequence[int] | None = None,
    kommuner: Sequence[str] | None = None,
) -> pd.DataFrame:
    """An indicator per area and year at ``level``: ``area, kommun, year, num, den, value,
    source, area_system`` (``value`` in percent for shares; num/den NaN for counts/means)."""
    if ind.kind == "share":
        out = _read(con, ind.bindings, level, years, _listed(kommuner), ind.id)
        with np.errstate(divide="ignore", invalid="ignore"):
            out["value"] = np.where(out["den"] > 0, 100.0 * out["num"] / out["den"], np.nan)
    elif ind.kind == "mean":
        out = _read(
            con,
            ind.bindings,
            level,
            years,
            _listed(kommuner),
            ind.id,
            weighted=("value", "weight"),
        )
        out["num"] = np.nan
        out["den"] = out.pop("weight")
    else:
        out = _read(con, ind.bindings, level, years, _listed(kommuner), ind.id)
        out["num"], out["den"] = np.nan, np.nan
    if kommuner and level != "riket":
        out = out[out["kommun"].isin(list(kommuner))]
    return out[["area", "kommun", "year", "num", "den", "value", "source", "area_system"]]


def available_years(
    con: duckdb.DuckDBPyConnection, bindings: Sequence[Binding], level: str
) -> list[int]:
    """The years for which some binding usable at ``level`` has data."""
    years: set[int] = set()
    for b in _usable(bindings, level):
        first = b.terms()[0]
        years |= set(series.series_years(con, first.indicator_id, b.area_system))
    return sorted(years)


def parse_years(values: Sequence[str]) -> list[int]:
    """``["2020", "2023"]`` or ``["2020-2023"]`` (ranges inclusive) → sorted unique years."""
    out: set[int] = set()
    for v in values:
        text = str(v).strip().replace("\u2013", "-")
        try:
            if "-" in text:
                a, b = (int(x) for x in text.split("-", 1))
                if b < a:
                    raise ValueError
                out |= set(range(a, b + 1))
            else:
                out.add(int(text))
        except ValueError:
            raise ConfigError(
                f"`--year` was {v!r} but is expected to be a year (2022) or a range (2020-2023)"
            ) from None
    return sorted(out)
