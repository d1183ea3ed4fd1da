"""SCB key files (*kopplingstabeller*) between area divisions, e.g. DeSO 2018 -> RegSO 2020.

The key gives every DeSO its RegSO (code and name) and kommun (code and name). Loading it
creates the areas of all three levels with their names and parent links, and the crosswalk.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd

from grannskap.errors import InputError, Problem, ValidationError
from grannskap.geography.codes import DESO_RE, KOMMUN_RE, REGSO_RE
from grannskap.ingest.csvio import read_csv_records
from grannskap.store.keys import load_keyfile

__all__ = ["KeyFile", "looks_like_keyfile", "parse_keyfile", "load_keyfile"]

_REQUIRED = ("Kommun", "Kommunnamn", "DeSO_2018", "RegSO_2020", "RegSOkod_2020")


@dataclass
class KeyFile:
    file_name: str
    file_hash: str
    frame: pd.DataFrame  # columns kommun, kommun_name, deso, regso, regso_name
    from_system: str = "deso2018"
    to_system: str = "regso2020"


def _header(data: bytes) -> list[str]:
    first = data.decode("utf-8-sig", errors="replace").splitlines()[0] if data else ""
    return [h.strip() for h in first.split(",")]


def looks_like_keyfile(data: bytes) -> bool:
    return all(col in _header(data) for col in _REQUIRED)


def parse_keyfile(data: bytes, file_name: str) -> KeyFile:
    """Parse SCB's DeSO 2018 -> RegSO 2020 key (columns ``Kommun,Kommunnamn,DeSO_2018,RegSO_2020,RegSOkod_2020``)."""
    problems: list[Problem] = []
    records = []
    seen: dict[str, int] = {}
    for line, row in read_csv_records(data, file_name, _REQUIRED):
        kommun, deso, regso = (
            row["Kommun"].strip(),
            row["DeSO_2018"].strip(),
            row["RegSOkod_2020"].strip(),
        )
        checks = [
            ("Kommun", kommun, KOMMUN_RE, "a four-digit kommun code"),
            ("DeSO_2018", deso, DESO_RE, "a DeSO code such as 1490C1010"),
            ("RegSOkod_2020", regso, REGSO_RE, "a RegSO code such as 1490R003"),
        ]
        ok = True
        for col, value, pattern, expected in checks:
            if not pattern.match(value):
                problems.append(
                    Problem(
                        file_name,
                        "malformed code",
                        row=line,
                        column=col,
                        value=value,
                        expected=expected,
                    )
                )
                ok = False
        if ok and not (deso.startswith(kommun) and regso.startswith(kommun)):
            problems.append(
                Problem(
                    file_name,
                    "DeSO/RegSO code does not lie in the row's kommun",
                    row=line,
                    column="DeSO_2018",
                    value=deso,
                    expected=f"a code starting with {kommun}",
                )
            )
            ok = False
        if ok and deso in seen:
            problems.append(
                Problem(
                    file_name,
                    f"duplicate DeSO (first on row {seen[deso]})",
                    row=line,
                    column="DeSO_2018",
                    value=deso,
                    expected="each DeSO once",
                )
            )
            ok = False
        if ok:
            seen[deso] = line
            records.append(
                (kommun, row["Kommunnamn"].strip(), deso, regso, row["RegSO_2020"].strip())
            )
    ValidationError.raise_if_any(problems)
    if not records:
        raise InputError(
            Problem(file_name, "the key file has no rows", expected="one row per DeSO")
        )
    frame = pd.DataFrame.from_records(
        records, columns=["kommun", "kommun_name", "deso", "regso", "regso_name"]
    )
    return KeyFile(file_name, hashlib.sha256(data).hexdigest(), frame)
