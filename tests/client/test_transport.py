"""The retry policy of the transport seam, against the emulator's fault injection (and a
MockTransport where the emulator cannot produce the fault)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import httpx
import pytest
from daytona_async import (
    APIConnectionError,
    AsyncDaytona,
    InternalServerError,
    OutcomeUnknownError,
    RateLimitError,
    RetryPolicy,
)
from daytona_emulator.settings import FaultSettings


def _counting(statuses: list[int], exc_first: int = 0) -> tuple[httpx.MockTransport, list[str]]:
    """Answers with ``statuses`` in turn (then 200 []), after raising ConnectError
    ``exc_first`` times."""
    seen: list[str] = []
    it = iter(statuses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if len(seen) <= exc_first:
            raise httpx.ConnectError("refused", request=request)
        status = next(it, 200)
        if status == 200:
            return httpx.Response(200, json=[])
        return httpx.Response(status, json={"statusCode": status, "message": f"status {status}"})

    return httpx.MockTransport(handler), seen


@pytest.mark.anyio
async def test_idempotent_get_retried_on_500_and_count_in_final_error() -> None:
    transport, seen = _counting([500, 500, 500, 500])
    async with AsyncDaytona(
        api_key="k", api_url="http://x/api", transport=transport, max_retries=2
    ) as d:
        with pytest.raises(InternalServerError) as info:
            await d.list()
    assert len(seen) == 3
    assert info.value.retries == 2
    assert "after 2 retries" in str(info.value)


@pytest.mark.anyio
async def test_post_not_retried_on_500_but_on_503_and_connect_errors() -> None:
    transport, seen = _counting([500])
    async with AsyncDaytona(api_key="k", api_url="http://x/api", transport=transport) as d:
        with pytest.raises(InternalServerError) as info:
            await d.context.request("POST", "/sandbox/x/start")
        assert info.value.retries == 0 and seen == ["POST"]

        # 429/503: the server says it did not act on the request
        transport2, seen2 = _counting([503, 429], exc_first=0)
        d2 = AsyncDaytona(api_key="k", api_url="http://x/api", transport=transport2)
        await d2.context.request("POST", "/sandbox/x/start")
        assert len(seen2) == 3
        await d2.aclose()

        # 502/504: a gateway's upstream may have acted on it: not sent again
        for status in (502, 504):
            transport4, seen4 = _counting([status])
            d4 = AsyncDaytona(api_key="k", api_url="http://x/api", transport=transport4)
            with pytest.raises(InternalServerError):
                await d4.context.request("POST", "/sandbox/x/start")
            assert seen4 == ["POST"]
            await d4.aclose()

        transport3, seen3 = _counting([], exc_first=2)
        d3 = AsyncDaytona(api_key="k", api_url="http://x/api", transport=transport3)
        await d3.context.request("POST", "/sandbox/x/start")
        assert len(seen3) == 3
        await d3.aclose()


@pytest.mark.anyio
async def test_max_retries_zero_disables() -> None:
    transport, seen = _counting([503, 503])
    async with AsyncDaytona(
        api_key="k", api_url="http://x/api", transport=transport, max_retries=0
    ) as d:
        with pytest.raises(InternalServerError) as info:
            await d.list()
    assert len(seen) == 1 and info.value.retries == 0


@pytest.mark.anyio
async def test_streaming_request_body_not_replayed() -> None:
    transport, seen = _counting([503, 503])

    async def body() -> AsyncIterator[bytes]:
        yield b"once"

    async with AsyncDaytona(api_key="k", api_url="http://x/api", transport=transport) as d:
        with pytest.raises(InternalServerError):
            await d.context.request("PUT", "/x", content=body())
    assert len(seen) == 1


@pytest.mark.anyio
async def test_read_error_after_send_retried_only_when_idempotent() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) % 2 == 1:
            raise httpx.RemoteProtocolError("dropped", request=request)
        return httpx.Response(200, json=[])

    async with AsyncDaytona(
        api_key="k", api_url="http://x/api", transport=httpx.MockTransport(handler)
    ) as d:
        await d.list()
        assert calls == ["GET", "GET"]
        with pytest.raises(OutcomeUnknownError) as info:
            await d.context.request("POST", "/sandbox/x/stop")
        assert calls[-1] == "POST" and len(calls) == 3
        assert isinstance(info.value, APIConnectionError)
        assert info.value.method == "POST" and info.value.url == "http://x/api/sandbox/x/stop"


@pytest.fixture
def recorded_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The transport's waits before retries, recorded instead of slept."""
    from daytona_async import _transport

    waits: list[float] = []

    async def record(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr(_transport, "_sleep", record)
    return waits


@pytest.mark.anyio
async def test_retry_after_is_respected(
    emulator_factory: Callable[..., Any], recorded_waits: list[float]
) -> None:
    server = emulator_factory(
        faults=FaultSettings(seed=1, rate_limit=1.0, retry_after=0.4, paths=("/sandbox",))
    )
    async with AsyncDaytona(api_key=server.api_key, api_url=server.base_url, max_retries=2) as d:
        with pytest.raises(RateLimitError) as info:
            await d.list()
    # two waits of Retry-After (0.4 s each), not the jittered backoff
    assert recorded_waits == [0.4, 0.4]
    assert info.value.retries == 2 and info.value.retry_after == pytest.approx(0.4)


@pytest.mark.anyio
async def test_retry_after_http_date_and_cap(recorded_waits: list[float]) -> None:
    from daytona_async._transport import parse_retry_after

    assert parse_retry_after("2") == 2.0
    assert parse_retry_after("garbage") is None
    date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 5))
    value = parse_retry_after(date)
    assert value is not None and 3.0 < value <= 6.0

    # a Retry-After beyond the operation's deadline is not waited for
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"retry-after": "20"}, json={"message": "slow down"})

    async with AsyncDaytona(
        api_key="k", api_url="http://x/api", transport=httpx.MockTransport(handler)
    ) as d:
        with pytest.raises(RateLimitError) as info:
            await d.list(timeout=2)
        assert recorded_waits == []
        assert info.value.retry_after == 20.0


