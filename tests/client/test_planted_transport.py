"""Behaviours of the transports and of the retry/deadline layer that a planted bug broke without
the rest of the suite noticing (issue 23): idle connections expire, a cancelled read of a
streamed body loses no bytes, retry waits are spread, and a step's own timeout never outlasts
the operation's deadline.

Everything runs over real loopback sockets, through the transports' public classes
(``H1Transport``, ``Httpcore2Transport``, ``RetryTransport``), the body's cancel-safe receive
(``RECEIVE_EXTENSION``) and the public client; a server that counts its connections tells
whether one was reused."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from anyio.abc import SocketStream
from daytona_async import AsyncDaytona, Deadline, DeadlineExceeded, RetryPolicy
from daytona_async._h1_asyncio import H1Transport
from daytona_async._httpcore2 import Httpcore2Transport
from daytona_async._transport import RequestState, RetryTransport, request_state
from daytona_async._wire import RECEIVE_EXTENSION

from .loopback import read_request, serve_loopback

pytestmark = pytest.mark.anyio

#: a hang detector, far above every duration the tests wait for on purpose (not a measurement)
HANG = 20.0

#: (transport name, async library): the h1 transport runs under asyncio only
TRANSPORTS = [
    pytest.param("h1", "asyncio", id="h1-asyncio"),
    pytest.param("httpcore2", "asyncio", id="httpcore2-asyncio"),
    pytest.param("httpcore2", "trio", id="httpcore2-trio"),
]


def _transport(name: str, **kwargs: Any) -> H1Transport | Httpcore2Transport:
    return H1Transport(**kwargs) if name == "h1" else Httpcore2Transport(**kwargs)


class CountingServer:
    """Answers every request with ``200`` and a 2-byte body on a keep-alive connection;
    counts the connections it accepted. ``status`` changes the answer (for retries)."""

    def __init__(self, status: int = 200) -> None:
        self.connections = 0
        self.requests = 0
        self.status = status

    async def handle(self, stream: SocketStream) -> None:
        self.connections += 1
        buf = bytearray()
        async with stream:
            while await read_request(stream, buf) is not None:
                self.requests += 1
                try:
                    await stream.send(b"HTTP/1.1 %d X\r\ncontent-length: 2\r\n\r\nok" % self.status)
                except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                    return


@asynccontextmanager
async def counting(status: int = 200) -> AsyncIterator[tuple[CountingServer, str]]:
    server = CountingServer(status)
    async with serve_loopback(server.handle) as port:
        yield server, f"http://127.0.0.1:{port}"


# -- 1. idle connections expire ------------------------------------------------------------


@pytest.mark.parametrize(("name", "anyio_backend"), TRANSPORTS)
async def test_an_idle_connection_past_its_keepalive_expiry_is_never_reused(name: str) -> None:
    """A keep-alive connection idle for longer than ``keepalive_expiry`` is not handed out
    again, even when no sweep has run since it expired: the next request opens a new one (the
    server, whose own keep-alive is a little longer, may be closing the old one)."""
    transport = _transport(name, limits=httpx.Limits(max_connections=4, keepalive_expiry=1.0))
    async with counting() as (server, base), httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(f"{base}/a")).content == b"ok"
        assert (await client.get(f"{base}/b")).content == b"ok"
        assert server.connections == 1  # a fresh idle connection is reused
        assert transport.pool_stats() == {"in_use": 0, "idle": 1}
        # past the expiry with the event loop blocked: no timer (sweep) can run before the next
        # request looks at the idle connection itself
        time.sleep(1.2)  # noqa: ASYNC251 - blocking on purpose (see above)
        assert (await client.get(f"{base}/c")).content == b"ok"
        assert server.connections == 2, "an expired idle connection was reused"
        assert server.requests == 3


# -- 2. a cancelled read loses nothing -----------------------------------------------------


class SteppedBody:
    """One chunked response per connection whose chunks the test releases one at a time;
    ``sent`` reports each chunk once the server's socket has written it (on loopback it is
    then in the client's socket)."""

    def __init__(self) -> None:
        self._send_queue, self._queue = anyio.create_memory_object_stream[bytes | None](100)
        self._sent_queue, self.sent = anyio.create_memory_object_stream[None](100)

    async def handle(self, stream: SocketStream) -> None:
        buf = bytearray()
        async with stream:
            if await read_request(stream, buf) is None:
                return
            await stream.send(b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n")
            async for piece in self._queue:
                if piece is None:
                    await stream.send(b"0\r\n\r\n")
                    await self._sent_queue.send(None)
                    return
                await stream.send(b"%x\r\n%s\r\n" % (len(piece), piece))
                await self._sent_queue.send(None)

    async def release(self, piece: bytes | None) -> None:
        await self._send_queue.send(piece)
        await self.sent.receive()


@pytest.mark.parametrize(("name", "anyio_backend"), TRANSPORTS)
async def test_a_cancelled_receive_of_a_streamed_body_loses_no_bytes(name: str) -> None:
    """The receive the log follower cancels whenever its watcher has something to do: cancelled
    with bytes waiting in the socket (whether the read before it had to wait or not), it
    either returns them or takes nothing, so every byte the server sent is read once."""
    transport = _transport(name)
    body = SteppedBody()
    got = bytearray()
    expected = bytearray()
    async with serve_loopback(body.handle) as port, httpx.AsyncClient(transport=transport) as c:
        async with c.stream("GET", f"http://127.0.0.1:{port}/log") as response:
            receive: Callable[[], Any] = response.extensions[RECEIVE_EXTENSION]

            async def cancelled_receive() -> None:
                with anyio.CancelScope() as scope:
                    scope.cancel()
                    got.extend(await receive())

            async def wait_for_bytes(into: list[bytes]) -> None:
                into.append(await receive())

            async def drain() -> None:
                # every byte released is in the client's socket by now: a receive returns at
                # once unless bytes were lost (then it would wait forever for them)
                while len(got) < len(expected):
                    with anyio.move_on_after(2.0) as lost:
                        got.extend(await receive())
                    if lost.cancelled_caught:
                        return

            for n in range(6):
                # a read that had to wait for its bytes ...
                waited: list[bytes] = []
                async with anyio.create_task_group() as tg:
                    tg.start_soon(wait_for_bytes, waited)
                    await anyio.wait_all_tasks_blocked()
                    piece = b"waited-%d;" % n
                    expected += piece
                    await body.release(piece)
                got.extend(waited[0])
                # ... then a cancelled receive with bytes waiting in the socket
                piece = b"after-a-wait-%d;" % n
                expected += piece
                await body.release(piece)
                await cancelled_receive()
                # a read that did not wait (its bytes were there) ...
                piece = b"ready-%d;" % n
                expected += piece
                await body.release(piece)
                got.extend(await receive())
                # ... then again a cancelled receive with bytes waiting
                piece = b"after-no-wait-%d;" % n
                expected += piece
                await body.release(piece)
                await cancelled_receive()
                await drain()
                assert bytes(got) == bytes(expected), f"round {n}: bytes lost"
            await body.release(None)
            while chunk := await receive():
                got.extend(chunk)
    assert bytes(got) == bytes(expected)


# -- 3. retry waits are spread -------------------------------------------------------------


def test_backoff_waits_are_random_and_within_the_cap() -> None:
    """Full jitter: each wait is drawn uniformly from ``[0, min(backoff_max, base * 2**n)]``,
    so clients that failed together do not retry together."""
    policy = RetryPolicy(backoff_base=0.5, backoff_max=3.0)
    for attempt in range(6):
        cap = min(3.0, 0.5 * 2**attempt)
        waits = [policy.wait_before_retry(attempt, None) for _ in range(400)]
        assert all(0.0 <= w <= cap for w in waits)
        assert len(set(waits)) > 350, f"attempt {attempt}: waits are not spread"
        # uniform over the whole range: some in each quarter (chance of a miss: ~1e-50)
        for quarter in range(4):
            assert any(cap * quarter / 4 <= w <= cap * (quarter + 1) / 4 for w in waits)


@pytest.mark.parametrize(("name", "anyio_backend"), TRANSPORTS)
async def test_clients_failing_together_retry_at_different_times(name: str) -> None:
    """Twenty requests answered 503 at the same moment wait different times before their
    retries (as the transport reports in each call's state)."""
    policy = RetryPolicy(max_retries=2, backoff_base=0.002, backoff_max=0.01)
    transport = RetryTransport(_transport(name), policy=policy)
    states: list[RequestState] = []
    async with counting(503) as (server, base), httpx.AsyncClient(transport=transport) as client:

        async def call() -> None:
            state = RequestState()
            states.append(state)
            token = request_state.set(state)
            try:
                assert (await client.get(f"{base}/busy")).status_code == 503
            finally:
                request_state.reset(token)

        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(call)
    assert server.requests == 20 * 3
    first_waits = [s.waits[0] for s in states]
    assert all(len(s.waits) == 2 for s in states)
    assert all(0.0 <= w <= 0.002 for w in first_waits)
    assert len(set(first_waits)) > 15, "the retries are synchronised"


# -- 4. a step's timeout never escapes the operation's deadline ----------------------------


def test_a_nested_deadline_never_ends_after_its_parent() -> None:
    async def check() -> None:
        outer = Deadline(5.0, "outer")
        for seconds in (0.5, 5.0, 3600.0, None):
            inner = outer.child(seconds, "step")
            assert inner.when <= outer.when  # the point in time it ends
        assert outer.child(0.5).when < outer.when  # a shorter step keeps its own timeout

    anyio.run(check)


class Silent:
    """Reads requests, never answers (a service that hangs)."""

    async def handle(self, stream: SocketStream) -> None:
        async with stream:
            buf = bytearray()
            while await read_request(stream, buf) is not None:
                pass


@pytest.mark.parametrize("anyio_backend", ["asyncio", "trio"])
async def test_an_operation_deadline_bounds_a_call_given_a_longer_timeout(
    emulator: Any, make_client: Callable[..., Any]
) -> None:
    """``refresh(timeout=3600, deadline=d)``: the step's own timeout is cut to what is left
    of the operation's deadline; the call ends with ``DeadlineExceeded`` when ``d`` passes,
    not an hour later."""
    from daytona_async._sandbox import AsyncSandbox

    async with make_client(emulator) as daytona:
        sandbox = await daytona.create(timeout=60)
        try:
            async with (
                serve_loopback(Silent().handle) as port,
                AsyncDaytona(api_key="k", api_url=f"http://127.0.0.1:{port}/api") as hanging,
            ):
                stuck = AsyncSandbox(hanging.context, sandbox.data)
                caught: list[BaseException] = []
                with anyio.move_on_after(HANG) as guard:
                    try:
                        await stuck.refresh(timeout=3600, deadline=Deadline(0.3, "operation"))
                    except DeadlineExceeded as exc:
                        caught.append(exc)
                assert not guard.cancelled_caught, "the step outlived the operation's deadline"
                assert len(caught) == 1
        finally:
            await sandbox.delete()


@asynccontextmanager
async def dripping() -> AsyncIterator[str]:
    """A chunked response whose first chunk comes, then nothing."""

    async def handle(stream: SocketStream) -> None:
        async with stream:
            if await read_request(stream, bytearray()) is None:
                return
            await stream.send(
                b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n"
            )
            await anyio.sleep_forever()

    async with serve_loopback(handle) as port:
        yield f"http://127.0.0.1:{port}"


@pytest.mark.parametrize(("name", "anyio_backend"), TRANSPORTS)
async def test_body_reads_of_a_response_stop_at_the_operations_deadline(name: str) -> None:
    """A streamed body read after the head came (no cancel scope around it) is bounded by
    what was left of the operation's deadline when the request went out, not by the
    client's far longer read timeout."""
    transport = RetryTransport(_transport(name))
    async with dripping() as base, httpx.AsyncClient(transport=transport, timeout=600) as client:
        token = request_state.set(RequestState(deadline=Deadline(0.3, "read a log")))
        failures: list[Exception] = []
        try:
            with anyio.move_on_after(HANG) as guard:
                async with client.stream("GET", f"{base}/log") as response:
                    chunks = response.aiter_raw()
                    assert await anext(chunks) == b"first"
                    try:
                        await anext(chunks)
                    except httpx.ReadTimeout as exc:
                        failures.append(exc)
        finally:
            request_state.reset(token)
        assert not guard.cancelled_caught, "the body read outlived the operation's deadline"
        assert len(failures) == 1
