"""Benchmark: Callaway-Sant'Anna, ours vs csdid and differences, plus coverage on SIMULATED panels.

``python -m benchmarks did [--quick]``. Each peer runs in the same process on the same data:
ATT(g,t) with never-treated controls and DR-DiD, then the simple/group/dynamic/calendar
aggregations with analytic standard errors. The large panel is SIMULATED (3,363 areas, the
number of RegSO, x 13 years, six cohorts, one covariate). The coverage study re-estimates the
simple ATT on SIMULATED panels with a known effect and reports bias and 95 % coverage.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd

SHARED = os.environ.get(
    "GRANNSKAP_SHARED_DATA",
    os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data"),
)


def _time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _ours(d: pd.DataFrame, y: str, u: str, t: str, g: str, covs: list[str]) -> float:
    from grannskap.evaluation.did import aggregate, att_gt

    res = att_gt(d, outcome=y, unit=u, time=t, group=g, covariates=covs)
    out = aggregate(res, "simple").overall
    for k in ("group", "dynamic", "calendar"):
        aggregate(res, k)
    return out


def _csdid(d: pd.DataFrame, y: str, u: str, t: str, g: str, covs: list[str]) -> float:
    from csdid.att_gt import ATTgt

    form = f"{y}~" + ("+".join(covs) if covs else "1")
    d = d.copy()
    if not pd.api.types.is_numeric_dtype(d[u]):
        d[u] = pd.factorize(d[u])[0] + 1  # csdid needs a numeric id
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        m = ATTgt(
            yname=y,
            gname=g,
            idname=u,
            tname=t,
            data=d.copy(),
            xformla=form,
            control_group="nevertreated",
            biters=1000,
        ).fit(est_method="dr", bstrap=False)
        out = None
        for k in ("simple", "group", "dynamic", "calendar"):
            a = m.aggte(k, bstrap=False)
            if k == "simple":
                out = a.atte["overall_att"] if hasattr(a, "atte") else float("nan")
    return float(out) if out is not None else float("nan")


def _differences(d: pd.DataFrame, y: str, u: str, t: str, g: str, covs: list[str]) -> float:
    from differences import ATTgt

    data = d.copy()
    data["cohort"] = data[g].replace(0, np.nan)
    data = data.set_index([u, t])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = ATTgt(data=data, cohort_column="cohort")
        m.fit(
            formula=y + (" ~ " + " + ".join(covs) if covs else ""),
            est_method="dr",
            progress_bar=False,
        )
        out = float(m.aggregate("simple").iloc[0, 0])
        for k in ("cohort", "event", "time"):
            m.aggregate(k)
    return out


def _compare(
    label: str, d: pd.DataFrame, cols: tuple[str, str, str, str], covs: list[str], repeat: int
) -> None:
    print(f"-- {label}: {d[cols[1]].nunique()} units x {d[cols[2]].nunique()} periods")
    t_ours, v_ours = _time(lambda: _ours(d, *cols, covs), repeat)
    print(f"   grannskap   {t_ours:8.3f} s   simple ATT {v_ours:.6f}")
    for name, fn in (("csdid", _csdid), ("differences", _differences)):
        try:
            t_peer, v_peer = _time(lambda fn=fn: fn(d, *cols, covs), 1 if repeat == 1 else 2)
        except Exception as exc:  # noqa: BLE001 - a peer failing must not stop the benchmark
            print(f"   {name:11s} failed: {type(exc).__name__}: {exc}")
            continue
        print(
            f"   {name:11s} {t_peer:8.3f} s   simple ATT {v_peer:.6f}   "
            f"ratio peer/ours {t_peer / t_ours:6.1f}x"
        )


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    try:  # one BLAS thread for every library: multi-threaded OpenBLAS spins badly on a shared box
        from threadpoolctl import threadpool_limits

        threadpool_limits(1)
    except ImportError:
        pass
    from grannskap.evaluation.simulate import coverage_study, simulate_panel

    mp = pd.read_csv(os.path.join(SHARED, "evaluation_reference", "mpdta.csv"))
    _compare(
        "mpdta (R did), DR, no covariates", mp, ("lemp", "countyreal", "year", "first.treat"), [], 3
    )
    _compare(
        "mpdta (R did), DR, covariate lpop",
        mp,
        ("lemp", "countyreal", "year", "first.treat"),
        ["lpop"],
        3,
    )
    n = 500 if quick else 3363
    sim = simulate_panel(
        n,
        range(2010, 2023),
        cohorts=(2015, 2016, 2017, 2018, 2019, 2020),
        share_treated=0.1,
        x_trend=0.1,
        x_selection=0.5,
        seed=1,
    )
    _compare(
        "SIMULATED panel, DR, covariate x",
        sim.data,
        ("value", "area_code", "year", "first_treat"),
        ["x"],
        1,
    )
    reps = 100 if quick else 500
    print(
        f"-- coverage on SIMULATED panels ({reps} replications, 200 areas x 10 years, "
        "2 cohorts, AR(1) rho=0.5, nominal 95 %)"
    )
    for label, kw in (
        ("CS DR simple ATT", dict(estimator="cs")),
        (
            "CS DR simple ATT, conditional PT (x)",
            dict(estimator="cs", x_trend=0.2, x_selection=1.0),
        ),
        ("CS event time 0", dict(estimator="cs_dynamic0")),
        (
            "TWFE, one cohort, constant effect",
            dict(estimator="twfe", cohorts=(2015,), effect_slope=0.0),
        ),
        ("CS DR simple ATT, ~6 treated areas", dict(estimator="cs", share_treated=0.03)),
    ):
        t0 = time.perf_counter()
        cs = coverage_study(reps=reps, **kw)  # type: ignore[arg-type]
        print(
            f"   {label:40s} bias {cs.bias:+.4f} (MC se {cs.mc_se:.4f})  coverage "
            f"{cs.coverage:.3f}  mean se {cs.mean_se:.4f} vs sd {cs.sd_estimate:.4f}  "
            f"[{time.perf_counter() - t0:.0f} s]"
        )


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
