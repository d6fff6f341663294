"""Deadlines bound operations whose server never answers; cancellation returns connections."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import pytest
from daytona_async import APITimeoutError, AsyncDaytona, DeadlineExceeded
from daytona_emulator.settings import FaultSettings


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and reads requests but never answers."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(256)
    held: list[socket.socket] = []
    stop = threading.Event()

    def serve() -> None:
        sock.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/api"
    stop.set()
    thread.join(2)
    for c in held:
        c.close()
    sock.close()


@pytest.mark.anyio
async def test_deadline_bounds_a_call_to_a_silent_server(silent_server: str) -> None:
    async with AsyncDaytona(api_key="k", api_url=silent_server) as d:
        t0 = time.monotonic()
        with pytest.raises(DeadlineExceeded) as info:
            await d.get("sb-1", timeout=0.5)
        elapsed = time.monotonic() - t0
    assert 0.45 <= elapsed < 1.5, elapsed
    assert isinstance(info.value, TimeoutError)


@pytest.mark.anyio
async def test_deadline_bounds_create_and_wait(silent_server: str) -> None:
    async with AsyncDaytona(api_key="k", api_url=silent_server) as d:
        t0 = time.monotonic()
        with pytest.raises(DeadlineExceeded):
            await d.create(timeout=0.7)
        assert time.monotonic() - t0 < 2.0


@pytest.mark.anyio
async def test_per_request_timeout_is_enforced_by_default(silent_server: str) -> None:
    # no operation timeout given: each attempt is bounded by the client's request timeout
    async with AsyncDaytona(api_key="k", api_url=silent_server, timeout=0.3, max_retries=1) as d:
        t0 = time.monotonic()
        with pytest.raises(APITimeoutError) as info:
            await d.get("sb-1")
        elapsed = time.monotonic() - t0
    assert elapsed < 3.0
    assert info.value.retries == 1


@pytest.mark.anyio
async def test_cancelling_200_in_flight_calls_leaves_no_connection_checked_out(
    emulator_factory: Callable[..., Any],
) -> None:
    server = emulator_factory(faults=FaultSettings(latency=2.0, paths=("/sandbox/",)))
    async with AsyncDaytona(api_key=server.api_key, api_url=server.base_url) as d:
        await d.list()  # creates the pool (path "/sandbox" is not slowed)
        started = 0

        async def one() -> None:
            nonlocal started
            started += 1
            await d.get("00000000-0000-0000-0000-000000000000")

        in_flight: dict[str, int] = {}

        async def probe() -> None:
            while True:  # until the calls are on the wire
                await anyio.sleep(0.05)
                stats = d.context.transport.pool_stats()
                if stats["in_use"] > 0 and started == 200:
                    in_flight.update(stats)
                    await anyio.sleep(0.1)
                    tg.cancel_scope.cancel()
                    return

        with anyio.move_on_after(1.5):
            async with anyio.create_task_group() as tg:
                tg.start_soon(probe)
                for _ in range(200):
                    tg.start_soon(one)
        assert in_flight["in_use"] > 0, in_flight  # the calls really were on the wire
        assert started == 200
        # connections are released as the cancelled tasks unwind; on a loaded machine that
        # takes a moment, so wait (bounded) for the count to settle: a leaked one never does
        transport = d.context.transport
        with anyio.move_on_after(2.0):
            for _ in range(100):
                if not transport.pool_stats()["in_use"]:
                    break
                await anyio.sleep(0.02)
        stats = transport.pool_stats()
        assert stats["in_use"] == 0, (transport.backend_name, stats)
        # the pool still works afterwards
        assert isinstance(await d.list(), list)
