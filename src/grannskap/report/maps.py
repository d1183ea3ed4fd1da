"""Choropleth maps from polygons (EPSG:3006 metres), drawn as inline SVG.

No tiles, no scripts, no external requests: the maps print as they are shown. Each area is a
``<path>`` with a ``<title>`` (name, code and value, read by screen readers and shown as a
tooltip) and a small number label (the RegSO code's serial number, so that a printed map can
be read against its data table). Overlays (the Police's areas) are drawn as heavy outlines
with a hatch over the fill, so they stay visible in greyscale.

Class breaks for indicators are quantiles (:func:`quantile_breaks`) in a single-hue
ColorBrewer Blues scale (Brewer 2003, colour-blind and print safe); *områdestyper* use the
report's RdYlBu palette (:data:`grannskap.report.svg.TYPE_COLOURS`).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import numpy as np

from grannskap.format import format_number
from grannskap.report.svg import TYPE_COLOURS, TYPE_TEXT, interactive

__all__ = [
    "MapArea",
    "Overlay",
    "BLUES",
    "blues",
    "MISSING_FILL",
    "choropleth",
    "core_extent",
    "quantile_breaks",
    "class_of",
    "break_labels",
    "serial",
    "type_fill",
]

BLUES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
_BLUES_INK = ("#000000", "#000000", "#000000", "#ffffff", "#ffffff")
MISSING_FILL = "#e0e0e0"
_FONT = "DejaVu Sans, Arial, sans-serif"


@dataclass(frozen=True)
class MapArea:
    code: str
    label: str  # area name
    geometry: Any  # shapely (multi)polygon, EPSG:3006
    fill: str
    ink: str  # colour of the number label on this fill
    tip: str  # value text for the tooltip (e.g. "typ 2" or "23,4 %")
    number: str = ""  # short label drawn on the map
    href: str | None = None


@dataclass(frozen=True)
class Overlay:
    label: str
    geometry: Any


def serial(code: str) -> str:
    """The short number drawn on the map: the serial part of a RegSO/DeSO code
    (``1490R023`` -> ``23``, ``1490C1010`` -> ``C1010``)."""
    tail = code[4:]
    if tail[:1] == "R" and tail[1:].isdigit():
        return str(int(tail[1:]))
    return tail


def type_fill(klass: int | None) -> tuple[str, str]:
    """Fill and ink of an *områdestyp* (grey for unknown)."""
    if klass is None:
        return MISSING_FILL, "#000000"
    return TYPE_COLOURS.get(klass, MISSING_FILL), TYPE_TEXT.get(klass, "#000000")


def quantile_breaks(values: Sequence[float], k: int = 5) -> list[float]:
    """Upper bounds of ``k`` quantile classes (the last is the maximum); duplicates removed,
    so fewer classes come back when many values are equal. NaN values are ignored."""
    arr = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype=float)
    if arr.size == 0:
        return []
    qs = np.quantile(arr, np.linspace(0, 1, k + 1)[1:])
    out: list[float] = []
    for q in qs:
        if not out or q > out[-1]:
            out.append(float(q))
    return out


def class_of(value: float | None, breaks: Sequence[float]) -> int | None:
    """0-based class of ``value`` (None for missing): the first break it does not exceed."""
    if value is None or math.isnan(value) or not breaks:
        return None
    for i, b in enumerate(breaks):
        if value <= b:
            return i
    return len(breaks) - 1


def break_labels(
    values: Sequence[float], breaks: Sequence[float], decimals: int, lang: str, unit: str = ""
) -> list[str]:
    """Legend texts "lo–hi unit" per class, from the smallest value in each class."""
    arr = [v for v in values if v is not None and not math.isnan(v)]
    labels = []
    for i, hi in enumerate(breaks):
        members = [v for v in arr if class_of(v, breaks) == i]
        lo = min(members) if members else (breaks[i - 1] if i else hi)
        a, b = format_number(lo, decimals, lang), format_number(hi, decimals, lang)
        labels.append(f"{a}–{b}{(' ' + unit) if unit else ''}" if a != b else f"{a} {unit}".strip())
    return labels


def blues(i: int, n: int) -> tuple[str, str]:
    """Fill and ink of class ``i`` of ``n`` on the Blues scale (spread over the 5 hues)."""
    j = round(i * (len(BLUES) - 1) / max(1, n - 1)) if n > 1 else 2
    return BLUES[j], _BLUES_INK[j]


def _scale_length(width_m: float) -> int:
    """A round scale-bar length (metres) of about a fifth of the map's width."""
    target = width_m / 5
    for m in (100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000):
        if m >= target * 0.6:
            return m
    return 100_000


def _path(geom: Any, pt: Any) -> str:
    from shapely.geometry import MultiPolygon, Polygon

    polys = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    d = []
    for p in polys:
        if not isinstance(p, Polygon):
            continue
        for ring in [p.exterior, *p.interiors]:
            coords = list(ring.coords)
            d.append("M" + "L".join(pt(x, y) for x, y in coords[:-1]) + "Z")
    return "".join(d)


