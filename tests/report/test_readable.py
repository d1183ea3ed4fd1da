"""Readable report: tables and figures numbered in reading order, names instead of raw codes."""

from __future__ import annotations

import re

from grannskap.report.build import build_context
from grannskap.report.render import render_report
from grannskap.report.sections import build_sections


def test_numbers_follow_reading_order_and_no_raw_codes(demo_con) -> None:  # type: ignore[no-untyped-def]
    ctx = build_context(demo_con, "1490", "sv")
    sections = build_sections(
        ctx, ("summary", "areas", "indicators", "police", "programme", "funding")
    )
    html = render_report(ctx, sections)
    tabs = [int(n) for n in re.findall(r"<strong>Tabell (\d+)\.</strong>", html)]
    figs = [int(n) for n in re.findall(r"<strong>Figur (\d+)\.</strong>", html)]
    assert tabs == list(range(1, len(tabs) + 1)) and len(tabs) >= 8
    assert figs == list(range(1, len(figs) + 1)) and len(figs) >= 4
    cells = re.findall(r"<t[dh][^>]*>([^<]*)</t[dh]>", html)
    for raw in ("hulta", "hassleholmen", "sjobo", "sarskilt_utsatt", "okand"):
        assert raw not in cells, raw
    # wide tables may use the window's width at 1280 px (no hidden columns behind a scrollbar)
    assert "wide-wrap" in html and ".table-wrap.wide-wrap" in html
