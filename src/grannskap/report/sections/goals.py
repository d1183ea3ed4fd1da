"""Goals: socio-economic index, områdestyper, transitions, distance to thresholds, 2030 projection.

Calls :func:`grannskap.goals.report_data` (issue 3) when it exists.
"""

from __future__ import annotations

from grannskap.report.context import ReportContext, SectionResult
from grannskap.report.sections._generic import from_report_data

NAME = "goals"
TITLE = {"sv": "Målet 2030: områdestyper och index", "en": "The 2030 goal: area types and index"}

__all__ = ["NAME", "TITLE", "build"]


def build(ctx: ReportContext) -> SectionResult:
    import grannskap.goals as goals

    fn = getattr(goals, "report_data", None)
    if fn is None:
        raise ImportError("grannskap.goals.report_data", name="grannskap.goals.report_data")
    return from_report_data(ctx, NAME, TITLE, fn(ctx.con, ctx.kommun, ctx.lang))
