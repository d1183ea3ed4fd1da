"""The standard fetch: every SCB table the report's history needs, for one kommun or Sweden.

``grannskap fetch standard --kommun 1490 --from 2011`` walks :data:`STANDARD` — population by
födelseregion (TAB6572), dwellings by upplåtelseform (TAB6258) and SCB's socioeconomic index
with its official *områdestyp* (TAB6586), all per RegSO — and, optionally, the RegSO polygons
from SCB's geodata WFS. Each table is fetched year by year for the years the table has within
the requested range; years already in the database are skipped, so an interrupted run resumes
where it stopped, and a second run fetches nothing.

Fetched cubes are stored under the **same indicator ids and breakdowns as the PxWeb CSV
exports** (:mod:`grannskap.ingest.pxweb_csv`): ``scb.TAB6572`` with ``fodelseregion=Sverige``,
``scb.TAB6258`` with ``upplatelseform=hyresrätt`` …, ``scb.omradestyp`` for the official type.
Breakdowns are rebuilt from the *labels* the API answers with (``slug(variable label)=value
label``, totals left out), so the recipe does not depend on SCB's internal value codes; only
TAB6586's two ContentsCodes (000008IT index, 000008IU områdestyp) are named. A table whose
answer does not have this shape (a second ContentsCode, a missing variable) is an error naming
the table and what was expected; nothing of that table is stored.

The canonicalisation (:func:`canonical_table`) is pure; the walk (:func:`run_standard`) takes
the clients and the database connection from the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from grannskap.errors import FetchError
from grannskap.format import format_year_span
from grannskap.ingest.model import IndicatorDef, ParsedTable
from grannskap.ingest.overview import OFFICIAL_TYPE_INDICATOR
from grannskap.ingest.scb_export import slug

if TYPE_CHECKING:
    import duckdb

    from grannskap.ingest.fetch.scb import ScbClient, ScbTableMeta

__all__ = [
    "RecipeTable",
    "STANDARD",
    "TableOutcome",
    "canonical_table",
    "run_standard",
]

SOCIOECONOMIC_INDEX_INDICATOR = "scb.socioekonomiskt_index"


@dataclass(frozen=True)
class RecipeTable:
    """One SCB table of the standard fetch and how its answer is stored."""

    table_id: str
    purpose_sv: str
    purpose_en: str
    # ContentsCode -> stored indicator; "*" = the table's only ContentsCode, whatever its code
    contents: Mapping[str, str]
    indicators: tuple[IndicatorDef, ...]
    # variables (besides region, time and contents) whose values are all fetched; any other
    # variable is eliminated (SCB sums it away) or, when it cannot be, its total is taken
    breakdown_vars: tuple[str, ...] = ()


def _tables() -> tuple[RecipeTable, ...]:
    from grannskap.ingest.pxweb_csv import TABLES

    px = {t.table_id: t for t in TABLES}

    def ind(table_id: str) -> IndicatorDef:
        return px[table_id].indicator_def()

    return (
        RecipeTable(
            "TAB6572",
            "folkmängd efter födelseregion per RegSO",
            "population by region of birth per RegSO",
            {"*": px["TAB6572"].indicator_id},
            (ind("TAB6572"),),
            breakdown_vars=("födelseregion",),
        ),
        RecipeTable(
            "TAB6258",
            "lägenheter efter upplåtelseform per RegSO",
            "dwellings by tenure per RegSO",
            {"*": px["TAB6258"].indicator_id},
            (ind("TAB6258"),),
            breakdown_vars=("upplåtelseform",),
        ),
        RecipeTable(
            "TAB6586",
            "socioekonomiskt index och officiell områdestyp per RegSO",
            "socioeconomic index and official area type per RegSO",
            {"000008IT": SOCIOECONOMIC_INDEX_INDICATOR, "000008IU": OFFICIAL_TYPE_INDICATOR},
            (
                IndicatorDef(
                    SOCIOECONOMIC_INDEX_INDICATOR,
                    "Socioekonomiskt index (SCB)",
                    "Socioeconomic index (SCB)",
                    unit="index",
                    source_table="TAB6586",
                    higher_is_better=True,
                ),
                IndicatorDef(
                    OFFICIAL_TYPE_INDICATOR,
                    "Områdestyp (SCB, officiell)",
                    "Area type (SCB, official)",
                    unit="typ 1–5",
                    source_table="TAB6586",
                ),
            ),
        ),
    )


STANDARD: tuple[RecipeTable, ...] = _tables()


def _dim_labels(meta: ScbTableMeta) -> dict[str, tuple[str, dict[str, str]]]:
    """Variable id (lower case) -> (variable label, {value code: value label})."""
    out: dict[str, tuple[str, dict[str, str]]] = {}
    dims = meta.raw.get("dimension", {}) if isinstance(meta.raw, dict) else {}
    for var in meta.variables:
        dim = dims.get(var) or {}
        labels = (dim.get("category") or {}).get("label") or {}
        out[var.lower()] = (str(dim.get("label", var)), {str(k): str(v) for k, v in labels.items()})
    return out


def _role(var: str, label: str) -> str:
    low, lab = var.lower(), label.lower()
    if low in ("region",) or lab == "region":
        return "region"
    if low in ("tid", "time") or lab in ("år", "year"):
        return "time"
    if low == "contentscode" or lab in ("tabellinnehåll", "table contents"):
        return "contents"
    return "other"


def selection_for(
    recipe: RecipeTable, meta: ScbTableMeta, regions: str, years: Sequence[int]
) -> dict[str, list[str]]:
    """The PxWebApi selection for ``years`` and the regions matching ``regions`` (e.g.
    ``1490R*`` for one kommun's RegSO, ``*R*`` for all of Sweden)."""
    labels = _dim_labels(meta)
    sel: dict[str, list[str]] = {}
    wanted = {v.lower() for v in recipe.breakdown_vars}
    for var in meta.variables:
        var_label, value_labels = labels[var.lower()]
        role = _role(var, var_label)
        if role == "region":
            sel[var] = [regions]
        elif role == "time":
            sel[var] = [str(y) for y in years]
        elif role == "contents":
            codes = list(meta.codes[var])
            if "*" in recipe.contents:
                if len(codes) != 1:
                    raise FetchError(
                        f"table {recipe.table_id}: {len(codes)} ContentsCodes {codes}; "
                        "the standard fetch expects exactly one"
                    )
                sel[var] = codes
            else:
                missing = [c for c in recipe.contents if c not in codes]
                if missing:
                    raise FetchError(
                        f"table {recipe.table_id}: ContentsCode {missing[0]} not in the table "
                        f"(it has {codes})"
                    )
                sel[var] = list(recipe.contents)
        elif var_label.lower() in wanted or var.lower() in wanted:
            sel[var] = list(meta.codes[var])
        elif not meta.eliminable.get(var, False):
            totals = [
                c
                for c in meta.codes[var]
                if value_labels.get(c, "").strip().lower().startswith(("totalt", "samtliga"))
            ]
            if len(totals) != 1:
                raise FetchError(
                    f"table {recipe.table_id}: variable {var!r} can neither be eliminated nor "
                    "does it have one total value; the standard fetch cannot sum it"
                )
            sel[var] = totals
    missing_vars = (
        wanted
        - {labels[v.lower()][0].lower() for v in meta.variables}
        - {v.lower() for v in meta.variables}
    )
    if missing_vars:
        raise FetchError(
            f"table {recipe.table_id}: no variable {sorted(missing_vars)[0]!r} "
            f"(its variables are {meta.variables})"
        )
    return sel


def canonical_table(parsed: ParsedTable, meta: ScbTableMeta, recipe: RecipeTable) -> ParsedTable:
    """``parsed`` (as :func:`~grannskap.ingest.jsonstat.parse_jsonstat2` reads an answer)
    stored under the recipe's indicator ids, with label breakdowns as the PxWeb CSV import."""
    labels = _dim_labels(meta)
    obs = parsed.observations.copy()
    prefix = f"scb.{recipe.table_id}."
    codes = obs["indicator_id"].astype(str).str.removeprefix(prefix)
    if "*" in recipe.contents:
        target = recipe.contents["*"]
        obs["indicator_id"] = target
    else:
        unknown = sorted(set(codes) - set(recipe.contents))
        if unknown:
            raise FetchError(f"table {recipe.table_id}: unexpected ContentsCode {unknown[0]}")
        obs["indicator_id"] = codes.map(dict(recipe.contents))

    cache: dict[str, str] = {}

    def relabel(breakdown: str) -> str:
        if breakdown in cache:
            return cache[breakdown]
        parts = []
        for part in filter(None, breakdown.split(";")):
            key, _, code = part.partition("=")
            var_label, value_labels = labels.get(key, (key, {}))
            parts.append(f"{slug(var_label)}={value_labels.get(code, code)}")
        cache[breakdown] = ";".join(parts)
        return cache[breakdown]

    obs["breakdown"] = pd.array([relabel(str(b)) for b in obs["breakdown"]], dtype="string")
    return ParsedTable(
        source=parsed.source,
        table_id=recipe.table_id,
        title=parsed.title or meta.label,
        file_name=parsed.file_name,
        file_hash=parsed.file_hash,
        observations=obs,
        indicators=list(recipe.indicators),
        areas=parsed.areas,
        notes=[*parsed.notes, f"grannskap fetch standard: {recipe.purpose_sv}"],
        year=parsed.year,
    )


@dataclass
class TableOutcome:
    """What the standard fetch did for one table."""

    table_id: str
    purpose: str
    fetched_years: list[int] = field(default_factory=list)
    present_years: list[int] = field(default_factory=list)
    unavailable_years: list[int] = field(default_factory=list)
    values: int = 0
    areas: int = 0

    def describe(self) -> str:
        return (
            f"{self.table_id} ({self.purpose}): fetched {format_year_span(self.fetched_years)} "
            f"({self.values} values, {self.areas} areas); already in the database "
            f"{format_year_span(self.present_years)}; not in the table {format_year_span(self.unavailable_years)}"
        )


def run_standard(
    con: duckdb.DuckDBPyConnection,
    client: ScbClient,
    *,
    regions: str,
    area_code_prefix: str,
    first_year: int,
    last_year: int,
    tables: Sequence[RecipeTable] = STANDARD,
    progress: Callable[[Any], Any] | None = None,
) -> list[TableOutcome]:
    """Fetch every table of the recipe, year by year, skipping years already stored.

    ``progress`` wraps the list of (table, year) steps (e.g. ``tqdm``); each step is one
    transaction, so an interrupted run keeps every completed year.
    """
    from grannskap.store.coverage import years_present
    from grannskap.store.load import load_parsed

    outcomes: list[TableOutcome] = []
    steps: list[tuple[RecipeTable, ScbTableMeta, int, TableOutcome]] = []
    for recipe in tables:
        meta = client.metadata(recipe.table_id)
        out = TableOutcome(recipe.table_id, recipe.purpose_en)
        outcomes.append(out)
        labels = _dim_labels(meta)
        time_var = next(v for v in meta.variables if _role(v, labels[v.lower()][0]) == "time")
        offered = {int(c) for c in meta.codes[time_var] if str(c).isdigit()}
        targets = list(recipe.contents.values())
        present = years_present(con, targets, area_code_prefix)
        for year in range(first_year, last_year + 1):
            if year not in offered:
                out.unavailable_years.append(year)
            elif year in present:
                out.present_years.append(year)
            else:
                steps.append((recipe, meta, year, out))
    iterator = progress(steps) if progress is not None else steps
    for recipe, meta, year, out in iterator:
        sel = selection_for(recipe, meta, regions, [year])
        parsed = client.fetch(recipe.table_id, sel, meta=meta)
        table = canonical_table(parsed, meta, recipe)
        load_parsed(con, table)
        out.fetched_years.append(year)
        out.values += len(table.observations)
        out.areas = max(out.areas, int(table.observations["area_code"].nunique()))
    return outcomes
