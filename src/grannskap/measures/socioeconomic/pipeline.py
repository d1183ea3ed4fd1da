"""End to end: observations (frames) -> index -> types; and reading those frames from the store.

:func:`socioeconomic_types` is pure (frames in, result out). :func:`load_inputs` and
:func:`classify_from_store` are the thin database edge used by the CLI and the report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from grannskap.errors import DataNotFoundError, Problem, ValidationError
from grannskap.measures.socioeconomic.classify import Classification, CutRule, classify
from grannskap.measures.socioeconomic.index import (
    IndexTable,
    aggregate_components,
    build_components,
    compute_index,
    finalize_components,
)
from grannskap.measures.socioeconomic.profiles import Profile, Term, choose_profile

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "TypeResult",
    "Inputs",
    "socioeconomic_types",
    "load_inputs",
    "load_official_types",
    "deso_systems_by_year",
    "classify_from_store",
]


@dataclass(frozen=True)
class TypeResult:
    """Index and types of one run; ``frame`` = index columns + types (+ ``official`` if known)."""

    index: IndexTable
    classification: Classification
    frame: pd.DataFrame
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Inputs:
    """What :func:`socioeconomic_types` needs, as read from the store."""

    components: pd.DataFrame
    crosswalk: pd.Series
    profile: Profile
    from_system: str
    to_system: str


def socioeconomic_types(
    observations: pd.DataFrame | None,
    profile: Profile,
    *,
    components: pd.DataFrame | None = None,
    crosswalk: pd.Series | None = None,
    rule: CutRule | None = None,
    weights: dict[str, float] | None = None,
    level: str = "regso",
    from_system: str = "deso2018",
    to_system: str = "regso2020",
    official: pd.DataFrame | None = None,
) -> TypeResult:
    """Index and *områdestyper* from DeSO observations.

    ``crosswalk`` (from-code -> to-code) aggregates the counts to RegSO; ``None`` keeps the
    level of the observations. ``components`` (the output of :func:`build_components`) may
    be given instead of ``observations``. ``official`` (``area_code, year, official``) is joined when
    given.
    """
    rule = rule or CutRule()
    if components is not None:
        comps = components
    elif observations is not None:
        comps = build_components(observations, profile)
    else:
        raise ValidationError([Problem("socioeconomic_types", "give observations or components")])
    if crosswalk is not None:
        comps = aggregate_components(comps, crosswalk, from_system=from_system, to_system=to_system)
    table = compute_index(
        comps, profile, weights=weights, level=level, min_population=rule.min_population
    )
    cls = classify(table.frame, rule)
    extra = [c for c in table.frame.columns if c not in ("index", "population")]
    frame = cls.frame.merge(table.frame[extra], on=["area_code", "year"], how="left")
    if official is not None and not official.empty:
        frame = frame.merge(
            official[["area_code", "year", "official"]], on=["area_code", "year"], how="left"
        )
        frame["official"] = frame["official"].astype("Int64")
    return TypeResult(index=table, classification=cls, frame=frame, notes=table.notes + cls.notes)


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list[object]) -> pd.DataFrame:
    """Query to pandas through Arrow (about twice as fast as ``.df()`` for string keys)."""
    try:
        return con.sql(sql, params=params).to_arrow_table().to_pandas()
    except (TypeError, AttributeError):  # older DuckDB without params in ``sql``
        return con.execute(sql, params).df()


_REGSO_OF = {"deso2018": "regso2020", "deso2025": "regso2025"}


def deso_systems_by_year(con: duckdb.DuckDBPyConnection, years: list[int]) -> dict[str, list[int]]:
    """Which DeSO division (``deso2018`` / ``deso2025``) holds each year's data.

    A year with observations in both divisions is an error naming the year: the two divisions
    must not be mixed within one year's national cut. Years without DeSO data map to
    ``deso2018`` (and fail later with a clear "no data" error).
    """
    rows = con.execute(
        "SELECT year, list(DISTINCT area_system ORDER BY area_system) FROM observation "
        "WHERE area_system IN ('deso2018', 'deso2025') AND year IN "
        f"({','.join('?' * len(years))}) GROUP BY year",
        list(years),
    ).fetchall()
    mixed = [(int(y), s) for y, s in rows if len(s) > 1]
    if mixed:
        raise ValidationError(
            [
                Problem(
                    "observation",
                    f"year {y} has DeSO data in both divisions {s}; the index of one year must "
                    "use one division (re-import with one key or convert with a crosswalk)",
                    value=y,
                )
                for y, s in mixed
            ]
        )
    found = {int(y): s[0] for y, s in rows}
    out: dict[str, list[int]] = {}
    for y in years:
        out.setdefault(found.get(int(y), "deso2018"), []).append(int(y))
    return out


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
    avail = con.execute(
        "SELECT DISTINCT indicator_id, breakdown FROM observation WHERE area_system = ? AND year IN "
        f"({','.join('?' * len(years))})",
        [from_system, *years],
    ).fetchall()
    prof = choose_profile([Term(a, b) for a, b in avail], profile)
    from grannskap.measures.socioeconomic.index import _term_table

    terms = _term_table(prof)
    con.register("_grannskap_terms", terms)
    placeholders = ",".join("?" * len(years))
    try:
        # the per-group sums of build_components, formed in DuckDB (same semantics)
        grouped = _fetch(
            con,
            "SELECT o.area_code, o.year, t.component, "
            "sum(CASE WHEN t.role = 'num' THEN o.value WHEN t.role = 'share' THEN o.numerator END) AS num, "
            "sum(CASE WHEN t.role = 'den' THEN o.value WHEN t.role = 'share' THEN o.denominator END) AS den, "
            "sum(CASE WHEN t.role = 'pct' THEN o.value END) AS pct, "
            "sum(CASE WHEN t.role = 'base' THEN o.value END) AS base, "
            "sum(CASE WHEN t.role = 'share' THEN CAST(o.numerator IS NOT NULL AND o.denominator IS NOT NULL AS INTEGER) "
            "ELSE CAST(o.value IS NOT NULL AS INTEGER) END) AS n_present "
            "FROM observation o JOIN _grannskap_terms t USING (indicator_id, breakdown) "
            f"WHERE o.area_system = ? AND o.year IN ({placeholders}) GROUP BY ALL",
            [from_system, *years],
        )
    finally:
        con.unregister("_grannskap_terms")
    obs = grouped
    found = set(obs["year"].unique()) if not obs.empty else set()
    absent = [y for y in years if y not in found]
    if absent:
        have = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT year FROM observation WHERE area_system = ? ORDER BY 1",
                [from_system],
            ).fetchall()
        ]
        raise DataNotFoundError(
            f"no {from_system} data for profile {prof.name!r} in year(s) {absent}; years in the database: {have}"
        )
    cw = pd.Series(dtype="string")
    if to_system is not None:
        key = con.execute(
            "SELECT from_code, to_code FROM crosswalk WHERE from_system = ? AND to_system = ?",
            [from_system, to_system],
        ).df()
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
    """SCB's official types (indicator ``scb.omradestyp``) as ``area_code, year, official``
    (only those on RegSO division ``system`` when given)."""
    sql = "SELECT area_code, year, CAST(value AS BIGINT) AS official FROM observation WHERE indicator_id = 'scb.omradestyp'"
    params: list[object] = []
    if system:
        sql += " AND area_system = ?"
        params.append(system)
    if years:
        sql += f" AND year IN ({','.join('?' * len(years))})"
        params += list(years)
    return con.execute(sql, params).df()


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
        official = load_official_types(con, ys, system=inp.to_system) if level == "regso" else None
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
    if len(results) == 1:
        return results[0]
    first = results[0]
    return TypeResult(
        index=first.index,
        classification=first.classification,
        frame=pd.concat([r.frame for r in results], ignore_index=True),
        notes=tuple(dict.fromkeys(n for r in results for n in r.notes)),
    )
