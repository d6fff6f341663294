"""The SDK's httpcore2 transport (the trio default) over real loopback sockets, under trio and
asyncio: bodies read whole or streamed, connections reused and given back exactly once
(also when requests are cancelled mid-flight), pool limits, httpx exception types, and a POST
never sent twice."""

from __future__ import annotations

import gzip
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
from anyio.abc import ByteStream
from anyio.streams.tls import TLSListener
from daytona_async._h1_asyncio import H1Transport
from daytona_async._httpcore2 import Httpcore2Transport
from daytona_async._transport import RetryPolicy, RetryTransport
from daytona_async._wire import RECEIVE_EXTENSION, request_sent

from .loopback import read_request, request_target, serve_loopback

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["trio", "asyncio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


#: the SDK's two own HTTP/1.1 transports, built with the given keyword arguments
MakeTransport = Callable[..., H1Transport | Httpcore2Transport]


@pytest.fixture(params=["httpcore2", "h1"])
def make_transport(request: pytest.FixtureRequest, anyio_backend: str) -> MakeTransport:
    """Each test taking it runs on both transports (the h1 one under asyncio only: it is built
    on asyncio protocols)."""
    if request.param == "h1" and anyio_backend != "asyncio":
        pytest.skip("the h1 transport runs under asyncio only")
    return H1Transport if request.param == "h1" else Httpcore2Transport


class Server:
    """``GET|POST /<kind>/<size>``: ``len`` → Content-Length body; ``chunked`` → chunked body;
    ``gz`` → a gzip-compressed body of ``size`` bytes with its Content-Length and
    Content-Encoding; ``kib`` → chunked body in 1 KiB HTTP chunks sent in one write (like the
    daemon's logs);
    ``cut`` → announces ``size`` bytes, sends half, closes; ``hang`` → never answers;
    ``once`` → answers, then closes the connection when the next request arrives on it
    without answering (a keep-alive connection the server had closed as idle); ``bye`` →
    answers, then closes the connection at once (keep-alive announced all the same);
    ``junk`` → a response that is not HTTP; ``nocontent`` → 204; ``continue`` → ``100
    Continue`` before the answer; ``echo`` → the request body (chunked, decoded) as the answer;
    ``drip`` → a chunked body whose first chunk comes, then nothing; ``step`` → the same, then
    the rest once ``go`` is set; ``eof`` → a body without length or chunks, ended by closing
    the connection.
    A ``HEAD`` request gets the head of ``len`` only. Request bodies are recorded."""

    def __init__(self) -> None:
        self.connections = 0
        self.requests = 0
        self.hanging = 0
        self.closed = 0
        self.bodies: list[bytes] = []
        self.go = anyio.Event()

    async def handle(self, stream: ByteStream) -> None:
        self.connections += 1
        try:
            await self._serve(stream)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass  # the client closed a response it did not want to finish

    async def _serve(self, stream: ByteStream) -> None:
        buf = bytearray()
        close_next = False
        async with stream:
            while True:
                head = await read_request(stream, buf)
                if head is None:
                    return
                self.requests += 1
                if close_next:
                    return
                _, kind, size_text = request_target(head).split("/")
                body = b"x" * int(size_text)
                if b"\r\ntransfer-encoding: chunked" in head.lower():
                    self.bodies.append(await read_chunked(stream, buf))
                if head.startswith(b"HEAD "):
                    await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(body))
                    continue
                if kind in _CANNED:
                    await stream.send(_CANNED[kind])
                    continue
                if kind == "step":
                    await stream.send(
                        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n"
                    )
                    await self.go.wait()
                    await stream.send(b"6\r\nsecond\r\n0\r\n\r\n")
                    continue
                if kind == "eof":
                    await stream.send(b"HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n" + body)
                    return
                if kind == "drip":
                    await stream.send(
                        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n"
                    )
                    await anyio.sleep_forever()
                if kind == "echo":
                    echoed = self.bodies[-1]
                    await stream.send(
                        b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n%s" % (len(echoed), echoed)
                    )
                    continue
                if kind == "hang":
                    self.hanging += 1
                    await anyio.sleep_forever()
                if kind == "kib":
                    await stream.send(
                        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n"
                        + b"".join(
                            b"400\r\n%s\r\n" % body[i : i + 1024] for i in range(0, len(body), 1024)
                        )
                        + b"0\r\n\r\n"
                    )
                    continue
                if kind == "chunked":
                    await stream.send(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
                    for i in range(0, len(body), 65536):
                        part = body[i : i + 65536]
                        await stream.send(b"%x\r\n%s\r\n" % (len(part), part))
                    await stream.send(b"0\r\n\r\n")
                    continue
                if kind == "gz":
                    packed = gzip.compress(body)
                    await stream.send(
                        b"HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\n"
                        b"content-length: %d\r\n\r\n%s" % (len(packed), packed)
                    )
                    continue
                await stream.send(b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n\r\n" % len(body))
                if kind == "cut":
                    await stream.send(body[: len(body) // 2])
                    return
                await stream.send(body)
                close_next = kind == "once"
                if kind == "bye":
                    await stream.aclose()
                    self.closed += 1
                    return


_CANNED = {
    "junk": b"SMTP ready\r\n\r\n",
    "nocontent": b"HTTP/1.1 204 No Content\r\n\r\n",
    "continue": b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nabc",
}


async def read_chunked(stream: ByteStream, buf: bytearray) -> bytes:
    """A chunked request body that follows the head just read (``buf`` holds what was read
    past it, and keeps what follows the body)."""
    body = bytearray()
    while True:
        while b"\r\n" not in buf:
            buf += await stream.receive()
        size_line, _, rest = bytes(buf).partition(b"\r\n")
        size = int(size_line, 16)
        while len(rest) < size + 2:
            rest += await stream.receive()
        body += rest[:size]
        buf[:] = rest[size + 2 :]
        if size == 0:
            return bytes(body)


@asynccontextmanager
async def serving() -> AsyncIterator[tuple[Server, str]]:
    server = Server()
    async with serve_loopback(server.handle) as port:
        yield server, f"http://127.0.0.1:{port}"


async def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Poll ``condition()`` until true, for at most about 5 s."""
    for _ in range(500):
        if condition():
            return
        await anyio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def test_small_body_is_read_whole_and_connection_reused(
    make_transport: MakeTransport,
) -> None:
    transport = make_transport()
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
async def test_large_or_chunked_body_is_streamed(kind: str, make_transport: MakeTransport) -> None:
    size = 4 * 1024 * 1024
    transport = make_transport()
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


async def test_bodies_read_whole_are_the_decoded_content() -> None:
    async with serving() as (_, base), httpx.AsyncClient(transport=Httpcore2Transport()) as client:
        plain = await client.get(f"{base}/len/1000")
        assert plain.content == b"x" * 1000
        assert plain.text == "x" * 1000
        packed = await client.get(f"{base}/gz/1000")
        assert packed.content == b"x" * 1000  # decompressed, not the gzip bytes
        async with client.stream("GET", f"{base}/len/10") as response:
            assert b"".join([c async for c in response.aiter_raw()]) == b"x" * 10


async def test_small_http_chunks_already_received_come_out_joined(
    make_transport: MakeTransport,
) -> None:
    # 256 HTTP chunks of 1 KiB in one write: the reader gets them in a few pieces (one per
    # network read), every byte once, and the connection goes back to the pool at the end
    size = 256 * 1024
    transport = make_transport()
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        for _ in range(2):
            async with client.stream("GET", f"{base}/kib/{size}") as response:
                pieces = [chunk async for chunk in response.aiter_raw()]
            assert b"".join(pieces) == b"x" * size
            assert len(pieces) < size // 1024 // 4
            assert transport.pool_stats() == {"in_use": 0, "idle": 1}
        assert server.connections == 1


async def test_body_ended_by_the_close_of_the_connection() -> None:
    transport = Httpcore2Transport()
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        for _ in range(2):
            assert (await client.get(f"{base}/eof/300000")).content == b"x" * 300_000
            assert transport.pool_stats() == {"in_use": 0, "idle": 0}  # not reusable
        assert server.connections == 2


@pytest.mark.parametrize("size", [1000, 4 * 1024 * 1024])
async def test_truncated_body_is_an_httpx_read_error(size: int) -> None:
    transport = Httpcore2Transport()
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)):
            await client.get(f"{base}/cut/{size}")
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}


async def test_refused_connection_is_an_httpx_connect_error() -> None:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    await listener.aclose()  # nobody listens there now
    transport = Httpcore2Transport()
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(f"http://127.0.0.1:{port}/len/1")
    assert transport.pool_stats() == {"in_use": 0, "idle": 0}


async def test_unsupported_scheme_is_refused(make_transport: MakeTransport) -> None:
    async with httpx.AsyncClient(transport=make_transport()) as client:
        with pytest.raises(httpx.UnsupportedProtocol):
            await client.get("ftp://127.0.0.1/x")


async def test_waiting_for_a_full_pool_ends_in_pool_timeout(make_transport: MakeTransport) -> None:
    transport = make_transport(limits=httpx.Limits(max_connections=1))
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", f"{base}/len/{1024 * 1024}"):
            assert transport.pool_stats()["in_use"] == 1
            with pytest.raises(httpx.PoolTimeout) as caught:
                await client.get(f"{base}/len/1", timeout=httpx.Timeout(5.0, pool=0.2))
            assert not request_sent(caught.value)
        # the slot came back with the stream
        assert (await client.get(f"{base}/len/1")).content == b"x"
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}


async def test_idle_connections_beyond_the_keepalive_limit_are_closed() -> None:
    limits = httpx.Limits(max_connections=10, max_keepalive_connections=2)
    transport = Httpcore2Transport(limits=limits)
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        async with anyio.create_task_group() as tg:
            for _ in range(6):
                tg.start_soon(client.get, f"{base}/hang/0")
            await wait_for(lambda: server.hanging == 6, "6 requests in flight")
            assert transport.pool_stats() == {"in_use": 6, "idle": 0}
            tg.cancel_scope.cancel()
        # requests cancelled mid-flight leave no connection checked out, and no half-used
        # connection in the pool
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}
        async with anyio.create_task_group() as tg:
            for _ in range(4):
                tg.start_soon(client.get, f"{base}/len/10")
        assert transport.pool_stats()["in_use"] == 0
        assert transport.pool_stats()["idle"] <= 2


async def test_cancelling_many_in_flight_requests_gives_every_connection_back() -> None:
    transport = Httpcore2Transport(limits=httpx.Limits(max_connections=40))
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        await client.get(f"{base}/len/1")  # one pooled connection to reuse, the rest new
        async with anyio.create_task_group() as tg:
            for _ in range(100):  # more than the pool: some wait for a slot
                tg.start_soon(client.get, f"{base}/hang/0")
            await wait_for(lambda: server.hanging == 40, "40 requests on the wire")
            assert transport.pool_stats()["in_use"] == 40
            tg.cancel_scope.cancel()
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}
        # the pool still works, at its full size
        async with anyio.create_task_group() as tg:
            for _ in range(40):
                tg.start_soon(client.get, f"{base}/len/1")
        assert transport.pool_stats()["in_use"] == 0


async def test_post_on_a_connection_the_server_closed_is_not_sent_again() -> None:
    transport = RetryTransport(policy=RetryPolicy(max_retries=2), backend="httpcore2")
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        assert (await client.post(f"{base}/once/3", content=b"{}")).content == b"xxx"
        # the pooled connection looks idle, but the server closes it when the POST arrives:
        # the POST may have been read, so it fails instead of running a second time
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post(f"{base}/len/2", content=b"{}")
        assert transport.backend_name == "httpcore2"
        assert server.connections == 1


async def test_post_after_the_server_closed_the_idle_connection_is_sent_once() -> None:
    # the server closed the pooled connection after answering: the client sees it readable
    # when it takes it, opens a new one, and the POST arrives exactly once
    transport = RetryTransport(policy=RetryPolicy(max_retries=2), backend="httpcore2")
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(f"{base}/bye/1")).content == b"x"
        await wait_for(lambda: server.closed == 1, "the server to close the connection")
        response = await client.post(f"{base}/echo/0", content=_chunks(b"once"))
        assert response.content == b"once"
        assert server.bodies == [b"once"]
        assert server.connections == 2
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_streamed_request_body_is_sent_chunked() -> None:
    transport = Httpcore2Transport()
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        parts = [b"a" * 100_000, b"", b"b" * 3, b"c" * 70_000]
        response = await client.post(f"{base}/echo/0", content=_chunks(*parts))
        assert response.content == b"".join(parts)
        # an empty piece is skipped (an empty chunk would end the body early)
        assert server.bodies == [b"".join(parts)]
        # the connection carries the next request
        assert (await client.post(f"{base}/echo/0", content=_chunks(b"z"))).content == b"z"
        assert server.connections == 1


async def test_a_request_body_written_without_waiting_lets_other_tasks_run() -> None:
    # a body small enough for the socket buffers never makes the writes wait: the other tasks
    # must still get turns between its pieces
    ticks = 0
    seen: list[int] = []

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await anyio.lowlevel.checkpoint()

    async def body() -> AsyncIterator[bytes]:
        for _ in range(8):
            seen.append(ticks)
            yield b"b" * 4096  # no await of its own

    transport = Httpcore2Transport()
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        await client.get(f"{base}/len/1")  # the connection is open and idle
        async with anyio.create_task_group() as tg:
            tg.start_soon(ticker)
            response = await client.post(f"{base}/echo/0", content=body())
            tg.cancel_scope.cancel()
        assert response.content == b"b" * 4096 * 8
        assert seen[-1] > seen[0]


async def test_malformed_response_is_a_remote_protocol_error_counted_as_sent() -> None:
    transport = RetryTransport(policy=RetryPolicy(max_retries=2), backend="httpcore2")
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.RemoteProtocolError) as caught:
            await client.post(f"{base}/junk/0", content=b"{}")
        assert request_sent(caught.value)
        assert server.requests == 1  # the POST may have run: not sent again
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}  # not pooled


async def test_failures_before_and_after_the_first_write() -> None:
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    await listener.aclose()
    transport = Httpcore2Transport()
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ConnectError) as refused:
            await client.post(f"http://127.0.0.1:{port}/len/1", content=b"{}")
        assert not request_sent(refused.value)
        with pytest.raises((httpx.ReadError, httpx.RemoteProtocolError)) as cut:
            await client.post(f"{base}/cut/1000", content=b"{}")
        assert request_sent(cut.value)
        assert cut.value.request.url.path == "/cut/1000"


async def test_head_204_and_100_continue_leave_the_connection_reusable() -> None:
    transport = Httpcore2Transport()
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        head = await client.head(f"{base}/len/5000")
        assert head.status_code == 200
        assert head.headers["content-length"] == "5000"
        assert head.content == b""
        empty = await client.delete(f"{base}/nocontent/0")
        assert (empty.status_code, empty.content) == (204, b"")
        answered = await client.post(f"{base}/continue/0", content=b"{}")
        assert (answered.status_code, answered.content) == (200, b"abc")
        assert (await client.get(f"{base}/len/3")).content == b"xxx"
        assert server.connections == 1
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}


async def test_closing_the_transport_ends_a_streaming_response_with_a_read_error() -> None:
    transport = Httpcore2Transport()
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", f"{base}/drip/0") as response:
            chunks = response.aiter_raw()
            assert await anext(chunks) == b"first"
            assert transport.pool_stats()["in_use"] == 1

            failures: list[Exception] = []

            async def read_on() -> None:
                try:
                    await anext(chunks)  # data that never comes: ended by the close
                except httpx.ReadError as exc:
                    failures.append(exc)

            async with anyio.create_task_group() as tg:
                tg.start_soon(read_on)
                await anyio.wait_all_tasks_blocked()  # the reader waits for data
                await transport.aclose()
            assert len(failures) == 1
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}


async def test_the_offered_receive_loses_nothing_when_cancelled(
    make_transport: MakeTransport,
) -> None:
    transport = make_transport()
    async with serving() as (server, base), httpx.AsyncClient(transport=transport) as client:
        async with client.stream("GET", f"{base}/step/0") as response:
            receive = response.extensions[RECEIVE_EXTENSION]
            assert await receive() == b"first"
            with anyio.CancelScope() as scope:
                async with anyio.create_task_group() as tg:
                    tg.start_soon(receive)  # waits for bytes that do not come yet
                    await anyio.wait_all_tasks_blocked()
                    scope.cancel()
            server.go.set()
            await anyio.wait_all_tasks_blocked()  # the rest sits in the client's socket
            got = b""
            with anyio.CancelScope() as scope:
                scope.cancel()
                # cancelled before it takes anything, or (no wait needed) it returns the bytes
                got += await receive()
            while chunk := await receive():
                got += chunk
            assert got == b"second"
            assert transport.pool_stats() == {"in_use": 0, "idle": 1}  # given back at the end
        assert (await client.get(f"{base}/len/2")).content == b"xx"
        assert server.connections == 1


async def test_default_under_trio_and_explicit_under_asyncio(anyio_backend: str) -> None:
    transport = RetryTransport()
    async with serving() as (_, base), httpx.AsyncClient(transport=transport) as client:
        await client.get(f"{base}/len/1")
        expected = "httpcore2" if anyio_backend == "trio" else "h1"
        assert transport.backend_name == expected


async def test_idle_connections_of_an_unused_origin_expire() -> None:
    transport = Httpcore2Transport(limits=httpx.Limits(max_connections=10, keepalive_expiry=0.2))
    async with (
        serving() as (_, base_a),
        serving() as (_, base_b),
        httpx.AsyncClient(transport=transport) as client,
    ):
        await client.get(f"{base_a}/len/1")
        await client.get(f"{base_b}/len/1")
        assert transport.pool_stats() == {"in_use": 0, "idle": 2}
        await anyio.sleep(0.3)  # past keepalive_expiry (a duration under test, not a sync)
        await client.get(f"{base_b}/len/1")  # A is never used again
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made by the openssl command line tool)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("no openssl command to make a test certificate")
    where = tmp_path_factory.mktemp("tls")
    cert, key = where / "cert.pem", where / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@asynccontextmanager
async def serving_tls(cert: Path, key: Path) -> AsyncIterator[tuple[Server, str]]:
    server = Server()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    tls = TLSListener(listener, context, standard_compatible=False)
    async with tls, anyio.create_task_group() as tg:
        tg.start_soon(tls.serve, server.handle)
        try:
            yield server, f"https://127.0.0.1:{port}"
        finally:
            tg.cancel_scope.cancel()


async def test_https_with_a_trusted_certificate(
    certificate: tuple[Path, Path], make_transport: MakeTransport
) -> None:
    cert, key = certificate
    transport = make_transport(verify=ssl.create_default_context(cafile=str(cert)))
    async with serving_tls(cert, key) as (server, base):
        async with httpx.AsyncClient(transport=transport) as client:
            for _ in range(3):
                assert (await client.get(f"{base}/len/100")).content == b"x" * 100
            big = await client.get(f"{base}/chunked/{1024 * 1024}")
            assert len(big.content) == 1024 * 1024
            assert transport.pool_stats() == {"in_use": 0, "idle": 1}
        assert server.connections == 1


async def test_https_with_an_untrusted_certificate_is_a_connect_error(
    certificate: tuple[Path, Path], make_transport: MakeTransport
) -> None:
    cert, key = certificate
    transport = make_transport()  # the default trust store does not know this certificate
    async with serving_tls(cert, key) as (_, base):
        async with httpx.AsyncClient(transport=transport) as client:
            with pytest.raises(httpx.ConnectError) as caught:
                await client.get(f"{base}/len/1")
        assert not request_sent(caught.value)
        assert transport.pool_stats() == {"in_use": 0, "idle": 0}


async def test_https_large_bodies_both_ways(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    transport = Httpcore2Transport(verify=ssl.create_default_context(cafile=str(cert)))
    size = 3 * 1024 * 1024 + 5  # many TLS records, not a multiple of their size
    async with serving_tls(cert, key) as (server, base):
        async with httpx.AsyncClient(transport=transport) as client:
            async with client.stream("GET", f"{base}/len/{size}") as response:
                pieces = [chunk async for chunk in response.aiter_raw()]
            assert b"".join(pieces) == b"x" * size
            upload = [b"u" * 1_000_000, b"v" * 2_000_000]
            echoed = await client.post(f"{base}/echo/0", content=_chunks(*upload))
            assert echoed.content == b"".join(upload)
            # a body ended by the close of the connection (TLS close-notify or not)
            assert (await client.get(f"{base}/eof/100000")).content == b"x" * 100_000
            assert (await client.get(f"{base}/len/10")).content == b"x" * 10
        assert server.connections == 2  # the one the "eof" answer closed, and a new one


async def test_tls_handshake_that_never_comes_is_a_connect_timeout() -> None:
    async def silent(stream: ByteStream) -> None:
        async with stream:
            await anyio.sleep_forever()  # accepts TCP, never answers the TLS client hello

    transport = Httpcore2Transport()
    async with serve_loopback(silent) as port, httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ConnectTimeout) as caught:
            await client.get(f"https://127.0.0.1:{port}/", timeout=httpx.Timeout(5.0, connect=0.2))
        assert not request_sent(caught.value)
    assert transport.pool_stats() == {"in_use": 0, "idle": 0}


async def test_the_client_accepts_backend_httpcore2(emulator: Any) -> None:
    from daytona_async import AsyncDaytona

    async with AsyncDaytona(
        api_key=emulator.api_key, api_url=emulator.base_url, backend="httpcore2"
    ) as daytona:
        await daytona.list()
        transport = daytona._ctx.transport
        assert transport is not None
        assert transport.backend_name == "httpcore2"
        assert isinstance(transport.inner, Httpcore2Transport)
