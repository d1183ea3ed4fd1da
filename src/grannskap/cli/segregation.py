"""``grannskap segregation``: segregation indices with confidence intervals per year, to CSV.

Reads the group counts through the indicator spine (:mod:`grannskap.indicators`: a named group
set — ``background`` (SCB 000005FE, DeSO 2022), ``birth_region`` (foreign-born vs born in
Sweden: SCB TAB6572 per RegSO 2020–2023, 000005FB per DeSO 2022), ``tenure`` (hyresrätt /
bostadsrätt / äganderätt) — at a level: DeSO, RegSO, stadsdel or kommun) and calls
:mod:`grannskap.measures.segregation`; nothing is computed here. One CSV row per scope (Sweden
``00`` or a kommun), year, index and distance (``distance_m`` 0 = the aspatial index;
``--distance`` adds kernel-smoothed spatial versions, which need the areas' centroids in the
database). With two or more years, ``--change first-last`` (the default) adds one row per
scope and index with the change from the first to the last year (``estimate = change``:
difference, bootstrap interval of the bias-corrected difference, permutation p-value; from
:func:`grannskap.measures.segregation.change.index_change`).
"""

from __future__ import annotations

import argparse
import sys

from grannskap.cli import add_db_argument
from grannskap.cli._segregation_file import add_file_arguments, run_on_file

__all__ = [
    "register",
    "run",
    "GROUP_CHOICES",
    "LEVEL_CHOICES",
    "DEFAULT_INDICES",
    "INDEX_CHOICES",
    "COLUMNS",
]

# the names of grannskap.indicators.GROUP_SETS and the levels of grannskap.indicators.read,
# repeated here so that ``grannskap --help`` does not import pandas (a test keeps them in sync)
GROUP_CHOICES: tuple[str, ...] = ("background", "birth_region", "tenure")
LEVEL_CHOICES: tuple[str, ...] = ("deso", "regso", "stadsdel", "kommun")
DEFAULT_INDICES: tuple[str, ...] = ("dissimilarity", "isolation", "theil_h", "mutual_information")
# the names of grannskap.measures.segregation.INDEX_NAMES, repeated here so that
# ``grannskap --help`` does not import numpy/pandas (a test keeps the two in sync)
INDEX_CHOICES: tuple[str, ...] = (
    "dissimilarity",
    "gini",
    "isolation",
    "exposure",
    "correlation_ratio",
    "atkinson",
    "theil_h",
    "mutual_information",
    "multigroup_dissimilarity",
    "relative_diversity",
)
COLUMNS: tuple[str, ...] = (
    "scope",
    "level",
    "groups",
    "focal_group",
    "year",
    "index",
    "distance_m",
    "statistic",
    "ci_low",
    "ci_high",
    "ci_level",
    "ci_method",
    "ci_for",  # the estimate the interval is for: "bias_corrected" (default) or "statistic"
    "se",
    "bias_corrected",
    "expected_random",
    "n_areas",
    "n_persons",
    "estimate",  # "level" (the index in ``year``) or "change" (from ``year_from`` to ``year``)
    "year_from",
    "p_value",
    "source",  # the SCB table(s) the counts come from
)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "segregation",
        help="segregation indices (D, isolation, H, M, ...) with bootstrap intervals per year",
        description="Segregation indices over the areas of a level, per year, with bootstrap "
        "confidence intervals (persons resampled within areas), the value expected under random "
        "allocation and the small-unit bias-corrected value. Writes one CSV row per scope, year "
        "and index.",
    )
    p.add_argument(
        "--level",
        choices=list(LEVEL_CHOICES),
        default="deso",
        help="areas the index is computed over (default deso; kommun = the kommuner of Sweden)",
    )
    p.add_argument(
        "--groups",
        choices=list(GROUP_CHOICES),
        default="background",
        help="named group set of the indicator catalogue (default background; birth_region = "
        "foreign-born vs born in Sweden, 2020–2023 per RegSO; tenure = dwellings by tenure)",
    )
    p.add_argument(
        "--year",
        action="append",
        metavar="YEAR|FROM-TO",
        help="statistics year or inclusive range, e.g. 2022 or 2020-2023 (repeatable; "
        "default: every year the database holds for the group set at the level)",
    )
    p.add_argument(
        "--change",
        choices=["first-last", "none"],
        default="first-last",
        help="with two or more years: also the change of each index from the first to the "
        "last year with its bootstrap interval and permutation test (default first-last)",
    )
    p.add_argument(
        "--n-perm",
        type=int,
        default=999,
        help="permutations of the test of no change (default 999; 0 = no test)",
    )
    p.add_argument(
        "--index",
        action="append",
        choices=list(INDEX_CHOICES),
        help=f"index (repeatable; default {', '.join(DEFAULT_INDICES)})",
    )
    p.add_argument(
        "--kommun",
        action="append",
        help="kommun code, e.g. 1490 (repeatable; default: all of Sweden)",
    )
    p.add_argument(
        "--distance",
        type=float,
        action="append",
        metavar="METRES",
        help="also the spatial (triangular-kernel) version of each index at this bandwidth "
        "(repeatable: a multiscalar profile); needs area centroids in the database",
    )
    p.add_argument(
        "--decompose",
        action="store_true",
        help="also M and H split exactly into between-kommun and within-kommun parts "
        "(with intervals; for the Sweden scope, i.e. without --kommun)",
    )
    p.add_argument(
        "--ci", type=float, default=0.95, help="confidence level (default 0.95; 0 = no intervals)"
    )
    p.add_argument(
        "--ci-method",
        choices=["debiased", "percentile"],
        default="debiased",
        help="debiased (default): percentile interval shifted by twice the bootstrap bias, i.e. "
        "an interval for the small-unit bias-corrected value (Elbers; column ci_for); "
        "percentile: the replicate spread around the uncorrected statistic",
    )
    p.add_argument("--n-boot", type=int, default=1000, help="bootstrap replicates (default 1000)")
    p.add_argument(
        "--n-sim",
        type=int,
        default=200,
        help="random allocations for the expected value (default 200; 0 = skip)",
    )
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output CSV file")
    p.add_argument(
        "--chart",
        metavar="FILE.svg",
        help="also an SVG line chart of the multiscalar profile: each index against the "
        "distances (0 = aspatial; one line per index, the interval as a band)",
    )
    p.add_argument(
        "--lang", choices=["sv", "en"], default="sv", help="language of the chart (default sv)"
    )
    add_db_argument(p)
    add_file_arguments(p)  # --input FILE: the user's own data (cli/_segregation_file.py)
    p.set_defaults(func=run)


