"""The transport seam: every request of the SDK (generated endpoint or hand-written, control
plane or toolbox) goes through :class:`RetryTransport`, an ``httpx.AsyncBaseTransport`` that
wraps the real network transport.

Policy (see :class:`RetryPolicy`; each decision is one named function below):

- **never re-send what may have run** (:func:`may_send_again`): a request whose attempt failed
  with nothing of it sent (connect and pool failures: the network adapter records the fact on
  the exception, :mod:`._wire`) may go out again, whatever its method. After that, only an
  idempotent request (GET/HEAD/PUT/DELETE/OPTIONS, or one marked idempotent in effect with
  :data:`~daytona_async._wire.IDEMPOTENT_EXTENSION`, as the bulk upload is) with a replayable body
  may; a POST/PATCH the server may have read becomes
  :class:`~daytona_async.OutcomeUnknownError` for the caller, never a silent second run.
  Keep-alive connections expire well before the server's (2 s < 5 s,
  :data:`~daytona_async._wire.KEEPALIVE_EXPIRY`), so the client does not send on a connection
  the server is closing as idle.

- **statuses**: a status by which the server says it did not act (429, 503) is retried for
  every method; other 5xx (and 502/504 from a gateway, whose upstream may have acted) only
  for idempotent methods. Waits: exponential backoff with full jitter
  (``uniform(0, min(cap, base*2**n))``) or the server's ``Retry-After`` (seconds or HTTP
  date) capped at ``retry_after_max``; never past the operation's deadline.

- **bodies**: bytes, httpx multipart and :class:`~daytona_async._bodies.ReplayableStream` can
  be sent again; a one-shot async iterator only when nothing of it was sent.

- ``max_retries=0`` disables all re-sending. The number of retries is recorded on the response
  (``response.extensions["daytona_retries"]``), added as a note to a raised exception, and
  reported in the SDK's typed errors (``err.retries``).

- **max_concurrency**: an anyio semaphore on requests in flight, client-wide, separate from the
  connection pool. A token is held from sending the request until its response body is closed
  — except for responses opened as streams (``RequestState.stream``, set by
  ``_streams.endpoint_stream``: follow logs, downloads), which give the token back as soon as
  the response head has arrived, so long-lived streams cannot starve short calls.

- **per-operation deadlines**: when the caller runs under a :class:`~daytona_async.Deadline`
  (set by ``ClientContext``), each attempt's connect/read/write/pool timeouts are clamped to the
  deadline's remaining budget. A request whose reads are unbounded (a follow stream) still
  gets a bounded wait for its response head (``RequestState.head_timeout``).

- **logging**: ``debug`` logs one line per request (method, path, status, milliseconds,
  retries); ``info`` logs each retry and its wait. URLs are redacted.

- **backend choice**: the network transport is created on the first request, in the running
  event loop: under asyncio the SDK's own HTTP/1.1 transport (:mod:`._h1_asyncio`, measured
  fastest, see ``bench/transports.py``), under trio the SDK's httpcore2 transport (:mod:`._httpcore2`:
  httpcore2 connections under an O(1) pool). ``backend=`` forces one (``"httpx"``: httpx's own
  ``AsyncHTTPTransport``); pass ``inner=`` to use your own.

- **proxies** (:mod:`._proxy`): an origin that ``proxy=`` or the environment (``HTTP_PROXY``,
  ``HTTPS_PROXY``, ``ALL_PROXY``, ``NO_PROXY``; not with ``trust_env=False``) sends through a
  proxy goes to httpx's ``AsyncHTTPTransport(proxy=...)`` (one per proxy: CONNECT for https,
  absolute-form for http), under this same policy; the others to the network transport above.
  Decided per origin, once. An ``inner=`` of your own gets every request (no routing).
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from collections.abc import AsyncIterator, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import anyio
import httpx

from ._bodies import ReplayableStream
from ._caps import DEFAULT_CAPS, ResponseCaps, apply_caps
from ._internals import body_source, httpx_pool_stats, is_multipart
from ._logging import logger, redact
from ._proxy import ProxyRoutes, display, proxy_routes
from ._wire import (
    HTTPX_DEFAULT_LIMITS,
    KEEPALIVE_EXPIRY,
    is_idempotent,
    may_retry_failure,
    request_sent,
)

if TYPE_CHECKING:
    import ssl

    from ._deadline import Deadline

__all__ = [
    "RequestState",
    "RetryPolicy",
    "RetryTransport",
    "may_send_again",
    "request_state",
]


@dataclass(frozen=True)
class RetryPolicy:
    """When and how :class:`RetryTransport` re-sends a request."""

    max_retries: int = 2
    backoff_base: float = 0.25
    backoff_max: float = 8.0
    retry_after_max: float = 30.0
    # statuses by which the server says it did not act on the request: retried for every method
    statuses_any_method: frozenset[int] = frozenset({429, 503})
    # retried only for idempotent methods (everything 5xx except "will never work")
    statuses_idempotent: frozenset[int] = frozenset(
        s for s in range(500, 600) if s not in (501, 505)
    )

    def backoff(self, attempt: int) -> float:
        """Full jitter: ``uniform(0, min(backoff_max, backoff_base * 2**attempt))``."""
        return random.uniform(0.0, min(self.backoff_max, self.backoff_base * (2**attempt)))

    def wait_before_retry(self, attempt: int, retry_after: float | None) -> float:
        """The server's ``Retry-After`` capped at ``retry_after_max``, else the backoff."""
        if retry_after is not None:
            return min(retry_after, self.retry_after_max)
        return self.backoff(attempt)


