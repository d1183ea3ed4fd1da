"""``grannskap import FILE...``: import files into the database, each in one transaction."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grannskap.cli import add_db_argument

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "import",
        help="import SCB/Kolada/Police/programme files into the database",
        description="Import files; the format of each is detected. Each file is one transaction: "
        "on any problem the database is unchanged and every problem is listed. Re-importing the "
        "same file changes nothing.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p.add_argument("--year", type=int, help="list year for Police files whose name does not say it")
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from grannskap.errors import GrannskapError
    from grannskap.ingest.importer import import_file
    from grannskap.store import connect

    con = connect(args.db)
    failed = 0
    try:
        for path in args.files:
            try:
                result = import_file(con, path, year=args.year)
            except GrannskapError as exc:
                failed += 1
                for line in exc.lines():
                    print(f"grannskap: error: {line}", file=sys.stderr)
                continue
            print(result.describe())
    finally:
        con.close()
    if failed:
        print(
            f"grannskap: {failed} of {len(args.files)} file(s) not imported; the database is unchanged "
            "for those files",
            file=sys.stderr,
        )
        return 1
    return 0
