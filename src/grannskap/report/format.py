"""Swedish (and English) formatting of numbers, shares and dates, via Babel.

``format_number(1234.5, decimals=1)`` -> ``"1 234,5"`` (Swedish: non-breaking space as the
thousands separator, decimal comma; Babel's CLDR data use U+00A0). Missing values become "–".
"""

from __future__ import annotations

import math
from datetime import date
from decimal import Decimal

from babel.dates import format_date as _format_date
from babel.numbers import format_decimal

__all__ = ["format_number", "format_percent", "format_date", "MISSING"]

MISSING = "–"
_LOCALES = {"sv": "sv_SE", "en": "en_GB"}


def format_number(value: float | int | Decimal | None, decimals: int = 0, lang: str = "sv") -> str:
    """Format with a fixed number of decimals in the language's convention."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(value, format=pattern, locale=_LOCALES.get(lang, "sv_SE"))


def format_percent(value: float | None, decimals: int = 1, lang: str = "sv") -> str:
    """A value already in percent (12.34 -> "12,3 %")."""
    text = format_number(value, decimals, lang)
    return text if text == MISSING else f"{text}\u00a0%"


def format_date(value: date, lang: str = "sv") -> str:
    return _format_date(value, format="long", locale=_LOCALES.get(lang, "sv_SE"))
