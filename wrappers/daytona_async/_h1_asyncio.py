"""The SDK's own HTTP/1.1 transport for asyncio: ``asyncio.Protocol`` connections, llhttp
(``httptools``) to parse responses (:mod:`._h1_wire`), an O(1) pool (:mod:`._h1_pool`).

Why our own: per typed GET at concurrency 100, aiohttp's request machinery (its request and
response objects, timers, connector) cost ~70 µs of CPU, most of the SDK's transport cost; the
SDK needs none of it (no cookies, redirects, proxies or decompression: httpx does those it
wants), so this transport writes the head httpx built and parses the answer in C.

- Small bodies of known length (≤ 256 KiB, every JSON answer of the API) are read before the
  response is returned, as ``httpx.ByteStream`` with the content preset; others stream: each
  step yields every body byte received so far (a log follow of 1 KiB HTTP chunks is read in
  pieces as large as the network's), reading pauses while more than 256 KiB wait for the
  reader, and each wait is bounded by the ``read`` timeout (``httpx.ReadTimeout``). Closing an
  unfinished body closes its connection; a finished one goes back to the pool, once.
- Request bodies: bytes go out with the head in one write; async iterables (multipart, upload
  streams) piece by piece, waiting while the socket's buffer is full, chunked when httpx
  framed them so. The response is awaited once the request left whole: a server that stops
  reading it ends in ``httpx.WriteTimeout`` after ``write`` seconds without progress.
- Timeouts mean what they mean in httpx: ``read`` bounds each wait for bytes (a slow answer
  that keeps coming is read however long it takes), ``write`` each wait to send.
- Errors follow the adapter contract of :mod:`._wire`: ``ConnectError`` / ``ConnectTimeout``
  / ``PoolTimeout`` only when nothing was sent (connect, TLS, pool wait); after the first write
  every error is marked sent — a connection dropped before or within the response is
  ``RemoteProtocolError`` (also on a kept-alive connection the server closed just as it was
  reused: its request may have been read), a malformed response too, a stalled one
  ``ReadTimeout``. An idle connection is reused only if its socket has nothing to read
  (:mod:`._h1_pool`). A request cancelled mid-flight closes its connection.
- :meth:`H1Transport.aclose` ends every response still streaming with ``httpx.ReadError``
  (the client was closed) and closes every connection.
- No proxies (environment proxy settings are not read), no HTTP/2, no ``Expect: 100-continue`` handling beyond skipping an unsolicited 100 response.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

import httpx

from ._h1_pool import WANT_BODY, WANT_END, WANT_HEAD, Connection, Pool, PoolKey
from ._h1_wire import LAST_CHUNK, ResponseParser, body_framing, encode_chunk, request_head
from ._internals import preset_content
from ._wire import (
    KEEPALIVE_EXPIRY,
    READ_WHOLE_MAX,
    RECEIVE_EXTENSION,
    STREAM_CLOSED_BY_CLIENT,
    mark_sent,
)

__all__ = ["H1_DEFAULT_LIMITS", "H1Transport"]

#: connections are cheap here (no per-request scan): as many as aiohttp's default
H1_DEFAULT_LIMITS = httpx.Limits(
    max_connections=200, max_keepalive_connections=200, keepalive_expiry=KEEPALIVE_EXPIRY
)
#: a request body up to this size goes out joined to its head, in one send
_JOIN_MAX = 64 * 1024
_HTTP11 = {"http_version": b"HTTP/1.1"}
_DEFAULT_PORTS = {b"http": 80, b"https": 443}


def _sent(error: httpx.TransportError) -> httpx.TransportError:
    mark_sent(error, True)
    return error


def _client_closed() -> httpx.TransportError:
    return _sent(httpx.ReadError(STREAM_CLOSED_BY_CLIENT))


async def _advance(
    connection: Connection, parser: ResponseParser, want: int, timeout: float | None
) -> None:
    """Wait for more of the response (``want``: its head, body bytes, its end). Raises what
    ended the connection, ``httpx.RemoteProtocolError`` if the server closed it before the
    response ended, ``httpx.ReadTimeout`` after ``timeout`` seconds without progress."""
    error = connection.error
    if error is not None:
        raise error
    if connection.lost:
        try:
            parser.feed_eof()  # completes a body delimited by the close
        except httpx.RemoteProtocolError as exc:
            raise _sent(exc) from connection.lost_because  # a reset, say
        return
    if not await connection.wait(want, timeout):
        raise _sent(httpx.ReadTimeout(f"no data from the server within {timeout:g} s"))


def _timeouts(request: httpx.Request) -> tuple[Any, Any, Any, Any]:
    ext = request.extensions.get("timeout")
    if not isinstance(ext, dict):
        return None, None, None, None
    return ext.get("connect"), ext.get("read"), ext.get("write"), ext.get("pool")


class _Body(httpx.AsyncByteStream):
    """A response body read from its connection as it arrives. Closing it gives the connection
    back to the pool: reusable if the body was read to its end, closed otherwise."""

    __slots__ = ("_connection", "_parser", "_read_timeout", "_request")

    def __init__(
        self,
        connection: Connection,
        parser: ResponseParser,
        request: httpx.Request,
        read_timeout: float | None,
    ) -> None:
        self._connection: Connection | None = connection
        self._parser = parser
        self._request = request
        self._read_timeout = read_timeout

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while data := await self.receive():
            yield data

    async def receive(self) -> bytes:
        """Everything received of the body so far, waiting for some when there is none; ``b""``
        at its end (the connection then goes back to the pool). Cancel-safe, and so offered to
        the log follower as ``RECEIVE_EXTENSION``: cancelled while it waits, it has taken
        nothing (the bytes stay in the parser for the next call)."""
        parser = self._parser
        while True:
            connection = self._connection
            if connection is None:  # closed by the reader
                raise _client_closed()
            if parser.buffered:
                data = parser.take_body()
                connection.resume_reading()
                return data
            if parser.complete:
                self._give_back()
                return b""
            try:
                await _advance(connection, parser, WANT_BODY, self._read_timeout)
            except httpx.TransportError as exc:
                exc.request = self._request
                self._give_back()
                raise

    def _give_back(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.pool.give_back(connection)

    async def aclose(self) -> None:
        self._give_back()  # closed unless the body was read to its end


class H1Transport(httpx.AsyncBaseTransport):
    """httpx transport on the SDK's own HTTP/1.1 connections (asyncio only; no proxies).

    Args:
        limits: ``max_connections`` (checked out at once; more requests wait, ``pool``
            timeout), ``max_keepalive_connections`` (idle), ``keepalive_expiry``.
        verify: ``True``/``False``/CA bundle path/``ssl.SSLContext`` as in httpx (an
            ``SSLContext`` is used as it is).
    """

    def __init__(self, *, limits: httpx.Limits | None = None, verify: Any = True) -> None:
        self._limits = limits or H1_DEFAULT_LIMITS
        self._verify = verify
        self._pool: Pool | None = None  # created in the running loop, on first use

    def _get_pool(self) -> Pool:
        pool = self._pool
        if pool is None or pool.closed:  # (a new one after aclose(), as aiohttp's session)
            pool = self._pool = Pool(self._limits, self._verify, asyncio.get_running_loop())
        return pool

    def pool_stats(self) -> dict[str, int]:
        """``{"in_use": connections checked out, "idle": keep-alive connections}``."""
        pool = self._pool
        if pool is None:
            return {"in_use": 0, "idle": 0}
        return {"in_use": pool.in_use, "idle": pool.idle}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        scheme = url.raw_scheme
        port = url.port or _DEFAULT_PORTS.get(scheme)
        if port is None:
            raise httpx.UnsupportedProtocol(
                f"Request URL has an unsupported protocol '{url.scheme}://'.", request=request
            )
        if not url.raw_host:
            raise httpx.UnsupportedProtocol("Request URL has no host.", request=request)
        key: PoolKey = (scheme, url.raw_host, port)
        head = request_head(request)  # a header that cannot be sent fails here, unsent
        connect_timeout, read_timeout, write_timeout, pool_timeout = _timeouts(request)
        pool = self._get_pool()
        try:
            await pool.acquire(pool_timeout)
        except httpx.TransportError as exc:
            exc.request = request
            raise
        connection: Connection | None = None
        try:
            if pool.closed:  # closed while this request waited for a slot
                error = httpx.ConnectError("the client was closed", request=request)
                mark_sent(error, False)
                raise error
            connection = pool.take_idle(key)
            if connection is None:
                connection = await pool.connect(
                    key, request.extensions.get("sni_hostname"), connect_timeout
                )
        except BaseException as exc:
            pool.release_slot()
            if isinstance(exc, httpx.TransportError):
                exc.request = request
            raise
        try:
            return await self._exchange(connection, request, head, read_timeout, write_timeout)
        except BaseException as exc:
            # a failed, cancelled or interrupted exchange: the connection cannot be reused
            # (give_back closes it: it is not at the end of a kept-alive response)
            if connection.parser is not None and not connection.parser.complete:
                connection.close()
            if connection in pool.checked_out:
                pool.give_back(connection)
            if isinstance(exc, httpx.TransportError):
                exc.request = request
                mark_sent(exc, True)
            raise

    async def _exchange(
        self,
        connection: Connection,
        request: httpx.Request,
        head: bytes,
        read_timeout: float | None,
        write_timeout: float | None,
    ) -> httpx.Response:
        parser = connection.parser = ResponseParser(request.method)
        transport = connection.transport
        assert transport is not None
        stream = request.stream
        if isinstance(stream, httpx.ByteStream):
            try:
                body = request.content
            except httpx.RequestNotRead:  # built with stream=ByteStream(...): its one piece
                body = b"".join(stream)
            if len(body) <= _JOIN_MAX:
                transport.write(head + body if body else head)  # one send
            else:  # no copy of a big body
                transport.write(head)
                transport.write(body)
        else:
            transport.write(head)
            await _send_body(connection, request, stream, write_timeout)
        if connection.unsent() and not await connection.flush(write_timeout):
            # the server stopped reading the request: httpx's write timeout, not a read one
            raise _sent(httpx.WriteTimeout(f"could not send within {write_timeout:g} s"))
        while not parser.head_complete:
            await _advance(connection, parser, WANT_HEAD, read_timeout)
        length = parser.content_length
        if not parser.complete and length is not None and length <= READ_WHOLE_MAX:
            # a small body of known size (every JSON answer of the API): read it here, in one
            # step, instead of through httpx's chunked stream machinery
            while not parser.complete:
                await _advance(connection, parser, WANT_END, read_timeout)
        if parser.complete:
            body = parser.take_body()
            connection.pool.give_back(connection)
            response = httpx.Response(
                status_code=parser.status,
                headers=parser.headers,
                stream=httpx.ByteStream(body),  # not marked read: aiter_raw() still works
                extensions=_HTTP11.copy(),
                request=request,
            )
            if "content-encoding" not in response.headers:
                preset_content(response, body)
            return response
        streamed = _Body(connection, parser, request, read_timeout)
        return httpx.Response(
            status_code=parser.status,
            headers=parser.headers,
            stream=streamed,
            extensions={**_HTTP11, RECEIVE_EXTENSION: streamed.receive},
            request=request,
        )

    async def aclose(self) -> None:
        pool = self._pool
        if pool is not None and not pool.closed:
            # the pool stays (pool_stats() counts the responses still streaming until they
            # are closed); the next request makes a new one
            pool.close(_client_closed)
            # let the transports run their close callbacks (connection_lost)
            await asyncio.sleep(0)


async def _send_body(
    connection: Connection, request: httpx.Request, stream: Any, write_timeout: float | None
) -> None:
    """Write a streamed request body, piece by piece, waiting while the socket's buffer is full.
    Stops early if the connection ended (the server may have answered already: the reader
    will tell)."""
    transport = connection.transport
    assert transport is not None
    chunked = body_framing(request) == "chunked"
    body: AsyncIterable[bytes] = stream
    async for piece in body:
        if connection.lost or connection.error is not None or connection.cut_short:
            return
        if piece:
            transport.write(encode_chunk(piece) if chunked else piece)
        if connection.write_paused and not await connection.drain(write_timeout):
            raise _sent(httpx.WriteTimeout(f"could not send within {write_timeout:g} s"))
    if chunked and not connection.lost and not connection.cut_short:
        transport.write(LAST_CHUNK)
