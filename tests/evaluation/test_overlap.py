"""Overlapping interventions in the same areas and years (issue 14): hand-made cases."""

from __future__ import annotations

import pandas as pd

from grannskap.evaluation.notes import note_text
from grannskap.evaluation.overlap import overlap_note, overlapping_interventions

AREAS = pd.DataFrame({"area_code": ["A", "B"], "start_year": [2021, 2021]})


def _others(rows: list[tuple[str, str, float | None, float | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["intervention_id", "area_code", "start_year", "end_year"])


def test_only_same_area_and_overlapping_years_count() -> None:
    others = _others(
        [
            ("ended-before", "A", 2015, 2019),  # over before our start: no overlap
            ("running", "A", 2018, None),  # still running in 2021-2023
            ("later", "B", 2022, 2022),  # starts during the evaluated years
            ("after-panel", "B", 2025, None),  # starts after the last year of data
            ("elsewhere", "C", 2021, None),  # another area
            ("unknown-start", "B", None, None),  # unknown period: may overlap
        ]
    )
    rows = overlapping_interventions(AREAS, others, last_year=2023)
    assert sorted(rows["intervention_id"]) == ["later", "running", "unknown-start"]


def test_note_names_interventions_areas_and_years_in_both_languages() -> None:
    rows = overlapping_interventions(
        AREAS, _others([("running", "A", 2018, None), ("later", "B", 2022, 2022)]), 2023
    )
    note = overlap_note(rows)
    assert note is not None
    assert "later (B; 2022–2022)" in note and "running (A; 2018–)" in note
    sv = note_text(note, "sv")
    assert sv.startswith("andra insatser i samma behandlade områden under de utvärderade åren")
    assert "på engelska" not in sv
    assert overlap_note(overlapping_interventions(AREAS, _others([]), 2023)) is None
