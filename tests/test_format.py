"""The one formatter: year spans (used by ``fetch standard`` and ``grannskap indicators``)."""

from __future__ import annotations

from grannskap.format import MISSING, format_year_span


def test_year_span() -> None:
    assert format_year_span([2023, 2020, 2021, 2022]) == "2020–2023"
    assert format_year_span([2022, 2023]) == "2022–2023"
    assert format_year_span([2022]) == "2022"  # not "2022–2022"
    assert format_year_span([2018, 2020, 2023]) == "2018, 2020, 2023"
    assert format_year_span([]) == MISSING
