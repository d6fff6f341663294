"""An ``httpx.AsyncBaseTransport`` on aiohttp's connection pool (asyncio only).

Why our own and not ``httpx_aiohttp.AiohttpTransport``: that one maps every
``aiohttp.ClientConnectionError`` to ``httpx.ConnectTimeout``, including
``ServerDisconnectedError`` — a connection dropped *after* the request was sent would look
like "nothing was sent" and a retry policy would re-send a non-idempotent POST (a duplicate
sandbox). Here the mapping keeps the distinction the retry policy depends on:

=================================================  ==========================
aiohttp                                            httpx
=================================================  ==========================
``ClientConnectorError`` (refused, DNS, TLS)       ``ConnectError``
``ConnectionTimeoutError`` (pool wait + connect)   ``ConnectTimeout``
``SocketTimeoutError`` / other ``TimeoutError``    ``ReadTimeout``
``ServerDisconnectedError``                        ``RemoteProtocolError``
``ClientPayloadError``                             ``ReadError``
``ClientResponseError`` (bad HTTP)                 ``RemoteProtocolError``
``InvalidURL`` / ``NonHttpUrlClientError``         ``UnsupportedProtocol``
``ClientOSError`` / other ``ClientError``          ``ReadError``
=================================================  ==========================

httpx timeouts map to ``aiohttp.ClientTimeout(sock_connect=connect, sock_read=read,
connect=pool+connect)``; httpx's ``write`` timeout has no aiohttp equivalent (the SDK's
deadline scope still bounds it). Response bodies are streamed (``iter_any``), request bodies
may be bytes, multipart or async iterators. Closing an unfinished response closes its
connection instead of returning it to the pool.

Each error carries the fact the retry policy decides on (:func:`~daytona_async._wire.mark_sent`):
a failure to get a connection (connect, TLS, pool wait) sent nothing; anything later may have
sent some of the request. Closing the transport ends every response still streaming with a
``ReadError`` saying the client was closed, at once, instead of leaving its reader waiting.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
from yarl import URL

from ._internals import connector_stats, preset_content
from ._wire import (
    AIOHTTP_DEFAULT_LIMITS,
    KEEPALIVE_EXPIRY,
    READ_WHOLE_MAX,
    STREAM_CLOSED_BY_CLIENT,
    mark_sent,
)

__all__ = ["AiohttpTransport"]


def map_aiohttp_error(exc: BaseException, request: httpx.Request | None) -> httpx.TransportError:
    kw: dict[str, Any] = {"request": request} if request is not None else {}
    msg = str(exc) or type(exc).__name__
    cls: type[httpx.TransportError]
    if isinstance(exc, aiohttp.ClientConnectorError):
        cls = httpx.ConnectError
    elif isinstance(exc, aiohttp.ConnectionTimeoutError):
        cls = httpx.ConnectTimeout
    elif isinstance(exc, aiohttp.ServerDisconnectedError):
        cls = httpx.RemoteProtocolError
        msg = "Server disconnected without sending a complete response."
    elif isinstance(exc, (aiohttp.SocketTimeoutError, aiohttp.ServerTimeoutError, TimeoutError)):
        cls = httpx.ReadTimeout
    elif isinstance(exc, aiohttp.ClientPayloadError):
        cls = httpx.ReadError
    elif isinstance(exc, aiohttp.ClientResponseError):
        cls = httpx.RemoteProtocolError
    elif isinstance(exc, (aiohttp.InvalidURL, aiohttp.NonHttpUrlClientError)):
        cls = httpx.UnsupportedProtocol
    else:
        cls = httpx.ReadError
    mapped = cls(msg, **kw)
    # no connection was obtained: not a byte of the request went out
    mark_sent(mapped, not isinstance(exc, _NOT_CONNECTED))
    return mapped


_NOT_CONNECTED = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    aiohttp.InvalidURL,
    aiohttp.NonHttpUrlClientError,
)


_MAPPED = (aiohttp.ClientError, TimeoutError)


class _ResponseStream(httpx.AsyncByteStream):
    __slots__ = ("_closed_by_client", "_request", "_response")

    def __init__(self, response: aiohttp.ClientResponse, request: httpx.Request) -> None:
        self._response = response
        self._request = request
        self._closed_by_client = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_any():
                if self._closed_by_client:
                    break
                yield chunk
        except _MAPPED as exc:
            if self._closed_by_client:
                raise self._client_closed() from exc
            raise map_aiohttp_error(exc, self._request) from exc
        if self._closed_by_client:
            raise self._client_closed()

    def _client_closed(self) -> httpx.ReadError:
        error = httpx.ReadError(STREAM_CLOSED_BY_CLIENT, request=self._request)
        mark_sent(error, True)
        return error

    def abort(self) -> None:
        """End the body now: a reader waiting for the next chunk gets the "client closed"
        error (the connection is closed, not pooled)."""
        self._closed_by_client = True
        self._response.content.set_exception(aiohttp.ClientConnectionError(STREAM_CLOSED_BY_CLIENT))
        self._response.close()

    async def aclose(self) -> None:
        response = self._response
        if response.content.at_eof():
            response.release()
        else:  # unread body: the connection cannot be reused
            response.close()


async def _body_iter(stream: Any) -> AsyncIterator[bytes]:
    async for chunk in stream:
        yield chunk


class AiohttpTransport(httpx.AsyncBaseTransport):
    """httpx transport on one lazily created ``aiohttp.ClientSession`` (created in the running
    loop on first use).

    Args:
        limits: ``max_connections`` → the connector's ``limit``; ``keepalive_expiry`` → its
            ``keepalive_timeout``.
        verify: ``True``/``False``/CA bundle path/``ssl.SSLContext`` as in httpx.
    """

    def __init__(self, *, limits: httpx.Limits | None = None, verify: Any = True) -> None:
        self._limits = limits or AIOHTTP_DEFAULT_LIMITS
        self._verify = verify
        self._session: aiohttp.ClientSession | None = None
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}
        # request headers as aiohttp takes them, per raw header set: the SDK sends the same few
        # sets over and over, and decoding them was ~5 % of a typed GET
        self._headers: dict[tuple[tuple[bytes, bytes], ...], list[tuple[str, str]]] = {}
        # bodies still streaming, ended by aclose()
        self._streams: weakref.WeakSet[_ResponseStream] = weakref.WeakSet()

    def _get_session(self) -> aiohttp.ClientSession:
        session = self._session
        if session is None:
            import ssl

            verify = self._verify
            if isinstance(verify, ssl.SSLContext):
                ssl_arg: Any = verify
            elif verify is False:
                ssl_arg = False
            else:
                ssl_arg = httpx.create_ssl_context(verify=verify)
            connector = aiohttp.TCPConnector(
                limit=self._limits.max_connections or 0,
                limit_per_host=0,
                keepalive_timeout=self._limits.keepalive_expiry or KEEPALIVE_EXPIRY,
                ssl=ssl_arg,
            )
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,
                skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding"),
                timeout=aiohttp.ClientTimeout(total=None),
            )
        return session

    def _timeout(self, ext: Any) -> aiohttp.ClientTimeout:
        if not isinstance(ext, dict):
            ext = {}
        connect = ext.get("connect")
        read = ext.get("read")
        pool = ext.get("pool")
        key = (connect, read, pool)
        t = self._timeouts.get(key)
        if t is None:
            acquire = None if pool is None else pool + (connect or 0.0)
            t = aiohttp.ClientTimeout(
                total=None, connect=acquire, sock_connect=connect, sock_read=read
            )
            if len(self._timeouts) > 256:
                self._timeouts.clear()
            self._timeouts[key] = t
        return t

    def _header_items(self, headers: httpx.Headers) -> list[tuple[str, str]]:
        key = tuple(headers.raw)
        items = self._headers.get(key)
        if items is None:
            if len(self._headers) > 256:
                self._headers.clear()
            items = self._headers[key] = headers.multi_items()
        return items

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._get_session()
        headers = request.headers
        data: Any
        if isinstance(request.stream, httpx.ByteStream):
            data = request.content or None
        else:
            data = _body_iter(request.stream)
            if "transfer-encoding" in headers:
                headers = headers.copy()
                del headers["transfer-encoding"]  # aiohttp chunks it itself
        try:
            response = await session.request(
                request.method,
                URL(str(request.url), encoded=True),
                headers=self._header_items(headers),
                data=data,
                allow_redirects=False,
                timeout=self._timeout(request.extensions.get("timeout")),
                server_hostname=request.extensions.get("sni_hostname"),
            )
        except _MAPPED as exc:
            raise map_aiohttp_error(exc, request) from exc
        length = response.content_length
        if length is not None and length <= READ_WHOLE_MAX:
            # a small body of known size (every JSON answer of the API): read it here, in one
            # step, instead of through httpx's chunked stream machinery (~8 % of a typed GET)
            try:
                body = await response.read()
            except _MAPPED as exc:
                response.close()
                raise map_aiohttp_error(exc, request) from exc
            whole = httpx.Response(
                status_code=response.status,
                headers=response.raw_headers,
                stream=httpx.ByteStream(body),  # not marked read: aiter_raw() still works
                extensions={"http_version": b"HTTP/1.1"},
            )
            if "Content-Encoding" not in response.headers:
                preset_content(whole, body)
            return whole
        stream = _ResponseStream(response, request)
        self._streams.add(stream)
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=stream,
            extensions={"http_version": b"HTTP/1.1"},
        )

    def pool_stats(self) -> dict[str, int]:
        """``{"in_use": connections checked out, "idle": keep-alive connections}``."""
        session = self._session
        if session is None:
            return {"in_use": 0, "idle": 0}
        return connector_stats(session.connector)

    async def aclose(self) -> None:
        for stream in list(self._streams):
            stream.abort()
        self._streams.clear()
        session, self._session = self._session, None
        if session is not None:
            await session.close()
            # let the connector's transports finish closing (aiohttp's documented idiom)
            await asyncio.sleep(0)
