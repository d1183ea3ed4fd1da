"""Numerical core of the synthetic control method: the inner W problem and the outer V search.

Inner problem (Abadie & Gardeazabal 2003, eq. 4; Abadie, Diamond & Hainmueller 2010, sec. 2.3):
for a diagonal predictor-weight matrix ``V``, find donor weights ``W`` on the simplex minimising
``(X1 - X0 W)' V (X1 - X0 W)`` (optionally plus a linear penalty, Abadie & L'Hour 2021). It is
solved exactly by a primal active-set method on the KKT system of the passive set, which needs
only ``k x J`` products (never the ``J x J`` Gram matrix) and so scales to thousands of donors.

Outer problem: choose ``V`` (diagonal, normalised to sum one) minimising the pre-period mean
squared prediction error of the outcome. The objective has kinks and local optima, so, like
R's ``Synth`` (Abadie, Diamond & Hainmueller 2011, J. Stat. Softw. 42(13)), several deterministic
starts are tried (equal weights, the regression-based start, one start emphasising each
predictor, a few seeded random starts), each run with L-BFGS-B on ``log V`` using the exact
gradient of the active-set solution, and the best is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["simplex_weights", "VSearchResult", "search_v", "regression_v_start"]

_FloatArray = np.ndarray


def _solve_passive(
    AP: _FloatArray, b: _FloatArray, c: _FloatArray, eps: float
) -> tuple[_FloatArray, _FloatArray]:
    """Minimise ``||AP z - b||^2 + c'z + eps||z||^2`` subject to ``sum z = 1`` (z of any sign).

    Returns the solution and the KKT matrix (reused for the outer gradient).
    """
    p = AP.shape[1]
    kkt = np.empty((p + 1, p + 1))
    gram = AP.T @ AP
    gram.flat[:: p + 1] += eps
    kkt[:p, :p] = 2.0 * gram
    kkt[:p, p] = 1.0
    kkt[p, :p] = 1.0
    kkt[p, p] = 0.0
    rhs = np.empty(p + 1)
    rhs[:p] = 2.0 * (AP.T @ b) - c
    rhs[p] = 1.0
    try:
        sol = np.linalg.solve(kkt, rhs)
    except np.linalg.LinAlgError:
        sol = np.linalg.lstsq(kkt, rhs, rcond=None)[0]
    return sol[:p], kkt


def _simplex_core(
    A: _FloatArray,
    b: _FloatArray,
    lin: _FloatArray,
    eps: float,
    tol: float,
    max_iter: int,
    w0: _FloatArray | None,
) -> tuple[_FloatArray, _FloatArray, _FloatArray | None]:
    """Active-set iterations; returns weights, passive indices and the passive KKT matrix."""
    n = A.shape[1]
    if w0 is not None and w0.shape == (n,) and w0.min() >= 0 and w0.sum() > 0:
        w = w0 / w0.sum()
        passive = np.flatnonzero(w > 0)
    else:
        resid0 = A - b[:, None]
        vertex = np.einsum("ij,ij->j", resid0, resid0) + lin
        j0 = int(np.argmin(vertex))
        w = np.zeros(n)
        w[j0] = 1.0
        passive = np.array([j0])
    scale = max(1.0, float(np.abs(b).max(initial=0.0)) ** 2, float(np.abs(lin).max(initial=0.0)))
    last_added = -1
    has_lin = bool(np.any(lin))
    exact = 1e-20 + 1e-14 * float(b @ b)
    kkt: _FloatArray | None = None
    for _ in range(max_iter):
        # move to the equality-constrained optimum on the passive set, staying feasible
        for _inner in range(n + 1):
            z, kkt = _solve_passive(A[:, passive], b, lin[passive], eps)
            if z.min() > 0:
                w[passive] = z
                break
            wp = w[passive]
            neg = z <= 0
            step = wp[neg] / (wp[neg] - z[neg])
            first = int(np.argmin(step))
            wp = wp + step[first] * (z - wp)
            wp[np.flatnonzero(neg)[first]] = 0.0
            keep = wp > 1e-15
            w[passive] = np.where(keep, wp, 0.0)
            passive = passive[keep]
            kkt = None
        # KKT check: no inactive donor's gradient may undercut the passive ones'
        res = A[:, passive] @ w[passive] - b
        if not has_lin and float(res @ res) <= exact:
            # exact fit: the treated unit is inside the donors' hull; stop at this sparse
            # solution instead of spreading weight to shrink the tie-breaking ridge term
            break
        grad = 2.0 * (A.T @ res) + lin + 2.0 * eps * w
        gp = grad[passive]
        viol = grad - gp.sum() / gp.size
        viol[passive] = np.inf
        j = int(np.argmin(viol))
        if viol[j] >= -tol * scale or j == last_added:
            break
        passive = np.append(passive, j)
        last_added = j
        kkt = None
    return w, passive, kkt


def simplex_weights(
    A: _FloatArray,
    b: _FloatArray,
    c: _FloatArray | None = None,
    *,
    tol: float = 1e-11,
    max_iter: int = 500,
    w0: _FloatArray | None = None,
    ridge: float = 1e-9,
) -> _FloatArray:
    """Exact minimiser of ``||A w - b||^2 + c'w`` over the unit simplex.

    A primal active-set method (Lawson & Hanson 1974, ch. 23, adapted to the sum-to-one
    constraint): start at the best single donor, add the donor whose gradient most violates the
    KKT conditions, solve the equality-constrained problem on the passive set and step back to
    feasibility when a weight would turn negative.

    Parameters
    ----------
    A : ndarray, shape (k, J)
        Predictors of the donors, rows already multiplied by ``sqrt(v)``.
    b : ndarray, shape (k,)
        Predictors of the treated unit, scaled the same way.
    c : ndarray, shape (J,), optional
        Linear term (the penalty of Abadie & L'Hour 2021); zero when omitted.
    w0 : ndarray, shape (J,), optional
        A feasible warm start (e.g. the solution for a nearby V); its support is the first
        passive set.
    ridge : float
        Relative weight of a tiny ``eps ||w||^2`` term (``eps = ridge`` times the mean squared
        column norm of ``A``). It makes the solution unique, and so continuous in V, when the
        treated unit lies inside the donors' convex hull and many weight vectors fit exactly;
        otherwise its effect is far below any reported digit.

    Returns
    -------
    ndarray, shape (J,)
        Non-negative weights summing to one.
    """
    n = A.shape[1]
    lin = np.zeros(n) if c is None else np.asarray(c, dtype=float)
    eps = ridge * float(np.einsum("ij,ij->", A, A)) / max(n, 1)
    w, _, _ = _simplex_core(A, b, lin, eps, tol, max_iter, w0)
    w = np.clip(w, 0.0, None)
    return w / w.sum()


def _v_of(e: _FloatArray, floor: float) -> _FloatArray:
    """V diagonal from the positive parameters: every entry at least ``floor`` times the sum
    of the parameters, so that no predictor is switched off entirely."""
    return e + floor * e.sum()


def _loss_and_grad(
    log_v: _FloatArray,
    X0: _FloatArray,
    X1: _FloatArray,
    Z0: _FloatArray,
    Z1: _FloatArray,
    w0: _FloatArray | None = None,
    floor: float = 0.0,
) -> tuple[float, _FloatArray, _FloatArray]:
    """Pre-period MSPE of the outcome for ``V = diag(exp(log_v))`` and its exact gradient.

    The gradient differentiates the passive-set KKT system of the inner solution
    (implicit function theorem); it is exact wherever the active set does not change.
    """
    e = np.exp(log_v - log_v.max())
    v = _v_of(e, floor)
    sv = np.sqrt(v)
    A = X0 * sv[:, None]
    n = A.shape[1]
    eps = 1e-9 * float(np.einsum("ij,ij->", A, A)) / n
    w, passive, kkt = _simplex_core(A, X1 * sv, np.zeros(n), eps, 1e-11, 500, w0)
    w = np.clip(w, 0.0, None)
    w /= w.sum()
    resid = Z1 - Z0 @ w
    n_t = Z0.shape[0]
    loss = float(resid @ resid) / n_t
    passive = passive[w[passive] > 0]
    p = passive.size
    XP = X0[:, passive]
    if kkt is None or kkt.shape[0] != p + 1:
        _, kkt = _solve_passive(A[:, passive], X1 * sv, np.zeros(p), eps)
    g_w = np.zeros(p + 1)
    g_w[:p] = -2.0 * (Z0[:, passive].T @ resid) / n_t
    try:
        y = np.linalg.solve(kkt, g_w)[:p]
    except np.linalg.LinAlgError:
        y = np.zeros(p)
    imbalance = X1 - XP @ w[passive]
    dv = 2.0 * imbalance * (XP @ y)
    # v_i = e_i + floor * sum(e): dL/dtheta_j = e_j (dL/dv_j + floor * sum_i dL/dv_i)
    return loss, e * (dv + floor * dv.sum()), w


def _bfgs(
    fun: Callable[[_FloatArray], tuple[float, _FloatArray]],
    x0: _FloatArray,
    maxiter: int,
    *,
    ftol: float = 1e-10,
    max_step: float = 4.0,
) -> _FloatArray:
    """A small BFGS with Armijo backtracking (scipy's L-BFGS-B costs more per iteration
    than the whole inner problem here). ``log V`` is unbounded; scale is irrelevant."""
    x = np.asarray(x0, dtype=float).copy()
    f, g = fun(x)
    n = x.size
    H = np.eye(n)
    stall = 0
    for _ in range(maxiter):
        d = -H @ g
        slope = float(g @ d)
        if slope >= 0:
            H = np.eye(n)
            d = -g
            slope = float(g @ d)
        if slope > -1e-16:
            break
        big = float(np.max(np.abs(d)))
        t = min(1.0, max_step / big) if big > 0 else 1.0
        while True:
            xn = x + t * d
            fn, gn = fun(xn)
            if fn <= f + 1e-4 * t * slope:
                break
            t *= 0.25
            if t < 1e-9:
                return x
        s_, y_ = xn - x, gn - g
        sy = float(s_ @ y_)
        if sy > 1e-12:
            rho = 1.0 / sy
            Hy = H @ y_
            H = (
                H
                + ((sy + y_ @ Hy) * rho * rho) * np.outer(s_, s_)
                - rho * (np.outer(Hy, s_) + np.outer(s_, Hy))
            )
        stall = stall + 1 if f - fn <= ftol * max(1.0, abs(f)) else 0
        x, f, g = xn, fn, gn
        if stall >= 3:
            break
    return x


@dataclass(frozen=True)
class VSearchResult:
    """Outcome of the outer V search."""

    v: _FloatArray
    w: _FloatArray
    loss: float
    starts_tried: int
    start_losses: tuple[float, ...]


def regression_v_start(X: _FloatArray, Z: _FloatArray) -> _FloatArray | None:
    """The regression-based starting V of R's ``Synth``: squared OLS coefficients.

    Regress every pre-period outcome on the (scaled) predictors across all units and use the
    row sums of the squared slopes. Returns ``None`` when the regression is not identified.
    """
    n_units = X.shape[1]
    design = np.column_stack([np.ones(n_units), X.T])
    if design.shape[0] <= design.shape[1]:
        return None
    beta, _, rank, _ = np.linalg.lstsq(design, Z.T, rcond=None)
    if rank < design.shape[1]:
        return None
    v = np.sum(beta[1:] ** 2, axis=1)
    if not np.all(np.isfinite(v)) or v.sum() <= 0:
        return None
    return v / v.sum()


def search_v(
    X0: _FloatArray,
    X1: _FloatArray,
    Z0: _FloatArray,
    Z1: _FloatArray,
    *,
    n_random: int = 4,
    seed: int = 20030301,
    emphasis_starts: bool = True,
    extra_starts: tuple[_FloatArray, ...] = (),
    screen_iter: int = 25,
    n_polish: int = 3,
    maxiter: int = 300,
    v_floor: float = 1e-5,
) -> VSearchResult:
    """Nested V/W optimisation of Abadie & Gardeazabal (2003) with deterministic multi-start.

    Parameters
    ----------
    X0, X1 : ndarray
        Normalised predictors of donors ``(k, J)`` and treated ``(k,)``.
    Z0, Z1 : ndarray
        Pre-period outcomes used to choose V, donors ``(T0, J)`` and treated ``(T0,)``.
    n_random : int
        Number of seeded random starts (Dirichlet draws) on top of the deterministic ones.
    seed : int
        Seed of those random starts; the search is deterministic for a given seed.
    emphasis_starts : bool
        Also start from V putting most weight on one predictor at a time.
    extra_starts : tuple of ndarray
        Further starting V (e.g. the treated unit's V for placebo fits).
    screen_iter, n_polish, maxiter : int
        Every start gets ``screen_iter`` L-BFGS-B iterations; the ``n_polish`` best are then
        run for up to ``maxiter`` iterations.
    """
    k = X0.shape[0]
    starts: list[_FloatArray] = [np.full(k, 1.0 / k)]
    reg = regression_v_start(np.column_stack([X1, X0]), np.column_stack([Z1, Z0]))
    if reg is not None:
        starts.append(np.clip(reg, 1e-8, None))
    if emphasis_starts and k > 1:
        for i in range(k):
            s = np.full(k, 0.1 / (k - 1))
            s[i] = 0.9
            starts.append(s)
    for extra in extra_starts:
        if extra.shape == (k,) and np.all(extra >= 0) and extra.sum() > 0:
            starts.append(np.clip(extra / extra.sum(), 1e-8, None))
    rng = np.random.default_rng(seed)
    for _ in range(n_random):
        starts.append(rng.dirichlet(np.full(k, 0.5)) + 1e-6)

    best: tuple[float, _FloatArray, _FloatArray] | None = None

    warm: dict[str, _FloatArray | None] = {"w": None}

    def fun(theta: _FloatArray) -> tuple[float, _FloatArray]:
        loss, grad, w = _loss_and_grad(theta, X0, X1, Z0, Z1, warm["w"], v_floor)
        warm["w"] = w
        return loss, grad

    def run(theta0: _FloatArray, iters: int) -> tuple[float, _FloatArray, _FloatArray]:
        warm["w"] = None
        theta = _bfgs(fun, theta0, iters)
        loss, _, w = _loss_and_grad(theta, X0, X1, Z0, Z1, None, v_floor)
        return loss, theta, w

    # stage 1: a short run from every start; stage 2: run the best few to convergence
    stage1 = []
    for start in starts:
        theta0 = np.log(start / start.max())
        stage1.append(run(theta0, screen_iter))
    order = sorted(range(len(stage1)), key=lambda i: stage1[i][0])
    seen = [r[0] for r in stage1]
    for i in order[:n_polish]:
        polished = run(stage1[i][1], maxiter)
        if best is None or polished[0] < best[0] - 1e-12:
            best = polished
        if stage1[i][0] < best[0] - 1e-12:
            best = stage1[i]
    if best is None:  # k == 0 is rejected upstream
        raise RuntimeError("no V start was tried")
    loss, theta, w = best
    v = _v_of(np.exp(theta - theta.max()), v_floor)
    return VSearchResult(
        v=v / v.sum(), w=w, loss=loss, starts_tried=len(starts), start_losses=tuple(seen)
    )
