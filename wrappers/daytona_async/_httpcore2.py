"""An ``httpx.AsyncBaseTransport`` of HTTP/1.1 connections of our own under an O(1) pool: the
default under trio.

Why not httpx's own transport under trio: it runs on httpcore 1.0.9, which gets no more
releases, whose pool re-scans every connection for every queued request (2.5 ms of CPU per
call at concurrency 100 against 0.6 ms for the aiohttp transport under asyncio), and which can
leave a connection checked out for good when a request is cancelled at the wrong moment.
httpcore2 (pydantic's maintained fork of httpcore) fixes the leak, but its pool still scans
every connection twice per request and its HTTP/1.1 connection runs h11, pure Python: together
most of a call's CPU under trio. So this module keeps httpcore2 only for opening connections
(its network backends: ``connect_tcp``; ``start_tls`` and stream reads/writes under asyncio;
under trio, reads, writes and TLS go straight to the socket, :mod:`._trio_socket`); the
HTTP/1.1 exchange is :class:`._h1_conn.H1Connection` (the sans-IO core :mod:`._h1_wire`, llhttp
through httptools, the one the asyncio transport uses), and the pool is a small one whose every
operation is O(1): a stack of idle connections per origin and a count of checked-out ones.

The pool's invariants (what ``pool_stats()`` reports):

- a connection is either checked out (counted in ``in_use``, owned by one request) or idle in
  its origin's stack, or closed and forgotten; a request checks one out before sending and
  gives it back exactly once: when its response body is closed or read to the end, or when
  sending fails or is cancelled (a ``finally``, no await before it can be skipped). Only a
  connection whose response was read to the end, and which the server keeps open, goes back
  idle; any other (an error, a cancellation, a body left unread) is closed, never pooled;
- at most ``max_connections`` are checked out; more requests wait (``pool`` timeout →
  ``httpx.PoolTimeout``); at most ``max_keepalive_connections`` stay idle, and an idle one
  older than ``keepalive_expiry`` or readable (closed by the server) is closed, not reused
  (checked when it is taken, and for every origin at most once per ``keepalive_expiry``).

Errors are the httpx ones the retry policy decides on, following the adapter contract of
:mod:`daytona_async._wire`: ``ConnectError`` / ``ConnectTimeout`` / ``PoolTimeout`` only when no
byte was written; from the first write on, every transport error is marked sent
(``ReadError``, ``WriteError``, ``RemoteProtocolError``, ``ReadTimeout``...). Like the asyncio
transport it reads a small body of known length whole before returning (the typed API
answers); a streamed body comes out one piece per network read, however many HTTP chunks that
read held (the daemon's follow streams send 1 KiB chunks).
"""

from __future__ import annotations

import ssl
import time
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpcore2
import httpx

from ._h1_conn import READ_SIZE, H1Connection, NetworkStream
from ._h1_wire import ResponseParser
from ._internals import preset_content
from ._wire import (
    ALPN_PROTOCOLS,
    KEEPALIVE_EXPIRY,
    READ_WHOLE_MAX,
    RECEIVE_EXTENSION,
    mark_sent,
)

__all__ = ["HTTPCORE2_DEFAULT_LIMITS", "Httpcore2Transport", "map_httpcore2_error"]

#: idle connections expire well before the server's own keep-alive timeout, as with the asyncio
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
#: what reading a response body may raise: the network's errors and the parser's
_BODY_ERRORS: tuple[type[Exception], ...] = (*_HTTPCORE2_ERRORS, httpx.RemoteProtocolError)
_NO_TIMEOUTS: dict[str, float | None] = {}

#: (scheme, host, port) of a request's URL
_Key = tuple[bytes, bytes, int | None]


def map_httpcore2_error(exc: Exception, request: httpx.Request) -> httpx.TransportError:
    """The httpx exception for an httpcore2 one (same names, same meaning)."""
    for src, dst in _ERRORS:
        if isinstance(exc, src):
            return dst(str(exc) or type(exc).__name__, request=request)
    return httpx.TransportError(str(exc) or type(exc).__name__, request=request)


