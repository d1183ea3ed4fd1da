"""Validation of person-year register data: count every problem, drop nothing.

Each check is a condition counted by the engine per year (so it runs on DuckDB and Dask alike);
duplicated person-years use the engine's duplicate primitive and differing partition schemas are
read from the file footers/headers. The result is a :class:`ValidationReport` with counts per
problem, per year and a few example rows. ``strict=True`` turns any problem into a
:class:`grannskap.errors.ValidationError`; otherwise a :class:`DataQualityWarning` is issued and
the aggregation uses every row as given (problems are reported, never silently dropped).
"""

from __future__ import annotations

import warnings
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

import pandas as pd

from grannskap.errors import DataQualityWarning, Problem, ValidationError
from grannskap.register.engine import Engine
from grannskap.register.expr import TRUE, Cmp, Cond, In, IsNull, Or
from grannskap.register.schema import AGE_MAX, CATEGORIES, REQUIRED_COLUMNS, RegisterSource

__all__ = ["ProblemCount", "SchemaIssue", "ValidationReport", "row_checks", "validate"]


@dataclass(frozen=True)
class ProblemCount:
    """One kind of problem: how many person-years, in which years, and example rows."""

    code: str
    description: str
    column: str | None
    expected: str
    count: int
    by_year: dict[int, int]
    examples: pd.DataFrame = field(repr=False)


@dataclass(frozen=True)
class SchemaIssue:
    """A partition whose columns/types differ from the most common schema of the input."""

    path: str
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    changed: tuple[tuple[str, str, str], ...]  # (column, type here, reference type)

    def __str__(self) -> str:
        bits = []
        if self.missing:
            bits.append(f"missing {list(self.missing)}")
        if self.extra:
            bits.append(f"extra {list(self.extra)}")
        if self.changed:
            bits.append("types " + ", ".join(f"{c}: {a} vs {b}" for c, a, b in self.changed))
        return "; ".join(bits)


@dataclass
class ValidationReport:
    """Counts per problem with examples. ``ok`` is true when nothing was found."""

    source: str
    rows: int
    rows_by_year: dict[int, int]
    problems: list[ProblemCount]
    duplicate_keys: int
    duplicate_rows: int
    duplicate_examples: pd.DataFrame = field(repr=False)
    schema_issues: list[SchemaIssue]
    missing_required: list[str]

    @property
    def counts(self) -> dict[str, int]:
        """Person-years (or partitions, for ``schema_differs``) per problem code."""
        out = {p.code: p.count for p in self.problems}
        out["duplicate_person_year"] = self.duplicate_rows
        out["schema_differs"] = len(self.schema_issues)
        out["missing_required_column"] = len(self.missing_required)
        return out

    @property
    def ok(self) -> bool:
        return not any(self.counts.values())

    def to_problems(self) -> list[Problem]:
        """The problems as :class:`grannskap.errors.Problem` lines (one per kind)."""
        out = []
        for col in self.missing_required:
            out.append(
                Problem(self.source, "required column missing in every partition", column=col)
            )
        for p in self.problems:
            if p.count:
                ex = _example_value(p)
                out.append(
                    Problem(
                        self.source,
                        f"{p.count} person-year(s) with {p.description} (by year {p.by_year})",
                        column=p.column,
                        value=ex,
                        expected=p.expected,
                    )
                )
        if self.duplicate_rows:
            ex = self.duplicate_examples.head(3).to_dict("records")
            out.append(
                Problem(
                    self.source,
                    f"{self.duplicate_keys} person-year(s) occur more than once "
                    f"({self.duplicate_rows} extra row(s))",
                    column="person_id, year",
                    value=ex,
                    expected="one row per person and year",
                )
            )
        for s in self.schema_issues:
            out.append(Problem(s.path, f"partition schema differs from the others: {s}"))
        return out

    def summary(self) -> str:
        lines = [f"{self.rows} person-year rows in {self.source}"]
        lines += [f"  {code}: {n}" for code, n in self.counts.items()]
        return "\n".join(lines)


def _example_value(p: ProblemCount) -> object:
    if p.examples.empty:
        return None
    if p.column and p.column in p.examples:
        return p.examples[p.column].head(3).tolist()
    return p.examples.head(1).to_dict("records")


