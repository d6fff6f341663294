"""Sandbox flows against the emulator, under asyncio and trio."""

from __future__ import annotations

import uuid
from typing import Any

import anyio
import pytest
from daytona_async import (
    CREATE_ID_LABEL,
    AsyncDaytona,
    BadRequestError,
    InvalidArgumentError,
    NotFoundError,
    SandboxStateError,
)


@pytest.mark.anyio
async def test_lifecycle(daytona: AsyncDaytona) -> None:
    sb = await daytona.create(
        env={"A": "1"}, labels={"suite": "lifecycle", "flag": True}, timeout=30
    )  # type: ignore[dict-item]
    assert sb.state == "started"
    assert sb.env["A"] == "1"
    assert sb.labels["flag"] == "true" and CREATE_ID_LABEL in sb.labels
    assert sb.data.id == sb.id

    got = await daytona.get(sb.id)
    assert got.id == sb.id
    listed = await daytona.list(labels={"suite": "lifecycle"})
    assert [s.id for s in listed] == [sb.id]
    assert (await daytona.find_one(labels={"suite": "lifecycle"})).id == sb.id
    assert (await daytona.find_one(sb.id)).id == sb.id
    with pytest.raises(NotFoundError):
        await daytona.find_one(labels={"suite": "none-such"})

    link = await sb.preview_link(3000)
    assert link.url and link.token
    await sb.set_public(True)
    await sb.set_auto_stop_interval(0)
    await sb.set_auto_archive_interval(60)
    assert await sb.set_labels({"suite": "lifecycle", "x": "y"}) == {"suite": "lifecycle", "x": "y"}
    await sb.refresh()
    assert sb.data.public is True and sb.labels == {"suite": "lifecycle", "x": "y"}
    assert sb.data.auto_stop_interval == 0 and sb.data.auto_archive_interval == 60

    await sb.stop(timeout=30)
    assert sb.state == "stopped"
    await sb.backup()
    await sb.start(timeout=30)
    assert sb.state == "started"
    await sb.stop(timeout=30)
    await sb.archive(timeout=30)
    assert sb.state == "archived"
    await sb.start(timeout=30)
    assert sb.state == "started"

    await sb.delete(wait=True, timeout=30)
    assert sb.state == "destroyed"
    assert sb.id not in [s.id for s in await daytona.list()]


@pytest.mark.anyio
async def test_errors_from_the_service(daytona: AsyncDaytona) -> None:
    with pytest.raises(NotFoundError) as info:
        await daytona.get("00000000-0000-0000-0000-000000000000")
    assert "not found" in info.value.message
    with pytest.raises(InvalidArgumentError):
        await daytona.get("..")
    with pytest.raises(InvalidArgumentError):
        await daytona.create(snapshot="x", build="FROM alpine")
    with pytest.raises(BadRequestError):
        await daytona.create(snapshot="no-such-snapshot:1.0")
    sb = await daytona.create()
    try:
        with pytest.raises(InvalidArgumentError):
            await sb.preview_link(0)
        with pytest.raises(BadRequestError):
            await sb.archive()  # not stopped
    finally:
        await sb.delete()


@pytest.mark.anyio
async def test_context_manager_deletes_on_exit_error_and_cancel(daytona: AsyncDaytona) -> None:
    async with daytona.sandbox(labels={"cm": "ok"}) as sb:
        assert sb.state == "started"
    await sb.refresh()
    assert sb.state in ("destroying", "destroyed")

    with pytest.raises(RuntimeError):
        async with daytona.sandbox(labels={"cm": "error"}) as sb2:
            raise RuntimeError("boom")
    await sb2.refresh()
    assert sb2.state in ("destroying", "destroyed")

    # cancelled while the create is in flight: the half-created sandbox is found and deleted
    with anyio.move_on_after(0.02):
        async with daytona.sandbox(labels={"cm": "cancel-create"}):
            await anyio.sleep(10)
    # cancelled inside the block
    with anyio.move_on_after(1.0):
        async with daytona.sandbox(labels={"cm": "cancel-body"}):
            await anyio.sleep(10)
    await anyio.sleep(0.2)
    for label in ("ok", "error", "cancel-create", "cancel-body"):
        assert await daytona.list(labels={"cm": label}) == []


@pytest.mark.anyio
async def test_build_with_logs(daytona: AsyncDaytona) -> None:
    lines: list[str] = []

    async def on_logs(line: str) -> None:
        lines.append(line)

    # a Dockerfile never built before (identical builds are reused without logs)
    dockerfile = f"FROM python:3.12-slim\nRUN echo {uuid.uuid4()}\n"
    sb = await daytona.create(build=dockerfile, on_build_logs=on_logs, timeout=60)
    try:
        assert sb.state == "started"
        assert sb.data.snapshot in (None,) or sb.data.build_info is not None
        assert lines, "expected build log lines"
        assert all("\n" not in line for line in lines)
    finally:
        await sb.delete()


@pytest.mark.anyio
async def test_failed_build_raises_with_error_reason(daytona: AsyncDaytona) -> None:
    with pytest.raises(SandboxStateError) as info:
        await daytona.create(
            build=f"RUN exit 1 # no FROM: the build fails {uuid.uuid4()}\n",
            on_build_logs=lambda line: None,
            timeout=60,
        )
    assert info.value.state == "build_failed"
    assert info.value.error_reason and "no build stage" in info.value.error_reason
    await daytona.context.request(
        "DELETE", f"/sandbox/{info.value.sandbox_id}", params={"force": "true"}
    )


@pytest.mark.anyio
async def test_wait_for_unknown_and_many_states(daytona: AsyncDaytona) -> None:
    sb = await daytona.create()
    try:
        await sb.wait_for(["started", "stopped"], timeout=1)
        from daytona_async import DeadlineExceeded

        with pytest.raises(DeadlineExceeded):
            await sb.wait_for("archived", timeout=0.3)
    finally:
        await sb.delete()


def _unused(_: Any) -> None:
    return None
