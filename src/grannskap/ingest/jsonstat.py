"""JSON-stat 2 datasets as served by SCB's PxWebApi v2 (``outputFormat=json-stat2``).

A JSON-stat 2 dataset stores a dense (or sparse) cube: ``id`` lists the dimensions in the
order their indices vary (the last one fastest, row-major), ``size`` their lengths,
``dimension[d].category.index`` the position of each value code, ``value`` the cells and
``status`` the per-cell markers (SCB: ``".."`` = not available). See the JSON-stat 2.0
specification, https://json-stat.org/full/ (sections *id*, *size*, *value*, *status*), and the
PxWebApi 2 OpenAPI schema ``Dataset`` (github PxTools/PxApiSpecs).

The parser is pure: bytes in, :class:`~grannskap.ingest.model.ParsedTable` out. Every problem
in the file is collected and raised together as :class:`~grannskap.errors.ValidationError`;
malformed JSON is one :class:`~grannskap.errors.InputError` naming the position. The JSON path
of a problem (``value[17]``) is given as its column, the cell index as its row.

:func:`sniff` (from :mod:`grannskap.ingest.jsonio`, re-exported here) tells the two JSON
formats grannskap reads apart (JSON-stat 2 and Kolada v3) so that ``grannskap import`` can
dispatch on content, not on the file name.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from grannskap.errors import Problem, ValidationError
from grannskap.ingest.jsonio import JsonFormat, load_json, sniff
from grannskap.ingest.model import AreaDef, IndicatorDef, ParsedTable, empty_observations

__all__ = [
    "JsonFormat",
    "SCB_STATUS",
    "TOTAL_CODES",
    "load_json",
    "sniff",
    "parse_jsonstat2",
    "area_system",
]

SCB_STATUS: dict[str, str] = {
    "": "ok",
    "..": "missing",  # uppgift inte tillgänglig eller för osäker för att anges
    ".": "suppressed",  # uppgift kan inte förekomma / sekretess (model.STATUSES)
    "x": "suppressed",  # sekretess
    "X": "suppressed",
    "-": "zero",  # inget finns att redovisa
    "*": "preliminary",
    "p": "preliminary",
}
"""SCB's cell markers (Statistikdatabasen, "Teckenförklaring") mapped to ``model.STATUSES``."""

TOTAL_CODES: frozenset[str] = frozenset({"tot", "totalt", "total", "1+2", "sa", "totsa", "t"})
"""Value codes (lower-cased) SCB uses for the total of a breakdown variable."""

MAX_CELLS = 50_000_000
"""Largest cube accepted (SCB serves at most 150,000 cells per call; merged fetches stay far below)."""

_TIME_NAMES = ("tid", "time", "år", "ar", "year")
_GEO_NAMES = ("region", "geo", "deso", "regso")
_METRIC_NAMES = ("contentscode", "tabellinnehall")
_YEAR = re.compile(r"^\d{4}$")