@dataclass
class RequestState:
    """Per-call state, passed from ``ClientContext`` to the transport through a context var.

    Inputs: ``deadline`` (clamps timeouts and backoff sleeps), ``policy`` (overrides the
    client's retry policy, e.g. for sandbox creation), ``stream`` (release the concurrency
    token once the head arrived), ``head_timeout`` (seconds an attempt may wait for the
    response head, for requests whose body reads are unbounded: follow streams). Outputs,
    written by the transport: the last ``request`` (its ``method``/``url``), ``retries`` done, the
    last ``Retry-After`` seen, and ``waits``: every pause the transport made before a retry,
    in seconds.
    """

    deadline: Deadline | None = None
    policy: RetryPolicy | None = None
    stream: bool = False
    head_timeout: float | None = None
    request: httpx.Request | None = None
    retries: int = 0
    retry_after: float | None = None
    waits: list[float] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def method(self) -> str | None:
        """The last request's method (``None`` before the transport saw one)."""
        request = self.request
        return None if request is None else request.method

    @property
    def url(self) -> str | None:
        """The last request's URL (made a string only when asked: errors and logs)."""
        request = self.request
        return None if request is None else str(request.url)


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


def replayable_body(request: httpx.Request) -> bool:
    """Can every attempt send this request's body again from its first byte?"""
    stream = request.stream
    return (
        isinstance(stream, httpx.ByteStream)
        or isinstance(body_source(stream), ReplayableStream)
        # multipart bodies re-render their fields (and seek files back to 0) on each iteration
        or is_multipart(stream)
    )


def may_send_again(*, sent: bool, idempotent: bool, replayable: bool) -> bool:
    """The SDK's one "never re-send" rule, for a request whose attempt failed.

    Nothing of it was sent: yes (even a one-shot body is still unread). Some of it may have
    been: only an idempotent request whose body can be produced again; a POST/PATCH the
    server may have acted on is never sent twice.
    """
    if not sent:
        return True
    return idempotent and replayable


@dataclass
class _Call:
    """What the decisions of one request need to know, gathered once."""

    request: httpx.Request
    policy: RetryPolicy
    state: RequestState | None
    deadline: Deadline | None
    idempotent: bool
    replayable: bool
    base_timeout: Any
    head_timeout: float | None

    def fits(self, delay: float) -> bool:
        """Can we wait ``delay`` seconds and still try within the deadline?"""
        return self.deadline is None or delay < self.deadline.remaining()


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


async def _sleep(seconds: float) -> None:
    """The transport's wait before a retry (one name, so a test can record the waits)."""
    await anyio.sleep(seconds)


async def _head_within(
    seconds: float, inner: httpx.AsyncBaseTransport, request: httpx.Request
) -> httpx.Response:
    """``inner``'s response, if its head arrives within ``seconds``; else ``httpx.ReadTimeout``
    (the request was sent: retried like any read timeout, idempotent requests only). Bounds
    the head of a request whose reads are otherwise unbounded (a follow stream), so a server
    that accepts and never answers does not hold it until the caller's deadline."""
    with anyio.move_on_after(seconds):
        return await inner.handle_async_request(request)
    raise httpx.ReadTimeout(f"no response head within {seconds:g} s", request=request)


