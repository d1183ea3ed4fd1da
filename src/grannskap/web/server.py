"""Serve the dashboard with the standard library (``ThreadingHTTPServer``), read-only.

The database is opened read-only; each request thread uses its own cursor. Nothing is loaded
from other origins: styles are served by the app, figures are inline SVG, and the
Content-Security-Policy header forbids every external origin.
"""

from __future__ import annotations

import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from grannskap.web.app import App, Response, security_headers
from grannskap.web.data import DashboardCache

__all__ = ["make_app", "make_server", "serve"]

log = logging.getLogger("grannskap.web")


def make_app(
    db: str | Path,
    *,
    kommun: str = "1490",
    threshold: int | None = None,
    warm: bool = True,
    cache_responses: bool = True,
) -> App:
    """Open ``db`` read-only and prepare the dashboard (optionally pre-building the default kommun)."""
    from grannskap.report.data import check_kommun
    from grannskap.store import connect

    con = connect(db, read_only=True, verify_data=True)  # a damaged file: one-line error
    check_kommun(con, kommun)
    app = App(
        DashboardCache(con, threshold), default_kommun=kommun, cache_responses=cache_responses
    )
    if warm:
        # the default page is ready before the server listens; English is prepared meanwhile
        app.cache.get(kommun, "sv")
        app.ready.clear()

        def _prepare_english() -> None:
            try:
                app.cache.get(kommun, "en")
            finally:
                app.ready.set()

        threading.Thread(target=_prepare_english, daemon=True).start()
    return app


class _Handler(BaseHTTPRequestHandler):
    app: App
    server_version = "grannskap"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    # headers and body are written separately: without TCP_NODELAY every keep-alive response
    # waits ~40 ms for the client's delayed ACK (Nagle), measured by benchmarks/bench_load.py
    disable_nagle_algorithm = True

    def _send(self, resp: Response, head_only: bool = False) -> None:
        self.send_response(resp.status)
        headers = {
            **security_headers(),
            "Content-Type": resp.content_type,
            "Content-Length": str(len(resp.body)),
            **resp.headers,
        }
        headers.setdefault("Cache-Control", "no-store")
        for k, v in headers.items():
            self.send_header(k, v)
        try:
            self.end_headers()
            if not head_only:
                self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            # the client went away (e.g. closed after half a request): no traceback on stderr
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        t0 = time.perf_counter()
        parts = urlsplit(self.path)
        resp = self.app.handle(parts.path, parts.query)
        self._send(resp)
        log.info(
            "%s %s %d %.1f ms",
            self.command,
            self.path,
            resp.status,
            1000 * (time.perf_counter() - t0),
        )

    def do_HEAD(self) -> None:  # noqa: N802
        parts = urlsplit(self.path)
        self._send(self.app.handle(parts.path, parts.query), head_only=True)

    def _method_not_allowed(self) -> None:
        body = b"read-only dashboard: only GET and HEAD are allowed"
        self._send(Response(405, body, "text/plain; charset=utf-8", {"Allow": "GET, HEAD"}))

    do_POST = do_PUT = do_DELETE = do_PATCH = _method_not_allowed  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server API
        log.debug(format, *args)


def make_server(app: App, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    handler = type("Handler", (_Handler,), {"app": app})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def serve(
    app: App, host: str = "127.0.0.1", port: int = 8000
) -> None:  # pragma: no cover - blocking
    server = make_server(app, host, port)
    print(
        f"grannskap dashboard on http://{host}:{server.server_address[1]}/ (Ctrl+C to stop)",
        flush=True,
    )
    try:
        server.serve_forever()
    finally:
        server.server_close()