class _Pool:
    """Idle connections per origin (most recently used on top) and a bound on checked-out ones;
    see the module docstring for the invariants."""

    def __init__(self, limits: httpx.Limits, ssl_context: ssl.SSLContext) -> None:
        self.ssl_context = ssl_context
        self.keepalive_expiry = limits.keepalive_expiry
        self._network: httpcore2.AsyncNetworkBackend | None = None
        self._trio = False
        max_connections = limits.max_connections
        self._slots = (
            None if max_connections is None else anyio.Semaphore(max_connections, fast_acquire=True)
        )
        keepalive = limits.max_keepalive_connections
        self._max_idle = keepalive if keepalive is not None else (max_connections or 1 << 30)
        self._idle: dict[_Key, list[H1Connection]] = {}
        self.idle = 0
        # checked-out connections: closing the transport closes them too, which ends every
        # response still streaming with a read error instead of leaving it hanging
        self._checked_out: set[H1Connection] = set()
        self._closed = False
        # idle connections of every origin are checked for expiry at most this often (on a
        # give-back), so that those of origins no longer used do not stay open
        self._sweep_every = self.keepalive_expiry if self.keepalive_expiry else 5.0
        self._next_sweep = time.monotonic() + self._sweep_every

    @property
    def in_use(self) -> int:
        return len(self._checked_out)

    def network(self) -> httpcore2.AsyncNetworkBackend:
        """httpcore2's network backend for the running async library (chosen once)."""
        network = self._network
        if network is None:
            import sniffio

            if sniffio.current_async_library() == "trio":
                network = httpcore2.TrioBackend()
                self._trio = True
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

    async def checkout(self, key: _Key) -> H1Connection:
        """A connection for ``key`` (an idle one if it is still usable, else a fresh one the
        caller opens with :meth:`open`). The caller holds a slot, and gives both back through
        :meth:`give_back`."""
        if self._closed:
            raise httpcore2.UnsupportedProtocol("the transport is closed")
        stack = self._idle.get(key)
        if stack:
            now = time.monotonic()
            while stack:
                connection = stack.pop()
                self.idle -= 1
                # past keepalive_expiry, or readable (the server closed it): not reused
                if not connection.has_expired(now):
                    self._checked_out.add(connection)
                    return connection
                await _close(connection)
        connection = H1Connection(self.keepalive_expiry)
        self._checked_out.add(connection)
        return connection

    async def open(self, connection: H1Connection, key: _Key, request: httpx.Request) -> None:
        """Connect a fresh connection (TCP, then TLS for https) with httpcore2's backend."""
        timeouts = request.extensions.get("timeout")
        timeout = timeouts.get("connect") if isinstance(timeouts, dict) else None
        scheme, raw_host, port = key
        host = raw_host.decode("ascii")
        if port is None:
            port = 443 if scheme == b"https" else 80
        stream: httpcore2.AsyncNetworkStream = await self.network().connect_tcp(
            host, port, timeout=timeout
        )
        network_stream: NetworkStream = stream
        try:
            if self._trio:
                # reads and writes straight on the socket, TLS included (see _trio_socket)
                from ._trio_socket import TrioSocketStream, TrioTLSStream

                try:
                    network_stream = raw = TrioSocketStream(stream)
                except OSError as exc:  # out of file descriptors, say
                    raise httpcore2.ConnectError(str(exc) or type(exc).__name__) from exc
                if scheme == b"https":
                    sni = request.extensions.get("sni_hostname")
                    tls = TrioTLSStream(raw, self.ssl_context, sni or host)
                    network_stream = tls
                    await tls.handshake(timeout)
            elif scheme == b"https":
                sni = request.extensions.get("sni_hostname")
                network_stream = await stream.start_tls(
                    self.ssl_context, server_hostname=sni or host, timeout=timeout
                )
            if self._closed or connection.is_closed():
                raise httpcore2.ConnectError("the transport was closed while connecting")
        except BaseException:
            with anyio.CancelScope(shield=True):
                await network_stream.aclose()
            raise
        connection.attach(network_stream)

    async def give_back(self, connection: H1Connection, key: _Key) -> None:
        """Return a checked-out connection and its slot. The bookkeeping comes first, with no
        await before it, so a cancellation cannot skip it; a connection that is not idle (its
        response was not read to the end, or the server does not keep it) is closed, shielded."""
        self._checked_out.discard(connection)
        if self._slots is not None:
            self._slots.release()
        to_close: H1Connection | None = None
        if connection.is_idle() and not self._closed:
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
        now = time.monotonic()
        self._next_sweep = now + self._sweep_every
        expired: list[H1Connection] = []
        for key, stack in list(self._idle.items()):
            keep: list[H1Connection] = []
            for connection in stack:
                (expired if connection.has_expired(now) else keep).append(connection)
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


async def _close(connection: H1Connection) -> None:
    with anyio.CancelScope(shield=True):
        try:
            await connection.aclose()
        except _CLOSE_ERRORS:
            pass  # closing a connection that is already broken: nothing left to release


def _failed(exc: BaseException, request: httpx.Request, connection: H1Connection) -> BaseException:
    """The exception to raise for a request that failed on ``connection``: httpcore2's mapped to
    httpx's; any transport error after the first write is marked sent (the trust rule)."""
    if isinstance(exc, _HTTPCORE2_ERRORS):
        mapped: BaseException = map_httpcore2_error(exc, request)
        mapped.__cause__ = exc
    else:
        mapped = exc
        if isinstance(exc, httpx.RequestError):
            try:
                exc.request  # noqa: B018 (raises when unset)
            except RuntimeError:
                exc.request = request  # the parser's errors know no request
    if connection.sent and isinstance(mapped, httpx.TransportError):
        mark_sent(mapped, True)
    return mapped


