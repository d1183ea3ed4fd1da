"""The Police's lists of *utsatta områden* (vulnerable areas).

Two inputs: the polygon files (GeoJSON/shapefile, attributes NAMN, KATEGORI, ORT,
SPECIALOMR/SPECIALOMRADES_ID; the list year comes from the file name, e.g. ``uso_2023``), and a
summary table of the lists 2015–2025 (``report_year, total_areas, sarskilt_utsatta,
riskomraden, utsatta_only, <kommun>_areas_and_category``).

A police area's code is ``P<special area id>`` when the polygons give it (stable between lists:
Norrby is P13 in 2023 and 2025); names from the summary table are matched to those codes by
their first name part within the kommun, else get a code from the name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pandas as pd

from grannskap.errors import InputError, Problem, ValidationError
from grannskap.ingest.csvio import read_csv_records
from grannskap.ingest.geo import GeoFile
from grannskap.ingest.scb_export import slug
from grannskap.store.police import load_police

__all__ = [
    "CATEGORIES",
    "PoliceList",
    "is_police_geofile",
    "police_from_geofile",
    "looks_like_police_summary",
    "parse_police_summary",
    "load_police",
    "category_of",
]

CATEGORIES = ("utsatt", "riskomrade", "sarskilt_utsatt")
_SUMMARY_COLUMNS = ("report_year", "total_areas", "sarskilt_utsatta", "riskomraden", "utsatta_only")


#: Prefix of ``source_note`` for a classification inferred from the sources rather than stated.
INFERRED_MARK = "[härledd]"


def is_inferred(source_note: object) -> bool:
    """True if a police classification was inferred (its source note starts with the mark)."""
    return isinstance(source_note, str) and source_note.startswith(INFERRED_MARK)


def category_of(text: str) -> str | None:
    """Map the Police's category wording to ``utsatt`` / ``riskomrade`` / ``sarskilt_utsatt``."""
    low = text.lower()
    if "särskilt" in low or "sarskilt" in low:
        return "sarskilt_utsatt"
    if "risk" in low:
        return "riskomrade"
    if "utsatt" in low:
        return "utsatt"
    return None


def _clean_name(name: str) -> str:
    return re.sub(r"\s*/\s*", "/", re.sub(r"\s+", " ", name.strip().strip("'\""))).strip()


def _name_key(name: str) -> str:
    return slug(_clean_name(name).split("/")[0])


@dataclass
class PoliceList:
    file_name: str
    file_hash: str
    classifications: pd.DataFrame  # area_code, name, ort, kommun_code, year, category, source_note
    counts: pd.DataFrame  # year, utsatt, riskomrade, sarskilt_utsatt, total, source_note
    geometries: pd.DataFrame  # area_code, year, geometry_wkb, area_km2, centroid_x, centroid_y
    kind: str  # "polygons" or "summary"


def is_police_geofile(geo: GeoFile) -> bool:
    props = geo.features[0].properties
    return {"NAMN", "KATEGORI", "ORT"} <= set(props)


def police_from_geofile(
    geo: GeoFile, kommun_by_name: dict[str, str], year: int | None = None
) -> PoliceList:
    """Classifications and polygons from a Police polygon file; ``year`` defaults to the one in the file name."""
    if year is None:
        match = re.search(r"(20\d\d)", geo.file_name)
        if not match:
            raise InputError(
                Problem(
                    geo.file_name,
                    "cannot tell which year's list this is",
                    expected="a file name containing the list year (e.g. uso_2023.shp) or --year",
                )
            )
        year = int(match.group(1))
    rows, geoms, problems = [], [], []
    for i, f in enumerate(geo.features):
        p = f.properties
        category = category_of(str(p.get("KATEGORI", "")))
        if category is None:
            problems.append(
                Problem(
                    geo.file_name,
                    "unknown police category",
                    row=i + 1,
                    column="KATEGORI",
                    value=p.get("KATEGORI"),
                    expected="Utsatt område, Riskområde or Särskilt utsatt område",
                )
            )
            continue
        special = p.get("SPECIALOMR", p.get("SPECIALOMRADES_ID"))
        name = _clean_name(str(p.get("NAMN", "")))
        ort = str(p.get("ORT", "")).strip()
        kommun = kommun_by_name.get(ort.lower())
        special_text = str(special).strip() if special is not None else ""
        if special_text and not special_text.isdigit():
            problems.append(
                Problem(
                    geo.file_name,
                    "not a special area id",
                    row=i + 1,
                    column="SPECIALOMR",
                    value=special,
                    expected="a whole number",
                )
            )
            continue
        code = (
            f"P{int(special_text)}" if special_text else f"{kommun or slug(ort)}-{_name_key(name)}"
        )
        rows.append(
            {
                "area_code": code,
                "name": name,
                "ort": ort,
                "kommun_code": kommun,
                "year": year,
                "category": category,
                "source_note": f"Polisen, lista {year} ({geo.file_name})",
            }
        )
        geom = f.geometry
        if geom is None:  # an attribute table without polygons
            continue
        geoms.append(
            {
                "area_code": code,
                "year": year,
                "geometry_wkb": geom.wkb,
                "area_km2": geom.area / 1e6,
                "centroid_x": geom.centroid.x,
                "centroid_y": geom.centroid.y,
                "name": name,
                "kommun_code": kommun,
            }
        )
    ValidationError.raise_if_any(problems)
    cls = pd.DataFrame(rows)
    dup = cls.duplicated(["area_code", "year"])
    if dup.any():
        first = cls[dup].iloc[0]
        raise InputError(
            Problem(
                geo.file_name,
                "duplicate police area in one list",
                value=first["name"],
                expected="each area once per list",
            )
        )
    counts = (
        pd.DataFrame(
            [
                {
                    "year": year,
                    "utsatt": int((cls.category == "utsatt").sum()),
                    "riskomrade": int((cls.category == "riskomrade").sum()),
                    "sarskilt_utsatt": int((cls.category == "sarskilt_utsatt").sum()),
                    "total": len(cls),
                    "source_note": f"counted from {geo.file_name}",
                }
            ]
        )
        if len(geo.features) > 10
        else pd.DataFrame()
    )  # an extract (e.g. one kommun) says nothing of national counts
    return PoliceList(geo.file_name, geo.file_hash, cls, counts, pd.DataFrame(geoms), "polygons")


