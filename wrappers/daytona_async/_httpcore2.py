"""An ``httpx.AsyncBaseTransport`` on httpcore2's HTTP/1.1 connections: the default under trio.

Why not httpx's own transport under trio: it runs on httpcore 1.0.9, which gets no more
releases, whose pool re-scans every connection for every queued request (2.5 ms of CPU per
call at concurrency 100 against 0.6 ms for the aiohttp transport under asyncio), and which can
leave a connection checked out for good when a request is cancelled at the wrong moment.
httpcore2 is pydantic's maintained fork of httpcore (same API, renamed package). Its own pool
fixes the leak but still scans every connection twice per request (40 % of a call's CPU at
concurrency 100 under trio), so this module keeps httpcore2 for everything on the wire (its
network backends for connect and TLS, ``AsyncHTTP11Connection`` for HTTP/1.1 via h11, keep-alive
state, readability probe of idle connections) and replaces only the pool with a small one whose
every operation is O(1): a stack of idle connections per origin and a count of checked-out
ones. ``bench/transports.py`` has the measurements.

The pool's invariants (what ``pool_stats()`` reports):

- a connection is either checked out (counted in ``in_use``, owned by one request) or idle in
  its origin's stack, or closed and forgotten; a request checks one out before sending and
  gives it back exactly once: when its response body is closed, or when sending fails or is
  cancelled (a ``finally``, no await before it can be skipped). httpcore2 leaves a connection
  idle and reusable or closed after either; one left neither (its close was interrupted) is
  closed then, never pooled;
- at most ``max_connections`` are checked out; more requests wait (``pool`` timeout →
  ``httpx.PoolTimeout``); at most ``max_keepalive_connections`` stay idle, and an idle one
  older than ``keepalive_expiry`` or readable (closed by the server) is closed, not reused
  (checked when it is taken, and for every origin at most once per ``keepalive_expiry``).

httpcore2's exceptions become the httpx ones the retry policy decides on (``ConnectError`` /
``ConnectTimeout``: nothing was sent; ``ReadError``, ``WriteError``, ``RemoteProtocolError``,
``ReadTimeout``...: it may have been). Like the aiohttp transport it reads a small body of known
length in one step before returning (the typed API answers). It follows the adapter contract
of :mod:`daytona_async._wire`: a failure before a connection was ready is a connect/pool error
(nothing sent), any later one counts as sent.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import anyio
import httpcore2
import httpx

from ._internals import h11_buffered_body, preset_content
from ._wire import KEEPALIVE_EXPIRY

__all__ = ["HTTPCORE2_DEFAULT_LIMITS", "Httpcore2Transport", "map_httpcore2_error"]

#: idle connections expire well before the server's own keep-alive timeout, as with the aiohttp
#: transport (see ``KEEPALIVE_EXPIRY``)
HTTPCORE2_DEFAULT_LIMITS = httpx.Limits(
    max_connections=100, max_keepalive_connections=100, keepalive_expiry=KEEPALIVE_EXPIRY
)

#: most specific first: the first match wins
_ERRORS: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore2.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore2.ReadTimeout, httpx.ReadTimeout),
    (httpcore2.WriteTimeout, httpx.WriteTimeout),
    (httpcore2.PoolTimeout, httpx.PoolTimeout),
    (httpcore2.TimeoutException, httpx.TimeoutException),
    (httpcore2.ConnectError, httpx.ConnectError),
    (httpcore2.ReadError, httpx.ReadError),
    (httpcore2.WriteError, httpx.WriteError),
    (httpcore2.NetworkError, httpx.NetworkError),
    (httpcore2.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore2.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore2.ProtocolError, httpx.ProtocolError),
    (httpcore2.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore2.ProxyError, httpx.ProxyError),
)
_HTTPCORE2_ERRORS = tuple(src for src, _ in _ERRORS)
_CLOSE_ERRORS: tuple[type[Exception], ...] = (*_HTTPCORE2_ERRORS, OSError)
#: bodies up to this size with a Content-Length are read whole before the response is returned
_READ_WHOLE_MAX = 256 * 1024
#: a body chunk handed to the reader joins the chunks already received, up to this size
_COALESCE_MAX = 256 * 1024
#: a checked-out connection that turns out busy or closed is replaced at most this many times
_MAX_UNAVAILABLE = 3

_Key = tuple[bytes, bytes, int | None]


def map_httpcore2_error(exc: Exception, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception for an httpcore2 one (same names, same meaning)."""
    for src, dst in _ERRORS:
        if isinstance(exc, src):
            return dst(str(exc) or type(exc).__name__, request=request)
    return httpx.TransportError(str(exc) or type(exc).__name__, request=request)


