"""Callaway & Sant'Anna (2021) against R ``did`` 2.5.0 / DRDID 1.3.0 on ``mpdta``, csdid, differences.

Reference values: ``shared/data/evaluation_reference/ref_R_did/*.csv`` (R ``did`` 2.5.0 with
``bstrap = FALSE``, carried by d2cml-ai/csdid ``csdid/test_csdid/r_ref/``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannskap.errors import EstimationError, EstimationWarning
from grannskap.evaluation.did import aggregate, att_gt, event_study_plot
from grannskap.evaluation.simulate import simulate_panel

SCENARIOS = {
    "mpdta_nev_dr": dict(control="never", method="dr"),
    "mpdta_nyt_dr": dict(control="not_yet", method="dr"),
    "mpdta_nev_reg_cov": dict(control="never", method="reg", covariates=["lpop"]),
    "mpdta_nev_ipw": dict(control="never", method="ipw"),
}
COLS = dict(outcome="lemp", unit="countyreal", time="year", group="first.treat")


@pytest.fixture(scope="module")
def fits(mpdta: pd.DataFrame) -> dict:
    return {name: att_gt(mpdta, **COLS, **kw) for name, kw in SCENARIOS.items()}


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_attgt_matches_R_did(fits: dict, eval_ref, scenario: str) -> None:
    """Every ATT(g,t) and analytic SE as R did 2.5.0 (ref_attgt.csv)."""
    ref = pd.read_csv(eval_ref / "ref_R_did" / "ref_attgt.csv")
    ref = ref[ref.scenario == scenario].sort_values(["group", "t"])
    res = fits[scenario]
    got = res.to_frame().sort_values(["group", "time"])
    np.testing.assert_array_equal(got["group"].to_numpy(), ref["group"].to_numpy())
    np.testing.assert_array_equal(got["time"].to_numpy(), ref["t"].to_numpy())
    np.testing.assert_allclose(got["att"], ref["att"], atol=1e-9)
    np.testing.assert_allclose(got["se"], ref["se"], rtol=1e-6)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
@pytest.mark.parametrize("kind", ["simple", "group", "dynamic", "calendar"])
def test_aggregations_match_R_did(fits: dict, eval_ref, scenario: str, kind: str) -> None:
    """aggte(type=kind, bstrap=FALSE) of R did 2.5.0 (ref_aggte.csv): overall and pieces."""
    ref = pd.read_csv(eval_ref / "ref_R_did" / "ref_aggte.csv")
    ref = ref[(ref.scenario == scenario) & (ref.type == kind)]
    agg = aggregate(fits[scenario], kind)
    assert agg.overall == pytest.approx(ref.overall_att.iloc[0], abs=1e-9)
    assert agg.overall_se == pytest.approx(ref.overall_se.iloc[0], rel=1e-6)
    if kind != "simple":
        np.testing.assert_allclose(agg.labels, ref.egt.to_numpy(dtype=float))
        np.testing.assert_allclose(agg.att, ref.att_egt, atol=1e-9)
        np.testing.assert_allclose(agg.se, ref.se_egt, rtol=1e-6)


def test_published_headline_numbers(fits: dict) -> None:
    """The issue's figures: simple -0.0400 (SE ~0.012), group -0.0310, dynamic -0.0772, calendar -0.0417."""
    res = fits["mpdta_nev_dr"]
    simple = aggregate(res, "simple")
    assert round(simple.overall, 4) == -0.0400
    assert simple.overall_se == pytest.approx(0.012, abs=0.0005)
    assert round(aggregate(res, "group").overall, 4) == -0.0310
    assert round(aggregate(res, "dynamic").overall, 4) == -0.0772
    assert round(aggregate(res, "calendar").overall, 4) == -0.0417


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_pretest_matches_R_did(fits: dict, eval_ref, scenario: str) -> None:
    """Wald pre-test W and p-value of R did (ref_pretest.csv; R rounds p to 5 digits)."""
    ref = pd.read_csv(eval_ref / "ref_R_did" / "ref_pretest.csv").set_index("scenario")
    res = fits[scenario]
    assert res.pretest_stat == pytest.approx(ref.loc[scenario, "W"], rel=1e-8)
    assert res.pretest_p == pytest.approx(ref.loc[scenario, "Wpval"], abs=1e-5)
    assert res.pretest_df == 5


