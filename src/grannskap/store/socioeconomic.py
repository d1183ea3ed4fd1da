"""The database edge of the socioeconomic index: typed reads of its inputs, and the thin
loaders that hand them as frames to the pure :mod:`grannskap.measures.socioeconomic.pipeline`.

SQL stays here (issue 13); :func:`classify_from_store` reads with these functions and computes
with :func:`~grannskap.measures.socioeconomic.pipeline.socioeconomic_types`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

from grannskap.errors import DataNotFoundError, Problem, ValidationError
from grannskap.measures.socioeconomic.classify import CutRule
from grannskap.measures.socioeconomic.index import finalize_components
from grannskap.measures.socioeconomic.pipeline import (
    Inputs,
    TypeResult,
    divisions_by_year,
    profile_terms,
    socioeconomic_types,
    stack_results,
)
from grannskap.measures.socioeconomic.profiles import Profile, Term, choose_profile

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "deso_divisions",
    "available_terms",
    "component_sums",
    "division_years",
    "deso_regso_key",
    "official_types",
    "latest_index_year",
    "deso_systems_by_year",
    "load_inputs",
    "load_official_types",
    "classify_from_store",
]

_REGSO_OF = {"deso2018": "regso2020", "deso2025": "regso2025"}


def _marks(values: Sequence[object]) -> str:
    return ",".join("?" * len(values))


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> pd.DataFrame:
    """Query to pandas through Arrow (about twice as fast as ``.df()`` for string keys)."""
    try:
        return con.sql(sql, params=params).to_arrow_table().to_pandas()
    except (TypeError, AttributeError):  # older DuckDB without params in ``sql``
        return con.execute(sql, params).df()


# --- typed reads ---------------------------------------------------------------------------


def deso_divisions(
    con: duckdb.DuckDBPyConnection, years: Sequence[int]
) -> list[tuple[int, list[str]]]:
    """``(year, area systems)`` for each of ``years`` with DeSO observations: the DeSO
    divisions (``deso2018`` / ``deso2025``, sorted) holding that year's data."""
    rows = con.execute(
        "SELECT year, list(DISTINCT area_system ORDER BY area_system) FROM observation "
        f"WHERE area_system IN ('deso2018', 'deso2025') AND year IN ({_marks(years)}) "
        "GROUP BY year",
        list(years),
    ).fetchall()
    return [(int(y), list(s)) for y, s in rows]


def available_terms(
    con: duckdb.DuckDBPyConnection, area_system: str, years: Sequence[int]
) -> list[Term]:
    """The distinct ``(indicator_id, breakdown)`` series observed on ``area_system`` in
    ``years``, as :class:`Term` (the input of ``choose_profile``)."""
    rows = con.execute(
        "SELECT DISTINCT indicator_id, breakdown FROM observation WHERE area_system = ? AND year IN "
        f"({_marks(years)})",
        [area_system, *years],
    ).fetchall()
    return [Term(a, b) for a, b in rows]


def component_sums(
    con: duckdb.DuckDBPyConnection,
    terms: pd.DataFrame,
    area_system: str,
    years: Sequence[int],
) -> pd.DataFrame:
    """Per-group sums of the profile's series, formed in DuckDB with the same semantics as
    ``build_components``: ``area_code, year, component, num, den, pct, base, n_present``.

    ``terms`` has ``indicator_id, breakdown, component, role`` (see ``profile_terms``).
    """
    con.register("_grannskap_terms", terms)
    try:
        return _fetch(
            con,
            "SELECT o.area_code, o.year, t.component, "
            "sum(CASE WHEN t.role = 'num' THEN o.value WHEN t.role = 'share' THEN o.numerator END) AS num, "
            "sum(CASE WHEN t.role = 'den' THEN o.value WHEN t.role = 'share' THEN o.denominator END) AS den, "
            "sum(CASE WHEN t.role = 'pct' THEN o.value END) AS pct, "
            "sum(CASE WHEN t.role = 'base' THEN o.value END) AS base, "
            "sum(CASE WHEN t.role = 'share' THEN CAST(o.numerator IS NOT NULL AND o.denominator IS NOT NULL AS INTEGER) "
            "ELSE CAST(o.value IS NOT NULL AS INTEGER) END) AS n_present "
            "FROM observation o JOIN _grannskap_terms t USING (indicator_id, breakdown) "
            f"WHERE o.area_system = ? AND o.year IN ({_marks(years)}) GROUP BY ALL",
            [area_system, *years],
        )
    finally:
        con.unregister("_grannskap_terms")


def division_years(con: duckdb.DuckDBPyConnection, area_system: str) -> list[int]:
    """Every year with an observation on ``area_system``, ascending."""
    rows = con.execute(
        "SELECT DISTINCT year FROM observation WHERE area_system = ? ORDER BY 1", [area_system]
    ).fetchall()
    return [r[0] for r in rows]


def deso_regso_key(
    con: duckdb.DuckDBPyConnection, from_system: str, to_system: str
) -> pd.DataFrame:
    """The stored key ``from_system`` -> ``to_system``: ``from_code, to_code``."""
    return con.execute(
        "SELECT from_code, to_code FROM crosswalk WHERE from_system = ? AND to_system = ?",
        [from_system, to_system],
    ).df()


