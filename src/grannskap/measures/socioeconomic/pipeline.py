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

    observations: pd.DataFrame
    crosswalk: pd.Series
    profile: Profile
    from_system: str
    to_system: str


def socioeconomic_types(
    observations: pd.DataFrame,
    profile: Profile,
    *,
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
    level of the observations. ``official`` (``area_code, year, official``) is joined when
    given.
    """
    rule = rule or CutRule()
    comps = build_components(observations, profile)
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


def _level_systems(
    con: duckdb.DuckDBPyConnection, level: str, years: list[int]
) -> tuple[str, str | None]:
    if level == "deso":
        return "deso2018", None
    if level == "regso":
        return "deso2018", "regso2020"
    raise DataNotFoundError(f"`level` was {level!r} but is expected to be one of ['deso', 'regso']")


def load_inputs(
    con: duckdb.DuckDBPyConnection,
    years: list[int],
    *,
    level: str = "regso",
    profile: str = "auto",
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
    terms = pd.DataFrame(
        [(t.indicator_id, t.breakdown) for t in prof.terms()], columns=["indicator_id", "breakdown"]
    )
    con.register("_grannskap_terms", terms)
    try:
        obs = con.execute(
            "SELECT o.indicator_id, o.breakdown, o.area_code, o.year, o.value, o.numerator, o.denominator "
            "FROM observation o JOIN _grannskap_terms t USING (indicator_id, breakdown) "
            f"WHERE o.area_system = ? AND o.year IN ({','.join('?' * len(years))})",
            [from_system, *years],
        ).df()
    finally:
        con.unregister("_grannskap_terms")
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
    return Inputs(
        observations=obs,
        crosswalk=cw,
        profile=prof,
        from_system=from_system,
        to_system=to_system or from_system,
    )


def load_official_types(
    con: duckdb.DuckDBPyConnection, years: list[int] | None = None
) -> pd.DataFrame:
    """SCB's official types (indicator ``scb.omradestyp``) as ``area_code, year, official``."""
    sql = "SELECT area_code, year, CAST(value AS BIGINT) AS official FROM observation WHERE indicator_id = 'scb.omradestyp'"
    params: list[object] = []
    if years:
        sql += f" AND year IN ({','.join('?' * len(years))})"
        params = list(years)
    return con.execute(sql, params).df()


def classify_from_store(
    con: duckdb.DuckDBPyConnection,
    years: list[int],
    *,
    level: str = "regso",
    profile: str = "auto",
    rule: CutRule | None = None,
    weights: dict[str, float] | None = None,
) -> TypeResult:
    """Read the inputs of ``years`` from the database and compute index and types."""
    inp = load_inputs(con, years, level=level, profile=profile)
    official = load_official_types(con, years) if level == "regso" else None
    return socioeconomic_types(
        inp.observations,
        inp.profile,
        crosswalk=inp.crosswalk if level == "regso" else None,
        rule=rule,
        weights=weights,
        level=level,
        from_system=inp.from_system,
        to_system=inp.to_system,
        official=official,
    )