def row_checks(
    known_deso: Collection[str] | None = None,
) -> dict[str, tuple[Cond, str | None, str, str]]:
    """The row-level checks: code -> (condition, column, description, expected)."""
    checks: dict[str, tuple[Cond, str | None, str, str]] = {
        "missing_person_id": (IsNull("person_id"), "person_id", "no person id", "an id"),
        "missing_year": (IsNull("year"), "year", "no year", "a year"),
        "missing_deso": (IsNull("deso"), "deso", "no DeSO code", "a DeSO code"),
        "impossible_age": (
            Or((Cmp("age", "<", 0), Cmp("age", ">", AGE_MAX))),
            "age",
            "an impossible age",
            f"0..{AGE_MAX}",
        ),
        "missing_age": (IsNull("age"), "age", "no age", f"0..{AGE_MAX}"),
        "negative_income": (
            Cmp("disp_income", "<", 0),
            "disp_income",
            "a negative disposable income",
            ">= 0",
        ),
        "assistance_months_out_of_range": (
            Or((Cmp("assistance_months", "<", 0), Cmp("assistance_months", ">", 12))),
            "assistance_months",
            "economic assistance months outside 0..12",
            "0..12",
        ),
        "unemployment_days_out_of_range": (
            Or((Cmp("unemployment_days", "<", 0), Cmp("unemployment_days", ">", 366))),
            "unemployment_days",
            "unemployment days outside 0..366",
            "0..366",
        ),
    }
    for col, allowed in CATEGORIES.items():
        checks[f"invalid_{col}"] = (
            In(col, frozenset(allowed), negate=True),
            col,
            f"an unknown {col} value",
            f"one of {list(allowed)}",
        )
    if known_deso is not None:
        checks["unknown_deso"] = (
            In("deso", frozenset(known_deso), negate=True),
            "deso",
            "a DeSO code not in the given list",
            f"one of the {len(known_deso)} known DeSO codes",
        )
    return checks


def _schema_issues(source: RegisterSource) -> tuple[list[SchemaIssue], list[str]]:
    sigs = [tuple(sorted(f.columns.items())) for f in source.files]
    reference = dict(Counter(sigs).most_common(1)[0][0]) if sigs else {}
    issues = []
    for f, sig in zip(source.files, sigs, strict=True):
        here = dict(sig)
        if here == reference:
            continue
        missing = tuple(sorted(set(reference) - set(here)))
        extra = tuple(sorted(set(here) - set(reference)))
        changed = tuple(
            (c, here[c], reference[c])
            for c in sorted(set(here) & set(reference))
            if here[c] != reference[c]
        )
        issues.append(SchemaIssue(f.path, missing, extra, changed))
    present = set(source.columns)
    missing_required = [c for c in REQUIRED_COLUMNS if c not in present]
    return issues, missing_required


def validate(
    source: RegisterSource,
    engine: Engine,
    known_deso: Collection[str] | None = None,
    *,
    strict: bool = False,
    n_examples: int = 5,
) -> ValidationReport:
    """Check a register source; count and report every problem.

    Parameters
    ----------
    source
        The register (see :func:`grannskap.register.schema.open_source`).
    engine
        DuckDB or Dask engine.
    known_deso
        Valid DeSO codes, e.g. :func:`~grannskap.register.schema.read_deso_codes` of SCB's key
        file; ``None`` skips the unknown-code check.
    strict
        Raise :class:`~grannskap.errors.ValidationError` on any problem instead of warning.
    """
    issues, missing_required = _schema_issues(source)
    if missing_required:
        report = ValidationReport(
            source.root, 0, {}, [], 0, 0, pd.DataFrame(), issues, missing_required
        )
        raise ValidationError(report.to_problems())
    checks = row_checks(known_deso)
    counters: dict[str, Cond] = {"rows": TRUE, **{code: c[0] for code, c in checks.items()}}
    by_year = engine.count(source, ["year"], counters)
    total = by_year.drop(columns="year").sum()
    problems = []
    for code, (cond, column, description, expected) in checks.items():
        n = int(total[code])
        years = {
            int(y) if pd.notna(y) else -1: int(v)
            for y, v in zip(by_year["year"], by_year[code], strict=True)
            if v
        }
        ex = engine.examples(source, cond, n_examples) if n else pd.DataFrame()
        problems.append(ProblemCount(code, description, column, expected, n, years, ex))
    dups = engine.duplicates(source, n_examples)
    rows_by_year = {
        int(y) if pd.notna(y) else -1: int(v)
        for y, v in zip(by_year["year"], by_year["rows"], strict=True)
    }
    report = ValidationReport(
        source=source.root,
        rows=int(total["rows"]),
        rows_by_year=rows_by_year,
        problems=problems,
        duplicate_keys=dups.keys,
        duplicate_rows=dups.extra_rows,
        duplicate_examples=dups.examples,
        schema_issues=issues,
        missing_required=missing_required,
    )
    if not report.ok:
        if strict:
            raise ValidationError(report.to_problems())
        bad = {k: v for k, v in report.counts.items() if v}
        warnings.warn(
            f"register input {source.root}: problems found and kept in the data {bad}",
            DataQualityWarning,
            stacklevel=2,
        )
    return report
