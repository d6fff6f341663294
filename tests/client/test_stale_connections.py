"""A connection that ends before any response, reproduced over real loopback sockets.

From the client's side, a server that closed an idle keep-alive connection without reading the
request and a server (or proxy) that read it, acted on it and then went away look the same: the
connection ends before a byte of response. So a POST is never sent again then — the caller gets
:class:`~daytona_async.OutcomeUnknownError` — while a GET is retried, and a request that
never left (connection refused) is retried whatever its method. What avoids the first case is
expiring idle connections before the server does.

The server here is a few lines of raw HTTP/1.1 on an anyio listener so that it can close a
connection at exactly the wrong moment, every time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import anyio
import httpx
import pytest
from anyio.abc import SocketStream
from daytona_async._transport import RetryPolicy, RetryTransport
from daytona_async._wire import KEEPALIVE_EXPIRY, request_sent

from .loopback import read_request, serve_loopback

pytestmark = pytest.mark.anyio


@dataclass
class RacyServer:
    """Answers requests with ``{"n": i}``; the request numbers listed in ``drop`` are read and
    then dropped by closing the connection without a byte of response, as a keep-alive
    timer firing just before the request would have been handled."""

    drop: set[int] = field(default_factory=set)
    port: int = 0
    seen: list[tuple[int, int, str]] = field(default_factory=list)  # (number, conn, method)
    answered: list[int] = field(default_factory=list)
    connections: int = 0

    async def handle(self, stream: SocketStream) -> None:
        self.connections += 1
        conn = self.connections
        buf = bytearray()
        async with stream:
            while True:
                head = await read_request(stream, buf)
                if head is None:
                    return
                method = head.split(b" ", 1)[0].decode()
                number = len(self.seen) + 1
                self.seen.append((number, conn, method))
                if number in self.drop:
                    return  # closes the socket: no response at all
                self.answered.append(number)
                body = b'{"n": %d}' % number
                await stream.send(
                    b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
                    b"content-length: %d\r\n\r\n%s" % (len(body), body)
                )


@asynccontextmanager
async def racy_server(drop: set[int]) -> AsyncIterator[RacyServer]:
    server = RacyServer(drop=drop)
    async with serve_loopback(server.handle) as server.port:
        yield server


def _transport(backend: str, **policy: object) -> RetryTransport:
    return RetryTransport(
        policy=RetryPolicy(max_retries=0, **policy),  # type: ignore[arg-type]
        backend=backend,
    )


@pytest.fixture(
    params=[
        ("asyncio", "httpx"),
        ("trio", "httpx"),
        ("asyncio", "h1"),
        ("trio", "httpcore2"),
    ],
    ids=["asyncio-httpx", "trio-httpx", "asyncio-h1", "trio-httpcore2"],
)
def combo(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(async library, network transport)."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def anyio_backend(combo: tuple[str, str]) -> str:
    return combo[0]


@pytest.fixture
def backend(combo: tuple[str, str]) -> str:
    return combo[1]


async def test_post_dropped_after_the_server_read_it_is_not_sent_again(backend: str) -> None:
    # request 2 goes out on the reused connection, is read, and the connection ends: the
    # server may have acted on it, so it is not replayed, even when retries are allowed
    async with racy_server(drop={2}) as server:
        transport = RetryTransport(
            policy=RetryPolicy(max_retries=3, backoff_base=0.01), backend=backend
        )
        async with httpx.AsyncClient(transport=transport) as client:
            url = f"http://127.0.0.1:{server.port}/api/toolbox/x/toolbox/process/execute"
            first = await client.post(url, json={"command": "true"})
            with pytest.raises(httpx.TransportError) as info:
                await client.post(url, json={"command": "true"})
        assert transport.backend_name == backend
    assert first.json() == {"n": 1}
    assert request_sent(info.value) is True
    assert server.seen == [(1, 1, "POST"), (2, 1, "POST")]
    assert server.answered == [1]


async def test_a_new_connection_closing_without_response_is_not_replayed(backend: str) -> None:
    async with racy_server(drop={1}) as server:
        async with httpx.AsyncClient(transport=_transport(backend)) as client:
            with pytest.raises(httpx.TransportError) as info:
                await client.post(f"http://127.0.0.1:{server.port}/x", json={})
    assert request_sent(info.value) is True
    assert server.seen == [(1, 1, "POST")]
    assert server.answered == []


async def test_post_never_sent_is_retried_and_the_adapter_says_so(backend: str) -> None:
    # nothing listens on the port: the adapter records "nothing sent", so a POST may go out
    # again (here: until the retries run out)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    await listener.aclose()
    transport = RetryTransport(
        policy=RetryPolicy(max_retries=2, backoff_base=0.001), backend=backend
    )
    async with httpx.AsyncClient(transport=transport) as client:
        with pytest.raises(httpx.ConnectError) as info:
            await client.post(f"http://127.0.0.1:{port}/x", json={})
    assert request_sent(info.value) is False
    assert any("gave up after 2 retries" in note for note in info.value.__notes__)


async def test_idempotent_request_on_a_dropped_connection_is_retried(backend: str) -> None:
    async with racy_server(drop={2}) as server:
        transport = RetryTransport(
            policy=RetryPolicy(max_retries=1, backoff_base=0.01), backend=backend
        )
        async with httpx.AsyncClient(transport=transport) as client:
            url = f"http://127.0.0.1:{server.port}/api/sandbox/x"
            await client.get(url)
            response = await client.get(url)
    assert response.json() == {"n": 3}
    assert [method for _, _, method in server.seen] == ["GET", "GET", "GET"]


def test_idle_connections_expire_before_the_servers_keep_alive() -> None:
    # uvicorn's and Node's keep-alive timeout is 5 s: the client must let go first
    from daytona_async._h1_asyncio import H1_DEFAULT_LIMITS
    from daytona_async._httpcore2 import HTTPCORE2_DEFAULT_LIMITS
    from daytona_async._wire import HTTPX_DEFAULT_LIMITS

    assert KEEPALIVE_EXPIRY < 5.0
    assert H1_DEFAULT_LIMITS.keepalive_expiry == KEEPALIVE_EXPIRY
    assert HTTPCORE2_DEFAULT_LIMITS.keepalive_expiry == KEEPALIVE_EXPIRY
    assert HTTPX_DEFAULT_LIMITS.keepalive_expiry == KEEPALIVE_EXPIRY
