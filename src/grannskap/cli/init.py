"""``grannskap init [--demo]``: create (and migrate) a database, optionally with the demo data."""

from __future__ import annotations

import argparse

from grannskap.cli import add_db_argument

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "init", help="create or upgrade a database (optionally load the Borås demo data)"
    )
    p.add_argument(
        "--demo", action="store_true", help="load the embedded Borås/Sweden demo dataset"
    )
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from grannskap.store import connect, schema_version

    con = connect(args.db)
    try:
        if args.demo:
            from grannskap.demo import build_demo

            for result in build_demo(con):
                print(result.describe())
        print(f"{args.db}: schema version {schema_version(con)}")
    finally:
        con.close()
    return 0
