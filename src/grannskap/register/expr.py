"""A tiny condition language so that the analysis code does not know which engine runs it.

Indicators and validation checks are written once as conditions (``Between("age", 20, 64)``,
``Lt("disp_income", PerYear(...))``); each engine compiles them: DuckDB to SQL, Dask (and the
pandas reference path) to numpy masks over a :class:`Batch`.

Missing values follow SQL's three-valued logic as far as counting is concerned: every atom is
false on a missing value, there is no ``Not`` (``NotIn`` and ``Ne`` are false on missing values
too), so ``count_if`` in SQL and ``mask.sum()`` in numpy always agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

__all__ = [
    "Cond",
    "PerYear",
    "Cmp",
    "Between",
    "In",
    "IsNull",
    "NotNull",
    "And",
    "Or",
    "TRUE",
    "Batch",
    "Cat",
    "to_sql",
    "evaluate",
    "columns_of",
]

Op = Literal["<", "<=", ">", ">=", "==", "!="]


@dataclass(frozen=True)
class PerYear:
    """A threshold that depends on the row's year (e.g. 60 % of that year's median)."""

    values: tuple[tuple[int, float], ...]

    @classmethod
    def of(cls, mapping: Mapping[int, float]) -> PerYear:
        return cls(tuple(sorted((int(k), float(v)) for k, v in mapping.items())))


@dataclass(frozen=True)
class Cmp:
    column: str
    op: Op
    value: float | int | str | PerYear


@dataclass(frozen=True)
class Between:
    """``lo <= column <= hi`` (both ends included)."""

    column: str
    lo: float
    hi: float


@dataclass(frozen=True)
class In:
    """``column`` is one of ``values`` (``negate``: is not one of them, and is not missing)."""

    column: str
    values: frozenset[str]
    negate: bool = False


@dataclass(frozen=True)
class IsNull:
    column: str


@dataclass(frozen=True)
class NotNull:
    column: str


@dataclass(frozen=True)
class And:
    terms: tuple[Cond, ...]


@dataclass(frozen=True)
class Or:
    terms: tuple[Cond, ...]


@dataclass(frozen=True)
class _True:
    pass


TRUE = _True()
Cond = Cmp | Between | In | IsNull | NotNull | And | Or | _True


def columns_of(cond: Cond) -> set[str]:
    """The columns a condition reads (``year`` included when a :class:`PerYear` is used)."""
    if isinstance(cond, And | Or):
        return set().union(*(columns_of(t) for t in cond.terms))
    if isinstance(cond, _True):
        return set()
    cols = {cond.column}
    if isinstance(cond, Cmp) and isinstance(cond.value, PerYear):
        cols.add("year")
    return cols


# --------------------------------------------------------------------------------------- SQL
def _lit(value: float | int | str) -> str:
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, bool | np.bool_):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if not math.isfinite(float(value)):
        return f"CAST('{float(value)}' AS DOUBLE)"
    # repr round-trips exactly; parsing a string to DOUBLE is correctly rounded in DuckDB
    return f"CAST('{float(value)!r}' AS DOUBLE)"


def _q(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def to_sql(cond: Cond, set_sql: Mapping[frozenset[str], str] | None = None) -> str:
    """Compile to a SQL boolean expression; ``set_sql`` maps large value sets to subqueries."""
    if isinstance(cond, _True):
        return "TRUE"
    if isinstance(cond, And | Or):
        joiner = " AND " if isinstance(cond, And) else " OR "
        return "(" + joiner.join(to_sql(t, set_sql) for t in cond.terms) + ")"
    col = _q(cond.column)
    if isinstance(cond, IsNull):
        return f"({col} IS NULL)"
    if isinstance(cond, NotNull):
        return f"({col} IS NOT NULL)"
    if isinstance(cond, Between):
        return f"({col} BETWEEN {_lit(cond.lo)} AND {_lit(cond.hi)})"
    if isinstance(cond, In):
        if set_sql and cond.values in set_sql:
            members = set_sql[cond.values]
        else:
            members = ", ".join(_lit(v) for v in sorted(cond.values)) or "NULL"
        neg = "NOT " if cond.negate else ""
        # NOT IN (...) is NULL on a NULL column: false when counted, as in numpy
        return f"({col} {neg}IN ({members}))"
    op = "=" if cond.op == "==" else ("<>" if cond.op == "!=" else cond.op)
    if isinstance(cond.value, PerYear):
        cases = " ".join(f"WHEN {y} THEN {_lit(v)}" for y, v in cond.value.values)
        rhs = f"(CASE {_q('year')} {cases} END)" if cases else "NULL"
        return f"(CAST({col} AS DOUBLE) {op} {rhs})"
    return f"({col} {op} {_lit(cond.value)})"


# ------------------------------------------------------------------------------------- numpy
class Cat:
    """A dictionary-encoded text column: integer ``codes`` (-1 = missing) into ``categories``."""

    __slots__ = ("codes", "categories")

    def __init__(self, codes: np.ndarray, categories: np.ndarray) -> None:
        self.codes = codes
        self.categories = categories

    def __len__(self) -> int:
        return len(self.codes)

    def labels(self, index: np.ndarray | slice | None = None) -> np.ndarray:
        """The values as an object array (``None`` for missing)."""
        codes = self.codes if index is None else self.codes[index]
        return with_missing(self.categories)[codes]


Column = np.ndarray | Cat


def with_missing(values: np.ndarray) -> np.ndarray:
    """``values`` as an object array with ``None`` appended, so that code ``-1`` maps to it."""
    out = np.empty(len(values) + 1, dtype=object)
    out[:-1] = values
    return out


class Batch:
    """Columns of one partition for numpy evaluation.

    Numeric columns are float64 arrays with NaN for missing values (exact for integers below
    2**53); text columns are :class:`Cat` (dictionary codes).
    """

    def __init__(self, columns: Mapping[str, Column], n: int) -> None:
        self.columns = dict(columns)
        self.n = n

    def __getitem__(self, name: str) -> Column:
        return self.columns[name]


def _cat_mask(cat: Cat, values: frozenset[str]) -> np.ndarray:
    hit = np.isin(np.asarray(cat.categories, dtype=object), list(values))
    lookup = np.append(hit, False)  # code -1 (missing) indexes the appended False
    return lookup[cat.codes]


def _as_cat(arr: Column) -> Cat:
    if isinstance(arr, Cat):
        return arr
    codes, uniques = pd.factorize(arr, use_na_sentinel=True)
    return Cat(codes, np.asarray(uniques, dtype=object))


def _missing(arr: Column) -> np.ndarray:
    if isinstance(arr, Cat):
        return arr.codes < 0
    return np.isnan(arr)


def evaluate(cond: Cond, batch: Batch, cache: dict[Cond, np.ndarray] | None = None) -> np.ndarray:
    """Evaluate a condition to a boolean mask (missing values count as false).

    ``cache`` memoises sub-conditions shared by several counters (e.g. the age 20–64 test).
    """
    if cache is None:
        return _evaluate(cond, batch, {})
    return _evaluate(cond, batch, cache)


def _evaluate(cond: Cond, batch: Batch, cache: dict[Cond, np.ndarray]) -> np.ndarray:
    hit = cache.get(cond)
    if hit is not None:
        return hit
    out = _evaluate_uncached(cond, batch, cache)
    cache[cond] = out
    return out


def _evaluate_uncached(cond: Cond, batch: Batch, cache: dict[Cond, np.ndarray]) -> np.ndarray:
    if isinstance(cond, _True):
        return np.ones(batch.n, dtype=bool)
    if isinstance(cond, And | Or):
        out = _evaluate(cond.terms[0], batch, cache)
        for term in cond.terms[1:]:
            other = _evaluate(term, batch, cache)
            out = (out & other) if isinstance(cond, And) else (out | other)
        return out
    arr = batch[cond.column]
    if isinstance(cond, IsNull):
        return _missing(arr)
    if isinstance(cond, NotNull):
        return ~_missing(arr)
    if isinstance(cond, In):
        arr = _as_cat(arr)
        mask = _cat_mask(arr, cond.values)
        return (~mask & ~_missing(arr)) if cond.negate else mask
    if isinstance(cond, Between):
        a = np.asarray(arr, dtype=float)
        return (a >= cond.lo) & (a <= cond.hi)
    if isinstance(arr, Cat):
        if cond.op not in ("==", "!="):
            raise TypeError(f"operator {cond.op!r} on text column {cond.column!r}")
        eq = _cat_mask(arr, frozenset([str(cond.value)]))
        return eq if cond.op == "==" else (~eq & ~_missing(arr))
    a = np.asarray(arr, dtype=float)
    rhs: np.ndarray | float
    if isinstance(cond.value, PerYear):
        years = np.asarray(batch["year"], dtype=float)
        rhs = np.full(batch.n, np.nan)
        for y, v in cond.value.values:
            rhs[years == y] = v
    else:
        rhs = float(cond.value)
    with np.errstate(invalid="ignore"):
        if cond.op == "<":
            return a < rhs
        if cond.op == "<=":
            return a <= rhs
        if cond.op == ">":
            return a > rhs
        if cond.op == ">=":
            return a >= rhs
        if cond.op == "==":
            return a == rhs
        return (a != rhs) & ~np.isnan(a) & ~np.isnan(rhs)
