"""One HTTP/1.1 connection of the httpcore2 transport: the sans-IO core :mod:`._h1_wire` (request
heads, body framing, the response parser) driven over a network stream.

The stream is opened by httpcore2 (``connect_tcp``, ``start_tls``) and read and written through
``read(max_bytes, timeout)`` / ``write(data, timeout)``: httpcore2's own stream, or under trio
over plain TCP :class:`._trio_socket.TrioSocketStream`. Network failures are httpcore2's
exceptions (the transport maps them to httpx's); a malformed response is the parser's
``httpx.RemoteProtocolError``. The connection never decides whether it is pooled: it reports
whether it is idle (its last response read to the end, and the server keeps it open) and
whether an idle one has expired; the pool does the rest.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterable
from typing import Protocol

import httpcore2
import httpx

from ._h1_wire import LAST_CHUNK, ResponseParser, body_framing, encode_chunk, request_head

__all__ = ["H1Connection", "NetworkStream"]

#: bytes asked for per network read of a response head (and the small body that comes with it)
READ_SIZE = 64 * 1024
#: per network read of a streamed response body: its reader gets everything one read brought,
#: so larger reads mean fewer trips through the layers above (log following: 1 KiB HTTP
#: chunks, ~1000 per read; 1 MiB reads follow a log ~25 % faster than 256 KiB ones under trio)
BODY_READ_SIZE = 1024 * 1024


class NetworkStream(Protocol):
    """The part of httpcore2's ``AsyncNetworkStream`` a connection uses."""

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes: ...

    async def write(self, buffer: bytes, timeout: float | None = None) -> None: ...

    async def aclose(self) -> None: ...

    def get_extra_info(self, info: str) -> object: ...


class H1Connection:
    """An HTTP/1.1 connection owned by one request at a time (the pool checks it out).

    States: *fresh* (no stream yet: the request that checked it out opens it), *busy* (a
    request is on it: from its first write until its response was read to the end), *idle*
    (reusable), *closed*. A connection left busy (an error, a cancellation, a body not read to
    the end) is never reused: the pool closes it.
    """

    __slots__ = ("_busy", "_closed", "_cut_short", "_expiry", "_idle_since", "sent", "stream")

    def __init__(self, keepalive_expiry: float | None) -> None:
        self.stream: NetworkStream | None = None
        self._expiry = keepalive_expiry
        self._busy = False
        self._closed = False
        self._idle_since = 0.0
        # the request could not be written whole (the server answered early): never reused
        self._cut_short = False
        #: whether any byte of the current request may have left (set at its first write)
        self.sent = False

    def attach(self, stream: NetworkStream) -> None:
        """The freshly opened stream of this connection."""
        self.stream = stream

    def is_idle(self) -> bool:
        return self.stream is not None and not self._busy and not self._closed

    def is_closed(self) -> bool:
        return self._closed

    def has_expired(self, now: float) -> bool:
        """Idle longer than the keep-alive expiry, or readable (the server closed it)."""
        if self._expiry is not None and now - self._idle_since > self._expiry:
            return True
        stream = self.stream
        return stream is None or bool(stream.get_extra_info("is_readable"))

    async def aclose(self) -> None:
        self._closed = True
        stream, self.stream = self.stream, None
        if stream is not None:
            await stream.aclose()

    # -- one request -------------------------------------------------------------------

    async def send(
        self, request: httpx.Request, write_timeout: float | None, read_timeout: float | None
    ) -> ResponseParser:
        """Send ``request`` and read until its response head is complete (interim 1xx
        responses skipped by the parser). The parser holds the head and any body bytes
        received with it; read the rest with :meth:`receive`, then call :meth:`finish`."""
        self.sent = False
        stream = self.stream
        if stream is None or self._closed:
            raise httpcore2.ConnectError("the connection is closed")
        body = request.stream
        if not isinstance(body, httpx.AsyncByteStream):
            raise httpx.LocalProtocolError(
                "an async transport cannot send a synchronous request body", request=request
            )
        head = request_head(request)
        framing = body_framing(request)
        parser = ResponseParser(request.method)
        self._busy = True
        self.sent = True  # from here on, any byte may have left
        try:
            if framing == "none":
                await stream.write(head, write_timeout)
            elif isinstance(body, httpx.ByteStream):
                # the whole request in one write (the typed API's JSON bodies)
                content = request.content
                if framing == "chunked":
                    content = encode_chunk(content) + LAST_CHUNK if content else LAST_CHUNK
                await stream.write(head + content, write_timeout)
            else:
                await stream.write(head, write_timeout)
                await _write_body(stream, body, framing == "chunked", write_timeout)
        except httpcore2.WriteError:
            self._cut_short = True
            # the server may have answered and closed before reading the whole body (a 413,
            # say): that answer is worth more than the write error; no answer → the error
            try:
                await self._read_head(parser, read_timeout)
            except (httpcore2.NetworkError, httpcore2.TimeoutException, httpx.RemoteProtocolError):
                pass
            else:
                return parser
            raise
        await self._read_head(parser, read_timeout)
        return parser

    async def _read_head(self, parser: ResponseParser, timeout: float | None) -> None:
        stream = self.stream
        assert stream is not None
        while not parser.head_complete:
            data = await stream.read(READ_SIZE, timeout)
            if data:
                parser.feed(data)
            else:
                parser.feed_eof()  # raises: the response is incomplete

    async def receive(
        self, parser: ResponseParser, timeout: float | None, max_bytes: int = BODY_READ_SIZE
    ) -> None:
        """One network read (of at most ``max_bytes``) into ``parser``: the body goes on."""
        stream = self.stream
        if stream is None:
            raise httpcore2.ReadError("the connection was closed")
        data = await stream.read(max_bytes, timeout)
        if data:
            parser.feed(data)
        else:
            parser.feed_eof()  # ends a body delimited by the close, else raises

    def finish(self, parser: ResponseParser) -> None:
        """The response was read to the end: idle again if the server keeps the connection."""
        if parser.complete and parser.keep_alive and not self._cut_short:
            self._busy = False
            self._idle_since = time.monotonic()


async def _write_body(
    stream: NetworkStream, body: AsyncIterable[bytes], chunked: bool, timeout: float | None
) -> None:
    async for part in body:
        if part:
            await stream.write(encode_chunk(part) if chunked else part, timeout)
    if chunked:
        await stream.write(LAST_CHUNK, timeout)
