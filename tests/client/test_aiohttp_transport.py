"""The SDK's aiohttp transport over real loopback sockets: small bodies read whole in one step,
large and chunked ones streamed, truncated bodies mapped to httpx errors, pool reuse."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import httpx
import pytest
from anyio.abc import SocketStream
from daytona_async._aiohttp import AiohttpTransport

from .loopback import read_request, request_target, serve_loopback

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # aiohttp runs under asyncio only


async def _handle(stream: SocketStream) -> None:
    """``GET /<kind>/<size>``: ``len`` → Content-Length body; ``chunked`` → chunked body;
    ``cut`` → announces ``size`` bytes, sends half, closes; ``echo`` → the request's head."""
    try:
        await _serve(stream)
    except anyio.BrokenResourceError:
        pass  # the client closed a response it did not want to finish


async def _serve(stream: SocketStream) -> None:
    buf = bytearray()
    async with stream:
        while True:
            head = await read_request(stream, buf)
            if head is None:
                return
            _, kind, size_text = request_target(head).split("/")
            body = b"x" * int(size_text)
            if kind == "echo":
                await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(head))
                await stream.send(head)
                continue
            if kind == "len":
                await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(body))
                await stream.send(body)
            elif kind == "chunked":
                await stream.send(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
                for i in range(0, len(body), 65536):
                    part = body[i : i + 65536]
                    await stream.send(b"%x\r\n%s\r\n" % (len(part), part))
                await stream.send(b"0\r\n\r\n")
            else:
                await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(body))
                await stream.send(body[: len(body) // 2])
                return


@asynccontextmanager
async def server() -> AsyncIterator[str]:
    async with serve_loopback(_handle) as port:
        yield f"http://127.0.0.1:{port}"


async def test_small_body_is_read_whole_and_connection_reused() -> None:
    transport = AiohttpTransport()
    async with server() as base, httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", f"{base}/len/1000") as response:
            # read by the transport: the connection is already back in the pool
            assert transport.pool_stats() == {"in_use": 0, "idle": 1}
            assert b"".join([c async for c in response.aiter_raw()]) == b"x" * 1000
        second = await client.get(f"{base}/len/10")
        assert second.content == b"x" * 10
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}  # the same connection


@pytest.mark.parametrize("kind", ["len", "chunked"])
async def test_large_or_chunked_body_is_streamed(kind: str) -> None:
    size = 4 * 1024 * 1024
    transport = AiohttpTransport()
    async with server() as base, httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", f"{base}/{kind}/{size}") as response:
            assert transport.pool_stats()["in_use"] == 1  # still reading from it
            first = b""
            async for chunk in response.aiter_raw():
                first = chunk
                break
            assert 0 < len(first) < size
        # closed unfinished: the connection is dropped, not pooled
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}
        whole = await client.get(f"{base}/{kind}/{size}")
        assert len(whole.content) == size
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}


@pytest.mark.parametrize("size", [1000, 4 * 1024 * 1024])
async def test_truncated_body_is_an_httpx_read_error(size: int) -> None:
    transport = AiohttpTransport()
    async with server() as base, httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ReadError):
            await client.get(f"{base}/cut/{size}")
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}


def test_errors_carry_whether_the_request_was_sent() -> None:
    # the retry policy decides on this fact, never on the message
    import aiohttp
    from aiohttp.client_reqrep import ConnectionKey
    from daytona_async._aiohttp import map_aiohttp_error
    from daytona_async._wire import request_sent

    request = httpx.Request("POST", "http://127.0.0.1:1/x")
    key = ConnectionKey("127.0.0.1", 1, False, True, None, None, None)
    refused = aiohttp.ClientConnectorError(key, ConnectionRefusedError(111, "refused"))
    cases: list[tuple[BaseException, type[httpx.TransportError], bool]] = [
        (refused, httpx.ConnectError, False),
        (aiohttp.ConnectionTimeoutError(), httpx.ConnectTimeout, False),
        (aiohttp.InvalidURL("ftp://x"), httpx.UnsupportedProtocol, False),
        (aiohttp.ServerDisconnectedError(), httpx.RemoteProtocolError, True),
        (aiohttp.SocketTimeoutError(), httpx.ReadTimeout, True),
        (aiohttp.ClientPayloadError("cut"), httpx.ReadError, True),
        (aiohttp.ClientOSError(104, "reset"), httpx.ReadError, True),
    ]
    for exc, expected, sent in cases:
        mapped = map_aiohttp_error(exc, request)
        assert type(mapped) is expected, (exc, mapped)
        assert request_sent(mapped) is sent, exc


async def test_each_request_sends_its_own_headers() -> None:
    # the transport reuses converted header sets: a request with other headers gets its own
    async with server() as base, httpx.AsyncClient(transport=AiohttpTransport()) as client:
        for value in ["a", "b", "a", "b"]:
            head = (await client.get(f"{base}/echo/0", headers={"X-Probe": value})).content
            lines = head.lower().split(b"\r\n")
            assert [line for line in lines if line.startswith(b"x-probe")] == [
                b"x-probe: " + value.encode()
            ]
