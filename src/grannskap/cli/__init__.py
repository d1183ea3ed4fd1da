"""Command-line interface: ``grannskap <command> ...``.

Each command lives in its own module in this package and exposes ``register(subparsers)``,
which adds an ``argparse`` sub-parser whose ``func`` default takes the parsed namespace and
returns an exit code. To add a command, write ``cli/<name>.py`` and add its module name to
``COMMAND_MODULES``. Command modules import their heavy dependencies inside ``run`` so that
``grannskap --help`` stays fast.

Known errors (:class:`grannskap.errors.GrannskapError`) become one line per problem on
stderr and a non-zero exit code; a traceback is shown only for real bugs (or with ``--debug``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from grannskap import __version__

__all__ = ["main", "build_parser", "COMMAND_MODULES"]

COMMAND_MODULES: tuple[str, ...] = (
    "init",
    "import_",
    "fetch",
    "report",
    "classify",
    "goals",
    "segregation",
    "indicators",
    "evaluate",
    "register",
    "serve",
)


def add_db_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--db PATH`` option every command that touches the database shares."""
    parser.add_argument(
        "--db",
        default="grannskap.duckdb",
        metavar="PATH",
        help="DuckDB database file (default: ./grannskap.duckdb)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grannskap",
        description="Follow segregation and the effect of interventions area by area.",
    )
    parser.add_argument("--version", action="version", version=f"grannskap {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"grannskap.cli.{name}").register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from grannskap.errors import GrannskapError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = args.func(args)
    except GrannskapError as exc:
        if args.debug:
            raise
        for line in exc.lines():
            print(f"grannskap: error: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("grannskap: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a file that cannot be read or written: one line, no traceback
        if args.debug:
            raise
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        print(f"grannskap: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        # DuckDB failing while reading a damaged file (bad checksum, truncated block)
        if args.debug or not type(exc).__module__.lstrip("_").startswith("duckdb"):
            raise
        from grannskap.store.connection import corrupt_error

        print(
            f"grannskap: error: {corrupt_error(getattr(args, 'db', 'the database'), exc)}",
            file=sys.stderr,
        )
        return 1
    return int(code or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
