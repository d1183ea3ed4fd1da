"""Effect goals as data, their status per year, and projections to 2030 with uncertainty.

Modules: ``definitions`` (goals YAML), ``status`` (status per goal and year, police-list
histories), ``texts`` (Swedish summary paragraphs), ``markov`` (Dirichlet–multinomial Markov
chain of area states, projection, goal probabilities, simulated histories), ``covariates``
(transition matrices per covariate stratum with partial pooling), ``backtest`` (Brier score and
reliability vs "no change"), ``report`` (everything the report section needs).

For the report / dashboard
--------------------------
``report_data(con, kommun="1490", lang="sv") -> ReportData`` returns plain frames and strings:

``types``            one row per RegSO of the kommun: ``area_code, name, index, V1, V2, V3,
                     mu, sigma, z, omradestyp`` (computed, proxy profile unless SCB's
                     variables exist), ``type_name``, ``official_<year>`` columns (SCB's
                     official types where imported), ``stadsdel`` (focus area or '')
``computed_year``    the year of the computed types
``agreement``        dict: ``rate, n, n_agree, year`` (computed vs official), or None
``disagreements``    frame: ``area_code, name, computed, official, z``
``transitions``      frame (from-type x to-type counts) between the two latest official years
``transition_years`` (from, to) or None
``distances``        distance to the next better/worse type per area (index points, σ,
                     percentage points per component)
``closest``          the 10 areas closest to a threshold, either direction
``goal_status``      one row per goal and year: ``goal_id, goal, year, source, n_areas,
                     n_bad, met``
``goal_summary``     one row per goal: ``goal_id, goal, deadline, latest_year, latest_met,
                     trend, p_met, p_met_low, p_met_high, projection_basis`` and, for type
                     goals, ``p_met_pooled_prior, p_met_uniform_prior`` (prior sensitivity);
                     ``forecast_shown, forecast_note``: the ``p_met*`` columns are blank unless
                     the goal's model beat "no change" in a backtest on real history (the
                     model's values stay in ``p_model, p_model_low, p_model_high``)
``forecast_skill``   per model (``types``, ``police``): True / False / None (not testable)
``projection``       per area: probability of each type in 2030 with 90 % intervals
                     (``p_type1, p_type1_low, p_type1_high, ...``); without skill the
                     ``p_`` columns are dropped (the model's frame is ``projection_model``)
``police_projection`` per police area of the kommun: probability of each police state at the
                     last list before the deadline, with intervals; empty without skill
                     (``police_projection_model``)
``backtest``         real-history backtests: police lists (fit ≤ 2023, predict 2025) and, with
                     three or more years of official types, the area types; Brier model vs
                     no change
``backtest_simulated`` the same check on SIMULATED type histories (labelled; method check only)
``backtest_reliability``, ``backtest_simulated_reliability`` reliability tables (bins of
                     predicted probability: ``bin_low, bin_high, n, mean_predicted, observed``)
``caveats``          list of plain-language caveats (Swedish when ``lang="sv"``)
``method_notes``     technical notes on the model and its backtest (the methods section)
``notes``            notes of the index computation (e.g. rounded percentages)
``texts``            short paragraphs for the section: ``types, agreement, transitions,
                     distance, projection`` (only when a probability is shown) and
                     ``forecast`` (one plain sentence on whether and why a probability is shown)

Projections and goal probabilities: a probability for 2030 is shown only where the model beat
the naive forecast "no change" in a backtest on real history (:mod:`grannskap.goals.skill`);
otherwise the report says in one sentence that there is no basis for a forecast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from grannskap.goals.backtest import Backtest, backtest, brier_score, reliability_table
from grannskap.goals.covariates import (
    StratifiedMarkovModel,
    fit_stratified_markov,
    project_stratified,
)
from grannskap.goals.definitions import Goal, load_goals, parse_goals
from grannskap.goals.markov import (
    GoalProbability,
    MarkovModel,
    Projection,
    fit_markov,
    goal_probability,
    project,
    simulate_histories,
    simulate_paths,
)
from grannskap.goals.status import GoalStatus, goal_status, police_histories

if TYPE_CHECKING:
    from grannskap.goals.report import ReportData

__all__ = [
    "Backtest",
    "backtest",
    "brier_score",
    "reliability_table",
    "StratifiedMarkovModel",
    "fit_stratified_markov",
    "project_stratified",
    "Goal",
    "load_goals",
    "parse_goals",
    "GoalProbability",
    "MarkovModel",
    "Projection",
    "fit_markov",
    "goal_probability",
    "project",
    "simulate_histories",
    "simulate_paths",
    "GoalStatus",
    "goal_status",
    "police_histories",
    "report_data",
]


def report_data(con: Any, kommun: str = "1490", lang: str = "sv", **kwargs: Any) -> ReportData:
    """Everything the report section needs (see the package docstring)."""
    from grannskap.goals.report import report_data as _impl

    return _impl(con, kommun=kommun, lang=lang, **kwargs)
