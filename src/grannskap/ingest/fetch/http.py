"""A small HTTP client on the standard library: rate limiting, retries, clear errors.

Used by the SCB, Kolada and geodata fetchers. Only ``urllib.request`` is used (no third-party
HTTP dependency). Behaviour:

- a :class:`RateLimiter` allowing at most N calls in any window of T seconds (SCB: 30 per
  10 s; Kolada ~5 per s);
- retries with exponential back-off and full jitter on 429, 502, 503 and 504 and on network
  failures (reset, dropped connection mid-body, timeout), honouring ``Retry-After`` (seconds
  or an HTTP date); see "Exponential Backoff And Jitter", AWS Architecture Blog (Brooker, 2015);
- every other non-2xx answer is a :class:`~grannskap.errors.FetchError` quoting the server's
  RFC 7807 ``detail`` when it sends one (PxWebApi does);
- a body shorter than its ``Content-Length`` is an error, never a partial result;
- an optional cache directory keeps completed responses so an interrupted fetch resumes.
"""

from __future__ import annotations

import collections
import email.utils
import hashlib
import http.client
import json
import random
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grannskap import __version__
from grannskap.errors import FetchError

__all__ = ["RateLimiter", "Response", "HttpClient", "RETRY_STATUSES", "build_url"]

RETRY_STATUSES: frozenset[int] = frozenset({429, 502, 503, 504})


