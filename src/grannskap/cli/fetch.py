"""``grannskap fetch scb|kolada|geodata ...``: read official statistics over HTTP and store them.

- ``fetch scb TABLE_ID [--select VAR=code,code ...] [--codelist VAR=ID ...]`` — SCB PxWebApi v2,
  split under SCB's cell limit, 30 calls / 10 s, retries on 429/503;
- ``fetch kolada KPI --municipality 1490,0000 --years 2018-2024`` — Kolada v3, all pages;
- ``fetch geodata --layer DeSO_2018 [--kommun 1490] --out FILE.geojson [--db PATH]`` — SCB's
  WFS polygons written as GeoJSON (EPSG:3006), imported into the database when ``--db`` is given;
- ``fetch standard --kommun 1490 [--from 2011] [--to 2024]`` (or ``--all-sweden``) — every table
  the report's history needs (:mod:`grannskap.ingest.fetch.recipe`), year by year, resumable,
  with a progress bar and a summary; then the RegSO polygons.

A fetch is all-or-nothing: when any request fails, nothing is stored. Stored tables go through
:func:`grannskap.store.load.load_parsed` (one transaction, idempotent on the content hash).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from grannskap.cli import add_db_argument

__all__ = [
    "register",
    "run_scb",
    "run_kolada",
    "run_geodata",
    "run_standard",
    "parse_assignments",
]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "fetch",
        help="fetch SCB (PxWebApi v2), Kolada or SCB geodata over the network",
        description="Fetch official statistics over HTTP and store them in the database. "
        "A fetch is all-or-nothing: if any request fails, nothing is stored.",
    )
    fsub = p.add_subparsers(dest="source", metavar="SOURCE")
    fsub.required = True

    s = fsub.add_parser("scb", help="a table from SCB's Statistikdatabasen (PxWebApi v2)")
    s.add_argument("table_id", metavar="TABLE_ID", help="SCB table id, e.g. TAB6571")
    s.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="VAR=code,code",
        help="values of a variable (codes or expressions: *, 1490*, from(2018), range(a,b), "
        "top(3)); repeat per variable. Unselected variables are eliminated where SCB allows it, "
        "otherwise all their values are fetched",
    )
    s.add_argument(
        "--codelist",
        action="append",
        default=[],
        metavar="VAR=ID",
        help="code list for a variable, e.g. Region=vs_RegSO2025",
    )
    s.add_argument("--lang", default="sv", choices=["sv", "en"])
    s.add_argument(
        "--method",
        default="POST",
        choices=["POST", "GET"],
        help="POST the selection (default) or GET with valuecodes (POST when the URL is too long)",
    )
    _common(s, "https://statistikdatabasen.scb.se/api/v2")
    add_db_argument(s)
    s.set_defaults(func=run_scb)

    k = fsub.add_parser("kolada", help="a key figure (KPI) from Kolada v3")
    k.add_argument("kpi", metavar="KPI", help="Kolada KPI id, e.g. N00945")
    k.add_argument(
        "--municipality",
        required=True,
        metavar="ID,ID",
        help="Kolada municipality ids, e.g. 1490,0000 (0000 = Riket)",
    )
    k.add_argument("--years", required=True, metavar="YEARS", help="e.g. 2018-2024 or 2019,2021")
    _common(k, "https://api.kolada.se/v3")
    add_db_argument(k)
    k.set_defaults(func=run_kolada)

    g = fsub.add_parser("geodata", help="DeSO/RegSO polygons from SCB's geodata WFS")
    g.add_argument(
        "--layer", required=True, choices=["DeSO_2018", "DeSO_2025", "RegSO_2020", "RegSO_2025"]
    )
    g.add_argument("--kommun", metavar="CODE", help="only this kommun, e.g. 1490")
    g.add_argument("--out", required=True, type=Path, metavar="FILE.geojson")
    g.add_argument("--page-size", type=int, default=1000, help="features per request")
    _common(g, "https://geodata.scb.se/geoserver/stat/wfs")
    g.add_argument(
        "--db",
        default=None,
        metavar="PATH",
        help="also import the polygons into this database (default: only write the file)",
    )
    g.set_defaults(func=run_geodata)

    r = fsub.add_parser(
        "standard",
        help="every SCB table the report's history needs, for one kommun or all of Sweden",
        description="Fetch population by födelseregion (TAB6572), dwellings by upplåtelseform "
        "(TAB6258) and SCB's socioeconomic index with the official områdestyp (TAB6586) per "
        "RegSO, year by year, then the RegSO polygons. Years already in the database are "
        "skipped, so an interrupted run resumes; each year is stored in one transaction.",
    )
    where = r.add_mutually_exclusive_group(required=True)
    where.add_argument("--kommun", metavar="CODE", help="one kommun, e.g. 1490")
    where.add_argument("--all-sweden", action="store_true", help="all 3,363 RegSO of Sweden")
    r.add_argument("--from", dest="first_year", type=int, default=2011, metavar="YEAR")
    r.add_argument(
        "--to",
        dest="last_year",
        type=int,
        default=2023,
        metavar="YEAR",
        help="last statistics year (default 2023, the last year on RegSO 2020 codes)",
    )
    r.add_argument(
        "--no-geodata", action="store_true", help="skip the RegSO polygons from SCB's WFS"
    )
    r.add_argument(
        "--geodata-url",
        default="https://geodata.scb.se/geoserver/stat/wfs",
        metavar="URL",
        help="SCB's geodata WFS (default https://geodata.scb.se/geoserver/stat/wfs)",
    )
    _common(r, "https://statistikdatabasen.scb.se/api/v2")
    add_db_argument(r)
    r.set_defaults(func=run_standard)


def _common(p: argparse.ArgumentParser, default_url: str) -> None:
    p.add_argument("--base-url", default=default_url, metavar="URL", help=f"default {default_url}")
    p.add_argument(
        "--cache",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep completed responses here so an interrupted fetch resumes",
    )
    p.add_argument("--timeout", type=float, default=60.0, help="seconds per request")
    p.add_argument("--retries", type=int, default=5, help="retries on 429/503/network errors")


def parse_assignments(items: list[str], option: str) -> dict[str, list[str]]:
    """``["Region=1490*,0114", "Tid=2022"]`` -> ``{"Region": ["1490*", "0114"], "Tid": ["2022"]}``."""
    from grannskap.errors import ConfigError

    out: dict[str, list[str]] = {}
    for item in items:
        var, sep, values = item.partition("=")
        codes = _split_codes(values)
        if not sep or not var.strip() or not codes:
            raise ConfigError(f"`{option}` was {item!r}; expected VAR=code[,code...]")
        if var.strip() in out:
            raise ConfigError(f"`{option}` names {var.strip()!r} twice; give its values once")
        out[var.strip()] = codes
    return out


def _split_codes(text: str) -> list[str]:
    """Split on commas outside parentheses (``range(2018,2020)`` stays whole)."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += (ch == "(") - (ch == ")")
        cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def _http(args: argparse.Namespace, calls: int, period: float):  # type: ignore[no-untyped-def]
    from grannskap.errors import ConfigError
    from grannskap.ingest.fetch.http import HttpClient, RateLimiter

    if args.timeout <= 0 or args.retries < 0:
        raise ConfigError(
            f"`--timeout` was {args.timeout} and `--retries` {args.retries}; expected > 0 and >= 0"
        )
    return HttpClient(
        limiter=RateLimiter(calls, period),
        timeout=args.timeout,
        max_retries=args.retries,
        cache_dir=args.cache,
    )


