"""Benchmark: individualised (k-nearest-person) neighbourhoods, equipop vs grannskap.

Data: the SYNTHETIC Sweden-like population of
:func:`grannskap.measures.neighbourhoods.synthetic.synthetic_sweden` (simulated, not real data)
on a 100 m SWEREF 99 TM grid, four groups.

Steps (one process, same data):

1. peer size (1 M persons; ``--quick``: 100 k): ``equipop.run_knn_counts`` at k = 1,600
   (``--quick``: 400), whole-ring mode, then grannskap on the same cells and k; counts must be
   identical (every cell, every group);
2. grannskap at the peer size for all 12 EquiPop scales k = 12 ... 25,600;
3. grannskap at full size (10 M persons; ``--quick``: 1 M), all 12 scales, validated by a
   brute-force computation (all distances, sorted) on a random sample of cells.

Wall time, CPU time (user + system of the whole process, all threads) and the peak resident
memory during each call (sampled every 20 ms from ``/proc/self/statm``) are printed.
"""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from grannskap.measures.neighbourhoods import (
    EQUIPOP_K,
    Neighbourhoods,
    grid_population_from_frame,
    knn_counts,
)
from grannskap.measures.neighbourhoods.synthetic import SYNTHETIC_LABEL, synthetic_sweden

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * _PAGE


def _measure(fn: Callable[[], Any]) -> tuple[Any, float, float, str]:
    """Run ``fn``; return (result, wall s, cpu s, peak resident memory during the call)."""
    start = _rss()
    peak = [start]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.02)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    try:
        out = fn()
    finally:
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_SELF)
        stop.set()
        th.join()
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    top = max(peak[0], _rss())
    return out, wall, cpu, f"{top / 2**30:.2f} GiB (+{(top - start) / 2**30:.2f} GiB in the call)"


def _brute_force_check(nb: Neighbourhoods, frame, groups, n_sample: int, seed: int) -> int:
    """Number of (cell, k) whose counts differ from an all-distances brute force."""
    ix = (frame["x"].to_numpy() / 100).astype(np.int64)
    iy = (frame["y"].to_numpy() / 100).astype(np.int64)
    counts = frame[list(groups)].to_numpy()
    tot = counts.sum(axis=1)
    rng = np.random.default_rng(seed)
    bad = 0
    for i in rng.choice(len(ix), size=n_sample, replace=False):
        d2 = (ix - ix[i]) ** 2 + (iy - iy[i]) ** 2
        order = np.argsort(d2, kind="stable")
        d2s, cum = d2[order], np.cumsum(tot[order])
        for j, k in enumerate(nb.k):
            p = int(np.searchsorted(cum, k))  # first cell reaching k
            end = int(np.searchsorted(d2s, d2s[p], side="right"))  # ... and its whole ring
            want = counts[order[:end]].sum(axis=0)
            bad += int(not np.array_equal(nb.counts[i, j], want))
    return bad


def _equipop_cells(syn):  # type: ignore[no-untyped-def]
    from equipop.cells import CellData

    f = syn.frame
    return CellData(
        E=f["x"].to_numpy(float) + 50.0,
        N=f["y"].to_numpy(float) + 50.0,
        n=f[list(syn.groups)].to_numpy().sum(axis=1).astype(float),
        binary_sums={g: f[g].to_numpy(float) for g in syn.groups},
        unit_size=100.0,
    )


def ab(argv: list[str]) -> None:
    """``--ab [--k=1600,6400] [--rounds=2] [--persons=N] [--ours-first]``: interleaved A/B in
    one process (equipop, ours, equipop, ours, ...; ``--ours-first``: ours, equipop, ...), per
    k; prints each pair's ratio and the spread."""
    from equipop.fastcounts import run_knn_counts

    opts = dict(a[2:].split("=", 1) for a in argv if a.startswith("--") and "=" in a)
    ks = [int(v) for v in opts.get("k", "1600,6400").split(",")]
    rounds = int(opts.get("rounds", "2"))
    n = int(opts.get("persons", "1000000"))
    syn = synthetic_sweden(n, cell_size=100)
    pop = grid_population_from_frame(syn.frame, syn.groups, cell_size=100)
    cd = _equipop_cells(syn)
    knn_counts(pop, [12])  # load the compiled engine outside the timing
    print(f"A/B in one process: {n:,} persons on {syn.n_cells:,} cells", flush=True)
    for k in ks:
        ratios = []
        for r in range(rounds):

            def peer(k: int = k):  # type: ignore[no-untyped-def]
                return _measure(
                    lambda: run_knn_counts(cd, [k], overshoot_mode="whole", report=False)
                )

            if "--ours-first" in argv:  # the other call order
                ours, w_o, c_o, m_o = _measure(lambda k=k: knn_counts(pop, [k]))
                ref, w_p, c_p, m_p = peer()
            else:
                ref, w_p, c_p, m_p = peer()
                ours, w_o, c_o, m_o = _measure(lambda k=k: knn_counts(pop, [k]))
            same = np.array_equal(ours.total[:, 0], ref[f"N_{k}"].to_numpy())
            ratios.append(w_p / w_o)
            print(
                f"  k={k} round {r + 1}: equipop {w_p:.1f} s wall / {c_p:.1f} s cpu, {m_p}; "
                f"ours {w_o:.2f} s / {c_o:.2f} s cpu, {m_o}; ratio {w_p / w_o:.1f}x; "
                f"same totals {same}",
                flush=True,
            )
        print(f"  k={k}: ratio min {min(ratios):.1f}x, max {max(ratios):.1f}x ({rounds} rounds)")


