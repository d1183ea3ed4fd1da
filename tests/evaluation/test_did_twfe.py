"""2x2 DiD against Card & Krueger (1994) Table 3; TWFE and event-study TWFE against pyfixest."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from grannskap.errors import EstimationError
from grannskap.evaluation.did import did_2x2, event_study_twfe, twfe
from grannskap.evaluation.simulate import simulate_panel


def test_card_krueger_table3_balanced_sample(card_krueger: pd.DataFrame) -> None:
    """Card & Krueger (1994, AER 84:772-793) Table 3 row 4 (balanced sample of stores):

    change in mean FTE PA -2.28 (1.25), NJ 0.47 (0.48), NJ - PA 2.75 (1.34).
    """
    res = did_2x2(card_krueger, outcome="fte", treated="nj", post="post", unit="store")
    assert round(res.estimate, 2) == 2.75
    assert round(res.se, 2) == 1.34
    assert round(res.table.loc["comparison", "change"], 2) == -2.28
    assert round(res.table.loc["comparison", "change_se"], 2) == 1.25
    assert round(res.table.loc["treated", "change"], 2) == 0.47
    assert round(res.table.loc["treated", "change_se"], 2) == 0.48
    assert res.notes  # stores missing in one wave are dropped and reported


def test_card_krueger_table3_row1_means(card_krueger: pd.DataFrame) -> None:
    """Table 3 row 1 (all available stores): FTE before, PA 23.33 (1.35), NJ 20.44 (0.51)."""
    res = did_2x2(card_krueger, outcome="fte", treated="nj", post="post")
    assert round(res.table.loc["comparison", "pre"], 2) == 23.33
    assert round(res.table.loc["comparison", "pre_se"], 2) == 1.35
    assert round(res.table.loc["treated", "pre"], 2) == 20.44
    assert round(res.table.loc["treated", "pre_se"], 2) == 0.51


def test_2x2_empty_cell_is_an_error(card_krueger: pd.DataFrame) -> None:
    d = card_krueger[~((card_krueger.nj == 1) & (card_krueger.post == 1))]
    with pytest.raises(EstimationError, match="empty cell"):
        did_2x2(d, outcome="fte", treated="nj", post="post")


@pytest.fixture(scope="module")
def panel(mpdta: pd.DataFrame) -> pd.DataFrame:
    d = mpdta.copy()
    d["D"] = ((d["first.treat"] > 0) & (d.year >= d["first.treat"])).astype(float)
    d["x"] = np.random.default_rng(1).normal(size=len(d))
    d["state"] = d.countyreal // 1000
    return d


@pytest.mark.parametrize("cluster", ["countyreal", "state"])
@pytest.mark.parametrize("unbalanced", [False, True])
def test_twfe_matches_pyfixest(panel: pd.DataFrame, cluster: str, unbalanced: bool) -> None:
    """feols('lemp ~ D + x | countyreal + year', vcov={'CRV1': cluster}) of pyfixest."""
    pf = pytest.importorskip("pyfixest")
    d = panel
    if unbalanced:
        d = d.drop(index=np.random.default_rng(2).choice(len(d), 200, replace=False))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = pf.feols("lemp ~ D + x | countyreal + year", data=d, vcov={"CRV1": cluster})
    ours = twfe(
        d,
        outcome="lemp",
        unit="countyreal",
        time="year",
        treatment="D",
        covariates=["x"],
        cluster=cluster,
    )
    np.testing.assert_allclose(ours.coef, peer.coef().to_numpy(), rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(ours.se, peer.se().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(ours.pvalue, peer.pvalue().to_numpy(), rtol=1e-6)


def test_event_study_matches_pyfixest(panel: pd.DataFrame) -> None:
    """Relative-time dummies (ref. -1, endpoints binned) against pyfixest with the same dummies."""
    pf = pytest.importorskip("pyfixest")
    ours = event_study_twfe(
        panel, outcome="lemp", unit="countyreal", time="year", group="first.treat", leads=3, lags=3
    )
    d = panel.copy()
    rel = np.where(d["first.treat"] > 0, d.year - d["first.treat"], -999)
    names = []
    for e in (-3, -2, 0, 1, 2, 3):
        name = f"em{-e}" if e < 0 else f"ep{e}"
        ind = rel == e
        if e == -3:  # binned endpoints: -3 absorbs -4 (mpdta has event times -4..3)
            ind = (rel <= -3) & (rel > -999)
        d[name] = ind.astype(float)
        names.append(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = pf.feols(
            f"lemp ~ {' + '.join(names)} | countyreal + year", data=d, vcov={"CRV1": "countyreal"}
        )
    assert ours.names == ["e-3", "e-2", "e+0", "e+1", "e+2", "e+3"]
    np.testing.assert_allclose(ours.coef, peer.coef().to_numpy(), rtol=1e-8)
    np.testing.assert_allclose(ours.se, peer.se().to_numpy(), rtol=1e-8)


def test_twfe_recovers_constant_effect_on_simulated_panel() -> None:
    """SIMULATED panel with one start and a constant effect 1.5: TWFE is unbiased."""
    sim = simulate_panel(400, range(2010, 2020), cohorts=(2015,), effect=1.5, seed=5)
    res = twfe(sim.data, outcome="value", unit="area_code", time="year", treatment="treated")
    assert abs(res.coef[0] - 1.5) < 4 * res.se[0]


def test_twfe_few_clusters_noted() -> None:
    sim = simulate_panel(12, range(2010, 2016), cohorts=(2013,), share_treated=0.5, seed=5)
    res = twfe(sim.data, outcome="value", unit="area_code", time="year", treatment="treated")
    assert any("clusters" in n for n in res.notes)