def looks_like_police_summary(data: bytes) -> bool:
    head = data[:2000].decode("utf-8-sig", errors="replace").splitlines()[:1]
    return bool(head) and all(c in head[0] for c in _SUMMARY_COLUMNS)


def _leading_int(
    text: str, file_name: str, line: int, column: str, problems: list[Problem]
) -> int | None:
    match = re.match(r"\s*(\d+)", text or "")
    if not match:
        problems.append(
            Problem(
                file_name,
                "not a count",
                row=line,
                column=column,
                value=text,
                expected="a whole number",
            )
        )
        return None
    return int(match.group(1))


def _strip_parentheses(text: str) -> str:
    out, depth = [], 0
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(ch)
    return "".join(out)


def parse_police_summary(
    data: bytes, file_name: str, known: dict[tuple[str, str], str], kommun_by_slug: dict[str, str]
) -> PoliceList:
    """Parse the summary of the lists.

    ``known`` maps (kommun code, name key) to existing police area codes; ``kommun_by_slug``
    maps ASCII kommun names (``"boras"``) to codes, for the ``<kommun>_areas_and_category`` column.
    """
    records = read_csv_records(data, file_name, _SUMMARY_COLUMNS)
    header = list(records[0][1]) if records else []
    area_cols = [c for c in header if c.endswith("_areas_and_category")]
    kommun_col = area_cols[0] if area_cols else None
    kommun_name = kommun_col.split("_")[0] if kommun_col else ""
    kommun_code = kommun_by_slug.get(kommun_name, "")
    problems: list[Problem] = []
    counts, rows = [], []
    for line, r in records:
        year = _leading_int(r["report_year"], file_name, line, "report_year", problems)
        if year is None:
            continue
        n = {
            k: _leading_int(r[c], file_name, line, c, problems)
            for k, c in (
                ("total", "total_areas"),
                ("sarskilt_utsatt", "sarskilt_utsatta"),
                ("riskomrade", "riskomraden"),
                ("utsatt", "utsatta_only"),
            )
        }
        if None not in n.values():
            if n["sarskilt_utsatt"] + n["riskomrade"] + n["utsatt"] != n["total"]:  # type: ignore[operator]
                problems.append(
                    Problem(
                        file_name,
                        "category counts do not add up to the total",
                        row=line,
                        column="total_areas",
                        value=n["total"],
                        expected=f"{n['sarskilt_utsatt']} + {n['riskomrade']} + {n['utsatt']}",
                    )
                )
            counts.append({"year": year, **n, "source_note": r.get("evidence", "")})
        if not kommun_col:
            continue
        # a classification the sources imply but do not state (e.g. Borås 2021): kept, marked
        raw = r[kommun_col].lower()
        note = r.get("evidence", "")
        if "inferred" in raw or "härledd" in raw:
            note = f"{INFERRED_MARK} {note}"
        for part in _strip_parentheses(r[kommun_col]).split(";"):
            if ":" not in part:
                continue
            names, _, cat_text = part.rpartition(":")
            category = category_of(cat_text)
            if category is None:
                continue  # "not listed"
            for name in names.split("+"):
                clean = _clean_name(name)
                key = _name_key(clean)
                code = known.get((kommun_code, key), f"{kommun_code or kommun_name}-{key}")
                rows.append(
                    {
                        "area_code": code,
                        "name": clean,
                        "ort": None,
                        "kommun_code": kommun_code or None,
                        "year": year,
                        "category": category,
                        "source_note": note,
                    }
                )
    ValidationError.raise_if_any(problems)
    if not counts:
        raise InputError(Problem(file_name, "no list rows", expected="one row per police list"))
    return PoliceList(
        file_name,
        hashlib.sha256(data).hexdigest(),
        pd.DataFrame(rows),
        pd.DataFrame(counts),
        pd.DataFrame(),
        "summary",
    )
