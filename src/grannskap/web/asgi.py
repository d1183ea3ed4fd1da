"""The dashboard as an ASGI application (Starlette), served by uvicorn in :mod:`.server`.

:class:`grannskap.web.app.App` stays a plain ``handle(path, query) -> Response`` function; this
module puts it on Starlette: only GET and HEAD, the page work in a bounded thread pool (the
database and the templates are synchronous), optional authentication with a token (Bearer or
HTTP basic auth, the token as password), and the security headers on every answer, errors
included. The raw request path is passed on undecoded, as :mod:`http.server` did, so the
routes' validation sees exactly what the client sent.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import time
from typing import TYPE_CHECKING, Any

from grannskap.web.app import App, security_headers

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response as StarletteResponse

__all__ = ["asgi_app", "THREADS"]

log = logging.getLogger("grannskap.web")

#: pages rendered at the same time (each needs a thread and a database cursor); requests beyond
#: it wait in the event loop, costing a few kB each, not a thread
THREADS = 16

_TEXT = {
    401: (
        "Inloggning krävs: ange lösenordet (token) för instrumentpanelen.",
        "Login required: give the dashboard's password (token).",
    ),
    405: (
        "Instrumentpanelen kan bara läsas: endast GET och HEAD är tillåtna.",
        "The dashboard is read-only: only GET and HEAD are allowed.",
    ),
}


def _plain(status: int, lang: str = "sv") -> bytes:
    sv, en = _TEXT[status]
    return (sv if lang == "sv" else en).encode("utf-8")


def asgi_app(app: App, *, auth_token: str | None = None, threads: int = THREADS) -> Any:
    """An ASGI application (Starlette requests and responses) serving ``app``.

    Parameters
    ----------
    app
        The dashboard.
    auth_token
        If given, every request except ``/healthz`` must carry it, as
        ``Authorization: Bearer <token>`` or as the password of HTTP basic auth (any user
        name; browsers ask for it). Without it, 401 with ``WWW-Authenticate: Basic``.
    threads
        Requests rendered at the same time.
    """
    import anyio.to_thread
    from starlette.requests import Request
    from starlette.responses import Response as StarletteResponse

    limiter: anyio.CapacityLimiter | None = None
    token = auth_token.encode("utf-8") if auth_token else None

    def answer(
        status: int, body: bytes, ctype: str, extra: dict[str, str], head: bool
    ) -> StarletteResponse:
        headers = {**security_headers(), **extra}
        headers.setdefault("Cache-Control", "no-store")
        headers["Content-Length"] = str(len(body))
        return StarletteResponse(b"" if head else body, status, headers, media_type=ctype)

    def authorised(request: Request) -> bool:
        if token is None or request.scope.get("path") == "/healthz":
            return True
        value = request.headers.get("authorization", "")
        scheme, _, cred = value.partition(" ")
        given = b""
        if scheme.lower() == "bearer":
            given = cred.strip().encode("utf-8", "replace")
        elif scheme.lower() == "basic":
            try:
                given = base64.b64decode(cred.strip(), validate=True).partition(b":")[2]
            except (binascii.Error, ValueError):
                return False
        return bool(given) and hmac.compare_digest(given, token)

    async def endpoint(request: Request) -> StarletteResponse:
        nonlocal limiter
        if limiter is None:  # created inside the event loop
            limiter = anyio.CapacityLimiter(threads)
        t0 = time.perf_counter()
        head = request.method == "HEAD"
        query = request.scope.get("query_string", b"").decode("latin-1")
        lang = "en" if "lang=en" in query else "sv"
        if request.method not in ("GET", "HEAD"):
            return answer(
                405, _plain(405, lang), "text/plain; charset=utf-8", {"Allow": "GET, HEAD"}, False
            )
        if not authorised(request):
            return answer(
                401,
                _plain(401, lang),
                "text/plain; charset=utf-8",
                {"WWW-Authenticate": 'Basic realm="grannskap", charset="UTF-8"'},
                head,
            )
        raw = request.scope.get("raw_path") or request.scope["path"].encode("utf-8")
        path = raw.decode("latin-1").split("?", 1)[0]
        resp = await anyio.to_thread.run_sync(app.handle, path, query, limiter=limiter)
        log.info(
            "%s %s %d %.1f ms",
            request.method,
            path + ("?" + query if query else ""),
            resp.status,
            1000 * (time.perf_counter() - t0),
        )
        return answer(resp.status, resp.body, resp.content_type, dict(resp.headers), head)

    async def application(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":  # no websockets; lifespan is off in the server
            return
        request = Request(scope, receive)
        try:
            response = await endpoint(request)
        except Exception:  # noqa: BLE001 - never a traceback to the client
            log.exception("error while serving %r", scope.get("raw_path"))
            response = answer(500, b"internal error", "text/plain; charset=utf-8", {}, False)
        await response(scope, receive, send)

    return application
