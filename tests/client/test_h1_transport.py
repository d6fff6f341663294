"""The SDK's own asyncio HTTP/1.1 transport (``H1Transport``) over real loopback sockets: bodies
read whole or streamed, connections reused and given back exactly once (also when requests are
cancelled mid-flight), pool limits, TLS, httpx exception types, and what was sent."""

from __future__ import annotations

import gzip
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import anyio.lowlevel
import httpx
import pytest
from anyio.abc import SocketStream
from daytona_async._h1_asyncio import H1Transport
from daytona_async._transport import RetryPolicy, RetryTransport
from daytona_async._wire import request_sent

from .loopback import serve_loopback

# the self-signed certificate fixture, by its name
from .test_httpcore2_transport import (
    certificate,  # noqa: F401
    serving,
    serving_tls,
    wait_for,
)

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@asynccontextmanager
async def raw_server(
    answer: Callable[[SocketStream, bytes, bytearray], Awaitable[bool]],
) -> AsyncIterator[str]:
    """A server that reads each request head and lets ``answer(stream, head, buf)`` read the
    body (its first bytes may be in ``buf`` already) and write whatever it wants; ``answer``
    returns whether to keep the connection open."""

    async def handle(stream: SocketStream) -> None:
        buf = bytearray()
        async with stream:
            while True:
                while b"\r\n\r\n" not in buf:
                    try:
                        buf += await stream.receive()
                    except (anyio.EndOfStream, anyio.BrokenResourceError):
                        return
                end = buf.index(b"\r\n\r\n") + 4
                head = bytes(buf[:end])
                del buf[:end]
                if not await answer(stream, head, buf):
                    return

    async with serve_loopback(handle) as port:
        yield f"http://127.0.0.1:{port}"


async def test_small_body_is_read_whole_and_connection_reused() -> None:
    transport = H1Transport()
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", f"{base}/len/1000") as response:
            # read by the transport: the connection is already back in the pool
            assert transport.pool_stats() == {"in_use": 0, "idle": 1}
            assert b"".join([c async for c in response.aiter_raw()]) == b"x" * 1000
        for _ in range(5):
            response = await client.get(f"{base}/len/10")
            assert response.content == b"x" * 10
            assert response.http_version == "HTTP/1.1"
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}
        assert server.connections == 1


@pytest.mark.parametrize("kind", ["len", "chunked"])
async def test_large_or_chunked_body_is_streamed(kind: str) -> None:
    size = 4 * 1024 * 1024
    transport = H1Transport()
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
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
        assert whole.content == b"x" * size
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}
        assert server.connections == 2


async def test_a_slow_reader_of_a_big_body_gets_every_byte() -> None:
    # far more than the read high-water mark: reading pauses and resumes on the way
    size = 16 * 1024 * 1024
    transport = H1Transport()
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", f"{base}/len/{size}") as response:
            total = 0
            async for chunk in response.aiter_raw():
                total += len(chunk)
                await anyio.lowlevel.checkpoint()
            assert total == size
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}


async def test_small_http_chunks_already_received_come_out_joined() -> None:
    size = 256 * 1024
    transport = H1Transport()
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        for _ in range(2):
            async with client.stream("GET", f"{base}/kib/{size}") as response:
                pieces = [chunk async for chunk in response.aiter_raw()]
            assert b"".join(pieces) == b"x" * size
            assert len(pieces) < size // 1024 // 4
            assert transport.pool_stats() == {"in_use": 0, "idle": 1}
        assert server.connections == 1


async def test_gzip_body_is_passed_through_for_httpx_to_decode() -> None:
    async with serving() as (_, base), httpx.AsyncClient(transport=H1Transport()) as client:
        packed = await client.get(f"{base}/gz/1000")
        assert packed.content == b"x" * 1000
        async with client.stream("GET", f"{base}/gz/1000") as response:
            raw = b"".join([c async for c in response.aiter_raw()])
        assert gzip.decompress(raw) == b"x" * 1000


