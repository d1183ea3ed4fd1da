"""The project's one interval policy for segregation indices.

Every index result that carries an interval carries three numbers and a label:

``statistic``
    the plain estimate (the value PySAL / Elbers' package print);
``bias_corrected``
    the small-unit bias-corrected estimate ``2 * statistic - mean(bootstrap replicates)``
    (Efron & Tibshirani 1993, sec. 10.6; Elbers 2023 for M and H). Segregation indices are
    biased upwards when areas are small (Carrington & Troske 1997; Allen et al. 2015);
``ci_low``, ``ci_high``
    a bootstrap interval *for the bias-corrected estimate*: the percentile interval of the
    replicates shifted down by twice the estimated bias (the replicates scatter around
    ``statistic + bias`` while ``statistic`` scatters around ``truth + bias``), so that it
    is centred where the corrected value is. ``interval_for = "bias_corrected"`` says so.

Why not an interval around the plain estimate: when the bias is larger than the sampling
error (national H and M on DeSO: bias ~2-3 standard errors) an interval around the plain
estimate does not cover the value the index estimates; the percentile interval of the
replicates is even centred on ``statistic + bias`` and excludes the estimate itself (the
"H 16,7 with interval 16,8-16,8" of issue 14). The coverage of this policy is measured in
``benchmarks/interval_coverage.py`` (figures in BENCHMARKS.md).

``method="percentile"`` remains for users who want the sampling spread around the
*published* (uncorrected) value, e.g. to compare with PySAL: the replicate quantiles are
shifted down by the bias once, so the interval is for ``statistic`` and says
``interval_for = "statistic"``. The raw replicate quantiles are offered nowhere: they are
centred on ``statistic + bias``, a value that estimates nothing.

Rule for every output (API, CLI, report, xlsx, dashboard): print the bias-corrected value
next to the interval (``interval_estimate``); the plain estimate may be shown as well, in
its own column, labelled as uncorrected.

In the rare case that the replicate distribution is so skewed that its mean lies outside
its own central quantiles (a handful of replicates, or a few extreme ones), the shifted
interval would miss the corrected value; it is then widened to reach it, so the printed
value always lies inside the interval printed beside it.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np

__all__ = ["IntervalFor", "INTERVAL_FOR", "Interval", "policy_interval", "debiased_interval"]

IntervalFor = Literal["bias_corrected", "statistic"]
INTERVAL_FOR: IntervalFor = "bias_corrected"


class Interval(NamedTuple):
    """An interval and the estimate it is for (arrays when computed for several statistics)."""

    low: np.ndarray
    high: np.ndarray
    bias: np.ndarray
    bias_corrected: np.ndarray
    interval_for: IntervalFor


def policy_interval(
    estimate: float | np.ndarray,
    replicates: np.ndarray,
    level: float,
    method: Literal["debiased", "percentile"] = "debiased",
) -> Interval:
    """The interval of the policy for ``estimate`` from its bootstrap replicates.

    ``replicates`` has the replicates along axis 0 (shape ``(r,)`` or ``(r, m)`` for ``m``
    statistics). ``bias = mean(replicates) - estimate``, ``bias_corrected = estimate - bias``.

    ``method="debiased"`` (the default everywhere): the central ``level`` quantile range of
    the replicates minus ``2 * bias``, an interval for ``bias_corrected``.
    ``method="percentile"``: the same quantile range minus ``bias``, i.e. the spread of the
    replicates placed around the plain estimate: an interval for ``statistic``, which
    describes the sampling variability of the published estimate but ignores its bias
    (its coverage of the true value is poor when the bias is large, see BENCHMARKS.md).
    Either interval is widened where needed so that it contains the estimate it is for.
    """
    reps = np.asarray(replicates, dtype="float64")
    est = np.asarray(estimate, dtype="float64")
    if reps.shape[0] == 0:
        nan = np.full(est.shape, np.nan)
        return Interval(
            nan, nan, nan, nan, "bias_corrected" if method == "debiased" else "statistic"
        )
    a = (1.0 - level) / 2.0
    q_lo, q_hi = np.quantile(reps, [a, 1.0 - a], axis=0)
    bias = reps.mean(axis=0) - est
    corrected = est - bias
    if method == "debiased":
        point, shift, label = corrected, 2.0 * bias, "bias_corrected"
    else:
        point, shift, label = est, bias, "statistic"
    lo = np.minimum(q_lo - shift, point)
    hi = np.maximum(q_hi - shift, point)
    return Interval(lo, hi, bias, corrected, label)  # type: ignore[arg-type]


def debiased_interval(
    estimate: float, replicates: np.ndarray, level: float
) -> tuple[float, float, float]:
    """``(low, high, bias_corrected)`` of the default policy for one estimate."""
    iv = policy_interval(estimate, replicates, level)
    return float(iv.low), float(iv.high), float(iv.bias_corrected)
