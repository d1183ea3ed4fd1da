"""The μ/σ cut rule of SCB/Delmos' områdestyper, reproduced exactly on synthetic data.

Source of the rule: SCB (2023), *Regionala statistikområden och områdestyper*; Delmos,
*Områdestyper*: type 1 >= μ+2σ, 2 [μ+σ, μ+2σ), 3 [μ, μ+σ), 4 [μ−σ, μ), 5 < μ−σ.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grannskap.errors import ConfigError, DataQualityWarning, ValidationError
from grannskap.measures.socioeconomic import CutRule, classify, cut_types, thresholds

# small synthetic sets trigger the "fewer areas than SCB's 3,363" warning, tested on its own
pytestmark = pytest.mark.filterwarnings("ignore::grannskap.errors.DataQualityWarning")


def _known_sample(mu: float, sigma: float, n: int = 4000, seed: int = 3) -> np.ndarray:
    """Values standardised to have exactly mean ``mu`` and sample SD ``sigma``."""
    x = np.random.default_rng(seed).standard_normal(n)
    x = (x - x.mean()) / x.std(ddof=1)
    return mu + sigma * x


def _frame(values: np.ndarray, year: int = 2022, codes: list[str] | None = None) -> pd.DataFrame:
    codes = codes or [
        f"9999R{i:03d}" if i < 1000 else f"{9000 + i // 1000}R{i % 1000:03d}"
        for i in range(len(values))
    ]
    return pd.DataFrame({"area_code": codes, "year": year, "index": values, "population": 1000.0})


def test_known_mu_sigma_and_exact_types() -> None:
    mu, sigma = 9.4, 5.7
    x = _known_sample(mu, sigma)
    res = classify(_frame(x))
    s = res.stats.iloc[0]
    assert s["mu"] == pytest.approx(mu, abs=1e-12)
    assert s["sigma"] == pytest.approx(sigma, abs=1e-12)
    z = (x - mu) / sigma
    expected = np.select([z >= 2, z >= 1, z >= 0, z >= -1], [1, 2, 3, 4], 5)
    assert (res.frame["omradestyp"].to_numpy(dtype=int) == expected).all()


def test_boundaries_are_lower_closed() -> None:
    """Values exactly on μ + cσ belong to the worse type (SCB: 'index >= μ + 2σ' is type 1)."""
    mu, sigma = 10.0, 2.0
    edges = np.array([mu + 2 * sigma, mu + sigma, mu, mu - sigma])
    assert cut_types(edges, mu, sigma).tolist() == [1, 2, 3, 4]
    below = np.nextafter(edges, -np.inf)
    assert cut_types(below, mu, sigma).tolist() == [2, 3, 4, 5]
    open_rule = CutRule(lower_closed=False)
    assert cut_types(edges, mu, sigma, open_rule).tolist() == [2, 3, 4, 5]
    assert thresholds(mu, sigma) == {1: 14.0, 2: 12.0, 3: 10.0, 4: 8.0}


def test_population_sd_option() -> None:
    x = _known_sample(0.0, 1.0, n=50)
    res = classify(_frame(x), CutRule(ddof=0))
    assert res.stats.iloc[0]["sigma"] == pytest.approx(np.std(x, ddof=0))


@given(
    st.lists(st.floats(0, 60, allow_nan=False), min_size=5, max_size=60, unique=True),
    st.floats(0.1, 10),
    st.floats(-20, 20),
)
def test_types_invariant_to_affine_rescaling_and_monotone(
    values: list[float], a: float, b: float
) -> None:
    x = np.array(values)
    if np.std(x) < 1e-6:
        return
    t1 = classify(_frame(x)).frame["omradestyp"].to_numpy(dtype=int)
    t2 = classify(_frame(a * x + b)).frame["omradestyp"].to_numpy(dtype=int)
    z = (x - x.mean()) / x.std(ddof=1)
    near = np.min(np.abs(z[:, None] - np.array([2, 1, 0, -1])[None, :]), axis=1) < 1e-9
    assert (t1[~near] == t2[~near]).all()
    order = np.argsort(x)
    assert (np.diff(t1[order]) <= 0).all()  # higher index, worse (lower-numbered) type


def test_reference_per_municipality_and_few_inhabitants() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(10, 2, 30)
    b = rng.normal(30, 2, 30)
    codes = [f"0001R{i:03d}" for i in range(30)] + [f"0002R{i:03d}" for i in range(30)]
    df = _frame(np.concatenate([a, b]), codes=codes)
    df.loc[0, "population"] = 10.0  # too few inhabitants
    res = classify(df, CutRule(reference="municipality", min_population=50))
    stats = res.stats.set_index("reference")
    assert stats.loc["0001", "mu"] == pytest.approx(a[1:].mean())
    assert stats.loc["0002", "mu"] == pytest.approx(b.mean())
    first = res.frame.iloc[0]
    assert pd.isna(first["omradestyp"]) and first["flag"] == "few_inhabitants"
    assert "0001R000" in res.notes[0]


def test_few_areas_nationally_warns() -> None:
    with pytest.warns(DataQualityWarning, match="3,363"):
        classify(_frame(np.arange(10.0)))


def test_bad_rules_and_inputs() -> None:
    with pytest.raises(ConfigError, match="decreasing"):
        CutRule(cuts=(1.0, 2.0))
    with pytest.raises(ConfigError, match="reference"):
        CutRule(reference="world")  # type: ignore[arg-type]
    df = _frame(np.array([1.0, np.nan, 3.0]))
    with pytest.raises(ValidationError, match="9999R001"):
        classify(df)