@pytest.mark.parametrize("size", [1000, 4 * 1024 * 1024])
async def test_truncated_body_is_a_protocol_error_marked_sent(size: int) -> None:
    transport = H1Transport()
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await client.get(f"{base}/cut/{size}")
        assert request_sent(caught.value)
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}


async def test_refused_connection_is_a_connect_error_with_nothing_sent() -> None:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    await listener.aclose()  # nobody listens there now
    transport = H1Transport()
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.get(f"http://127.0.0.1:{port}/len/1")
    assert not request_sent(caught.value)
    assert transport.pool_stats() == {"in_use": 0, "idle": 0}


async def test_unsupported_scheme_is_refused() -> None:
    async with httpx.AsyncClient(transport=H1Transport()) as client:
        with pytest.raises(httpx.UnsupportedProtocol):
            await client.get("ftp://127.0.0.1/x")


async def test_post_on_a_connection_the_server_closed_is_not_sent_again() -> None:
    transport = RetryTransport(policy=RetryPolicy(max_retries=2), backend="h1")
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        assert (await client.post(f"{base}/once/3", content=b"{}")).content == b"xxx"
        # the pooled connection looks idle, but the server closes it when the POST arrives:
        # the POST may have been read, so it fails instead of running a second time
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await client.post(f"{base}/len/2", content=b"{}")
        assert request_sent(caught.value)
        assert transport.backend_name == "h1"
        assert server.requests == 2 and server.connections == 1
        # a GET may go again: on a new connection
        assert (await client.get(f"{base}/once/1")).content == b"x"
        assert (await client.get(f"{base}/len/1")).content == b"x"
        assert server.connections == 3


async def test_a_connection_the_server_closed_while_idle_leaves_the_pool() -> None:
    async def answer_and_close(stream: SocketStream, head: bytes, buf: bytearray) -> bool:
        await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
        await anyio.sleep(0.05)
        return False  # then close the kept-alive connection

    transport = H1Transport()
    async with raw_server(answer_and_close) as base, httpx.AsyncClient(transport=transport) as c:
        assert (await c.get(f"{base}/")).content == b"ok"
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}
        await wait_for(lambda: transport.pool_stats()["idle"] == 0, "the close to be seen")
        assert (await c.post(f"{base}/", content=b"{}")).content == b"ok"


async def test_a_stalled_response_is_a_read_timeout_marked_sent() -> None:
    transport = H1Transport()
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ReadTimeout) as caught:
            await client.get(f"{base}/hang/0", timeout=httpx.Timeout(5.0, read=0.2))
        assert request_sent(caught.value)
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}


async def test_waiting_for_a_full_pool_ends_in_pool_timeout() -> None:
    transport = H1Transport(limits=httpx.Limits(max_connections=1))
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", f"{base}/len/{1024 * 1024}"):
            assert transport.pool_stats()["in_use"] == 1
            with pytest.raises(httpx.PoolTimeout) as caught:
                await client.get(f"{base}/len/1", timeout=httpx.Timeout(5.0, pool=0.2))
            assert not request_sent(caught.value)
        # the slot came back with the stream
        assert (await client.get(f"{base}/len/1")).content == b"x"
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}


async def test_a_waiter_gets_the_slot_a_finished_request_gives_back() -> None:
    transport = H1Transport(limits=httpx.Limits(max_connections=2))
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        results: list[bytes] = []

        async def get() -> None:
            results.append((await client.get(f"{base}/len/100")).content)

        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(get)
        assert results == [b"x" * 100] * 20
        assert server.connections <= 2
        assert transport.pool_stats() == {"in_use": 0, "idle": server.connections}


async def test_cancelling_in_flight_requests_gives_every_connection_back() -> None:
    transport = H1Transport(limits=httpx.Limits(max_connections=40))
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        await client.get(f"{base}/len/1")  # one pooled connection to reuse, the rest new
        async with anyio.create_task_group() as tg:
            for _ in range(100):  # more than the pool: some wait for a slot
                tg.start_soon(client.get, f"{base}/hang/0")
            await wait_for(lambda: server.hanging == 40, "40 requests on the wire")
            assert transport.pool_stats()["in_use"] == 40
            tg.cancel_scope.cancel()
        # no connection checked out, none of the half-used ones pooled
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}
        async with anyio.create_task_group() as tg:
            for _ in range(40):
                tg.start_soon(client.get, f"{base}/len/1")
        assert transport.pool_stats()["in_use"] == 0
        # the 40 on the wire (one of them on the pooled connection) were closed; then new ones
        assert server.connections == 40 + transport.pool_stats()["idle"]


