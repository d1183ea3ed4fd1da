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

Rule for every output (API, CLI, report, xlsx, dashboard): print the bias-corrected value
next to the interval (``interval_estimate``); the plain estimate may be shown as well, in
its own column, labelled as uncorrected.

In the rare case that the replicate distribution is so skewed that its mean lies outside
its own central quantiles (a handful of replicates, or a few extreme ones), the shifted
interval would miss the corrected value; it is then widened to reach it, so the printed
value always lies inside the interval printed beside it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

__all__ = ["IntervalFor", "INTERVAL_FOR", "debiased_interval"]

IntervalFor = Literal["bias_corrected"]
INTERVAL_FOR: IntervalFor = "bias_corrected"


def debiased_interval(
    estimate: float, replicates: np.ndarray, level: float
) -> tuple[float, float, float]:
    """``(low, high, bias_corrected)`` for ``estimate`` from its bootstrap replicates.

    ``bias = mean(replicates) - estimate``, ``bias_corrected = estimate - bias`` and the
    interval is the central ``level`` quantile range of the replicates minus ``2 * bias``,
    widened if needed so that ``low <= bias_corrected <= high`` (see the module docstring).
    NaN for all three when there are no replicates.
    """
    reps = np.asarray(replicates, dtype="float64")
    if reps.size == 0:
        nan = float("nan")
        return nan, nan, nan
    a = (1.0 - level) / 2.0
    q_lo, q_hi = np.quantile(reps, [a, 1.0 - a])
    bias = float(reps.mean()) - float(estimate)
    corrected = float(estimate) - bias
    lo = float(q_lo) - 2.0 * bias
    hi = float(q_hi) - 2.0 * bias
    return min(lo, corrected), max(hi, corrected), corrected
