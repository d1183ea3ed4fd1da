"""A Markov chain of area states (områdestyper, police categories) with Bayesian uncertainty.

Model: an area's state in year ``t + step`` depends only on its state in year ``t``, through a
transition matrix ``P`` shared by all areas (a homogeneous first-order Markov chain; e.g.
Anderson & Goodman 1957, "Statistical inference about Markov chains", *Ann. Math. Stat.*
28:89–110, for the count-based estimator). Each row of ``P`` gets a Dirichlet prior; with
transition counts ``n_ij`` the posterior of row ``i`` is ``Dirichlet(alpha_ij + n_ij)``
(conjugacy). Projections draw ``P`` from that posterior, so the intervals carry the
uncertainty of the estimated transitions, which is what dominates when histories are short.

The ``"adjacent"`` prior (default) puts ``prior_strength`` on staying and on moving one state,
and 1 % of it on longer jumps: types rarely jump two steps in one year. It is an assumption,
stated with every projection; with thin data it, not the data, shapes the result.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd

from grannskap.errors import ConfigError, EstimationError

__all__ = [
    "MarkovModel",
    "Projection",
    "GoalProbability",
    "prior_matrix",
    "count_transitions",
    "fit_markov",
    "project",
    "goal_probability",
    "simulate_histories",
    "simulate_paths",
]

PriorKind = Literal["adjacent", "uniform", "pooled"]


@dataclass(frozen=True)
class MarkovModel:
    """Transition counts, prior and posterior of a Markov chain over ``states``.

    ``step`` is the number of years one transition spans (1 for yearly types, 2 for the
    police lists).
    """

    states: tuple[Hashable, ...]
    counts: np.ndarray
    prior: np.ndarray
    step: int
    n_pairs: int
    years: tuple[int, ...]

    @property
    def posterior(self) -> np.ndarray:
        return self.counts + self.prior

    @property
    def mean(self) -> np.ndarray:
        """Posterior mean of ``P`` (rows sum to one)."""
        a = self.posterior
        return a / a.sum(axis=1, keepdims=True)

    @property
    def mle(self) -> np.ndarray:
        """Maximum-likelihood ``P`` (row shares of the counts; NaN rows without data)."""
        n = self.counts.sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(n > 0, self.counts / n, np.nan)

    def draws(self, n: int, seed: int | None = 0) -> np.ndarray:
        """``n`` posterior draws of ``P`` (shape ``n x k x k``) from the row Dirichlets."""
        rng = np.random.default_rng(seed)
        a = self.posterior
        g = rng.standard_gamma(np.broadcast_to(a, (n, *a.shape)))
        return g / g.sum(axis=2, keepdims=True)

    def frame(self, which: Literal["counts", "mean", "mle"] = "mean") -> pd.DataFrame:
        m = {"counts": self.counts, "mean": self.mean, "mle": self.mle}[which]
        out = pd.DataFrame(m, index=list(self.states), columns=list(self.states))
        out.index.name, out.columns.name = "from", "to"
        return out


@dataclass(frozen=True)
class Projection:
    """Probability of each state at ``target_year`` per area, with equal-tailed intervals.

    ``probs``, ``low``, ``high``: frames area x state. ``draws_by_start``: the ``n_steps``-step
    transition matrices of every posterior draw (``n_draws x k x k``), from which goal
    probabilities are computed.
    """

    states: tuple[Hashable, ...]
    from_year: int
    target_year: int
    n_steps: int
    probs: pd.DataFrame
    low: pd.DataFrame
    high: pd.DataFrame
    start: pd.Series
    draws_by_start: np.ndarray = field(repr=False)
    level: float = 0.9
    stratum: pd.Series | None = None
    strata: tuple[Hashable, ...] = ()

    def bad_draws(self, areas: Sequence[str] | None, bad: Sequence[int]) -> np.ndarray:
        """Per draw and area, the probability of being in the state indices ``bad``."""
        start = self.start if areas is None else self.start.loc[list(areas)]
        code = {s: i for i, s in enumerate(self.states)}
        idx = start.map(code).to_numpy(dtype=int)
        if self.draws_by_start.ndim == 4:
            if self.stratum is None:
                raise EstimationError("a stratified projection needs the areas' strata")
            sidx = {s: i for i, s in enumerate(self.strata)}
            st = self.stratum.loc[start.index].map(sidx).to_numpy(dtype=int)
            return self.draws_by_start[:, st, idx, :][:, :, list(bad)].sum(axis=2)
        return self.draws_by_start[:, idx, :][:, :, list(bad)].sum(axis=2)


@dataclass(frozen=True)
class GoalProbability:
    """Probability that at most ``max_count`` of the areas are in ``bad_states``."""

    mean: float
    low: float
    high: float
    level: float
    n_areas: int
    draws: np.ndarray = field(repr=False)


def prior_matrix(
    k: int,
    kind: PriorKind | float = "adjacent",
    strength: float = 0.5,
    counts: np.ndarray | None = None,
) -> np.ndarray:
    """Dirichlet prior parameters, one row per origin state.

    ``"adjacent"``: ``strength`` on the diagonal and next to it, ``strength / 100`` elsewhere;
    ``"uniform"``: ``strength`` everywhere (Jeffreys for ``0.5``); a number: that everywhere;
    ``"pooled"`` (empirical Bayes, needs ``counts``): every row centred on the stability seen
    over *all* rows — share ``s = trace / total`` on the diagonal, ``1 − s`` split over the
    adjacent states, a weight of 0.01 on each longer jump, normalised — with total mass
    ``4 x strength`` per row.
    Rows with few observations then borrow the overall stability instead of the prior's.
    """
    if not strength > 0:
        raise ConfigError(f"`prior_strength` must be > 0; got {strength!r}")
    if isinstance(kind, int | float):
        return np.full((k, k), float(kind))
    if kind == "uniform":
        return np.full((k, k), strength)
    i, j = np.indices((k, k))
    if kind == "adjacent":
        return np.where(np.abs(i - j) <= 1, strength, strength / 100.0)
    if kind == "pooled":
        if counts is None or counts.sum() <= 0:
            raise ConfigError("the 'pooled' prior needs transition counts")
        stay = float(np.trace(counts) / counts.sum())
        stay = min(max(stay, 0.01), 0.99)
        adjacent = np.abs(i - j) == 1
        n_adj = adjacent.sum(axis=1, keepdims=True)
        t = np.where(i == j, stay, 0.0) + np.where(adjacent, (1 - stay) / np.maximum(n_adj, 1), 0.0)
        t = t + np.where(~adjacent & (i != j), 0.01, 0.0)  # longer jumps: rare, not impossible
        t = t / t.sum(axis=1, keepdims=True)
        return 4.0 * strength * t
    raise ConfigError(
        f"`prior` was {kind!r} but is expected to be one of ['adjacent', 'uniform', 'pooled'] "
        "or a number"
    )


def _wide(histories: pd.DataFrame) -> pd.DataFrame:
    need = {"area_code", "year", "state"}
    if not need <= set(histories.columns):
        raise EstimationError(
            f"histories need columns {sorted(need)}; got {list(histories.columns)}"
        )
    dup = histories.duplicated(["area_code", "year"])
    if dup.any():
        first = histories.loc[dup, ["area_code", "year"]].iloc[0].tolist()
        raise EstimationError(f"histories have more than one state for area/year {first}")
    return histories.pivot(index="area_code", columns="year", values="state")


def count_transitions(
    histories: pd.DataFrame,
    states: Sequence[Hashable],
    *,
    step: int = 1,
    until: int | None = None,
    exclude_from: Sequence[Hashable] = (),
) -> tuple[np.ndarray, int, tuple[int, ...]]:
    """Counts ``n_ij`` of areas in state ``i`` at ``t`` and ``j`` at ``t + step``.

    ``histories``: long frame ``area_code, year, state``; gaps are allowed (a pair is used only
    when both ends are observed). ``until``: only pairs ending in or before that year.
    ``exclude_from``: origin states whose transitions are not counted (their rows are then the
    prior alone), e.g. "not on the police list", where the areas we can see are not a sample.
    Returns the counts, the number of pairs and the start years used.
    """
    wide = _wide(histories)
    code = {s: i for i, s in enumerate(states)}
    bad = sorted({str(s) for s in pd.unique(histories["state"].dropna()) if s not in code})
    if bad:
        raise EstimationError(f"states {bad} are not among the model's states {list(states)}")
    k = len(states)
    counts = np.zeros((k, k))
    used: list[int] = []
    years = sorted(int(y) for y in wide.columns)
    for y in years:
        y2 = y + step
        if y2 not in wide.columns or (until is not None and y2 > until):
            continue
        a, b = wide[y], wide[y2]
        ok = a.notna() & b.notna() & ~a.isin(list(exclude_from))
        if not ok.any():
            continue
        i = a[ok].map(code).to_numpy(dtype=int)
        j = b[ok].map(code).to_numpy(dtype=int)
        np.add.at(counts, (i, j), 1.0)
        used.append(y)
    return counts, int(counts.sum()), tuple(used)


def fit_markov(
    histories: pd.DataFrame,
    states: Sequence[Hashable],
    *,
    step: int = 1,
    prior: PriorKind | float = "adjacent",
    prior_strength: float = 0.5,
    until: int | None = None,
    exclude_from: Sequence[Hashable] = (),
) -> MarkovModel:
    """Estimate the transition matrix from area histories (see the module docstring).

    Raises :class:`EstimationError` when the histories contain no transition at all.
    """
    counts, n, years = count_transitions(
        histories, states, step=step, until=until, exclude_from=exclude_from
    )
    if n == 0:
        raise EstimationError(
            f"no area is observed in two years {step} year(s) apart"
            + (f" up to {until}" if until is not None else "")
            + "; a transition model cannot be estimated"
        )
    return MarkovModel(
        states=tuple(states),
        counts=counts,
        prior=prior_matrix(len(states), prior, prior_strength, counts=counts),
        step=step,
        n_pairs=n,
        years=years,
    )


def _matrix_powers(p: np.ndarray, n: int) -> np.ndarray:
    out = np.broadcast_to(np.eye(p.shape[-1]), p.shape).copy()
    base = p.copy()
    while n:
        if n & 1:
            out = out @ base
        base = base @ base
        n >>= 1
    return out


def project(
    model: MarkovModel,
    current: pd.Series,
    from_year: int,
    target_year: int,
    *,
    n_draws: int = 1000,
    level: float = 0.9,
    seed: int | None = 0,
) -> Projection:
    """State probabilities at ``target_year`` for the areas in ``current`` (area -> state).

    The number of steps is ``ceil((target_year - from_year) / step)``; each posterior draw of
    ``P`` is raised to that power; the mean over draws is the projection and the
    ``(1 ± level) / 2`` quantiles its interval.
    """
    if target_year < from_year:
        raise ConfigError(
            f"`target_year` {target_year} is before the last observed year {from_year}"
        )
    code = {s: i for i, s in enumerate(model.states)}
    unknown = sorted({str(s) for s in current.unique() if s not in code})
    if unknown:
        raise EstimationError(
            f"current states {unknown} are not among the model's states {list(model.states)}"
        )
    n_steps = -(-(target_year - from_year) // model.step)
    powers = _matrix_powers(model.draws(n_draws, seed), n_steps)  # n x k x k
    start = current.map(code).to_numpy(dtype=int)
    cols = list(model.states)
    q = (1 - level) / 2
    # an area's distribution depends only on its start state: summarise per start state
    mean, lo, hi = (
        powers.mean(axis=0),
        np.quantile(powers, q, axis=0),
        np.quantile(powers, 1 - q, axis=0),
    )
    mk = lambda a: pd.DataFrame(a[start], index=current.index, columns=cols)  # noqa: E731
    return Projection(
        states=model.states,
        from_year=from_year,
        target_year=target_year,
        n_steps=n_steps,
        probs=mk(mean),
        low=mk(lo),
        high=mk(hi),
        start=current,
        draws_by_start=powers,
        level=level,
    )


def goal_probability(
    projection: Projection,
    bad_states: Sequence[Hashable],
    *,
    areas: Sequence[str] | None = None,
    max_count: int = 0,
) -> GoalProbability:
    """Probability that at most ``max_count`` of ``areas`` are in ``bad_states`` at the target.

    Given ``P``, areas move independently, so the count in bad states is Poisson-binomial;
    its distribution is computed exactly per posterior draw (dynamic programming), and the
    mean and quantiles over draws give the probability and its interval.
    """
    code = {s: i for i, s in enumerate(projection.states)}
    bad = [code[s] for s in bad_states if s in code]
    if len(bad) != len(bad_states):
        raise ConfigError(f"bad states {list(bad_states)} must be among {list(projection.states)}")
    p_bad = projection.bad_draws(areas, bad)  # n x areas
    n = p_bad.shape[0]
    dist = np.zeros((n, max_count + 2))
    dist[:, 0] = 1.0
    for a in range(p_bad.shape[1]):
        p = p_bad[:, a : a + 1]
        shifted = np.concatenate([np.zeros((n, 1)), dist[:, :-1]], axis=1)
        over = dist[:, -1:] * p  # mass that stays above max_count
        dist = dist * (1 - p) + shifted * p
        dist[:, -1:] += over
    met = dist[:, : max_count + 1].sum(axis=1)
    q = (1 - projection.level) / 2
    return GoalProbability(
        mean=float(met.mean()),
        low=float(np.quantile(met, q)),
        high=float(np.quantile(met, 1 - q)),
        level=projection.level,
        n_areas=p_bad.shape[1],
        draws=met,
    )


def simulate_histories(
    p: np.ndarray,
    n_areas: int,
    years: Sequence[int],
    *,
    initial: np.ndarray | None = None,
    states: Sequence[Hashable] | None = None,
    seed: int | None = 0,
) -> pd.DataFrame:
    """SIMULATED area histories from a known transition matrix ``p`` (for tests/benchmarks).

    The frame has ``area_code, year, state`` and ``simulated = True`` on every row (and
    ``attrs["simulated"] = True``): it must never be shown as real data.
    """
    p = np.asarray(p, dtype=float)
    k = p.shape[0]
    if p.shape != (k, k) or not np.allclose(p.sum(axis=1), 1.0) or (p < 0).any():
        raise ConfigError("`p` must be a square matrix of non-negative rows summing to one")
    states = list(range(1, k + 1)) if states is None else list(states)
    rng = np.random.default_rng(seed)
    init = np.full(k, 1.0 / k) if initial is None else np.asarray(initial, dtype=float)
    s = rng.choice(k, size=n_areas, p=init / init.sum())
    cum = np.cumsum(p, axis=1)
    out = []
    for _ in years:
        out.append(s.copy())
        u = rng.random(n_areas)
        s = np.minimum((u[:, None] > cum[s]).sum(axis=1), k - 1)
    codes = np.array([f"SIM{i:05d}" for i in range(n_areas)])
    frame = pd.DataFrame(
        {
            "area_code": np.tile(codes, len(years)),
            "year": np.repeat(np.asarray(years, dtype=int), n_areas),
            "state": np.asarray(states, dtype=object)[np.concatenate(out)],
            "simulated": True,
        }
    )
    frame.attrs["simulated"] = True
    return frame


def simulate_paths(
    model: MarkovModel,
    current: pd.Series,
    n_steps: int,
    *,
    n_draws: int = 1000,
    seed: int | None = 0,
) -> np.ndarray:
    """Monte Carlo paths: for each posterior draw of ``P``, one path per area.

    Returns the state index of every area at the end (``n_draws x areas``). This is the
    simulation counterpart of :func:`project` (same distribution; used to cross-check it and
    for goals that depend on the joint outcome of areas).
    """
    code = {s: i for i, s in enumerate(model.states)}
    rng = np.random.default_rng(seed)
    k = len(model.states)
    cum = np.cumsum(model.draws(n_draws, seed), axis=2)  # n x k x k
    flat = np.ascontiguousarray(cum.reshape(n_draws * k, k)[:, : k - 1])
    start = current.map(code).to_numpy(dtype=np.int64)
    s = np.broadcast_to(start, (n_draws, len(current))).copy()
    row_base = (np.arange(n_draws, dtype=np.int64) * k)[:, None]
    for _ in range(n_steps):
        u = rng.random(s.shape)
        rows = (row_base + s).ravel()
        new = np.zeros(s.size, dtype=np.int64)
        # the new state is the number of cumulative probabilities below u (inverse CDF)
        for j in range(k - 1):
            new += u.ravel() > flat[rows, j]
        s = new.reshape(s.shape)
    return s