class RetryTransport(httpx.AsyncBaseTransport):
    """``httpx.AsyncBaseTransport`` applying the SDK's retry/concurrency/deadline policy around
    an inner transport.

    Args:
        inner: the network transport; ``None`` picks one on the first request (the SDK's own
            ``h1`` under asyncio, httpcore2 under trio), built with ``limits`` and ``verify``.
        policy: the default :class:`RetryPolicy` (a call may override it).
        max_concurrency: requests in flight client-wide; ``None`` for no limit.
        limits: pool limits for the default inner transports. Their ``keepalive_expiry`` is
            capped at ``KEEPALIVE_EXPIRY`` (2 s; httpx's default is 5 s, the servers' own): a
            POST sent on a connection the server is closing as idle fails with an unknown
            outcome.
        verify: TLS verification for the default inner transports (bool, CA path or SSLContext).
        backend: force the default inner transport: ``"h1"`` (asyncio only; under trio
            httpx's own is used), ``"httpcore2"`` or ``"httpx"`` (``None``: by async library).
        proxy: a proxy for every origin (URL string or ``httpx.Proxy``); wins over the
            environment. Only with the default inner transports.
        trust_env: read ``HTTP_PROXY``/``HTTPS_PROXY``/``ALL_PROXY``/``NO_PROXY`` (when no
            ``proxy``) and ``SSL_CERT_FILE``/``SSL_CERT_DIR`` (for ``verify=True``), as httpx
            does. ``False``: neither.

    Raises:
        ConfigurationError: a proxy URL (given or from the environment) that cannot be used.
    """

    #: the caps on answers and the decoding of compressed bodies, applied to every response
    #: whatever the inner transport (:mod:`._caps`); ``None`` leaves responses as they come
    caps: ResponseCaps | None = DEFAULT_CAPS

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport | None = None,
        *,
        policy: RetryPolicy | None = None,
        max_concurrency: int | None = None,
        limits: httpx.Limits | None = None,
        verify: ssl.SSLContext | str | bool = True,
        backend: str | None = None,
        proxy: str | httpx.Proxy | None = None,
        trust_env: bool = True,
    ) -> None:
        self._inner = inner
        self._owns_inner = inner is None
        self.policy = policy or RetryPolicy()
        self.max_concurrency = max_concurrency
        self.limits = None if limits is None else _safe_keepalive(limits)
        self._verify = verify
        self._backend = backend
        self._trust_env = trust_env
        self._semaphore: anyio.Semaphore | None = None
        self.backend_name: str | None = None if inner is None else type(inner).__name__
        # origin -> proxy, read once (as httpx reads the environment when a client is made);
        # None when every request goes to the one inner transport (nearly always)
        self.proxy_routes: ProxyRoutes | None = (
            proxy_routes(proxy, trust_env=trust_env) if inner is None else None
        )
        self._proxied: dict[str, httpx.AsyncBaseTransport] = {}
        if self.proxy_routes is not None:
            logger.debug("proxies: %r", self.proxy_routes)

    # -- inner transport ---------------------------------------------------------------

    def _tls_verify(self) -> ssl.SSLContext | str | bool:
        """``verify`` for the inner transports. With ``trust_env=False`` a context built here
        without reading ``SSL_CERT_FILE``/``SSL_CERT_DIR`` (each transport would read them when
        building its own from ``True``), then kept for every transport made after."""
        verify = self._verify
        if not self._trust_env and (verify is True or isinstance(verify, str)):
            verify = self._verify = httpx.create_ssl_context(verify=verify, trust_env=False)
        return verify

    def _make_inner(self) -> httpx.AsyncBaseTransport:
        import sniffio

        try:
            library = sniffio.current_async_library()
        except sniffio.AsyncLibraryNotFoundError:
            library = "asyncio"
        self._tls_verify()
        backend = self._backend or ("h1" if library == "asyncio" else "httpcore2")
        inner: httpx.AsyncBaseTransport
        if backend == "h1" and library == "asyncio":
            # the SDK's own HTTP/1.1 client (asyncio only): see _h1_asyncio's docstring
            from ._h1_asyncio import H1_DEFAULT_LIMITS, H1Transport

            inner = H1Transport(limits=self.limits or H1_DEFAULT_LIMITS, verify=self._verify)
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

    def _via_proxy(self, proxy: httpx.Proxy) -> httpx.AsyncBaseTransport:
        """The transport of one proxy (made on first use): httpx's, whose httpcore proxy
        pool tunnels https targets with CONNECT and forwards http ones in absolute form."""
        key = str(proxy.url)
        transport = self._proxied.get(key)
        if transport is None:
            transport = self._proxied[key] = httpx.AsyncHTTPTransport(
                proxy=proxy,
                verify=self._tls_verify(),
                trust_env=self._trust_env,
                limits=self.limits or HTTPX_DEFAULT_LIMITS,
                retries=0,
            )
            logger.debug("transport: httpx via the proxy %s", display(proxy))
        return transport

    @property
    def inner(self) -> httpx.AsyncBaseTransport | None:
        """The transport it wraps (``None`` until the first request creates the default one)."""
        return self._inner

    def pool_stats(self) -> dict[str, int]:
        """Connections of the inner pool: ``{"in_use": n, "idle": m}`` (best effort), those
        to proxies included."""
        inner = self._inner
        if inner is None:
            return {"in_use": 0, "idle": 0}
        stats = getattr(inner, "pool_stats", None)
        if callable(stats):
            result: dict[str, int] = stats()
        elif isinstance(inner, httpx.AsyncHTTPTransport):
            result = httpx_pool_stats(inner)
        else:
            return {"in_use": -1, "idle": -1}
        for proxied in self._proxied.values():
            if isinstance(proxied, httpx.AsyncHTTPTransport):
                more = httpx_pool_stats(proxied)
                if more["in_use"] >= 0:
                    result = {key: result[key] + more[key] for key in ("in_use", "idle")}
        return result

    def _get_semaphore(self) -> anyio.Semaphore | None:
        if self.max_concurrency is None:
            return None
        if self._semaphore is None:
            self._semaphore = anyio.Semaphore(self.max_concurrency, fast_acquire=True)
        return self._semaphore

    # -- the request loop --------------------------------------------------------------

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the inner transport, retrying as the policy allows."""
        inner = self._inner
        if inner is None:
            inner = self._inner = self._make_inner()
        routes = self.proxy_routes
        if routes is not None:
            proxy = routes.proxy_for(request.url)
            if proxy is not None:
                inner = self._via_proxy(proxy)
        call = self._begin(request)
        semaphore = self._get_semaphore()
        started = time.perf_counter() if logger.isEnabledFor(logging.DEBUG) else 0.0
        attempt = 0
        while True:
            if call.deadline is not None:
                request.extensions["timeout"] = _clamp_timeout(
                    call.base_timeout, call.deadline.remaining()
                )
            if semaphore is not None:
                await semaphore.acquire()
            try:
                if call.head_timeout is None:
                    response = await inner.handle_async_request(request)
                else:
                    response = await _head_within(call.head_timeout, inner, request)
            except BaseException as exc:
                if semaphore is not None:
                    semaphore.release()
                if not isinstance(exc, httpx.TransportError):
                    raise
                delay = self._delay_after_error(call, exc, attempt)
                if delay is None:
                    self._give_up(call, exc, attempt, started)
                    raise
                self._log_retry(call, attempt, delay, f"{type(exc).__name__}: {exc}")
            else:
                delay, retry_after = self._delay_after_status(call, response, attempt)
                if delay is None:
                    return self._hand_over(call, response, semaphore, attempt, retry_after, started)
                try:
                    await response.aclose()
                finally:
                    if semaphore is not None:
                        semaphore.release()
                self._log_retry(call, attempt, delay, f"HTTP {response.status_code}")
            if call.state is not None:
                call.state.waits.append(delay)
            await _sleep(delay)
            attempt += 1

    # -- the decisions -----------------------------------------------------------------

    def _begin(self, request: httpx.Request) -> _Call:
        """Gather the facts of a request and publish its method/URL to the caller's state."""
        state = request_state.get()
        policy = self.policy
        deadline = None
        if state is not None:
            if state.policy is not None:
                policy = state.policy
            deadline = state.deadline
            state.request = request
        return _Call(
            request=request,
            policy=policy,
            state=state,
            deadline=deadline,
            idempotent=is_idempotent(request),
            replayable=replayable_body(request),
            base_timeout=request.extensions.get("timeout"),
            head_timeout=state.head_timeout if state is not None else None,
        )

    @staticmethod
    def _delay_after_error(call: _Call, exc: httpx.TransportError, attempt: int) -> float | None:
        """Seconds to wait before sending again after a transport failure; ``None``: give up."""
        policy = call.policy
        if attempt >= policy.max_retries or not may_retry_failure(exc):
            return None  # (a refused certificate, an answer past a cap: the same again)
        sent = request_sent(exc)
        if not may_send_again(sent=sent, idempotent=call.idempotent, replayable=call.replayable):
            return None
        delay = policy.backoff(attempt)
        return delay if call.fits(delay) else None

    @staticmethod
    def _delay_after_status(
        call: _Call, response: httpx.Response, attempt: int
    ) -> tuple[float | None, float | None]:
        """``(seconds to wait before sending again or None to return the response, the
        server's Retry-After)``."""
        policy = call.policy
        status = response.status_code
        retryable = status in policy.statuses_any_method or (
            call.idempotent and status in policy.statuses_idempotent
        )
        retry_after = (
            parse_retry_after(response.headers.get("retry-after"))
            if retryable or status in (429, 503)
            else None
        )
        if not retryable or attempt >= policy.max_retries or not call.replayable:
            return None, retry_after
        delay = policy.wait_before_retry(attempt, retry_after)
        return (delay if call.fits(delay) else None), retry_after

    def _hand_over(
        self,
        call: _Call,
        response: httpx.Response,
        semaphore: anyio.Semaphore | None,
        attempt: int,
        retry_after: float | None,
        started: float,
    ) -> httpx.Response:
        """Return the final response, arranging for its concurrency token to be given back."""
        caps = self.caps
        if caps is not None:
            state = call.state
            # a request the SDK did not make may be streamed: only the expansion cap then
            apply_caps(response, caps, streamed=state is None or state.stream)
        self._record(call.state, attempt, retry_after)
        response.extensions["daytona_retries"] = attempt
        if semaphore is not None:
            if (call.state is not None and call.state.stream) or isinstance(
                response.stream, httpx.ByteStream
            ):
                # a stream, or a body already in memory (httpx never "closes" it)
                semaphore.release()
            else:
                response.stream = _ReleasingStream(
                    response.stream,  # type: ignore[arg-type]
                    semaphore.release,
                )
        if started:
            logger.debug(
                "%s %s -> %d in %.1f ms, %d retries",
                call.request.method,
                redact(call.request.url.path),
                response.status_code,
                (time.perf_counter() - started) * 1000,
                attempt,
            )
        return response

    def _give_up(
        self, call: _Call, exc: httpx.TransportError, attempt: int, started: float
    ) -> None:
        self._record(call.state, attempt, None)
        if attempt:
            exc.add_note(f"daytona_async: gave up after {attempt} retries")
        if started:
            logger.debug(
                "%s %s -> %s in %.1f ms, %d retries",
                call.request.method,
                redact(call.request.url.path),
                type(exc).__name__,
                (time.perf_counter() - started) * 1000,
                attempt,
            )

    @staticmethod
    def _log_retry(call: _Call, attempt: int, delay: float, cause: str) -> None:
        logger.info(
            "retry %d/%d of %s %s in %.2fs after %s",
            attempt + 1,
            call.policy.max_retries,
            call.request.method,
            redact(str(call.request.url)),
            delay,
            redact(cause),
        )

    @staticmethod
    def _record(state: RequestState | None, attempt: int, retry_after: float | None) -> None:
        if state is not None:
            state.retries = attempt
            state.retry_after = retry_after

    async def aclose(self) -> None:
        """Close the inner transport (if this one created it)."""
        inner = self._inner
        proxied, self._proxied = list(self._proxied.values()), {}
        try:
            if inner is not None and self._owns_inner:
                await inner.aclose()
        finally:
            for transport in proxied:
                await transport.aclose()


