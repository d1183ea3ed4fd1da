"""Panel preparation for the synthetic control method (the ``dataprep`` step of R's Synth).

A long frame (one row per unit and period) becomes arrays: the outcome of every unit over
time and the predictor matrix, each predictor being the mean of a variable over chosen
periods (Abadie, Diamond & Hainmueller 2011, J. Stat. Softw. 42(13), ``dataprep``). Missing
values inside a predictor's window are skipped (as ``mean(..., na.rm = TRUE)`` in Synth).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from grannskap.errors import DataQualityWarning, EstimationError

__all__ = ["Predictor", "SynthPanel", "prepare_panel", "MIN_PRE_PERIODS"]

MIN_PRE_PERIODS = 3
"""Fewer pre-treatment periods than this and no synthetic control is attempted."""


@dataclass(frozen=True)
class Predictor:
    """One row of the predictor matrix: the mean of ``variable`` over ``periods``.

    ``Predictor("cigsale", (1988,))`` is a "special predictor" in Synth's terms (the outcome
    in one year); ``Predictor("beer", range(1984, 1989))`` an average over a window.
    """

    variable: str
    periods: tuple[Hashable, ...]

    def __init__(self, variable: str, periods: Iterable[Hashable] | Hashable) -> None:
        if isinstance(periods, str) or not isinstance(periods, Iterable):
            periods = (periods,)
        object.__setattr__(self, "variable", variable)
        object.__setattr__(self, "periods", tuple(periods))

    @property
    def label(self) -> str:
        p = self.periods
        if len(p) == 1:
            return f"{self.variable}({p[0]})"
        ints = [int(x) for x in p if isinstance(x, int | np.integer)]
        if len(ints) == len(p) and ints == list(range(ints[0], ints[-1] + 1)):
            return f"{self.variable}({p[0]}-{p[-1]})"
        return f"{self.variable}({', '.join(str(x) for x in p)})"


@dataclass(frozen=True)
class SynthPanel:
    """Arrays for one synthetic-control design.

    Attributes
    ----------
    units : tuple
        Every unit in the design; ``treated`` and ``donors`` index into it.
    times : ndarray, shape (T,)
    outcome : ndarray, shape (T, N)
        Outcome of each unit (column) in each period (row).
    predictors : ndarray, shape (k, N)
        Unscaled predictor values.
    predictor_labels : tuple of str
    predictor_specs : tuple of Predictor
    treated : int
    donors : ndarray of int
    treatment_start : first treated period
    optimize_mask : ndarray of bool, shape (T,)
        Periods whose outcome MSPE chooses V (Synth's ``time.optimize.ssr``).
    outcome_name : str
    """

    units: tuple[Hashable, ...]
    times: np.ndarray
    outcome: np.ndarray
    predictors: np.ndarray
    predictor_labels: tuple[str, ...]
    predictor_specs: tuple[Predictor, ...]
    treated: int
    donors: np.ndarray
    treatment_start: Hashable
    optimize_mask: np.ndarray
    outcome_name: str

    @property
    def pre_mask(self) -> np.ndarray:
        return self.times < self.treatment_start

    @property
    def post_mask(self) -> np.ndarray:
        return ~self.pre_mask

    @property
    def treated_name(self) -> Hashable:
        return self.units[self.treated]

    @property
    def donor_names(self) -> list[Hashable]:
        return [self.units[i] for i in self.donors]

    def scaled_predictors(self) -> tuple[np.ndarray, np.ndarray]:
        """Predictors divided by their standard deviation across the design's units (as Synth).

        Returns ``(X0, X1)``: donors ``(k, J)`` and treated ``(k,)``.
        """
        cols = np.concatenate([[self.treated], self.donors])
        X = self.predictors[:, cols]
        sd = X.std(axis=1, ddof=1)
        sd = np.where(sd > 0, sd, 1.0)
        Xs = X / sd[:, None]
        return Xs[:, 1:], Xs[:, 0]

    def outcome_lag_rows(self) -> np.ndarray | None:
        """Optimise-period index of each predictor when every predictor is the outcome in one
        optimise period and every optimise period appears once; else ``None``."""
        opt_times = list(self.times[self.optimize_mask])
        rows = []
        for p in self.predictor_specs:
            if p.variable != self.outcome_name or len(p.periods) != 1:
                return None
            if p.periods[0] not in opt_times:
                return None
            rows.append(opt_times.index(p.periods[0]))
        if sorted(rows) != list(range(len(opt_times))):
            return None
        return np.asarray(rows)

    def as_treated(self, unit: int, donors: Sequence[int] | np.ndarray) -> SynthPanel:
        """The same panel with another unit treated (for placebos and leave-one-out)."""
        return replace(self, treated=int(unit), donors=np.asarray(donors, dtype=int))


def _plain(values: Iterable[Hashable]) -> list[Hashable]:
    """Python scalars for messages (``3`` rather than ``np.int64(3)``)."""
    return [v.item() if isinstance(v, np.generic) else v for v in values]


def _as_predictors(
    spec: Sequence[str | Predictor | tuple[str, Iterable[Hashable] | Hashable]] | None,
    outcome: str,
    default_periods: Sequence[Hashable],
) -> list[Predictor]:
    if spec is None:
        return [Predictor(outcome, (t,)) for t in default_periods]
    out: list[Predictor] = []
    for item in spec:
        if isinstance(item, Predictor):
            out.append(item)
        elif isinstance(item, str):
            out.append(Predictor(item, tuple(default_periods)))
        elif isinstance(item, tuple) and len(item) == 2:
            out.append(Predictor(item[0], item[1]))
        else:
            raise EstimationError(
                f"predictor {item!r} not understood; expected a column name, a "
                "(column, periods) pair or a Predictor"
            )
    return out


def prepare_panel(
    frame: pd.DataFrame,
    *,
    unit: str,
    time: str,
    outcome: str,
    treated: Hashable,
    treatment_start: Hashable,
    predictors: Sequence[str | Predictor | tuple[str, Iterable[Hashable] | Hashable]] | None = None,
    predictor_periods: Iterable[Hashable] | None = None,
    donors: Iterable[Hashable] | None = None,
    optimize_periods: Iterable[Hashable] | None = None,
    periods: Iterable[Hashable] | None = None,
) -> SynthPanel:
    """Turn a long panel into the arrays of a synthetic-control design.

    Parameters
    ----------
    frame : DataFrame
        One row per unit and period.
    unit, time, outcome : str
        Column names.
    treated : unit label of the treated unit.
    treatment_start : first period of treatment (periods before it are "pre").
    predictors : sequence, optional
        Column names (averaged over ``predictor_periods``), ``(column, periods)`` pairs or
        :class:`Predictor` objects. Default: the outcome in every pre-period.
    predictor_periods : periods averaged for plain column names (default: all pre-periods).
    donors : units of the donor pool (default: every other unit).
    optimize_periods : periods whose outcome fit chooses V (default: all pre-periods).
    periods : periods kept in the outcome path (default: all).

    Raises
    ------
    EstimationError
        Treatment before the panel starts, too few pre-periods, outcome missing for the
        treated unit, an unknown treated unit or column, no usable donor.
    """
    for col in (unit, time, outcome):
        if col not in frame.columns:
            raise EstimationError(
                f"column {col!r} not in the panel; columns are {list(frame.columns)}"
            )
    if frame.duplicated([unit, time]).any():
        dup = frame.loc[frame.duplicated([unit, time]), [unit, time]].iloc[0].tolist()
        raise EstimationError(f"the panel has more than one row for (unit, period) {dup}")
    wide = frame.pivot(index=time, columns=unit, values=outcome).sort_index()
    if periods is not None:
        wide = wide.loc[[p for p in wide.index if p in set(periods)]]
    times = wide.index.to_numpy()
    if treated not in wide.columns:
        raise EstimationError(
            f"treated unit {treated!r} is not in the panel column {unit!r} "
            f"(e.g. {list(wide.columns[:5])})"
        )
    if len(times) == 0 or not treatment_start > times.min():
        raise EstimationError(
            f"treatment starts at {treatment_start!r}, not after the panel starts "
            f"({_plain([times.min()])[0] if len(times) else 'empty panel'!r}): no pre-treatment periods"
        )
    pre_times = _plain(t for t in times if t < treatment_start)
    if len(pre_times) < MIN_PRE_PERIODS:
        raise EstimationError(
            f"only {len(pre_times)} pre-treatment period(s) {pre_times}; the synthetic "
            f"control needs at least {MIN_PRE_PERIODS}"
        )
    if not any(t >= treatment_start for t in times):
        raise EstimationError(
            f"treatment starts at {treatment_start!r}, after the last period {_plain([times.max()])[0]!r}: "
            "no post-treatment period to evaluate"
        )
    y_tr = wide[treated]
    if y_tr.isna().any():
        missing = _plain(t for t, m in zip(times, y_tr.isna(), strict=True) if m)
        raise EstimationError(
            f"outcome {outcome!r} is missing for the treated unit {treated!r} in period(s) "
            f"{missing}; expected a value in every period"
        )

    pool = [u for u in wide.columns if u != treated] if donors is None else list(donors)
    unknown = [u for u in pool if u not in wide.columns]
    if unknown:
        raise EstimationError(f"donor(s) {unknown} not in the panel")
    pool = [u for u in pool if u != treated]
    opt = list(pre_times) if optimize_periods is None else list(optimize_periods)
    bad_opt = [t for t in opt if t not in set(pre_times)]
    if bad_opt:
        raise EstimationError(
            f"optimize_periods {bad_opt} are not pre-treatment periods of the panel"
        )
    incomplete = _plain(u for u in pool if wide[u].isna().any())
    if incomplete:
        warnings.warn(
            f"{len(incomplete)} donor(s) dropped because the outcome is missing in some "
            f"period: {incomplete[:10]}",
            DataQualityWarning,
            stacklevel=2,
        )
        pool = [u for u in pool if u not in set(incomplete)]
    if not pool:
        raise EstimationError(
            f"no donor unit with a complete outcome series is left for treated unit {treated!r}"
        )

    preds = _as_predictors(
        predictors,
        outcome,
        pre_times if predictor_periods is None else list(predictor_periods),
    )
    if not preds:
        raise EstimationError("no predictors given; expected at least one")
    units = (treated, *pool)
    X = np.empty((len(preds), len(units)))
    for r, p in enumerate(preds):
        if p.variable not in frame.columns:
            raise EstimationError(
                f"predictor column {p.variable!r} not in the panel; columns are "
                f"{list(frame.columns)}"
            )
        sub = frame.loc[frame[time].isin(p.periods), [unit, p.variable]]
        means = sub.groupby(unit)[p.variable].mean().reindex(list(units))
        if means.isna().any():
            gone = _plain(means.index[means.isna()])
            if treated in gone:
                raise EstimationError(
                    f"predictor {p.label} has no value for the treated unit {treated!r}"
                )
            raise EstimationError(
                f"predictor {p.label} has no value for donor(s) {gone[:10]}; drop them from "
                "the donor pool or change the predictor's periods"
            )
        X[r] = means.to_numpy(dtype=float)
    Y = wide[list(units)].to_numpy(dtype=float)
    return SynthPanel(
        units=units,
        times=times,
        outcome=Y,
        predictors=X,
        predictor_labels=tuple(p.label for p in preds),
        predictor_specs=tuple(preds),
        treated=0,
        donors=np.arange(1, len(units)),
        treatment_start=treatment_start,
        optimize_mask=np.isin(times, np.asarray(opt)),
        outcome_name=outcome,
    )
