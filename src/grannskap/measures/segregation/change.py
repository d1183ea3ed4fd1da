"""Change of a segregation index between two years or two places, with uncertainty.

:func:`index_change` gives, for any index of ``INDEX_NAMES``, the two estimates, their
difference ``b - a``, the small-unit bias-corrected difference, a bootstrap interval for
that bias-corrected difference (the project's interval policy, see
:mod:`grannskap.measures.segregation.inference`) and a permutation p-value for "no change".

Two designs, chosen from the inputs unless ``design`` says otherwise:

``"paired"`` (two years of the same areas; the tables have the same areas - the same
    DataFrame index labels in any order, or arrays of the same shape). The permutation test
    pools the persons of both years *within every area* and deals them out again at random
    with each area's size in each year kept: under "no change" the year a person is counted
    in is exchangeable within the area (a multivariate hypergeometric split per area).
``"independent"`` (two places, or two years whose areas differ). The permutation test
    pools the *areas* of both tables and deals them out again at random with the number of
    areas of each table kept: under "no difference" the areas are exchangeable between the
    places. With few areas the test has few distinct permutations; the p-value stays exact
    (Monte Carlo, ``(1 + #{|d*| >= |d|}) / (1 + n_perm)``, Davison & Hinkley 1997, eq. 4.11).

The bootstrap resamples the persons of every area of both tables independently
(``scheme="within_areas"``). For two years of the same persons the tables are positively
correlated, so the interval of a paired change is on the wide (cautious) side.

For M, :func:`decompose_change` splits the change into additions, removals, group
composition, area sizes and structure (Elbers 2023, "A method for studying differences in
segregation across time and space", Sociological Methods & Research 52(1):5-42; his R
package's ``mutual_difference(..., method = "shapley")``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from grannskap._literals import validate_literal
from grannskap.errors import InputError, Problem

from ._validate import CountsLike, as_counts
from .indices import TWO_GROUP_INDICES, _check_index, _check_two_group, batch_index
from .inference import _check_level, _check_positive_int, _chunks, _finite, bootstrap_replicates
from .interval import debiased_interval
from .mutual import mutual_difference
from .results import DifferenceDecomposition

__all__ = ["ChangeDesign", "ChangeResult", "index_change", "decompose_change"]

ChangeDesign = Literal["auto", "paired", "independent"]


@dataclass(frozen=True)
class ChangeResult:
    """Change of one index from table a to table b (``difference = estimate_b - estimate_a``).

    ``ci_low`` / ``ci_high`` is the bootstrap interval at level ``ci`` *for*
    ``difference_bias_corrected`` (named by ``interval_for``; always inside it), the
    difference of the two small-unit bias-corrected estimates. Print that value next to
    the interval (``interval_estimate`` returns it); ``difference`` is the uncorrected one.
    ``p_value`` is the two-sided permutation p-value of "no change" (see the module
    docstring for what is permuted in each ``design``).
    """

    index: str
    estimate_a: float
    estimate_b: float
    difference: float
    ci_low: float
    ci_high: float
    p_value: float
    method: str
    bias_corrected_a: float
    bias_corrected_b: float
    difference_bias_corrected: float
    se: float
    ci: float
    design: str
    n_boot: int
    n_perm: int
    interval_for: str = "difference_bias_corrected"

    @property
    def statistic(self) -> float:
        """The uncorrected difference ``estimate_b - estimate_a``."""
        return self.difference

    @property
    def interval_estimate(self) -> float:
        """The estimate the interval is for (print this one next to ``ci_low``-``ci_high``)."""
        return float(getattr(self, self.interval_for))

    def to_dict(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _align(
    counts_a: CountsLike, counts_b: CountsLike, design: str
) -> tuple[np.ndarray, np.ndarray, str]:
    """Validated arrays and the design; paired tables are put in the same area order."""
    if isinstance(counts_a, pd.DataFrame) and isinstance(counts_b, pd.DataFrame):
        if list(map(str, counts_a.columns)) != list(map(str, counts_b.columns)):
            raise InputError(
                Problem(
                    "counts_b",
                    "the two tables have different groups",
                    value=list(map(str, counts_b.columns)),
                    expected=f"the groups of counts_a: {list(map(str, counts_a.columns))}",
                )
            )
        same_areas = (
            counts_a.index.is_unique
            and len(counts_a.index) == len(counts_b.index)
            and set(counts_a.index) == set(counts_b.index)
        )
        if design == "auto":
            design = "paired" if same_areas else "independent"
        if design == "paired":
            if not same_areas:
                raise InputError(
                    Problem(
                        "counts_b",
                        "a paired change needs the same areas in both tables",
                        value=f"{len(counts_a)} and {len(counts_b)} areas, "
                        f"{len(set(counts_a.index) ^ set(counts_b.index))} in one table only",
                        expected='the same area labels, or design="independent"',
                    )
                )
            counts_b = counts_b.loc[counts_a.index]
    a = as_counts(counts_a, name="counts_a")
    b = as_counts(counts_b, name="counts_b")
    if a.shape[1] != b.shape[1]:
        raise InputError(
            Problem(
                "counts_b",
                "the two tables have a different number of groups",
                value=b.shape[1],
                expected=f"{a.shape[1]} group columns, as counts_a",
            )
        )
    if design == "auto":
        design = "paired" if a.shape == b.shape else "independent"
    if design == "paired" and a.shape != b.shape:
        raise InputError(
            Problem(
                "counts_b",
                "a paired change needs the same areas in both tables",
                value=f"{a.shape[0]} and {b.shape[0]} areas",
                expected='tables of the same shape, or design="independent"',
            )
        )
    return a, b, design


def _split_within_areas(
    rng: np.random.Generator, pool: np.ndarray, size_a: np.ndarray, r: int
) -> tuple[np.ndarray, np.ndarray]:
    """Deal each area's pooled persons (n, K) into a part of size ``size_a`` and the rest.

    Sequential hypergeometric draws per group: exact multivariate hypergeometric, (r, n, K).
    """
    n, K = pool.shape
    a = np.empty((r, n, K), dtype=np.int64)
    m = np.broadcast_to(size_a, (r, n)).astype(np.int64)
    rest = np.broadcast_to(pool.sum(axis=1), (r, n)).astype(np.int64)
    for k in range(K - 1):
        good = np.broadcast_to(pool[:, k], (r, n))
        rest = rest - good
        h = rng.hypergeometric(good, rest, m)
        a[:, :, k] = h
        m = m - h
    a[:, :, K - 1] = m
    return a, pool[None, :, :] - a


def _null_differences(
    a: np.ndarray,
    b: np.ndarray,
    index: str,
    design: str,
    n_perm: int,
    rng: np.random.Generator,
    group: int,
    index_kwargs: dict[str, Any],
) -> np.ndarray:
    out = []
    if design == "paired":
        pool = (a + b).astype(np.int64)
        size_a = a.sum(axis=1).astype(np.int64)
        for r in _chunks(n_perm, 2 * a.size):
            ta, tb = _split_within_areas(rng, pool, size_a, r)
            with np.errstate(divide="ignore", invalid="ignore"):
                ia = batch_index(index, ta.astype("float64"), group=group, **index_kwargs)
                ib = batch_index(index, tb.astype("float64"), group=group, **index_kwargs)
            out.append(ib - ia)
    else:
        both = np.concatenate([a, b])
        n_a = a.shape[0]
        for r in _chunks(n_perm, both.size):
            order = rng.permuted(
                np.broadcast_to(np.arange(both.shape[0]), (r, both.shape[0])), axis=1
            )
            tables = both[order]  # (r, n_a + n_b, K)
            with np.errstate(divide="ignore", invalid="ignore"):
                ia = batch_index(index, tables[:, :n_a], group=group, **index_kwargs)
                ib = batch_index(index, tables[:, n_a:], group=group, **index_kwargs)
            out.append(ib - ia)
    return np.concatenate(out)


def index_change(
    counts_a: CountsLike,
    counts_b: CountsLike,
    index: str,
    *,
    n_boot: int = 999,
    n_perm: int = 999,
    seed: int = 0,
    ci: float = 0.95,
    design: ChangeDesign = "auto",
    group: int = 0,
    **index_kwargs: Any,
) -> ChangeResult:
    """Change of ``index`` from ``counts_a`` to ``counts_b`` with an interval and a p-value.

    Parameters
    ----------
    counts_a, counts_b
        Areas x groups counts of whole persons for the two years (or places), the same
        groups in the same column order.
    index
        Any name of ``INDEX_NAMES``; two-group indices use column ``group`` as focal group.
    n_boot, n_perm
        Bootstrap replicates (interval) and random permutations (p-value); ``n_perm=0``
        skips the test (``p_value`` NaN).
    seed, ci
        Seed of all random draws (same seed, same result) and the interval's level.
    design
        ``"paired"`` (same areas), ``"independent"`` (different areas) or ``"auto"``: paired
        when both tables have the same areas (DataFrame index labels, or array shape).

    Returns
    -------
    ChangeResult
        ``difference`` and ``difference_bias_corrected``; the interval is for the latter
        (debiased bootstrap interval, which always contains it); ``p_value`` two-sided.
    """
    validate_literal(design, ChangeDesign, "design")
    _check_index(index)
    level = _check_level(ci)
    n_boot = _check_positive_int(n_boot, "n_boot")
    if int(n_perm) != n_perm or n_perm < 0:
        raise InputError(
            Problem("n_perm", "must be a whole number >= 0", value=n_perm, expected=">= 0")
        )
    a, b, used = _align(counts_a, counts_b, design)
    if index in TWO_GROUP_INDICES:
        _check_two_group(a, group)
        _check_two_group(b, group)
    rng_a, rng_b, rng_p = np.random.default_rng(seed).spawn(3)
    est_a = float(batch_index(index, a, group=group, **index_kwargs))
    est_b = float(batch_index(index, b, group=group, **index_kwargs))
    diff = est_b - est_a
    reps_a = bootstrap_replicates(a, index, n_boot=n_boot, group=group, seed=rng_a, **index_kwargs)
    reps_b = bootstrap_replicates(b, index, n_boot=n_boot, group=group, seed=rng_b, **index_kwargs)
    ok = np.isfinite(reps_a) & np.isfinite(reps_b)
    _finite(np.where(ok, 0.0, np.nan), "bootstrap difference")
    reps_a, reps_b = reps_a[ok], reps_b[ok]
    bc_a = 2.0 * est_a - float(reps_a.mean())
    bc_b = 2.0 * est_b - float(reps_b.mean())
    d = reps_b - reps_a
    lo, hi, bc_diff = debiased_interval(diff, d, level)
    p = float("nan")
    n_perm_done = 0
    if n_perm:
        null = _finite(
            _null_differences(a, b, index, used, int(n_perm), rng_p, group, index_kwargs),
            "permutation",
        )
        n_perm_done = int(null.size)
        # two-sided, with a relative tolerance so that ties in exact arithmetic count as ties
        tol = 1e-12 * max(abs(diff), 1e-300)
        p = float((1 + (np.abs(null) >= abs(diff) - tol).sum()) / (1 + null.size))
    what = (
        "persons pooled within areas between the two tables"
        if used == "paired"
        else "areas pooled between the two tables"
    )
    method = (
        f"bootstrap (persons resampled within areas, {d.size} replicates), interval for the "
        f"bias-corrected difference (debiased percentile); permutation test of no change "
        f"({what}, {n_perm_done} permutations, two-sided)"
    )
    return ChangeResult(
        index=index,
        estimate_a=est_a,
        estimate_b=est_b,
        difference=diff,
        ci_low=lo,
        ci_high=hi,
        p_value=p,
        method=method,
        bias_corrected_a=bc_a,
        bias_corrected_b=bc_b,
        difference_bias_corrected=bc_diff,
        se=float(d.std(ddof=1)) if d.size > 1 else float("nan"),
        ci=level,
        design=used,
        n_boot=int(d.size),
        n_perm=n_perm_done,
    )


def decompose_change(
    counts_a: CountsLike, counts_b: CountsLike, **kwargs: Any
) -> DifferenceDecomposition:
    """Elbers' (2023) decomposition of the change of M from ``counts_a`` to ``counts_b``.

    ``diff = additions + removals + group_marginal + unit_marginal + structural`` (Shapley
    over iterative proportional fitting); the areas are matched by DataFrame index labels.
    See :func:`grannskap.measures.segregation.mutual.mutual_difference` for the options.
    """
    return mutual_difference(counts_a, counts_b, **kwargs)
