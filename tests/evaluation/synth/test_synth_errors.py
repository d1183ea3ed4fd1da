"""Bad input: a clear EstimationError (quoting the bad value) or a warning, never a silent
number."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import ConfigError, DataQualityWarning, EstimationError
from grannskap.evaluation.synth import (
    placebo_in_time,
    prepare_panel,
    simulate_factor_panel,
    synthetic_control,
)

KW = dict(unit="unit", time="period", outcome="y", treated="treated")


@pytest.fixture()
def frame() -> pd.DataFrame:
    return simulate_factor_panel(n_units=8, n_periods=10, n_pre=6, seed=2)


def test_treatment_before_panel_starts(frame: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="not after the panel starts"):
        synthetic_control(frame, **KW, treatment_start=-3)
    with pytest.raises(EstimationError, match="not after the panel starts"):
        synthetic_control(frame, **KW, treatment_start=0)


def test_too_few_pre_periods(frame: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match=r"only 2 pre-treatment period"):
        synthetic_control(frame, **KW, treatment_start=2)


def test_no_post_period(frame: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="no post-treatment period"):
        synthetic_control(frame, **KW, treatment_start=99)


def test_outcome_missing_for_treated(frame: pd.DataFrame) -> None:
    bad = frame.copy()
    bad.loc[(bad["unit"] == "treated") & (bad["period"] == 3), "y"] = np.nan
    with pytest.raises(
        EstimationError, match=r"missing for the treated unit 'treated' in period\(s\) \[3\]"
    ):
        synthetic_control(bad, **KW, treatment_start=6)


def test_outcome_row_absent_for_treated(frame: pd.DataFrame) -> None:
    bad = frame[~((frame["unit"] == "treated") & (frame["period"] == 8))]
    with pytest.raises(EstimationError, match="missing for the treated unit"):
        synthetic_control(bad, **KW, treatment_start=6)


def test_no_donors(frame: pd.DataFrame) -> None:
    only = frame[frame["unit"] == "treated"]
    with pytest.raises(EstimationError, match="no donor unit"):
        synthetic_control(only, **KW, treatment_start=6)
    with pytest.raises(EstimationError, match="no donor unit"):
        synthetic_control(frame, **KW, treatment_start=6, donors=[])


def test_incomplete_donor_dropped_with_warning(frame: pd.DataFrame) -> None:
    bad = frame.copy()
    bad.loc[(bad["unit"] == "donor0004") & (bad["period"] == 1), "y"] = np.nan
    with pytest.warns(DataQualityWarning, match="donor0004"):
        panel = prepare_panel(bad, **KW, treatment_start=6)
    assert "donor0004" not in panel.donor_names


def test_unknown_treated_column_and_method(frame: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="'nowhere'"):
        synthetic_control(frame, **{**KW, "treated": "nowhere"}, treatment_start=6)
    with pytest.raises(EstimationError, match="'income'"):
        synthetic_control(frame, **KW, treatment_start=6, predictors=["income"])
    with pytest.raises(ConfigError, match="'did'"):
        synthetic_control(frame, **KW, treatment_start=6, method="did")


def test_duplicate_rows(frame: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="more than one row"):
        synthetic_control(pd.concat([frame, frame.iloc[:1]]), **KW, treatment_start=6)


def test_predictor_without_values_for_a_donor(frame: pd.DataFrame) -> None:
    bad = frame.copy()
    bad.loc[bad["unit"] == "donor0002", "x1"] = np.nan
    with pytest.raises(
        EstimationError, match=r"x1\(0-5\) has no value for donor\(s\) \['donor0002'\]"
    ):
        synthetic_control(bad, **KW, treatment_start=6, predictors=["x1", ("y", [5])])


def test_bad_custom_v_and_in_time_start(frame: pd.DataFrame) -> None:
    with pytest.raises(EstimationError, match="custom V must be 6"):
        synthetic_control(frame, **KW, treatment_start=6, custom_v=[1.0, 2.0])
    panel = prepare_panel(frame, **KW, treatment_start=6)
    with pytest.raises(EstimationError, match="leaves 2 period"):
        placebo_in_time(panel, 2)
    with pytest.raises(EstimationError, match="inside the pre-period"):
        placebo_in_time(panel, 8)


def test_treated_outside_donor_range_is_warned(frame: pd.DataFrame) -> None:
    """A treated unit far above every donor cannot be a convex combination of them (ADH 2010,
    sec. 2.3): the verdict and a warning must say so."""
    from grannskap.errors import EstimationWarning

    high = frame.copy()
    high.loc[high["unit"] == "treated", "y"] += 1000.0
    with pytest.warns(EstimationWarning, match="outside the donors' range"):
        res = synthetic_control(high, **KW, treatment_start=6, loo=False, in_time=False)
    assert "utanför jämförelseområdenas spann" in res.verdict_sv
