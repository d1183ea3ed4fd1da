"""Typed, collecting access to the values of a programme file (used by ``programme.py``).

Every accessor checks the type of one value and, when it is wrong, records a
:class:`~grannskap.errors.Problem` naming the file, the field (``interventions[2].start_year``),
the value (abridged) and what was expected, and returns a default; the parser raises all
problems at once as a :class:`~grannskap.errors.ValidationError` (issue 18, finding 9).
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal
from typing import Any

from grannskap.errors import Problem

__all__ = ["Fields", "UNKNOWN_YEAR", "depth_over", "show"]

UNKNOWN_YEAR = {"unknown", "okänt", "okänd", "okant", "okand"}
"""How an area entry says that the year an intervention reached it is not known."""
_MAX_AMOUNT = Decimal("1e16")
"""Amounts are stored as DECIMAL(18, 2): anything this large is a typing error, not a budget."""


def depth_over(doc: Any, limit: int) -> bool:
    """Whether ``doc`` nests lists/mappings deeper than ``limit`` (iterative: no recursion)."""
    stack = [(doc, 1)]
    while stack:
        obj, depth = stack.pop()
        if isinstance(obj, dict | list):
            if depth > limit:
                return True
            stack.extend((v, depth + 1) for v in (obj.values() if isinstance(obj, dict) else obj))
    return False


def show(value: Any) -> Any:
    """``value`` as it may appear in a message: scalars as they are, containers abridged."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, str):
        return value if len(value) <= 80 else value[:77] + "..."
    if isinstance(value, dict):
        return f"a mapping with keys {[str(k)[:20] for k in list(value)[:5]]}"
    if isinstance(value, list):
        return f"a list of {len(value)} item(s)"
    return type(value).__name__


class Fields:
    """Typed access to a programme document's values, collecting one Problem per bad value."""

    def __init__(self, file_name: str) -> None:
        self.file_name = file_name
        self.problems: list[Problem] = []

    def bad(self, column: str, reason: str, value: Any, expected: str) -> None:
        self.problems.append(
            Problem(self.file_name, reason, column=column, value=show(value), expected=expected)
        )

    def entries(
        self, obj: dict[str, Any], key: str, where: str
    ) -> list[tuple[int, dict[str, Any]]]:
        """The mappings of the list ``obj[key]`` with their index (a missing key is an empty list)."""
        value = obj.get(key)
        col = f"{where}.{key}" if where else key
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad(col, f"'{key}' must be a list", value, "a list of mappings")
            return []
        out = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                out.append((i, item))
            else:
                self.bad(f"{col}[{i}]", "an entry must be a mapping", item, "key: value pairs")
        return out

    def mapping(self, obj: dict[str, Any], key: str, where: str) -> dict[str, Any] | None:
        value = obj.get(key)
        if value is None or isinstance(value, dict):
            return value
        self.bad(f"{where}.{key}", f"'{key}' must be a mapping", value, "key: value pairs")
        return None

    def ident(
        self, obj: dict[str, Any], key: str, where: str, *, required: bool = False
    ) -> str | None:
        """An id or a reference to one: text or a whole number, returned as text."""
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.bad(f"{where}.{key}", f"missing '{key}'", None, f"a value for {key}")
            return None
        if isinstance(value, str) and value.strip() and len(value) <= 200:
            return value.strip()
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        self.bad(
            f"{where}.{key}", "not an id", value, "text or a whole number (at most 200 characters)"
        )
        return None

    def text(
        self,
        obj: dict[str, Any],
        key: str,
        where: str,
        *,
        required: bool = False,
        default: str | None = None,
    ) -> str | None:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.bad(f"{where}.{key}", f"missing '{key}'", None, f"a value for {key}")
            return default
        if isinstance(value, str):
            return value
        if isinstance(value, bool):
            self.bad(f"{where}.{key}", "not text", value, "text")
            return default
        if isinstance(value, int | Decimal) or (isinstance(value, float) and math.isfinite(value)):
            return str(value)
        if isinstance(value, datetime.date | datetime.time):
            return value.isoformat()
        self.bad(f"{where}.{key}", "not text", value, "text")
        return default

    def year(
        self,
        obj: dict[str, Any],
        key: str,
        where: str,
        default: Any = None,
        *,
        unknown: bool = False,
    ) -> Any:
        """A year (1900–2100), None when absent; ``unknown`` lets 'unknown'/'okänt' mean NULL."""
        if key not in obj or obj[key] is None:
            return default
        value = obj[key]
        if unknown and isinstance(value, str) and value.strip().lower() in UNKNOWN_YEAR:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and 1900 <= value <= 2100:
            return value
        self.bad(
            f"{where}.{key}",
            "not a year",
            value,
            "a year such as 2023" + (" or unknown" if unknown else ""),
        )
        return default

    def ident_list(self, obj: dict[str, Any], key: str, where: str) -> list[str]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.bad(
                f"{where}.{key}", f"'{key}' must be a list", value, "a list of ids, e.g. [E01, E02]"
            )
            return []
        out = []
        for j, item in enumerate(value):
            if isinstance(item, str) and item.strip() and len(item) <= 200:
                out.append(item.strip())
            elif isinstance(item, int) and not isinstance(item, bool):
                out.append(str(item))
            else:
                self.bad(f"{where}.{key}[{j}]", "not an id", item, "text or a whole number")
        return out

    def boolean(self, obj: dict[str, Any], key: str, where: str, default: bool) -> bool:
        value = obj.get(key, default)
        if isinstance(value, bool):
            return value
        self.bad(f"{where}.{key}", "not true or false", value, "true or false")
        return default

    def amount(self, value: Any, column: str) -> Decimal | None:
        try:
            from grannskap.ingest.programme import parse_amount

            amount = parse_amount(value)
            if not amount.is_finite() or abs(amount) >= _MAX_AMOUNT:
                raise ValueError(value)
            return amount
        except (ValueError, ArithmeticError):
            self.bad(
                column,
                "not an amount",
                value,
                "a finite number below 10^16 or Swedish text such as '4 606 150' or '34,8 milj'",
            )
            return None

    def check_unknown(self, ref: str | None, known: set[str], column: str, what: str) -> None:
        if ref is not None and ref not in known:
            self.bad(column, f"unknown {what}", ref, f"one of {sorted(known)[:20]}")

    def check_unique(self, ids: list[str | None], column: str, what: str) -> None:
        seen: set[str] = set()
        for i, x in enumerate(ids):
            if x is not None and x in seen:
                self.bad(
                    f"{column}[{i}].id", f"the {what} id appears twice in the file", x, "unique ids"
                )
            if x is not None:
                seen.add(x)
