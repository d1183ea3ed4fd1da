"""The indicator spine: indicators and group sets defined once (:mod:`.catalogue`) and read
per area, level and year through typed queries in :mod:`grannskap.store.series`
(:mod:`.read`). New code reads indicators and group counts here, not with its own SQL.
"""

from __future__ import annotations

from grannskap.indicators.catalogue import (
    GROUP_SETS,
    INDICATORS,
    Binding,
    Group,
    GroupSet,
    Indicator,
    Term,
    group_set,
    indicator,
)
from grannskap.indicators.read import (
    LEVEL_NAMES,
    LEVELS,
    Level,
    available_years,
    group_counts,
    indicator_values,
    parse_years,
)

__all__ = [
    "GROUP_SETS",
    "INDICATORS",
    "Binding",
    "Group",
    "GroupSet",
    "Indicator",
    "Term",
    "group_set",
    "indicator",
    "LEVEL_NAMES",
    "LEVELS",
    "Level",
    "available_years",
    "group_counts",
    "indicator_values",
    "parse_years",
]
