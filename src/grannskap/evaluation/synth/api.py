"""The public entry point: :func:`synthetic_control` and its result object.

Abadie & Gardeazabal (2003, AER 93:113-132); Abadie, Diamond & Hainmueller (2010, JASA
105:493-505; 2015, AJPS 59:495-510); Abadie (2021, JEL 59:391-425) for the checks.
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from grannskap.errors import EstimationError, EstimationWarning

from .conformal import ConformalResult, conformal_inference
from .data import MIN_PRE_PERIODS, Predictor, SynthPanel, prepare_panel
from .fit import Method, WeightFit, check_method, fit_weights
from .inference import (
    PlaceboResult,
    PlaceboSearch,
    check_placebo_search,
    leave_one_out,
    path_stats,
    placebo_in_space,
    placebo_in_time,
)
from .verdict import VerdictInputs, verdict_texts

__all__ = ["SyntheticControlResult", "synthetic_control", "fit_panel", "nearest_donors"]

EXACT_FIT_SHARE = 0.01
"""Pre-RMSPE below this share of the outcome's spread between units counts as an exact fit."""
EXACT_PLACEBO_SHARE = 0.25
"""If at least this share of placebo units fit exactly, the placebo ratios mean nothing."""


@dataclass(frozen=True)
class SyntheticControlResult:
    """Result of one synthetic-control evaluation.

    Attributes
    ----------
    weights : Series
        Donor weights (index: donor units), summing to one (``augmented`` may be negative).
    v : Series or None
        Diagonal of V by predictor (``synth`` only), normalised to sum one.
    predictor_balance : DataFrame
        Treated, synthetic and donor-mean value of each predictor (unscaled).
    treated_path, synthetic_path, gaps : Series
        Outcome of the treated unit, of its synthetic control, and their difference.
    pre_rmspe, post_rmspe, rmspe_ratio : float
    estimate : float
        Mean gap over the post-treatment periods.
    placebos : PlaceboResult or None
        In-space placebo table, p-value and rank (``placebos.search`` says whether the
        placebos had the treated unit's V search or the faster, lighter one).
    conformal : ConformalResult or None
        Per-period conformal intervals of the effect and the permutation test of no effect
        (Chernozhukov, Wüthrich & Zhu 2021).
    in_time : DataFrame or None
        In-time placebo path (its ``attrs`` hold the fake start and RMSPEs).
    leave_one_out : DataFrame or None
    fit_too_good : bool
        The pre-period fit is (near) exact for the treated unit or for many placebos, so the
        RMSPE ratio is not informative.
    verdict_sv, verdict_en : str
    """

    treated: Hashable
    outcome: str
    treatment_start: Hashable
    method: str
    weights: pd.Series
    v: pd.Series | None
    lam: float | None
    predictor_balance: pd.DataFrame
    treated_path: pd.Series
    synthetic_path: pd.Series
    gaps: pd.Series
    pre_rmspe: float
    post_rmspe: float
    rmspe_ratio: float
    estimate: float
    loss_v: float
    placebos: PlaceboResult | None
    conformal: ConformalResult | None
    in_time: pd.DataFrame | None
    leave_one_out: pd.DataFrame | None
    fit_too_good: bool
    simulated: bool
    verdict_sv: str
    verdict_en: str
    notes: tuple[str, ...] = field(default=())

    @property
    def p_value(self) -> float | None:
        return None if self.placebos is None else self.placebos.p_value

    @property
    def rank(self) -> int | None:
        return None if self.placebos is None else self.placebos.rank


def nearest_donors(panel: SynthPanel, size: int) -> list[Hashable]:
    """The ``size`` donors closest to the treated unit in the pre-period outcome (Euclidean).

    A restricted donor pool of similar units reduces interpolation bias and over-fitting when
    there are many donors and few pre-periods (Abadie 2021, sec. 7).
    """
    if size < 1:
        raise EstimationError(f"donor pool size must be at least 1; got {size}")
    Y = panel.outcome[panel.pre_mask]
    d = np.sum((Y[:, panel.donors] - Y[:, [panel.treated]]) ** 2, axis=0)
    order = np.argsort(d, kind="stable")[:size]
    return [panel.units[panel.donors[i]] for i in order]


