"""Disclosure control of ``register aggregate`` (issue 18, item 2): the test is the attack.

On a SYNTHETIC register whose persons are spread over 30 DeSO (so that most cells are a few
dozen persons and many are 1-3), the suppressed output is attacked the way a reader would:
every published count read directly, every additive relation solved for a hidden cell
(a total minus its other parts; the 20-64 age band against the V3 denominator; the national
total of a counter minus every other area), and the complement of every share. At thresholds
4 (the default: counts of 1-3 persons), 5 and 50: no count below the threshold is published
and no hidden cell is recovered. Rule: Hundepool et al., *Handbook on Statistical Disclosure
Control* (ESSnet SDC 2010), ch. 4-5.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grannskap.register import DuckDBEngine, aggregate, open_source
from grannskap.register.disclosure import partition_relations, suppress_counts
from grannskap.register.indicators import RegisterAggregates
from grannskap.register.synth import synthesize

DESO = [f"1490C{i:04d}" for i in range(1, 31)]


@pytest.fixture(scope="module")
def truth(tmp_path_factory: pytest.TempPathFactory) -> RegisterAggregates:
    out = tmp_path_factory.mktemp("disclosure") / "reg"
    synthesize(out, 1500, 2, deso_codes=DESO, seed=7)
    with DuckDBEngine() as engine:
        return aggregate(open_source(out), engine, income_quintiles=True)


def _attack(true: pd.DataFrame, shown: pd.DataFrame, key: str, threshold: int) -> list[str]:
    """Everything a reader of ``shown`` learns about a hidden cell of ``true``; [] when nothing."""
    found: list[str] = []
    counters = [c for c in true.columns if c not in ("year", key)]
    pub = true[key].notna().to_numpy()
    t, s = true.loc[pub, counters].to_numpy(float), shown.loc[pub, counters].to_numpy(float)
    hidden = np.isnan(s)
    # 1. shown cells are the true ones, and none is a small count
    assert np.array_equal(s[~hidden], t[~hidden])
    small = (s >= 1) & (s < threshold)
    found += [f"small count {v:g} published" for v in s[small]]
    col = {c: i for i, c in enumerate(counters)}
    # 2. within-row relations: one unknown -> solved; several unknowns -> their sum is known
    for total, parts in partition_relations(counters):
        idx = [col[total], *(col[p] for p in parts)]
        n_hidden = hidden[:, idx].sum(axis=1)
        solved = n_hidden == 1
        found += [f"{total}={parts}: one hidden cell in row {r}" for r in np.flatnonzero(solved)]
        sums = np.where(hidden[:, idx[1:]], t[:, idx[1:]], 0).sum(axis=1)
        leak = (~hidden[:, idx[0]]) & (n_hidden >= 2) & (sums >= 1) & (sums < threshold)
        found += [f"{total}: hidden parts sum to {v:g}" for v in sums[leak]]
    # 3. across areas: the national total of each counter and year
    years = true.loc[pub, "year"].to_numpy()
    for y in np.unique(years):
        rows = years == y
        for j, c in enumerate(counters):
            h = hidden[rows, j]
            total_hidden = t[rows, j][h].sum()
            # (when every area is hidden the sum is the national figure itself, not ours)
            partial = 2 <= h.sum() < len(h)
            if h.sum() == 1 or (partial and 1 <= total_hidden < threshold):
                found.append(f"{c} {y}: national total gives away {total_hidden:g}")
    return found


def _shares_attack(obs: pd.DataFrame, threshold: int) -> list[str]:
    shares = obs[obs["numerator"].notna() & (obs["indicator_id"] != "register.befolkning")]
    comp = shares["denominator"] - shares["numerator"]
    bad = shares[
        ((shares["numerator"] >= 1) & (shares["numerator"] < threshold))
        | ((shares["denominator"] >= 1) & (shares["denominator"] < threshold))
        | ((comp >= 1) & (comp < threshold))
    ]
    return [f"{r.indicator_id} {r.area_code} {r.year}" for r in bad.itertuples()]


@pytest.mark.parametrize("threshold", [4, 5, 50])
def test_no_hidden_count_recovered(truth: RegisterAggregates, threshold: int) -> None:
    sup = truth.suppressed(threshold)
    found = _attack(truth.area, sup.area, "deso", threshold)
    assert truth.grid is not None and sup.grid is not None
    found += _attack(truth.grid, sup.grid, "grid_cell", threshold)
    obs = sup.observations()
    found += _shares_attack(obs, threshold)
    assert found == []
    # the attack has something to attack: the unsuppressed output leaks at every threshold
    plain = truth.observations()
    pop = plain[plain["indicator_id"] == "register.befolkning"]["value"]
    assert ((pop >= 1) & (pop < threshold)).any()
    assert _shares_attack(plain, threshold)
    hidden = obs["status"] == "suppressed"
    assert (
        hidden.any() and obs.loc[hidden, ["value", "numerator", "denominator"]].isna().all().all()
    )


def test_the_attack_finds_a_cell_left_alone(truth: RegisterAggregates) -> None:
    """The attack is not vacuous: un-hiding one secondary cell makes it find a leak."""
    res = suppress_counts(truth.area, "deso", 4)
    r, c = np.argwhere(res.status == 2)[0]
    leaky = res.frame.copy()
    name = res.counters[c]
    leaky.iloc[r, leaky.columns.get_loc(name)] = truth.area.iloc[r][name]
    assert _attack(truth.area, leaky, "deso", 4)


def test_zero_is_published_and_shown_cells_are_exact(truth: RegisterAggregates) -> None:
    res = suppress_counts(truth.area, "deso", 4)
    values = truth.area[list(res.counters)].to_numpy(float)
    assert (res.status[values == 0] != 2).mean() > 0.99  # a zero is a complement of last resort
    small = int(((values >= 1) & (values < 4)).sum())
    assert small > 0 and res.n_primary >= small and res.n_secondary > 0
    # a zero count is never hidden as small, only (rarely) as a complement
    assert not (
        (res.status == 1)
        & (values == 0)
        & ~np.isin(
            np.arange(values.shape[1]),
            [res.counters.index(n) for n in ("v1_num", "v2_num", "v3_num", "emp_num")],
        )
    ).any()


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "grannskap", "register", "aggregate", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_cli_suppresses_by_default(tmp_path: Path) -> None:
    reg = tmp_path / "reg"
    synthesize(reg, 600, 1, deso_codes=DESO[:10], seed=3)
    r = _cli(str(reg), "--out", str(tmp_path / "a.csv"))
    assert r.returncode == 0, r.stderr
    assert "counts of 1-3 persons hidden" in r.stdout
    got = pd.read_csv(tmp_path / "a.csv", dtype={"area_code": str, "breakdown": str})
    pop = got[got["indicator_id"] == "register.befolkning"]["value"]
    assert not pop.between(1, 3).any() and (got["status"] == "suppressed").any()
    r = _cli(str(reg), "--out", str(tmp_path / "b.csv"), "--no-suppression")
    assert r.returncode == 0 and "secure environment" in r.stderr
    raw = pd.read_csv(tmp_path / "b.csv", dtype={"area_code": str, "breakdown": str})
    assert raw["value"].between(1, 3).any() and not (raw["status"] == "suppressed").any()
    r = _cli(str(reg), "--out", str(tmp_path / "c.csv"), "--min-count", "0")
    assert r.returncode != 0 and "Traceback" not in r.stderr and "--min-count" in r.stderr
    assert not (tmp_path / "c.csv").exists()
    r = _cli(str(reg), "--out", str(tmp_path / "c.csv"), "--min-count", "5", "--no-suppression")
    assert r.returncode != 0 and "exclude each other" in r.stderr
