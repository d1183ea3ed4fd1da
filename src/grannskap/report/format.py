"""Moved: the one formatting module is :mod:`grannskap.format` (base layer). Import from there.

This alias goes once no module imports it (a hygiene test checks that nothing in ``src/``
does).
"""

from grannskap.format import MISSING, format_date, format_number, format_percent

__all__ = ["format_number", "format_percent", "format_date", "MISSING"]
