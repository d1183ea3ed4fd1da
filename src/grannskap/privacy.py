"""Small-count suppression, SCB style: counts of fewer than ``threshold`` persons are shown as "..".

One rule for the report and the dashboard. SCB suppresses (or perturbs) small cells so that
individuals cannot be identified; we apply the same visible rule to everything we *derive*
(shares, counts per area): a share is shown only when its numerator, its denominator and their
difference (the complement: those *not* in the group) are all at least ``threshold`` persons —
99.9 % of 783 reveals that one person is outside the group as surely as 0.1 % reveals one inside. The default threshold is 5 and can be changed per run
(``grannskap report --min-count N``) or by the environment variable ``GRANNSKAP_MIN_COUNT``.
"""

from __future__ import annotations

import math
import os

import numpy as np
import pandas as pd

from grannskap.errors import ConfigError

__all__ = [
    "SUPPRESSED",
    "DEFAULT_THRESHOLD",
    "default_threshold",
    "check_threshold",
    "is_small",
    "suppress_count",
    "suppress_share",
    "suppress_frame",
]

SUPPRESSED = ".."
DEFAULT_THRESHOLD = 5


def check_threshold(threshold: int) -> int:
    """Validate a threshold (a whole number ≥ 1)."""
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer) or threshold < 1:
        raise ConfigError(
            f"small-count threshold was {threshold!r} but is expected to be a whole number >= 1"
        )
    return int(threshold)


def default_threshold() -> int:
    """The threshold from ``GRANNSKAP_MIN_COUNT`` if set, else :data:`DEFAULT_THRESHOLD`."""
    text = os.environ.get("GRANNSKAP_MIN_COUNT")
    if text is None or text.strip() == "":
        return DEFAULT_THRESHOLD
    try:
        value = int(text)
    except ValueError:
        raise ConfigError(
            f"GRANNSKAP_MIN_COUNT was {text!r} but is expected to be a whole number >= 1"
        ) from None
    return check_threshold(value)


def is_small(count: float | None, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """True when a person count must not be shown (fewer than ``threshold``; 0 included).

    Missing counts are not "small" — they are missing and shown as such elsewhere.
    """
    if count is None or (isinstance(count, float) and math.isnan(count)):
        return False
    return float(count) < threshold


def suppress_count(count: float | None, threshold: int = DEFAULT_THRESHOLD) -> float | None:
    """The count, or ``None`` when it is too small to show."""
    return None if is_small(count, threshold) else count


def suppress_share(
    numerator: float | None, denominator: float | None, threshold: int = DEFAULT_THRESHOLD
) -> float | None:
    """``numerator / denominator`` (0–1), or ``None`` if the numerator, the denominator or the
    complement (denominator − numerator) is small, or a count is missing."""
    for c in (numerator, denominator):
        if c is None or (isinstance(c, float) and math.isnan(c)) or is_small(c, threshold):
            return None
    if float(denominator) == 0.0:  # type: ignore[arg-type]
        return None
    if is_small(float(denominator) - float(numerator), threshold):  # type: ignore[arg-type]
        return None
    return float(numerator) / float(denominator)  # type: ignore[arg-type]


def suppress_frame(
    frame: pd.DataFrame,
    numerator: str,
    denominator: str,
    share: str = "share",
    threshold: int = DEFAULT_THRESHOLD,
) -> pd.DataFrame:
    """Add column ``share`` (0–1) and column ``suppressed`` (bool) to a copy of ``frame``.

    Rows whose numerator, denominator or complement (denominator − numerator) is below
    ``threshold`` get ``share = NaN`` and
    ``suppressed = True``; their count columns are blanked too, so that no later table can
    show them.
    """
    threshold = check_threshold(threshold)
    out = frame.copy()
    num = pd.to_numeric(out[numerator], errors="coerce")
    den = pd.to_numeric(out[denominator], errors="coerce")
    small = (num < threshold) | (den < threshold) | ((den - num) < threshold)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(den > 0, num / den, np.nan)
    out[share] = np.where(small, np.nan, value)
    out["suppressed"] = small.to_numpy()
    out[numerator] = num.where(~small)
    out[denominator] = den.where(~small)
    return out
