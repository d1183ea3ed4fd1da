"""Benchmark: segregation inference and spatial indices, PySAL ``segregation`` vs grannskap.

Both run in this process on the same SIMULATED Sweden-like areas
(``grannskap.measures.segregation.synthetic.synthetic_sweden``: clustered towns, rural
spread, EPSG:3006 coordinates, two groups). Nothing here is real data.

1. Inference: 1,000 random allocations of D on 50,000 areas under PySAL's default
   ``systematic`` null (``SingleValueTest``). PySAL is timed on a few iterations and
   extrapolated linearly to 1,000 (after a warm-up run that starts its worker pool); ours
   runs all 1,000 (2 threads; PySAL uses all cores through joblib), also
   under the exact fixed-margin ``permutation`` null.
2. Spatial: spatial dissimilarity (2 km triangular kernel) and a 4-distance multiscalar
   profile of D (0.5, 1, 2, 4 km). Ours on 50,000 areas with its peak traced memory;
   PySAL builds dense n x n distance matrices and exceeds memory at 50,000 areas, so it runs
   on 5,000 areas, where ours runs too (values compared) for the like-for-like ratio.

Usage: ``python -m benchmarks segregation [--quick]`` (``--quick``: 5,000 / 1,500 areas).
"""

from __future__ import annotations

import os
import resource
import time
import tracemalloc
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from grannskap.measures import segregation as seg
from grannskap.measures.segregation.synthetic import synthetic_sweden

DISTANCES = [500.0, 1000.0, 2000.0, 4000.0]


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    c0 = time.process_time()
    out = fn()
    global _LAST_CPU
    _LAST_CPU = time.process_time() - c0
    return out, time.perf_counter() - t0


_LAST_CPU = 0.0  # CPU seconds of this process (all threads) in the last _timed call


def _peak_mib(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def _load() -> str:
    try:
        one, five, fifteen = os.getloadavg()
        return f"load average {one:.1f} {five:.1f} {fifteen:.1f}"
    except OSError:
        return "load average n/a"


def _gdf(df: pd.DataFrame):
    import geopandas as gpd

    return gpd.GeoDataFrame(
        df.reset_index(drop=True), geometry=gpd.points_from_xy(df.x, df.y), crs=3006
    )


def bench_inference(n_areas: int, n_sim: int, pysal_iters: int) -> None:
    df = synthetic_sweden(n_areas, seed=1)
    counts = df[["foreign", "swedish"]]
    print(f"\n[inference] {n_areas:,} SIMULATED areas, {int(df.total.sum()):,} persons; {_load()}")
    obs = seg.dissimilarity(counts).statistic
    res = {}
    for null in ("systematic", "permutation"):
        r, sec = _timed(
            lambda null=null: seg.permutation_test(
                counts, "dissimilarity", null=null, n_sim=n_sim, seed=1, n_jobs=2
            )
        )
        res[null] = sec
        print(
            f"  grannskap  {null:<12} {n_sim} sims: {sec:7.2f} s (CPU {_LAST_CPU:.2f} s)  D={obs:.4f} "
            f"E[D|null]={r.expected:.4f} sd={r.null_sd:.5f} p={r.p_value:.4f}"
        )
    from segregation.inference import SingleValueTest
    from segregation.singlegroup import Dissim

    pdf = pd.DataFrame(df[["foreign", "total"]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        d = Dissim(pdf, "foreign", "total")
        # warm up joblib's worker pool so that process start-up is not extrapolated
        SingleValueTest(d, iterations_under_null=2, null_approach="systematic", two_tailed=False)
        svt, sec = _timed(
            lambda: SingleValueTest(
                d, iterations_under_null=pysal_iters, null_approach="systematic", two_tailed=False
            )
        )
    per_iter = sec / pysal_iters
    extrap = per_iter * n_sim
    print(
        f"  PySAL      systematic   {pysal_iters} sims: {sec:7.2f} s  ({per_iter:.3f} s/iteration, "
        f"E[D|null]={np.mean(svt.est_sim):.4f}) -> {n_sim} sims extrapolated: {extrap:7.1f} s"
    )
    print(
        f"  ratio (PySAL extrapolated / grannskap, same systematic null): {extrap / res['systematic']:.0f}x"
    )


def bench_spatial(n_big: int, n_small: int) -> None:
    df = synthetic_sweden(n_big, seed=2)
    counts = df[["foreign", "swedish"]]
    xy = df[["x", "y"]].to_numpy()
    print(f"\n[spatial] {n_big:,} SIMULATED areas; {_load()}")

    def ours() -> tuple[float, np.ndarray]:
        sd = seg.spatial_dissimilarity(counts, xy, 2000.0).statistic
        prof = seg.multiscalar_profile(counts, xy, DISTANCES, index="dissimilarity").values
        return sd, prof

    (sd, prof), sec = _timed(ours)
    peak = _peak_mib(ours)
    print(
        f"  grannskap spatial D (2 km) + profile {DISTANCES}: {sec:6.2f} s (CPU {_LAST_CPU:.2f} s), "
        f"peak traced memory {peak:,.0f} MiB"
    )
    print(f"    spatial D = {sd:.4f}; profile = {np.round(prof, 4).tolist()}")

    small = df.sample(n=n_small, random_state=0) if n_small < n_big else df
    c_s = small[["foreign", "swedish"]]
    xy_s = small[["x", "y"]].to_numpy()
    (sd_s, prof_s), sec_o = _timed(
        lambda: (
            seg.spatial_dissimilarity(c_s, xy_s, 2000.0).statistic,
            seg.multiscalar_profile(c_s, xy_s, DISTANCES, index="dissimilarity").values,
        )
    )
    from segregation.dynamics import compute_multiscalar_profile
    from segregation.singlegroup import Dissim

    gdf = _gdf(small)

    def pysal() -> tuple[float, np.ndarray]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sdp = Dissim(gdf, "foreign", "total", distance=2000.0).statistic
            pp = compute_multiscalar_profile(
                gdf, Dissim, group_pop_var="foreign", total_pop_var="total", distances=DISTANCES
            ).to_numpy()
        return sdp, pp

    (sd_p, prof_p), sec_p = _timed(pysal)
    peak_p = _peak_mib(pysal)
    peak_o = _peak_mib(
        lambda: (
            seg.spatial_dissimilarity(c_s, xy_s, 2000.0),
            seg.multiscalar_profile(c_s, xy_s, DISTANCES, index="dissimilarity"),
        )
    )
    same = np.allclose(np.r_[sd_s, prof_s], np.r_[sd_p, prof_p], rtol=1e-9)
    print(f"  on {len(small):,} areas (PySAL's dense matrices need ~8*n^2 bytes each):")
    print(f"    PySAL     {sec_p:7.2f} s, peak traced memory {peak_p:,.0f} MiB")
    print(
        f"    grannskap {sec_o:7.2f} s, peak traced memory {peak_o:,.0f} MiB  -> ratio {sec_p / sec_o:.0f}x"
    )
    print(f"    identical values (rtol 1e-9): {same}; PySAL profile {np.round(prof_p, 4).tolist()}")
    print(
        f"    PySAL at {n_big:,} areas: not run (dense {n_big:,}^2 float64 matrices = {8 * n_big**2 / 2**30:.0f} GiB each)"
    )


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    if quick:
        bench_inference(5_000, 1_000, 3)
        bench_spatial(5_000, 1_500)
    else:
        bench_inference(50_000, 1_000, 10)
        bench_spatial(50_000, 5_000)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nprocess peak RSS (all of the above, incl. PySAL): {rss:,.0f} MiB")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