def _safe_keepalive(limits: httpx.Limits) -> httpx.Limits:
    """``limits`` with idle connections kept at most ``KEEPALIVE_EXPIRY`` seconds."""
    expiry = limits.keepalive_expiry
    if expiry is not None and expiry <= KEEPALIVE_EXPIRY:
        return limits
    return httpx.Limits(
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=KEEPALIVE_EXPIRY,
    )


def _clamp_timeout(base: Any, remaining: float) -> dict[str, float | None]:
    """``base``'s timeouts, each cut to ``remaining`` seconds. ``base`` itself (the same
    object) when the budget left exceeds them all, as on nearly every call: the network
    transport then meets the timeout set it has already converted (building a new one per
    request was a tenth of a typed GET's CPU)."""
    src = base if isinstance(base, dict) else {}
    if remaining == math.inf:
        return src
    c, r, w, p = src.get("connect"), src.get("read"), src.get("write"), src.get("pool")
    if (
        c is not None
        and r is not None
        and w is not None
        and p is not None
        and remaining >= max(c, r, w, p)
    ):
        return src
    remaining = max(remaining, 0.001)
    out: dict[str, float | None] = {}
    for key in ("connect", "read", "write", "pool"):
        value = src.get(key)
        out[key] = remaining if value is None else min(value, remaining)
    return out
