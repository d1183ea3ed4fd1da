"""A municipality's RegSO overview: official *områdestyp* per RegSO and year, and focus areas.

Format (one row per RegSO): ``regsokod, regsonamn, omradestyp_<year>..., deso_2018_codes,
folkmangd_<year>, focus_area``. The official types become observations of the indicator
``scb.omradestyp`` (SCB table "Områdestyp per RegSO", internal reference 000005QX); the
``focus_area`` column defines user-defined *stadsdelar* (code = ASCII name) with a crosswalk
RegSO -> stadsdel.
"""

from __future__ import annotations

import hashlib
import re

import pandas as pd

from grannskap.errors import InputError, Problem, ValidationError
from grannskap.geography.codes import REGSO_RE
from grannskap.ingest.csvio import read_csv_records
from grannskap.ingest.model import IndicatorDef, ParsedTable
from grannskap.ingest.scb_export import slug

__all__ = ["OFFICIAL_TYPE_INDICATOR", "looks_like_overview", "parse_overview"]

OFFICIAL_TYPE_INDICATOR = "scb.omradestyp"
_TYPE_COL = re.compile(r"^omradestyp_(\d{4})$")


def looks_like_overview(data: bytes) -> bool:
    head = data[:500].decode("utf-8-sig", errors="replace").splitlines()[:1]
    return bool(head) and head[0].startswith("regsokod,") and "omradestyp_" in head[0]


def parse_overview(data: bytes, file_name: str) -> tuple[ParsedTable, pd.DataFrame]:
    """Official types as a ParsedTable, and the focus-area crosswalk (regso, stadsdel code, name)."""
    csv_rows = read_csv_records(data, file_name, ("regsokod",))
    cols = list(csv_rows[0][1]) if csv_rows else []
    type_cols = [(c, int(m.group(1))) for c in cols if (m := _TYPE_COL.match(c))]
    if "regsokod" not in cols or not type_cols:
        raise InputError(
            Problem(
                file_name, "not a RegSO overview", expected="columns regsokod and omradestyp_<year>"
            )
        )
    problems: list[Problem] = []
    records: list[tuple[str, int, float | None, str]] = []
    focus: list[tuple[str, str, str, str]] = []
    for line, row in csv_rows:
        code = row["regsokod"].strip()
        if not REGSO_RE.match(code):
            problems.append(
                Problem(
                    file_name,
                    "not a RegSO code",
                    row=line,
                    column="regsokod",
                    value=code,
                    expected="a code such as 1490R003",
                )
            )
            continue
        for col, year in type_cols:
            raw = (row.get(col) or "").strip()
            if raw in ("", ".."):
                records.append((code, year, None, "missing"))
            elif raw in {"1", "2", "3", "4", "5"}:
                records.append((code, year, float(raw), "ok"))
            else:
                problems.append(
                    Problem(
                        file_name,
                        "not an områdestyp",
                        row=line,
                        column=col,
                        value=raw,
                        expected="1, 2, 3, 4 or 5",
                    )
                )
        name = (row.get("focus_area") or "").strip()
        if name:
            focus.append((code, slug(name), name, (row.get("regsonamn") or "").strip()))
    ValidationError.raise_if_any(problems)
    obs = pd.DataFrame.from_records(records, columns=["area_code", "year", "value", "status"])
    obs["indicator_id"] = OFFICIAL_TYPE_INDICATOR
    obs["breakdown"] = ""
    obs["numerator"] = float("nan")
    obs["denominator"] = float("nan")
    parsed = ParsedTable(
        source="scb",
        table_id="000005QX",
        title="Områdestyp per RegSO (SCB/Delmos), officiell",
        file_name=file_name,
        file_hash=hashlib.sha256(data).hexdigest(),
        observations=obs,
        indicators=[
            IndicatorDef(
                OFFICIAL_TYPE_INDICATOR,
                name_sv="Områdestyp (SCB, officiell)",
                name_en="Area type (SCB, official)",
                unit="typ 1–5",
                kind="other",
                source_table="SCB Statistikdatabasen 000005QX: Områdestyp per RegSO",
                higher_is_better=True,
            )
        ],
    )
    return parsed, pd.DataFrame.from_records(
        focus, columns=["regso", "stadsdel", "stadsdel_name", "regso_name"]
    )