# --------------------------------------------------------------------------- parsing
def parse_jsonstat2(
    data: bytes, file_name: str, *, table_id: str | None = None, source: str = "scb"
) -> ParsedTable:
    """Parse a JSON-stat 2 dataset (SCB PxWebApi v2) into observations.

    Parameters
    ----------
    data
        The raw bytes of the response or file.
    file_name
        Name used in problem reports and stored as provenance.
    table_id
        SCB table id; by default read from ``extension.px.tableid`` (or ``matrix``).
    source
        Provenance source name.

    Returns
    -------
    ParsedTable
        One observation per cell; ``indicator_id`` is ``scb.<tableid>.<ContentsCode>``,
        ``breakdown`` is built from the dimensions other than region, time and contents
        (``"kon=1;alder=20-64"``; totals are left out, ``""`` when all are totals).

    Raises
    ------
    InputError
        Not JSON, or empty.
    ValidationError
        Every structural or value problem found, collected.
    """
    doc = load_json(data, file_name)
    problems: list[Problem] = []

    def bad(
        reason: str,
        column: str | None = None,
        value: object = None,
        expected: str | None = None,
        row: int | None = None,
    ) -> None:
        problems.append(
            Problem(file_name, reason, row=row, column=column, value=value, expected=expected)
        )

    if not isinstance(doc, dict):
        raise ValidationError(
            [
                Problem(
                    file_name,
                    "the document is not a JSON object",
                    value=type(doc).__name__,
                    expected="a JSON-stat 2 dataset object",
                )
            ]
        )
    if doc.get("class") != "dataset":
        bad("not a JSON-stat 2 dataset", "class", doc.get("class"), '"dataset"')
    version = doc.get("version")
    if version is not None and version != "2.0":
        bad("unsupported JSON-stat version", "version", version, '"2.0"')

    dims = _read_dimensions(doc, bad)
    if dims is None or problems:
        raise ValidationError(problems)
    ids, codes, labels, units = dims
    sizes = [len(c) for c in codes]
    n_cells = math.prod(sizes) if sizes else 0
    if n_cells > MAX_CELLS:
        raise ValidationError(
            [
                Problem(
                    file_name,
                    "the dataset has too many cells",
                    column="size",
                    value=n_cells,
                    expected=f"at most {MAX_CELLS:,}",
                )
            ]
        )

    role = doc.get("role")
    roles: Mapping[str, Any] = role if isinstance(role, dict) else {}
    geo = _role(roles, "geo", ids, _GEO_NAMES)
    time = _role(roles, "time", ids, _TIME_NAMES)
    metric = _role(roles, "metric", ids, _METRIC_NAMES)
    if geo is None:
        bad("no region dimension", "role.geo", ids, "a dimension named Region or with role geo")
    if time is None:
        bad("no time dimension", "role.time", ids, "a dimension named Tid or with role time")

    px = _px_extension(doc)
    tid = table_id or px.get("tableid") or px.get("matrix")
    if not isinstance(tid, str) or not tid.strip():
        bad(
            "no table id in the file",
            "extension.px.tableid",
            tid,
            "an SCB table id such as TAB6571",
        )
        tid = ""

    values, statuses = _read_cells(doc, n_cells, bad)
    years: list[int] = []
    if time is not None:
        for k, code in enumerate(codes[time]):
            if _YEAR.match(code):
                years.append(int(code))
            else:
                years.append(0)
                bad(
                    "time period is not a year",
                    f"dimension.{ids[time]}.category.index",
                    code,
                    "a four-digit year such as 2022",
                    row=k + 1,
                )
    if values is None or statuses is None or geo is None or time is None:
        raise ValidationError(problems)  # not one problem fewer: each None added one

    status_col = np.empty(n_cells, dtype=object)
    status_col[:] = "ok"
    value_col = np.asarray(values, dtype="float64")
    for idx, marker in statuses.items():
        mapped = SCB_STATUS.get(marker)
        if mapped is None:
            bad(
                "unknown status marker",
                f"status[{idx}]",
                marker,
                f"one of {sorted(SCB_STATUS)}",
                row=idx + 1,
            )
            continue
        status_col[idx] = mapped
    nan = np.isnan(value_col)
    for i in np.flatnonzero(nan):
        if status_col[i] == "ok":
            status_col[i] = "missing"
        elif status_col[i] == "zero":
            value_col[i] = 0.0
    for i in np.flatnonzero(~nan & (status_col == "missing")):
        bad(
            "a value is given but marked '..' (missing)",
            f"value[{i}]",
            float(value_col[i]),
            "null for a missing value",
            row=int(i) + 1,
        )
    count_metrics = {
        c for c, u in units.items() if u.lower() in ("antal", "number", "personer", "persons")
    }
    if metric is not None and count_metrics:
        mpos = _positions(sizes, metric)
        is_count = np.isin(np.asarray(codes[metric], dtype=object)[mpos], list(count_metrics))
        for i in np.flatnonzero(is_count & ~nan & (value_col < 0)):
            bad(
                "negative count",
                f"value[{i}]",
                float(value_col[i]),
                "a count >= 0",
                row=int(i) + 1,
            )
    ValidationError.raise_if_any(problems)

    other = [d for d in range(len(ids)) if d not in (geo, time, metric)]
    obs = empty_observations()
    if n_cells:
        area = np.asarray(codes[geo], dtype=object)[_positions(sizes, geo)]
        year = np.asarray(years, dtype="int64")[_positions(sizes, time)]
        if metric is not None:
            ind_codes = np.asarray([f"scb.{tid}.{c}" for c in codes[metric]], dtype=object)
            indicator = ind_codes[_positions(sizes, metric)]
        else:
            indicator = np.full(n_cells, f"scb.{tid}", dtype=object)
        breakdown = np.full(n_cells, "", dtype=object)
        for d in other:
            key = ids[d].lower()
            parts = np.asarray(
                ["" if _is_total(c, labels[d].get(c, "")) else f"{key}={c}" for c in codes[d]],
                dtype=object,
            )[_positions(sizes, d)]
            breakdown = np.where(
                parts == "", breakdown, np.where(breakdown == "", parts, breakdown + ";" + parts)
            )
        obs = pd.DataFrame(
            {
                "indicator_id": pd.array(indicator, dtype="string"),
                "area_code": pd.array(area, dtype="string"),
                "year": year,
                "breakdown": pd.array(breakdown, dtype="string"),
                "value": value_col,
                "numerator": np.full(n_cells, np.nan),
                "denominator": np.full(n_cells, np.nan),
                "status": pd.array(status_col, dtype="string"),
            }
        )
    dup = obs.duplicated(["indicator_id", "area_code", "year", "breakdown"], keep="first")
    for j in np.flatnonzero(dup.to_numpy()):
        r = obs.iloc[j]
        bad(
            "duplicate observation key (two breakdown codes are both totals?)",
            f"value[{j}]",
            f"{r.indicator_id} {r.area_code} {r.year} {r.breakdown!r}",
            "one cell per indicator, area, year and breakdown",
            row=int(j) + 1,
        )
    ValidationError.raise_if_any(problems)

    indicators = []
    if metric is not None:
        for c in codes[metric]:
            indicators.append(
                IndicatorDef(
                    indicator_id=f"scb.{tid}.{c}",
                    name_sv=labels[metric].get(c, c),
                    unit=units.get(c, ""),
                    source_table=tid,
                    kind="count"
                    if c in count_metrics
                    else _kind(units.get(c, ""), labels[metric].get(c, "")),
                )
            )
    else:
        indicators.append(
            IndicatorDef(
                indicator_id=f"scb.{tid}", name_sv=str(doc.get("label", tid)), source_table=tid
            )
        )
    areas = [
        AreaDef(code=c, name=labels[geo].get(c, ""), system=area_system(c)) for c in codes[geo]
    ]
    notes = [n for n in _as_notes(doc.get("note"))]
    return ParsedTable(
        source=source,
        table_id=tid,
        title=str(doc.get("label") or tid),
        file_name=file_name,
        file_hash=hashlib.sha256(bytes(data)).hexdigest(),
        observations=obs,
        indicators=indicators,
        areas=areas,
        notes=notes,
        year=max(years) if years else None,
    )


