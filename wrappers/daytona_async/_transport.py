"""The transport seam: every request of the SDK (generated endpoint or hand-written, control
plane or toolbox) goes through :class:`RetryTransport`, an ``httpx.AsyncBaseTransport`` that
wraps the real network transport.

Policy (see :class:`RetryPolicy`):

- **retries** with exponential backoff and full jitter (``uniform(0, min(cap, base*2**n))``),
  or the server's ``Retry-After`` (seconds or HTTP date, capped at ``retry_after_max``),
  never sleeping past the operation's deadline:

  - connect failures (``ConnectError``/``ConnectTimeout``: nothing was sent) for every method;
  - 408/429/502/503/504 for every method;
  - other 5xx, and read/write/protocol failures after the request was sent, only for
    idempotent methods (GET/HEAD/PUT/DELETE/OPTIONS);
  - never when the request body is a one-shot stream (an async generator): only bytes and
    multipart bodies are replayable; such requests are still retried on connect failures;
  - ``max_retries=0`` disables all of it (not the stale-connection replay below). The number
    of retries is recorded on the response (``response.extensions["daytona_retries"]``), added
    as a note to a raised exception, and reported in the SDK's typed errors (``err.retries``).

- **stale keep-alive connections**: a server closes an idle keep-alive connection on its own
  clock (5 s in Node and uvicorn). When a request goes out on a *reused* connection just as
  the server closes it, the server never read it: the connection ends (EOF or reset) before any
  byte of a response. Such a POST/PATCH is replayed on a fresh connection, up to
  :data:`MAX_STALE_REPLAYS` times, without counting as a retry (without it a POST fails at
  random under load, when the client held a response a second too long before giving its
  connection back; Go's ``net/http`` and aiohttp replay in the same situation, for the methods
  they consider safe). Idempotent requests need no special case: they are retried by the rules
  above, and aiohttp re-sends them once by itself. A failure on a *new* connection, or after a
  response head arrived, is never treated so. The inner transport reports reuse in
  ``request.extensions["daytona_connection_reused"]`` (the aiohttp transport through an
  aiohttp ``TraceConfig``, httpx's through httpcore's ``trace`` extension); other inner
  transports don't, and get no replay. ``RetryPolicy(replay_stale=False)`` turns it off
  (sandbox creation does: it resolves an unknown outcome by its create-id label instead).

- **max_concurrency**: an anyio semaphore on requests in flight, client-wide, separate from the
  connection pool. A token is held from sending the request until its response body is closed
  — except for responses opened as streams by :meth:`ClientContext.stream
  <daytona_async._context.ClientContext.stream>` (follow logs, downloads), which give the token
  back as soon as the response head has arrived, so long-lived streams cannot starve short
  calls.

- **per-operation deadlines**: when the caller runs under a :class:`~daytona_async.Deadline`
  (set by ``ClientContext``), each attempt's connect/read/write/pool timeouts are clamped to the
  deadline's remaining budget.

- **backend choice**: the network transport is created on the first request, in the running
  event loop: under asyncio the SDK's aiohttp transport (measured fastest, see
  ``bench/transports.py``), under trio httpx's own ``AsyncHTTPTransport``. Pass ``inner=`` to
  use your own.
"""

from __future__ import annotations

import dataclasses
import email.utils
import math
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import httpx

from ._logging import logger, redact

if TYPE_CHECKING:
    from ._deadline import Deadline

__all__ = [
    "MAX_STALE_REPLAYS",
    "REUSED_KEY",
    "RequestState",
    "RetryPolicy",
    "RetryTransport",
    "request_state",
]

#: request extension an inner transport sets to ``True`` when the attempt went out on a pooled
#: connection that had served an earlier request, ``False`` on a new connection
REUSED_KEY = "daytona_connection_reused"
#: at most this many replays of one request after stale keep-alive connections
MAX_STALE_REPLAYS = 3

#: aiohttp's pool stays cheap with many keep-alive connections. Idle connections expire after
#: 4 s, before the server's own keep-alive timeout (5 s in Node and uvicorn): a request sent on a
#: connection the server is closing fails after sending, and a POST can't be re-sent then.
AIOHTTP_DEFAULT_LIMITS = httpx.Limits(
    max_connections=200, max_keepalive_connections=200, keepalive_expiry=4.0
)
#: httpx's own defaults: httpcore's pool scans every connection for every queued request, so
#: many keep-alive connections cost far more CPU than they save (measured: 200 keep-alive
#: connections at concurrency 100 → 13 ms CPU per call, 20 → 2.5 ms; bench/transports.py)
HTTPX_DEFAULT_LIMITS = httpx.Limits(
    max_connections=100, max_keepalive_connections=20, keepalive_expiry=4.0
)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"})


