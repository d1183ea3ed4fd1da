"""``grannskap report [--demo] --out DIR [--lang sv|en] [--kommun 1490]``: write the follow-up report."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from grannskap.cli import add_db_argument

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "report",
        help="write the follow-up report (report.html, report.pdf, report.xlsx, areas.gpkg)",
        description="Write the follow-up report into DIR. With --demo the embedded Borås/Sweden "
        "dataset is loaded first (into DIR/grannskap-demo.duckdb unless --db is given).",
    )
    p.add_argument("--demo", action="store_true", help="build the embedded demo database first")
    p.add_argument("--out", default="out", metavar="DIR", help="output folder (default: ./out)")
    p.add_argument("--lang", default="sv", choices=("sv", "en"), help="language (default: sv)")
    p.add_argument(
        "--kommun", default="1490", metavar="CODE", help="municipality code (default: 1490 Borås)"
    )
    p.add_argument(
        "--format",
        dest="formats",
        action="append",
        choices=("html", "pdf", "xlsx", "gpkg"),
        help="write only these formats (repeatable; default: all four)",
    )
    p.add_argument(
        "--min-count",
        type=int,
        default=None,
        metavar="N",
        help="suppress counts/shares based on fewer than N persons (default 5 or $GRANNSKAP_MIN_COUNT)",
    )
    p.add_argument(
        "--compare",
        default=None,
        metavar="CODES",
        help="comparison municipalities, comma-separated codes (e.g. 1480,1380); default: the "
        "ten most alike on population, share foreign-born, tenure, income and områdestyp mix",
    )
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import warnings

    from grannskap.report.build import FORMATS, build_report
    from grannskap.store import connect

    t0 = time.perf_counter()
    out = Path(args.out)
    db = args.db
    if args.demo:
        from grannskap.demo import build_demo

        if db == "grannskap.duckdb":  # the default: keep the demo database beside the report
            out.mkdir(parents=True, exist_ok=True)
            db = str(out / "grannskap-demo.duckdb")
        con = connect(db)
        try:
            build_demo(con)
        finally:
            con.close()
        print(f"demo database: {db}")
    con = connect(db, read_only=True, verify_data=True)  # damaged file: error, not empty
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = build_report(
                con,
                out,
                kommun=args.kommun,
                lang=args.lang,
                formats=tuple(args.formats or FORMATS),
                threshold=args.min_count,
                demo=args.demo,
                compare=[c for c in (args.compare or "").split(",") if c.strip()] or None,
            )
    finally:
        con.close()
    for line in result.describe():
        print(line)
    for w in caught:
        print(f"warning: {w.message}")
    print(f"done in {time.perf_counter() - t0:.1f} s")
    return 0
