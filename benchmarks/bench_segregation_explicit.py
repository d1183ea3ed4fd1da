"""Benchmark: PySAL's spatially explicit indices (issue 16), PySAL ``segregation`` vs grannskap.

Data: a SIMULATED rectilinear grid of n polygons in SWEREF 99 TM (random column widths and row
heights, so areas and perimeters differ) with clustered random counts of two groups - not real
data. Each measurement runs in its own child process (``python -c``) that reads the same
pickled polygons and counts, times the index and reports its value and its peak resident
memory (``ru_maxrss``, which includes the ~0.2-0.3 GiB of imported libraries); children of
PySAL that exceed ``--timeout`` seconds are stopped and reported as such.

PySAL builds dense n x n matrices for most of these indices (Queen/rook ``.toarray()``,
``manhattan_distances``, ``generate_distance_matrix``, Floyd-Warshall for SpatialProxProf),
i.e. 0.75 GiB per matrix at 10,000 areas and 18.6 GiB at 50,000; at 50,000 it is run only for
the indices that need no such matrix.

Usage: ``python -m benchmarks segregation_explicit [--quick] [--sizes=N,M] [--timeout=S]``
(``--quick``: 2,500 / 10,000 areas instead of 10,000 / 50,000).
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

INDICES = [
    "SpatialDissim",
    "BoundarySpatialDissim",
    "PARDissim",
    "SpatialProxProf",
    "AbsoluteCentralization",
    "RelativeCentralization",
    "AbsoluteConcentration",
    "RelativeConcentration",
    "Delta",
    "AbsoluteClustering",
    "RelativeClustering",
    "SpatialProximity",
    "DistanceDecayInteraction",
    "DistanceDecayIsolation",
]
# PySAL computes these without an n x n matrix
PYSAL_NO_DENSE = {
    "AbsoluteCentralization",
    "RelativeCentralization",
    "AbsoluteConcentration",
    "RelativeConcentration",
    "Delta",
}
# Floyd-Warshall is O(n^3): PySAL's SpatialProxProf is run on at most this many areas
PYSAL_PROXPROF_MAX = 2_500

_CHILD = r"""
import json, pickle, resource, sys, time, warnings
warnings.simplefilter("ignore")
which, name, path = sys.argv[1], sys.argv[2], sys.argv[3]
with open(path, "rb") as fh:
    geoms, x, t = pickle.load(fh)
import numpy as np
if which == "pysal":
    import geopandas as gpd
    from segregation import singlegroup as sg
    gdf = gpd.GeoDataFrame({"g": x, "tot": t}, geometry=list(geoms), crs="EPSG:3006")
    t0 = time.perf_counter()
    value = getattr(sg, name)(gdf, "g", "tot").statistic
else:
    from grannskap.measures.segregation import registry
    from grannskap.measures.segregation.geometry import area_geometry
    c = np.column_stack([x, t - x]).astype(float)
    t0 = time.perf_counter()
    geo = area_geometry(geoms)
    value = registry.evaluate(name, c, geometry=geo).statistic
seconds = time.perf_counter() - t0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(json.dumps({"value": float(value), "seconds": seconds, "rss_mib": rss}))
"""


def _grid(n_target: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from shapely import box

    side = int(round(n_target**0.5))
    rng = np.random.default_rng(seed)
    xs = 400_000.0 + np.concatenate([[0.0], np.cumsum(rng.uniform(100.0, 600.0, side))])
    ys = 6_500_000.0 + np.concatenate([[0.0], np.cumsum(rng.uniform(100.0, 600.0, side))])
    ii, jj = np.meshgrid(np.arange(side), np.arange(side))
    ii, jj = ii.ravel(), jj.ravel()
    geoms = box(xs[ii], ys[jj], xs[ii + 1], ys[jj + 1])
    # clustered: the focal group's share rises towards a few simulated centres
    centres = rng.uniform([xs[0], ys[0]], [xs[-1], ys[-1]], size=(5, 2))
    cx, cy = (xs[ii] + xs[ii + 1]) / 2, (ys[jj] + ys[jj + 1]) / 2
    d = np.min(np.hypot(cx[:, None] - centres[:, 0], cy[:, None] - centres[:, 1]), axis=1)
    share = np.clip(0.6 * np.exp(-d / 3000.0) + 0.05, 0.01, 0.95)
    t = rng.integers(20, 1500, size=geoms.size)
    x = rng.binomial(t, share)
    return geoms, x, t


def _child(which: str, name: str, path: Path, timeout: float) -> dict[str, float] | str:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    try:
        run = subprocess.run(
            [sys.executable, "-c", _CHILD, which, name, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return f"stopped after {timeout:.0f} s"
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["?"])[-1]
        return f"failed ({'killed: memory' if run.returncode < 0 else last[:60]})"
    return json.loads(run.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _fmt(r: dict[str, float] | str) -> str:
    if isinstance(r, str):
        return r
    return f"{r['seconds']:.2f} s, {r['rss_mib']:.0f} MiB"


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    timeout = 600.0
    for a in argv:
        if a.startswith("--timeout="):
            timeout = float(a.split("=", 1)[1])
    sizes = [2_500, 10_000] if quick else [10_000, 50_000]
    for a in argv:
        if a.startswith("--sizes="):
            sizes = [int(v) for v in a.split("=", 1)[1].split(",")]
    try:
        load = " ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        load = "n/a"
    print(f"load average at start {load}; SIMULATED grids; timeout {timeout:.0f} s per PySAL run")
    print(
        "| index | areas | PySAL (time, peak RSS) | grannskap (time, peak RSS) | ratio | |rel diff| |"
    )
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            geoms, x, t = _grid(n)
            path = Path(tmp) / f"grid_{n}.pkl"
            path.write_bytes(pickle.dumps((geoms, x, t)))
            for name in INDICES:
                ours = _child("ours", name, path, timeout * 3)
                run_pysal = (n <= 10_000 or name in PYSAL_NO_DENSE) and not (
                    name == "SpatialProxProf" and n > PYSAL_PROXPROF_MAX
                )
                if run_pysal:
                    peer = _child("pysal", name, path, timeout)
                elif name == "SpatialProxProf":
                    peer = "not run: Floyd-Warshall O(n^3) on the n x n hop matrix"
                else:
                    peer = f"not run: dense {geoms.size:,}^2 float64 = {geoms.size**2 * 8 / 2**30:.1f} GiB per matrix"
                ratio = diff = "-"
                if isinstance(ours, dict) and isinstance(peer, dict):
                    ratio = f"{peer['seconds'] / max(ours['seconds'], 1e-9):.0f}x"
                    diff = f"{abs(ours['value'] - peer['value']) / max(abs(peer['value']), 1e-300):.1e}"
                print(
                    f"| {name} | {geoms.size:,} | {_fmt(peer)} | {_fmt(ours)} | {ratio} | {diff} |",
                    flush=True,
                )