@dataclass(frozen=True)
class RetryPolicy:
    """When and how :class:`RetryTransport` re-sends a request."""

    max_retries: int = 2
    backoff_base: float = 0.25
    backoff_max: float = 8.0
    retry_after_max: float = 30.0
    # retried for every method (the server did not process it, or says "try again")
    statuses_any_method: frozenset[int] = frozenset({408, 429, 502, 503, 504})
    # retried only for idempotent methods (everything 5xx except "will never work")
    statuses_idempotent: frozenset[int] = frozenset(
        s for s in range(500, 600) if s not in (501, 505)
    )
    # read/write/protocol failures after sending, idempotent methods only
    retry_after_send: bool = True
    # replay a request the server never read: its reused keep-alive connection was closed
    replay_stale: bool = True

    def with_max_retries(self, n: int) -> RetryPolicy:
        return dataclasses.replace(self, max_retries=n)

    def backoff(self, attempt: int) -> float:
        """Full jitter: ``uniform(0, min(backoff_max, backoff_base * 2**attempt))``."""
        return random.uniform(0.0, min(self.backoff_max, self.backoff_base * (2**attempt)))


@dataclass
class RequestState:
    """Per-call state, passed from ``ClientContext`` to the transport through a context var.

    Inputs: ``deadline`` (clamps timeouts and backoff sleeps), ``policy`` (overrides the
    client's retry policy, e.g. for sandbox creation), ``stream`` (release the concurrency
    token once the head arrived). Outputs, written by the transport: the last request's
    ``method``/``url``, ``retries`` done, and the last ``Retry-After`` seen.
    """

    deadline: Deadline | None = None
    policy: RetryPolicy | None = None
    stream: bool = False
    method: str | None = None
    url: str | None = None
    retries: int = 0
    retry_after: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


request_state: ContextVar[RequestState | None] = ContextVar("daytona_request_state", default=None)


