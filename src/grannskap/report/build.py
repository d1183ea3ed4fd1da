"""Build the report: sections -> report.html (+ report.pdf, report.xlsx, areas.gpkg)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from grannskap.errors import ConfigError, ReportWarning
from grannskap.privacy import check_threshold, default_threshold
from grannskap.report.context import ReportContext, SectionResult

if TYPE_CHECKING:
    import duckdb

__all__ = ["ReportResult", "build_context", "build_report", "FORMATS", "ReportWarning"]

Format = Literal["html", "pdf", "xlsx", "gpkg"]
FORMATS: tuple[Format, ...] = ("html", "pdf", "xlsx", "gpkg")


@dataclass
class ReportResult:
    out_dir: Path
    files: dict[str, Path] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)
    sections: list[SectionResult] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def describe(self) -> list[str]:
        lines = [f"wrote {p} ({p.stat().st_size // 1024} kB)" for p in self.files.values()]
        lines += [f"skipped {fmt}: {why}" for fmt, why in self.skipped.items()]
        missing = [s.title for s in self.sections if not s.available]
        if missing:
            lines.append("sections not available yet: " + "; ".join(missing))
        return lines


def build_context(
    con: duckdb.DuckDBPyConnection,
    kommun: str = "1490",
    lang: str = "sv",
    threshold: int | None = None,
    demo: bool = False,
    compare: Sequence[str] | None = None,
) -> ReportContext:
    from grannskap.report.data import check_kommun, kommun_name, latest_year

    if lang not in ("sv", "en"):
        raise ConfigError(f"language was {lang!r} but is expected to be one of ['sv', 'en']")
    kommun = check_kommun(con, kommun)
    thr = check_threshold(threshold) if threshold is not None else default_threshold()
    ctx = ReportContext(con, kommun, kommun_name(con, kommun), lang, latest_year(con), thr, demo)  # type: ignore[arg-type]
    ctx.compare = tuple(compare) if compare else None
    return ctx


def build_report(
    con: duckdb.DuckDBPyConnection,
    out_dir: str | Path,
    *,
    kommun: str = "1490",
    lang: str = "sv",
    formats: Sequence[str] = FORMATS,
    threshold: int | None = None,
    demo: bool = False,
    compare: Sequence[str] | None = None,
) -> ReportResult:
    """Write the report files into ``out_dir``; formats that cannot be written are skipped with a reason."""
    from grannskap.report.render import render_report
    from grannskap.report.sections import build_sections

    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise ConfigError(f"format {bad[0]!r} is not known; expected some of {list(FORMATS)}")
    from grannskap.outputs import atomic_path, output_error, write_text

    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(out, exc) from None
    t0 = time.perf_counter()
    ctx = build_context(con, kommun, lang, threshold, demo, compare)
    sections = build_sections(ctx)
    result = ReportResult(out, sections=sections)
    result.seconds["sections"] = time.perf_counter() - t0
    html = render_report(ctx, sections)
    html_path = out / "report.html"
    write_text(html_path, html)  # atomic: a failed write leaves the previous file
    result.files["html"] = html_path
    result.seconds["html"] = time.perf_counter() - t0
    if "xlsx" in formats:
        from grannskap.report.xlsx import write_xlsx

        result.files["xlsx"] = write_xlsx(sections, out / "report.xlsx", lang)
        result.seconds["xlsx"] = time.perf_counter() - t0
    if "gpkg" in formats:
        from grannskap.report.gpkg import write_gpkg

        with atomic_path(out / "areas.gpkg") as tmp:
            write_gpkg(ctx, tmp)
        result.files["gpkg"] = out / "areas.gpkg"
        result.seconds["gpkg"] = time.perf_counter() - t0
    if "pdf" in formats:
        from grannskap.report.pdf import PdfUnavailable, verify_pdf

        try:
            with atomic_path(out / "report.pdf") as pdf_path:
                _write_pdf(ctx, sections, html_path, pdf_path, out)
                verify_pdf(pdf_path)  # complete (%%EOF, pages) before it replaces the old one
            result.files["pdf"] = out / "report.pdf"
        except PdfUnavailable as exc:
            result.skipped["pdf"] = str(exc)
            warnings.warn(f"report.pdf not written: {exc}", ReportWarning, stacklevel=2)
        result.seconds["pdf"] = time.perf_counter() - t0
    if "html" not in formats:
        html_path.unlink()
        del result.files["html"]
    return result


def _write_pdf(
    ctx: ReportContext, sections: list[SectionResult], html_path: Path, pdf_path: Path, out: Path
) -> None:
    """Print ``html_path`` to ``pdf_path`` in one Chromium pass (see :mod:`grannskap.report.pdf`
    for why the contents list links to the sections instead of giving their pages)."""
    from grannskap.report.pdf import html_to_pdf

    html_to_pdf(html_path, pdf_path)
