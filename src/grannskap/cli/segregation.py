"""``grannskap segregation``: segregation indices with confidence intervals per year, to CSV.

Reads the group counts from the database (SCB table 000005FE: persons with foreign /
Swedish background per DeSO) and calls :mod:`grannskap.measures.segregation`; nothing is
computed here. One CSV row per scope (Sweden ``00`` or a kommun), year, index and distance
(``distance_m`` 0 = the aspatial index; ``--distance`` adds kernel-smoothed spatial versions,
which need the areas' centroids in the database).
"""

from __future__ import annotations

import argparse
import sys

from grannskap.cli import add_db_argument

__all__ = ["register", "run", "GROUPINGS", "DEFAULT_INDICES", "INDEX_CHOICES"]

# grouping name -> (indicator_id, [(breakdown, column name)]); the first column is the focal
# group of the two-group indices
GROUPINGS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "background": (
        "scb.000005FE",
        [
            ("utlandsk_svensk_bakgrund=utländsk bakgrund", "foreign"),
            ("utlandsk_svensk_bakgrund=svensk bakgrund", "swedish"),
        ],
    ),
}
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
LEVEL_SYSTEMS: dict[str, str] = {"deso": "deso%"}


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
        "--level", choices=sorted(LEVEL_SYSTEMS), default="deso", help="area level (default deso)"
    )
    p.add_argument(
        "--groups",
        choices=sorted(GROUPINGS),
        default="background",
        help="grouping (default background)",
    )
    p.add_argument(
        "--year", type=int, action="append", required=True, help="statistics year (repeatable)"
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
        "centred on the small-unit bias-corrected value (Elbers); percentile: raw quantiles",
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
    add_db_argument(p)
    p.set_defaults(func=run)


def _counts(con, level: str, groups: str, year: int, kommun: list[str] | None):  # type: ignore[no-untyped-def]
    import pandas as pd

    from grannskap.errors import DataNotFoundError

    indicator, parts = GROUPINGS[groups]
    cases = ", ".join(
        f'sum(o.value) FILTER (WHERE o.breakdown = ?) AS "{name}"' for _, name in parts
    )
    sql = (
        f"SELECT o.area_code AS area, a.kommun_code AS kommun, "
        f"any_value(a.centroid_x) AS x, any_value(a.centroid_y) AS y, {cases} "
        "FROM observation o LEFT JOIN area a ON a.system = o.area_system AND a.code = o.area_code "
        "WHERE o.indicator_id = ? AND o.area_system LIKE ? AND o.year = ? GROUP BY 1, 2 ORDER BY 1"
    )
    params = [b for b, _ in parts] + [indicator, LEVEL_SYSTEMS[level], year]
    df: pd.DataFrame = con.execute(sql, params).df()
    if df.empty:
        raise DataNotFoundError(
            f"no {groups} counts ({indicator}) at level {level} for {year} in the database; "
            "import the SCB table first (grannskap import FILE)"
        )
    if kommun:
        df = df[df["kommun"].isin(kommun)]
        if df.empty:
            raise DataNotFoundError(
                f"no {level} areas of kommun {', '.join(kommun)} for {year} in the database"
            )
    return df.set_index("area"), [name for _, name in parts]


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

    if df["kommun"].isna().any():
        raise DataNotFoundError(
            f"{year}: some areas have no kommun in the database; cannot decompose by kommun"
        )
    counts = df[cols].astype("int64")
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
                "se": d["se"],
                "bias_corrected": d["est"] - d["bias"],
                "expected_random": None,
                "n_areas": len(df),
                "n_persons": int(counts.to_numpy().sum()),
            }
        )
    return rows


def run(args: argparse.Namespace) -> int:
    import warnings

    import pandas as pd

    from grannskap.errors import (
        ConfigError,
        DataNotFoundError,
        DataQualityWarning,
        GrannskapWarning,
    )
    from grannskap.measures import segregation as seg
    from grannskap.store import connect

    if not (args.ci == 0 or 0 < args.ci < 1):
        raise ConfigError(
            f"`--ci` was {args.ci} but is expected to be 0 (no intervals) or between 0 and 1"
        )
    if args.n_boot < 2 or args.n_sim < 0:
        raise ConfigError(
            f"`--n-boot` must be >= 2 and `--n-sim` >= 0 (got {args.n_boot}, {args.n_sim})"
        )
    distances: list[float | None] = [None, *sorted(set(args.distance or []))]
    if any(d is not None and not d > 0 for d in distances):
        raise ConfigError(f"`--distance` must be positive metres (got {args.distance})")
    indices = args.index or list(DEFAULT_INDICES)
    con = connect(args.db, read_only=True)
    rows = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", GrannskapWarning)
            for year in sorted(set(args.year)):
                df, cols = _counts(con, args.level, args.groups, year, args.kommun)
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
                    rows.extend(_decomposition_rows(seg, df, cols, year, args))
                for scope, sub in scopes:
                    counts = sub[cols].astype("int64")
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
                                    "se": r.se,
                                    "bias_corrected": r.bias_corrected,
                                    "expected_random": expected,
                                    "n_areas": r.n_areas,
                                    "n_persons": int(r.n_persons),
                                }
                            )
        for w in caught:
            print(f"grannskap: warning: {w.message}", file=sys.stderr)
    finally:
        con.close()
    out = pd.DataFrame(rows)
    out.to_csv(args.out, index=False)
    print(f"wrote {len(out)} row(s) to {args.out}")
    return 0
