"""report.xlsx: every table of the report as its own sheet, with title, source and note."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from grannskap.report.context import SectionResult

__all__ = ["write_xlsx", "sheet_name", "published_frame", "SHOWN_DECIMALS"]

_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f\ud800-\udfff\ufffe\uffff]")
# not allowed in XML 1.0 at all (xlsxwriter escapes control characters, not these)
_NOT_XML = re.compile(r"[\ud800-\udfff\ufffe\uffff]")


def _text(value: object) -> str:
    """Text for a cell: characters XML cannot hold become U+FFFD."""
    return _NOT_XML.sub("\ufffd", str(value))


#: shown decimals per column kind: published values are rounded to what the report shows, so
#: that full-precision shares cannot be inverted to their numerator and denominator (issue 18)
SHOWN_DECIMALS = {"int": 0, "kr": 0, "num1": 1, "pct1": 1, "num3": 3, "year": 0}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _trim(text: str, limit: int = 31) -> str:
    # Excel: at most 31 UTF-16 code units (a character outside the BMP counts twice), no
    # apostrophe at either end of a sheet name, no trailing blanks
    text = text[:limit]
    while _utf16_len(text) > limit:
        text = text[:-1]
    return text.rstrip().strip("'").rstrip()


def sheet_name(number: int, title: str, used: set[str]) -> str:
    """Excel sheet names: ≤ 31 characters, no []:*?/\\, no apostrophe first or last, unique."""
    base = _trim(_BAD.sub("-", f"T{number} {title}")) or f"T{number}"
    name, i = base, 2
    while name.lower() in used or name.lower() == "history":
        suffix = f" ({i})"
        name = _trim(base, 31 - len(suffix)) + suffix
        i += 1
    used.add(name.lower())
    return name


def _shown(value: Any, kind: str) -> Any:
    """``value`` rounded to the decimals its column shows (numbers only)."""
    d = SHOWN_DECIMALS.get(kind)
    if d is None or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return value
    r = round(float(value), d)
    return int(r) if d == 0 else r


def published_frame(table: Any) -> Any:
    """``table.labelled()`` with numbers rounded as shown (:data:`SHOWN_DECIMALS`): what the
    CSV and xlsx downloads publish."""
    import pandas as pd

    frame = table.labelled()
    out = frame.copy()
    for c in table.columns:
        d = SHOWN_DECIMALS.get(c.kind)
        if d is None:
            continue
        col = pd.to_numeric(out[c.label], errors="coerce")
        if col.notna().sum() == out[c.label].notna().sum():
            out[c.label] = col.round(d) if d else col.round(0).astype("Int64")
    return out


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str | int | float | bool):
        return value
    text = str(value)
    return None if text in ("<NA>", "NaT", "nan") else text


def write_xlsx(sections: list[SectionResult], path: Path, lang: str = "sv") -> Path:
    """Write one sheet per table plus a contents sheet. Suppressed values (primary and
    secondary, see :func:`grannskap.report.data.area_shares`) are empty cells, explained as
    ".." in the sheet's note (SCB convention)."""
    import xlsxwriter

    from grannskap.outputs import atomic_path

    with atomic_path(path) as tmp:
        _write(sections, tmp, lang, xlsxwriter)
    return Path(path)


def _write(sections: list[SectionResult], path: Path, lang: str, xlsxwriter: Any) -> None:
    # text from the data is never a formula or a link (OWASP CSV/formula injection, issue 18)
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "nan_inf_to_errors": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = wb.add_format({"bold": True})
    title_fmt = wb.add_format({"bold": True, "font_size": 13})
    muted = wb.add_format({"italic": True, "font_color": "#555555"})
    pct = wb.add_format({"num_format": "0.0"})
    kr = wb.add_format({"num_format": "#,##0"})
    toc = wb.add_worksheet("Innehåll" if lang == "sv" else "Contents")
    toc.write_string(
        0, 0, "Tabeller i rapporten" if lang == "sv" else "Tables in the report", title_fmt
    )
    used: set[str] = {toc.name.lower()}
    row = 2
    for s in sections:
        for t in s.tables:
            name = sheet_name(t.number, t.title, used)
            ws = wb.add_worksheet(name)
            ws.write_string(
                0,
                0,
                _text(f"{'Tabell' if lang == 'sv' else 'Table'} {t.number}. {t.title}"),
                title_fmt,
            )
            ws.write_string(
                1, 0, _text(f"{'Källa' if lang == 'sv' else 'Source'}: {t.source}"), muted
            )
            note = (
                t.note
                + (" " if t.note else "")
                + (
                    "Tomma celler = uppgift saknas eller undertryckt (”..”): för få personer "
                    "(primär undertryckning) eller dold för att den annars kunde räknas fram "
                    "ur en summa (sekundär undertryckning)."
                    if lang == "sv"
                    else "Empty cells = missing or suppressed (“..”): too few persons (primary "
                    "suppression) or hidden because it could otherwise be worked out from a "
                    "total (secondary suppression)."
                )
            )
            ws.write_string(2, 0, _text(note), muted)
            for j, c in enumerate(t.columns):
                ws.write_string(4, j, _text(c.label), bold)
                ws.set_column(j, j, max(10, min(50, len(c.label) + 2)))
            for i, rec in enumerate(t.frame.to_dict("records"), start=5):
                for j, c in enumerate(t.columns):
                    v = _shown(_cell(rec.get(c.field)), c.kind)
                    fmt = (
                        pct
                        if c.kind in ("pct1", "num1")
                        else kr
                        if c.kind in ("kr", "int")
                        else None
                    )
                    if v is None:
                        ws.write_blank(i, j, None)
                    elif isinstance(v, bool):
                        ws.write_boolean(i, j, v)
                    elif isinstance(v, int | float):
                        ws.write_number(i, j, v, fmt) if fmt is not None else ws.write_number(
                            i, j, v
                        )
                    else:
                        ws.write_string(i, j, _text(v))
            ws.freeze_panes(5, 0)
            quoted = name.replace("'", "''")
            toc.write_url(row, 0, f"internal:'{quoted}'!A1", string=name)
            toc.write_string(row, 1, _text(s.title))
            toc.write_string(row, 2, _text(t.source))
            row += 1
    toc.set_column(0, 0, 34)
    toc.set_column(1, 2, 60)
    wb.close()