@pytest.mark.parametrize("control", ["never", "not_yet"])
def test_dr_with_covariates_matches_csdid(mpdta: pd.DataFrame, control: str) -> None:
    """DR-DiD with lpop (not in the R references) against csdid 0.3's point estimates and W."""
    pytest.importorskip("csdid")
    from csdid.att_gt import ATTgt

    ours = att_gt(mpdta, **COLS, covariates=["lpop"], control=control)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = ATTgt(
            yname="lemp",
            gname="first.treat",
            idname="countyreal",
            tname="year",
            data=mpdta.copy(),
            xformla="lemp~lpop",
            control_group="nevertreated" if control == "never" else "notyettreated",
        ).fit(est_method="dr")
    np.testing.assert_allclose(ours.att, np.asarray(peer.results["att"], float), atol=1e-10)
    # csdid bootstraps its SEs by default; the analytic ones agree within bootstrap noise
    np.testing.assert_allclose(ours.se, np.asarray(peer.results["se"], float), rtol=0.2)


def test_matches_differences_package(mpdta: pd.DataFrame) -> None:
    """ATT(g,t) and the simple / event aggregations against the `differences` package."""
    pytest.importorskip("differences")
    from differences import ATTgt

    data = mpdta.copy()
    data["cohort"] = data["first.treat"].replace(0, np.nan)
    data = data.set_index(["countyreal", "year"])
    peer = ATTgt(data=data, cohort_column="cohort")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer.fit(formula="lemp", est_method="dr", progress_bar=False)
        simple = peer.aggregate("simple")
        event = peer.aggregate("event")
    ours = att_gt(mpdta, **COLS)
    agg = aggregate(ours, "simple")
    assert agg.overall == pytest.approx(float(simple.iloc[0, 0]), abs=1e-10)
    assert agg.overall_se == pytest.approx(float(simple.iloc[0, 1]), rel=1e-6)
    dyn = aggregate(ours, "dynamic")
    np.testing.assert_allclose(dyn.att, event.iloc[:, 0].to_numpy(), atol=1e-10)
    np.testing.assert_allclose(dyn.se, event.iloc[:, 1].to_numpy(), rtol=1e-6)


def test_bootstrap_close_to_analytic_and_band_wider(fits: dict) -> None:
    """Multiplier bootstrap SEs approximate the analytic ones; the sup-t band exceeds 1.96."""
    agg = aggregate(fits["mpdta_nev_dr"], "dynamic", bootstrap=2000, seed=1)
    np.testing.assert_allclose(agg.bootstrap_se, agg.se, rtol=0.12)
    assert 1.96 < agg.crit < 3.5
    again = aggregate(fits["mpdta_nev_dr"], "dynamic", bootstrap=2000, seed=1)
    assert again.crit == agg.crit  # deterministic given the seed


def test_dr_recovers_known_effect_under_conditional_parallel_trends() -> None:
    """SIMULATED panel: trends depend on x and so does treatment; DR with x is unbiased, no-x is not."""
    sim = simulate_panel(
        2000,
        range(2010, 2020),
        cohorts=(2014, 2016),
        effect=1.0,
        effect_slope=0.25,
        x_trend=0.3,
        x_selection=1.0,
        seed=3,
    )
    cols = dict(outcome="value", unit="area_code", time="year", group="first_treat")
    dr = aggregate(att_gt(sim.data, **cols, covariates=["x"]), "simple")
    naive = aggregate(att_gt(sim.data, **cols), "simple")
    assert abs(dr.overall - sim.true_att_simple) < 4 * dr.overall_se
    assert abs(naive.overall - sim.true_att_simple) > 10 * naive.overall_se


def test_event_study_plot_returns_figure(fits: dict) -> None:
    fig = event_study_plot(aggregate(fits["mpdta_nev_dr"], "dynamic"))
    ax = fig.axes[0]
    assert ax.get_xlabel() == "År i förhållande till insatsens start"
    assert len(ax.get_xticks()) == 7
    fig_en = event_study_plot(aggregate(fits["mpdta_nev_dr"], "dynamic"), lang="en")
    assert "Years" in fig_en.axes[0].get_xlabel()


# --- bad input: clear errors or recorded warnings, never a silent number -------------------


def _small() -> pd.DataFrame:
    return simulate_panel(60, range(2010, 2016), cohorts=(2013,), seed=1).data


def test_treatment_before_panel_start_is_an_error() -> None:
    d = _small()
    first_unit = d.loc[d.first_treat > 0, "area_code"].iloc[0]
    d.loc[d.area_code == first_unit, "first_treat"] = 2008
    with pytest.raises(EstimationError, match="2008"):
        att_gt(d, outcome="value", unit="area_code", time="year", group="first_treat")


def test_no_never_treated_is_an_error() -> None:
    d = _small()
    d = d[d.first_treat > 0]
    with pytest.raises(EstimationError, match="never-treated"):
        att_gt(d, outcome="value", unit="area_code", time="year", group="first_treat")
    # not-yet-treated: one cohort only, so no cell has comparison units
    with pytest.raises(EstimationError, match="comparison"), warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimationWarning)
        att_gt(
            d,
            outcome="value",
            unit="area_code",
            time="year",
            group="first_treat",
            control="not_yet",
        )


