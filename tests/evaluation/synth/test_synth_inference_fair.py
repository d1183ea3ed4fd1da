"""Fair placebo inference and conformal intervals of the synthetic control.

- Placebos must be fitted with the same V search as the treated unit (the rank test of
  Abadie, Diamond & Hainmueller 2010, sec. 2.4, is exact only if every unit is treated alike).
- Conformal intervals: Chernozhukov, Wüthrich & Zhu (2021, JASA 116:1849-1864). Their
  per-period test is exact under exchangeable residuals, so on SIMULATED panels without an
  effect the 90 % interval must cover zero about 90 % of the time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import ConfigError, EstimationError
from grannskap.evaluation.synth import (
    conformal_inference,
    fit_weights,
    placebo_in_space,
    prepare_panel,
    simulate_factor_panel,
    synthetic_control,
)
from grannskap.evaluation.synth.replication import BASQUE_TREATED, SPAIN, basque_spec

SEARCH = {"n_random": 1, "screen_iter": 6, "n_polish": 1, "maxiter": 30}
"""A small search so the test is quick; what matters is that placebos get the same one."""


def _panel_with_predictors(seed: int = 5):
    frame = simulate_factor_panel(n_units=12, n_periods=14, n_pre=9, effect=-3.0, seed=seed)
    return prepare_panel(
        frame,
        unit="unit",
        time="period",
        outcome="y",
        treated="treated",
        treatment_start=9,
        predictors=["x1", ("y", [2]), ("y", [5]), ("y", [8])],
    )


def test_placebos_use_the_treated_units_search_by_default() -> None:
    """Each placebo's pre-RMSPE equals a stand-alone fit of that unit with the same search."""
    panel = _panel_with_predictors()
    fit = fit_weights(panel, search=SEARCH)
    pl = placebo_in_space(panel, fit, search=SEARCH)
    assert pl.search == "same"
    donors = np.asarray(panel.donors)
    for k, u in enumerate(donors, start=1):
        sub = panel.as_treated(int(u), donors[donors != u])
        alone = fit_weights(sub, search=SEARCH)
        resid = (
            sub.outcome[sub.pre_mask, sub.treated]
            - sub.outcome[sub.pre_mask][:, sub.donors] @ alone.w
        )
        assert pl.table["pre_rmspe"].iloc[k] == pytest.approx(
            float(np.sqrt(np.mean(resid**2))), rel=1e-9
        )


def test_fast_placebo_mode_is_labelled_in_result_and_verdict() -> None:
    frame = simulate_factor_panel(n_units=10, n_periods=14, n_pre=9, effect=-3.0, seed=2)
    kw = dict(unit="unit", time="period", outcome="y", treated="treated", treatment_start=9)
    fast = synthetic_control(
        frame,
        **kw,
        predictors=["x1", ("y", [4]), ("y", [8])],
        placebo_search="fast",
        loo=False,
        in_time=False,
        search=SEARCH,
    )
    assert fast.placebos.search == "fast"
    assert "förenklad sökning" in fast.verdict_sv and "p-value too small" in fast.verdict_en
    same = synthetic_control(frame, **kw, loo=False, in_time=False)
    assert same.placebos.search == "same"
    assert "förenklad" not in same.verdict_sv
    # the verdict has an interval, not only a rank (9 pre-periods: bounded at 90 %)
    assert same.conformal is not None and same.conformal.bounded
    assert "Konforma 90 %-intervall" in same.verdict_sv and "Conformal 90 %" in same.verdict_en
    assert "inget konfidensintervall" not in same.verdict_sv
    with pytest.raises(ConfigError, match="expected one of"):
        synthetic_control(frame, **kw, placebo_search="quick")


def test_basque_spec_documents_both_donor_pools(basque: pd.DataFrame) -> None:
    """Abadie & Gardeazabal (2003): Cataluña .8508, Madrid .1492 with Spain in the pool; R
    Synth's example (Spain left out): our search finds Cataluña .633, Madrid .148, Baleares
    .219 with a lower loss than the published weights have in that pool."""
    with_spain = prepare_panel(basque, **basque_spec())
    without = prepare_panel(basque, **basque_spec(include_spain=False))
    assert SPAIN in with_spain.donor_names and SPAIN not in without.donor_names
    assert len(without.donor_names) == 16 and BASQUE_TREATED not in without.donor_names
    fit = fit_weights(without)
    w = pd.Series(fit.w, index=without.donor_names)
    assert w["Cataluna"] == pytest.approx(0.633, abs=0.01)
    assert w["Madrid (Comunidad De)"] == pytest.approx(0.148, abs=0.01)
    assert w["Baleares (Islas)"] == pytest.approx(0.219, abs=0.01)
    pub = pd.Series(0.0, index=without.donor_names)
    pub["Cataluna"], pub["Madrid (Comunidad De)"] = 0.8508, 0.1492
    Z = without.outcome[without.optimize_mask]
    pub_loss = float(np.mean((Z[:, without.treated] - Z[:, without.donors] @ pub.to_numpy()) ** 2))
    assert fit.loss < 0.6 * pub_loss


def test_conformal_estimate_inside_interval_and_prop99_effect(smoking: pd.DataFrame) -> None:
    """Proposition 99 (ADH 2010: about -26 packs by 2000): every per-period interval holds its
    estimate, and the large effect is excluded from zero in most years."""
    from grannskap.evaluation.synth.replication import prop99_spec

    cf = conformal_inference(prepare_panel(smoking, **prop99_spec()), alpha=0.1)
    p = cf.periods
    assert list(p.index) == list(range(1989, 2001))
    assert ((p["lower"] <= p["estimate"]) & (p["estimate"] <= p["upper"])).all()
    assert cf.n_excluding_zero >= 10
    assert p.loc[2000, "upper"] < -10
    assert cf.p_no_effect <= 0.1
    assert cf.min_alpha_per_period == pytest.approx(1 / 20)


@pytest.mark.slow
def test_conformal_interval_covers_zero_under_no_effect() -> None:
    """SIMULATED, no effect, iid noise: the 90 % per-period interval covers the true zero in
    about 90 % of 120 panels x 1 period (binomial sd 0.027; allow 3 sd)."""
    covered = 0
    reps = 120
    for seed in range(reps):
        frame = simulate_factor_panel(n_units=12, n_periods=20, n_pre=19, effect=0.0, seed=seed)
        panel = prepare_panel(
            frame, unit="unit", time="period", outcome="y", treated="treated", treatment_start=19
        )
        row = conformal_inference(panel, alpha=0.1).periods.iloc[0]
        covered += bool(row["lower"] <= 0.0 <= row["upper"])
    assert abs(covered / reps - 0.9) < 0.082


def test_conformal_unbounded_with_too_few_pre_periods() -> None:
    frame = simulate_factor_panel(n_units=12, n_periods=9, n_pre=6, effect=0.0, seed=1)
    panel = prepare_panel(
        frame, unit="unit", time="period", outcome="y", treated="treated", treatment_start=6
    )
    cf = conformal_inference(panel, alpha=0.1)
    assert not cf.bounded and cf.min_pre_periods == 9
    assert np.isinf(cf.periods["upper"]).all()
    bounded = conformal_inference(panel, alpha=0.5)
    assert bounded.bounded
    with pytest.raises(EstimationError, match="alpha"):
        conformal_inference(panel, alpha=1.5)
