"""The SDK's own asyncio HTTP/1.1 transport (``H1Transport``) over real loopback sockets: what
is particular to it (flow control, keep-alive expiry, FIFO slots, uploads, closing). Bodies,
pool timeouts and TLS run on both the SDK's transports in ``test_httpcore2_transport.py``."""

from __future__ import annotations

import gzip
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio
import anyio.lowlevel
import httpx
import pytest
from anyio.abc import SocketStream
from daytona_async._h1_asyncio import H1Transport
from daytona_async._transport import RetryPolicy, RetryTransport
from daytona_async._wire import request_sent

from .loopback import serve_loopback

# the tests both transports share are in test_httpcore2_transport.py (make_transport)
from .test_httpcore2_transport import serving, wait_for

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


async def test_an_unread_body_stops_being_read_from_the_socket() -> None:
    from daytona_async._h1_pool import READ_HIGH_WATER

    transport = H1Transport()
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", f"{base}/len/{64 * 1024 * 1024}") as response:
            pool = transport._pool
            assert pool is not None
            (connection,) = pool.checked_out
            await wait_for(lambda: connection.read_paused, "reading to pause")
            parser = connection.parser
            assert parser is not None
            held = parser.buffered
            # bounded: the high-water mark plus at most one socket read past it
            assert READ_HIGH_WATER < held <= READ_HIGH_WATER + 256 * 1024
            first = await anext(response.aiter_raw())
            assert len(first) == held and not connection.read_paused


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


async def test_idle_connections_beyond_the_keepalive_limit_are_closed() -> None:
    limits = httpx.Limits(max_connections=10, max_keepalive_connections=2)
    transport = H1Transport(limits=limits)
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        async with anyio.create_task_group() as tg:
            for _ in range(6):
                tg.start_soon(client.get, f"{base}/len/10")
        assert server.connections == 6
        assert transport.pool_stats() == {"in_use": 0, "idle": 2}


async def test_idle_connections_past_keepalive_expiry_are_not_reused() -> None:
    transport = H1Transport(limits=httpx.Limits(max_connections=10, keepalive_expiry=0.2))
    async with (
        serving() as (server_a, base_a),
        serving() as (_, base_b),
        httpx.AsyncClient(transport=transport) as client,
    ):
        await client.get(f"{base_a}/len/1")
        await client.get(f"{base_b}/len/1")
        assert transport.pool_stats() == {"in_use": 0, "idle": 2}
        # both expire; B's by the sweep timer, though B is never used again
        await wait_for(
            lambda: transport.pool_stats()["idle"] == 0, "the idle connections to expire"
        )
        await client.get(f"{base_a}/len/1")
        assert server_a.connections == 2


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


async def test_a_request_built_on_a_byte_stream_sends_its_bytes() -> None:
    received: list[bytes] = []

    async def echo(stream: SocketStream, head: bytes, buf: bytearray) -> bool:
        while len(buf) < 5:
            buf += await stream.receive()
        received.append(bytes(buf))
        await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
        return True

    transport = H1Transport()
    async with raw_server(echo) as base:
        request = httpx.Request(
            "PUT", f"{base}/", stream=httpx.ByteStream(b"hello"), headers={"content-length": "5"}
        )
        response = await transport.handle_async_request(request)
        assert response.status_code == 200 and received == [b"hello"]
        await transport.aclose()


async def test_a_big_bytes_body_arrives_whole() -> None:
    body = bytes(range(256)) * 4096  # 1 MiB, not joined to the head

    async def echo_size(stream: SocketStream, head: bytes, buf: bytearray) -> bool:
        while len(buf) < len(body):
            buf += await stream.receive()
        ok = bytes(buf) == body
        del buf[:]
        await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\n%d" % ok)
        return True

    transport = H1Transport()
    async with raw_server(echo_size) as base, httpx.AsyncClient(transport=transport) as c:
        for _ in range(2):
            assert (await c.put(f"{base}/", content=body)).content == b"1"
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


async def test_retry_transport_builds_h1_on_request() -> None:
    transport = RetryTransport(backend="h1")
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(f"{base}/len/1")).content == b"x"
    assert transport.backend_name == "h1"
    assert isinstance(transport.inner, H1Transport)
