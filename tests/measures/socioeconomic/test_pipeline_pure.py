"""The pure helpers the store edge hands its rows to (issue 13: no SQL in the pipeline)."""

from __future__ import annotations

import pytest

from grannskap.errors import ValidationError
from grannskap.measures.socioeconomic.pipeline import divisions_by_year, profile_terms
from grannskap.measures.socioeconomic.profiles import PROXY_PROFILE


def test_years_grouped_by_division_and_missing_years_default_to_deso2018() -> None:
    rows = [(2022, ["deso2018"]), (2025, ["deso2025"])]
    assert divisions_by_year(rows, [2021, 2022, 2025]) == {
        "deso2018": [2021, 2022],
        "deso2025": [2025],
    }


def test_a_year_in_both_divisions_is_an_error_naming_it() -> None:
    with pytest.raises(ValidationError, match="year 2024 has DeSO data in both divisions"):
        divisions_by_year([(2024, ["deso2018", "deso2025"])], [2024])


def test_profile_terms_cover_every_component_with_a_role() -> None:
    terms = profile_terms(PROXY_PROFILE)
    assert list(terms.columns) == ["indicator_id", "breakdown", "component", "role"]
    assert set(terms["component"]) == {c.key for c in PROXY_PROFILE.components}
    assert set(terms["role"]) <= {"num", "den", "share", "pct", "base"}
