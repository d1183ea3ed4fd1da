"""Synthetic control (Abadie & Gardeazabal 2003; Abadie, Diamond & Hainmueller 2010, 2015).

Public API::

    from grannskap.evaluation.synth import synthetic_control, Predictor
    res = synthetic_control(frame, unit="area", time="year", outcome="y",
                            treated="A", treatment_start=2021)
    res.weights, res.gaps, res.p_value, res.verdict_sv

Lower-level building blocks (arrays in, arrays out) are re-exported for callers that run
their own designs: :func:`prepare_panel`, :func:`fit_weights`, :func:`placebo_in_space`,
:func:`placebo_in_time`, :func:`leave_one_out`, :func:`conformal_inference`,
:func:`simplex_weights`, :func:`search_v`. Placebos are fitted with the treated unit's own V
search unless ``placebo_search="fast"`` is asked for (exploratory; p-values too small).
Several treated areas: :func:`synthetic_control_pooled` (one fit each, pooled placebo test).
"""

from .api import SyntheticControlResult, fit_panel, nearest_donors, synthetic_control
from .conformal import ConformalResult, conformal_inference
from .data import MIN_PRE_PERIODS, Predictor, SynthPanel, prepare_panel
from .fit import METHODS, Method, WeightFit, fit_weights
from .inference import (
    PLACEBO_SEARCH,
    PlaceboResult,
    PlaceboSearch,
    leave_one_out,
    path_stats,
    placebo_in_space,
    placebo_in_time,
)
from .pooled import PooledResult, synthetic_control_pooled
from .simulate import simulate_factor_panel
from .solver import search_v, simplex_weights

__all__ = [
    "ConformalResult",
    "PLACEBO_SEARCH",
    "PlaceboSearch",
    "conformal_inference",
    "MIN_PRE_PERIODS",
    "METHODS",
    "Method",
    "PlaceboResult",
    "PooledResult",
    "Predictor",
    "SynthPanel",
    "SyntheticControlResult",
    "WeightFit",
    "fit_panel",
    "fit_weights",
    "leave_one_out",
    "nearest_donors",
    "path_stats",
    "placebo_in_space",
    "placebo_in_time",
    "prepare_panel",
    "search_v",
    "simplex_weights",
    "simulate_factor_panel",
    "synthetic_control",
    "synthetic_control_pooled",
]