@contextmanager
def _mapped(request: httpx.Request) -> Iterator[None]:
    try:
        yield
    except _HTTPCORE2_ERRORS as exc:
        raise map_httpcore2_error(exc, request) from exc


def _content_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if len(name) == 14 and name.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class _Connection:
    """One HTTP/1.1 connection: opened on its first request with httpcore2's network backend
    for the running library (TLS with ALPN ``http/1.1`` for https), then driven by httpcore2's
    ``AsyncHTTP11Connection``. httpcore2's own ``AsyncHTTPConnection`` does the same behind a
    lock taken on every request, which costs a scheduling round trip per request under trio
    (~8 % of a call's CPU); this pool never shares a connection between requests."""

    __slots__ = ("_failed", "_http", "_origin", "_pool")

    def __init__(self, origin: httpcore2.Origin, pool: _Pool) -> None:
        self._origin = origin
        self._pool = pool
        self._http: httpcore2.AsyncHTTP11Connection | None = None
        self._failed = False

    async def handle_async_request(self, request: httpcore2.Request) -> httpcore2.Response:
        http = self._http
        if http is None:
            try:
                http = self._http = await self._open(request)
            except BaseException:
                self._failed = True  # closed: never reused
                raise
        return await http.handle_async_request(request)

    async def _open(self, request: httpcore2.Request) -> httpcore2.AsyncHTTP11Connection:
        timeouts = request.extensions.get("timeout")
        timeout = timeouts.get("connect") if isinstance(timeouts, dict) else None
        origin = self._origin
        host = origin.host.decode("ascii")
        stream = await self._pool.network().connect_tcp(host, origin.port, timeout=timeout)
        if origin.scheme == b"https":
            try:
                sni = request.extensions.get("sni_hostname")
                stream = await stream.start_tls(
                    self._pool.ssl_context, server_hostname=sni or host, timeout=timeout
                )
            except BaseException:
                with anyio.CancelScope(shield=True):
                    await stream.aclose()
                raise
        return httpcore2.AsyncHTTP11Connection(
            origin=origin, stream=stream, keepalive_expiry=self._pool.keepalive_expiry
        )

    def is_idle(self) -> bool:
        http = self._http
        return self._failed if http is None else http.is_idle()

    def is_closed(self) -> bool:
        http = self._http
        return self._failed if http is None else http.is_closed()

    def has_expired(self) -> bool:
        """Past keepalive_expiry, or readable while idle (the server closed it)."""
        http = self._http
        return self._failed if http is None else http.has_expired()

    async def aclose(self) -> None:
        http = self._http
        if http is not None:
            await http.aclose()


