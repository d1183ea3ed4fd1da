"""The report's sections: one module here plus one template ``templates/<name>.html.j2`` each.

A section module defines ``NAME``, ``TITLE = {"sv": ..., "en": ...}`` and
``build(ctx: ReportContext) -> SectionResult``. To add a section, write the module and the
template and add its name to :data:`SECTIONS` (display order). ``BUILD_LAST`` sections
(the summary) are built after the others so they can quote their results.

A section whose dependency is missing (``ImportError``), whose data are absent
(:class:`~grannskap.errors.DataNotFoundError`) or that fails in any other way is shown as a
"not available yet: <why>" box; the rest of the report is still written.
"""

from __future__ import annotations

import importlib
import warnings

from grannskap.errors import DataNotFoundError, GrannskapError, SectionWarning
from grannskap.report.context import ReportContext, SectionResult

__all__ = ["SECTIONS", "BUILD_LAST", "build_sections", "SectionWarning"]

SECTIONS: tuple[str, ...] = (
    "summary",
    "areas",
    "indicators",
    "goals",
    "segregation",
    "history",
    "police",
    "programme",
    "boards",
    "evaluation",
    "funding",
    "methods",
)
BUILD_LAST: tuple[str, ...] = ("summary",)


def _unavailable(name: str, title: str, reason: str) -> SectionResult:
    return SectionResult(name=name, title=title, available=False, reason=reason)


def build_one(ctx: ReportContext, name: str) -> SectionResult:
    """Build one section, turning any failure into an 'not available' result."""
    try:
        module = importlib.import_module(f"grannskap.report.sections.{name}")
    except ImportError as exc:  # pragma: no cover - our own modules always import
        return _unavailable(name, name, f"{type(exc).__name__}: {exc}")
    title = module.TITLE.get(ctx.lang, module.TITLE["sv"])
    try:
        result: SectionResult = module.build(ctx)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        reason = ctx.t(
            f"modulen {missing} finns inte ännu i denna version av grannskap",
            f"the module {missing} is not yet part of this version of grannskap",
        )
        return _unavailable(name, title, reason)
    except DataNotFoundError as exc:
        # nothing to show for this kommun (no programme, no police areas, ...): one line
        result = _unavailable(name, title, str(exc))
        result.data["no_data"] = True
        return result
    except GrannskapError as exc:
        return _unavailable(name, title, str(exc))
    except Exception as exc:  # noqa: BLE001 - a broken section must not break the report
        warnings.warn(
            f"report section {name!r} failed: {type(exc).__name__}: {exc}",
            SectionWarning,
            stacklevel=2,
        )
        return _unavailable(
            name,
            title,
            ctx.t(
                f"ett fel uppstod ({type(exc).__name__}: {exc})",
                f"an error occurred ({type(exc).__name__}: {exc})",
            ),
        )
    result.title = result.title or title
    return result


def build_sections(ctx: ReportContext, names: tuple[str, ...] = SECTIONS) -> list[SectionResult]:
    """Build the sections (summary last), number sections, figures and tables in display order."""
    order = [n for n in names if n not in BUILD_LAST] + [n for n in names if n in BUILD_LAST]
    for name in order:
        ctx.results[name] = build_one(ctx, name)
    results = [ctx.results[n] for n in names]
    fig_no = tab_no = 0
    for i, r in enumerate(results, start=1):
        r.number = i
        for f in r.figures:
            fig_no += 1
            f.number = fig_no
        for t in r.tables:
            tab_no += 1
            t.number = tab_no
    return results
