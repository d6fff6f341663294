"""500 creates under 10% injected faults: exactly 500 sandboxes, none duplicated, none lost."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest
from daytona_async import CREATE_ID_LABEL, APIConnectionError, AsyncDaytona
from daytona_emulator.settings import FaultSettings

N = 500
CONCURRENCY = 50


@pytest.mark.anyio
async def test_500_creates_under_faults(
    emulator_factory: Callable[..., Any], anyio_backend: str
) -> None:
    faults = FaultSettings(
        seed=11,
        drop_after=0.03,
        drop_before=0.02,
        bad_gateway=0.02,
        unavailable=0.02,
        rate_limit=0.01,
        retry_after=0.05,
        paths=("/sandbox",),
    )
    server = emulator_factory(faults=faults, transition_delay=0.001)
    created: list[str] = []
    t0 = time.monotonic()
    async with AsyncDaytona(
        api_key=server.api_key, api_url=server.base_url, max_retries=5, timeout=30
    ) as d:
        # room for 500 sandboxes (system admin call; faults hit only /sandbox paths)
        await d.organizations.update_quota(
            server.organization_id,
            total_cpu_quota=10_000,
            total_memory_quota=10_000,
            total_disk_quota=100_000,
        )
        limiter = anyio.Semaphore(CONCURRENCY)

        async def one(i: int) -> None:
            async with limiter:
                sb = await d.create(labels={"batch": "dedup", "i": str(i)}, timeout=60)
                created.append(sb.id)

        async with anyio.create_task_group() as tg:
            for i in range(N):
                tg.start_soon(one, i)
        elapsed = time.monotonic() - t0
        counts = dict(server.app.fault_injector.counts)
        # what the server has, read without faults
        control = server.app.state.control
        rows = [
            sb
            for sb in control.store.all("sandboxes")
            if sb.get("labels", {}).get("batch") == "dedup" and sb["state"] != "destroyed"
        ]
    by_index = Counter(sb["labels"]["i"] for sb in rows)
    by_create_id = Counter(sb["labels"][CREATE_ID_LABEL] for sb in rows)
    print(
        f"\n{anyio_backend}: {N} creates in {elapsed:.1f}s, faults injected: {counts}, "
        f"sandboxes: {len(rows)}, duplicates: {sum(c - 1 for c in by_index.values())}"
    )
    assert len(created) == N, "lost creates"
    assert len(set(created)) == N
    assert sum(counts.values()) >= N * 0.05, counts  # faults really happened
    assert counts.get("drop_after", 0) > 0
    assert len(rows) == N, (len(rows), counts)
    assert all(c == 1 for c in by_index.values())
    assert all(c == 1 for c in by_create_id.values())
    assert {sb["id"] for sb in rows} == set(created)


@pytest.mark.anyio
async def test_negative_control_naive_resend_duplicates(
    emulator_factory: Callable[..., Any], anyio_backend: str
) -> None:
    """The same faults make a naive "re-send on error" client create duplicates, so the test
    above really exercises the unknown-outcome path."""
    if anyio_backend != "asyncio":
        pytest.skip("one backend is enough for the control")
    import httpx

    server = emulator_factory(faults=FaultSettings(seed=5, drop_after=0.2, paths=("/sandbox",)))
    async with AsyncDaytona(api_key=server.api_key, api_url=server.base_url) as d:
        await d.organizations.update_quota(
            server.organization_id,
            total_cpu_quota=1000,
            total_memory_quota=1000,
            total_disk_quota=10_000,
        )
    async with httpx.AsyncClient(base_url=server.base_url, headers=server.headers) as http:
        for i in range(40):
            for _ in range(10):
                try:
                    r = await http.post("/sandbox", json={"labels": {"naive": str(i)}})
                    if r.status_code == 200:
                        break
                except httpx.HTTPError:
                    continue
    rows = [
        sb
        for sb in server.app.state.control.store.all("sandboxes")
        if "naive" in sb.get("labels", {})
    ]
    assert len(rows) > 40  # duplicates


class ScriptedCreateFaults(httpx.AsyncBaseTransport):
    """The real network transport to the emulator, with one scripted fault per
    ``POST /sandbox`` (in order) at a chosen point of the exchange — deterministic where the
    emulator's fault flags are drawn at random."""

    def __init__(self, faults: list[str]) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.faults = faults
        self.creates_sent = 0  # POST /sandbox that reached the emulator

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        is_create = request.method == "POST" and request.url.path.endswith("/sandbox")
        fault = self.faults.pop(0) if is_create and self.faults else None
        if fault == "connect_refused":  # nothing sent
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if fault == "drop_before_read":  # sent, but the server never read it
            await request.aread()
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        if is_create:
            self.creates_sent += 1
        response = await self.inner.handle_async_request(request)
        if fault is None:
            return response
        await response.aread()  # the server created the sandbox and answered
        if fault == "drop_after_read":
            raise httpx.RemoteProtocolError("Server disconnected", request=request)
        if fault == "timeout_after_send":
            raise httpx.ReadTimeout("timed out", request=request)
        assert fault == "500_after_create", fault
        return httpx.Response(
            500, json={"statusCode": 500, "message": "Internal server error"}, request=request
        )

    async def aclose(self) -> None:
        await self.inner.aclose()


def _rows(server: Any, key: str, value: str) -> list[dict[str, Any]]:
    return [
        sb
        for sb in server.app.state.control.store.all("sandboxes")
        if sb.get("labels", {}).get(key) == value and sb["state"] != "destroyed"
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("max_retries", [0, 2])
@pytest.mark.parametrize(
    "fault",
    [
        "connect_refused",
        "drop_before_read",
        "drop_after_read",
        "500_after_create",
        "timeout_after_send",
    ],
)
async def test_create_fault_at_each_point_gives_exactly_one_sandbox(
    emulator: Any, anyio_backend: str, fault: str, max_retries: int
) -> None:
    transport = ScriptedCreateFaults([fault])
    case = f"{fault}-{max_retries}-{anyio_backend}"
    async with AsyncDaytona(
        api_key=emulator.api_key,
        api_url=emulator.base_url,
        transport=transport,
        max_retries=max_retries,
    ) as d:
        try:
            sb = await d.create(labels={"case": case}, timeout=30)
        except APIConnectionError as err:
            # allowed only for a create that never reached the server, with no retries left:
            # then no sandbox exists that the caller does not know about
            rows = _rows(emulator, "case", case)
            assert rows == [], (fault, err, rows)
            assert fault in ("connect_refused", "drop_before_read") and max_retries == 0, err
            return
        rows = _rows(emulator, "case", case)
        await sb.delete()  # room in the organization's quota for the next case
    assert [row["id"] for row in rows] == [sb.id], (fault, rows)
    # the request that created it reached the server once
    assert transport.creates_sent == 1