def _store(parsed, db: str) -> str:  # type: ignore[no-untyped-def]
    from grannskap.store import connect
    from grannskap.store.load import load_parsed

    con = connect(db)
    try:
        return load_parsed(con, parsed).describe()
    finally:
        con.close()


def run_scb(args: argparse.Namespace) -> int:
    from grannskap.ingest.fetch.scb import SCB_CALLS, SCB_WINDOW, ScbClient

    selection = parse_assignments(args.select, "--select")
    codelists = {v: c[0] for v, c in parse_assignments(args.codelist, "--codelist").items()}
    client = ScbClient(
        args.base_url,
        lang=args.lang,
        http=_http(args, SCB_CALLS, SCB_WINDOW),
        method=args.method,
    )
    parsed = client.fetch(args.table_id, selection, codelists)
    print(
        f"{args.table_id}: fetched {len(parsed.observations)} values "
        f"in {client.http.attempts} HTTP request(s)"
    )
    print(_store(parsed, args.db))
    return 0


def run_kolada(args: argparse.Namespace) -> int:
    from grannskap.ingest.fetch.kolada import KOLADA_CALLS, KOLADA_WINDOW, KoladaClient, parse_years

    munis = [m.strip() for m in args.municipality.split(",") if m.strip()]
    years = parse_years(args.years)
    client = KoladaClient(args.base_url, http=_http(args, KOLADA_CALLS, KOLADA_WINDOW))
    parsed = client.fetch(args.kpi, munis, years)
    print(f"{args.kpi}: fetched {len(parsed.observations)} values ({parsed.title})")
    print(_store(parsed, args.db))
    return 0


