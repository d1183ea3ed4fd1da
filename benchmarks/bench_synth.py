"""Synthetic control: grannskap vs pysyncon, same process, same data.

1. One fit on the Basque data (Abadie & Gardeazabal 2003): pysyncon's default nested search
   (Nelder-Mead from equal V) vs ours; weights compared.
2. Full in-space placebo for Proposition 99 (ADH 2010, 38 donors): ours in full; pysyncon's
   default fit for California and, because one pysyncon fit takes from seconds to minutes,
   for a few donors only, extrapolated to 38 (stated as an extrapolation in the output).
3. In-space placebo with 3,363 SIMULATED units (13 periods, 8 pre-periods; the number of
   RegSO in Sweden) with every unit as a placebo. pysyncon is not run at this size: its
   SLSQP inner problem on 3,362 donors is a dense 3,362-variable QP per V evaluation.

``--only=basque,prop99,many`` picks parts. ``--quick`` runs a small version (pysyncon only on Basque, capped at 15 outer iterations; no
pysyncon on Proposition 99; 300 simulated units).

Both wall-clock and process CPU time are printed: the benchmark machine is shared, and CPU
time is the steadier figure when other work competes for the two cores.
"""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from grannskap.evaluation.synth import (
    fit_panel,
    fit_weights,
    placebo_in_space,
    prepare_panel,
    simulate_factor_panel,
)
from grannskap.evaluation.synth.replication import basque_spec, prop99_spec

DATA = (
    Path(
        os.environ.get(
            "GRANNSKAP_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
        )
    )
    / "evaluation_reference"
)

PUBLISHED_PROP99 = {
    "Colorado": 0.164,
    "Connecticut": 0.069,
    "Montana": 0.199,
    "Nevada": 0.234,
    "Utah": 0.334,
}


def _dataprep(frame: pd.DataFrame, spec: dict, donors: list) -> object:
    from pysyncon import Dataprep

    first, *rest = spec["predictors"]
    opt = spec.get("optimize_periods") or [
        t for t in sorted(frame[spec["time"]].unique()) if t < spec["treatment_start"]
    ]
    return Dataprep(
        foo=frame,
        predictors=[first.variable],
        predictors_op="mean",
        time_predictors_prior=list(first.periods),
        special_predictors=[(p.variable, list(p.periods), "mean") for p in rest],
        dependent=spec["outcome"],
        unit_variable=spec["unit"],
        time_variable=spec["time"],
        treatment_identifier=spec["treated"],
        controls_identifier=list(donors),
        time_optimize_ssr=list(opt),
    )


class _Clock:
    """Wall-clock and CPU seconds of a block."""

    def __enter__(self) -> _Clock:
        self.w0, self.c0 = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall = time.perf_counter() - self.w0
        self.cpu = time.process_time() - self.c0

    def __str__(self) -> str:
        return f"{self.wall:.3f} s wall / {self.cpu:.3f} s CPU"


def _peer_fit(frame: pd.DataFrame, spec: dict, donors: list, quick: bool) -> tuple[object, _Clock]:
    from pysyncon import Synth

    dp = _dataprep(frame, spec, donors)
    peer = Synth()
    options = {"maxiter": 15} if quick else {"maxiter": 1000}
    with _Clock() as clock, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer.fit(dataprep=dp, optim_options=options)
    return peer, clock


def _show(weights: pd.Series) -> str:
    w = weights[weights > 0.005].sort_values(ascending=False)
    return ", ".join(f"{k} {v:.3f}" for k, v in w.items())


def bench_basque(quick: bool) -> None:
    frame = pd.read_csv(DATA / "basque.csv")
    spec = basque_spec()
    with _Clock() as clock:
        panel = prepare_panel(frame, **spec)
        fit, *_ = fit_panel(panel)
    ours_t = clock.wall
    ours = pd.Series(fit.w, index=panel.donor_names)
    print(f"[basque] ours     {clock}  loss_V {fit.loss:.6f}  {_show(ours)}")
    print("[basque] published: Cataluna 0.8508, Madrid 0.1492")
    try:
        peer, peer_t = _peer_fit(frame, spec, panel.donor_names, quick)
    except ImportError:
        print("[basque] pysyncon not installed; peer skipped")
        return
    theirs = peer.weights(round=6).reindex(panel.donor_names)
    cap = " (capped at 15 outer iterations: --quick)" if quick else ""
    print(f"[basque] pysyncon {peer_t}  loss_V {peer.loss_V:.6f}  {_show(theirs)}{cap}")
    diff = float(np.max(np.abs(theirs.to_numpy() - ours.to_numpy())))
    print(
        f"[basque] ratio pysyncon/ours {peer_t.wall / ours_t:.0f}x wall, "
        f"{peer_t.cpu / max(clock.cpu, 1e-9):.0f}x CPU; max |weight difference| {diff:.4f}",
        flush=True,
    )