@pytest.mark.anyio
async def test_faults_on_reads_are_absorbed(emulator_factory: Callable[..., Any]) -> None:
    server = emulator_factory(
        faults=FaultSettings(
            seed=7,
            bad_gateway=0.1,
            unavailable=0.1,
            drop_after=0.1,
            drop_before=0.1,
            paths=("/sandbox",),
        )
    )
    async with AsyncDaytona(api_key=server.api_key, api_url=server.base_url, max_retries=6) as d:
        sb = await d.create()
        for _ in range(40):
            again = await d.get(sb.id)
            assert again.id == sb.id
    counts = server.app.fault_injector.counts
    assert sum(counts.values()) >= 10, counts


@pytest.mark.anyio
async def test_max_concurrency_limits_requests_in_flight() -> None:
    active = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal active, peak
        active += 1
        peak = max(peak, active)
        await anyio.sleep(0.01)
        active -= 1
        return httpx.Response(200, json=[])

    async with AsyncDaytona(
        api_key="k",
        api_url="http://x/api",
        transport=httpx.MockTransport(handler),
        max_concurrency=5,
    ) as d:
        async with anyio.create_task_group() as tg:
            for _ in range(40):
                tg.start_soon(d.list)
    assert peak == 5


@pytest.mark.anyio
async def test_replayable_stream_body_resent_whole_on_503_not_after_a_drop() -> None:
    from daytona_async._bodies import ReplayableStream
    from daytona_async._transport import replayable_body

    opened = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal opened
        opened += 1
        for part in (b"ab", b"cd"):
            yield part

    bodies: list[bytes] = []
    answers: list[Any] = [503, httpx.RemoteProtocolError]

    async def handler(request: httpx.Request) -> httpx.Response:
        bodies.append(await request.aread())
        answer = answers.pop(0) if answers else 200
        if answer is httpx.RemoteProtocolError:
            raise httpx.RemoteProtocolError("dropped after reading", request=request)
        return httpx.Response(answer, json={"message": "busy"})

    assert replayable_body(httpx.Request("POST", "http://x/", content=ReplayableStream(chunks)))
    assert not replayable_body(httpx.Request("POST", "http://x/", content=chunks()))
    async with AsyncDaytona(
        api_key="k", api_url="http://x/api", transport=httpx.MockTransport(handler)
    ) as d:
        # 503: the server did not act on it, so the body is produced again from its source;
        # then a drop after sending: the upload may have happened, so it is not sent again
        with pytest.raises(OutcomeUnknownError):
            await d.context.request(
                "POST", "/toolbox/x/toolbox/files/upload", content=ReplayableStream(chunks)
            )
    # (MockTransport reads the body into memory on the first attempt: one opening here)
    assert bodies == [b"abcd", b"abcd"]
    assert opened == 1


@pytest.mark.anyio
async def test_retry_after_is_capped_by_the_policy(recorded_waits: list[float]) -> None:
    # a server asking for an hour gets the policy's cap (30 s by default), recorded where the
    # transport waits, not measured on the wall clock
    waits = recorded_waits
    answers = [429, 503]

    def handler(request: httpx.Request) -> httpx.Response:
        if answers:
            status = answers.pop(0)
            return httpx.Response(status, headers={"retry-after": "3600"}, json={"message": "x"})
        return httpx.Response(200, json=[])

    async with AsyncDaytona(
        api_key="k", api_url="http://x/api", transport=httpx.MockTransport(handler)
    ) as d:
        assert await d.list() == []
        assert waits == [30.0, 30.0]
        # a policy of the caller's own
        waits.clear()
        answers[:] = [429]
        policy = RetryPolicy(retry_after_max=2.5)
        await d.context.request("GET", "/sandbox", policy=policy)
        assert waits == [2.5]


def test_user_limits_never_keep_idle_connections_past_the_safe_expiry() -> None:
    """httpx.Limits defaults to a 5 s keep-alive, the servers' own: a POST could then go out on
    a connection the server is closing. A user's limits keep their sizes, with the expiry capped
    at the SDK's 2 s; a shorter one is kept."""
    from daytona_async._transport import RetryTransport
    from daytona_async._wire import KEEPALIVE_EXPIRY

    for given in (httpx.Limits(max_connections=7), httpx.Limits(keepalive_expiry=None)):
        limits = RetryTransport(limits=given).limits
        assert limits is not None
        assert limits.keepalive_expiry == KEEPALIVE_EXPIRY
        assert limits.max_connections == given.max_connections
        assert limits.max_keepalive_connections == given.max_keepalive_connections
    short = httpx.Limits(max_connections=3, keepalive_expiry=0.5)
    assert RetryTransport(limits=short).limits is short