def core_extent(geoms: Sequence[Any], share: float = 0.2) -> tuple[float, ...] | None:
    """The extent of the small (urban) areas, for a zoomed inset: the bounding box of the
    areas no larger than the median area, padded by 5 %; None when it covers more than
    ``share`` of the whole map's box (then the main map shows them well enough)."""
    if len(geoms) < 6:
        return None
    areas = np.array([g.area for g in geoms])
    small = [g for g, a in zip(geoms, areas, strict=True) if a <= np.median(areas)]
    b = np.array([g.bounds for g in small])
    ext = [b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()]
    full = np.array([g.bounds for g in geoms])
    fw = full[:, 2].max() - full[:, 0].min()
    fh = full[:, 3].max() - full[:, 1].min()
    w, h = ext[2] - ext[0], ext[3] - ext[1]
    if w * h > share * fw * fh:
        return None
    px, py = 0.05 * w, 0.05 * h
    return (ext[0] - px, ext[1] - py, ext[2] + px, ext[3] + py)


class _Frame:
    """A linear map from EPSG:3006 metres to SVG pixels for one panel (north up)."""

    def __init__(self, extent: Sequence[float], x: float, y: float, w: float, h: float) -> None:
        minx, miny, maxx, maxy = extent
        self.s = min(w / (maxx - minx), h / (maxy - miny))
        self.minx, self.maxy = minx, maxy
        self.x0 = x + (w - (maxx - minx) * self.s) / 2
        self.y0 = y
        self.width = (maxx - minx) * self.s
        self.height = (maxy - miny) * self.s

    def pt(self, x: float, y: float) -> str:
        return f"{self.x0 + (x - self.minx) * self.s:.1f},{self.y0 + (self.maxy - y) * self.s:.1f}"

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return self.x0 + (x - self.minx) * self.s, self.y0 + (self.maxy - y) * self.s


def _panel(
    areas: Sequence[MapArea],
    overlays: Sequence[Overlay],
    fr: _Frame,
    uid: str,
    *,
    links: bool | set[str],
    clip: str | None = None,
    min_label_px: float = 150.0,
) -> list[str]:
    parts = [f'<g clip-path="url(#{clip})">' if clip else "<g>"]
    for a in areas:
        body = (
            f'<path d="{_path(a.geometry, fr.pt)}" fill="{a.fill}" stroke="#444" '
            f'stroke-width="0.6" fill-rule="evenodd"/>'
        )
        tip = f"<title>{escape(a.label)} ({escape(a.code)}): {escape(a.tip)}</title>"
        if a.href and (a.code in links if isinstance(links, set) else links):
            parts.append(
                f'<a href="{escape(a.href)}" aria-label="{escape(a.label)}">{tip}{body}</a>'
            )
        else:
            parts.append(f"<g>{tip}{body}</g>")
    for o in overlays:
        parts.append(
            f'<g><title>{escape(o.label)}</title><path d="{_path(o.geometry, fr.pt)}" '
            f'fill="url(#{uid})" fill-opacity="0.55" stroke="#000" stroke-width="2.4" '
            f'fill-rule="evenodd" pointer-events="none"/></g>'
        )
    for a in areas:
        if not a.number or a.geometry.area * fr.s * fr.s < min_label_px:
            continue
        p = a.geometry.representative_point()
        x, y = fr.xy(p.x, p.y)
        parts.append(
            f'<text x="{x:.1f}" y="{y + 3:.1f}" font-size="9" text-anchor="middle" '
            f'fill="{a.ink}" aria-hidden="true" pointer-events="none">{escape(a.number)}</text>'
        )
    parts.append("</g>")
    return parts


def _overlay_labels(overlays: Sequence[Overlay], fr: _Frame) -> list[str]:
    out = []
    for o in overlays:
        b = o.geometry.bounds
        x, y = fr.xy((b[0] + b[2]) / 2, b[3])
        out.append(
            f'<text x="{x:.1f}" y="{y - 5:.1f}" font-size="12" font-weight="bold" '
            f'text-anchor="middle" stroke="#fff" stroke-width="3" paint-order="stroke" '
            f'aria-hidden="true" pointer-events="none">{escape(o.label)}</text>'
        )
    return out


def _scale_bar(fr: _Frame, x: float, y: float, lang: str) -> str:
    m = _scale_length(fr.width / fr.s)
    bar = m * fr.s
    km = format_number(m / 1000, 0 if m >= 1000 else 1, lang)
    return (
        f'<line x1="{x:.1f}" y1="{y:.1f}" x2="{x + bar:.1f}" y2="{y:.1f}" stroke="#000" stroke-width="3"/>'
        f'<text x="{x + bar + 6:.1f}" y="{y + 4:.1f}" font-size="11">{km} km</text>'
    )