def _counts(con, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """Counts per area and year through the spine: ``(frame, group columns, years)``; the
    frame has ``area`` (index), ``kommun, year, x, y, source`` and one column per group."""
    import numpy as np

    from grannskap.errors import ConfigError, DataNotFoundError
    from grannskap.indicators import available_years, group_counts, group_set, parse_years
    from grannskap.store import series

    gs = group_set(args.groups)
    if args.level == "kommun" and args.kommun:
        raise ConfigError(
            "with `--level kommun` the areas are the kommuner of Sweden (scope 00); "
            "leave out `--kommun`"
        )
    have = available_years(con, gs.bindings, args.level)
    years = parse_years(args.year) if args.year else have
    span = f"{have[0]}–{have[-1]}" if len(have) > 1 else (str(have[0]) if have else "none")
    missing = [y for y in years if y not in have]
    if not years or missing:
        raise DataNotFoundError(
            f"no {args.groups} counts at level {args.level} for "
            f"{', '.join(map(str, missing)) or 'any year'} in the database (years there: {span}); "
            f"import the SCB tables first ({', '.join(sorted({b.table for b in gs.bindings}))})"
        )
    df = group_counts(con, gs, args.level, years, args.kommun)
    if args.kommun:
        absent = [k for k in args.kommun if k not in set(df["kommun"])]
        if absent:
            raise DataNotFoundError(
                f"no {args.level} areas of kommun {', '.join(absent)} with {args.groups} counts "
                f"for {', '.join(map(str, years))} in the database"
            )
    df["x"] = np.nan
    df["y"] = np.nan
    if args.level in ("deso", "regso"):
        for system in df["area_system"].unique():
            cen = series.area_centroids(con, str(system)).set_index("code")
            own = df["area_system"] == system
            df.loc[own, "x"] = df.loc[own, "area"].map(cen["x"])
            df.loc[own, "y"] = df.loc[own, "area"].map(cen["y"])
    return df.set_index("area"), gs.group_names, years


def _one(seg, counts, index: str, args: argparse.Namespace, xy, distance: float | None):  # type: ignore[no-untyped-def]
    """Index, interval and expected value for one table (aspatial, or spatial at ``distance``)."""
    import numpy as np

    if distance is None:
        if args.ci:
            r = seg.bootstrap_ci(
                counts,
                index,
                n_boot=args.n_boot,
                level=args.ci,
                method=args.ci_method,
                seed=args.seed,
            )
        else:
            r = seg.compute_index(index, counts)
        expected = (
            seg.expected_value(counts, index, n_sim=args.n_sim, seed=args.seed)
            if args.n_sim
            else np.nan
        )
        return r, expected
    if args.ci:
        r = seg.spatial_bootstrap_ci(
            counts,
            xy,
            distance,
            index,
            n_boot=args.n_boot,
            level=args.ci,
            seed=args.seed,
            method=args.ci_method,
        )
    else:
        r = seg.spatial_index(index, counts, xy, distance)
    expected = (
        seg.spatial_permutation_test(
            counts, xy, distance, index, n_sim=args.n_sim, seed=args.seed
        ).expected
        if args.n_sim
        else np.nan
    )
    return r, expected


def _decomposition_rows(
    seg, df, cols: list[str], year: int, args: argparse.Namespace
) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    """M and H between and within kommuner for the Sweden scope, with bootstrap intervals."""
    from grannskap.errors import DataNotFoundError
    from grannskap.privacy import publishable_count_frame

    if df["kommun"].isna().any():
        raise DataNotFoundError(
            f"{year}: some areas have no kommun in the database; cannot decompose by kommun"
        )
    counts = publishable_count_frame(df[cols])  # small areas rounded (issue 18)
    level = 0.95 if not args.ci else args.ci
    dec = seg.decompose_between_within_ci(
        counts,
        df["kommun"].astype(str).to_numpy(),
        n_boot=args.n_boot,
        level=level,
        method=args.ci_method,
        seed=args.seed,
    )
    names = {
        "M_between": "mutual_information_between_kommun",
        "M_within": "mutual_information_within_kommun",
        "H_between": "theil_h_between_kommun",
        "H_within": "theil_h_within_kommun",
    }
    rows = []
    for _, d in dec[dec["stat"].isin(list(names))].iterrows():
        rows.append(
            {
                "scope": "00",
                "level": args.level,
                "groups": args.groups,
                "focal_group": cols[0],
                "year": year,
                "index": names[d["stat"]],
                "distance_m": 0.0,
                "statistic": d["est"],
                "ci_low": d["ci_low"] if args.ci else None,
                "ci_high": d["ci_high"] if args.ci else None,
                "ci_level": args.ci or None,
                "ci_method": args.ci_method if args.ci else None,
                "ci_for": d["interval_for"] if args.ci else None,
                "se": d["se"],
                "bias_corrected": d["est"] - d["bias"],
                "expected_random": None,
                "n_areas": len(df),
                "n_persons": int(counts.to_numpy().sum()),
            }
        )
    return rows


def _change_rows(
    seg_change,
    tables: dict[int, object],
    cols: list[str],
    scope: str,
    indices: list[str],
    args: argparse.Namespace,
    sources: dict[int, str],
) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    """One row per index: the change from the first to the last year (same areas in both)."""
    import warnings

    from grannskap.errors import DataQualityWarning

    first, last = min(tables), max(tables)
    a, b = tables[first], tables[last]
    common = a.index.intersection(b.index)  # type: ignore[attr-defined]
    if len(common) < len(a.index) or len(common) < len(b.index):  # type: ignore[attr-defined]
        warnings.warn(
            f"{scope}: the change {first}–{last} is computed over the {len(common)} areas with "
            "counts in both years",
            DataQualityWarning,
            stacklevel=1,
        )
    a, b = a.loc[common], b.loc[common]  # type: ignore[attr-defined]
    rows = []
    for index in indices:
        r = seg_change(
            a, b, index, n_boot=args.n_boot, n_perm=args.n_perm, seed=args.seed,
            ci=args.ci or 0.95,
        )  # fmt: skip
        rows.append(
            {
                "scope": scope,
                "level": args.level,
                "groups": args.groups,
                "focal_group": cols[0],
                "year": last,
                "index": index,
                "distance_m": 0.0,
                "statistic": r.difference,
                "ci_low": r.ci_low if args.ci else None,
                "ci_high": r.ci_high if args.ci else None,
                "ci_level": args.ci or None,
                "ci_method": "debiased" if args.ci else None,
                "ci_for": "bias_corrected" if args.ci else None,
                "se": r.se,
                "bias_corrected": r.difference_bias_corrected,
                "expected_random": None,
                "n_areas": len(common),
                "n_persons": int(b.to_numpy().sum()),  # type: ignore[attr-defined]
                "estimate": "change",
                "year_from": first,
                "p_value": r.p_value if args.n_perm else None,
                "source": " / ".join(dict.fromkeys((sources[first], sources[last]))),
            }
        )
    return rows


def run(args: argparse.Namespace) -> int:
    if args.input:
        return run_on_file(args)
    import warnings

    import pandas as pd

    from grannskap.errors import (
        ConfigError,
        DataNotFoundError,
        DataQualityWarning,
        GrannskapWarning,
    )
    from grannskap.measures import segregation as seg
    from grannskap.measures.segregation.change import index_change
    from grannskap.privacy import publishable_count_frame
    from grannskap.store import connect

    if not (args.ci == 0 or 0 < args.ci < 1):
        raise ConfigError(
            f"`--ci` was {args.ci} but is expected to be 0 (no intervals) or between 0 and 1"
        )
    if args.n_boot < 2 or args.n_sim < 0 or args.n_perm < 0:
        raise ConfigError(
            f"`--n-boot` must be >= 2, `--n-sim` and `--n-perm` >= 0 "
            f"(got {args.n_boot}, {args.n_sim}, {args.n_perm})"
        )
    distances: list[float | None] = [None, *sorted(set(args.distance or []))]
    if any(d is not None and not d > 0 for d in distances):
        raise ConfigError(f"`--distance` must be positive metres (got {args.distance})")
    indices = args.index or list(DEFAULT_INDICES)
    con = connect(args.db, read_only=True)
    rows: list[dict[str, object]] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", GrannskapWarning)
            all_counts, cols, years = _counts(con, args)
            per_scope: dict[str, dict[int, pd.DataFrame]] = {}
            sources: dict[int, str] = {}
            for year in years:
                df = all_counts[all_counts["year"] == year]
                sources[year] = " + ".join(sorted(set(df["source"].astype(str))))
                missing = df[cols].isna().any(axis=1)
                if missing.any():
                    warnings.warn(
                        f"{year}: {int(missing.sum())} area(s) without complete counts (missing or "
                        f"suppressed) left out, e.g. {', '.join(df.index[missing][:3])}",
                        DataQualityWarning,
                        stacklevel=1,
                    )
                    df = df[~missing]
                if len(distances) > 1 and df[["x", "y"]].isna().any(axis=None):
                    n_no = int(df[["x", "y"]].isna().any(axis=1).sum())
                    raise DataNotFoundError(
                        f"{year}: {n_no} of {len(df)} {args.level} areas have no centroid in the "
                        "database, so spatial indices (--distance) cannot be computed; import the "
                        "area polygons first (SCB geodata)"
                    )
                scopes = (
                    [(k, df[df["kommun"] == k]) for k in args.kommun]
                    if args.kommun
                    else [("00", df)]
                )
                if args.decompose and not args.kommun:
                    rows.extend(
                        {**r, "estimate": "level", "source": sources[year]}
                        for r in _decomposition_rows(seg, df, cols, year, args)
                    )
                for scope, sub in scopes:
                    # areas under the small-count rule enter with rounded counts (issue 18)
                    counts = publishable_count_frame(sub[cols])
                    per_scope.setdefault(scope, {})[year] = counts
                    xy = sub[["x", "y"]].to_numpy(dtype="float64")
                    for distance in distances:
                        for index in indices:
                            r, expected = _one(seg, counts, index, args, xy, distance)
                            rows.append(
                                {
                                    "scope": scope,
                                    "level": args.level,
                                    "groups": args.groups,
                                    "focal_group": cols[0],
                                    "year": year,
                                    "index": index,
                                    "distance_m": 0.0 if distance is None else distance,
                                    "statistic": r.statistic,
                                    "ci_low": r.ci_low,
                                    "ci_high": r.ci_high,
                                    "ci_level": r.ci_level,
                                    "ci_method": args.ci_method if args.ci else None,
                                    "ci_for": r.interval_for,
                                    "se": r.se,
                                    "bias_corrected": r.bias_corrected,
                                    "expected_random": expected,
                                    "n_areas": r.n_areas,
                                    "n_persons": int(r.n_persons),
                                    "estimate": "level",
                                    "year_from": None,
                                    "p_value": None,
                                    "source": sources[year],
                                }
                            )
            if args.change == "first-last" and len(years) > 1:
                for scope, tables in per_scope.items():
                    rows.extend(
                        _change_rows(index_change, tables, cols, scope, indices, args, sources)  # type: ignore[arg-type]
                    )
        for w in caught:
            print(f"grannskap: warning: {w.message}", file=sys.stderr)
    finally:
        con.close()
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    out["year_from"] = out["year_from"].astype("Int64")
    from grannskap.outputs import write_csv  # atomic, no formulas from data (issue 18)

    write_csv(out, args.out)
    print(f"wrote {len(out)} row(s) to {args.out}")
    write_chart(out, args)
    return 0


def write_chart(out, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    """``--chart``: the profile chart of the rows just written (both paths)."""
    if getattr(args, "chart", None):
        from grannskap.cli._segregation_chart import write_profile_chart

        write_profile_chart(out, args.chart, getattr(args, "lang", "sv"))
        print(f"wrote the profile chart to {args.chart}")