class RateLimiter:
    """At most ``calls`` acquisitions in any window of ``period`` seconds.

    A token bucket of ``calls`` tokens in which each token returns exactly ``period`` seconds
    after it was taken (a sliding-window log). Unlike a bucket refilled continuously, this
    never lets more than ``calls`` requests into any window, which is what SCB's "30 calls per
    10 seconds" means (it answers 429 beyond). Thread-safe; ``clock`` and ``sleep`` are
    injectable for tests.
    """

    _EPS = 1e-9

    def __init__(
        self,
        calls: int,
        period: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if calls < 1 or period <= 0:
            raise ValueError(f"rate limit needs calls >= 1 and period > 0, got {calls}/{period}")
        self.calls = calls
        self.period = float(period)
        self._clock = clock
        self._sleep = sleep
        self._taken: collections.deque[float] = collections.deque()
        self._lock = threading.Lock()

    def tighten(self, calls: int, period: float) -> None:
        """Make the limit at least as strict as ``calls`` per ``period`` (e.g. a server's own)."""
        if calls < 1 or period <= 0:
            return
        with self._lock:
            self.calls = min(self.calls, calls)
            self.period = max(self.period, float(period))

    def acquire(self) -> float:
        """Take one token, waiting if needed; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._taken and now - self._taken[0] >= self.period - self._EPS:
                    self._taken.popleft()
                if len(self._taken) < self.calls:
                    self._taken.append(max(now, self._taken[-1]) if self._taken else now)
                    return waited
                wait = max(self._taken[0] + self.period - now, self._EPS)
            self._sleep(wait)
            waited += wait


@dataclass(frozen=True)
class Response:
    """A complete HTTP response (the body was read to its end)."""

    status: int
    url: str
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> object:
        try:
            return json.loads(self.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise FetchError(
                f"{self.url} did not answer with JSON ({exc}); first bytes: {self.body[:80]!r}",
                url=self.url,
                status=self.status,
            ) from None


def build_url(
    base: str, path: str = "", params: Sequence[tuple[str, str]] | Mapping[str, str] | None = None
) -> str:
    """Join ``base`` and ``path`` and append query parameters (in the order given)."""
    url = base.rstrip("/") + ("/" + path.lstrip("/") if path else "")
    if params:
        items = list(params.items()) if isinstance(params, Mapping) else list(params)
        url += ("&" if "?" in url else "?") + urllib.parse.urlencode(items, safe=",*()$@:'")
    return url


@dataclass
class HttpClient:
    """GET/POST with rate limiting, retries and optional response cache.

    Parameters
    ----------
    limiter
        Shared :class:`RateLimiter`; ``None`` = no limit.
    timeout
        Socket timeout per attempt, seconds.
    max_retries
        Retries after the first attempt for retryable failures.
    backoff_base, backoff_max
        Back-off before retry ``k`` (0-based) is uniform in ``[0, min(max, base * 2**k)]``
        (full jitter) unless the server sends ``Retry-After``, which is honoured (capped at
        ``retry_after_max``).
    cache_dir
        When set, successful responses are stored there keyed by method, URL and body, and
        served from there on the next run (resume after an interruption).
    """

    limiter: RateLimiter | None = None
    timeout: float = 60.0
    max_retries: int = 5
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    retry_after_max: float = 120.0
    cache_dir: Path | None = None
    user_agent: str = f"grannskap/{__version__} (+https://github.com/grannskap)"
    sleep: Callable[[float], None] = time.sleep
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0  # total HTTP attempts made (for diagnostics)

    def get(self, url: str, *, headers: Mapping[str, str] | None = None) -> Response:
        return self.request("GET", url, headers=headers)

    def post_json(
        self, url: str, payload: object, *, headers: Mapping[str, str] | None = None
    ) -> Response:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        hdrs = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
        return self.request("POST", url, body=body, headers=hdrs)

    def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """One logical request: cached, rate limited, retried; raises :class:`FetchError`."""
        scheme = urllib.parse.urlsplit(url).scheme
        if scheme not in ("http", "https"):
            raise FetchError(
                f"{url}: only http(s) URLs can be fetched, not {scheme or 'a bare path'!r}", url=url
            )
        cached = self._cache_path(method, url, body)
        if cached is not None and cached.is_file():
            return Response(200, url, {"X-Grannskap-Cache": "hit"}, cached.read_bytes())
        last_error = ""
        for attempt in range(self.max_retries + 1):
            if self.limiter is not None:
                self.limiter.acquire()
            self.attempts += 1
            retry_after: float | None = None
            try:
                resp = self._send(method, url, body, headers)
            except _Retryable as exc:
                last_error = exc.reason
                retry_after = exc.retry_after
            else:
                if cached is not None:
                    cached.parent.mkdir(parents=True, exist_ok=True)
                    tmp = cached.with_suffix(".part")
                    tmp.write_bytes(resp.body)
                    tmp.replace(cached)
                return resp
            if attempt == self.max_retries:
                break
            self.sleep(self._delay(attempt, retry_after))
        raise FetchError(
            f"{method} {url} failed after {self.max_retries + 1} attempts: {last_error}",
            url=url,
        )

    # ------------------------------------------------------------------ internals
    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.retry_after_max)
        return self.rng.uniform(0.0, min(self.backoff_max, self.backoff_base * 2**attempt))

    def _send(
        self, method: str, url: str, body: bytes | None, headers: Mapping[str, str] | None
    ) -> Response:
        hdrs = {"User-Agent": self.user_agent, "Accept": "application/json", **(headers or {})}
        req = urllib.request.Request(url, data=body, headers=hdrs, method=method)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 (http/https only, checked in request)
                data = resp.read()
                length = resp.headers.get("Content-Length")
                if length is not None and length.isdigit() and len(data) != int(length):
                    raise _Retryable(f"connection dropped: got {len(data)} of {length} bytes", None)
                return Response(resp.status, resp.geturl(), dict(resp.headers.items()), data)
        except urllib.error.HTTPError as exc:
            detail = _problem_detail(exc)
            if exc.code in RETRY_STATUSES:
                raise _Retryable(
                    f"HTTP {exc.code} {exc.reason}{detail}",
                    _retry_after(exc.headers.get("Retry-After")),
                    exc.code,
                ) from None
            raise FetchError(
                f"{method} {url}: HTTP {exc.code} {exc.reason}{detail}", url=url, status=exc.code
            ) from None
        except http.client.IncompleteRead as exc:
            raise _Retryable(
                f"connection dropped: got {len(exc.partial)} bytes, {exc.expected} more expected",
                None,
            ) from None
        except (http.client.RemoteDisconnected, ConnectionError, TimeoutError) as exc:
            raise _Retryable(f"network error: {exc.__class__.__name__}: {exc}", None) from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            if isinstance(reason, ConnectionRefusedError | socket.gaierror) and not isinstance(
                reason, TimeoutError
            ):
                raise FetchError(f"{method} {url}: cannot connect ({reason})", url=url) from None
            raise _Retryable(f"network error: {reason}", None) from None
        except http.client.HTTPException as exc:
            raise _Retryable(f"protocol error: {exc.__class__.__name__}: {exc}", None) from None
        except ValueError as exc:  # e.g. unknown URL type
            raise FetchError(f"{method} {url}: {exc}", url=url) from None

    def _cache_path(self, method: str, url: str, body: bytes | None) -> Path | None:
        if self.cache_dir is None:
            return None
        key = hashlib.sha256(
            method.encode() + b" " + url.encode() + b"\n" + (body or b"")
        ).hexdigest()
        return Path(self.cache_dir) / key[:2] / f"{key}.body"


class _Retryable(Exception):
    def __init__(self, reason: str, retry_after: float | None, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.status = status


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _problem_detail(exc: urllib.error.HTTPError) -> str:
    try:
        raw = exc.read()
    except (OSError, http.client.HTTPException):
        return ""
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        text = raw.decode("utf-8", "replace").strip()
        return f": {text[:200]}" if text else ""
    if isinstance(doc, dict):
        parts = [str(doc[k]) for k in ("title", "detail") if isinstance(doc.get(k), str)]
        if parts:
            return ": " + " — ".join(parts)
    return ""
