"""The exception and warning hierarchy of grannskap.

Every error a user can act on derives from :class:`GrannskapError`; the CLI turns those into
one clear line per problem and a non-zero exit code, never a traceback. Errors carry structured
data (file, row, column, value, expected) so that tests and callers do not parse messages.

Where new errors go: add a subclass here, next to its closest relative. Do not define exception
classes in other modules.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "GrannskapError",
    "Problem",
    "InputError",
    "ValidationError",
    "UnknownFormatError",
    "UserFileError",
    "DatabaseError",
    "SchemaVersionError",
    "FetchError",
    "ConfigError",
    "DataNotFoundError",
    "EstimationError",
    "PdfUnavailable",
    "OutputError",
    "OptionalDependencyError",
    "HttpError",
    "GrannskapWarning",
    "DataQualityWarning",
    "EstimationWarning",
    "ReportWarning",
    "SectionWarning",
]


class GrannskapError(Exception):
    """Base class of every error grannskap raises on purpose."""

    exit_code: int = 1

    def lines(self) -> list[str]:
        """One human-readable line per problem, for the CLI."""
        return [str(self)]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the format allows.

    ``row`` and ``column`` are as a person sees them in the file (1-based rows, the column's
    letter or header name); ``None`` when the problem concerns the file as a whole.
    """

    file: str
    reason: str
    row: int | None = None
    column: str | None = None
    value: object = None
    expected: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        text = f"{where}: {self.reason}"
        if self.value is not None:
            text += f" (got {self.value!r}"
            text += f"; expected {self.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {self.expected})"
        return text


class InputError(GrannskapError):
    """A single problem with an input file or value."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem

    @property
    def problems(self) -> list[Problem]:
        return [self.problem]


class ValidationError(GrannskapError):
    """All problems found in one input, collected before raising (lazy validation)."""

    def __init__(self, problems: Sequence[Problem], *, limit_shown: int = 50) -> None:
        if not problems:
            raise ValueError("ValidationError needs at least one problem")
        self.problems = list(problems)
        self.limit_shown = limit_shown
        head = f"{len(self.problems)} problem(s) in {self.problems[0].file}"
        super().__init__(head + ": " + str(self.problems[0]))

    def lines(self) -> list[str]:
        shown = [str(p) for p in self.problems[: self.limit_shown]]
        rest = len(self.problems) - len(shown)
        if rest > 0:
            shown.append(f"... and {rest} more problem(s)")
        return shown

    @classmethod
    def raise_if_any(cls, problems: Iterable[Problem]) -> None:
        found = list(problems)
        if found:
            raise cls(found)


class UnknownFormatError(InputError):
    """A file whose format no importer recognises."""


class UserFileError(InputError):
    """A problem in a user's own data file (``segregation --input``): a bad or negative count,
    a total smaller than its groups, a unit twice, a missing column, unusable coordinates."""


class DatabaseError(GrannskapError):
    """The database file cannot be opened or used (corrupt, locked, wrong version)."""


class SchemaVersionError(DatabaseError):
    """The database was written by a newer grannskap than this one."""


class FetchError(GrannskapError):
    """A remote source could not be read completely; nothing partial was stored."""

    def __init__(self, message: str, *, url: str | None = None, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class ConfigError(GrannskapError):
    """An option, profile or programme setting that is not valid."""


class DataNotFoundError(GrannskapError):
    """The requested area, indicator, year or intervention is not in the database."""


class EstimationError(GrannskapError):
    """A design cannot be estimated on the given data (say why, never return a silent number)."""


class PdfUnavailable(GrannskapError):
    """The PDF cannot be written here (no Chromium, or Chromium failed)."""


class OutputError(GrannskapError):
    """An output file could not be written completely (disk full, no permission, bad PDF);
    the previous file, if any, is left in place."""


class HttpError(GrannskapError):
    """A dashboard request that cannot be answered: HTTP ``status`` with a message and a hint."""

    def __init__(self, status: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.hint = hint


class OptionalDependencyError(GrannskapError, ImportError):
    """An optional extra is needed for this feature."""

    def __init__(self, package: str, extra: str) -> None:
        super().__init__(
            f"this feature needs the optional package {package!r}: "
            f"install it with `pip install 'grannskap[{extra}]'`"
        )
        self.package = package
        self.extra = extra


class GrannskapWarning(UserWarning):
    """Base class of grannskap's warnings."""


class DataQualityWarning(GrannskapWarning):
    """Data were usable but something about them deserves the analyst's attention."""


class EstimationWarning(GrannskapWarning):
    """An estimate was produced but an assumption is doubtful (stated in the verdict too)."""


class ReportWarning(GrannskapWarning):
    """An output format could not be written (e.g. no Chromium for the PDF)."""


class SectionWarning(GrannskapWarning):
    """A report section could not be built and is shown as 'not available'."""