def choropleth(
    areas: Sequence[MapArea],
    *,
    title: str,
    desc: str,
    legend: Sequence[tuple[str, str]],
    overlays: Sequence[Overlay] = (),
    overlay_label: str = "",
    inset_label: str = "",
    lang: str = "sv",
    width: int = 760,
    map_height: int = 560,
) -> str:
    """An SVG map: ``areas`` filled, ``overlays`` outlined and hatched on top, a legend
    (``(fill, text)`` rows) below, a north arrow and a scale bar.

    When the small (urban) areas cover a small part of the whole (:func:`core_extent`), the
    whole kommun is drawn at the left and a zoomed inset of the core at the right, with the
    inset's extent marked on the overview. The drawing keeps the aspect ratio of SWEREF 99 TM
    metres (a conformal projection, so shapes are true).
    """
    geoms = [a.geometry for a in areas] + [o.geometry for o in overlays]
    if not geoms:
        raise ValueError("a map needs at least one polygon")
    b = np.array([g.bounds for g in geoms])
    full = (b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max())
    core = core_extent([a.geometry for a in areas])
    pad = 10.0
    uid = "h" + hashlib.sha1(title.encode("utf-8")).hexdigest()[:8]
    defs = (
        f'<defs><pattern id="{uid}" width="8" height="8" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" stroke="#000" '
        f'stroke-width="1.6"/></pattern>'
    )
    body: list[str] = []
    if core is None:
        fr = _Frame(full, pad, pad, width - 2 * pad, map_height - 2 * pad)
        map_h = fr.height + 2 * pad
        body += _panel(areas, overlays, fr, uid, links=True)
        body += _overlay_labels(overlays, fr)
        body.append(_scale_bar(fr, pad, map_h + 6, lang))
        defs += "</defs>"
    else:
        half = (width - 3 * pad) / 2
        fr = _Frame(full, pad, pad + 16, half, map_height - 2 * pad - 16)
        ins = _Frame(core, 2 * pad + half, pad + 16, half, map_height - 2 * pad - 16)
        map_h = max(fr.height, ins.height) + 2 * pad + 16
        clip = uid + "c"
        defs += (
            f'<clipPath id="{clip}"><rect x="{ins.x0:.1f}" y="{ins.y0:.1f}" '
            f'width="{ins.width:.1f}" height="{ins.height:.1f}"/></clipPath></defs>'
        )
        from shapely.geometry import box

        core_box = box(*core)
        # each area is a link once: in the inset if it reaches into it, else on the overview
        in_inset = {a.code for a in areas if a.geometry.intersects(core_box)}
        outside = {a.code for a in areas} - in_inset
        body += _panel(areas, overlays, fr, uid, links=outside, min_label_px=250.0)
        x1, y1 = fr.xy(core[0], core[3])
        x2, y2 = fr.xy(core[2], core[1])
        body.append(
            f'<rect x="{x1:.1f}" y="{y1:.1f}" width="{x2 - x1:.1f}" height="{y2 - y1:.1f}" '
            f'fill="none" stroke="#D55E00" stroke-width="2"/>'
        )
        body += _panel(areas, overlays, ins, uid, links=in_inset, clip=clip)
        body.append(f'<g clip-path="url(#{clip})">')
        body += _overlay_labels(overlays, ins)
        body.append("</g>")
        body.append(
            f'<rect x="{ins.x0:.1f}" y="{ins.y0:.1f}" width="{ins.width:.1f}" '
            f'height="{ins.height:.1f}" fill="none" stroke="#D55E00" stroke-width="2"/>'
            f'<text x="{ins.x0:.1f}" y="{ins.y0 - 4:.1f}" font-size="12">{escape(inset_label)}</text>'
        )
        body.append(_scale_bar(fr, pad, map_h + 6, lang))
        body.append(_scale_bar(ins, ins.x0, map_h + 6, lang))
    body.append(
        f'<text x="{width - 18}" y="{pad + 14}" font-size="14" text-anchor="middle" '
        f'aria-hidden="true">N ↑</text>'
    )
    rows = len(legend) + (1 if overlays else 0)
    height = map_h + 30 + 22 * rows + 10
    y = map_h + 26
    for fill, text in legend:
        body.append(
            f'<rect x="{pad}" y="{y:.1f}" width="16" height="16" fill="{fill}" stroke="#333"/>'
            f'<text x="{pad + 22}" y="{y + 13:.1f}" font-size="12">{escape(text)}</text>'
        )
        y += 22
    if overlays:
        body.append(
            f'<rect x="{pad}" y="{y:.1f}" width="16" height="16" fill="url(#{uid})" stroke="#000" stroke-width="2.4"/>'
            f'<text x="{pad + 22}" y="{y + 13:.1f}" font-size="12">{escape(overlay_label)}</text>'
        )
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
        f'width="{width}" class="chart map" font-family="{_FONT}" role="img" '
        f'aria-label="{escape(title)}: {escape(desc)}"><title>{escape(title)}</title>'
        f"<desc>{escape(desc)}</desc>"
    )
    return interactive(head + defs + "".join(body) + "</svg>")
