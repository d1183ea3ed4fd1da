"""End to end, pure: observations or components (frames) -> index -> types.

:func:`socioeconomic_types` takes frames and returns the result; no function here reads the
database. The frames are read by the thin edge in :mod:`grannskap.store.socioeconomic`
(``load_inputs``, ``load_official_types``, ``classify_from_store``; issue 13). Those names stay
importable from here (lazily, see :func:`__getattr__`) for callers not yet moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from grannskap.errors import Problem, ValidationError
from grannskap.measures.socioeconomic.classify import Classification, CutRule, classify
from grannskap.measures.socioeconomic.index import (
    IndexTable,
    _term_table,
    aggregate_components,
    build_components,
    compute_index,
)
from grannskap.measures.socioeconomic.profiles import Profile

if TYPE_CHECKING:
    from grannskap.store.socioeconomic import (
        classify_from_store,
        deso_systems_by_year,
        load_inputs,
        load_official_types,
    )

__all__ = [
    "TypeResult",
    "Inputs",
    "socioeconomic_types",
    "profile_terms",
    "divisions_by_year",
    "stack_results",
    # moved to grannskap.store.socioeconomic (issue 13), importable here through __getattr__
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
    """What :func:`socioeconomic_types` needs, as read from the store
    (:func:`grannskap.store.socioeconomic.load_inputs`)."""

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


def profile_terms(profile: Profile) -> pd.DataFrame:
    """The series of ``profile`` with their roles: ``indicator_id, breakdown, component, role``
    (role ``num``/``den`` for counts, ``share`` for share counts, ``pct``/``base`` for
    percentages); the join table of the store's per-group sums."""
    return _term_table(profile)


def divisions_by_year(rows: list[tuple[int, list[str]]], years: list[int]) -> dict[str, list[int]]:
    """Group ``years`` by the DeSO division holding their data.

    ``rows`` are ``(year, divisions)`` as read by ``store.socioeconomic.deso_divisions``. A
    year with data in both divisions is an error naming the year: the two divisions must not
    be mixed within one year's national cut. Years without DeSO data map to ``deso2018`` (and
    fail later with a clear "no data" error).
    """
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


def stack_results(results: list[TypeResult]) -> TypeResult:
    """One result from the results of several DeSO divisions (frames stacked, notes once each);
    index and classification are those of the first."""
    if len(results) == 1:
        return results[0]
    first = results[0]
    return TypeResult(
        index=first.index,
        classification=first.classification,
        frame=pd.concat([r.frame for r in results], ignore_index=True),
        notes=tuple(dict.fromkeys(n for r in results for n in r.notes)),
    )


_MOVED = frozenset(
    {"load_inputs", "load_official_types", "deso_systems_by_year", "classify_from_store"}
)


def __getattr__(name: str) -> Any:
    """The database edge moved to :mod:`grannskap.store.socioeconomic` (issue 13); its names
    resolve there for callers not yet moved (``report/sections/areas.py``, ``cli/evaluate.py``).
    New code imports them from the store module."""
    if name in _MOVED:
        from grannskap.store import socioeconomic

        return getattr(socioeconomic, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