def main(argv: list[str]) -> None:
    if "--ab" in argv:
        ab(argv)
        return
    quick = "--quick" in argv
    peer_n, full_n = (100_000, 1_000_000) if quick else (1_000_000, 10_000_000)
    peer_k = 400 if quick else 1600
    print(f"data: {SYNTHETIC_LABEL}; 100 m grid, 4 groups; cpus={os.cpu_count()}", flush=True)
    try:
        print(f"load average at start: {os.getloadavg()}", flush=True)
    except OSError:  # pragma: no cover
        pass

    # --- 1. peer size: equipop vs ours at one k -------------------------------------------
    syn = synthetic_sweden(peer_n, cell_size=100)
    pop = grid_population_from_frame(syn.frame, syn.groups, cell_size=100)
    print(f"peer size: {peer_n:,} persons on {syn.n_cells:,} cells", flush=True)
    ours_warm = knn_counts(pop, [12], engine="auto")  # compile/load numba outside the timing
    del ours_warm
    ours, w_o, c_o, m_o = _measure(lambda: knn_counts(pop, [peer_k], ring_mode="whole"))
    print(f"  grannskap k={peer_k}: {w_o:.1f} s wall, {c_o:.1f} s cpu, peak {m_o}")
    try:
        from equipop.cells import CellData
        from equipop.fastcounts import run_knn_counts
    except ImportError:
        print("  equipop not installed: peer not measured")
    else:
        f = syn.frame
        cd = CellData(
            E=f["x"].to_numpy(float) + 50.0,
            N=f["y"].to_numpy(float) + 50.0,
            n=f[list(syn.groups)].to_numpy().sum(axis=1).astype(float),
            binary_sums={g: f[g].to_numpy(float) for g in syn.groups},
            unit_size=100.0,
        )
        ref, w_p, c_p, m_p = _measure(
            lambda: run_knn_counts(cd, [peer_k], overshoot_mode="whole", report=False)
        )
        print(f"  equipop   k={peer_k}: {w_p:.1f} s wall, {c_p:.1f} s cpu, peak {m_p}")
        same = np.array_equal(ours.total[:, 0], ref[f"N_{peer_k}"].to_numpy()) and all(
            np.array_equal(ours.counts[:, 0, g], ref[f"T_{name}_{peer_k}"].to_numpy())
            for g, name in enumerate(syn.groups)
        )
        print(f"  identical counts to equipop (all cells, all groups): {same}")
        print(f"  ratio equipop/grannskap: wall {w_p / w_o:.1f}x, cpu {c_p / c_o:.1f}x")

    # --- 2. ours, peer size, all scales -------------------------------------------------------
    _, w_a, c_a, m_a = _measure(lambda: knn_counts(pop, EQUIPOP_K))
    print(f"  grannskap all 12 k: {w_a:.1f} s wall, {c_a:.1f} s cpu, peak {m_a}")
    del pop, ours

    # --- 3. ours, full size, all scales -------------------------------------------------------
    syn = synthetic_sweden(full_n, cell_size=100)
    pop = grid_population_from_frame(syn.frame, syn.groups, cell_size=100)
    print(f"full size: {full_n:,} persons on {syn.n_cells:,} cells", flush=True)
    nb, w_f, c_f, m_f = _measure(lambda: knn_counts(pop, EQUIPOP_K))
    print(
        f"  grannskap all 12 k (12 ... 25,600), 4 groups: {w_f:.1f} s wall, {c_f:.1f} s cpu, "
        f"peak {m_f}; unreached cells: {int((~nb.reached).sum())}",
        flush=True,
    )
    n_sample = 30 if quick else 100
    bad = _brute_force_check(nb, syn.frame, syn.groups, n_sample, seed=1)
    print(f"  brute-force spot check, {n_sample} random cells x 12 k: {bad} mismatches")
    try:
        print(f"load average at end: {os.getloadavg()}", flush=True)
    except OSError:  # pragma: no cover
        pass
