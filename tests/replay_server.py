"""A local HTTP server that replays recorded responses, for testing the fetchers offline.

Runs ``http.server.ThreadingHTTPServer`` on ``127.0.0.1`` with an OS-chosen port. Responses are
matched on method + path + query (parameters compared as a sorted multiset, so their order
does not matter) and, for requests with a body, the SHA-256 of the body (``body_sha256=None``
matches any body). A route may hold a *sequence* of responses, served in order (the last one
repeats): e.g. first a 429 with ``Retry-After``, then the recorded 200. A response may also be a
callable ``(RecordedRequest) -> Reply`` (used to serve a recorded cube in the slices a client
asks for) or ``Reply(drop_after=n)``, which announces the full ``Content-Length`` but closes the
connection after ``n`` body bytes (a connection lost mid-body).

Every request is recorded (monotonic time, method, path, query, body) for assertions.
Unmatched requests get a 404 whose body says no recording matched, so a test fails loudly.

``rewrite`` replaces absolute URLs of the real service in served bodies (e.g. Kolada's
``next_url`` pointing at ``https://api.kolada.se``) with the server's own address, so that
clients follow recorded links exactly as they would in production.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

__all__ = ["Reply", "RecordedRequest", "ReplayServer", "FIXTURES", "slice_cube", "jsonstat_slicer"]

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "http"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop_after: int | None = None  # close the connection after this many body bytes
    delay: float = 0.0

    @classmethod
    def json(cls, doc: object, status: int = 200, **headers: str) -> Reply:
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        return cls(status, body, {"Content-Type": "application/json; charset=utf-8", **headers})

    @classmethod
    def file(
        cls,
        path: str | Path,
        status: int = 200,
        content_type: str = "application/json; charset=utf-8",
    ) -> Reply:
        p = Path(path)
        if not p.is_absolute():
            p = FIXTURES / p
        return cls(status, p.read_bytes(), {"Content-Type": content_type})

    @classmethod
    def problem(cls, status: int, title: str, detail: str, **headers: str) -> Reply:
        """An RFC 7807 problem response as PxWebApi sends (OpenAPI ``ErrorResponse4xx``)."""
        body = json.dumps({"title": title, "status": status, "detail": detail}).encode()
        return cls(status, body, {"Content-Type": "application/problem+json", **headers})


@dataclass(frozen=True)
class RecordedRequest:
    time: float
    method: str
    path: str
    query: tuple[tuple[str, str], ...]
    body: bytes
    headers: dict[str, str]

    @property
    def params(self) -> dict[str, str]:
        return dict(self.query)

    def json(self) -> object:
        return json.loads(self.body.decode("utf-8"))


Responder = Reply | Callable[[RecordedRequest], Reply]


@dataclass
class _Route:
    method: str
    path: str
    query: tuple[tuple[str, str], ...] | None
    body_sha256: str | None
    replies: list[Responder]
    served: int = 0


def _canon_query(
    query: str | Iterable[tuple[str, str]] | dict[str, str] | None,
) -> tuple[tuple[str, str], ...] | None:
    if query is None:
        return None
    if isinstance(query, str):
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    elif isinstance(query, dict):
        pairs = list(query.items())
    else:
        pairs = list(query)
    return tuple(sorted((str(k), str(v)) for k, v in pairs))


class ReplayServer:
    """Start with :meth:`start` (or as a context manager); ``url`` is its base address."""

    def __init__(self, rewrite: dict[str, str] | None = None) -> None:
        self.routes: list[_Route] = []
        self.requests: list[RecordedRequest] = []
        self._rewrite_from = dict(rewrite or {})
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ set-up
    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def rewrite(self, real_base: str) -> None:
        """Serve bodies with ``real_base`` replaced by this server's URL."""
        self._rewrite_from[real_base] = ""

    def add(
        self,
        method: str,
        path: str,
        replies: Responder | list[Responder],
        *,
        query: str | dict[str, str] | Iterable[tuple[str, str]] | None = None,
        body: bytes | None = None,
        body_sha256: str | None = None,
    ) -> None:
        """Register a route. ``query=None`` matches any query; later routes win over earlier ones."""
        if body is not None:
            body_sha256 = hashlib.sha256(body).hexdigest()
        seq = replies if isinstance(replies, list) else [replies]
        with self._lock:
            self.routes.insert(
                0, _Route(method.upper(), path, _canon_query(query), body_sha256, list(seq))
            )

    def load(self, index: str | Path) -> None:
        """Register the routes of a JSON index file: a list of objects with ``method``,
        ``path``, optional ``query`` (string), ``body_sha256``, ``status``, ``headers`` and
        ``body_file`` (relative to the index)."""
        p = Path(index)
        if not p.is_absolute():
            p = FIXTURES / p
        for entry in json.loads(p.read_text(encoding="utf-8")):
            body = (p.parent / entry["body_file"]).read_bytes() if entry.get("body_file") else b""
            reply = Reply(
                entry.get("status", 200),
                body,
                dict(entry.get("headers", {"Content-Type": "application/json"})),
            )
            self.add(
                entry["method"],
                entry["path"],
                reply,
                query=entry.get("query"),
                body_sha256=entry.get("body_sha256"),
            )

    def start(self) -> ReplayServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parsed = urllib.parse.urlsplit(self.path)
                rec = RecordedRequest(
                    time.monotonic(),
                    self.command,
                    parsed.path,
                    _canon_query(parsed.query) or (),
                    body,
                    dict(self.headers.items()),
                )
                with server._lock:
                    server.requests.append(rec)
                    reply = server._match(rec)
                if callable(reply):
                    reply = reply(rec)
                if reply.delay:
                    time.sleep(reply.delay)
                payload = server._rewrite(reply.body)
                self.send_response(reply.status)
                headers = dict(reply.headers)
                headers["Content-Length"] = str(len(payload))
                if reply.drop_after is not None:
                    headers["Connection"] = "close"
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                if reply.drop_after is not None:
                    self.wfile.write(payload[: reply.drop_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(payload)

            do_GET = _handle  # noqa: N815
            do_POST = _handle  # noqa: N815

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        for real in list(self._rewrite_from):
            self._rewrite_from[real] = self.url
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ internals
    def _rewrite(self, body: bytes) -> bytes:
        for real, local in self._rewrite_from.items():
            if local:
                body = body.replace(real.encode(), local.encode())
        return body

    def _match(self, rec: RecordedRequest) -> Responder:
        digest = hashlib.sha256(rec.body).hexdigest() if rec.body else None
        for route in self.routes:
            if route.method != rec.method or route.path != rec.path:
                continue
            if route.query is not None and route.query != rec.query:
                continue
            if route.body_sha256 is not None and route.body_sha256 != digest:
                continue
            reply = route.replies[min(route.served, len(route.replies) - 1)]
            route.served += 1
            return reply
        return Reply.problem(
            404,
            "No recording",
            f"replay server has no recording for {rec.method} {rec.path}?{urllib.parse.urlencode(rec.query)}",
        )


# ---------------------------------------------------------------------- PxWebApi emulation
def slice_cube(doc: dict, selection: dict[str, list[str]]) -> dict:
    """The JSON-stat 2 answer SCB gives for ``selection`` of the recorded cube ``doc``."""
    ids, dims = doc["id"], doc["dimension"]
    codes = {
        d: sorted(dims[d]["category"]["index"], key=dims[d]["category"]["index"].get) for d in ids
    }
    chosen = {d: selection.get(d, codes[d]) for d in ids}
    eliminated = [
        d for d in ids if d not in selection and dims[d].get("extension", {}).get("elimination")
    ]
    for d in eliminated:  # SCB sums an eliminated variable away: keep its total, drop the dimension
        chosen[d] = [c for c in codes[d] if dims[d]["category"]["label"][c] == "totalt"]
    out = copy.deepcopy(doc)
    strides = [math.prod(doc["size"][k + 1 :]) for k in range(len(ids))]
    values, status = [], {}
    for n, combo in enumerate(itertools.product(*(chosen[d] for d in ids))):
        idx = sum(codes[d].index(c) * s for d, c, s in zip(ids, combo, strides, strict=True))
        values.append(doc["value"][idx])
        if str(idx) in doc.get("status", {}):
            status[str(n)] = doc["status"][str(idx)]
    for d in ids:
        cat = out["dimension"][d]["category"]
        cat["index"] = {c: i for i, c in enumerate(chosen[d])}
        cat["label"] = {c: dims[d]["category"]["label"][c] for c in chosen[d]}
    out["size"] = [len(chosen[d]) for d in ids]
    out["value"] = values
    for d in eliminated:
        k = out["id"].index(d)
        del out["id"][k], out["size"][k], out["dimension"][d]
    if status:
        out["status"] = status
    return out


def jsonstat_slicer(doc: dict) -> Callable[[RecordedRequest], Reply]:
    """A responder answering a PxWebApi ``.../data`` selection (POST body or GET
    ``valuecodes``) with the matching slice
    of the recorded full cube ``doc`` (eliminable variables left out are summed away)."""

    def respond(req: RecordedRequest) -> Reply:
        if req.method == "GET":  # valuecodes[VAR]=a,b
            sel = {
                k[len("valuecodes[") : -1]: v.split(",")
                for k, v in req.query
                if k.startswith("valuecodes[") and k.endswith("]")
            }
            return Reply.json(slice_cube(doc, sel))
        body = req.json()
        if not isinstance(body, dict):
            return Reply.problem(400, "Bad Request", "no selection")
        sel = {s["variableCode"]: s["valueCodes"] for s in body.get("selection", [])}
        return Reply.json(slice_cube(doc, sel))

    return respond
