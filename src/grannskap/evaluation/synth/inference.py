"""Inference for the synthetic control: placebos in space and in time, leave-one-out.

- In-space placebos (Abadie, Diamond & Hainmueller 2010, sec. 4.2; Abadie 2021, JEL 59:391-425,
  sec. 7): every donor in turn is treated as if it had been treated, fitted from the other
  donors (the real treated unit never serves as a donor), and the ratio of post- to
  pre-period RMSPE is compared. The p-value is the share of units whose ratio is at least the
  treated unit's (rank / number of units). The test is exact only if every unit is treated
  alike, so by default each placebo is fitted with the same V search as the treated unit.
- In-time placebos (Abadie, Diamond & Hainmueller 2015, sec. 5): pretend the treatment began
  earlier, using only the real pre-period; a large "effect" then signals a poor design.
- Leave-one-out (ADH 2015): drop each donor with positive weight and refit; the spread of the
  estimates shows how much rests on a single donor.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Hashable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import pandas as pd

from grannskap.errors import ConfigError, EstimationError

from .data import MIN_PRE_PERIODS, Predictor, SynthPanel
from .fit import Method, WeightFit, fit_weights

__all__ = [
    "PathStats",
    "PlaceboResult",
    "path_stats",
    "placebo_in_space",
    "placebo_in_time",
    "leave_one_out",
    "PLACEBO_SEARCH",
    "PLACEBO_SEARCHES",
    "PlaceboSearch",
    "check_placebo_search",
]

PlaceboSearch = Literal["same", "fast"]
PLACEBO_SEARCHES: tuple[str, ...] = ("same", "fast")

PLACEBO_SEARCH: dict[str, object] = {
    "n_random": 0,
    "emphasis_starts": False,
    "screen_iter": 8,
    "n_polish": 1,
    "maxiter": 40,
}
"""The lighter V search of the *fast* placebo mode (``placebo_search="fast"``): starts are
equal weights, the regression-based V and the treated unit's V, with few iterations.

It is NOT conservative. A placebo fitted with a weaker search than the treated unit gets a
larger pre-period RMSPE and so a smaller post/pre ratio, which moves the treated unit up the
ranking and makes the p-value too small: on Proposition 99 (ADH 2010) 15 of the 38 placebos
fit more than 1 % worse than with the full search; on the Basque panel (Abadie & Gardeazabal
2003) the treated rank moves from 8 of 18 (p = 0.444, full search) to 7 (p = 0.389). Use it
only for quick exploratory runs; results say that it was used."""


def check_placebo_search(mode: str) -> PlaceboSearch:
    """Validate the placebo search mode, quoting the allowed ones."""
    if mode not in PLACEBO_SEARCHES:
        raise ConfigError(
            f"placebo search {mode!r} is not known; expected one of {PLACEBO_SEARCHES}"
        )
    return mode  # type: ignore[return-value]


@dataclass(frozen=True)
class PathStats:
    """Synthetic path, gaps and RMSPEs of one fit."""

    synthetic: np.ndarray
    gaps: np.ndarray
    pre_rmspe: float
    post_rmspe: float

    @property
    def ratio(self) -> float:
        if self.pre_rmspe > 0:
            return self.post_rmspe / self.pre_rmspe
        return float("inf") if self.post_rmspe > 0 else float("nan")


def path_stats(panel: SynthPanel, w: np.ndarray) -> PathStats:
    """Synthetic outcome ``Y0 w``, gaps and pre/post RMSPE for the panel's treated unit."""
    synthetic = panel.outcome[:, panel.donors] @ w
    gaps = panel.outcome[:, panel.treated] - synthetic
    pre = float(np.sqrt(np.mean(gaps[panel.pre_mask] ** 2)))
    post = float(np.sqrt(np.mean(gaps[panel.post_mask] ** 2)))
    return PathStats(synthetic=synthetic, gaps=gaps, pre_rmspe=pre, post_rmspe=post)


