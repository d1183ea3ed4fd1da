"""``grannskap serve [--demo] [--db PATH] [--host 127.0.0.1] [--port 8000]``: the read-only dashboard."""

from __future__ import annotations

import argparse

from grannskap.cli import add_db_argument

__all__ = ["register", "run"]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("serve", help="serve the read-only dashboard on localhost")
    p.add_argument(
        "--demo",
        action="store_true",
        help="build the embedded demo database first (into ./grannskap-demo.duckdb unless --db is given)",
    )
    p.add_argument(
        "--host", default="127.0.0.1", help="interface to listen on (default: 127.0.0.1)"
    )
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000; 0 = any free port)")
    p.add_argument(
        "--kommun",
        default="1490",
        metavar="CODE",
        help="default municipality (default: 1490 Borås)",
    )
    p.add_argument(
        "--min-count", type=int, default=None, metavar="N", help="small-count threshold (default 5)"
    )
    p.add_argument(
        "--no-cache", action="store_true", help="render every request anew (no response cache)"
    )
    p.add_argument(
        "--no-watch",
        action="store_true",
        help="serve the database file itself (default: a private copy that is replaced when an "
        "import has changed the file, so imports can run while the dashboard is up)",
    )
    p.add_argument(
        "--auth-token-file",
        metavar="FILE",
        help="require this file's token (first line) on every request: as the password of the "
        "browser's login prompt (HTTP basic auth, any user name) or `Authorization: Bearer "
        "TOKEN`; see docs/deployment.md",
    )
    add_db_argument(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import logging

    from grannskap.errors import ConfigError
    from grannskap.web.server import make_app, serve

    if not 0 <= args.port <= 65535:
        raise ConfigError(f"--port was {args.port} but is expected to be between 0 and 65535")
    db = args.db
    if args.demo:
        from grannskap.demo import build_demo
        from grannskap.store import connect

        if db == "grannskap.duckdb":
            db = "grannskap-demo.duckdb"
        con = connect(db)
        try:
            build_demo(con)
        finally:
            con.close()
    token = _read_token(args.auth_token_file) if args.auth_token_file else None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    print("preparing the dashboard ...", flush=True)
    app = make_app(
        db,
        kommun=args.kommun,
        threshold=args.min_count,
        cache_responses=not args.no_cache,
        watch=not args.no_watch,
    )
    try:
        serve(app, args.host, args.port, auth_token=token)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise ConfigError(f"cannot listen on {args.host}:{args.port}: {exc}") from None
    return 0


def _read_token(path: str) -> str:
    """The token: the file's first line, at least 16 characters."""
    from pathlib import Path

    from grannskap.errors import ConfigError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--auth-token-file {path}: cannot read the token ({exc})") from None
    lines = text.strip().splitlines()
    token = lines[0].strip() if lines else ""
    if len(token) < 16:
        raise ConfigError(
            f"--auth-token-file {path}: the token has {len(token)} characters but is expected to "
            "have at least 16 (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)"
        )
    return token
