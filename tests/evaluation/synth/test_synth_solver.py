"""The inner problem: exact minimisation over the simplex, checked against scipy's SLSQP
(an independent general-purpose solver) and against invariants of the problem."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize

from grannskap.evaluation.synth import search_v, simplex_weights


def _slsqp(A: np.ndarray, b: np.ndarray, c: np.ndarray | None = None) -> np.ndarray:
    n = A.shape[1]
    lin = np.zeros(n) if c is None else c
    res = minimize(
        lambda w: float(np.sum((A @ w - b) ** 2) + lin @ w),
        np.full(n, 1.0 / n),
        jac=lambda w: 2 * A.T @ (A @ w - b) + lin,
        method="SLSQP",
        bounds=[(0, 1)] * n,
        constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1}],
        options={"ftol": 1e-14, "maxiter": 2000},
    )
    return res.x


def _obj(A, b, w, c=None):
    return float(np.sum((A @ w - b) ** 2) + (0.0 if c is None else c @ w))


@given(
    k=st.integers(1, 8),
    n=st.integers(1, 25),
    seed=st.integers(0, 10_000),
    inside=st.booleans(),
)
def test_simplex_weights_is_optimal(k: int, n: int, seed: int, inside: bool) -> None:
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(k, n))
    b = A @ rng.dirichlet(np.ones(n)) if inside else rng.normal(size=k) * 2
    w = simplex_weights(A, b)
    assert w.min() >= 0
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    ref = _slsqp(A, b)
    assert _obj(A, b, w) <= _obj(A, b, ref) + 1e-7 * (1 + _obj(A, b, ref))


@settings(max_examples=20)
@given(seed=st.integers(0, 10_000))
def test_penalised_objective_is_optimal(seed: int) -> None:
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(5, 30))
    b = rng.normal(size=5) * 0.5
    c = 0.1 * np.sum((A - b[:, None]) ** 2, axis=0)
    w = simplex_weights(A, b, c)
    assert _obj(A, b, w, c) <= _obj(A, b, _slsqp(A, b, c), c) + 1e-8


def test_warm_start_and_donor_order_do_not_change_the_solution() -> None:
    rng = np.random.default_rng(7)
    A = rng.normal(size=(6, 40))
    b = rng.normal(size=6)
    w = simplex_weights(A, b)
    warm = simplex_weights(A, b, w0=rng.dirichlet(np.ones(40)))
    np.testing.assert_allclose(warm, w, atol=1e-8)
    perm = rng.permutation(40)
    np.testing.assert_allclose(simplex_weights(A[:, perm], b)[np.argsort(perm)], w, atol=1e-8)


def test_large_penalty_picks_the_nearest_donor() -> None:
    """Abadie & L'Hour (2021, sec. 3): as lambda grows the penalised SC tends to the nearest
    neighbour matching estimator."""
    rng = np.random.default_rng(3)
    A = rng.normal(size=(4, 50))
    b = rng.normal(size=4) * 0.3
    dist = np.sum((A - b[:, None]) ** 2, axis=0)
    w = simplex_weights(A, b, 1e6 * dist)
    assert np.argmax(w) == np.argmin(dist)
    assert w.max() == pytest.approx(1.0)


def test_many_donors_exact_fit_stays_sparse() -> None:
    """Treated unit inside the hull of 3,000 donors in 8 dimensions: an exact fit with at
    most k + 1 donors (Carathéodory), found without spreading weight over the pool."""
    rng = np.random.default_rng(11)
    A = rng.normal(size=(8, 3000))
    b = A[:, :20] @ rng.dirichlet(np.ones(20))
    w = simplex_weights(A, b)
    assert np.sum((A @ w - b) ** 2) < 1e-10
    assert (w > 0).sum() <= 9


def test_search_v_is_deterministic_and_beats_equal_weights() -> None:
    rng = np.random.default_rng(5)
    X0 = rng.normal(size=(4, 15))
    X1 = rng.normal(size=4) * 0.5
    Z0 = rng.normal(size=(10, 15)).cumsum(axis=0)
    Z1 = Z0[:, :3] @ np.array([0.5, 0.3, 0.2])
    a = search_v(X0, X1, Z0, Z1)
    b = search_v(X0, X1, Z0, Z1)
    np.testing.assert_array_equal(a.w, b.w)
    eq = simplex_weights(X0, X1)
    assert a.loss <= float(np.mean((Z1 - Z0 @ eq) ** 2)) + 1e-12
    assert a.v.sum() == pytest.approx(1.0)