class _Pool:
    """Idle connections per origin (most recently used on top) and a bound on checked-out ones;
    see the module docstring for the invariants."""

    def __init__(self, limits: httpx.Limits, ssl_context: ssl.SSLContext) -> None:
        self.ssl_context = ssl_context
        self.keepalive_expiry = limits.keepalive_expiry
        self._network: httpcore2.AsyncNetworkBackend | None = None
        max_connections = limits.max_connections
        self._slots = (
            None if max_connections is None else anyio.Semaphore(max_connections, fast_acquire=True)
        )
        keepalive = limits.max_keepalive_connections
        self._max_idle = keepalive if keepalive is not None else (max_connections or 1 << 30)
        # keyed by (scheme, host, port): httpcore2.Origin is not hashable
        self._idle: dict[_Key, list[_Connection]] = {}
        self.idle = 0
        # checked-out connections: closing the transport closes them too, which ends every
        # response still streaming with a read error instead of leaving it hanging
        self._checked_out: set[_Connection] = set()
        self._closed = False
        # idle connections of every origin are checked for expiry at most this often (on a
        # give-back), so that those of origins no longer used do not stay open
        self._sweep_every = self.keepalive_expiry if self.keepalive_expiry else 5.0
        self._next_sweep = time.monotonic() + self._sweep_every

    @property
    def in_use(self) -> int:
        return len(self._checked_out)

    def forget(self, connection: _Connection) -> None:
        """A checked-out connection that turned out unusable; its slot stays with the caller."""
        self._checked_out.discard(connection)

    def network(self) -> httpcore2.AsyncNetworkBackend:
        """httpcore2's network backend for the running async library (chosen once)."""
        network = self._network
        if network is None:
            import sniffio

            if sniffio.current_async_library() == "trio":
                network = httpcore2.TrioBackend()
            else:
                network = httpcore2.AnyIOBackend()
            self._network = network
        return network

    async def acquire(self, timeout: float | None) -> None:
        """Wait for a free slot (``PoolTimeout`` after ``timeout`` seconds)."""
        slots = self._slots
        if slots is None:
            return
        if slots.value > 0 or timeout is None:
            await slots.acquire()
            return
        try:
            with anyio.fail_after(timeout):
                await slots.acquire()
        except TimeoutError:
            raise httpcore2.PoolTimeout("no connection of the pool freed in time") from None

    def release(self) -> None:
        """Give back a slot acquired for a request that got no connection."""
        if self._slots is not None:
            self._slots.release()

    async def checkout(self, origin: httpcore2.Origin, key: _Key) -> _Connection:
        """A connection for ``origin`` (an idle one if it is still usable, else a new one). The
        caller holds a slot, and gives both back through :meth:`give_back`."""
        if self._closed:
            raise httpcore2.UnsupportedProtocol("the transport is closed")
        stack = self._idle.get(key)
        while stack:
            connection = stack.pop()
            self.idle -= 1
            # has_expired(): past keepalive_expiry, or readable (the server closed it)
            if connection.is_idle() and not connection.has_expired():
                self._checked_out.add(connection)
                return connection
            await _close(connection)
        connection = _Connection(origin, self)
        self._checked_out.add(connection)
        return connection

    async def give_back(self, connection: _Connection, key: _Key) -> None:
        """Return a checked-out connection and its slot. The bookkeeping comes first, with no
        await before it, so a cancellation cannot skip it; a connection httpcore2 left neither
        idle nor closed (its close was interrupted) is closed here, shielded."""
        self._checked_out.discard(connection)
        if self._slots is not None:
            self._slots.release()
        to_close: _Connection | None = None
        if connection.is_idle() and not connection.is_closed() and not self._closed:
            stack = self._idle.get(key)
            if stack is None:
                stack = self._idle[key] = []
            stack.append(connection)
            self.idle += 1
            if self.idle > self._max_idle:
                # the least recently used connection of the largest stack
                oldest = max(self._idle.values(), key=len)
                to_close = oldest.pop(0)
                self.idle -= 1
        elif not connection.is_closed():
            to_close = connection
        if to_close is not None:
            await _close(to_close)
        if time.monotonic() >= self._next_sweep:
            await self._sweep()

    async def _sweep(self) -> None:
        """Close the idle connections that expired (past keepalive_expiry, or closed by the
        server): O(idle connections), at most once per sweep interval."""
        self._next_sweep = time.monotonic() + self._sweep_every
        expired: list[_Connection] = []
        for key, stack in list(self._idle.items()):
            keep: list[_Connection] = []
            for connection in stack:
                (expired if connection.has_expired() else keep).append(connection)
            self.idle -= len(stack) - len(keep)
            if keep:
                self._idle[key] = keep
            else:
                del self._idle[key]
        for connection in expired:
            await _close(connection)

    async def aclose(self) -> None:
        self._closed = True
        stacks, self._idle = self._idle, {}
        self.idle = 0
        for stack in stacks.values():
            for connection in stack:
                await _close(connection)
        for connection in list(self._checked_out):
            # their requests fail with a read error and give them back themselves
            await _close(connection)


async def _close(connection: _Connection) -> None:
    with anyio.CancelScope(shield=True):
        try:
            await connection.aclose()
        except _CLOSE_ERRORS:
            pass  # closing a connection that is already broken: nothing left to release


class _PooledStream(httpx.AsyncByteStream):
    """A response body; closing it gives its connection back to the pool (once)."""

    __slots__ = ("_connection", "_key", "_pool", "_request", "_stream")

    def __init__(
        self,
        stream: AsyncIterable[bytes],
        request: httpx.Request,
        pool: _Pool,
        connection: _Connection,
        key: _Key,
    ) -> None:
        self._stream = stream
        self._request = request
        self._pool: _Pool | None = pool
        self._connection = connection
        self._key = key

    async def __aiter__(self) -> AsyncIterator[bytes]:
        # httpcore2 yields one piece per HTTP chunk (1 KiB on follow streams): join each one
        # with those already received, so a reader pays per network read, not per KiB
        stream = self._stream
        chunks = aiter(stream)
        try:
            with _mapped(self._request):
                async for chunk in chunks:
                    more, ended = h11_buffered_body(stream, _COALESCE_MAX - len(chunk))
                    yield b"".join((chunk, *more)) if more else chunk
                    if ended:
                        break
        finally:
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                with anyio.CancelScope(shield=True), _mapped(self._request):
                    await aclose()

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            with anyio.CancelScope(shield=True), _mapped(self._request):
                await _aclose_stream(self._stream)
        finally:
            await pool.give_back(self._connection, self._key)