@dataclass(frozen=True)
class PlaceboResult:
    """In-space placebo inference.

    ``table`` has one row per unit (treated first): ``pre_rmspe``, ``post_rmspe``, ``ratio``,
    ``rank`` (1 = largest ratio) and ``treated``. ``gaps`` holds every unit's gap path
    (periods x units).
    """

    table: pd.DataFrame
    gaps: pd.DataFrame
    p_value: float
    rank: int
    n_units: int
    search: str = "same"
    """``"same"``: every placebo fitted with the treated unit's V search (the default);
    ``"fast"``: the lighter :data:`PLACEBO_SEARCH` (exploratory, p-value too small)."""

    def p_value_excluding(self, mspe_multiple: float) -> float:
        """p-value after dropping placebos whose pre-MSPE exceeds ``mspe_multiple`` times the
        treated unit's (ADH 2010, Figures 5-7 use 20, 5 and 2)."""
        t = self.table
        treated = t.loc[t["treated"]].iloc[0]
        keep = t["pre_rmspe"] ** 2 <= mspe_multiple * treated["pre_rmspe"] ** 2
        kept = t.loc[keep | t["treated"]]
        return float((kept["ratio"] >= treated["ratio"]).sum() / len(kept))


def _placebo_search(
    base: dict[str, object] | None, v: np.ndarray | None, mode: PlaceboSearch
) -> dict[str, object]:
    """The V search options of the placebo fits: the treated unit's own (``"same"``), or the
    lighter fast search seeded with the treated unit's V (``"fast"``)."""
    if mode == "same":
        return dict(base or {})
    search = dict(PLACEBO_SEARCH)
    if base:
        search.update({k: val for k, val in base.items() if k not in PLACEBO_SEARCH})
    if v is not None:
        search["extra_starts"] = (np.asarray(v, dtype=float),)
    return search


def _placebo_chunk(
    job: tuple[list[int], SynthPanel, Method, np.ndarray | None, float | None, dict[str, object]],
) -> list[tuple[int, tuple[np.ndarray, tuple[Hashable, bool, float, float, float]]]]:
    """Fit the placebos of one chunk of units (runs in a worker process when n_jobs > 1)."""
    units, panel, method, v, lam, opts = job
    donors = np.asarray(panel.donors, dtype=int)
    out = []
    for u in units:
        sub = panel.as_treated(u, donors[donors != u])
        fit = fit_weights(sub, method=method, v=v, lam=lam, search=opts)
        st = path_stats(sub, fit.w)
        out.append((u, (st.gaps, (panel.units[u], False, st.pre_rmspe, st.post_rmspe, st.ratio))))
    return out


def placebo_in_space(
    panel: SynthPanel,
    treated_fit: WeightFit,
    *,
    method: Method = "synth",
    v: np.ndarray | None = None,
    search: dict[str, object] | None = None,
    placebo_search: PlaceboSearch = "same",
    n_jobs: int = 1,
) -> PlaceboResult:
    """Refit the design with every donor as the treated unit and rank the RMSPE ratios.

    Parameters
    ----------
    panel : SynthPanel
    treated_fit : WeightFit
        The fit of the real treated unit.
    method : as in :func:`fit_weights`.
    v : ndarray, optional
        A fixed V used for every placebo too (no search).
    search : dict, optional
        The V search options the treated unit was fitted with (:func:`search_v` keywords).
    placebo_search : {"same", "fast"}
        ``"same"`` (default): every placebo gets exactly the treated unit's search, so all
        units are treated alike and the rank test is fair. ``"fast"``: the lighter
        :data:`PLACEBO_SEARCH`, seeded with the treated unit's V; several times faster, but
        placebos then fit worse and the p-value is too small (exploratory use only).
    n_jobs : int
        Worker processes for the placebo fits (``fork`` start method; sequential where it is
        not available). Results do not depend on it.
    """
    units = [panel.treated, *[int(d) for d in panel.donors]]
    if len(units) < 3:
        raise EstimationError(f"in-space placebos need at least 2 donors; got {len(units) - 1}")
    if n_jobs < 1:
        raise EstimationError(f"n_jobs must be at least 1; got {n_jobs}")
    mode = check_placebo_search(placebo_search)
    opts = _placebo_search(search, treated_fit.v, mode)
    gaps = np.empty((len(panel.times), len(units)))
    st = path_stats(panel, treated_fit.w)
    gaps[:, 0] = st.gaps
    rows = [(panel.units[panel.treated], True, st.pre_rmspe, st.post_rmspe, st.ratio)]
    placebo_units = units[1:]
    args = (panel, method, v, treated_fit.lam, opts)
    chunks = [placebo_units[i::n_jobs] for i in range(n_jobs)] if n_jobs > 1 else []
    if len(chunks) > 1 and "fork" in mp.get_all_start_methods():
        with ProcessPoolExecutor(len(chunks), mp_context=mp.get_context("fork")) as pool:
            parts = list(pool.map(_placebo_chunk, [(c, *args) for c in chunks]))
        found = {u: r for part in parts for u, r in part}
    else:
        found = dict(_placebo_chunk((placebo_units, *args)))
    for k, u in enumerate(placebo_units, start=1):
        g, row = found[u]
        gaps[:, k] = g
        rows.append(row)
    table = pd.DataFrame(rows, columns=["unit", "treated", "pre_rmspe", "post_rmspe", "ratio"])
    table["rank"] = table["ratio"].rank(ascending=False, method="max").astype(int)
    treated_ratio = table["ratio"].iloc[0]
    n_ge = int((table["ratio"] >= treated_ratio).sum())
    return PlaceboResult(
        table=table,
        gaps=pd.DataFrame(gaps, index=panel.times, columns=[panel.units[u] for u in units]),
        p_value=n_ge / len(table),
        rank=int(table["rank"].iloc[0]),
        n_units=len(table),
        search=mode,
    )