async def test_closing_the_transport_ends_a_streaming_response() -> None:
    transport = H1Transport()
    async with serving() as (_, base):
        client = httpx.AsyncClient(transport=transport)
        async with client.stream("GET", f"{base}/len/{8 * 1024 * 1024}") as response:
            chunks = response.aiter_raw()
            assert await anext(chunks)
            await client.aclose()
            with pytest.raises(httpx.ReadError, match="client was closed") as caught:
                while True:
                    await anext(chunks)
            assert request_sent(caught.value)
            # the failed body gave its connection back; closing the response does not again
            assert transport.pool_stats() == {"in_use": 0, "idle": 0}
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}
        # a transport closed is opened again by its next request (as the aiohttp one)
        async with httpx.AsyncClient(transport=transport) as again:
            assert (await again.get(f"{base}/len/3")).content == b"xxx"
            assert transport.pool_stats() == {"in_use": 0, "idle": 1}


async def test_closing_the_transport_ends_requests_in_flight_and_waiting() -> None:
    transport = H1Transport(limits=httpx.Limits(max_connections=1))
    errors: list[Exception] = []

    async def get(client: httpx.AsyncClient) -> None:
        try:
            await client.get(f"{base}/hang/0")
        except httpx.TransportError as exc:
            errors.append(exc)

    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        async with anyio.create_task_group() as tg:
            tg.start_soon(get, client)
            await wait_for(lambda: server.hanging == 1, "the request on the wire")
            tg.start_soon(get, client)  # waits for the one slot
            pool = transport._pool
            assert pool is not None
            await wait_for(lambda: len(pool._waiters) == 1, "a waiter")
            await transport.aclose()
        on_the_wire, waiting = errors
        # the first was sent (its outcome is unknown), the second never left
        assert isinstance(on_the_wire, httpx.ReadError) and request_sent(on_the_wire)
        assert isinstance(waiting, httpx.ConnectError) and not request_sent(waiting)
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}


async def test_streamed_request_bodies_are_chunked_or_sized() -> None:
    received: list[bytes] = []

    async def echo_size(stream: SocketStream, head: bytes, buf: bytearray) -> bool:
        if b"chunked" in head.lower():
            while not buf.endswith(b"0\r\n\r\n"):
                buf += await stream.receive()
        else:
            while len(buf) < 11:
                buf += await stream.receive()
        received.append(bytes(buf))
        buf.clear()
        await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        return True

    async def pieces() -> AsyncIterator[bytes]:
        yield b"hello "
        yield b""
        yield b"world"

    transport = H1Transport()
    async with raw_server(echo_size) as base, httpx.AsyncClient(transport=transport) as client:
        assert (await client.post(f"{base}/", content=pieces())).status_code == 200
        assert received == [b"6\r\nhello \r\n5\r\nworld\r\n0\r\n\r\n"]
        sized = await client.post(f"{base}/", content=pieces(), headers={"content-length": "11"})
        assert sized.status_code == 200
        assert received[1] == b"hello world"
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}