async def _aclose_stream(stream: AsyncIterable[bytes]) -> None:
    # closing httpcore2's body stream leaves its connection idle (body read to the end) or closed
    aclose = getattr(stream, "aclose", None)
    if aclose is not None:
        await aclose()


class Httpcore2Transport(httpx.AsyncBaseTransport):
    """httpx transport on httpcore2 HTTP/1.1 connections and an O(1) pool (asyncio or trio).

    Args:
        limits: ``max_connections`` (checked out at once), ``max_keepalive_connections``
            (idle), ``keepalive_expiry``.
        verify: ``True``/``False``/CA bundle path/``ssl.SSLContext`` as in httpx.
    """

    def __init__(self, *, limits: httpx.Limits | None = None, verify: Any = True) -> None:
        ssl_context = verify if isinstance(verify, ssl.SSLContext) else None
        if ssl_context is None:
            # httpx's context (certifi, SSL_CERT_FILE...): the same trust as the other backends
            ssl_context = httpx.create_ssl_context(verify=verify)
            ssl_context.set_alpn_protocols(["http/1.1"])
        self._pool = _Pool(limits or HTTPCORE2_DEFAULT_LIMITS, ssl_context)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(
                f"Request URL has an unsupported protocol '{url.scheme}://'.", request=request
            )
        extensions = request.extensions
        core_request = httpcore2.Request(
            method=request.method,
            url=httpcore2.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,  # an httpx async byte stream: httpcore2 iterates it
            extensions=extensions,
        )
        origin = core_request.url.origin
        key = (url.raw_scheme, url.raw_host, url.port)
        timeouts = extensions.get("timeout")
        pool = self._pool
        with _mapped(request):
            await pool.acquire(timeouts.get("pool") if isinstance(timeouts, dict) else None)
            connection, response = await self._send(core_request, origin, key)
        stream: AsyncIterable[bytes] = response.stream  # type: ignore[assignment]
        length = _content_length(response.headers)
        if length is not None and length <= _READ_WHOLE_MAX:
            # a small body of known size (every JSON answer of the API): read it here, in one
            # step, and give the connection back before httpx's stream machinery is involved
            try:
                with _mapped(request):
                    body = b"".join([chunk async for chunk in stream])
                    await _aclose_stream(stream)
            finally:
                await pool.give_back(connection, key)
            whole = httpx.Response(
                status_code=response.status,
                headers=response.headers,
                stream=httpx.ByteStream(body),  # not marked read: aiter_raw() still works
                extensions=response.extensions,
            )
            if not any(name.lower() == b"content-encoding" for name, _ in response.headers):
                preset_content(whole, body)
            return whole
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=_PooledStream(stream, request, pool, connection, key),
            extensions=response.extensions,
        )

    async def _send(
        self,
        core_request: httpcore2.Request,
        origin: httpcore2.Origin,
        key: _Key,
    ) -> tuple[_Connection, httpcore2.Response]:
        """Send on a checked-out connection (the caller acquired a slot: it is given back here
        on failure, with the connection, or when the response body is closed)."""
        pool = self._pool
        for _ in range(_MAX_UNAVAILABLE):
            try:
                connection = await pool.checkout(origin, key)
            except BaseException:
                pool.release()
                raise
            try:
                response = await connection.handle_async_request(core_request)
            except httpcore2.ConnectionNotAvailable:
                # closed under us after all: drop it, keep the slot, take another
                pool.forget(connection)
                await _close(connection)
                continue
            except BaseException:
                await pool.give_back(connection, key)
                raise
            return connection, response
        pool.release()
        raise httpcore2.ConnectError("no usable connection in the pool")

    def pool_stats(self) -> dict[str, int]:
        """``{"in_use": connections checked out, "idle": keep-alive connections}``."""
        pool = self._pool
        return {"in_use": pool.in_use, "idle": pool.idle}

    async def aclose(self) -> None:
        await self._pool.aclose()
