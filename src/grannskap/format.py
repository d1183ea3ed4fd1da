"""The one place numbers, shares, amounts and dates become text (Swedish or English), via Babel.

A base-layer module: measures, goals, evaluation, report, web and the CLI all format through
it, so a figure reads the same everywhere (``1 234,5`` in Swedish with a non-breaking space as
the thousands separator and a decimal comma; ``1,234.5`` in English). Missing values become
``MISSING`` ("–").

``format_number(1234.5, 1)`` -> ``"1 234,5"``; ``format_percent(12.34)`` -> ``"12,3 %"``;
``format_share(0.1234)`` -> ``"12,3 %"``; ``format_kr(34_800_000)`` -> ``"34 800 000 kr"``;
``format_adaptive(-0.0412)`` -> ``"−0,041"`` (decimals chosen by magnitude, for estimates in
verdict texts; Swedish uses the true minus sign there).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from babel.dates import format_date as _format_date
from babel.numbers import format_decimal

__all__ = [
    "MISSING",
    "format_number",
    "format_percent",
    "format_share",
    "format_kr",
    "format_adaptive",
    "format_year_span",
    "format_date",
]

MISSING = "–"
_LOCALES = {"sv": "sv_SE", "en": "en_GB"}
_NBSP = "\u00a0"
_MINUS = "\u2212"


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: float | int | Decimal | None, decimals: int = 0, lang: str = "sv") -> str:
    """Format with a fixed number of decimals in the language's convention."""
    if _is_missing(value):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=_LOCALES.get(lang, "sv_SE"))  # type: ignore[arg-type]


def format_percent(value: float | None, decimals: int = 1, lang: str = "sv") -> str:
    """A value already in percent (12.34 -> "12,3 %")."""
    text = format_number(value, decimals, lang)
    return text if text == MISSING else f"{text}{_NBSP}%"


def format_share(value: float | Decimal | None, decimals: int = 1, lang: str = "sv") -> str:
    """A share between 0 and 1 as percent (0.1234 -> "12,3 %")."""
    if _is_missing(value):
        return MISSING
    return format_percent(100 * float(value), decimals, lang)  # type: ignore[arg-type]


def format_kr(amount: float | int | Decimal | None, lang: str = "sv") -> str:
    """An amount in kronor, whole kronor ("34 800 000 kr")."""
    text = format_number(amount, 0, lang)
    return text if text == MISSING else f"{text}{_NBSP}kr"


def format_adaptive(
    x: float | None,
    lang: str = "sv",
    *,
    decimals: Sequence[int] = (3, 3, 1, 0),
    signed: bool = False,
) -> str:
    """An estimate with decimals chosen by magnitude.

    ``decimals`` gives the decimals for ``|x| < 1``, ``< 10``, ``< 1000`` and ``>= 1000``.
    ``signed`` writes ``+`` before positive values (effects). Swedish uses the true minus sign
    U+2212 and a non-breaking thousands space; infinities are written out.
    """
    if x is None or math.isnan(x):
        return MISSING
    if math.isinf(x):
        if lang == "sv":
            return (_MINUS if x < 0 else "") + "∞"
        return "-inf" if x < 0 else "inf"
    mag = abs(x)
    idx = 0 if mag < 1 else 1 if mag < 10 else 2 if mag < 1000 else 3
    d = decimals[idx]
    body = f"{mag:,.{d}f}"
    if lang == "sv":
        body = body.replace(",", _NBSP).replace(".", ",")
        minus = _MINUS
    else:
        minus = "-"
    if x < 0:
        return minus + body
    return ("+" if signed else "") + body


def format_year_span(years: Sequence[int]) -> str:
    """Statistics years, language-neutral: ``"2020–2023"`` when consecutive, ``"2022"`` for one,
    ``"2018, 2020"`` otherwise; ``MISSING`` for none."""
    ys = sorted(years)
    if not ys:
        return MISSING
    if len(ys) == 1:
        return str(ys[0])
    if ys == list(range(ys[0], ys[-1] + 1)):
        return f"{ys[0]}–{ys[-1]}"
    return ", ".join(map(str, ys))


def format_date(value: date, lang: str = "sv") -> str:
    return _format_date(value, format="long", locale=_LOCALES.get(lang, "sv_SE"))
