"""Checks and reshaping of long area-year panels shared by the DiD estimators.

A panel arrives as a long frame (one row per area and year) and leaves as a dense
``units x periods`` outcome matrix with the first treated period of every unit. Every problem
the estimators cannot work around becomes an :class:`~grannskap.errors.EstimationError` naming
the bad value; problems they can work around become an :class:`EstimationWarning` that is
also recorded in the result's ``warnings`` so the verdict can repeat it.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from grannskap.errors import EstimationError, EstimationWarning

__all__ = ["WidePanel", "to_wide", "never_treated_mask", "warn"]


@dataclass
class WidePanel:
    """A balanced panel in matrix form.

    Attributes
    ----------
    units : numpy.ndarray
        Unit labels, length ``n``.
    periods : numpy.ndarray
        Sorted periods, length ``T``.
    y : numpy.ndarray
        Outcome, shape ``(n, T)``.
    group : numpy.ndarray
        First treated period per unit; ``inf`` for never treated.
    x : numpy.ndarray | None
        Covariates per unit and period, shape ``(n, T, k)``, or ``None``.
    weights : numpy.ndarray
        Unit weights normalised to mean one.
    notes : list of str
        Warnings raised while building the panel (repeated in verdicts).
    """

    units: np.ndarray
    periods: np.ndarray
    y: np.ndarray
    group: np.ndarray
    x: np.ndarray | None
    weights: np.ndarray
    notes: list[str] = field(default_factory=list)


def warn(notes: list[str], message: str) -> None:
    """Record ``message`` in ``notes`` and raise it as an :class:`EstimationWarning`."""
    notes.append(message)
    warnings.warn(message, EstimationWarning, stacklevel=3)


def never_treated_mask(group: np.ndarray) -> np.ndarray:
    """Units never treated within (or after) the panel: group ``inf``."""
    return ~np.isfinite(group)


def _group_values(raw: pd.Series, column: str) -> pd.Series:
    values = pd.to_numeric(raw, errors="coerce").astype(float)
    # 0 or missing marks "never treated", as in R's did and csdid.
    return values.where(values.notna() & (values != 0), np.inf)


def to_wide(
    data: pd.DataFrame,
    *,
    outcome: str,
    unit: str,
    time: str,
    group: str,
    covariates: Sequence[str] = (),
    weights: str | None = None,
    drop_incomplete_controls: bool = True,
) -> WidePanel:
    """Validate a long panel and return it as a :class:`WidePanel`.

    Raises
    ------
    EstimationError
        A column is missing; a unit has more than one first-treatment period; treated units
        lack outcome values; a treatment starts before the panel's second period.
    """
    needed = [outcome, unit, time, group, *covariates] + ([weights] if weights else [])
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise EstimationError(
            f"panel lacks column(s) {missing}; expected columns {needed} (got {list(data.columns)})"
        )
    notes: list[str] = []
    frame = data[needed].copy()
    frame[group] = _group_values(frame[group], group)
    frame[time] = pd.to_numeric(frame[time], errors="raise")
    if frame.duplicated([unit, time]).any():
        dup = frame.loc[frame.duplicated([unit, time]), [unit, time]].iloc[0].tolist()
        raise EstimationError(f"panel has more than one row for unit/period {dup}; expected one")
    per_unit = frame.groupby(unit, sort=True)[group].nunique(dropna=False)
    if (per_unit > 1).any():
        bad = per_unit[per_unit > 1].index[:5].tolist()
        raise EstimationError(
            f"units {bad} have more than one first-treatment period; expected one per unit "
            "(overlapping or repeated interventions in one area cannot be separated by this design)"
        )
    periods = np.sort(frame[time].unique()).astype(float)
    if len(periods) < 2:
        raise EstimationError(
            f"panel has {len(periods)} period(s) ({periods.tolist()}); a difference-in-differences "
            "design needs at least two (one before and one after the start)"
        )
    y_wide = frame.pivot(index=unit, columns=time, values=outcome).reindex(columns=periods)
    g_unit = frame.groupby(unit, sort=True)[group].first().reindex(y_wide.index)
    gvals = g_unit.to_numpy(dtype=float)
    early = np.isfinite(gvals) & (gvals <= periods[0])
    if early.any():
        bad = y_wide.index[early][:5].tolist()
        raise EstimationError(
            f"units {bad} are treated from {gvals[early].min():g}, not after the panel's first "
            f"period {periods[0]:g}; expected treatment to start after at least one observed "
            "pre-period (these units cannot be evaluated; drop them or extend the panel back)"
        )
    incomplete = y_wide.isna().any(axis=1).to_numpy()
    if incomplete.any():
        treated_bad = incomplete & np.isfinite(gvals)
        if treated_bad.any():
            bad = y_wide.index[treated_bad][:5].tolist()
            raise EstimationError(
                f"outcome {outcome!r} is missing for treated unit(s) {bad} in some periods; "
                "expected a value in every period for treated units"
            )
        if not drop_incomplete_controls:
            raise EstimationError(
                f"outcome {outcome!r} is missing for {int(incomplete.sum())} comparison unit(s); "
                "expected a balanced panel"
            )
        warn(
            notes,
            f"{int(incomplete.sum())} comparison unit(s) lacked the outcome in some period and "
            "were dropped (balanced panel needed)",
        )
        y_wide = y_wide.loc[~incomplete]
        gvals = gvals[~incomplete]
    x = None
    if covariates:
        xs = []
        for c in covariates:
            xw = frame.pivot(index=unit, columns=time, values=c).reindex(
                index=y_wide.index, columns=periods
            )
            xs.append(xw.to_numpy(dtype=float))
        x = np.stack(xs, axis=2)
    if weights:
        w = frame.groupby(unit, sort=True)[weights].first().reindex(y_wide.index)
        w_arr = w.to_numpy(dtype=float)
    else:
        w_arr = np.ones(len(y_wide))
    w_arr = w_arr / w_arr.mean()
    return WidePanel(
        units=y_wide.index.to_numpy(),
        periods=periods,
        y=y_wide.to_numpy(dtype=float),
        group=gvals,
        x=x,
        weights=w_arr,
        notes=notes,
    )