def _outcome_spread(panel: SynthPanel) -> float:
    """Mean over pre-periods of the outcome's standard deviation across donors (the scale
    against which a pre-period RMSPE is judged; the treated unit is left out so that an
    outlying treated unit does not inflate it)."""
    Y = panel.outcome[np.ix_(panel.pre_mask, panel.donors)]
    if Y.shape[1] < 2:
        return float("nan")
    return float(np.mean(Y.std(axis=1, ddof=1)))


def fit_panel(
    panel: SynthPanel,
    *,
    method: Method = "synth",
    v: np.ndarray | None = None,
    lam: float | None = None,
    search: dict[str, object] | None = None,
) -> tuple[WeightFit, pd.Series, pd.Series, pd.Series]:
    """Fit one panel; returns the weight fit and the treated, synthetic and gap paths."""
    fit = fit_weights(panel, method=method, v=v, lam=lam, search=search)
    st = path_stats(panel, fit.w)
    idx = pd.Index(panel.times, name="period")
    return (
        fit,
        pd.Series(panel.outcome[:, panel.treated], index=idx, name="treated"),
        pd.Series(st.synthetic, index=idx, name="synthetic"),
        pd.Series(st.gaps, index=idx, name="gap"),
    )


def _default_fake_start(panel: SynthPanel) -> Hashable | None:
    pre_times = panel.times[panel.pre_mask]
    n = len(pre_times)
    back = max(1, n // 3)
    if n - back < MIN_PRE_PERIODS:
        return None
    return pre_times[n - back]


def synthetic_control(
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
    donor_pool_size: int | None = None,
    optimize_periods: Iterable[Hashable] | None = None,
    method: Method = "synth",
    custom_v: Sequence[float] | np.ndarray | None = None,
    lam: float | None = None,
    placebos: bool = True,
    in_time: bool | Hashable = True,
    loo: bool = True,
    search: dict[str, object] | None = None,
    placebo_search: PlaceboSearch = "same",
    conformal: bool = True,
    alpha: float = 0.1,
    n_jobs: int = 1,
) -> SyntheticControlResult:
    """Estimate the effect on one treated unit with the synthetic control method.

    Parameters
    ----------
    frame : DataFrame
        Long panel, one row per unit and period.
    unit, time, outcome : str
        Column names.
    treated, treatment_start :
        The treated unit and its first treated period.
    predictors, predictor_periods, optimize_periods :
        As in :func:`~grannskap.evaluation.synth.data.prepare_panel` (R Synth's
        ``predictors``/``special.predictors``, ``time.predictors.prior`` and
        ``time.optimize.ssr``). Default predictors: the outcome in every pre-period.
    donors : the donor pool (default: every other unit).
    donor_pool_size : keep only this many donors nearest to the treated unit in the
        pre-period outcome (restricted pool).
    method : {"synth", "penalized", "augmented"}
    custom_v : a fixed V diagonal (Synth's ``custom.v``), e.g. from a training period.
    lam : penalty / ridge strength of the two variants (chosen by hold-out when omitted).
    placebos, in_time, loo : which inference to run; ``in_time`` may be the fake start.
    search : options of the V search (used for the treated unit, the placebos, the in-time
        placebo and leave-one-out alike).
    placebo_search : {"same", "fast"}
        ``"same"`` (default) fits every placebo with the treated unit's search, as the rank
        test requires; ``"fast"`` uses a lighter search for quick exploratory runs — placebos
        then fit worse and the p-value is too small; the verdict says so.
    conformal : compute per-period conformal intervals (Chernozhukov, Wüthrich & Zhu 2021).
    alpha : 1 - level of the conformal intervals (0.1: 90 %).
    n_jobs : worker processes for the in-space placebos (results do not depend on it).

    Returns
    -------
    SyntheticControlResult
    """
    check_method(method)
    check_placebo_search(placebo_search)
    panel = prepare_panel(
        frame,
        unit=unit,
        time=time,
        outcome=outcome,
        treated=treated,
        treatment_start=treatment_start,
        predictors=predictors,
        predictor_periods=predictor_periods,
        donors=donors,
        optimize_periods=optimize_periods,
    )
    notes_sv: list[str] = []
    notes_en: list[str] = []
    if donor_pool_size is not None and donor_pool_size < len(panel.donors):
        keep = set(nearest_donors(panel, donor_pool_size))
        idx = [d for d in panel.donors if panel.units[d] in keep]
        panel = panel.as_treated(panel.treated, idx)
        notes_sv.append(
            f"Jämförelsegruppen begränsades till de {donor_pool_size} områden som liknade "
            "det behandlade mest före starten."
        )
        notes_en.append(
            f"The donor pool was restricted to the {donor_pool_size} units most similar to "
            "the treated unit before the start."
        )
    v = None if custom_v is None else np.asarray(custom_v, dtype=float)
    fit, y_tr, y_syn, gaps = fit_panel(panel, method=method, v=v, lam=lam, search=search)
    st = path_stats(panel, fit.w)
    spread = _outcome_spread(panel)
    n_pre = int(panel.pre_mask.sum())

    notes: list[str] = []
    if len(panel.donors) > 2 * n_pre and method == "synth":
        notes.append(
            f"{len(panel.donors)} donors for {n_pre} pre-periods: risk of over-fitting "
            "(Abadie 2021, sec. 7)"
        )
        notes_sv.append(
            f"Många jämförelseområden ({len(panel.donors)}) mot få perioder före starten "
            f"({n_pre}): risk att anpassningen fångar slumpen (Abadie 2021)."
        )
        notes_en.append(
            f"Many comparison units ({len(panel.donors)}) for few pre-periods ({n_pre}): "
            "risk that the fit captures noise (Abadie 2021)."
        )
    pre_y = panel.outcome[panel.pre_mask]
    y_t = pre_y[:, panel.treated]
    y_d = pre_y[:, panel.donors]
    outside = float(np.mean((y_t > y_d.max(axis=1)) | (y_t < y_d.min(axis=1))))
    if outside > 0.5:
        notes.append(f"treated outcome outside the donors' range in {outside:.0%} of pre-periods")
        notes_sv.append(
            f"Antagandet håller inte väl: {treated} ligger utanför jämförelseområdenas spann i "
            f"{100 * outside:.0f} % av perioderna före starten, så ingen viktad blandning av "
            "dem kan efterlikna området."
        )
        notes_en.append(
            f"The assumption is doubtful: {treated} lies outside the comparison units' range in "
            f"{100 * outside:.0f} % of the pre-periods, so no weighted mix of them can "
            "reproduce it."
        )
        warnings.warn(
            f"synthetic control for {treated!r}: the treated outcome lies outside the donors' "
            f"range in {outside:.0%} of the pre-periods (no convex combination can fit it)",
            EstimationWarning,
            stacklevel=2,
        )
    pl: PlaceboResult | None = None
    if placebos and len(panel.donors) >= 2:
        pl = placebo_in_space(
            panel,
            fit,
            method=method,
            v=v,
            search=search,
            placebo_search=placebo_search,
            n_jobs=n_jobs,
        )
    cf: ConformalResult | None = None
    if conformal and len(panel.donors) >= 1:
        cf = conformal_inference(panel, alpha=alpha)
    exact_treated = st.pre_rmspe <= EXACT_FIT_SHARE * spread
    share_exact: float | None = None
    if pl is not None:
        share_exact = float(
            np.mean(pl.table["pre_rmspe"].to_numpy()[1:] <= EXACT_FIT_SHARE * spread)
        )
    too_good = bool(
        exact_treated or (share_exact is not None and share_exact >= EXACT_PLACEBO_SHARE)
    )
    if too_good:
        notes.append("pre-period fit (near) exact: RMSPE ratio not informative")
        warnings.warn(
            f"synthetic control for {treated!r}: the pre-period fit is (near) exact "
            f"(pre-RMSPE {st.pre_rmspe:.3g}, outcome spread {spread:.3g}); the RMSPE ratio "
            "is not informative",
            EstimationWarning,
            stacklevel=2,
        )

    it_frame: pd.DataFrame | None = None
    it_gap: float | None = None
    if in_time is not False:
        fake = _default_fake_start(panel) if in_time is True else in_time
        if fake is not None:
            it_frame = placebo_in_time(panel, fake, method=method, search=search)
            it_gap = float(it_frame["gap"][it_frame.index >= fake].mean())
    loo_frame: pd.DataFrame | None = None
    loo_range: tuple[float, float] | None = None
    if loo and method != "augmented" and len(panel.donors) >= 2:
        loo_frame = leave_one_out(panel, fit, method=method, v=v, search=search)
        if len(loo_frame):
            loo_range = (
                float(loo_frame["mean_post_gap"].min()),
                float(loo_frame["mean_post_gap"].max()),
            )

    estimate = float(np.mean(st.gaps[panel.post_mask]))
    cols = np.concatenate([[panel.treated], panel.donors])
    balance = pd.DataFrame(
        {
            "treated": panel.predictors[:, panel.treated],
            "synthetic": panel.predictors[:, panel.donors] @ fit.w,
            "donor_mean": panel.predictors[:, cols[1:]].mean(axis=1),
        },
        index=pd.Index(panel.predictor_labels, name="predictor"),
    )
    weights = pd.Series(fit.w, index=pd.Index(panel.donor_names, name=unit), name="weight")
    simulated = bool(frame.attrs.get("simulated", False))
    verdict_sv, verdict_en = verdict_texts(
        VerdictInputs(
            treated=treated,
            outcome=outcome,
            treatment_start=treatment_start,
            method=method,
            estimate=estimate,
            pre_rmspe=st.pre_rmspe,
            outcome_spread=spread,
            weights=weights,
            n_donors=len(panel.donors),
            n_pre=n_pre,
            p_value=None if pl is None else pl.p_value,
            rank=None if pl is None else pl.rank,
            n_placebo_units=None if pl is None else pl.n_units,
            placebo_search=None if pl is None else pl.search,
            conformal=cf,
            fit_too_good=too_good,
            share_exact_placebos=share_exact,
            loo_range=loo_range,
            in_time_gap=it_gap,
            simulated=simulated,
            notes_sv=tuple(notes_sv),
            notes_en=tuple(notes_en),
        )
    )
    return SyntheticControlResult(
        treated=treated,
        outcome=outcome,
        treatment_start=treatment_start,
        method=method,
        weights=weights,
        v=None
        if fit.v is None
        else pd.Series(fit.v, index=pd.Index(panel.predictor_labels, name="predictor"), name="v"),
        lam=fit.lam,
        predictor_balance=balance,
        treated_path=y_tr,
        synthetic_path=y_syn,
        gaps=gaps,
        pre_rmspe=st.pre_rmspe,
        post_rmspe=st.post_rmspe,
        rmspe_ratio=st.ratio,
        estimate=estimate,
        loss_v=fit.loss,
        placebos=pl,
        conformal=cf,
        in_time=it_frame,
        leave_one_out=loo_frame,
        fit_too_good=too_good,
        simulated=simulated,
        verdict_sv=verdict_sv,
        verdict_en=verdict_en,
        notes=tuple(notes),
    )
