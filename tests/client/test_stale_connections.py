"""The keep-alive race, reproduced over real loopback sockets.

A server closes an idle keep-alive connection on its own clock. A request the client sends on
that connection at the same moment is never read: the connection ends before any response.
The CI once lost a ``POST .../process/session`` of a 200-sandbox run this way (trio, httpx's
pool). The transport must replay such a request on a fresh connection — and only such a one:
a connection that was new, or a policy that opts out, gets the error.

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
from daytona_async._transport import REUSED_KEY, RetryPolicy, RetryTransport

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

    async def _read_request(self, stream: SocketStream, buf: bytearray) -> str | None:
        while b"\r\n\r\n" not in buf:
            try:
                chunk = await stream.receive()
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                return None
            buf += chunk
        head, _, rest = bytes(buf).partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += await stream.receive()
        buf[:] = rest[length:]
        return head.split(b" ", 1)[0].decode()

    async def handle(self, stream: SocketStream) -> None:
        self.connections += 1
        conn = self.connections
        buf = bytearray()
        async with stream:
            while True:
                method = await self._read_request(stream, buf)
                if method is None:
                    return
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
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    server.port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, server.handle)
        try:
            yield server
        finally:
            tg.cancel_scope.cancel()


def _transport(backend: str, **policy: object) -> RetryTransport:
    return RetryTransport(
        policy=RetryPolicy(max_retries=0, **policy),  # type: ignore[arg-type]
        backend=backend,
    )


@pytest.fixture(
    params=[("asyncio", "aiohttp"), ("asyncio", "httpx"), ("trio", "httpx")],
    ids=["asyncio-aiohttp", "asyncio-httpx", "trio-httpx"],
)
def combo(request: pytest.FixtureRequest) -> tuple[str, str]:
    """(async library, network transport): aiohttp exists under asyncio only."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def anyio_backend(combo: tuple[str, str]) -> str:
    return combo[0]


@pytest.fixture
def backend(combo: tuple[str, str]) -> str:
    return combo[1]


async def test_post_on_a_connection_closed_as_idle_is_replayed_once(backend: str) -> None:
    async with racy_server(drop={2}) as server:
        transport = _transport(backend)
        async with httpx.AsyncClient(transport=transport) as client:
            url = f"http://127.0.0.1:{server.port}/api/toolbox/x/toolbox/process/session"
            first = await client.post(url, json={"sessionId": "s"})
            second = await client.post(url, json={"sessionId": "t"})
        assert transport.backend_name == backend
    assert first.json() == {"n": 1}
    assert first.request.extensions[REUSED_KEY] is False
    # request 2 went out on connection 1 (reused) and was dropped unread; its replay is
    # request 3, on a new connection, answered once
    assert second.json() == {"n": 3}
    assert second.request.extensions[REUSED_KEY] is False
    assert server.seen == [(1, 1, "POST"), (2, 1, "POST"), (3, 2, "POST")]
    assert server.answered == [1, 3]
    # a replay is not a retry: max_retries=0 and nothing counted
    assert second.extensions["daytona_retries"] == 0


async def test_a_new_connection_closing_without_response_is_not_replayed(backend: str) -> None:
    # the server read a request on a fresh connection and went away: it may have acted on it,
    # so a POST must not be sent again
    async with racy_server(drop={1}) as server:
        async with httpx.AsyncClient(transport=_transport(backend)) as client:
            with pytest.raises(httpx.RemoteProtocolError, match="disconnected"):
                await client.post(f"http://127.0.0.1:{server.port}/x", json={})
    assert server.seen == [(1, 1, "POST")]
    assert server.answered == []


async def test_replay_can_be_turned_off(backend: str) -> None:
    async with racy_server(drop={2}) as server:
        transport = _transport(backend, replay_stale=False)
        async with httpx.AsyncClient(transport=transport) as client:
            url = f"http://127.0.0.1:{server.port}/x"
            await client.post(url, json={})
            with pytest.raises(httpx.RemoteProtocolError):
                await client.post(url, json={})
    assert server.seen == [(1, 1, "POST"), (2, 1, "POST")]


async def test_replays_are_bounded(backend: str) -> None:
    # the server drops every request after the first: the replay of request 2 goes out on a
    # new connection and is dropped too, which is no longer the keep-alive race (the server
    # read a request on a fresh connection and went away): no second replay
    async with racy_server(drop=set(range(2, 50))) as server:
        async with httpx.AsyncClient(transport=_transport(backend)) as client:
            url = f"http://127.0.0.1:{server.port}/x"
            await client.post(url, json={})
            with pytest.raises(httpx.RemoteProtocolError):
                await client.post(url, json={})
    # request 2 on the reused connection, then one replay on a new connection which fails
    # as a new connection: not replayed again
    assert [conn for _, conn, _ in server.seen] == [1, 1, 2]


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_user_trace_extension_still_called() -> None:
    # the reuse tracer wraps a caller's httpcore trace callback instead of replacing it
    events: list[str] = []

    async def trace(name: str, info: dict[str, object]) -> None:
        events.append(name)

    async with racy_server(drop={2}) as server:
        async with httpx.AsyncClient(transport=_transport("httpx")) as client:
            url = f"http://127.0.0.1:{server.port}/x"
            await client.post(url, json={}, extensions={"trace": trace})
            response = await client.post(url, json={}, extensions={"trace": trace})
    assert response.json() == {"n": 3}
    assert events.count("http11.send_request_headers.started") == 3
    assert events.count("connection.connect_tcp.started") == 2


async def test_idempotent_request_on_a_stale_connection_is_retried(backend: str) -> None:
    # GETs take the ordinary retry path (read failure after sending, idempotent method)
    async with racy_server(drop={2}) as server:
        transport = RetryTransport(
            policy=RetryPolicy(max_retries=1, backoff_base=0.01), backend=backend
        )
        async with httpx.AsyncClient(transport=transport) as client:
            url = f"http://127.0.0.1:{server.port}/api/sandbox/x"
            await client.get(url)
            response = await client.get(url)
    assert response.json() == {"n": 3}
    assert [(conn, method) for _, conn, method in server.seen] == [
        (1, "GET"),
        (1, "GET"),
        (2, "GET"),
    ]
