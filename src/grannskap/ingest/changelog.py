"""SCB's change logs and keys between DeSO/RegSO versions (the 2025 revision).

Three CSV layouts, as SCB publishes them (extracts for Borås in ``data/scb_andringar/``):

- *Historiska förändringar i RegSO*: ``kommun,kommun_name,old_code,old_name,new_code,new_name,
  change,date`` — RegSO 2020 → RegSO 2025, one row per change;
- *Historiska förändringar i DeSO*: ``fran,till,typ,datum`` — DeSO 2018 → DeSO 2025;
- the key DeSO 2025 → RegSO 2025: ``deso_2025,regso_2025``.

The parser is pure (bytes → :class:`ChangeLog`); :func:`grannskap.store.changes.load_changelog`
stores it. Every code is checked against the DeSO/RegSO patterns and every date parsed; all
problems are collected and reported with file, row, column and value.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from grannskap.errors import Problem, ValidationError
from grannskap.geography.codes import DESO_RE, REGSO_RE
from grannskap.ingest.csvio import read_csv_records

__all__ = ["ChangeLog", "LAYOUTS", "looks_like_changelog", "parse_changelog"]

Kind = Literal["regso_changes", "deso_changes", "deso_regso_key_2025"]

LAYOUTS: dict[Kind, tuple[str, ...]] = {
    "regso_changes": (
        "kommun", "kommun_name", "old_code", "old_name", "new_code", "new_name", "change", "date",
    ),
    "deso_changes": ("fran", "till", "typ", "datum"),
    "deso_regso_key_2025": ("deso_2025", "regso_2025"),
}  # fmt: skip


@dataclass
class ChangeLog:
    """A parsed change log (``changes``) or 2025 key (``key``)."""

    kind: Kind
    file_name: str
    file_hash: str
    # from_system, from_code, to_system, to_code, change, changed_on (changes);
    # deso, regso, regso_name (key; regso_name may be empty)
    frame: pd.DataFrame

    @property
    def title(self) -> str:
        return {
            "regso_changes": "SCB: Historiska förändringar i RegSO (2020 → 2025)",
            "deso_changes": "SCB: Historiska förändringar i DeSO (2018 → 2025)",
            "deso_regso_key_2025": "SCB: nyckel DeSO 2025 – RegSO 2025",
        }[self.kind]


def _header(data: bytes) -> tuple[str, ...]:
    first = data[:1000].decode("utf-8-sig", errors="replace").splitlines()
    if not first:
        return ()
    return tuple(c.strip().strip('"').lower() for c in first[0].split(","))


def looks_like_changelog(data: bytes) -> bool:
    return _header(data) in LAYOUTS.values()


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def parse_changelog(data: bytes, file_name: str) -> ChangeLog:
    """Parse one of the three layouts; :class:`ValidationError` lists every bad cell."""
    header = _header(data)
    kind = next((k for k, cols in LAYOUTS.items() if cols == header), None)
    if kind is None:
        raise ValidationError(
            [
                Problem(
                    file_name,
                    "not an SCB change log or 2025 key",
                    row=1,
                    value=",".join(header),
                    expected=" or ".join(",".join(c) for c in LAYOUTS.values()),
                )
            ]
        )
    records = read_csv_records(data, file_name, LAYOUTS[kind])
    problems: list[Problem] = []

    def code(row: int, col: str, value: str, pattern: object, what: str) -> str:
        value = value.strip()
        if not pattern.match(value):  # type: ignore[attr-defined]
            problems.append(
                Problem(file_name, f"not a {what} code", row=row, column=col, value=value,
                        expected=f"a {what} code such as " + ("1490R001" if what == "RegSO" else "1490C1020"))
            )  # fmt: skip
        return value

    rows: list[tuple[object, ...]] = []
    for line, rec in records:
        if kind == "deso_regso_key_2025":
            rows.append(
                (
                    code(line, "deso_2025", rec["deso_2025"], DESO_RE, "DeSO"),
                    code(line, "regso_2025", rec["regso_2025"], REGSO_RE, "RegSO"),
                    "",
                )
            )
            continue
        if kind == "regso_changes":
            old = code(line, "old_code", rec["old_code"], REGSO_RE, "RegSO")
            new = code(line, "new_code", rec["new_code"], REGSO_RE, "RegSO")
            change, when, date_col = rec["change"].strip(), rec["date"], "date"
            systems = ("regso2020", "regso2025")
        else:
            old = code(line, "fran", rec["fran"], DESO_RE, "DeSO")
            new = code(line, "till", rec["till"], DESO_RE, "DeSO")
            change, when, date_col = rec["typ"].strip(), rec["datum"], "datum"
            systems = ("deso2018", "deso2025")
        day = _date(when)
        if day is None:
            problems.append(
                Problem(file_name, "not a date", row=line, column=date_col, value=when,
                        expected="YYYY-MM-DD, e.g. 2025-01-01")
            )  # fmt: skip
        if not change:
            problems.append(
                Problem(file_name, "empty change", row=line,
                        column="change" if kind == "regso_changes" else "typ", value=change,
                        expected="SCB's description of the change")
            )  # fmt: skip
        rows.append((systems[0], old, systems[1], new, change, day))
    ValidationError.raise_if_any(problems)
    if kind == "deso_regso_key_2025":
        frame = pd.DataFrame(rows, columns=["deso", "regso", "regso_name"])
        dup = frame[frame.duplicated("deso", keep=False)]
        if len(dup):
            raise ValidationError(
                [
                    Problem(file_name, "DeSO listed twice in the key", value=str(dup["deso"].iloc[0]),
                            expected="each DeSO 2025 in exactly one RegSO 2025")
                ]
            )  # fmt: skip
    else:
        frame = pd.DataFrame(
            rows,
            columns=["from_system", "from_code", "to_system", "to_code", "change", "changed_on"],
        ).drop_duplicates(["from_system", "from_code", "to_system", "to_code", "change"])
    return ChangeLog(kind, file_name, hashlib.sha256(data).hexdigest(), frame)