def placebo_in_time(
    panel: SynthPanel,
    fake_start: Hashable,
    *,
    method: Method = "synth",
    search: dict[str, object] | None = None,
) -> pd.DataFrame:
    """Backdate the treatment to ``fake_start`` using only the real pre-period (ADH 2015).

    Predictors whose periods all fall before ``fake_start`` are kept; if none do, the outcome
    in each period before ``fake_start`` is used. Returns a frame with the treated and
    synthetic path and the gap over the real pre-period, plus the placebo's pre/post RMSPE in
    ``attrs``.
    """
    pre = panel.pre_mask
    times = panel.times[pre]
    if not (fake_start > times.min() and fake_start <= times.max()):
        raise EstimationError(
            f"in-time placebo start {fake_start!r} must fall inside the pre-period "
            f"({times.min()!r}..{times.max()!r})"
        )
    n_before = int(np.sum(times < fake_start))
    if n_before < MIN_PRE_PERIODS:
        raise EstimationError(
            f"in-time placebo at {fake_start!r} leaves {n_before} period(s) before it; "
            f"expected at least {MIN_PRE_PERIODS}"
        )
    keep = [
        i
        for i, p in enumerate(panel.predictor_specs)
        if all(t < fake_start for t in p.periods)  # type: ignore[operator]
    ]
    Y = panel.outcome[pre]
    if keep:
        X = panel.predictors[keep]
        specs = tuple(panel.predictor_specs[i] for i in keep)
    else:
        X = Y[times < fake_start]
        specs = tuple(Predictor(panel.outcome_name, (t,)) for t in times[times < fake_start])
    fake = replace(
        panel,
        times=times,
        outcome=Y,
        predictors=X,
        predictor_specs=specs,
        predictor_labels=tuple(s.label for s in specs),
        treatment_start=fake_start,
        optimize_mask=times < fake_start,
    )
    fit = fit_weights(fake, method=method, search=search)
    st = path_stats(fake, fit.w)
    out = pd.DataFrame(
        {
            "treated": Y[:, panel.treated],
            "synthetic": st.synthetic,
            "gap": st.gaps,
        },
        index=pd.Index(times, name="period"),
    )
    out.attrs.update(
        fake_start=fake_start, pre_rmspe=st.pre_rmspe, post_rmspe=st.post_rmspe, ratio=st.ratio
    )
    return out


def leave_one_out(
    panel: SynthPanel,
    treated_fit: WeightFit,
    *,
    method: Method = "synth",
    v: np.ndarray | None = None,
    search: dict[str, object] | None = None,
    min_weight: float = 1e-3,
) -> pd.DataFrame:
    """Refit without each donor whose weight exceeds ``min_weight`` (ADH 2015, Figure 4).

    Returns one row per dropped donor: its weight in the main fit, the pre-RMSPE of the refit
    and the mean post-period gap (the estimate without that donor).
    """
    donors = np.asarray(panel.donors, dtype=int)
    rows = []
    for pos in np.flatnonzero(treated_fit.w > min_weight):
        if donors.size < 2:
            break
        sub = panel.as_treated(panel.treated, np.delete(donors, pos))
        fit = fit_weights(sub, method=method, v=v, lam=treated_fit.lam, search=search)
        st = path_stats(sub, fit.w)
        rows.append(
            (
                panel.units[donors[pos]],
                float(treated_fit.w[pos]),
                st.pre_rmspe,
                float(np.mean(st.gaps[sub.post_mask])),
            )
        )
    return pd.DataFrame(rows, columns=["dropped", "weight", "pre_rmspe", "mean_post_gap"])
