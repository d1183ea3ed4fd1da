"""Table downloads of the dashboard: CSV for a Swedish spreadsheet, xlsx, and the table's
title, source and notes as a text file.

The CSV opens in one go in a Swedish Excel: UTF-8 with BOM, semicolon separated, decimal
comma (in both languages: the separator follows the decimal sign), no comment lines, numbers
rounded as shown. Title, source and notes are in ``<table>.txt`` (and in the xlsx).
"""

from __future__ import annotations

import re

from grannskap.errors import HttpError
from grannskap.outputs import csv_bytes
from grannskap.web.data import Dashboard
from grannskap.web.pages import area_parts
from grannskap.web.responses import Response

__all__ = ["download"]


def download(d: Dashboard, name: str) -> Response:
    m = re.fullmatch(r"([A-Za-z0-9-]{1,60})\.(csv|xlsx|txt)", name)
    area = re.fullmatch(r"area-([a-z]+)-([A-Za-z0-9_]+)", m.group(1)) if m else None
    if area is not None:
        _, _, area_table = area_parts(d, area.group(1), area.group(2))
        if area_table is not None:
            d.tables.setdefault(area_table.key, area_table)
    if not m or m.group(1) not in d.tables:
        raise HttpError(
            404,
            f"table {name!r} does not exist",
            "tables: " + ", ".join(f"{k}.csv" for k in sorted(d.tables)),
        )
    table, fmt = d.tables[m.group(1)], m.group(2)
    from grannskap.report.xlsx import published_frame

    frame = published_frame(table)
    fname = f"{table.key}-{d.ctx.kommun}-{d.ctx.year}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{fname}"'}
    if fmt == "csv":
        # text cells from the data are neutralised (no formulas; grannskap.outputs)
        body = csv_bytes(frame, bom=True, sep=";", decimal=",")
        return Response(200, body, "text/csv; charset=utf-8", headers)
    if fmt == "txt":
        t = d.ctx.t
        lines = [
            table.title,
            f"{t('Källa', 'Source')}: {table.source}",
            *([table.note] if table.note else []),
            t(
                "Skyddade värden (färre än gränsen för små tal) är tomma i CSV-filen och visas som .. i rapporten.",
                "Suppressed values (below the small-count limit) are empty in the CSV file and shown as .. in the report.",
            ),
            t(
                "CSV: UTF-8, semikolon som avgränsare, decimalkomma.",
                "CSV: UTF-8, semicolon separated, decimal comma.",
            ),
        ]
        return Response(
            200, ("\r\n".join(lines) + "\r\n").encode("utf-8"), "text/plain; charset=utf-8", headers
        )
    import tempfile
    from pathlib import Path

    from grannskap.report.context import SectionResult
    from grannskap.report.xlsx import write_xlsx

    with tempfile.TemporaryDirectory() as tmp:
        path = write_xlsx(
            [SectionResult("download", table.title, True, tables=[table])],
            Path(tmp) / "t.xlsx",
            d.ctx.lang,
        )
        body = path.read_bytes()
    return Response(
        200, body, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", headers
    )
