"""report.xlsx: every table of the report as its own sheet, a contents sheet first, one notes sheet.

Layout (issue 15 item 6): the first sheet is the table of contents, listing every sheet with
its full title as a link to it (sheet names are cut to Excel's 31 characters, the contents keep
the whole title); each table sheet holds the table's title, source and own note above the
table; the last sheet, "Noter"/"Notes", holds what is common to all tables once - every table's
source, the suppression notice and the definitions - instead of on every sheet.

Numbers are written as numbers with Excel number formats (``#,##0``, ``#,##0.0``, ``0.000``);
Excel shows them with the reader's locale, i.e. with a space between thousands and a decimal
comma in a Swedish Excel (a format code cannot force the separators, they come from the locale).
Text from the data is written as strings with xlsxwriter's conversions off, so it never becomes
a formula or a link (OWASP formula injection, issue 18; see :mod:`grannskap.outputs`).
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from grannskap.report.context import SectionResult

__all__ = [
    "write_xlsx",
    "sheet_name",
    "published_frame",
    "SHOWN_DECIMALS",
    "NUMBER_FORMATS",
    "notes_sheet_name",
    "contents_sheet_name",
    "suppression_notice",
]

_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f\ud800-\udfff\ufffe\uffff]")
# not allowed in XML 1.0 at all (xlsxwriter escapes control characters, not these)
_NOT_XML = re.compile(r"[\ud800-\udfff\ufffe\uffff]")


def _text(value: object) -> str:
    """Text for a cell: characters XML cannot hold become U+FFFD."""
    return _NOT_XML.sub("\ufffd", str(value))


#: shown decimals per column kind: published values are rounded to what the report shows, so
#: that full-precision shares cannot be inverted to their numerator and denominator (issue 18)
SHOWN_DECIMALS = {"int": 0, "kr": 0, "num1": 1, "pct1": 1, "num3": 3, "year": 0}

#: Excel number format per column kind (en-US codes as the file format stores them: Excel shows
#: "," as the locale's thousands separator, a space in Swedish, and "." as its decimal comma);
#: years have no thousands separator ("2023", not "2 023")
NUMBER_FORMATS = {
    "int": "#,##0",
    "kr": "#,##0",
    "num1": "#,##0.0",
    "pct1": "#,##0.0",
    "num3": "0.000",
    "year": "0",
}


# control characters xlsxwriter escapes in cells but not in a hyperlink's display attribute
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _link_text(value: str) -> str:
    """Text shown for a link: also without the control characters an XML attribute cannot hold."""
    return _CONTROL.sub("\ufffd", _text(value))


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
    # "Målen: läge" reads "Målen – läge", not "Målen- läge"
    readable = re.sub(r"\s*:\s+", " – ", title)
    base = _trim(_BAD.sub("-", f"T{number} {readable}")) or f"T{number}"
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


def contents_sheet_name(lang: str) -> str:
    return "Contents" if lang == "en" else "Innehåll"


def notes_sheet_name(lang: str) -> str:
    return "Notes" if lang == "en" else "Noter"


def suppression_notice(lang: str) -> str:
    """The suppression notice, written once on the notes sheet."""
    if lang == "en":
        return (
            "Empty cells = missing or suppressed (shown as “..” in the report): too few persons "
            "(primary suppression) or hidden because the value could otherwise be worked out "
            "from a total (secondary suppression)."
        )
    return (
        "Tomma celler = uppgift saknas eller undertryckt (visas som ”..” i rapporten): för få "
        "personer (primär undertryckning) eller dold för att den annars kunde räknas fram ur "
        "en summa (sekundär undertryckning)."
    )


def _definitions(lang: str) -> list[tuple[str, str]]:
    if lang == "en":
        return [
            ("..", "Suppressed value (empty cell in this file); see the suppression notice above."),
            (
                "Primary suppression",
                "A value based on fewer persons than the small-count limit is not published.",
            ),
            (
                "Secondary suppression",
                "A further value is hidden where the primary one could otherwise be worked out "
                "from a total or from the other values of the row.",
            ),
            (
                "Rounding",
                "Values are rounded as the report shows them: counts and kronor to whole "
                "numbers, shares (per cent, 0–100) and ratios to one decimal, indices to three.",
            ),
            (
                "Number format",
                "Numbers are stored as numbers; Excel shows them with your locale's separators "
                "(in Swedish: a space between thousands and a decimal comma).",
            ),
            ("DeSO", "Statistics Sweden's demographic statistical areas."),
            ("RegSO", "Statistics Sweden's regional statistical areas (groups of DeSO)."),
        ]
    return [
        ("..", "Undertryckt värde (tom cell i den här filen), se undertryckningen ovan."),
        (
            "Primär undertryckning",
            "Ett värde som bygger på färre personer än gränsen för små tal publiceras inte.",
        ),
        (
            "Sekundär undertryckning",
            "Ytterligare ett värde döljs där det primärt undertryckta annars kunde räknas fram "
            "ur en summa eller ur radens övriga värden.",
        ),
        (
            "Avrundning",
            "Värdena är avrundade som i rapporten: antal och kronor till heltal, andelar "
            "(procent, 0–100) och kvoter till en decimal, index till tre.",
        ),
        (
            "Sifferformat",
            "Talen är lagrade som tal; Excel visar dem med dina språkinställningar (på svenska "
            "mellanslag som tusentalsavgränsare och decimalkomma).",
        ),
        ("DeSO", "SCB:s demografiska statistikområden."),
        ("RegSO", "SCB:s regionala statistikområden (grupper av DeSO)."),
    ]


def write_xlsx(sections: list[SectionResult], path: Path, lang: str = "sv") -> Path:
    """Write a contents sheet, one sheet per table and one notes sheet (module doc).
    Suppressed values (primary and secondary, see :func:`grannskap.report.data.area_shares`)
    are empty cells, explained once on the notes sheet (".." in the report, SCB convention)."""
    import xlsxwriter

    from grannskap.outputs import atomic_path

    with atomic_path(path) as tmp:
        _write(sections, tmp, lang, xlsxwriter)
    return Path(path)


def _link(name: str) -> str:
    return "internal:'" + name.replace("'", "''") + "'!A1"


def _write(sections: list[SectionResult], path: Path, lang: str, xlsxwriter: Any) -> None:
    def tr(sv: str, en: str) -> str:
        return en if lang == "en" else sv

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
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    link_fmt = wb.add_format({"font_color": "blue", "underline": 1})
    formats = {kind: wb.add_format({"num_format": code}) for kind, code in NUMBER_FORMATS.items()}
    toc = wb.add_worksheet(contents_sheet_name(lang))
    notes_name = notes_sheet_name(lang)
    used: set[str] = {toc.name.lower(), notes_name.lower()}
    table_word = tr("Tabell", "Table")
    # (sheet name, full title, section title, table) in report order
    entries: list[tuple[str, str, str, Any]] = []
    for s in sections:
        for t in s.tables:
            name = sheet_name(t.number, t.title, used)
            full = _text(f"{table_word} {t.number}. {t.title}")
            entries.append((name, full, _text(s.title), t))
            ws = wb.add_worksheet(name)
            ws.write_string(0, 0, full, title_fmt)
            ws.write_string(1, 0, _text(f"{tr('Källa', 'Source')}: {t.source}"), muted)
            if t.note:
                ws.write_string(2, 0, _text(t.note), muted)
            ws.write_url(
                3,
                0,
                _link(notes_name),
                link_fmt,
                string=tr(
                    "Tomma celler, källor och definitioner: se bladet Noter",
                    "Empty cells, sources and definitions: see the Notes sheet",
                ),
            )
            _write_table(ws, t, bold, formats)
    notes = wb.add_worksheet(notes_name)
    _write_contents(toc, entries, notes_name, tr, title_fmt, bold, link_fmt, wrap)
    _write_notes(notes, entries, lang, tr, title_fmt, bold, wrap)
    toc.activate()
    wb.close()


def _write_table(ws: Any, t: Any, bold: Any, formats: dict[str, Any]) -> None:
    for j, c in enumerate(t.columns):
        ws.write_string(4, j, _text(c.label), bold)
        ws.set_column(j, j, max(10, min(50, len(c.label) + 2)))
    for i, rec in enumerate(t.frame.to_dict("records"), start=5):
        for j, c in enumerate(t.columns):
            v = _shown(_cell(rec.get(c.field)), c.kind)
            if v is None:
                ws.write_blank(i, j, None)
            elif isinstance(v, bool):
                ws.write_boolean(i, j, v)
            elif isinstance(v, int | float):
                ws.write_number(i, j, v, formats.get(c.kind))
            else:
                ws.write_string(i, j, _text(v))
    ws.freeze_panes(5, 0)


def _write_contents(
    toc: Any,
    entries: list[tuple[str, str, str, Any]],
    notes_name: str,
    tr: Any,
    title_fmt: Any,
    bold: Any,
    link_fmt: Any,
    wrap: Any,
) -> None:
    toc.write_string(0, 0, tr("Innehåll", "Contents"), title_fmt)
    toc.write_string(
        1,
        0,
        tr(
            "Varje tabell i rapporten är ett eget blad; klicka på titeln för att gå dit.",
            "Each table of the report is a sheet of its own; click the title to go there.",
        ),
    )
    for j, head in enumerate((tr("Blad", "Sheet"), tr("Titel", "Title"), tr("Avsnitt", "Section"))):
        toc.write_string(3, j, head, bold)
    toc.write_string(4, 0, notes_name)
    toc.write_url(
        4,
        1,
        _link(notes_name),
        link_fmt,
        string=tr(
            "Noter: källor, undertryckning och definitioner",
            "Notes: sources, suppression and definitions",
        ),
    )
    for row, (name, full, section, _t) in enumerate(entries, start=5):
        toc.write_string(row, 0, name)
        toc.write_url(row, 1, _link(name), link_fmt, string=_link_text(full) or name)
        toc.write_string(row, 2, section, wrap)
    toc.set_column(0, 0, 34)
    toc.set_column(1, 1, 80)
    toc.set_column(2, 2, 40)
    toc.freeze_panes(4, 0)


def _write_notes(
    notes: Any,
    entries: list[tuple[str, str, str, Any]],
    lang: str,
    tr: Any,
    title_fmt: Any,
    bold: Any,
    wrap: Any,
) -> None:
    notes.write_string(0, 0, tr("Noter", "Notes"), title_fmt)
    notes.write_string(2, 0, tr("Undertryckning", "Suppression"), bold)
    notes.write_string(3, 0, suppression_notice(lang), wrap)
    row = 5
    notes.write_string(row, 0, tr("Definitioner", "Definitions"), bold)
    for term, text in _definitions(lang):
        row += 1
        notes.write_string(row, 0, term)
        notes.write_string(row, 1, text, wrap)
    row += 2
    notes.write_string(row, 0, tr("Källor per tabell", "Sources by table"), bold)
    row += 1
    for j, head in enumerate(
        (
            tr("Tabell", "Table"),
            tr("Titel", "Title"),
            tr("Källa", "Source"),
            tr("Anmärkning", "Note"),
        )
    ):
        notes.write_string(row, j, head, bold)
    for _name, full, _section, t in entries:
        row += 1
        notes.write_number(row, 0, t.number)
        notes.write_string(row, 1, full, wrap)
        notes.write_string(row, 2, _text(t.source), wrap)
        if t.note:
            notes.write_string(row, 3, _text(t.note), wrap)
    notes.set_column(0, 0, 24)
    notes.set_column(1, 3, 60)