def bench_prop99(quick: bool) -> None:
    frame = pd.read_csv(DATA / "smoking_prop99.csv")
    spec = prop99_spec()
    with _Clock() as c_fit:
        panel = prepare_panel(frame, **spec)
        fit = fit_weights(panel)
    with _Clock() as c_pl:
        placebo = placebo_in_space(panel, fit)
    ours_t = c_fit.wall + c_pl.wall
    ours = pd.Series(fit.w, index=panel.donor_names)
    print(
        f"[prop99] ours: California fit {c_fit}; 38 placebo fits {c_pl}; "
        f"total {ours_t:.3f} s wall; California rank {placebo.rank} of {placebo.n_units} "
        f"(p = {placebo.p_value:.4f}); gap in 2000 "
        f"{placebo.gaps.loc[2000, 'California']:.1f} packs per capita"
    )
    with _Clock() as c_pl2:
        placebo2 = placebo_in_space(panel, fit, n_jobs=2)
    print(
        f"[prop99] ours with 2 worker processes: 38 placebo fits {c_pl2.wall:.3f} s wall; "
        f"same table: {placebo2.table.equals(placebo.table)}"
    )
    print(f"[prop99] ours weights: {_show(ours)}")
    print(
        "[prop99] published (ADH 2010 Table 2): "
        + ", ".join(f"{k} {v}" for k, v in PUBLISHED_PROP99.items())
    )
    if quick:
        print("[prop99] pysyncon skipped in --quick (one fit takes minutes)")
        return
    try:
        import pysyncon  # noqa: F401
    except ImportError:
        print("[prop99] pysyncon not installed; peer skipped")
        return
    peer, t_ca = _peer_fit(frame, spec, panel.donor_names, quick)
    theirs = peer.weights(round=6).reindex(panel.donor_names)
    print(
        f"[prop99] pysyncon California fit {t_ca}  loss_V {peer.loss_V:.4f} "
        f"(ours {fit.loss:.4f}): {_show(theirs)}",
        flush=True,
    )
    sample = ["Alabama", "Utah"]
    walls, cpus = [], []
    for state in sample:
        donors = [d for d in panel.donor_names if d != state]
        _, t = _peer_fit(frame, dict(spec, treated=state), donors, quick)
        walls.append(t.wall)
        cpus.append(t.cpu)
        print(f"[prop99] pysyncon placebo fit for {state}: {t}", flush=True)
    est_wall = t_ca.wall + 38 * float(np.mean(walls))
    est_cpu = t_ca.cpu + 38 * float(np.mean(cpus))
    ours_cpu = c_fit.cpu + c_pl.cpu
    print(
        f"[prop99] pysyncon full placebo EXTRAPOLATED from {len(sample)} donor fits: "
        f"~{est_wall:.0f} s wall / ~{est_cpu:.0f} s CPU (1 process); ratio pysyncon/ours "
        f"~{est_wall / ours_t:.0f}x wall, ~{est_cpu / ours_cpu:.0f}x CPU"
    )


def bench_many(quick: bool) -> None:
    n_units = 300 if quick else 3363
    t0 = time.perf_counter()
    frame = simulate_factor_panel(n_units=n_units, n_periods=13, n_pre=8, effect=-5.0, seed=1)
    panel = prepare_panel(
        frame, unit="unit", time="period", outcome="y", treated="treated", treatment_start=8
    )
    t_prep = time.perf_counter() - t0
    for method in ("synth", "penalized"):
        with _Clock() as c_fit:
            fit = fit_weights(panel, method=method)
        with _Clock() as c_pl:
            placebo = placebo_in_space(panel, fit, method=method)
        with _Clock() as c_pl2:
            placebo_in_space(panel, fit, method=method, n_jobs=2)
        exact = float(np.mean(placebo.table["pre_rmspe"] < 1e-3))
        lam = "" if fit.lam is None else f", lambda {fit.lam:g} (cross-validated)"
        print(
            f"[many] SIMULATED {n_units} units x 13 periods (8 pre), method {method}{lam}: "
            f"fit {c_fit}, all {placebo.n_units} units as placebos {c_pl} "
            f"({c_pl2.wall:.2f} s wall with 2 worker processes) "
            f"(+ panel preparation {t_prep:.2f} s); treated rank {placebo.rank}, "
            f"share of exact pre-fits {exact:.0%}"
        )


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"synthetic control benchmark ({'quick' if quick else 'full'}); cores: {os.cpu_count()}; "
        f"load average at start {load:.1f}"
    )
    if not DATA.is_dir():
        print(f"replication data not found at {DATA}; skipped")
        return
    parts = [a.split("=", 1)[1] for a in argv if a.startswith("--only=")]
    chosen = parts[0].split(",") if parts else ["basque", "prop99", "many"]
    for name in chosen:
        {"basque": bench_basque, "prop99": bench_prop99, "many": bench_many}[name](quick)


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
