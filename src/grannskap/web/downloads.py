"""Table downloads of the dashboard (CSV with a title and source line, or xlsx)."""

from __future__ import annotations

import re

from grannskap.errors import HttpError
from grannskap.outputs import csv_bytes
from grannskap.web.data import Dashboard
from grannskap.web.pages import area_parts
from grannskap.web.responses import Response

__all__ = ["download"]


def download(d: Dashboard, name: str) -> Response:
    m = re.fullmatch(r"([A-Za-z0-9-]{1,60})\.(csv|xlsx)", name)
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
        body = csv_bytes(
            frame,
            preamble=f"# {table.title}\n# {d.ctx.t('Källa', 'Source')}: {table.source}",
            bom=True,
        )
        return Response(200, body, "text/csv; charset=utf-8", headers)
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
