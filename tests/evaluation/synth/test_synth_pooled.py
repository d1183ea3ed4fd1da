"""Several treated units (SIMULATED panels): per-unit fits and the pooled placebo test of
Cavallo, Galiani, Noy & Pantano (2013)."""

from __future__ import annotations

import pandas as pd
import pytest

from grannskap.errors import EstimationError
from grannskap.evaluation.synth import simulate_factor_panel, synthetic_control_pooled

KW = dict(unit="unit", time="period", outcome="y", loo=False, in_time=False)


def _three_treated(effect: float) -> pd.DataFrame:
    frame = simulate_factor_panel(n_units=30, n_periods=18, n_pre=12, effect=effect, seed=21)
    out = frame.copy()
    for u in ("donor0010", "donor0020"):
        out.loc[(out["unit"] == u) & (out["period"] >= 12), "y"] += effect
    out.attrs.update(frame.attrs)
    return out


def test_pooled_effect_is_found() -> None:
    res = synthetic_control_pooled(
        _three_treated(-8.0),
        treated=["treated", "donor0010", "donor0020"],
        treatment_start=12,
        **KW,
    )
    assert set(res.results) == {"treated", "donor0010", "donor0020"}
    for r in res.results.values():
        assert not {"treated", "donor0010", "donor0020"} & set(r.weights.index)
    assert res.estimate == pytest.approx(-8.0, abs=1.5)
    assert res.p_value < 0.05
    assert "p = 0," in res.verdict_sv


def test_pooled_no_effect_is_not_significant() -> None:
    res = synthetic_control_pooled(
        _three_treated(0.0), treated=["treated", "donor0010", "donor0020"], treatment_start=12, **KW
    )
    assert res.p_value > 0.1


def test_pooled_needs_a_treated_unit() -> None:
    with pytest.raises(EstimationError, match="no treated unit"):
        synthetic_control_pooled(_three_treated(0.0), treated=[], treatment_start=12, **KW)