def parse_retry_after(value: str | None) -> float | None:
    """``Retry-After`` as seconds (delta-seconds or an HTTP date); ``None`` if absent/invalid."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            dt = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if dt is None:
            return None
        seconds = dt.timestamp() - time.time()
    if math.isnan(seconds):
        return None
    return max(0.0, seconds)


def _replayable(request: httpx.Request) -> bool:
    stream = request.stream
    if isinstance(stream, httpx.ByteStream):
        return True
    # multipart bodies re-render their fields (and seek files back to 0) on each iteration
    return type(stream).__name__ == "MultipartStream"


def _is_connect_failure(exc: Exception) -> bool:
    # nothing was sent: always safe to retry
    return isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout))


def _is_stale_connection(exc: Exception, request: httpx.Request) -> bool:
    """The attempt went out on a reused connection that ended (EOF, reset, broken pipe) before
    a response head: the server had closed it as idle and never read the request."""
    if request.extensions.get(REUSED_KEY) is not True:
        return False
    if isinstance(exc, httpx.RemoteProtocolError):
        # not a malformed response: the peer went away
        return "disconnected" in str(exc).lower()
    return isinstance(exc, (httpx.ReadError, httpx.WriteError))


TraceCallback = Callable[[str, dict[str, Any]], Awaitable[None]]


def _reuse_tracer(request: httpx.Request, chained: TraceCallback | None) -> TraceCallback:
    """httpcore ``trace`` callback recording whether an attempt opened a new connection:
    httpcore emits ``connection.connect_tcp.*`` only when it does, and always emits
    ``http11.send_request_headers.started`` before sending on the chosen connection."""
    extensions = request.extensions
    opened = False

    async def trace(name: str, info: dict[str, Any]) -> None:
        nonlocal opened
        if name.startswith("connection.connect_"):
            opened = True
        elif name == "http11.send_request_headers.started":
            extensions[REUSED_KEY] = not opened
        if chained is not None:
            await chained(name, info)

    return trace


class _ReleasingStream(httpx.AsyncByteStream):
    """Response body wrapper that gives the concurrency token back when the body is closed."""

    __slots__ = ("_inner", "_release")

    def __init__(self, inner: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._inner = inner
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()


TransportFactory = Callable[[str], httpx.AsyncBaseTransport]


class RetryTransport(httpx.AsyncBaseTransport):
    """``httpx.AsyncBaseTransport`` applying the SDK's retry/concurrency/deadline policy around
    an inner transport.

    Args:
        inner: the network transport; ``None`` picks one on the first request (aiohttp under
            asyncio, httpx's own under trio), built with ``limits`` and ``verify``.
        policy: the default :class:`RetryPolicy` (a call may override it).
        max_concurrency: requests in flight client-wide; ``None`` for no limit.
        limits: pool limits for the default inner transports.
        verify: TLS verification for the default inner transports (bool, CA path or SSLContext).
        backend: force the default inner transport: ``"aiohttp"`` or ``"httpx"``
            (``None``: by async library).
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
        max_concurrency: int | None = None,
        limits: httpx.Limits | None = None,
        verify: Any = True,
        backend: str | None = None,
    ) -> None:
        self._inner = inner
        self._owns_inner = inner is None
        self.policy = policy or RetryPolicy()
        self.max_concurrency = max_concurrency
        self.limits = limits
        self._verify = verify
        self._backend = backend
        self._semaphore: anyio.Semaphore | None = None
        self.backend_name: str | None = None if inner is None else type(inner).__name__

    # -- inner transport ---------------------------------------------------------------

    def _make_inner(self) -> httpx.AsyncBaseTransport:
        import sniffio

        try:
            library = sniffio.current_async_library()
        except sniffio.AsyncLibraryNotFoundError:
            library = "asyncio"
        backend = self._backend or ("aiohttp" if library == "asyncio" else "httpcore2")
        if backend == "aiohttp" and library == "asyncio":
            from ._aiohttp import AiohttpTransport

            inner: httpx.AsyncBaseTransport = AiohttpTransport(
                limits=self.limits or AIOHTTP_DEFAULT_LIMITS, verify=self._verify
            )
        elif backend == "httpcore2":
            # the trio default (asyncio too when asked for): see _httpcore2's docstring
            from ._httpcore2 import HTTPCORE2_DEFAULT_LIMITS, Httpcore2Transport

            inner = Httpcore2Transport(
                limits=self.limits or HTTPCORE2_DEFAULT_LIMITS, verify=self._verify
            )
        else:
            inner = httpx.AsyncHTTPTransport(
                limits=self.limits or HTTPX_DEFAULT_LIMITS, verify=self._verify, retries=0
            )
            backend = "httpx"
        self.backend_name = backend
        logger.debug("transport: %s under %s", backend, library)
        return inner

    @property
    def inner(self) -> httpx.AsyncBaseTransport | None:
        return self._inner

    def pool_stats(self) -> dict[str, int]:
        """Connections of the inner pool: ``{"in_use": n, "idle": m}`` (best effort)."""
        inner = self._inner
        if inner is None:
            return {"in_use": 0, "idle": 0}
        stats = getattr(inner, "pool_stats", None)
        if callable(stats):
            result: dict[str, int] = stats()
            return result
        pool = getattr(inner, "_pool", None)
        if pool is not None:  # httpcore.AsyncConnectionPool
            conns = list(getattr(pool, "connections", []))
            idle = sum(1 for c in conns if c.is_idle())
            return {"in_use": len(conns) - idle, "idle": idle}
        return {"in_use": -1, "idle": -1}

    # -- the policy --------------------------------------------------------------------

    def _get_semaphore(self) -> anyio.Semaphore | None:
        if self.max_concurrency is None:
            return None
        if self._semaphore is None:
            self._semaphore = anyio.Semaphore(self.max_concurrency, fast_acquire=True)
        return self._semaphore

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._inner
        if inner is None:
            inner = self._inner = self._make_inner()
        state = request_state.get()
        policy = self.policy
        deadline = None
        if state is not None:
            if state.policy is not None:
                policy = state.policy
            deadline = state.deadline
            state.method = request.method
            state.url = str(request.url)
        max_retries = policy.max_retries
        idempotent = request.method in IDEMPOTENT_METHODS
        replayable = _replayable(request)
        base_timeout = request.extensions.get("timeout")
        # only a non-idempotent request needs to know if its connection was reused
        replay_stale = policy.replay_stale and replayable and not idempotent
        trace_reuse = replay_stale and isinstance(inner, httpx.AsyncHTTPTransport)
        user_trace = request.extensions.get("trace")
        semaphore = self._get_semaphore()
        attempt = 0
        stale_replays = 0
        while True:
            if deadline is not None:
                request.extensions["timeout"] = _clamp_timeout(base_timeout, deadline.remaining())
            if replay_stale:  # a fresh report for each attempt
                request.extensions.pop(REUSED_KEY, None)
                if trace_reuse:
                    request.extensions["trace"] = _reuse_tracer(request, user_trace)
            if semaphore is not None:
                await semaphore.acquire()
            try:
                response = await inner.handle_async_request(request)
            except httpx.TransportError as exc:
                if semaphore is not None:
                    semaphore.release()
                if (
                    replay_stale
                    and stale_replays < MAX_STALE_REPLAYS
                    and _is_stale_connection(exc, request)
                ):
                    stale_replays += 1
                    logger.debug(
                        "replaying %s %s: its keep-alive connection was closed by the server "
                        "before it read the request (%s)",
                        request.method,
                        redact(str(request.url)),
                        type(exc).__name__,
                    )
                    continue
                connect_failure = _is_connect_failure(exc)
                retry = attempt < max_retries and (
                    connect_failure or (idempotent and replayable and policy.retry_after_send)
                )
                delay = policy.backoff(attempt) if retry else 0.0
                if retry and deadline is not None and delay >= deadline.remaining():
                    retry = False
                if not retry:
                    self._record(state, attempt, None)
                    if attempt:
                        exc.add_note(f"daytona_async: gave up after {attempt} retries")
                    raise
                logger.info(
                    "retry %d/%d of %s %s in %.2fs after %s: %s",
                    attempt + 1,
                    max_retries,
                    request.method,
                    redact(str(request.url)),
                    delay,
                    type(exc).__name__,
                    redact(str(exc)),
                )
            except BaseException:
                if semaphore is not None:
                    semaphore.release()
                raise
            else:
                status = response.status_code
                retryable = attempt < max_retries and (
                    status in policy.statuses_any_method
                    or (idempotent and status in policy.statuses_idempotent)
                )
                retry_after = (
                    parse_retry_after(response.headers.get("retry-after"))
                    if status in (429, 503) or retryable
                    else None
                )
                if retryable and replayable:
                    if retry_after is not None:
                        delay = min(retry_after, policy.retry_after_max)
                    else:
                        delay = policy.backoff(attempt)
                    if deadline is not None and delay >= deadline.remaining():
                        retryable = False
                else:
                    retryable = False
                if not retryable:
                    self._record(state, attempt, retry_after)
                    response.extensions["daytona_retries"] = attempt
                    if semaphore is not None:
                        if (state is not None and state.stream) or isinstance(
                            response.stream, httpx.ByteStream
                        ):
                            # a stream, or a body already in memory (httpx never "closes" it)
                            semaphore.release()
                        else:
                            response.stream = _ReleasingStream(
                                response.stream,  # type: ignore[arg-type]
                                semaphore.release,
                            )
                    return response
                try:
                    await response.aclose()
                finally:
                    if semaphore is not None:
                        semaphore.release()
                logger.info(
                    "retry %d/%d of %s %s in %.2fs after HTTP %d",
                    attempt + 1,
                    max_retries,
                    request.method,
                    redact(str(request.url)),
                    delay,
                    status,
                )
            await anyio.sleep(delay)
            attempt += 1

    @staticmethod
    def _record(state: RequestState | None, attempt: int, retry_after: float | None) -> None:
        if state is not None:
            state.retries = attempt
            state.retry_after = retry_after

    async def aclose(self) -> None:
        inner = self._inner
        if inner is not None and self._owns_inner:
            await inner.aclose()


def _clamp_timeout(base: Any, remaining: float) -> dict[str, float | None]:
    if remaining == math.inf:
        return dict(base) if isinstance(base, dict) else {}
    remaining = max(remaining, 0.001)
    out: dict[str, float | None] = {}
    src = base if isinstance(base, dict) else {}
    for key in ("connect", "read", "write", "pool"):
        value = src.get(key)
        out[key] = remaining if value is None else min(value, remaining)
    return out
