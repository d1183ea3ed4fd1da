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
    p.add_argument("--out", required=True, metavar="FILE.csv", help="output CSV file")
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import warnings

    from grannskap.errors import ConfigError, DataQualityWarning
    from grannskap.measures.socioeconomic import (
        CutRule,
        agreement,
        classify_from_store,
        load_profile,
    )
    from grannskap.store import connect

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
    finally:
        con.close()
    f = res.frame
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
    out.to_csv(args.out, index=False)
    print(f"{args.out}: {len(out)} areas, profile {res.index.profile}, level {args.level}")
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