async def test_a_large_streamed_upload_arrives_whole() -> None:
    size = 32 * 1024 * 1024
    got = 0

    async def count(stream: SocketStream, head: bytes, buf: bytearray) -> bool:
        nonlocal got
        got = len(buf)
        while got < size:
            got += len(await stream.receive())
        await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        return True

    async def pieces() -> AsyncIterator[bytes]:
        for _ in range(size // 65536):
            yield b"y" * 65536

    async with raw_server(count) as base, httpx.AsyncClient(transport=H1Transport()) as client:
        response = await client.post(
            f"{base}/", content=pieces(), headers={"content-length": str(size)}
        )
        assert response.status_code == 200 and got == size


async def test_an_upload_the_server_does_not_read_is_a_write_timeout() -> None:
    # a listening socket whose connections are never accepted: the kernel completes the
    # handshake and buffers a little, then nothing more is read (an in-process anyio server
    # would read everything into memory)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    async def pieces() -> AsyncIterator[bytes]:
        for _ in range(1024):  # 64 MiB: more than the socket buffers hold
            yield b"y" * 65536

    transport = H1Transport()
    with listener:
        async with httpx.AsyncClient(transport=transport) as client:
            with pytest.raises(httpx.WriteTimeout) as caught:
                await client.post(
                    f"http://127.0.0.1:{port}/",
                    content=pieces(),
                    timeout=httpx.Timeout(5.0, write=0.3),
                )
            assert request_sent(caught.value)
            assert transport.pool_stats() == {"in_use": 0, "idle": 0}


async def test_head_204_and_100_continue() -> None:
    async def answer(stream: SocketStream, head: bytes, buf: bytearray) -> bool:
        if head.startswith(b"HEAD"):
            await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: 1000\r\n\r\n")
        elif b"/no-content" in head:
            await stream.send(b"HTTP/1.1 204 No Content\r\n\r\n")
        else:
            await stream.send(
                b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok"
            )
        return True

    transport = H1Transport()
    async with raw_server(answer) as base, httpx.AsyncClient(transport=transport) as client:
        head = await client.head(f"{base}/")
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-length"] == "1000"
        gone = await client.delete(f"{base}/no-content")
        assert gone.status_code == 204 and gone.content == b""
        created = await client.post(f"{base}/", content=b"{}")
        assert created.status_code == 201 and created.content == b"ok"
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}  # one connection for all


async def test_malformed_response_is_a_protocol_error_marked_sent() -> None:
    async def garbage(stream: SocketStream, head: bytes, buf: bytearray) -> bool:
        await stream.send(b"HTTP/1.1 abc nonsense\r\n\r\n")
        return True

    transport = H1Transport()
    async with raw_server(garbage) as base, httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await client.get(f"{base}/")
        assert request_sent(caught.value)
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}


async def test_body_until_close() -> None:
    async def old_style(stream: SocketStream, head: bytes, buf: bytearray) -> bool:
        await stream.send(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nall of ")
        await stream.send(b"it")
        return False

    transport = H1Transport()
    async with raw_server(old_style) as base, httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(f"{base}/")).content == b"all of it"
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}


def tls_files(request: pytest.FixtureRequest) -> tuple[Path, Path]:
    files: tuple[Path, Path] = request.getfixturevalue("certificate")
    return files


async def test_https_with_a_trusted_certificate(request: pytest.FixtureRequest) -> None:
    import ssl

    cert, key = tls_files(request)
    transport = H1Transport(verify=ssl.create_default_context(cafile=str(cert)))
    async with serving_tls(cert, key) as (server, base):
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(3):
                assert (await client.get(f"{base}/len/100")).content == b"x" * 100
            big = await client.get(f"{base}/chunked/{1024 * 1024}")
            assert len(big.content) == 1024 * 1024
            assert transport.pool_stats() == {"in_use": 0, "idle": 1}
        assert server.connections == 1


async def test_https_with_an_untrusted_certificate_is_a_connect_error(
    request: pytest.FixtureRequest,
) -> None:
    cert, key = tls_files(request)
    transport = H1Transport()  # the default trust store does not know this certificate
    async with serving_tls(cert, key) as (_, base):
        async with httpx.AsyncClient(transport=transport) as client:
            with pytest.raises(httpx.ConnectError) as caught:
                await client.get(f"{base}/len/1")
        assert not request_sent(caught.value)
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}


async def test_retry_transport_builds_h1_on_request() -> None:
    transport = RetryTransport(backend="h1")
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(f"{base}/len/1")).content == b"x"
    assert transport.backend_name == "h1"
    assert isinstance(transport.inner, H1Transport)