class _BodyStream(httpx.AsyncByteStream):
    """A response body read from its connection: one piece per network read (everything the
    parser took from it, however many HTTP chunks); closing it gives the connection back to
    the pool (once), idle if the body was read to the end, else closed."""

    __slots__ = ("_connection", "_key", "_parser", "_pool", "_request", "_timeout")

    def __init__(
        self,
        connection: H1Connection,
        parser: ResponseParser,
        request: httpx.Request,
        pool: _Pool,
        key: _Key,
        timeout: float | None,
    ) -> None:
        self._connection = connection
        self._parser = parser
        self._request = request
        self._pool: _Pool | None = pool
        self._key = key
        self._timeout = timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while data := await self.receive():
            yield data

    async def receive(self) -> bytes:
        """The body bytes received so far, waiting for some when there are none; ``b""`` at
        the end. Cancel-safe (offered to the log follower as ``RECEIVE_EXTENSION``): cancelled
        while it waits, it has taken nothing from the connection."""
        connection, parser = self._connection, self._parser
        try:
            data = parser.take_body()
            while not data and not parser.complete:
                await connection.receive(parser, self._timeout)
                data = parser.take_body()
            if data:
                return data
            connection.finish(parser)
        except _BODY_ERRORS as exc:
            failure = _failed(exc, self._request, connection)
            if failure is exc:
                raise
            raise failure from exc
        await self.aclose()
        return b""

    async def aclose(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await pool.give_back(self._connection, self._key)


class Httpcore2Transport(httpx.AsyncBaseTransport):
    """httpx transport on HTTP/1.1 connections of our own (:mod:`._h1_conn`) over httpcore2's
    network streams, under an O(1) pool (asyncio or trio).

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
        # offered on a caller's context too, as httpcore does (HTTP/1.1 is all we speak)
        ssl_context.set_alpn_protocols(ALPN_PROTOCOLS)
        self._pool = _Pool(limits or HTTPCORE2_DEFAULT_LIMITS, ssl_context)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.raw_scheme
        if scheme != b"http" and scheme != b"https":
            raise httpx.UnsupportedProtocol(
                f"Request URL has an unsupported protocol '{url.scheme}://'.", request=request
            )
        key = (scheme, url.raw_host, url.port)
        timeouts = request.extensions.get("timeout")
        if not isinstance(timeouts, dict):
            timeouts = _NO_TIMEOUTS
        pool = self._pool
        try:
            await pool.acquire(timeouts.get("pool"))
            try:
                connection = await pool.checkout(key)
            except BaseException:
                pool.release()
                raise
        except _HTTPCORE2_ERRORS as exc:  # nothing was sent
            raise map_httpcore2_error(exc, request) from exc
        read_timeout = timeouts.get("read")
        try:
            if connection.stream is None:
                await pool.open(connection, key, request)
            parser = await connection.send(request, timeouts.get("write"), read_timeout)
            if not parser.complete:
                length = parser.content_length
                if length is None or length > READ_WHOLE_MAX:
                    body_stream = _BodyStream(connection, parser, request, pool, key, read_timeout)
                    return httpx.Response(
                        status_code=parser.status,
                        headers=parser.headers,
                        stream=body_stream,
                        extensions={
                            "http_version": b"HTTP/1.1",
                            RECEIVE_EXTENSION: body_stream.receive,
                        },
                    )
                # a small body of known size (every JSON answer of the API): read it here and
                # give the connection back before httpx's stream machinery is involved
                while not parser.complete:
                    await connection.receive(parser, read_timeout, READ_SIZE)
            body = parser.take_body()
            connection.finish(parser)
        except BaseException as exc:
            await pool.give_back(connection, key)
            failure = _failed(exc, request, connection)
            if failure is exc:
                raise
            raise failure from exc
        await pool.give_back(connection, key)
        headers = parser.headers
        whole = httpx.Response(
            status_code=parser.status,
            headers=headers,
            stream=httpx.ByteStream(body),  # not marked read: aiter_raw() still works
            extensions={"http_version": b"HTTP/1.1"},
        )
        for name, _ in headers:
            if len(name) == 16 and name.lower() == b"content-encoding":
                break  # httpx decodes it when the content is asked for
        else:
            preset_content(whole, body)
        return whole

    def pool_stats(self) -> dict[str, int]:
        """``{"in_use": connections checked out, "idle": keep-alive connections}``."""
        pool = self._pool
        return {"in_use": pool.in_use, "idle": pool.idle}

    async def aclose(self) -> None:
        await self._pool.aclose()