def run_geodata(args: argparse.Namespace) -> int:
    from grannskap.errors import ConfigError
    from grannskap.ingest.fetch.geodata import GeodataClient

    if args.page_size < 1:
        raise ConfigError(f"`--page-size` was {args.page_size}; expected at least 1")
    if args.db and args.layer.endswith("2025") and "2025" not in args.out.name:
        # the importer reads the DeSO/RegSO version (2018/2020 or 2025) from the file name
        raise ConfigError(
            f"`--out` was {args.out.name!r}; with `--db` and layer {args.layer} the file name "
            "must contain 2025 (e.g. deso_2025_1490.geojson) so the codes are stored as the 2025 division"
        )
    client = GeodataClient(args.base_url, http=_http(args, 5, 1.0), page_size=args.page_size)
    res = client.fetch_to_file(args.layer, args.out, kommun=args.kommun)
    print(
        f"{res.path}: {res.n_features} {res.layer} polygons (EPSG:3006) in {res.n_requests} request(s)"
    )
    if args.db:
        from grannskap.ingest.importer import import_file
        from grannskap.store import connect

        con = connect(args.db)
        try:
            print(import_file(con, res.path).describe())
        finally:
            con.close()
    return 0


def run_standard(args: argparse.Namespace) -> int:
    import sys
    import tempfile

    from tqdm import tqdm

    from grannskap.errors import ConfigError
    from grannskap.ingest.fetch.recipe import run_standard as walk
    from grannskap.ingest.fetch.scb import SCB_CALLS, SCB_WINDOW, ScbClient
    from grannskap.store import connect

    if args.kommun is not None and not (len(args.kommun) == 4 and args.kommun.isdigit()):
        raise ConfigError(f"`--kommun` was {args.kommun!r}; expected a four-digit kommunkod")
    if not 1990 <= args.first_year <= args.last_year <= 2100:
        raise ConfigError(
            f"`--from {args.first_year} --to {args.last_year}`: expected 1990 <= from <= to"
        )
    prefix = "" if args.all_sweden else args.kommun
    client = ScbClient(args.base_url, http=_http(args, SCB_CALLS, SCB_WINDOW))
    con = connect(args.db)
    try:

        def bar(steps):  # type: ignore[no-untyped-def]
            return tqdm(
                steps, desc="SCB", unit="table-year", file=sys.stderr, disable=None, leave=False
            )

        outcomes = walk(
            con,
            client,
            regions="*R*" if args.all_sweden else f"{args.kommun}R*",
            area_code_prefix=prefix,
            first_year=args.first_year,
            last_year=args.last_year,
            progress=bar,
        )
        for out in outcomes:
            print(out.describe())
        if not args.no_geodata:
            from grannskap.ingest.fetch.geodata import GeodataClient
            from grannskap.ingest.importer import import_file

            geo = GeodataClient(args.geodata_url, http=_http(args, 5, 1.0))
            with tempfile.TemporaryDirectory(prefix="grannskap-geodata-") as tmp:
                name = f"regso_2020_{prefix or 'sverige'}.geojson"
                res = geo.fetch_to_file("RegSO_2020", Path(tmp) / name, kommun=args.kommun or None)
                print(f"RegSO_2020 polygons: {res.n_features} in {res.n_requests} request(s)")
                print(import_file(con, res.path).describe())
    finally:
        con.close()
    print(f"stored in {args.db}; `grannskap report --db {args.db}` shows the years fetched")
    return 0