def area_system(code: str) -> str:
    """Best guess of a region code's system from its shape (``""`` when unsure).

    SCB: ``"00"`` Riket, two digits län, four digits kommun, ``LLKK[ABC]NNNN`` DeSO,
    ``LLKKRNNN`` RegSO (the DeSO/RegSO *version* is resolved by :mod:`grannskap.geography`,
    except where SCB suffixes it, e.g. ``"0114C1010_DeSO2025"``).
    """
    if code in ("00", "0000"):
        return "riket"
    if re.fullmatch(r"\d{2}", code):
        return "lan"
    if re.fullmatch(r"\d{4}", code):
        return "kommun"
    m = re.fullmatch(r"\d{4}[ABC]\d{4}(?:_(DeSO\d{4}))?", code)
    if m:
        return m.group(1).lower() if m.group(1) else "deso"
    m = re.fullmatch(r"\d{4}R\d{3}(?:_(RegSO\d{4}))?", code)
    if m:
        return m.group(1).lower() if m.group(1) else "regso"
    return ""


# --------------------------------------------------------------------------- helpers
def _read_dimensions(
    doc: Mapping[str, Any], bad: Any
) -> tuple[list[str], list[list[str]], list[dict[str, str]], dict[str, str]] | None:
    ids = doc.get("id")
    size = doc.get("size")
    dimension = doc.get("dimension")
    ok = True
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        bad("`id` must list the dimension names", "id", ids, "a non-empty array of strings")
        ok = False
    elif len(set(ids)) != len(ids):
        bad("duplicate dimension name in `id`", "id", ids, "unique names")
        ok = False
    if not isinstance(size, list) or not all(
        isinstance(s, int) and not isinstance(s, bool) and s >= 0 for s in size
    ):
        bad(
            "`size` must list the dimension lengths",
            "size",
            size,
            "an array of non-negative integers",
        )
        ok = False
    if not isinstance(dimension, dict):
        bad(
            "`dimension` is missing or not an object",
            "dimension",
            type(dimension).__name__,
            "an object",
        )
        ok = False
    if not ok or not isinstance(ids, list) or not isinstance(size, list):
        return None
    if not isinstance(dimension, dict):
        return None
    if len(ids) != len(size):
        bad("`id` and `size` differ in length", "size", size, f"{len(ids)} sizes for {ids}")
        return None
    codes: list[list[str]] = []
    labels: list[dict[str, str]] = []
    units: dict[str, str] = {}
    for name, n in zip(ids, size, strict=True):
        path = f"dimension.{name}"
        dim = dimension.get(name)
        if not isinstance(dim, dict) or not isinstance(dim.get("category"), dict):
            bad(
                "dimension missing or without `category`",
                path,
                None,
                "an object with category.index",
            )
            codes.append([])
            labels.append({})
            continue
        cat = dim["category"]
        lab = cat.get("label") if isinstance(cat.get("label"), dict) else {}
        index = cat.get("index")
        order: list[str] | None = None
        if isinstance(index, list):
            if all(isinstance(c, str) for c in index):
                order = list(index)
        elif isinstance(index, dict):
            pos = list(index.values())
            if all(isinstance(p, int) and not isinstance(p, bool) for p in pos) and sorted(
                pos
            ) == list(range(len(pos))):
                order = [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
            else:
                bad(
                    "category.index positions must be 0..n-1",
                    f"{path}.category.index",
                    pos[:10],
                    f"each of 0..{len(pos) - 1} once",
                )
                codes.append([])
                labels.append({})
                continue
        elif index is None and len(lab) == 1:
            order = list(lab)  # JSON-stat 2 allows omitting index for a single category
        if order is None:
            bad(
                "category.index must be an array of codes or an object of positions",
                f"{path}.category.index",
                type(index).__name__,
                "array or object",
            )
            codes.append([])
            labels.append({})
            continue
        if len(set(order)) != len(order):
            bad(
                "duplicate value code",
                f"{path}.category.index",
                [c for c in order if order.count(c) > 1][:5],
                "unique codes",
            )
        if len(order) != n:
            bad(
                "dimension length differs from `size`",
                f"{path}.category.index",
                len(order),
                f"{n} codes (size)",
            )
        codes.append(order)
        labels.append({str(k): str(v) for k, v in lab.items()})
        unit = cat.get("unit")
        if isinstance(unit, dict):
            for c, u in unit.items():
                if isinstance(u, dict) and isinstance(u.get("base"), str):
                    units[str(c)] = u["base"]
    return list(ids), codes, labels, units


def _read_cells(
    doc: Mapping[str, Any], n_cells: int, bad: Any
) -> tuple[list[float] | None, dict[int, str] | None]:
    raw = doc.get("value")
    values: list[float] = [math.nan] * n_cells
    if isinstance(raw, list):
        if len(raw) != n_cells:
            bad(
                "number of values differs from the product of `size`",
                "value",
                len(raw),
                f"{n_cells} values",
            )
            return None, None
        items: Sequence[tuple[int, Any]] = list(enumerate(raw))
    elif isinstance(raw, dict):
        items = []
        for k, v in raw.items():
            if not (isinstance(k, str) and k.isdigit() and int(k) < n_cells):
                bad("sparse value index out of range", "value", k, f"an index 0..{n_cells - 1}")
                continue
            items.append((int(k), v))
    else:
        bad(
            "`value` is missing or not an array/object",
            "value",
            type(raw).__name__,
            "an array of numbers/null",
        )
        return None, None
    for i, v in items:
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, int | float):
            bad("value is not a number", f"value[{i}]", v, "a number or null", row=i + 1)
            continue
        values[i] = float(v)
    statuses: dict[int, str] = {}
    raw_status = doc.get("status")
    if raw_status is None:
        pass
    elif isinstance(raw_status, str):
        statuses = {i: raw_status for i in range(n_cells)}
    elif isinstance(raw_status, list):
        if len(raw_status) not in (1, n_cells):
            bad(
                "number of status entries differs from the number of values",
                "status",
                len(raw_status),
                f"1 or {n_cells}",
            )
        elif len(raw_status) == 1:
            statuses = (
                {i: raw_status[0] for i in range(n_cells)} if isinstance(raw_status[0], str) else {}
            )
        else:
            statuses = {i: s for i, s in enumerate(raw_status) if s is not None}
    elif isinstance(raw_status, dict):
        for k, s in raw_status.items():
            if not (isinstance(k, str) and k.isdigit() and int(k) < n_cells):
                bad("status index out of range", "status", k, f"an index 0..{n_cells - 1}")
                continue
            statuses[int(k)] = s
    else:
        bad(
            "`status` must be a string, array or object",
            "status",
            type(raw_status).__name__,
            "object of index -> marker",
        )
    for i, s in list(statuses.items()):
        if not isinstance(s, str):
            bad(
                "status marker is not a string",
                f"status[{i}]",
                s,
                "a string such as '..'",
                row=i + 1,
            )
            del statuses[i]
    return values, statuses


