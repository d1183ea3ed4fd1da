"""Transition matrices and distance to the type thresholds (synthetic data, checked by
re-cutting the changed index with the same μ and σ)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from grannskap.measures.socioeconomic import (
    closest_to_thresholds,
    cut_types,
    distance_to_thresholds,
    transition_matrix,
)


def test_transition_matrix_counts_and_shares() -> None:
    a = pd.Series({"x": 1, "y": 2, "z": 2, "w": 4, "v": None})
    b = pd.Series({"x": 2, "y": 2, "z": 3, "w": 4, "v": 5})
    m = transition_matrix(a, b)
    assert int(m.to_numpy().sum()) == 4  # 'v' has no type in the first year
    assert m.loc[1, 2] == 1 and m.loc[2, 2] == 1 and m.loc[2, 3] == 1 and m.loc[4, 4] == 1
    shares = transition_matrix(a, b, normalize=True)
    assert shares.loc[2].sum() == pytest.approx(1.0)
    assert np.isnan(shares.loc[5]).all()


def _classified() -> pd.DataFrame:
    mu, sigma = 10.0, 4.0
    rng = np.random.default_rng(5)
    v = rng.uniform(0, 40, size=(200, 3))
    idx = v.mean(axis=1)
    return pd.DataFrame(
        {
            "area_code": [f"A{i}" for i in range(200)],
            "index": idx,
            "mu": mu,
            "sigma": sigma,
            "omradestyp": cut_types(idx, mu, sigma),
            "V1": v[:, 0],
            "V2": v[:, 1],
            "V3": v[:, 2],
        }
    )


def test_moving_one_component_by_the_distance_reaches_the_next_type() -> None:
    c = _classified()
    d = distance_to_thresholds(c, ["V1", "V2", "V3"])
    eps = 1e-9
    for k in ("V1", "V2", "V3"):
        has = d["delta_index_better"].notna()
        moved = c.loc[has.to_numpy(), ["V1", "V2", "V3"]].copy()
        moved[k] = moved[k] + d.loc[has, f"{k}_pp_better"].to_numpy() - eps
        new = cut_types(moved.mean(axis=1).to_numpy(), 10.0, 4.0)
        assert (new == d.loc[has, "omradestyp"].to_numpy() + 1).all()
        # stopping just short keeps the type
        moved[k] = moved[k] + 2 * eps
        same = cut_types(moved.mean(axis=1).to_numpy(), 10.0, 4.0)
        assert (same == d.loc[has, "omradestyp"].to_numpy()).all()
    worse = d["delta_index_worse"].notna()
    up = cut_types(
        (d.loc[worse, "index"] + d.loc[worse, "delta_index_worse"]).to_numpy(), 10.0, 4.0
    )
    assert (up == d.loc[worse, "omradestyp"].to_numpy() - 1).all()


def test_closest_to_thresholds_sorted_by_sigma() -> None:
    d = distance_to_thresholds(_classified(), ["V1", "V2", "V3"])
    top = closest_to_thresholds(d, 5)
    assert len(top) == 5 and top["distance_z"].is_monotonic_increasing
    either = np.minimum(
        d["delta_z_better"].abs().fillna(np.inf), d["delta_z_worse"].abs().fillna(np.inf)
    )
    assert top["distance_z"].iloc[0] == pytest.approx(either.min())
