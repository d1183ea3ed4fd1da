"""Kolada v3 data responses (https://api.kolada.se/v3, RKA) as observations.

A data page is ``{"count": n, "values": [...], "next_url": url | null}``; each entry of
``values`` is one KPI x municipality x period with a list of per-gender values
``{"gender": "T" | "K" | "M", "count": int, "status": str, "value": number | null}``
(see ``shared/api_reference/kolada/STRUCTURE.md`` and the Kolada v2 reference, github
Hypergene/kolada, whose schema v3 keeps). A fetched series is a list of such pages; a file on
disk may hold one page or a JSON array of pages.

Mapping: ``indicator_id = "kolada.<kpi>"``, ``area_code`` = Kolada's municipality id as published
(``"1490"`` Borås, ``"0000"`` Riket, ``"0014"`` Västra Götalandsregionen), ``year = period``,
``breakdown = ""`` for gender T and ``"kon=K"`` / ``"kon=M"`` otherwise, ``value = null`` ->
status ``missing``. Licence CC BY 4.0, "Källa: Kolada (RKA)".
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

import numpy as np
import pandas as pd

from grannskap.errors import InputError, Problem, ValidationError
from grannskap.ingest.jsonio import load_json
from grannskap.ingest.model import AreaDef, IndicatorDef, ParsedTable, empty_observations

__all__ = ["KOLADA_ATTRIBUTION", "GENDER_BREAKDOWN", "parse_kolada", "kolada_area_system"]

KOLADA_ATTRIBUTION = "Källa: Kolada (RKA), CC BY 4.0"
GENDER_BREAKDOWN: dict[str, str] = {"T": "", "K": "kon=K", "M": "kon=M"}

_MUNICIPALITY = re.compile(r"^\d{4}$")
_KPI = re.compile(r"^[A-Z]\d{5}$")


def parse_kolada(
    data: bytes | Sequence[bytes],
    file_name: str,
    *,
    kpi_titles: Mapping[str, str] | None = None,
) -> ParsedTable:
    """Parse one Kolada v3 data page, a JSON array of pages, or a list of page bytes.

    Parameters
    ----------
    data
        Raw bytes of one response (or of a file holding a JSON array of pages), or a list
        of raw page bytes as fetched (the order of pages does not matter).
    file_name
        Name used in problem reports and as provenance.
    kpi_titles
        Optional KPI id -> title (from ``/v3/kpi/{id}``), used as the indicator names.

    Returns
    -------
    ParsedTable
        ``source="kolada"``, ``table_id`` = the KPI id (ids joined by ``+`` when several).

    Raises
    ------
    InputError
        Not JSON, or empty.
    ValidationError
        All problems found (wrong shapes, unknown gender, non-numeric value, duplicate keys).
    """
    pages: list[tuple[str, Any]] = []
    if isinstance(data, bytes | bytearray | memoryview):
        raw_all = bytes(data)
        doc = load_json(raw_all, file_name)
        if isinstance(doc, list):
            pages = [(f"[{i}]", p) for i, p in enumerate(doc)]
        else:
            pages = [("", doc)]
    elif isinstance(data, Sequence) and not isinstance(data, str):
        if not data:
            raise InputError(
                Problem(file_name, "no pages given", expected="at least one Kolada page")
            )
        h = hashlib.sha256()
        for i, page in enumerate(cast(Sequence[bytes], data)):
            name = f"{file_name} (page {i + 1})"
            pages.append((f"[{i}]", load_json(page, name)))  # raises unless bytes
            h.update(hashlib.sha256(bytes(page)).digest())
        raw_all = h.hexdigest().encode()
    else:
        raise InputError(
            Problem(
                file_name,
                "not bytes or a list of pages",
                value=type(data).__name__,
                expected="bytes",
            )
        )

    problems: list[Problem] = []

    def bad(
        reason: str,
        column: str,
        value: object = None,
        expected: str | None = None,
        row: int | None = None,
    ) -> None:
        problems.append(
            Problem(file_name, reason, row=row, column=column, value=value, expected=expected)
        )

    rows: list[tuple[str, str, int, str, float, str]] = []
    seen: dict[tuple[str, str, int, str], str] = {}
    n_entry = 0
    for prefix, page in pages:
        if not isinstance(page, dict) or not isinstance(page.get("values"), list):
            bad(
                "not a Kolada data page",
                prefix or "$",
                type(page).__name__,
                'an object with a "values" array',
            )
            continue
        for i, entry in enumerate(page["values"]):
            n_entry += 1
            path = f"{prefix}values[{i}]"
            if not isinstance(entry, dict):
                bad("entry is not an object", path, type(entry).__name__, "an object", row=n_entry)
                continue
            if "ou" in entry:
                bad(
                    "organisational-unit data is not supported",
                    f"{path}.ou",
                    entry.get("ou"),
                    "municipality data (/data/kpi/…/municipality/…)",
                    row=n_entry,
                )
                continue
            kpi, muni, period = entry.get("kpi"), entry.get("municipality"), entry.get("period")
            ok = True
            if not isinstance(kpi, str) or not _KPI.match(kpi):
                bad(
                    "invalid KPI id",
                    f"{path}.kpi",
                    kpi,
                    "a Kolada KPI id such as N00945",
                    row=n_entry,
                )
                ok = False
            if not isinstance(muni, str) or not _MUNICIPALITY.match(muni):
                bad(
                    "invalid municipality id",
                    f"{path}.municipality",
                    muni,
                    'a four-digit id such as "1490" or "0000"',
                    row=n_entry,
                )
                ok = False
            if isinstance(period, str) and period.isdigit():
                period = int(period)
            if (
                isinstance(period, bool)
                or not isinstance(period, int)
                or not 1900 <= period <= 2100
            ):
                bad("invalid period", f"{path}.period", period, "a year such as 2023", row=n_entry)
                ok = False
            gvals = entry.get("values")
            if not isinstance(gvals, list):
                bad(
                    "`values` is missing or not an array",
                    f"{path}.values",
                    type(gvals).__name__,
                    "an array of per-gender values",
                    row=n_entry,
                )
                continue
            for j, gv in enumerate(gvals):
                gpath = f"{path}.values[{j}]"
                if not isinstance(gv, dict):
                    bad(
                        "gender value is not an object",
                        gpath,
                        type(gv).__name__,
                        "an object",
                        row=n_entry,
                    )
                    continue
                gender = gv.get("gender")
                if not isinstance(gender, str) or gender not in GENDER_BREAKDOWN:
                    bad("unknown gender", f"{gpath}.gender", gender, "T, K or M", row=n_entry)
                    continue
                v = gv.get("value")
                if v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
                    bad(
                        "value is not a number",
                        f"{gpath}.value",
                        v,
                        "a number or null",
                        row=n_entry,
                    )
                    continue
                status = gv.get("status", "")
                if status is not None and not isinstance(status, str):
                    bad(
                        "status is not a string", f"{gpath}.status", status, "a string", row=n_entry
                    )
                    continue
                if gv.get("isdeleted") is True:
                    continue  # Kolada marks withdrawn values; they are not data
                if not ok:
                    continue
                key = (str(kpi), str(muni), int(cast(int, period)), GENDER_BREAKDOWN[gender])
                if key in seen:
                    bad(
                        "duplicate value",
                        gpath,
                        f"{kpi} {muni} {period} {gender}",
                        f"one value per KPI, municipality, year and gender (first at {seen[key]})",
                        row=n_entry,
                    )
                    continue
                seen[key] = gpath
                value = float("nan") if v is None else float(v)
                rows.append(
                    (
                        f"kolada.{key[0]}",
                        key[1],
                        key[2],
                        GENDER_BREAKDOWN[gender],
                        value,
                        "missing" if v is None else "ok",
                    )
                )
    ValidationError.raise_if_any(problems)

    obs = empty_observations()
    if rows:
        ind, area, year, brk, val, st = zip(*rows, strict=True)
        obs = pd.DataFrame(
            {
                "indicator_id": pd.array(ind, dtype="string"),
                "area_code": pd.array(area, dtype="string"),
                "year": np.asarray(year, dtype="int64"),
                "breakdown": pd.array(brk, dtype="string"),
                "value": np.asarray(val, dtype="float64"),
                "numerator": np.full(len(rows), np.nan),
                "denominator": np.full(len(rows), np.nan),
                "status": pd.array(st, dtype="string"),
            }
        )
    kpis = sorted({r[0].removeprefix("kolada.") for r in rows})
    titles = dict(kpi_titles or {})
    indicators = [
        IndicatorDef(indicator_id=f"kolada.{k}", name_sv=titles.get(k, k), source_table=k)
        for k in kpis
    ]
    areas = [AreaDef(code=m, system=kolada_area_system(m)) for m in sorted({r[1] for r in rows})]
    table_id = "+".join(kpis)
    title = titles.get(table_id, "") if len(kpis) == 1 else ""
    return ParsedTable(
        source="kolada",
        table_id=table_id,
        title=title or f"Kolada {table_id}",
        file_name=file_name,
        file_hash=hashlib.sha256(raw_all).hexdigest(),
        observations=obs,
        indicators=indicators,
        areas=areas,
        notes=[KOLADA_ATTRIBUTION],
        year=max((r[2] for r in rows), default=None),
    )


def kolada_area_system(code: str) -> str:
    """Kolada ids: ``"0000"`` Riket, ``"00LL"`` region (län), other four digits kommun."""
    if code == "0000":
        return "riket"
    if code.startswith("00"):
        return "lan"
    return "kommun"
