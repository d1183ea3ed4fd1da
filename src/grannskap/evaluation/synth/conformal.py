"""Conformal inference for the synthetic control's effect path.

Chernozhukov, Wüthrich & Zhu (2021), "An exact and robust conformal inference method for
counterfactual and synthetic controls", JASA 116:1849-1864. Under a hypothesised effect path
``theta`` the post-period outcomes of the treated unit are adjusted (``y - theta``), the
counterfactual model is fitted on *all* periods, and the residuals of the post-period are
compared with those of every other period by permutation (moving blocks, i.e. cyclic shifts
in time). The p-value is valid when the residuals are stationary and weakly dependent
(exact under exchangeability), also with a single treated unit; inverting the test gives
confidence sets.

Implemented here:

- per-period intervals: for each post period ``t``, the pre-period plus that one period,
  ``theta_t`` inverted with the statistic ``|u_t|`` (CWZ sec. 3.3). With ``T0`` pre-periods
  the p-value moves in steps of ``1 / (T0 + 1)``, so a ``1 - alpha`` interval is bounded only
  when ``T0 + 1 >= 1 / alpha`` (90 % needs 9 pre-periods, 95 % needs 19);
- the joint test of no effect in any post period (``S_1 = sum |u_t|`` over the post-period,
  all ``T`` cyclic shifts; CWZ eq. 7 with ``q = 1``).

Intervals for a constant effect (the joint test inverted) are not offered: with a
post-period as long as the pre-period (Basque, Proposition 99) the inverted set is not an
interval around the estimate, and an effect that grows over time rejects every constant.

The counterfactual model is CWZ's synthetic control: non-negative donor weights summing to
one fitted by least squares on the outcome (no predictors, no V search), refitted for every
hypothesis. The intervals are therefore for this estimator's effect; its point estimates (the
gaps of the pre-period fit) are reported beside them. A per-period estimate always lies inside
its interval (adding a period with zero residual leaves the fit unchanged, so it is never
rejected).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from grannskap.errors import EstimationError

from .data import SynthPanel
from .solver import simplex_weights

__all__ = ["ConformalResult", "conformal_inference"]


@dataclass(frozen=True)
class ConformalResult:
    """Conformal intervals of a synthetic control (CWZ 2021).

    Attributes
    ----------
    level : float
        Confidence level ``1 - alpha``.
    periods : DataFrame
        One row per post period: ``estimate`` (gap of the outcome-only synthetic control
        fitted on the pre-period), ``lower``, ``upper`` (``-inf``/``inf`` when the data
        cannot bound the interval at this level).
    p_no_effect : float
        Permutation p-value of "no effect in any post period".
    n_permutations : int
        Number of cyclic shifts used for the joint test (= number of periods).
    min_alpha_per_period : float
        The smallest attainable per-period p-value, ``1 / (T0 + 1)``.
    """

    level: float
    periods: pd.DataFrame
    p_no_effect: float
    n_permutations: int
    min_alpha_per_period: float

    @property
    def bounded(self) -> bool:
        """Whether every per-period interval is finite at the chosen level."""
        return bool(np.isfinite(self.periods[["lower", "upper"]].to_numpy()).all())

    @property
    def min_pre_periods(self) -> int:
        """Pre-periods needed for a bounded per-period interval at this level."""
        return int(np.ceil(1.0 / (1.0 - self.level) - 1e-9)) - 1

    @property
    def n_excluding_zero(self) -> int:
        """Post periods whose interval excludes a zero effect."""
        p = self.periods
        return int(((p["lower"] > 0) | (p["upper"] < 0)).sum())


def _residuals(Y0: np.ndarray, y: np.ndarray, w0: np.ndarray | None) -> np.ndarray:
    w = simplex_weights(Y0, y, w0=w0)
    return y - Y0 @ w


def _shift_stats(u: np.ndarray, post: np.ndarray) -> np.ndarray:
    """``sum |u|`` over the post positions after each cyclic shift of time (moving blocks)."""
    a = np.abs(u)
    T = a.size
    idx = (post[None, :] + np.arange(T)[:, None]) % T
    return a[idx].sum(axis=1)


def _p_value(u: np.ndarray, post: np.ndarray) -> float:
    s = _shift_stats(u, post)
    # ties count against rejection; a relative tolerance absorbs rounding in exact fits
    tol = 1e-9 * max(float(np.abs(u).max(initial=0.0)), 1e-300)
    return float(np.mean(s >= s[0] - tol))


def _invert(
    p_of: Callable[[float], float], centre: float, scale: float, alpha: float
) -> tuple[float, float]:
    """Bounds of ``{theta : p(theta) > alpha}`` around ``centre`` (doubling, then bisection)."""
    if p_of(centre) <= alpha:
        return float("nan"), float("nan")
    bounds = []
    for sign in (-1.0, 1.0):
        inside, step = centre, scale
        outside = None
        for _ in range(60):
            trial = centre + sign * step
            if p_of(trial) <= alpha:
                outside = trial
                break
            inside = trial
            step *= 2.0
        if outside is None:
            bounds.append(sign * float("inf"))
            continue
        for _ in range(50):
            mid = 0.5 * (inside + outside)
            if p_of(mid) > alpha:
                inside = mid
            else:
                outside = mid
            if abs(outside - inside) <= 1e-7 * max(scale, abs(centre)):
                break
        bounds.append(inside)
    return bounds[0], bounds[1]


def conformal_inference(panel: SynthPanel, *, alpha: float = 0.1) -> ConformalResult:
    """Per-period conformal intervals of the effect and the permutation test of no effect.

    Parameters
    ----------
    panel : SynthPanel
        The prepared panel (only the outcome of the treated unit and donors is used).
    alpha : float
        1 - confidence level (0.1 gives 90 % intervals).

    Returns
    -------
    ConformalResult
    """
    if not 0 < alpha < 1:
        raise EstimationError(f"alpha must lie strictly between 0 and 1; got {alpha}")
    Y = panel.outcome
    pre, post_mask = panel.pre_mask, panel.post_mask
    Y0 = Y[:, panel.donors]
    y1 = Y[:, panel.treated]
    n_pre = int(pre.sum())
    post_idx = np.flatnonzero(post_mask)
    if n_pre < 2 or post_idx.size == 0:
        raise EstimationError(
            f"conformal inference needs at least 2 pre- and 1 post-period; got {n_pre} and "
            f"{post_idx.size}"
        )
    w_pre = simplex_weights(Y0[pre], y1[pre])
    gaps = y1 - Y0 @ w_pre
    resid_pre = gaps[pre]
    spread = float(np.mean(Y0[pre].std(axis=1, ddof=1))) if Y0.shape[1] > 1 else 1.0
    scale = max(float(np.sqrt(np.mean(resid_pre**2))), 1e-6 * max(spread, 1e-12), 1e-12)

    rows = np.flatnonzero(pre)
    lower: list[float] = []
    upper: list[float] = []
    for t in post_idx:
        if 1.0 / (n_pre + 1) > alpha:  # the p-value cannot fall to alpha: unbounded
            lower.append(-float("inf"))
            upper.append(float("inf"))
            continue
        sel = np.append(rows, t)
        Y0s, ys = Y0[sel], y1[sel].copy()
        last = np.array([sel.size - 1])

        def p_t(
            theta: float, Y0s: np.ndarray = Y0s, ys: np.ndarray = ys, last: np.ndarray = last
        ) -> float:
            y = ys.copy()
            y[-1] -= theta
            return _p_value(_residuals(Y0s, y, w_pre), last)

        lo, hi = _invert(p_t, float(gaps[t]), scale, alpha)
        lower.append(lo)
        upper.append(hi)

    # the joint test uses every period in time order (cyclic shifts of the whole path)
    u0 = _residuals(Y0, y1, w_pre)

    periods = pd.DataFrame(
        {"estimate": gaps[post_mask], "lower": lower, "upper": upper},
        index=pd.Index(panel.times[post_mask], name="period"),
    )
    return ConformalResult(
        level=1.0 - alpha,
        periods=periods,
        p_no_effect=_p_value(u0, post_idx),
        n_permutations=int(Y.shape[0]),
        min_alpha_per_period=1.0 / (n_pre + 1),
    )
