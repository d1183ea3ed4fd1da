"""Uncertainty and inference for segregation indices, vectorised over replicates.

* :func:`bootstrap_ci` - bootstrap intervals. ``scheme="within_areas"`` resamples the
  persons of every area (a multinomial draw per area with the area's own composition; area
  sizes fixed); ``scheme="table"`` resamples all persons of the table at once (a multinomial
  over all area x group cells, Elbers' R package ``segregation``).
* :func:`bias_corrected` - the bootstrap bias correction of Elbers' package: estimate minus
  (mean of the bootstrap replicates minus the estimate). Segregation indices are biased
  upwards in small areas (Carrington & Troske 1997; Allen et al. 2015); M and H especially.
* :func:`simulate_null`, :func:`permutation_test`, :func:`expected_value` - the index under
  random allocation. ``null="permutation"``: persons randomly re-allocated to areas with
  every area's size and every group's total fixed (multivariate hypergeometric; PySAL's
  ``person_permutation``, Elbers' ``mutual_expected(fixed_margins = TRUE)``);
  ``"evenness"``: every person independently gets the overall group shares (PySAL
  ``evenness``); ``"systematic"``: each group's members placed multinomially over areas in
  proportion to area size (PySAL ``systematic``, the default of its ``SingleValueTest``).
* :func:`compare` - difference of an index between two tables (years or places) with a
  bootstrap interval and a normal-approximation two-sided p-value (``change.index_change``
  adds a permutation test).

Every interval follows one policy (``interval.py``): it is an interval *for the
bias-corrected estimate* (``interval_for="bias_corrected"``) unless ``method="percentile"``
asks for one around the plain estimate; the estimate it is for always lies inside it.

Two-group indices under all three nulls use exact table-inversion samplers (binomial and
Poisson, see ``_sampling``): 1,000 random allocations of D on 50,000 areas take seconds
instead of PySAL's minutes.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
from scipy import stats

from grannskap._literals import validate_literal
from grannskap.errors import EstimationWarning, InputError, Problem

from . import _sampling as smp
from ._validate import CountsLike, as_counts
from .indices import (
    TWO_GROUP_INDICES,
    _check_index,
    _check_two_group,
    batch_index,
)
from .interval import policy_interval
from .results import ComparisonResult, IndexResult, NullResult

__all__ = [
    "NullModel",
    "BootstrapScheme",
    "IntervalMethod",
    "bootstrap_replicates",
    "bootstrap_ci",
    "bias_corrected",
    "simulate_null",
    "permutation_test",
    "expected_value",
    "expected_m_independence",
    "compare",
]

NullModel = Literal["permutation", "evenness", "systematic"]
BootstrapScheme = Literal["within_areas", "table"]
IntervalMethod = Literal["debiased", "percentile"]

_CHUNK_ELEMENTS = 5_000_000


def _chunks(n_rep: int, per_rep: int) -> list[int]:
    size = max(1, _CHUNK_ELEMENTS // max(per_rep, 1))
    full, rest = divmod(n_rep, size)
    return [size] * full + ([rest] if rest else [])


def _check_positive_int(value: int, name: str) -> int:
    if int(value) != value or value < 1:
        raise InputError(
            Problem(name, "must be a positive whole number", value=value, expected=">= 1")
        )
    return int(value)


def _check_level(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise InputError(
            Problem(
                "level",
                "confidence level out of range",
                value=level,
                expected="0 < level < 1, e.g. 0.95",
            )
        )
    return float(level)


def _prepare(counts: CountsLike, index: str, group: int) -> np.ndarray:
    _check_index(index)
    c = as_counts(counts)
    if index in TWO_GROUP_INDICES:
        _check_two_group(c, group)
    return c


def _finite(values: np.ndarray, what: str) -> np.ndarray:
    ok = np.isfinite(values)
    if not ok.all():
        warnings.warn(
            f"{int((~ok).sum())} of {values.size} {what} replicates gave no finite index "
            "(e.g. a resampled table without persons of one group) and were dropped",
            EstimationWarning,
            stacklevel=3,
        )
    return values[ok]


def bootstrap_replicates(
    counts: CountsLike,
    index: str = "dissimilarity",
    *,
    n_boot: int = 1000,
    scheme: BootstrapScheme = "within_areas",
    group: int = 0,
    seed: int | np.random.Generator | None = None,
    **index_kwargs: Any,
) -> np.ndarray:
    """The index on ``n_boot`` bootstrap tables (see the module docstring for the schemes)."""
    validate_literal(scheme, BootstrapScheme, "scheme")
    c = _prepare(counts, index, group)
    n_boot = _check_positive_int(n_boot, "n_boot")
    rng = np.random.default_rng(seed)
    draw: Callable[[np.random.Generator, np.ndarray, int], np.ndarray]
    draw = smp.bootstrap_within_areas if scheme == "within_areas" else smp.bootstrap_table
    out = []
    for r in _chunks(n_boot, c.size):
        tables = draw(rng, c.astype(np.int64), r).astype("float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            out.append(batch_index(index, tables, group=group, **index_kwargs))
    return np.concatenate(out)


def bootstrap_result(
    name: str,
    stat: float,
    counts: np.ndarray,
    reps: np.ndarray,
    level: float,
    method: str,
    label: str,
    replicates: np.ndarray | None = None,
) -> IndexResult:
    """Summarise bootstrap replicates of an index by the interval policy (``interval.py``).

    ``method="debiased"``: interval for the bias-corrected estimate; ``"percentile"``: for
    the plain estimate. Either contains the estimate it is for.
    """
    iv = policy_interval(stat, reps, level, method)  # type: ignore[arg-type]
    lo, hi, bias = float(iv.low), float(iv.high), float(iv.bias)
    return IndexResult(
        name=name,
        statistic=stat,
        n_areas=counts.shape[0],
        n_persons=float(counts.sum()),
        ci_low=float(lo),
        ci_high=float(hi),
        ci_level=level,
        se=float(reps.std(ddof=1)) if reps.size > 1 else float("nan"),
        bias=bias,
        bias_corrected=float(iv.bias_corrected),
        n_replicates=int(reps.size),
        method=label,
        replicates=replicates,
        interval_for=iv.interval_for,
    )


def bootstrap_ci(
    counts: CountsLike,
    index: str = "dissimilarity",
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    scheme: BootstrapScheme = "within_areas",
    method: IntervalMethod = "debiased",
    group: int = 0,
    seed: int | np.random.Generator | None = None,
    keep_replicates: bool = False,
    **index_kwargs: Any,
) -> IndexResult:
    """Index with a bootstrap confidence interval, standard error and bias estimate.

    Parameters
    ----------
    counts
        Areas x groups counts of whole persons.
    index
        Any name of ``INDEX_NAMES`` (two-group indices use column ``group`` as focal group).
    n_boot, level, scheme
        Replicates, confidence level, resampling scheme (``"within_areas"`` or ``"table"``).
    method
        ``"debiased"`` (default): the replicate quantiles shifted down by twice the
        estimated bias, an interval *for the bias-corrected estimate* (``bias_corrected``,
        ``interval_for="bias_corrected"``), which matters for small areas where the index
        is biased upwards. ``"percentile"``: the quantiles shifted down by the bias once,
        an interval for the plain ``statistic`` (its sampling spread, bias ignored). See
        :mod:`~grannskap.measures.segregation.interval` for the policy and its coverage.

    Notes
    -----
    Efron & Tibshirani (1993), ch. 13; Elbers (2023) for the bias correction of M and H.
    """
    validate_literal(method, IntervalMethod, "method")
    level = _check_level(level)
    c = _prepare(counts, index, group)
    stat = float(batch_index(index, c, group=group, **index_kwargs))
    reps = _finite(
        bootstrap_replicates(
            c, index, n_boot=n_boot, scheme=scheme, group=group, seed=seed, **index_kwargs
        ),
        "bootstrap",
    )
    return bootstrap_result(
        index,
        stat,
        c,
        reps,
        level,
        method,
        f"bootstrap {scheme}, {method}",
        replicates=reps if keep_replicates else None,
    )


def bias_corrected(
    counts: CountsLike,
    index: str = "mutual_information",
    *,
    n_boot: int = 100,
    level: float = 0.95,
    scheme: BootstrapScheme = "table",
    seed: int | np.random.Generator | None = None,
    group: int = 0,
) -> IndexResult:
    """Small-unit bias correction by bootstrap, as Elbers' ``mutual_total(se = TRUE)``.

    ``statistic`` of the result is the *corrected* value ``2 * est - mean(boot)``; the raw
    estimate is ``statistic + bias``. Defaults (100 replicates, whole-table resampling)
    follow his package. The interval is the debiased percentile interval.
    """
    res = bootstrap_ci(
        counts,
        index,
        n_boot=n_boot,
        level=level,
        scheme=scheme,
        method="debiased",
        group=group,
        seed=seed,
    )
    return res.with_interval(statistic=res.bias_corrected, method=f"bias-corrected, {res.method}")


def _run_chunks(
    draw: Callable[[np.random.Generator, int], np.ndarray],
    n_rep: int,
    per_rep: int,
    seed: int | np.random.Generator | None,
    n_jobs: int,
) -> np.ndarray:
    """Evaluate ``draw(rng, r)`` over replicate chunks, each with its own child generator.

    Chunk generators are spawned from ``seed`` in chunk order, so results do not depend on
    ``n_jobs``. numpy releases the GIL in the heavy loops, so threads use several cores.
    """
    sizes = _chunks(n_rep, per_rep)
    rngs = np.random.default_rng(seed).spawn(len(sizes))
    if n_jobs > 1 and len(sizes) > 1:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=n_jobs) as pool:
            parts = list(pool.map(draw, rngs, sizes))
    else:
        parts = [draw(g, r) for g, r in zip(rngs, sizes, strict=True)]
    return np.concatenate(parts)


_USE_NUMBA = True  # tests switch the compiled sampler off to check the numpy path
# below this many draws (areas x simulations) numpy is done before numba has loaded its
# compiled kernel (~1-5 s), so small tables (a kommun's DeSO) keep the numpy path
_COMPILED_MIN_DRAWS = 2_000_000


def _compiled_sampler() -> Callable[..., np.ndarray] | None:
    """The numba two-group sampler (``_sampling_numba``) when numba is installed."""
    if not _USE_NUMBA:
        return None
    try:
        from ._sampling_numba import two_group_null
    except ImportError:  # numba is optional (the [fast] extra)
        return None
    return two_group_null


def _run_compiled(
    draw: Callable[[np.random.Generator, int], np.ndarray],
    n_rep: int,
    per_rep: int,
    seed: int | np.random.Generator | None,
    n_jobs: int,
) -> np.ndarray:
    """Chunks in order on this thread; inside each, numba runs ``n_jobs`` threads over the
    replicates (each replicate has its own random stream: same result for any ``n_jobs``)."""
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(n_jobs, numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]
    try:
        return _run_chunks(draw, n_rep, per_rep, seed, 1)
    finally:
        numba.set_num_threads(before)


def simulate_null(
    counts: CountsLike,
    index: str = "dissimilarity",
    *,
    null: NullModel = "permutation",
    n_sim: int = 1000,
    group: int = 0,
    seed: int | np.random.Generator | None = None,
    n_jobs: int = 1,
    **index_kwargs: Any,
) -> np.ndarray:
    """The index on ``n_sim`` tables drawn under random allocation (see module docstring).

    ``n_jobs`` threads share the replicates (results are identical for any ``n_jobs``).
    Two-group indices under the ``permutation`` and ``evenness`` nulls with at least
    ``_COMPILED_MIN_DRAWS`` area draws use the compiled sampler (``_sampling_numba``) when
    numba is installed: exact as the numpy one, one random stream per replicate, so the
    threads scale; its values differ from the numpy path's (other random streams).
    """
    validate_literal(null, NullModel, "null")
    c = _prepare(counts, index, group)
    n_sim = _check_positive_int(n_sim, "n_sim")
    n_jobs = _check_positive_int(n_jobs, "n_jobs")
    ci = c.astype(np.int64)
    t = ci.sum(axis=1)
    tf = t.astype("float64")
    X = int(ci[:, group].sum())
    T = int(t.sum())
    if index in TWO_GROUP_INDICES and null in ("permutation", "evenness"):
        table = smp.BinomialTable(t, X / T)
        kernel = TWO_GROUP_INDICES[index]
        P = X / T
        compiled = _compiled_sampler() if n_sim * c.shape[0] >= _COMPILED_MIN_DRAWS else None
        if compiled is not None:
            fixed = null == "permutation"
            want_d = fixed and index == "dissimilarity"

            def draw_compiled(rng: np.random.Generator, r: int) -> np.ndarray:
                out = compiled(rng, table, t, X, r, fixed=fixed, want_d=want_d)
                if want_d:
                    return out
                with np.errstate(divide="ignore", invalid="ignore"):
                    return kernel(out.astype("float64"), tf, **index_kwargs)

            # D needs no table per replicate: one parallel region for all replicates
            per_rep = 1 if want_d else c.shape[0]
            return _run_compiled(draw_compiled, n_sim, per_rep, seed, n_jobs)

        def draw_two(rng: np.random.Generator, r: int) -> np.ndarray:
            if null == "evenness":
                x = smp.two_group_evenness(rng, t, P, r, table)
            else:
                x = smp.two_group_permutation(rng, t, X, r, table)
                if index == "dissimilarity":
                    # both margins fixed: D = sum |x_i - P t_i| / (2 T P (1 - P)), P constant
                    dev = x.T - (P * tf)[:, None]
                    np.abs(dev, out=dev)
                    return dev.sum(axis=0) / (2.0 * T * P * (1.0 - P))
            with np.errstate(divide="ignore", invalid="ignore"):
                return kernel(x, tf, **index_kwargs)

        return _run_chunks(draw_two, n_sim, c.shape[0], seed, n_jobs)
    if index in TWO_GROUP_INDICES and null == "systematic":
        p = t / T
        tables = (smp.PoissonTable(X * p), smp.PoissonTable((T - X) * p))
        kernel = TWO_GROUP_INDICES[index]

        def draw_sys(rng: np.random.Generator, r: int) -> np.ndarray:
            x, y = smp.two_group_systematic(rng, t, X, T - X, r, tables)
            if index == "dissimilarity":
                # group totals fixed: D = sum_i |x_i / X - y_i / Y| / 2 (same value as the
                # t_i |p_i - P| form, with t_i = x_i + y_i)
                dev = x.T * (1.0 / X)
                dev -= y.T * (1.0 / (T - X))
                np.abs(dev, out=dev)
                return dev.sum(axis=0) / 2.0
            with np.errstate(divide="ignore", invalid="ignore"):
                return kernel(x.astype("float64"), (x + y).astype("float64"), **index_kwargs)

        return _run_chunks(draw_sys, n_sim, c.shape[0], seed, n_jobs)
    totals = ci.sum(axis=0)

    def draw_multi(rng: np.random.Generator, r: int) -> np.ndarray:
        if null == "permutation":
            tables = smp.multigroup_permutation(rng, t, totals, r)
        elif null == "evenness":
            tables = smp.multigroup_evenness(rng, t, totals / totals.sum(), r)
        else:
            tables = smp.systematic(rng, t, totals, r)
        with np.errstate(divide="ignore", invalid="ignore"):
            return batch_index(index, tables.astype("float64"), group=group, **index_kwargs)

    return _run_chunks(draw_multi, n_sim, c.size, seed, n_jobs)


def permutation_test(
    counts: CountsLike,
    index: str = "dissimilarity",
    *,
    null: NullModel = "permutation",
    n_sim: int = 1000,
    group: int = 0,
    seed: int | np.random.Generator | None = None,
    n_jobs: int = 1,
    **index_kwargs: Any,
) -> NullResult:
    """Is the index larger than random allocation would give? One-sided Monte Carlo test.

    ``p = (1 + #{null >= observed}) / (1 + n_sim)`` (Davison & Hinkley 1997, eq. 4.11);
    ``expected`` is the mean under the null, the benchmark for "no segregation beyond
    chance" in small areas.
    """
    c = _prepare(counts, index, group)
    stat = float(batch_index(index, c, group=group, **index_kwargs))
    sims = _finite(
        simulate_null(
            c,
            index,
            null=null,
            n_sim=n_sim,
            group=group,
            seed=seed,
            n_jobs=n_jobs,
            **index_kwargs,
        ),
        "null",
    )
    sd = float(sims.std(ddof=1)) if sims.size > 1 else float("nan")
    mean = float(sims.mean())
    return NullResult(
        name=index,
        statistic=stat,
        expected=mean,
        null_sd=sd,
        p_value=float((1 + (sims >= stat).sum()) / (1 + sims.size)),
        z=(stat - mean) / sd if sd > 0 else float("nan"),
        n_simulations=int(sims.size),
        null=null,
        null_distribution=sims,
    )


def expected_value(
    counts: CountsLike,
    index: str = "dissimilarity",
    *,
    null: NullModel = "permutation",
    n_sim: int = 200,
    group: int = 0,
    seed: int | np.random.Generator | None = None,
) -> float:
    """Mean of the index under random allocation (Elbers' ``mutual_expected``; Winship 1977 for D)."""
    return float(
        np.nanmean(simulate_null(counts, index, null=null, n_sim=n_sim, group=group, seed=seed))
    )


def expected_m_independence(counts: CountsLike) -> float:
    """Large-sample expected M under independence: ``(I - 1)(K - 1) / (2 N)``.

    Under random allocation ``2 N M`` is the likelihood-ratio statistic G of independence,
    asymptotically chi-square with ``(I - 1)(K - 1)`` degrees of freedom (Mora &
    Ruiz-Castillo 2011, sec. 5); I counts populated areas, K groups with persons.
    """
    c = as_counts(counts)
    I_ = int((c.sum(axis=1) > 0).sum())
    K = int((c.sum(axis=0) > 0).sum())
    return (I_ - 1) * (K - 1) / (2.0 * c.sum())


def compare(
    counts1: CountsLike,
    counts2: CountsLike,
    index: str = "dissimilarity",
    *,
    n_boot: int = 1000,
    level: float = 0.95,
    scheme: BootstrapScheme = "within_areas",
    group: int = 0,
    seed: int | np.random.Generator | None = None,
    **index_kwargs: Any,
) -> ComparisonResult:
    """Difference ``index(counts2) - index(counts1)`` with a bootstrap interval and p-value.

    The tables are resampled independently (two years of a register, or two places); they
    need not have the same areas. The interval follows the project's policy
    (``interval.py``): the quantiles of the replicate differences shifted down by twice
    their bias, an interval for ``difference_bias_corrected``; the p-value is the normal
    approximation ``2 (1 - Phi(|diff| / se))``. :func:`~.change.index_change` adds a
    permutation test of no change.
    """
    level = _check_level(level)
    rng = np.random.default_rng(seed)
    c1 = _prepare(counts1, index, group)
    c2 = _prepare(counts2, index, group)
    s1 = float(batch_index(index, c1, group=group, **index_kwargs))
    s2 = float(batch_index(index, c2, group=group, **index_kwargs))
    b1 = bootstrap_replicates(
        c1, index, n_boot=n_boot, scheme=scheme, group=group, seed=rng, **index_kwargs
    )
    b2 = bootstrap_replicates(
        c2, index, n_boot=n_boot, scheme=scheme, group=group, seed=rng, **index_kwargs
    )
    d = _finite(b2 - b1, "bootstrap difference")
    diff = s2 - s1
    iv = policy_interval(diff, d, level)
    se = float(d.std(ddof=1))
    p = float(2.0 * stats.norm.sf(abs(diff) / se)) if se > 0 else float("nan")
    return ComparisonResult(
        name=index,
        statistic_1=s1,
        statistic_2=s2,
        difference=diff,
        ci_low=float(iv.low),
        ci_high=float(iv.high),
        ci_level=level,
        se=se,
        p_value=p,
        n_replicates=int(d.size),
        difference_bias_corrected=float(iv.bias_corrected),
    )
