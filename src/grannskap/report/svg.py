"""Hand-written SVG charts: small, self-contained, accessible (``role="img"``, title, desc).

Palettes are colour-blind safe: Okabe & Ito (2008) for categories and ColorBrewer RdYlBu
(Brewer 2003, marked colour-blind safe) for the five *områdestyper*. Colour is never the
only carrier of meaning: bars carry value labels and tiles carry their class number.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from grannskap.format import format_number
from grannskap.privacy import SUPPRESSED

__all__ = [
    "OKABE_ITO",
    "TYPE_COLOURS",
    "Tile",
    "bar_chart",
    "stacked_columns",
    "tile_map",
    "category_grid",
    "polygon_map",
    "interval_chart",
    "line_chart",
]

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
# RdYlBu 5 classes: 1 = major challenges (red) ... 5 = very good conditions (blue)
TYPE_COLOURS = {1: "#d7191c", 2: "#fdae61", 3: "#ffffbf", 4: "#abd9e9", 5: "#2c7bb6"}
TYPE_TEXT = {1: "#ffffff", 2: "#000000", 3: "#000000", 4: "#000000", 5: "#ffffff"}
_FONT = "DejaVu Sans, Arial, sans-serif"


def _open(width: float, height: float, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" class="chart" font-family="{_FONT}" role="img" '
        f'aria-label="{escape(title)}: {escape(desc)}"><title>{escape(title)}</title><desc>{escape(desc)}</desc>'
    )


def interactive(svg: str) -> str:
    """An SVG whose areas are links is a group of controls, not one image: ``role="img"``
    would hide the links from assistive technology (axe: nested-interactive)."""
    return svg.replace('role="img"', 'role="group"', 1) if "<a href=" in svg else svg


def wrap(text: str, width_px: float, font_size: float = 12) -> list[str]:
    """Split ``text`` into lines that fit ``width_px`` (about 0.58 em per character in DejaVu
    Sans); labels are wrapped, never cut. A word longer than a line stays whole."""
    per_line = max(4, int(width_px / (0.58 * font_size)))
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= per_line:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _text_lines(
    x: float,
    y_mid: float,
    lines: Sequence[str],
    *,
    font_size: float = 12,
    anchor: str = "end",
    extra: str = "",
) -> str:
    """A ``<text>`` of several lines centred vertically on ``y_mid``."""
    lh = font_size * 1.15
    y0 = y_mid - (len(lines) - 1) * lh / 2 + font_size * 0.35
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{y0 + i * lh:.1f}">{escape(line)}{" " if i < len(lines) - 1 else ""}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text font-size="{font_size:g}" text-anchor="{anchor}"{extra}>{spans}</text>'


def _fmt(value: float | None, decimals: int, lang: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return SUPPRESSED
    return format_number(value, decimals, lang)


def bar_chart(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    desc: str,
    unit: str = "%",
    decimals: int = 1,
    lang: str = "sv",
    width: int = 720,
    refs: Sequence[tuple[str, float]] = (),
) -> str:
    """Horizontal grouped bars, one group per category, one bar per series, value labels.

    ``refs`` draws labelled dashed vertical reference lines (e.g. the kommun and Sweden).
    """
    label_w, bar_h, gap = 230, 14, 10
    n_s = len(series)
    wrapped = [wrap(c, label_w - 14) for c in categories]
    heights = [max(n_s * bar_h, 14 * len(w)) + gap for w in wrapped]
    tops = [sum(heights[:i]) for i in range(len(heights))]
    legend_h = 26 + 14 * len(refs)
    height = legend_h + sum(heights) + 10
    values = [v for _, vs in series for v in vs if v is not None and not math.isnan(v)]
    vmax = max([*values, *(r[1] for r in refs)]) if values else 1.0
    vmax = vmax * 1.15 or 1.0
    plot_w = width - label_w - 70
    parts = [_open(width, height, title, desc)]
    x: float = label_w
    for j, (name, _) in enumerate(series):
        colour = OKABE_ITO[j % len(OKABE_ITO)]
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16" font-size="12">{escape(name)}</text>')
        x += 24 + 7.5 * len(name)
    for i, _cat in enumerate(categories):
        y0 = legend_h + tops[i] + (heights[i] - gap - n_s * bar_h) / 2
        parts.append(
            _text_lines(label_w - 8, legend_h + tops[i] + (heights[i] - gap) / 2, wrapped[i])
        )
        for j, (_, vs) in enumerate(series):
            v = vs[i]
            y = y0 + j * bar_h
            colour = OKABE_ITO[j % len(OKABE_ITO)]
            ok = v is not None and not math.isnan(v)
            w = max(0.0, (v or 0.0) / vmax * plot_w) if ok else 0.0
            parts.append(
                f'<rect x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{colour}"/>'
            )
            text = _fmt(v if ok else None, decimals, lang) + (
                f"\u00a0{unit}" if ok and unit else ""
            )
            parts.append(
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 4}" font-size="11">{escape(text)}</text>'
            )
    parts.append(
        f'<line x1="{label_w}" y1="{legend_h - 2}" x2="{label_w}" y2="{height - 6}" stroke="#333"/>'
    )
    for k, (name, v) in enumerate(refs):
        if v is None or math.isnan(v):
            continue
        x = label_w + v / vmax * plot_w
        colour = ("#000000", "#D55E00", "#009E73")[k % 3]
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{26 + 14 * k}" y2="{height - 6}" stroke="{colour}" '
            f'stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
        text = f"{name} {_fmt(v, decimals, lang)}" + (f"\u00a0{unit}" if unit else "")
        parts.append(
            f'<text x="{x + 3:.1f}" y="{34 + 14 * k}" font-size="11" fill="{colour}" '
            f'stroke="#fff" stroke-width="3" paint-order="stroke">{escape(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def stacked_columns(
    labels: Sequence[str],
    stacks: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    desc: str,
    lang: str = "sv",
    width: int = 720,
    height: int = 300,
    colours: Sequence[str] | None = None,
) -> str:
    """Vertical stacked columns (e.g. areas per police category and list year), totals on top."""
    colours = list(colours or OKABE_ITO)
    left, bottom, top = 50, 40, 40
    plot_h = height - bottom - top
    totals = [sum(s[1][i] or 0 for s in stacks) for i in range(len(labels))]
    vmax = max(totals) * 1.1 if totals and max(totals) > 0 else 1.0
    slot = (width - left - 10) / max(1, len(labels))
    bw = slot * 0.6
    parts = [_open(width, height, title, desc)]
    x: float = left
    for j, (name, _) in enumerate(stacks):
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{colours[j]}"/>')
        parts.append(f'<text x="{x + 16}" y="18" font-size="12">{escape(name)}</text>')
        x += 30 + 7 * len(name)
    for tick in range(0, int(vmax) + 1, max(1, int(vmax // 5) or 1)):
        y = top + plot_h - tick / vmax * plot_h
        parts.append(
            f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
        )
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{tick}</text>'
        )
    for i, lab in enumerate(labels):
        x = left + i * slot + (slot - bw) / 2
        y = top + plot_h
        for j, (_, vals) in enumerate(stacks):
            v = vals[i] or 0
            h = v / vmax * plot_h
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bw:.1f}" height="{h:.1f}" fill="{colours[j]}"/>'
            )
            if h > 13:
                fill = (
                    "#fff" if colours[j] in ("#0072B2", "#D55E00", "#000000", "#009E73") else "#000"
                )
                parts.append(
                    f'<text x="{x + bw / 2:.1f}" y="{y + h / 2 + 4:.1f}" font-size="10" '
                    f'text-anchor="middle" fill="{fill}">{format_number(v, 0, lang)}</text>'
                )
        parts.append(
            f'<text x="{x + bw / 2:.1f}" y="{y - 4:.1f}" font-size="11" text-anchor="middle" '
            f'font-weight="bold">{format_number(totals[i], 0, lang)}</text>'
        )
        parts.append(
            f'<text x="{x + bw / 2:.1f}" y="{top + plot_h + 16}" font-size="12" '
            f'text-anchor="middle">{escape(lab)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Tile:
    code: str
    label: str
    klass: int | None  # 1-5 områdestyp (or None: unknown)
    text: str  # short text inside the tile (e.g. the class number)
    href: str | None = None
    note: str = ""  # extra line for the tooltip


def tile_map(
    tiles: Sequence[Tile],
    *,
    title: str,
    desc: str,
    legend: dict[int, str],
    columns: int = 8,
    width: int = 760,
    unknown_label: str = "uppgift saknas",
) -> str:
    """One square per area in a grid (code order), coloured by class, with a legend."""
    cell = (width - 10) / columns
    rows = math.ceil(len(tiles) / columns) if tiles else 1
    legend_h = 22 * (len(legend) + 1) + 10
    height = rows * cell + legend_h + 10
    parts = [_open(width, height, title, desc)]
    for i, t in enumerate(tiles):
        r, c = divmod(i, columns)
        x, y = 5 + c * cell, 5 + r * cell
        fill = TYPE_COLOURS.get(t.klass or 0, "#e0e0e0")
        ink = TYPE_TEXT.get(t.klass or 0, "#000")
        name_lines = wrap(t.label, cell - 10, 9)
        body = (
            f'<rect x="{x + 2:.1f}" y="{y + 2:.1f}" width="{cell - 4:.1f}" height="{cell - 4:.1f}" '
            f'rx="6" fill="{fill}" stroke="#333" stroke-width="0.8"/>'
            f'<text x="{x + cell / 2:.1f}" y="{y + cell * 0.45:.1f}" font-size="22" font-weight="bold" '
            f'text-anchor="middle" fill="{ink}">{escape(t.text)}</text>'
        ) + (
            _text_lines(
                x + cell / 2,
                y + cell * 0.66,
                name_lines,
                font_size=9 if len(name_lines) <= 2 else 8,
                anchor="middle",
                extra=f' fill="{ink}"',
            )
            + f'<text x="{x + cell / 2:.1f}" y="{y + cell * 0.9:.1f}" font-size="8" '
            f'text-anchor="middle" fill="{ink}">{escape(t.code)}</text>'
        )
        tip = f"<title>{escape(t.label)} ({escape(t.code)}){(': ' + escape(t.note)) if t.note else ''}</title>"
        if t.href:
            parts.append(
                f'<a href="{escape(t.href)}" aria-label="{escape(t.label)}">{tip}{body}</a>'
            )
        else:
            parts.append(f"<g>{tip}{body}</g>")
    y = rows * cell + 20
    for k, lab in [*legend.items(), (0, unknown_label)]:
        parts.append(
            f'<rect x="10" y="{y:.1f}" width="16" height="16" fill="{TYPE_COLOURS.get(k, "#e0e0e0")}" stroke="#333"/>'
            f'<text x="32" y="{y + 13:.1f}" font-size="12">{(str(k) + " – ") if k else ""}{escape(lab)}</text>'
        )
        y += 22
    parts.append("</svg>")
    return interactive("".join(parts))


def category_grid(
    rows: Sequence[str],
    years: Sequence[int],
    cells: dict[tuple[str, int], str],
    *,
    title: str,
    desc: str,
    styles: dict[str, tuple[str, str, str, str]],
    width: int = 760,
) -> str:
    """A row per area, a column per year; ``styles[cat] = (fill, ink, short text, legend text)``."""
    label_w, cell_h = 170, 34
    cell_w = (width - label_w - 10) / max(1, len(years))
    wrapped = {name: wrap(name, label_w - 14) for name in rows}
    height = 30 + len(rows) * cell_h + 30 + 22 * len(styles)
    parts = [_open(width, height, title, desc)]
    for j, yr in enumerate(years):
        parts.append(
            f'<text x="{label_w + j * cell_w + cell_w / 2:.1f}" y="20" font-size="12" '
            f'text-anchor="middle" font-weight="bold">{yr}</text>'
        )
    for i, name in enumerate(rows):
        y = 30 + i * cell_h
        lines = wrapped[name]
        parts.append(
            _text_lines(label_w - 8, y + cell_h / 2, lines, font_size=12 if len(lines) <= 2 else 10)
        )
        for j, yr in enumerate(years):
            cat = cells.get((name, yr))
            fill, ink, short, _ = styles.get(cat or "", ("#f2f2f2", "#555", "–", ""))
            x = label_w + j * cell_w
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{y + 2}" width="{cell_w - 4:.1f}" height="{cell_h - 4}" fill="{fill}" stroke="#333" stroke-width="0.6"/>'
                f'<text x="{x + cell_w / 2:.1f}" y="{y + cell_h / 2 + 4:.1f}" font-size="11" text-anchor="middle" fill="{ink}">{escape(short)}</text>'
            )
    y = 40 + len(rows) * cell_h
    for _cat, (fill, _ink, short, label) in styles.items():
        label = f"{short} = {label}"
        parts.append(
            f'<rect x="10" y="{y}" width="16" height="16" fill="{fill}" stroke="#333"/>'
            f'<text x="32" y="{y + 13}" font-size="12">{escape(label)}</text>'
        )
        y += 22
    parts.append("</svg>")
    return "".join(parts)


def polygon_map(
    shapes: Sequence[tuple[str, object, str]],
    *,
    title: str,
    desc: str,
    width: int = 520,
    height: int = 380,
    scale_note: str = "",
) -> str:
    """Draw shapely (multi)polygons in EPSG:3006 metres, north up, labelled at their centroid.

    ``shapes`` are ``(label, geometry, fill)``.
    """
    from shapely.geometry import MultiPolygon, Polygon

    geoms = [g for _, g, _ in shapes]
    minx = min(g.bounds[0] for g in geoms)  # type: ignore[attr-defined]
    miny = min(g.bounds[1] for g in geoms)  # type: ignore[attr-defined]
    maxx = max(g.bounds[2] for g in geoms)  # type: ignore[attr-defined]
    maxy = max(g.bounds[3] for g in geoms)  # type: ignore[attr-defined]
    pad = 0.08 * max(maxx - minx, maxy - miny)
    minx, miny, maxx, maxy = minx - pad, miny - pad, maxx + pad, maxy + pad
    s = min((width - 20) / (maxx - minx), (height - 40) / (maxy - miny))

    def pt(x: float, y: float) -> str:
        return f"{10 + (x - minx) * s:.1f},{10 + (maxy - y) * s:.1f}"

    parts = [_open(width, height, title, desc)]
    for label, g, fill in shapes:
        polys = list(g.geoms) if isinstance(g, MultiPolygon) else [g]
        d = ""
        for p in polys:
            if not isinstance(p, Polygon):
                continue
            for ring in [p.exterior, *p.interiors]:
                d += "M" + " L".join(pt(x, y) for x, y in ring.coords) + " Z "
        parts.append(
            f'<path d="{d}" fill="{fill}" fill-opacity="0.75" stroke="#222" stroke-width="1" fill-rule="evenodd"><title>{escape(label)}</title></path>'
        )
        c = g.centroid  # type: ignore[attr-defined]
        cx, cy = pt(c.x, c.y).split(",")
        parts.append(
            f'<text x="{cx}" y="{cy}" font-size="13" font-weight="bold" text-anchor="middle" stroke="#fff" stroke-width="3" paint-order="stroke">{escape(label)}</text>'
        )
    # scale bar: 1 km
    bar = 1000 * s
    parts.append(
        f'<line x1="10" y1="{height - 15}" x2="{10 + bar:.1f}" y2="{height - 15}" stroke="#000" stroke-width="3"/>'
    )
    parts.append(
        f'<text x="{14 + bar:.1f}" y="{height - 11}" font-size="11">1 km {escape(scale_note)}</text>'
    )
    parts.append(f'<text x="{width - 20}" y="24" font-size="14" text-anchor="middle">N ↑</text>')
    parts.append("</svg>")
    return "".join(parts)


def interval_chart(
    labels: Sequence[str],
    estimate: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    *,
    title: str,
    desc: str,
    lang: str = "sv",
    unit: str = "%",
    vmax: float = 100.0,
    width: int = 720,
) -> str:
    """Point estimates with interval whiskers on a 0–``vmax`` axis, one row per label."""
    label_w = 300
    plot_w = width - label_w - 70
    wrapped = [wrap(lab, label_w - 14) for lab in labels]
    rows_h = [max(34.0, 14.0 * len(w) + 8) for w in wrapped]
    height = 30 + sum(rows_h) + 20
    parts = [_open(width, height, title, desc)]
    for tick in range(0, int(vmax) + 1, int(vmax // 4) or 1):
        x = label_w + tick / vmax * plot_w
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="20" y2="{height - 16}" stroke="#ddd"/>')
        parts.append(
            f'<text x="{x:.1f}" y="14" font-size="11" text-anchor="middle">{format_number(tick, 0, lang)}{unit}</text>'
        )
    for i, _lab in enumerate(labels):
        y = 30 + sum(rows_h[:i]) + rows_h[i] / 2
        parts.append(_text_lines(label_w - 8, y, wrapped[i]))
        lo, hi, est = (min(vmax, max(0.0, v)) for v in (low[i], high[i], estimate[i]))
        x0, x1, xe = (label_w + v / vmax * plot_w for v in (lo, hi, est))
        parts.append(
            f'<line x1="{x0:.1f}" x2="{x1:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{OKABE_ITO[0]}" stroke-width="3"/>'
        )
        parts.append(
            f'<line x1="{x0:.1f}" x2="{x0:.1f}" y1="{y - 6:.1f}" y2="{y + 6:.1f}" stroke="{OKABE_ITO[0]}" stroke-width="2"/>'
        )
        parts.append(
            f'<line x1="{x1:.1f}" x2="{x1:.1f}" y1="{y - 6:.1f}" y2="{y + 6:.1f}" stroke="{OKABE_ITO[0]}" stroke-width="2"/>'
        )
        parts.append(
            f'<circle cx="{xe:.1f}" cy="{y:.1f}" r="5" fill="{OKABE_ITO[5]}" stroke="#000"/>'
        )
        parts.append(
            f'<text x="{x1 + 8:.1f}" y="{y + 4:.1f}" font-size="11">{format_number(estimate[i], 1, lang)}{unit}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    years: Sequence[int],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    title: str,
    desc: str,
    lang: str = "sv",
    unit: str = "%",
    width: int = 360,
    height: int = 220,
) -> str:
    """Small line chart over years (one line per series, markers with distinct shapes)."""
    left, right, top, bottom = 44, 50, 44, 28
    vals = [v for _, vs in series for v in vs if v is not None and not math.isnan(v)]
    if not vals:
        vals = [0.0, 1.0]
    lo, hi = min(vals), max(vals)
    pad = (hi - lo) * 0.15 or max(abs(hi) * 0.1, 1.0)
    lo, hi = max(0.0, lo - pad), hi + pad
    pw, ph = width - left - right, height - top - bottom
    span = (years[-1] - years[0]) or 1

    def xy(year: int, v: float) -> tuple[float, float]:
        return left + (year - years[0]) / span * pw, top + ph - (v - lo) / (hi - lo) * ph

    parts = [_open(width, height, title, desc)]
    parts.append(f'<text x="4" y="14" font-size="12" font-weight="bold">{escape(title)}</text>')
    lx = 4.0
    for j, (name, _) in enumerate(series):
        colour = OKABE_ITO[j % len(OKABE_ITO)]
        parts.append(f'<rect x="{lx:.1f}" y="22" width="10" height="10" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 13:.1f}" y="31" font-size="10">{escape(name)}</text>')
        lx += 22 + 6 * len(name)
    tick_decimals = 1 if (hi - lo) < 8 else 0
    for k in range(5):
        v = lo + (hi - lo) * k / 4
        y = top + ph - ph * k / 4
        parts.append(
            f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>'
        )
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{format_number(v, tick_decimals, lang)}</text>'
        )
    for yr in years:
        x, _ = xy(yr, lo)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 8}" font-size="10" text-anchor="middle">{yr}</text>'
        )
    shapes = ("circle", "square", "diamond")
    for j, (_name, vs) in enumerate(series):
        colour = OKABE_ITO[j % len(OKABE_ITO)]
        pts = [
            (xy(yr, v), v)
            for yr, v in zip(years, vs, strict=True)
            if v is not None and not math.isnan(v)
        ]
        if len(pts) > 1:
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="'
                + " ".join(f"{x:.1f},{y:.1f}" for (x, y), _ in pts)
                + '"/>'
            )
        for (x, y), _v in pts:
            shape = shapes[j % 3]
            if shape == "circle":
                parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
            elif shape == "square":
                parts.append(
                    f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="{colour}"/>'
                )
            else:
                parts.append(
                    f'<path d="M{x:.1f},{y - 4.5:.1f} L{x + 4.5:.1f},{y:.1f} L{x:.1f},{y + 4.5:.1f} L{x - 4.5:.1f},{y:.1f} Z" fill="{colour}"/>'
                )
        if pts:
            (x, y), v = pts[-1]
            parts.append(
                f'<text x="{x + 6:.1f}" y="{y + 4:.1f}" font-size="10" fill="{colour}">'
                f"{format_number(v, 1, lang)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)
