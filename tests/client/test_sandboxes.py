"""Sandbox flows against the emulator, under asyncio and trio."""

from __future__ import annotations

import logging
import uuid
import weakref
from typing import Any

import anyio
import attrs
import httpx
import pytest
from daytona_api.api.sandbox import stop_sandbox
from daytona_async import (
    CREATE_ID_LABEL,
    APIConnectionError,
    AsyncDaytona,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
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

    # cancelled inside the block
    with anyio.move_on_after(1.0):
        async with daytona.sandbox(labels={"cm": "cancel-body"}):
            await anyio.sleep(10)
    for label in ("ok", "error", "cancel-body"):
        await _wait_until_gone(daytona, {"cm": label})


async def _wait_until_gone(daytona: AsyncDaytona, labels: dict[str, str]) -> None:
    """Bounded wait until no sandbox with ``labels`` is listed (deleted ones leave the list once
    destroyed)."""
    with anyio.fail_after(20):
        while True:
            if not await daytona.list(labels=labels):
                return
            await anyio.sleep(0.05)


class _Forward(httpx.AsyncBaseTransport):
    """Sends every request to the emulator over loopback and records it; hooks let a test act
    on one request (hold its response back, lose it)."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.seen: list[tuple[str, str]] = []
        self.hold_create = False
        self.create_processed = anyio.Event()
        self.lose_first_delete = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append((request.method, request.url.path))
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and request.url.path.endswith("/sandbox") and self.hold_create:
            self.hold_create = False
            await response.aread()
            await response.aclose()
            self.create_processed.set()  # the server has created it: the answer is held back
            await anyio.sleep_forever()
        if request.method == "DELETE" and self.lose_first_delete:
            self.lose_first_delete = False
            await response.aread()
            await response.aclose()
            raise httpx.ReadError("connection lost before the answer arrived")
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.anyio
async def test_cancel_while_create_in_flight_deletes_the_created_sandbox(emulator: Any) -> None:
    forward = _Forward()
    async with AsyncDaytona(
        api_key=emulator.api_key, api_url=emulator.base_url, transport=forward
    ) as daytona:
        forward.hold_create = True
        with anyio.CancelScope() as scope:
            async with anyio.create_task_group() as tg:

                async def use() -> None:
                    async with daytona.sandbox(labels={"cm": "cancel-create"}):
                        await anyio.sleep_forever()

                tg.start_soon(use)
                with anyio.fail_after(20):
                    await forward.create_processed.wait()
                # the server created the sandbox; its answer never reaches the client
                assert len(await daytona.list(labels={"cm": "cancel-create"})) == 1
                scope.cancel()
        await _wait_until_gone(daytona, {"cm": "cancel-create"})


@pytest.mark.anyio
async def test_delete_whose_answer_was_lost_is_not_an_error(
    emulator_factory: Any, make_client: Any
) -> None:
    # slow transitions: the re-sent DELETE meets the sandbox still destroying, which the
    # service refuses with 400 "Sandbox state change in progress"
    server = emulator_factory(transition_delay=1.0)
    forward = _Forward()
    async with AsyncDaytona(
        api_key=server.api_key, api_url=server.base_url, transport=forward
    ) as daytona:
        sb = await daytona.create(timeout=30)
        forward.lose_first_delete = True
        await sb.delete()
        deletes = [m for m, path in forward.seen if m == "DELETE"]
        assert len(deletes) == 2, forward.seen  # the first was accepted, its answer lost
        assert sb.state in ("destroying", "destroyed")
        # a refusal for another reason still raises: a stop in progress is not a delete
        other = await daytona.create(timeout=30)
        stopping = await stop_sandbox.asyncio_detailed(other.id, client=daytona.api)
        assert stopping.status_code == 200
        with pytest.raises(BadRequestError):
            await other.delete()
        await other.wait_for("stopped", timeout=30)
        await other.delete()


@pytest.mark.anyio
@pytest.mark.parametrize("bad_id", ["", ".", ".."])
async def test_bad_ids_are_refused_before_sending(emulator: Any, bad_id: str) -> None:
    forward = _Forward()
    async with AsyncDaytona(
        api_key=emulator.api_key, api_url=emulator.base_url, transport=forward
    ) as daytona:
        async with daytona.sandbox() as sb:
            bad = daytona.wrap(attrs.evolve(sb.data, id=bad_id))
            before = len(forward.seen)
            for call in (
                bad.delete,
                bad.refresh,
                bad.start,
                bad.backup,
                bad.build_logs,
                lambda: bad.set_public(True),
                lambda: bad.set_labels({"a": "b"}),
                lambda: bad.preview_link(3000),
            ):
                with pytest.raises(InvalidArgumentError):
                    await call()
            assert forward.seen[before:] == []


@pytest.mark.anyio
async def test_closed_client_raises_client_closed(emulator: Any, make_client: Any) -> None:
    daytona = make_client(emulator)
    sb = await daytona.create(timeout=30)
    await daytona.aclose()
    for call in (
        lambda: daytona.get(sb.id),
        lambda: daytona.create(),
        sb.refresh,
        lambda: sb.process.exec("true"),
        lambda: sb.fs.download_bytes("/etc/hostname"),
    ):
        with pytest.raises(ClientClosedError):
            await call()
    async with make_client(emulator) as again:
        await again.wrap(sb.data).delete()


@pytest.mark.anyio
async def test_unencodable_text_gives_typed_errors(daytona: AsyncDaytona) -> None:
    lone = "\udcff"
    async with daytona.sandbox() as sb:
        for call in (
            lambda: daytona.get(lone),
            lambda: daytona.create(env={"A": lone}),
            lambda: sb.process.exec(f"echo {lone}"),
            lambda: sb.process.exec("true", env={"A": lone}),
            lambda: sb.fs.upload(b"x", f"/tmp/{lone}"),
            lambda: sb.fs.download_bytes(f"/tmp/{lone}"),
            lambda: sb.git.status(f"/tmp/{lone}"),
        ):
            with pytest.raises(InvalidArgumentError):
                await call()


@pytest.mark.anyio
async def test_project_dir_cache_is_bounded(
    daytona: AsyncDaytona, monkeypatch: pytest.MonkeyPatch
) -> None:
    from daytona_async import _toolbox_base

    monkeypatch.setattr(_toolbox_base, "PROJECT_DIR_CACHE_SIZE", 2)
    monkeypatch.setattr(_toolbox_base, "_PROJECT_DIRS", weakref.WeakKeyDictionary())
    monkeypatch.setattr(_toolbox_base, "_PROJECT_DIR_LOCKS", weakref.WeakKeyDictionary())
    sandboxes = [await daytona.create(timeout=30) for _ in range(3)]
    try:
        for sb in sandboxes + sandboxes[:1]:
            await sb.fs.list(".")  # relative: needs the project dir
        cache = _toolbox_base._PROJECT_DIRS[daytona.sandboxes._ctx]
        assert len(cache) == 2
        assert cache.get(sandboxes[1].id) is None  # least recently used: forgotten
        assert cache.get(sandboxes[0].id) is not None
    finally:
        for sb in sandboxes:
            await sb.delete()


@pytest.mark.anyio
async def test_failed_create_in_sandbox_leaves_nothing_to_clean_up(
    emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    forward = _Forward()
    caplog.set_level(logging.DEBUG, logger="daytona_async")
    async with AsyncDaytona(
        api_key="dtn_" + "0" * 64, api_url=emulator.base_url, transport=forward
    ) as daytona:
        with pytest.raises(AuthenticationError):
            async with daytona.sandbox():
                pass
    assert forward.seen == [("POST", "/api/sandbox")]  # no lookup, no delete, no retry
    assert "could not delete" not in caplog.text

    async with AsyncDaytona(api_key="k", api_url="http://127.0.0.1:9/api") as daytona:
        with pytest.raises(APIConnectionError):
            async with daytona.sandbox():
                pass
    assert "could not delete" not in caplog.text


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
