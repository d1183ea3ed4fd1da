"""report.xlsx: every table of the report as its own sheet, with title, source and note."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from grannskap.report.context import SectionResult

__all__ = ["write_xlsx", "sheet_name"]

_BAD = re.compile(r"[\[\]:*?/\\]")


def sheet_name(number: int, title: str, used: set[str]) -> str:
    """Excel sheet names: ≤ 31 characters, no []:*?/\\, unique."""
    base = _BAD.sub("-", f"T{number} {title}")[:31].rstrip()
    name, i = base, 2
    while name.lower() in used:
        suffix = f" ({i})"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(name.lower())
    return name


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

    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": False})
    bold = wb.add_format({"bold": True})
    title_fmt = wb.add_format({"bold": True, "font_size": 13})
    muted = wb.add_format({"italic": True, "font_color": "#555555"})
    pct = wb.add_format({"num_format": "0.0"})
    kr = wb.add_format({"num_format": "#,##0"})
    toc = wb.add_worksheet("Innehåll" if lang == "sv" else "Contents")
    toc.write(0, 0, "Tabeller i rapporten" if lang == "sv" else "Tables in the report", title_fmt)
    used: set[str] = {toc.name.lower()}
    row = 2
    for s in sections:
        for t in s.tables:
            name = sheet_name(t.number, t.title, used)
            ws = wb.add_worksheet(name)
            ws.write(
                0, 0, f"{'Tabell' if lang == 'sv' else 'Table'} {t.number}. {t.title}", title_fmt
            )
            ws.write(1, 0, f"{'Källa' if lang == 'sv' else 'Source'}: {t.source}", muted)
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
            ws.write(2, 0, note, muted)
            for j, c in enumerate(t.columns):
                ws.write(4, j, c.label, bold)
                ws.set_column(j, j, max(10, min(50, len(c.label) + 2)))
            for i, rec in enumerate(t.frame.to_dict("records"), start=5):
                for j, c in enumerate(t.columns):
                    v = _cell(rec.get(c.field))
                    fmt = (
                        pct
                        if c.kind in ("pct1", "num1")
                        else kr
                        if c.kind in ("kr", "int")
                        else None
                    )
                    if v is None:
                        ws.write_blank(i, j, None)
                    elif fmt is not None and isinstance(v, int | float):
                        ws.write_number(i, j, v, fmt)
                    else:
                        ws.write(i, j, v)
            ws.freeze_panes(5, 0)
            toc.write_url(row, 0, f"internal:'{name}'!A1", string=name)
            toc.write(row, 1, s.title)
            toc.write(row, 2, t.source)
            row += 1
    toc.set_column(0, 0, 34)
    toc.set_column(1, 2, 60)
    wb.close()
    return path
