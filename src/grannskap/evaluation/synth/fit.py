"""Donor weights for one treated unit: classic, penalised and augmented synthetic control.

- ``"synth"``: Abadie & Gardeazabal (2003); Abadie, Diamond & Hainmueller (2010). Predictors
  are scaled by their standard deviation across units and V is chosen by the nested search
  of :func:`~grannskap.evaluation.synth.solver.search_v`. When the predictors are exactly the
  outcome in each optimise period, ``V = diag(sd^2)`` minimises the pre-period MSPE itself, so
  it is the global optimum and no search is needed.
- ``"penalized"``: Abadie & L'Hour (2021, JASA 116:1817-1834), weights minimising
  ``||X1 - X0 W||^2 + lambda * sum_j W_j ||X1 - X0j||^2`` on the pre-period outcomes, which
  favours donors close to the treated unit and gives a unique, sparse solution when the
  treated unit lies inside the donors' convex hull (many donors, few pre-periods).
- ``"augmented"``: ridge-augmented SCM of Ben-Michael, Feller & Rothstein (2021, JASA
  116:1789-1803): the synthetic control plus a ridge regression correction for the remaining
  pre-period imbalance (weights may then be negative).

For the two variants lambda is chosen by cross-validation on untreated units (Abadie & L'Hour
2021, sec. 3.3): each of the donors nearest to the treated unit is predicted from the others
over the post-period, where none of them is treated, and the lambda with the smallest error
wins. The variants use the pre-period outcomes as predictors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from grannskap.errors import ConfigError, EstimationError

from .data import SynthPanel
from .solver import search_v, simplex_weights

__all__ = ["Method", "METHODS", "WeightFit", "fit_weights", "check_method"]

Method = Literal["synth", "penalized", "augmented"]
METHODS: tuple[str, ...] = ("synth", "penalized", "augmented")

_PENALTY_GRID = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1, 0.3, 1.0)
_RIDGE_GRID = (1e-3, 1e-2, 0.1, 1.0, 10.0, 100.0)


@dataclass(frozen=True)
class WeightFit:
    """Weights of one fit (arrays; the public result wraps them in labelled pandas objects)."""

    w: np.ndarray
    v: np.ndarray | None
    lam: float | None
    loss: float
    method: str


def check_method(method: str) -> Method:
    """Validate the method name, quoting the allowed ones."""
    if method not in METHODS:
        raise ConfigError(
            f"synthetic control method {method!r} is not known; expected one of {METHODS}"
        )
    return method  # type: ignore[return-value]


def _pre_outcomes(panel: SynthPanel) -> tuple[np.ndarray, np.ndarray]:
    Z = panel.outcome[panel.optimize_mask]
    return Z[:, panel.donors], Z[:, panel.treated]


def _synth(panel: SynthPanel, v: np.ndarray | None, search: dict[str, object]) -> WeightFit:
    X0, X1 = panel.scaled_predictors()
    Z0, Z1 = _pre_outcomes(panel)
    if v is None:
        rows = panel.outcome_lag_rows()
        if rows is not None:
            cols = np.concatenate([[panel.treated], panel.donors])
            sd = panel.predictors[:, cols].std(axis=1, ddof=1)
            v = np.where(sd > 0, sd, 1.0) ** 2
        else:
            found = search_v(X0, X1, Z0, Z1, **search)  # type: ignore[arg-type]
            return WeightFit(w=found.w, v=found.v, lam=None, loss=found.loss, method="synth")
    v = np.asarray(v, dtype=float)
    if v.shape != (X0.shape[0],) or np.any(v < 0) or v.sum() <= 0:
        raise EstimationError(
            f"custom V must be {X0.shape[0]} non-negative numbers, not all zero; got {v!r}"
        )
    v = v / v.sum()
    sv = np.sqrt(v)
    w = simplex_weights(X0 * sv[:, None], X1 * sv)
    r = Z1 - Z0 @ w
    return WeightFit(w=w, v=v, lam=None, loss=float(r @ r) / len(r), method="synth")


def _penalized_weights(X0: np.ndarray, X1: np.ndarray, lam: float) -> np.ndarray:
    dist = np.sum((X0 - X1[:, None]) ** 2, axis=0)
    return simplex_weights(X0, X1, lam * dist)


def _ridge_adjust(X0: np.ndarray, X1: np.ndarray, w: np.ndarray, lam: float) -> np.ndarray:
    Xc = X0 - X0.mean(axis=1, keepdims=True)
    gram = Xc @ Xc.T
    scale = max(float(np.trace(gram)) / max(gram.shape[0], 1), 1e-12)
    z = np.linalg.solve(gram + lam * scale * np.eye(gram.shape[0]), X1 - X0 @ w)
    return w + Xc.T @ z


def _variant_weights(X0: np.ndarray, X1: np.ndarray, lam: float, method: str) -> np.ndarray:
    if method == "penalized":
        return _penalized_weights(X0, X1, lam)
    return _ridge_adjust(X0, X1, simplex_weights(X0, X1), lam)


def _cv_lambda(panel: SynthPanel, grid: tuple[float, ...], method: str, max_units: int) -> float:
    """Choose lambda by predicting untreated donors' post-period outcomes from the other donors
    (Abadie & L'Hour 2021, sec. 3.3), using the ``max_units`` donors nearest to the treated
    unit in the pre-period."""
    Z = panel.outcome
    pre, post = panel.optimize_mask, panel.post_mask
    donors = np.asarray(panel.donors, dtype=int)
    if donors.size < 3:
        return grid[0]
    dist = np.sum((Z[pre][:, donors] - Z[pre][:, [panel.treated]]) ** 2, axis=0)
    held = donors[np.argsort(dist, kind="stable")[:max_units]]
    errors = np.zeros(len(grid))
    for j in held:
        others = donors[donors != j]
        X0, X1 = Z[pre][:, others], Z[pre][:, j]
        Y0, Y1 = Z[post][:, others], Z[post][:, j]
        for g, lam in enumerate(grid):
            w = _variant_weights(X0, X1, lam, method)
            errors[g] += float(np.mean((Y1 - Y0 @ w) ** 2))
    return float(grid[int(np.argmin(errors))])


def fit_weights(
    panel: SynthPanel,
    *,
    method: Method = "synth",
    v: np.ndarray | None = None,
    lam: float | None = None,
    search: dict[str, object] | None = None,
    cv_units: int = 30,
) -> WeightFit:
    """Donor weights for the panel's treated unit.

    Parameters
    ----------
    panel : SynthPanel
    method : {"synth", "penalized", "augmented"}
    v : ndarray, optional
        A fixed diagonal of V (Synth's ``custom.v``); skips the V search.
    lam : float, optional
        Penalty (``penalized``) or relative ridge strength (``augmented``); when omitted it
        is chosen by cross-validation on the post-period outcomes of (untreated) donors.
    search : dict, optional
        Options passed to :func:`~grannskap.evaluation.synth.solver.search_v`.
    """
    check_method(method)
    if method == "synth":
        return _synth(panel, v, search or {})
    Z0, Z1 = _pre_outcomes(panel)
    if lam is None:
        grid = _PENALTY_GRID if method == "penalized" else _RIDGE_GRID
        lam = _cv_lambda(panel, grid, method, cv_units)
    w = _variant_weights(Z0, Z1, lam, method)
    r = Z1 - Z0 @ w
    return WeightFit(w=w, v=None, lam=float(lam), loss=float(r @ r) / len(r), method=method)