def test_missing_outcome_for_treated_is_an_error_and_for_controls_a_warning() -> None:
    d = _small()
    treated_unit = d.loc[d.first_treat > 0, "area_code"].iloc[0]
    bad = d.copy()
    bad.loc[(bad.area_code == treated_unit) & (bad.year == 2014), "value"] = np.nan
    with pytest.raises(EstimationError, match="missing for treated"):
        att_gt(bad, outcome="value", unit="area_code", time="year", group="first_treat")
    ctrl_unit = d.loc[d.first_treat == 0, "area_code"].iloc[0]
    bad = d.copy()
    bad.loc[(bad.area_code == ctrl_unit) & (bad.year == 2014), "value"] = np.nan
    with pytest.warns(EstimationWarning, match="dropped"):
        res = att_gt(bad, outcome="value", unit="area_code", time="year", group="first_treat")
    assert any("dropped" in n for n in res.notes)


def test_overlapping_interventions_in_one_area_is_an_error() -> None:
    d = _small()
    unit = d.loc[d.first_treat > 0, "area_code"].iloc[0]
    d.loc[(d.area_code == unit) & (d.year == 2015), "first_treat"] = 2015
    with pytest.raises(EstimationError, match="more than one first-treatment"):
        att_gt(d, outcome="value", unit="area_code", time="year", group="first_treat")


def test_no_pre_periods_warns_and_verdict_says_so() -> None:
    d = simulate_panel(60, range(2010, 2013), cohorts=(2011,), seed=2).data
    with pytest.warns(EstimationWarning, match="pre-trends cannot be tested"):
        res = att_gt(d, outcome="value", unit="area_code", time="year", group="first_treat")
    assert res.pretest_p is None


def test_one_period_is_an_error() -> None:
    d = _small()
    with pytest.raises(EstimationError, match="at least two"):
        att_gt(
            d[d.year == 2012], outcome="value", unit="area_code", time="year", group="first_treat"
        )


@given(seed=st.integers(0, 10_000), shift=st.floats(-50, 50))
def test_invariant_to_row_order_and_unit_level_shifts(seed: int, shift: float) -> None:
    """Property: ATT(g,t) do not change when rows are shuffled or a unit's level shifts."""
    d = simulate_panel(40, range(2010, 2015), cohorts=(2012, 2013), seed=seed).data
    cols = dict(outcome="value", unit="area_code", time="year", group="first_treat")
    base = att_gt(d, **cols)
    moved = d.sample(frac=1.0, random_state=seed).copy()
    moved.loc[moved.area_code == moved.area_code.iloc[0], "value"] += shift
    other = att_gt(moved, **cols)
    np.testing.assert_allclose(other.att, base.att, atol=1e-8)
    np.testing.assert_allclose(other.se, base.se, rtol=1e-6)


def test_permutation_pretest_calibrated_where_wald_is_not() -> None:
    """SIMULATED: 4 treated areas, 7 pre-periods, parallel trends true.

    Over 20 panels the Wald pre-test (chi-square) rejects at 5 % far more often than 5 %
    (the few-treated problem); the permutation p-value rejects about as often as it should.
    A panel with a real pre-trend (trend in x, selection on x, many treated) is rejected.
    """
    from grannskap.evaluation.did import permutation_pretest
    from grannskap.evaluation.did._panel import to_wide
    from grannskap.evaluation.did.cs import att_gt_wide

    cols = dict(outcome="value", unit="area_code", time="year", group="first_treat")
    wald, perm = [], []
    for seed in range(20):
        d = simulate_panel(
            49, range(2012, 2024), cohorts=(2019,), share_treated=0.08, seed=seed
        ).data
        if not (d.first_treat > 0).any():
            continue
        wide = to_wide(d, **cols)
        res = att_gt_wide(wide)
        out = permutation_pretest(wide, res, reps=19, seed=seed)
        assert out is not None and out.n_valid == 19
        wald.append(res.pretest_p < 0.05)
        perm.append(out.p_value <= 0.05)
    assert np.mean(wald) > 0.4
    assert np.mean(perm) <= 0.15
    bad = simulate_panel(
        120, range(2012, 2020), cohorts=(2017,), x_trend=0.5, x_selection=2.0, seed=1
    ).data
    wide = to_wide(bad, **cols)
    res = att_gt_wide(wide)
    assert permutation_pretest(wide, res, reps=19).p_value == pytest.approx(1 / 20)