def official_types(
    con: duckdb.DuckDBPyConnection,
    years: Sequence[int] | None = None,
    *,
    system: str | None = None,
) -> pd.DataFrame:
    """SCB's official types (indicator ``scb.omradestyp``): ``area_code, year, official``
    (only those on RegSO division ``system`` when given, only ``years`` when given)."""
    sql = "SELECT area_code, year, CAST(value AS BIGINT) AS official FROM observation WHERE indicator_id = 'scb.omradestyp'"
    params: list[object] = []
    if system:
        sql += " AND area_system = ?"
        params.append(system)
    if years:
        sql += f" AND year IN ({_marks(years)})"
        params += list(years)
    return con.execute(sql, params).df()


def latest_index_year(con: duckdb.DuckDBPyConnection) -> int | None:
    """The latest year with DeSO observations of the index's series (SCB's ``000007A8``
    tables or register ``v3`` aggregates); ``None`` when there are none."""
    found = con.execute(
        "SELECT max(year) FROM observation WHERE area_system IN ('deso2018', 'deso2025') "
        "AND (indicator_id LIKE 'scb.000007A8%' OR indicator_id LIKE 'register.v3%')"
    ).fetchone()
    return int(found[0]) if found and found[0] is not None else None


# --- loaders: frames for the pure pipeline ---------------------------------------------------


def deso_systems_by_year(con: duckdb.DuckDBPyConnection, years: list[int]) -> dict[str, list[int]]:
    """Which DeSO division (``deso2018`` / ``deso2025``) holds each year's data.

    A year with observations in both divisions is an error naming the year: the two divisions
    must not be mixed within one year's national cut. Years without DeSO data map to
    ``deso2018`` (and fail later with a clear "no data" error).
    """
    return divisions_by_year(deso_divisions(con, years), years)


def _level_systems(
    con: duckdb.DuckDBPyConnection, level: str, years: list[int]
) -> tuple[str, str | None]:
    if level not in ("deso", "regso"):
        raise DataNotFoundError(
            f"`level` was {level!r} but is expected to be one of ['deso', 'regso']"
        )
    systems = deso_systems_by_year(con, years)
    if len(systems) > 1:
        raise ValidationError(
            [
                Problem(
                    "observation",
                    f"the years span two DeSO divisions {dict(systems)}; load them separately "
                    "(classify_from_store does this per division)",
                )
            ]
        )
    from_system = next(iter(systems))
    return from_system, (_REGSO_OF[from_system] if level == "regso" else None)


def load_inputs(
    con: duckdb.DuckDBPyConnection,
    years: list[int],
    *,
    level: str = "regso",
    profile: str | Profile = "auto",
) -> Inputs:
    """Observations of the profile's series for ``years`` and the DeSO -> RegSO key.

    Raises :class:`DataNotFoundError` when a year has no data, and a :class:`ValidationError`
    naming the areas when DeSO codes of the data are not in the key (mixed code versions).
    """
    from_system, to_system = _level_systems(con, level, years)
    prof = choose_profile(available_terms(con, from_system, years), profile)
    grouped = component_sums(con, profile_terms(prof), from_system, years)
    found = set(grouped["year"].unique()) if not grouped.empty else set()
    absent = [y for y in years if y not in found]
    if absent:
        have = division_years(con, from_system)
        raise DataNotFoundError(
            f"no {from_system} data for profile {prof.name!r} in year(s) {absent}; years in the database: {have}"
        )
    cw = pd.Series(dtype="string")
    if to_system is not None:
        key = deso_regso_key(con, from_system, to_system)
        if key.empty:
            raise ValidationError(
                [
                    Problem(
                        "crosswalk",
                        f"no {from_system} -> {to_system} key in the database",
                        expected="SCB's key file",
                    )
                ]
            )
        cw = key.set_index("from_code")["to_code"]
    comps = finalize_components(grouped, prof, source=f"observation ({from_system})")
    return Inputs(
        components=comps,
        crosswalk=cw,
        profile=prof,
        from_system=from_system,
        to_system=to_system or from_system,
    )


def load_official_types(
    con: duckdb.DuckDBPyConnection, years: list[int] | None = None, *, system: str | None = None
) -> pd.DataFrame:
    """SCB's official types as ``area_code, year, official`` (see :func:`official_types`)."""
    return official_types(con, years, system=system)


def classify_from_store(
    con: duckdb.DuckDBPyConnection,
    years: list[int],
    *,
    level: str = "regso",
    profile: str | Profile = "auto",
    rule: CutRule | None = None,
    weights: dict[str, float] | None = None,
) -> TypeResult:
    """Read the inputs of ``years`` from the database and compute index and types.

    Years on DeSO 2018 and on DeSO 2025 are computed separately (each with its own key to
    RegSO 2020 / RegSO 2025) and stacked; ``frame`` then has an ``area_system`` column saying
    which division each row is on. Codes of the two divisions are never matched to each other.
    """
    results = []
    for _system, ys in deso_systems_by_year(con, sorted(set(years))).items():
        inp = load_inputs(con, ys, level=level, profile=profile)
        official = official_types(con, ys, system=inp.to_system) if level == "regso" else None
        res = socioeconomic_types(
            None,
            inp.profile,
            components=inp.components,
            crosswalk=inp.crosswalk if level == "regso" else None,
            rule=rule,
            weights=weights,
            level=level,
            from_system=inp.from_system,
            to_system=inp.to_system,
            official=official,
        )
        res.frame.insert(2, "area_system", inp.to_system)
        results.append(res)
    return stack_results(results)
