"""Coverage of the segregation intervals (issue 14): does the 95 % interval hold the truth?

SIMULATED data only. A superpopulation model: fixed area sizes ``t_i`` (Dirichlet shares of
the total) and fixed focal-group probabilities ``p_i`` (Beta); every replication draws the
persons of each area anew, ``x_i ~ Binomial(t_i, p_i)``. The *true* index is the index of
the expected table ``(t_i p_i, t_i (1 - p_i))`` - the segregation of the process that
allocates people, which the small-unit bias correction aims at (Allen et al. 2015).

For D, H and M and each scenario it prints the share of replications whose interval
contains the true index, for

* ``policy``: the default interval (``bootstrap_ci(method="debiased")``, for the
  bias-corrected estimate: the project's interval policy, ``interval.py``);
* ``around plain``: ``method="percentile"`` (replicate spread placed around the plain
  estimate, ``interval_for="statistic"``);
* ``raw quantiles``: the replicate quantiles themselves (what the report printed before).

with the Monte Carlo standard error ``sqrt(c (1 - c) / n)``, the mean bias of the plain and
of the corrected estimate, and the mean interval width.

Usage: ``python -m benchmarks interval_coverage [--quick]``. Full: Borås-like 47 and 77
areas with 110,000 persons (a segregated and a nearly even scenario), 400 replications,
and a national-size table (6,000 areas, 10.5 M persons, DeSO-like), 100 replications; 199
bootstrap replicates each. ``--quick``: 60 / 20 replications.
"""

from __future__ import annotations

import os
import time
import warnings

import numpy as np

from grannskap.measures import segregation as seg
from grannskap.measures.segregation.indices import batch_index
from grannskap.measures.segregation.interval import policy_interval

INDICES = ("dissimilarity", "theil_h", "mutual_information")


def _scenario(n: int, N: int, a: float, b: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = rng.multinomial(N, rng.dirichlet(np.full(n, 5.0)))
    p = np.clip(rng.beta(a, b, n), 0.005, 0.995)
    return t, p


def run(name: str, n: int, N: int, a: float, b: float, n_rep: int, n_boot: int) -> None:
    t, p = _scenario(n, N, a, b, seed=n)
    truth_table = np.column_stack([t * p, t * (1 - p)])
    rng = np.random.default_rng(12345 + n)
    hits = {k: {m: 0 for m in ("policy", "plain", "raw")} for k in INDICES}
    width = {k: 0.0 for k in INDICES}
    bias_plain = {k: 0.0 for k in INDICES}
    bias_bc = {k: 0.0 for k in INDICES}
    truth = {k: float(batch_index(k, truth_table)) for k in INDICES}
    t0 = time.perf_counter()
    for _ in range(n_rep):
        x = rng.binomial(t, p)
        c = np.column_stack([x, t - x])
        for k in INDICES:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                r = seg.bootstrap_ci(c, k, n_boot=n_boot, seed=rng, keep_replicates=True)
            assert r.replicates is not None and r.ci_low is not None and r.ci_high is not None
            tv = truth[k]
            hits[k]["policy"] += r.ci_low <= tv <= r.ci_high
            around = policy_interval(r.statistic, r.replicates, 0.95, "percentile")
            hits[k]["plain"] += float(around.low) <= tv <= float(around.high)
            lo, hi = np.quantile(r.replicates, [0.025, 0.975])
            hits[k]["raw"] += lo <= tv <= hi
            width[k] += r.ci_high - r.ci_low
            bias_plain[k] += r.statistic - tv
            bias_bc[k] += float(r.bias_corrected or 0.0) - tv
    sec = time.perf_counter() - t0
    print(
        f"\n[{name}] {n:,} areas, {int(t.sum()):,} persons, {n_rep} replications x {n_boot} "
        f"bootstrap replicates, {sec:.0f} s; load {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    for k in INDICES:
        cov = {m: v / n_rep for m, v in hits[k].items()}
        se = {m: np.sqrt(v * (1 - v) / n_rep) for m, v in cov.items()}
        print(
            f"  {k:<20} true {truth[k]:.4f}  coverage policy {cov['policy']:.3f} "
            f"(±{se['policy']:.3f})  around plain {cov['plain']:.3f}  raw quantiles "
            f"{cov['raw']:.3f}  | bias plain {bias_plain[k] / n_rep:+.5f} corrected "
            f"{bias_bc[k] / n_rep:+.5f}  width {width[k] / n_rep:.5f}",
            flush=True,
        )


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    small, big = (60, 20) if quick else (400, 100)
    only = [a[len("--only=") :] for a in argv if a.startswith("--only=")]
    scenarios = [
        ("Borås-like, segregated", 47, 110_000, 1.2, 4.0, small),
        ("Borås-like, segregated", 77, 110_000, 1.2, 4.0, small),
        ("Borås-like, nearly even", 77, 110_000, 40.0, 120.0, small),
        ("national, DeSO-like", 6_000, 10_500_000, 1.2, 4.0, big),
    ]
    for name, n, N, a, b, reps in scenarios:
        if only and str(n) not in only:
            continue
        run(name, n, N, a, b, reps, 199)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
