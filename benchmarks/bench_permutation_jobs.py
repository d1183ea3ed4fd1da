"""Benchmark (issue 17): 1,000 random allocations of D on 50,000 areas, n_jobs = 1 vs 2.

SIMULATED Sweden-like areas (``synthetic_sweden``, 10.5 M simulated persons, two groups).
Runs ``permutation_test(..., null="permutation")`` with ``n_jobs=1`` and ``n_jobs=2``
interleaved (A/B/A/B...), ``--runs`` times each, after one warm-up call that loads the
compiled kernel; prints wall and CPU seconds of every run, the median speed-up, the load
average, and checks that both give the identical null distribution. Also the numpy
sampler (numba switched off) for reference, and with ``--pysal`` PySAL's
``SingleValueTest`` (its default ``systematic`` null) for the *full* 1,000 iterations
against ours on the same null, both timed in this process.

Usage: ``python -m benchmarks permutation_jobs [--runs=5] [--pysal] [--quick]``.
"""

from __future__ import annotations

import os
import statistics
import time
import warnings

import numpy as np

from grannskap.measures import segregation as seg
from grannskap.measures.segregation import inference
from grannskap.measures.segregation.synthetic import synthetic_sweden


def _run(counts: object, n_sim: int, n_jobs: int, null: str = "permutation") -> tuple:  # type: ignore[type-arg]
    t0, c0 = time.perf_counter(), time.process_time()
    r = seg.permutation_test(counts, "dissimilarity", null=null, n_sim=n_sim, seed=1, n_jobs=n_jobs)  # type: ignore[arg-type]
    return r, time.perf_counter() - t0, time.process_time() - c0


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    runs = next((int(a.split("=")[1]) for a in argv if a.startswith("--runs=")), 3 if quick else 5)
    n_areas, n_sim = (10_000, 200) if quick else (50_000, 1_000)
    df = synthetic_sweden(n_areas, seed=1)
    counts = df[["foreign", "swedish"]]
    print(f"\n[permutations of D] {n_areas:,} SIMULATED areas, {int(df.total.sum()):,} persons, "
          f"{n_sim} random allocations; load {os.getloadavg()[0]:.1f}")  # fmt: skip
    t0 = time.perf_counter()
    _run(counts, 50, 1)
    print(f"  warm-up (loads the compiled kernel): {time.perf_counter() - t0:.2f} s")
    walls: dict[int, list[float]] = {1: [], 2: []}
    nulls = {}
    for i in range(runs):
        for jobs in (1, 2):
            r, wall, cpu = _run(counts, n_sim, jobs)
            walls[jobs].append(wall)
            nulls[jobs] = r.null_distribution
            print(f"  run {i + 1} n_jobs={jobs}: {wall:6.2f} s wall, {cpu:6.2f} s CPU; "
                  f"load {os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip
    same = np.array_equal(nulls[1], nulls[2])
    m1, m2 = statistics.median(walls[1]), statistics.median(walls[2])
    print(f"  median wall n_jobs=1 {m1:.2f} s (range {min(walls[1]):.2f}-{max(walls[1]):.2f}), "
          f"n_jobs=2 {m2:.2f} s (range {min(walls[2]):.2f}-{max(walls[2]):.2f}); speed-up "
          f"{m1 / m2:.2f}x; identical null distributions: {same}")  # fmt: skip
    inference._USE_NUMBA = False
    try:
        for jobs in (1, 2):
            _, wall, cpu = _run(counts, n_sim, jobs)
            print(f"  numpy sampler n_jobs={jobs}: {wall:6.2f} s wall, {cpu:6.2f} s CPU")
    finally:
        inference._USE_NUMBA = True
    if "--pysal" in argv:
        from segregation.inference import SingleValueTest
        from segregation.singlegroup import Dissim

        _, ours, ours_cpu = _run(counts, n_sim, 2, null="systematic")
        print(f"  grannskap systematic null, {n_sim} sims, n_jobs=2: {ours:.2f} s wall "
              f"({ours_cpu:.2f} s CPU)")  # fmt: skip
        pdf = df[["foreign", "total"]]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            d = Dissim(pdf, "foreign", "total")
            t0 = time.perf_counter()
            SingleValueTest(
                d, iterations_under_null=n_sim, null_approach="systematic", two_tailed=False
            )
            theirs = time.perf_counter() - t0
        print(f"  PySAL SingleValueTest systematic, all {n_sim} iterations: {theirs:.1f} s wall; "
              f"ratio {theirs / ours:.1f}x (same null); load {os.getloadavg()[0]:.1f}")  # fmt: skip
