"""Render sections and the whole report to HTML with Jinja2 (templates ship in ``templates/``)."""

from __future__ import annotations

import math
import re
import warnings
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

import jinja2

from grannskap.format import format_date, format_number
from grannskap.privacy import SUPPRESSED
from grannskap.report.context import ReportContext, SectionResult
from grannskap.report.sections import SectionWarning

__all__ = ["environment", "render_section", "render_report", "format_cell"]


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(isinstance(value, float) and math.isnan(value)) or str(value) in (
            "<NA>",
            "nan",
            "NaT",
        )
    except (TypeError, ValueError):
        return False


def format_cell(value: Any, kind: str, lang: str = "sv") -> str:
    """Format one table cell; missing or suppressed numbers become ``..`` (SCB's marker)."""
    if kind == "text":
        return "" if _missing(value) else str(value)
    if _missing(value):
        return SUPPRESSED
    if kind == "year":
        return str(int(value))
    if kind == "int":
        return format_number(float(value), 0, lang)
    if kind == "num1":
        return format_number(float(value), 1, lang)
    if kind == "num3":
        return format_number(float(value), 3, lang)
    if kind == "pct1":
        return format_number(float(value), 1, lang) + "\u00a0%"
    if kind == "kr":
        return format_number(Decimal(str(value)), 0, lang) + "\u00a0kr"
    return str(value)


@lru_cache(maxsize=4)
def environment(lang: str = "sv") -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("grannskap.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["num"] = lambda v, d=0: SUPPRESSED if _missing(v) else format_number(v, d, lang)
    env.filters["pct"] = lambda v, d=1: (
        SUPPRESSED if _missing(v) else format_number(v, d, lang) + "\u00a0%"
    )
    env.filters["kr"] = lambda v: (
        SUPPRESSED if _missing(v) else format_number(Decimal(str(v)), 0, lang) + "\u00a0kr"
    )
    env.filters["cell"] = lambda v, kind: format_cell(v, kind, lang)
    env.globals["lang"] = lang
    return env


def render_section(ctx: ReportContext, section: SectionResult, *, link_prefix: str = "") -> str:
    """The section's HTML (its own template, or the 'not available' box)."""
    env = environment(ctx.lang)
    name = section.name if section.available else "_unavailable"
    try:
        template = env.get_template(f"{name}.html.j2")
    except jinja2.TemplateNotFound:
        template = env.get_template("_generic.html.j2")
    figures = {f.key: f for f in section.figures}
    tables = {t.key: t for t in section.tables}
    return template.render(
        s=section,
        d=section.data,
        fig=figures,
        tab=tables,
        figs_list=section.figures,
        tabs_list=section.tables,
        ctx=ctx,
        t=ctx.t,
        link_prefix=link_prefix,
    )


_ANCHOR = re.compile(r'id="(fig|tab)-([^"]+)"')


def _renumber(sections: list[SectionResult]) -> bool:
    """Number figures and tables in the order the reader meets them in the rendered HTML
    (templates may show a section's tables in another order than they were built); objects a
    template does not show follow at the end of their section. True if any number changed."""
    changed = False
    fig_no = tab_no = 0
    for s in sections:
        figs = {f.key: f for f in s.figures}
        tabs = {t.key: t for t in s.tables}
        seen: dict[int, tuple[str, Any]] = {}
        for kind, key in _ANCHOR.findall(s.html):
            obj = (figs if kind == "fig" else tabs).get(key)
            if obj is not None:
                seen.setdefault(id(obj), (kind, obj))
        for f in s.figures:
            seen.setdefault(id(f), ("fig", f))
        for t in s.tables:
            seen.setdefault(id(t), ("tab", t))
        for kind, obj in seen.values():
            if kind == "fig":
                fig_no += 1
                new = fig_no
            else:
                tab_no += 1
                new = tab_no
            if obj.number != new:
                obj.number = new
                changed = True
    return changed


def render_report(
    ctx: ReportContext, sections: list[SectionResult], toc_pages: dict[str, int] | None = None
) -> str:
    """The whole self-contained report: inline CSS, SVG figures, no external references."""
    env = environment(ctx.lang)
    for s in sections:
        try:
            s.html = render_section(ctx, s)
        except Exception as exc:  # noqa: BLE001 - one broken template must not break the report
            warnings.warn(
                f"report section {s.name!r} could not be rendered: {exc}",
                SectionWarning,
                stacklevel=2,
            )
            s.available = False
            s.reason = ctx.t(
                f"avsnittet kunde inte visas ({type(exc).__name__}: {exc})",
                f"the section could not be shown ({type(exc).__name__}: {exc})",
            )
            s.figures, s.tables = [], []
            s.html = render_section(ctx, s)
    if _renumber(sections):
        for s in sections:
            s.html = render_section(ctx, s)
    return env.get_template("report.html.j2").render(
        ctx=ctx,
        t=ctx.t,
        sections=sections,
        today=format_date(date.today(), ctx.lang),
        toc_pages=toc_pages or {},
    )
