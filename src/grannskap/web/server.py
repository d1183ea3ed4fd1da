"""Serve the dashboard with uvicorn (ASGI, :mod:`.asgi`), read-only.

The database is opened read-only; each page is rendered in a bounded thread pool with its own
cursor. Nothing is loaded from other origins: styles are served by the app, figures are inline
SVG, and the Content-Security-Policy header forbids every external origin.

What one client can no longer do (issue 18, finding 4; figures in ``RELIABILITY.md``):

* hold a connection open without sending a complete request: the request line and headers
  must arrive within :data:`HEADER_TIMEOUT` seconds, an idle keep-alive connection is closed
  after :data:`KEEP_ALIVE` seconds (``timeout_keep_alive``);
* open connections without limit: beyond :data:`MAX_CONNECTIONS` a new connection is answered
  503 and closed; the listen backlog is 2048;
* send huge headers or URLs: the request line and headers together are limited to
  :data:`MAX_HEADER_BYTES` (h11's ``max_incomplete_event_size``; 400 beyond);
* get an answer without the security headers: uvicorn's own 400/503 answers carry them too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from pathlib import Path
from typing import Any

from grannskap.web.app import App, security_headers
from grannskap.web.data import DashboardCache

__all__ = [
    "make_app",
    "make_server",
    "serve",
    "DashboardServer",
    "HEADER_TIMEOUT",
    "KEEP_ALIVE",
    "MAX_CONNECTIONS",
    "MAX_HEADER_BYTES",
    "BACKLOG",
]

log = logging.getLogger("grannskap.web")

HEADER_TIMEOUT = 10.0
KEEP_ALIVE = 5
MAX_CONNECTIONS = 4000
MAX_HEADER_BYTES = 16 * 1024
BACKLOG = 2048


def make_app(
    db: str | Path,
    *,
    kommun: str = "1490",
    threshold: int | None = None,
    warm: bool = True,
    cache_responses: bool = True,
    watch: bool = False,
    poll: float = 2.0,
) -> App:
    """Open ``db`` read-only and prepare the dashboard.

    Pages are built lazily, per (kommun, language) under their own lock, so the server can
    listen at once; with ``warm`` the default kommun is built in a background thread meanwhile
    (``/healthz`` answers 503 until it is ready).

    With ``watch`` the dashboard serves a private copy of the database (:mod:`.snapshot`) and
    never holds the original open, so ``grannskap import`` can write it while the dashboard
    runs; every ``poll`` seconds a committed change is copied, its default pages are built,
    and the dashboard switches to it (no restart, no failed requests).
    """
    from grannskap.errors import DatabaseError
    from grannskap.report.data import check_kommun
    from grannskap.store import connect

    snaps = None
    source: str | Path = db
    if watch:
        from grannskap.web.snapshot import Snapshots

        snaps = Snapshots(db)
        source = snaps.first()[0]
    try:
        con = connect(source, read_only=True, verify_data=True)  # damaged: one-line error
    except DatabaseError as exc:
        if snaps is not None:
            snaps.cleanup()
        raise DatabaseError(str(exc).replace(str(source), str(db))) from None
    check_kommun(con, kommun)
    app = App(
        DashboardCache(con, threshold), default_kommun=kommun, cache_responses=cache_responses
    )
    if warm:
        app.ready.clear()

        def _prepare() -> None:
            try:
                for lang in ("sv", "en"):
                    app.cache.get(kommun, lang)
            except Exception:  # noqa: BLE001 - the first request shows the error instead
                log.exception("preparing the dashboard for %s failed", kommun)
            finally:
                app.ready.set()

        threading.Thread(target=_prepare, daemon=True, name="grannskap-warm").start()
    if snaps is not None:
        current = [Path(source)]

        def switch(path: Path) -> Any:
            new_con = connect(path, read_only=True, verify_data=True)
            try:
                check_kommun(new_con, kommun)
                cache = DashboardCache(new_con, threshold)
                for lang in ("sv", "en"):  # built before the switch: no request waits for it
                    cache.get(kommun, lang)
            except BaseException:
                new_con.close()
                raise
            old, old_path = app.replace_cache(cache), current[0]
            current[0] = path

            def release() -> None:
                with contextlib.suppress(Exception):
                    old.close()
                old_path.unlink(missing_ok=True)

            return release

        snaps.watch(switch, poll=poll)
        app.snapshots = snaps  # type: ignore[attr-defined]
    return app


def _protocol_class() -> type:
    """uvicorn's h11 protocol with a deadline for the request head, a connection limit, and the
    security headers on its own error answers."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    secure = [(k.lower().encode(), v.encode()) for k, v in security_headers().items()]

    class Protocol(H11Protocol):
        header_timeout = HEADER_TIMEOUT
        max_connections = MAX_CONNECTIONS

        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._cycles = 0
            self._head_timer: asyncio.TimerHandle | None = None
            if len(self.connections) > self.max_connections:
                self._refuse(503, "Servern är upptagen / the server is busy")
                return
            self._arm()

        def _arm(self) -> None:
            if self._head_timer is not None:
                self._head_timer.cancel()
            seen = self._cycles
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_deadline, seen)

        def _head_deadline(self, seen: int) -> None:
            # no new request head since the timer was set: a stalled or idle client
            if self._cycles == seen and not self.transport.is_closing():
                self.transport.close()

        def handle_events(self) -> None:
            before = self.cycle
            super().handle_events()
            if self.cycle is not before and self.cycle is not None:
                self._cycles += 1
                self._head_bytes = 0
                if self._head_timer is not None:
                    self._head_timer.cancel()
                    self._head_timer = None

        def eof_received(self) -> bool | None:  # type: ignore[override]
            # a client that half-closes after its request (``shutdown(SHUT_WR)``) still gets
            # the answer; without a request in progress the connection is closed
            self._eof = True
            if self.cycle is not None and not self.cycle.response_complete:
                return True
            return None

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if getattr(self, "_eof", False):
                self.transport.close()
            elif not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if getattr(self, "_head_timer", None) is not None:
                self._head_timer.cancel()  # type: ignore[union-attr]
            super().connection_lost(exc)

        def _refuse(self, status: int, text: str) -> None:
            # written directly (not through h11): also valid before any request was parsed
            body = text.encode("utf-8")
            reason = {400: b"Bad Request", 431: b"Request Header Fields Too Large"}.get(
                status, b"Service Unavailable"
            )
            headers = [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                (b"cache-control", b"no-store"),
                *secure,
            ]
            head = b"HTTP/1.1 %d %s\r\n" % (status, reason)
            head += b"".join(k + b": " + v + b"\r\n" for k, v in headers) + b"\r\n"
            if not self.transport.is_closing():
                self.transport.write(head + body)
                self.transport.close()

        def data_received(self, data: bytes) -> None:
            # h11 limits only an *incomplete* head; a complete 64 kB head arriving at once
            # would pass, so the bytes before each request head are counted here
            if self.cycle is None or self.cycle.response_complete:
                self._head_bytes = getattr(self, "_head_bytes", 0) + len(data)
                if self._head_bytes > MAX_HEADER_BYTES:
                    self._refuse(431, "Begärans huvud är för stort / request head too large")
                    return
            super().data_received(data)

        def send_400_response(self, msg: str) -> None:
            self._refuse(400, f"Felaktig begäran / bad request: {msg}")

    return Protocol


