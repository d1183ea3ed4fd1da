"""``grannskap segregation --chart FILE.svg``: the multiscalar profile as an SVG line chart.

One line per index (and per scope/year when there are several): the statistic against the
bandwidth (distance 0 = the aspatial index, as in PySAL ``compute_multiscalar_profile``), with
the bootstrap interval as a shaded band where one was computed. Labels in Swedish by default,
English with ``--lang en``; numbers through :mod:`grannskap.format`; written atomically with
:func:`grannskap.outputs.write_text`.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["profile_svg", "write_profile_chart"]

_W, _H = 720, 420
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 200, 40, 60
_COLOURS = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
)
_TEXT = {
    "sv": {
        "title": "Multiskalär segregationsprofil",
        "x": "Avstånd (bandbredd, m); 0 = utan avstånd",
        "y": "Indexvärde",
        "band": "skuggat: {level} % bootstrapintervall",
    },
    "en": {
        "title": "Multiscalar segregation profile",
        "x": "Distance (bandwidth, m); 0 = aspatial",
        "y": "Index value",
        "band": "shaded: {level} % bootstrap interval",
    },
}


def _ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.ceil(lo / step - 1e-9) * step
    out = []
    v = start
    while v <= hi + 1e-9 * step:
        out.append(round(v, 12))
        v += step
    return out


def _decimals(ticks: list[float]) -> int:
    for d in range(7):
        if all(abs(round(v, d) - v) < 1e-9 for v in ticks):
            return d
    return 6


def profile_svg(frame: Any, lang: str = "sv") -> str:
    """The SVG text of the profile chart of the CLI's output rows (``estimate == "level"``)."""
    from grannskap.format import format_number

    t = _TEXT["en" if lang == "en" else "sv"]
    rows = frame[frame["estimate"].fillna("level") == "level"]
    rows = rows[rows["statistic"].notna()]
    keys = ["index"]
    for extra in ("scope", "year"):
        if extra in rows and rows[extra].nunique(dropna=True) > 1:
            keys.append(extra)
    lines = []
    for key, g in rows.groupby(keys, sort=False, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        g = g.sort_values("distance_m")
        label = " ".join(str(k) for k in key if k is not None and k == k)
        lines.append((label, g))
    xs = [float(v) for _, g in lines for v in g["distance_m"]]
    ys = [float(v) for _, g in lines for v in g["statistic"]]
    for _, g in lines:
        for c in ("ci_low", "ci_high"):
            ys += [float(v) for v in g[c] if v == v and v is not None]
    x0, x1 = (min(xs), max(xs)) if xs else (0.0, 1.0)
    y0, y1 = (min(ys), max(ys)) if ys else (0.0, 1.0)
    y0 = min(y0, 0.0) if y0 >= 0 and y0 < 0.25 * y1 else y0
    if x1 <= x0:
        x1 = x0 + 1.0
    if y1 <= y0:
        y1 = y0 + (abs(y0) or 1.0) * 0.1
    pad = 0.05 * (y1 - y0)
    y0, y1 = y0 - (pad if y0 != 0 else 0), y1 + pad
    pw, ph = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def px(x: float) -> float:
        return _LEFT + (x - x0) / (x1 - x0) * pw

    def py(y: float) -> float:
        return _TOP + (1 - (y - y0) / (y1 - y0)) * ph

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_W}" height="{_H}" '
        f'viewBox="0 0 {_W} {_H}" role="img" aria-label="{escape(t["title"])}" '
        'font-family="sans-serif" font-size="12">',
        f"<title>{escape(t['title'])}</title>",
        f'<rect x="0" y="0" width="{_W}" height="{_H}" fill="#ffffff"/>',
        f'<text x="{_LEFT}" y="22" font-size="15" font-weight="bold">{escape(t["title"])}</text>',
    ]
    yt = _ticks(y0, y1)
    yd = _decimals(yt)
    for v in yt:
        out.append(
            f'<line x1="{_LEFT}" x2="{_LEFT + pw}" y1="{py(v):.1f}" y2="{py(v):.1f}" '
            'stroke="#e0e0e0"/>'
        )
        out.append(
            f'<text x="{_LEFT - 6}" y="{py(v) + 4:.1f}" text-anchor="end">'
            f"{escape(format_number(v, yd, lang))}</text>"
        )
    for v in _ticks(x0, x1):
        out.append(
            f'<text x="{px(v):.1f}" y="{_TOP + ph + 18}" text-anchor="middle">'
            f"{escape(format_number(v, 0, lang))}</text>"
        )
    out.append(
        f'<line x1="{_LEFT}" x2="{_LEFT + pw}" y1="{_TOP + ph}" y2="{_TOP + ph}" stroke="#333"/>'
    )
    out.append(f'<line x1="{_LEFT}" x2="{_LEFT}" y1="{_TOP}" y2="{_TOP + ph}" stroke="#333"/>')
    out.append(
        f'<text x="{_LEFT + pw / 2:.1f}" y="{_H - 18}" text-anchor="middle">{escape(t["x"])}</text>'
    )
    out.append(
        f'<text x="18" y="{_TOP + ph / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 18 {_TOP + ph / 2:.1f})">{escape(t["y"])}</text>'
    )
    level = None
    for n, (label, g) in enumerate(lines):
        colour = _COLOURS[n % len(_COLOURS)]
        band = g[g["ci_low"].notna() & g["ci_high"].notna()] if "ci_low" in g else g.iloc[:0]
        if len(band) >= 1:
            if level is None and "ci_level" in band and band["ci_level"].notna().any():
                level = band["ci_level"].dropna().iloc[0]
            upper = [
                f"{px(d):.2f},{py(h):.2f}"
                for d, h in zip(band["distance_m"], band["ci_high"], strict=True)
            ]
            lower = [
                f"{px(d):.2f},{py(lo):.2f}"
                for d, lo in zip(band["distance_m"], band["ci_low"], strict=True)
            ]
            if len(band) == 1:  # a single point: a whisker
                out.append(
                    f'<polygon class="band" points="{upper[0]} {lower[0]}" fill="{colour}" '
                    f'stroke="{colour}" fill-opacity="0.18"/>'
                )
            else:
                out.append(
                    f'<polygon class="band" points="{" ".join(upper + lower[::-1])}" '
                    f'fill="{colour}" fill-opacity="0.18" stroke="none"/>'
                )
        pts = " ".join(
            f"{px(float(d)):.2f},{py(float(s)):.2f}"
            for d, s in zip(g["distance_m"], g["statistic"], strict=True)
        )
        out.append(
            f'<polyline class="profile" data-index="{escape(label)}" points="{pts}" '
            f'fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        for d, s in zip(g["distance_m"], g["statistic"], strict=True):
            out.append(
                f'<circle cx="{px(float(d)):.2f}" cy="{py(float(s)):.2f}" r="3" fill="{colour}"/>'
            )
        ly = _TOP + 10 + 18 * n
        out.append(
            f'<line x1="{_LEFT + pw + 14}" x2="{_LEFT + pw + 34}" y1="{ly}" y2="{ly}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        out.append(f'<text x="{_LEFT + pw + 40}" y="{ly + 4}">{escape(label)}</text>')
    if level:
        pct = format_number(float(level) * 100, 0, lang)
        out.append(
            f'<text x="{_LEFT + pw + 14}" y="{_TOP + 18 + 18 * len(lines)}" font-size="11">'
            f"{escape(t['band'].format(level=pct))}</text>"
        )
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_profile_chart(frame: Any, path: str | Path, lang: str = "sv") -> Path:
    """Write :func:`profile_svg` of ``frame`` to ``path`` atomically."""
    from grannskap.outputs import write_text

    return write_text(path, profile_svg(frame, lang))
