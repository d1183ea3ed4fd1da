"""Verdict texts: estimate and interval stated, checks reported, limits said plainly."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from grannskap.errors import ConfigError, EstimationWarning
from grannskap.evaluation.cost import cost_per_effect
from grannskap.evaluation.did import aggregate, att_gt, did_2x2, twfe
from grannskap.evaluation.its import its
from grannskap.evaluation.power import mde_did
from grannskap.evaluation.simulate import simulate_panel
from grannskap.evaluation.verdict import (
    verdict_2x2,
    verdict_cost,
    verdict_cs,
    verdict_generic,
    verdict_its,
    verdict_twfe,
)
from grannskap.format import format_adaptive


def test_fmt_number_swedish() -> None:
    assert format_adaptive(-0.04, "sv") == "−0,040"
    assert format_adaptive(1234567.0, "sv") == "1\u00a0234\u00a0567"
    assert format_adaptive(-0.04, "en") == "-0.040"


def test_cs_verdict_on_mpdta_states_estimate_pretest_and_limits(mpdta: pd.DataFrame) -> None:
    res = att_gt(mpdta, outcome="lemp", unit="countyreal", time="year", group="first.treat")
    agg = aggregate(res, "simple")
    v = verdict_cs(res, agg, outcome="sysselsättningen", mde=mde_did(20, 300, 3, 2, sigma2=0.01))
    text = v.text()
    assert "−0,040" in text and "utesluter noll" in text
    assert "p = 0,168" in text  # R did's pre-test p-value 0.16812
    assert "inte kunnat upptäcka en effekt mindre än" in text
    assert "antagande" in text
    en = verdict_cs(res, agg, outcome="employment", lang="en").text()
    assert "-0.040" in en and "What it cannot say" in en


def test_nonsignificant_is_not_called_no_effect() -> None:
    sim = simulate_panel(
        40, range(2010, 2016), cohorts=(2013,), share_treated=0.15, effect=0.0, seed=14
    )
    cols = dict(outcome="value", unit="area_code", time="year", group="first_treat")
    res = att_gt(sim.data, **cols)
    agg = aggregate(res)
    lo, hi = agg.overall_ci
    assert lo < 0 < hi  # this seed gives an interval covering the true zero
    v = verdict_cs(res, agg, simulated=True)
    text = v.text()
    assert "innehåller noll" in text and "betyder inte att effekten var noll" in text
    assert text.startswith("OBS: SIMULERADE DATA")
    assert any(c.name == "clusters" and c.status == "warning" for c in v.checks)


def test_failed_pretrend_and_estimator_warnings_are_reported() -> None:
    sim = simulate_panel(
        400, range(2010, 2020), cohorts=(2015,), x_trend=0.4, x_selection=2.0, seed=2
    )
    d = sim.data.copy()
    ctrl = d.loc[d.first_treat == 0, "area_code"].iloc[0]
    d.loc[(d.area_code == ctrl) & (d.year == 2011), "value"] = float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EstimationWarning)
        res = att_gt(d, outcome="value", unit="area_code", time="year", group="first_treat")
    v = verdict_cs(res, aggregate(res), lang="en")
    assert any(c.name == "pretrend" and c.status == "fail" for c in v.checks)
    assert "dropped" in v.text()


def test_other_verdicts(card_krueger: pd.DataFrame) -> None:
    r2 = did_2x2(card_krueger, outcome="fte", treated="nj", post="post", unit="store")
    assert "2,750" in verdict_2x2(r2, outcome="FTE").text()
    sim = simulate_panel(200, range(2010, 2020), cohorts=(2015,), effect=1.5, seed=5)
    tw = twfe(sim.data, outcome="value", unit="area_code", time="year", treatment="treated")
    assert "Callaway" in verdict_twfe(tw, term="treated", n_treated=60, n_control=140).text()
    series = sim.data.groupby("year")["value"].mean()
    it = verdict_its(its(series, 2015, min_pre=3), outcome="andel")
    assert "jämförelseserie" in it.text() and "Nivåförändring" in it.text()
    cost = verdict_cost(cost_per_effect(1e6, 2.0, 1.5))
    assert "obegränsat" in cost.text()
    g = verdict_generic("syntetisk kontroll", 1.0, 0.2, 1.8, notes=["för bra anpassning"])
    assert "för bra anpassning" in g.text()


def test_unknown_language_is_error() -> None:
    with pytest.raises(ConfigError, match="lang"):
        verdict_generic("x", 1.0, 0.0, 2.0, lang="de")  # type: ignore[arg-type]


def test_overlap_reported_for_dr_with_covariates(mpdta: pd.DataFrame) -> None:
    """mpdta with lpop: overlap is fine (R's DRDID trims nothing); strong selection on x is not."""
    res = att_gt(
        mpdta,
        outcome="lemp",
        unit="countyreal",
        time="year",
        group="first.treat",
        covariates=["lpop"],
    )
    assert res.ps_max is not None and res.ps_max < 0.95 and res.n_trimmed == 0
    v = verdict_cs(res, aggregate(res))
    assert any(c.name == "overlap" and c.status == "ok" for c in v.checks)
    sim = simulate_panel(300, range(2010, 2016), cohorts=(2013,), x_selection=8.0, seed=3)
    with pytest.warns(EstimationWarning, match="weak overlap"):
        bad = att_gt(
            sim.data,
            outcome="value",
            unit="area_code",
            time="year",
            group="first_treat",
            covariates=["x"],
        )
    v = verdict_cs(bad, aggregate(bad), lang="en")
    assert any(c.name == "overlap" and c.status == "warning" for c in v.checks)
