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
from grannskap.store.connection import transaction
from grannskap.store.load import LoadResult, already_imported

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


def load_keyfile(con, key: KeyFile) -> LoadResult:  # type: ignore[no-untyped-def]
    """Create kommun/RegSO/DeSO areas with names and parents, and the DeSO -> RegSO crosswalk."""
    previous = already_imported(con, key.file_hash)
    if previous is not None:
        return LoadResult(key.file_name, "koppling", previous, 0, skipped=True)
    f = key.frame
    kommuner = f[["kommun", "kommun_name"]].drop_duplicates("kommun")
    regsos = f[["regso", "regso_name", "kommun"]].drop_duplicates("regso")
    with transaction(con):
        row = con.execute(
            "INSERT INTO provenance (source, table_id, title, file_name, file_hash, row_count) "
            "VALUES ('scb', 'koppling_deso2018_regso2020', 'SCB: nyckel DeSO 2018 – RegSO 2020', ?, ?, ?) "
            "RETURNING import_id",
            [key.file_name, key.file_hash, len(f)],
        ).fetchone()
        import_id = int(row[0])  # type: ignore[index]
        con.register("_k", kommuner)
        con.register("_r", regsos)
        con.register("_d", f)
        try:
            con.execute(
                "INSERT OR IGNORE INTO area (system, code, name, kommun_code, import_id) "
                "VALUES ('riket', '00', 'Riket', '', ?)",
                [import_id],
            )
            con.execute(
                "INSERT OR REPLACE INTO area (system, code, name, parent_system, parent_code, kommun_code, import_id) "
                "SELECT 'kommun', kommun, kommun_name, 'lan', substr(kommun, 1, 2), kommun, ? FROM _k",
                [import_id],
            )
            con.execute(
                "INSERT OR REPLACE INTO area (system, code, name, parent_system, parent_code, kommun_code, import_id) "
                "SELECT ?, regso, regso_name, 'kommun', kommun, kommun, ? FROM _r",
                [key.to_system, import_id],
            )
            con.execute(
                "INSERT OR REPLACE INTO area (system, code, name, parent_system, parent_code, kommun_code, import_id) "
                "SELECT ?, deso, NULL, ?, regso, kommun, ? FROM _d",
                [key.from_system, key.to_system, import_id],
            )
            con.execute(
                "INSERT OR REPLACE INTO crosswalk (from_system, from_code, to_system, to_code, weight, import_id) "
                "SELECT ?, deso, ?, regso, 1.0, ? FROM _d",
                [key.from_system, key.to_system, import_id],
            )
        finally:
            for name in ("_k", "_r", "_d"):
                con.unregister(name)
    return LoadResult(
        key.file_name, "koppling_deso2018_regso2020", import_id, len(f), skipped=False
    )