class DashboardServer:
    """uvicorn serving the dashboard on a socket bound at construction (``port=0``: any free
    port, see :attr:`server_address`); the interface of ``socketserver`` servers
    (``serve_forever``, ``shutdown``, ``server_close``) so that callers can run it in a
    thread."""

    def __init__(
        self,
        app: App,
        host: str = "127.0.0.1",
        port: int = 8000,
        *,
        auth_token: str | None = None,
        max_connections: int = MAX_CONNECTIONS,
        header_timeout: float = HEADER_TIMEOUT,
    ) -> None:
        import uvicorn

        from grannskap.web.asgi import asgi_app

        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.socket = socket.socket(family, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self.socket.bind((host, port))
            self.socket.listen(BACKLOG)
        except OSError:
            self.socket.close()
            raise
        self.server_address = self.socket.getsockname()[:2]
        protocol = _protocol_class()
        protocol.max_connections = max_connections  # type: ignore[attr-defined]
        protocol.header_timeout = header_timeout  # type: ignore[attr-defined]
        config = uvicorn.Config(
            asgi_app(app, auth_token=auth_token),
            http=protocol,
            lifespan="off",
            timeout_keep_alive=KEEP_ALIVE,
            backlog=BACKLOG,
            h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            server_header=False,
            date_header=True,
            access_log=False,
            log_level="warning",
            log_config=None,
            timeout_graceful_shutdown=5,
        )
        self._server = uvicorn.Server(config)
        self._done = threading.Event()

    def serve_forever(self) -> None:
        """Serve until :meth:`shutdown` (or Ctrl+C in the main thread)."""
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self._done.set()

    def shutdown(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._done.wait(timeout)

    def server_close(self) -> None:
        with contextlib.suppress(OSError):
            self.socket.close()


def make_server(
    app: App, host: str = "127.0.0.1", port: int = 8000, *, auth_token: str | None = None
) -> DashboardServer:
    return DashboardServer(app, host, port, auth_token=auth_token)


def _raise_fd_limit(wanted: int = MAX_CONNECTIONS + 256) -> None:
    """Idle connections each hold a file descriptor; the common soft limit of 1,024 is below
    the connection limit, so raise it up to the hard limit."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))


def serve(
    app: App, host: str = "127.0.0.1", port: int = 8000, *, auth_token: str | None = None
) -> None:  # pragma: no cover - blocking
    _raise_fd_limit()
    server = make_server(app, host, port, auth_token=auth_token)
    print(
        f"grannskap dashboard on http://{host}:{server.server_address[1]}/ (Ctrl+C to stop)"
        + (" — login required (token)" if auth_token else ""),
        flush=True,
    )
    try:
        server.serve_forever()
    finally:
        server.server_close()
        # a process leaving while DuckDB builds pages in the warm-up thread aborts
        # ("terminate called ..."); let the build finish first
        app.ready.wait(120)