def _role(
    roles: Mapping[str, Any], role: str, ids: list[str], names: tuple[str, ...]
) -> int | None:
    listed = roles.get(role)
    if isinstance(listed, list):
        for name in listed:
            if name in ids:
                return ids.index(name)
    for k, name in enumerate(ids):
        if name.lower() in names:
            return k
    return None


def _positions(sizes: list[int], d: int) -> np.ndarray:
    """For every cell (row-major, last dimension fastest), its index along dimension ``d``."""
    inner = int(np.prod(sizes[d + 1 :], dtype=np.int64))
    outer = int(np.prod(sizes[:d], dtype=np.int64))
    return np.tile(np.repeat(np.arange(sizes[d]), inner), outer)


def _kind(unit: str, label: str) -> Literal["percent", "amount", "median", "mean", "other"]:
    """The indicator kind from SCB's unit and content label (Swedish or English)."""
    text = f"{unit} {label}".lower()
    if "median" in text:
        return "median"
    if "medel" in text or "mean" in text or "average" in text:
        return "mean"
    if "procent" in text or "percent" in text or "%" in text:
        return "percent"
    if "kronor" in text or "tkr" in text or "sek" in text:
        return "amount"
    return "other"


def _is_total(code: str, label: str) -> bool:
    low = label.strip().lower()
    return code.lower() in TOTAL_CODES or low.startswith(("totalt", "samtliga")) or low == "total"


def _px_extension(doc: Mapping[str, Any]) -> dict[str, Any]:
    ext = doc.get("extension")
    if isinstance(ext, dict) and isinstance(ext.get("px"), dict):
        return ext["px"]
    return {}


def _as_notes(note: object) -> list[str]:
    if isinstance(note, str):
        return [note]
    if isinstance(note, list):
        return [str(n) for n in note if isinstance(n, str | int | float)]
    return []
