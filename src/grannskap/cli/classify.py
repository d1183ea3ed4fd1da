"""``grannskap classify``: SCB/Delmos' socioeconomic index and *områdestyper* per area to CSV."""

from __future__ import annotations

import argparse

from grannskap.cli import add_db_argument

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "classify",
        help="compute the socioeconomic index and områdestyper (SCB/Delmos) per area and year",
    )
    p.add_argument(
        "--level", choices=["regso", "deso"], default="regso", help="area level (default regso)"
    )
    p.add_argument(
        "--year", type=int, action="append", required=True, help="statistics year (repeatable)"
    )
    p.add_argument(
        "--profile",
        default="auto",
        metavar="scb|proxy|auto|FILE.yaml",
        help="index definition: scb (exact), proxy (public DeSO tables), auto (scb if "
        "available; default) or a YAML file with your own components",
    )
    p.add_argument(
        "--weights",
        metavar="V1=1,V2=1,V3=1",
        help="component weights (default: equal, as SCB)",
    )
    p.add_argument(
        "--sd",
        choices=["sample", "population"],
        default="sample",
        help="standard deviation of the cut (default sample, ddof=1)",
    )
    p.add_argument(
        "--min-population",
        type=float,
        default=50.0,
        help="areas with fewer inhabitants are flagged, not classified (default 50)",
    )
    p.add_argument(
        "--reference",
        choices=["nation", "county", "municipality"],
        default="nation",
        help="areas over which mean and SD are taken (SCB: nation)",
    )
    p.add_argument(
        "--kommun", help="write only the areas of this kommun (types are still cut nationally)"
    )
    p.add_argument(
        "--min-count",
        type=int,
        default=None,
        metavar="N",
        help="suppress component shares based on fewer than N persons, and the cells that "
        "would give them away (default 5 or $GRANNSKAP_MIN_COUNT)",
    )
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output CSV file")
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import warnings

    from grannskap.errors import ConfigError, DataQualityWarning
    from grannskap.measures.socioeconomic import CutRule, agreement, load_profile
    from grannskap.outputs import write_csv
    from grannskap.privacy import check_threshold, default_threshold
    from grannskap.store import connect
    from grannskap.store.socioeconomic import classify_from_store

    threshold = (
        check_threshold(args.min_count) if args.min_count is not None else default_threshold()
    )
    profile = args.profile
    if profile not in ("auto", "scb", "proxy"):
        profile = load_profile(profile)
    weights = None
    if args.weights:
        weights = {}
        for part in args.weights.split(","):
            key, _, val = part.partition("=")
            try:
                weights[key.strip()] = float(val)
            except ValueError:
                raise ConfigError(
                    f"`--weights` part {part!r} is not KEY=NUMBER (e.g. V1=1,V2=1,V3=1)"
                ) from None
    rule = CutRule(
        reference=args.reference,
        ddof=1 if args.sd == "sample" else 0,
        min_population=args.min_population,
    )
    con = connect(args.db, read_only=True)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", DataQualityWarning)
            res = classify_from_store(
                con,
                sorted(set(args.year)),
                level=args.level,
                profile=profile,
                rule=rule,
                weights=weights,
            )
        if args.level == "deso":
            from grannskap.store.series import area_parents

            systems = res.frame["area_system"].unique() if "area_system" in res.frame else []
            args._parents = {str(s): area_parents(con, str(s)) for s in systems}
    finally:
        con.close()
    f, n_hidden = _publishable(res, args, threshold)
    if args.kommun:
        f = f[f["area_code"].astype(str).str[:4] == args.kommun]
    cols = ["area_code", "year", "index", "omradestyp"]
    if "area_system" in f.columns:
        cols.insert(2, "area_system")
    if "official" in f.columns:
        cols.append("official")
    cols += [
        c
        for c in (*res.index.components, "population", "mu", "sigma", "z", "flag")
        if c in f.columns
    ]
    out = f[cols].rename(columns={"official": "omradestyp_official"})
    write_csv(out, args.out)
    print(f"{args.out}: {len(out)} areas, profile {res.index.profile}, level {args.level}")
    if n_hidden["primary"] or n_hidden["secondary"]:
        print(
            f"note: {n_hidden['primary']} component shares based on fewer than {threshold} "
            f"persons and {n_hidden['secondary']} that would give them away are empty; the "
            "index and z of those areas too (shares rounded to 0.1 percentage points)"
        )
    for w in caught:
        print(f"note: {w.message}")
    for n in res.notes:
        print(f"note: {n}")
    if "official" in f.columns and f["official"].notna().any():
        for y, g in f.groupby("year"):
            g = g.dropna(subset=["official", "omradestyp"])
            if len(g):
                a = agreement(
                    g.set_index("area_code")["omradestyp"], g.set_index("area_code")["official"]
                )
                print(
                    f"agreement with SCB's official types {int(y)}: {a.n_agree}/{a.n} = {a.rate:.1%}"
                )
    return 0


def _publishable(res, args: argparse.Namespace, threshold: int):  # type: ignore[no-untyped-def]
    """The result frame as published: component shares with primary and secondary suppression
    over area → (RegSO →) kommun → Sweden per division and year, shares and index rounded, the
    index and z of an area with a hidden share blanked (issue 18)."""
    import pandas as pd

    from grannskap.privacy import publishable_shares, round_published

    f = res.frame.copy()
    f["kommun"] = f["area_code"].astype(str).str[:4]
    f["nation"] = "00"
    groups = ["kommun", "nation"]
    parents = getattr(args, "_parents", None)
    if args.level == "deso" and parents:
        key = pd.concat(
            [p.assign(area_system=s) for s, p in parents.items()], ignore_index=True
        ).rename(columns={"code": "area_code", "parent_code": "regso"})
        f = f.merge(key[["area_code", "area_system", "regso"]], how="left")
        groups = ["regso", "kommun", "nation"]
    keys = [k for k in res.index.components if f"{k}_num" in f.columns]
    by = [c for c in ("area_system", "year") if c in f.columns]
    frames, counts = [], {"primary": 0, "secondary": 0}
    for _, sub in f.groupby(by, sort=False):
        out, c = publishable_shares(
            sub.reset_index(drop=True),
            keys,
            threshold,
            groups=groups,
            by=None,
            decimals=1,
            derived=("index", "z"),
        )
        frames.append(out)
        counts = {k: counts[k] + c[k] for k in counts}
    f = pd.concat(frames, ignore_index=True)
    for col, d in (("index", 1), ("z", 2), ("mu", 2), ("sigma", 2)):
        if col in f.columns:
            f[col] = round_published(pd.to_numeric(f[col], errors="coerce"), d)
    if "population" in f.columns:
        pop = pd.to_numeric(f["population"], errors="coerce")
        f["population"] = pop.where(~(pop < threshold)).round(0)
    return f, counts
