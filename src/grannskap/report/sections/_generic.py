"""Adapter: turn another module's ``report_data`` result into a section (defensively).

Accepted shapes (dict keys or attributes): ``title``, ``text``/``paragraphs`` (str or list of
str), ``tables`` (mapping name -> DataFrame, or list of objects/dicts with ``title``, ``frame``
or ``data``, ``source``), ``figures`` (mapping name -> SVG text, or objects/dicts with ``svg``,
``title``, ``alt``, ``source``), ``source``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from grannskap.report.context import Column, Figure, ReportContext, SectionResult, Table

__all__ = ["from_report_data", "get"]


def get(obj: Any, key: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _columns(frame: pd.DataFrame) -> list[Column]:
    cols = []
    for c in frame.columns:
        kind = "text"
        if pd.api.types.is_integer_dtype(frame[c]):
            kind = "year" if "year" in str(c).lower() or "år" in str(c).lower() else "int"
        elif pd.api.types.is_float_dtype(frame[c]):
            kind = "num1"
        cols.append(Column(str(c), str(c), kind))  # type: ignore[arg-type]
    return cols


def from_report_data(
    ctx: ReportContext, name: str, title: dict[str, str], payload: Any
) -> SectionResult:
    default_source = str(get(payload, "source", "") or "")
    text = get(payload, "paragraphs") or get(payload, "text") or []
    if isinstance(text, str):
        text = [p for p in text.split("\n\n") if p.strip()]
    tables: list[Table] = []
    raw_tables = get(payload, "tables") or {}
    items = (
        list(raw_tables.items()) if isinstance(raw_tables, Mapping) else list(enumerate(raw_tables))
    )
    for i, (key, tb) in enumerate(items):
        frame = (
            tb
            if isinstance(tb, pd.DataFrame)
            else (get(tb, "frame") if get(tb, "frame") is not None else get(tb, "data"))
        )
        if not isinstance(frame, pd.DataFrame):
            frame = pd.DataFrame(frame)
        frame = frame.reset_index(
            drop=not isinstance(frame.index, pd.MultiIndex) and frame.index.name is None
        )
        t_title = str(key) if isinstance(tb, pd.DataFrame) else str(get(tb, "title", key))
        src = (
            default_source
            if isinstance(tb, pd.DataFrame)
            else str(get(tb, "source", default_source) or default_source)
        )
        tables.append(Table(f"{name}-{i}", t_title, frame, _columns(frame), src or name))
    figures: list[Figure] = []
    raw_figs = get(payload, "figures") or {}
    fitems = list(raw_figs.items()) if isinstance(raw_figs, Mapping) else list(enumerate(raw_figs))
    for i, (key, fg) in enumerate(fitems):
        svg_text = fg if isinstance(fg, str) else get(fg, "svg")
        if not isinstance(svg_text, str) or "<svg" not in svg_text:
            continue
        figures.append(
            Figure(
                f"{name}-{i}",
                str(get(fg, "title", key)) if not isinstance(fg, str) else str(key),
                svg_text,
                str(get(fg, "alt", "") or get(fg, "title", key))
                if not isinstance(fg, str)
                else str(key),
                str(get(fg, "source", default_source) or default_source)
                if not isinstance(fg, str)
                else default_source,
            )
        )
    t = get(payload, "title")
    return SectionResult(
        name,
        str(t) if t else title.get(ctx.lang, title["sv"]),
        True,
        data={"paragraphs": [str(p) for p in text]},
        figures=figures,
        tables=tables,
    )
