"""Faults a proxy between the SDK and the emulator produces.

1. A command behind an idle-timeout proxy runs exactly once per call.

A load balancer closes a connection that has been idle for its timeout — also while the server
is busy with a request it has read (a 3 s command behind a 1 s idle timeout). The client sees
its connection end before a byte of response, exactly as when a server closes an idle
keep-alive connection. A POST must then not be sent again: the caller gets
``OutcomeUnknownError``, and the command has run once, counted on the server's disk.

The proxy is a raw anyio byte pump between the SDK and the emulator; to be deterministic it
closes an idle connection only once the command has left its mark (the server has read and
started it), as the real race does at its worst.

2. Closing the client while a download or a log follower is streaming ends it at once with a
typed error (the proxy holds back the rest of a body, so the stream is really waiting).

3. A bulk upload whose connection is cut after the server read it (and answered) is sent again
when its body can be produced again — re-sending the same files is idempotent in effect — and
the file is complete; a one-shot body is not sent again.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
from anyio.abc import SocketStream
from daytona_async import APIConnectionError, AsyncDaytona, DaytonaError, OutcomeUnknownError

from .loopback import serve_loopback

pytestmark = pytest.mark.anyio

_REQUEST_LINE = re.compile(rb"^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) (\S+) HTTP/1\.1\r\n")


@dataclass
class IdleTimeoutProxy:
    """Forwards each client connection to its own upstream connection. A connection whose
    pending request (path containing one of ``paths``) has had no byte of response for
    ``idle_timeout`` seconds is closed on both sides, once ``ready()`` holds. Responses to
    requests whose path contains one of ``stall_paths`` stop after ``stall_after`` bytes (the
    connection stays open). The first ``cut_responses`` responses to requests whose path
    contains one of ``cut_paths`` are not forwarded: the connection is closed on both sides
    when their first byte arrives (the server has read the request). ``requests`` lists the
    path of every request seen."""

    upstream_port: int
    idle_timeout: float
    ready: Callable[[], bool] = lambda: True
    paths: tuple[str, ...] = ("",)
    stall_paths: tuple[str, ...] = ()
    stall_after: int = 65536
    cut_paths: tuple[str, ...] = ()
    cut_responses: int = 0
    port: int = 0
    stalled: int = 0
    closed: list[str] = field(default_factory=list)  # paths of the requests cut off
    requests: list[str] = field(default_factory=list)

    async def handle(self, client: SocketStream) -> None:
        upstream = await anyio.connect_tcp("127.0.0.1", self.upstream_port)
        pending: dict[str, Any] = {"path": None, "since": 0.0, "last": ""}
        async with client, upstream, anyio.create_task_group() as tg:

            async def client_to_upstream() -> None:
                try:
                    async for chunk in client:
                        match = _REQUEST_LINE.match(chunk)
                        if match is not None:
                            path = match.group(2).decode()
                            self.requests.append(path)
                            pending["last"], pending["sent"] = path, 0
                            if any(p in path for p in self.paths):
                                pending["path"], pending["since"] = path, time.monotonic()
                        await upstream.send(chunk)
                except anyio.BrokenResourceError:
                    pass
                tg.cancel_scope.cancel()

            async def upstream_to_client() -> None:
                try:
                    async for chunk in upstream:
                        pending["path"] = None  # the response began: not idle
                        if self.cut_responses and any(p in pending["last"] for p in self.cut_paths):
                            self.cut_responses -= 1
                            self.closed.append(pending["last"])
                            break
                        if any(p in pending["last"] for p in self.stall_paths):
                            room = self.stall_after - pending["sent"]
                            if len(chunk) >= room:
                                await client.send(chunk[: max(room, 0)])
                                self.stalled += 1
                                await anyio.sleep_forever()
                            pending["sent"] += len(chunk)
                        await client.send(chunk)
                except anyio.BrokenResourceError:
                    pass
                tg.cancel_scope.cancel()

            async def idle_timer() -> None:
                while True:
                    await anyio.sleep(0.02)
                    path = pending["path"]
                    if (
                        path is not None
                        and time.monotonic() - pending["since"] >= self.idle_timeout
                        and self.ready()
                    ):
                        self.closed.append(path)
                        tg.cancel_scope.cancel()
                        return

            tg.start_soon(client_to_upstream)
            tg.start_soon(upstream_to_client)
            tg.start_soon(idle_timer)


@asynccontextmanager
async def idle_timeout_proxy(
    upstream_port: int,
    idle_timeout: float,
    ready: Callable[[], bool] = lambda: True,
    paths: tuple[str, ...] = ("",),
    stall_paths: tuple[str, ...] = (),
    cut_paths: tuple[str, ...] = (),
    cut_responses: int = 0,
) -> AsyncIterator[IdleTimeoutProxy]:
    proxy = IdleTimeoutProxy(
        upstream_port,
        idle_timeout,
        ready,
        paths,
        stall_paths,
        cut_paths=cut_paths,
        cut_responses=cut_responses,
    )
    async with serve_loopback(proxy.handle) as proxy.port:
        yield proxy


def _runs(path: Path) -> list[str]:
    try:
        return path.read_text().split()
    except FileNotFoundError:
        return []


@pytest.mark.parametrize("max_retries", [0, 2])
async def test_exec_behind_an_idle_timeout_proxy_runs_once_per_call(
    emulator: Any, anyio_backend: str, max_retries: int
) -> None:
    async with AsyncDaytona(api_key=emulator.api_key, api_url=emulator.base_url) as direct:
        sandbox_id = (await direct.create(labels={"test": "idle-proxy"})).id
    runs = emulator.settings.sandboxes_dir / sandbox_id / "root" / "home" / "daytona" / "runs"
    marks = {"before": 0}

    def command_started() -> bool:
        return len(_runs(runs)) > marks["before"]

    async with idle_timeout_proxy(
        emulator.port, idle_timeout=0.2, ready=command_started, paths=("/process/execute",)
    ) as proxy:
        async with AsyncDaytona(
            api_key=emulator.api_key,
            api_url=f"http://127.0.0.1:{proxy.port}/api",
            max_retries=max_retries,
        ) as d:
            sb = await d.get(sandbox_id)  # the exec below reuses this pooled connection
            tokens = []
            for _ in range(3):
                token = uuid.uuid4().hex
                tokens.append(token)
                marks["before"] = len(_runs(runs))
                with pytest.raises(OutcomeUnknownError) as info:
                    await sb.process.exec(f'echo {token} >> "$HOME/runs"; sleep 5', timeout=30)
                err = info.value
                assert isinstance(err, APIConnectionError)
                assert err.method == "POST" and "/process/execute" in (err.url or "")
                assert "not sent again" in str(err)
                assert _runs(runs).count(token) == 1, _runs(runs)
            # a short command on the same client still works (the pool recovered)
            marks["before"] = 10**9  # never cut this one
            assert (await sb.process.exec("echo ok")).output.strip() == "ok"
    assert len(proxy.closed) == 3
    assert _runs(runs) == tokens  # every call ran exactly once, none twice


async def _ends_with_typed_error(run: Callable[[], Any], close: Callable[[], Any]) -> BaseException:
    """Start ``run()``, wait (bounded) until ``close`` may be called, call it, and return what
    ``run()`` raised; fail if it is still running 5 s after the close."""
    outcome: dict[str, BaseException] = {}
    ended = anyio.Event()

    async def runner() -> None:
        try:
            await run()
        except BaseException as exc:  # recorded and checked by the caller
            outcome["exc"] = exc
            if not isinstance(exc, Exception):
                raise
        finally:
            ended.set()

    async with anyio.create_task_group() as tg:
        tg.start_soon(runner)
        await close()
        with anyio.move_on_after(5) as scope:
            await ended.wait()
        if scope.cancelled_caught:
            tg.cancel_scope.cancel()
            pytest.fail("the stream was still running 5 s after the client was closed")
    assert "exc" in outcome, "the stream ended without an error"
    return outcome["exc"]


async def _wait_for(condition: Callable[[], bool], what: str) -> None:
    for _ in range(1000):  # at most ~10 s
        if condition():
            return
        await anyio.sleep(0.01)
    pytest.fail(f"timed out waiting for {what}")


async def test_closing_the_client_ends_a_running_download(
    emulator: Any, anyio_backend: str
) -> None:
    async with AsyncDaytona(api_key=emulator.api_key, api_url=emulator.base_url) as direct:
        sb = await direct.create(labels={"test": "close-download"})
        await sb.fs.upload(b"z" * (2 * 1024 * 1024), "big.bin")
        sandbox_id = sb.id
    async with idle_timeout_proxy(
        emulator.port, idle_timeout=3600, stall_paths=("/files/download",)
    ) as proxy:
        d = AsyncDaytona(api_key=emulator.api_key, api_url=f"http://127.0.0.1:{proxy.port}/api")
        sb = await d.get(sandbox_id)

        async def close() -> None:
            await _wait_for(lambda: proxy.stalled > 0, "the download to start")
            await d.aclose()

        err = await _ends_with_typed_error(lambda: sb.fs.download_bytes("big.bin"), close)
    assert isinstance(err, DaytonaError), repr(err)
    assert "closed" in str(err), str(err)


async def test_closing_the_client_ends_a_log_follower(emulator: Any, anyio_backend: str) -> None:
    d = AsyncDaytona(api_key=emulator.api_key, api_url=emulator.base_url)
    sb = await d.create(labels={"test": "close-follow"})
    await sb.process.create_session("s")
    cmd = await sb.process.start("s", "echo started; sleep 60")
    lines: list[str] = []

    async def follow() -> None:
        async for line in cmd.output(lines=True):
            lines.append(line)

    async def close() -> None:
        await _wait_for(lambda: bool(lines), "the first line")
        await d.aclose()

    err = await _ends_with_typed_error(follow, close)
    assert lines[0].strip() == "started"
    assert isinstance(err, DaytonaError), repr(err)


async def test_closing_the_client_ends_a_request_waiting_for_its_answer(
    emulator: Any, anyio_backend: str
) -> None:
    d = AsyncDaytona(api_key=emulator.api_key, api_url=emulator.base_url)
    sb = await d.create(labels={"test": "close-exec"})
    marker = emulator.settings.sandboxes_dir / sb.id / "root" / "home" / "daytona" / "begun"

    async def close() -> None:
        await _wait_for(marker.exists, "the command to start")
        await d.aclose()

    err = await _ends_with_typed_error(
        lambda: sb.process.exec('touch "$HOME/begun"; sleep 30'), close
    )
    # the command was running: its outcome is unknown to the caller, and it is not re-sent
    assert isinstance(err, OutcomeUnknownError), repr(err)


_UPLOAD = "/files/bulk-upload"


async def _upload_behind_a_cutting_proxy(
    emulator: Any, src: Any, dst: str
) -> tuple[IdleTimeoutProxy, BaseException | None, Any]:
    """Upload ``src`` to ``dst`` of a fresh sandbox through a proxy that cuts the connection of
    the first bulk-upload answer (the server has read the whole upload by then). Returns the
    proxy, what the upload raised (``None`` if it succeeded) and the sandbox on a direct
    client, which stays usable until the caller's own checks are done."""
    async with AsyncDaytona(api_key=emulator.api_key, api_url=emulator.base_url) as direct:
        sb = await direct.create(labels={"test": "upload-cut"})
        raised: BaseException | None = None
        async with idle_timeout_proxy(
            emulator.port, idle_timeout=3600, cut_paths=(_UPLOAD,), cut_responses=1
        ) as proxy:
            async with AsyncDaytona(
                api_key=emulator.api_key, api_url=f"http://127.0.0.1:{proxy.port}/api"
            ) as d:
                try:
                    await (await d.get(sb.id)).fs.upload(src, dst)
                except DaytonaError as exc:
                    raised = exc
        assert [p for p in proxy.closed if _UPLOAD in p] != []  # the first answer was cut
        content = await sb.fs.download_bytes(dst) if raised is None else None
        return proxy, raised, content


@pytest.mark.parametrize("source", ["bytes", "path"])
async def test_upload_cut_after_the_server_read_it_is_sent_again(
    emulator_factory: Callable[..., Any], anyio_backend: str, source: str, tmp_path: Path
) -> None:
    emulator = emulator_factory()  # its own: the module's emulator is at its CPU quota here
    payload = bytes(range(256)) * 12_000  # ~3 MB: several chunks
    src: Any = payload
    if source == "path":
        src = tmp_path / "src.bin"
        src.write_bytes(payload)
    proxy, raised, content = await _upload_behind_a_cutting_proxy(emulator, src, "up.bin")
    assert raised is None, repr(raised)
    assert sum(_UPLOAD in p for p in proxy.requests) == 2
    assert content == payload


async def test_one_shot_upload_cut_after_the_server_read_it_is_not_sent_again(
    emulator_factory: Callable[..., Any], anyio_backend: str
) -> None:
    emulator = emulator_factory()

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(4):
            yield b"x" * 65536

    proxy, raised, _ = await _upload_behind_a_cutting_proxy(emulator, chunks(), "once.bin")
    assert isinstance(raised, OutcomeUnknownError), repr(raised)
    assert any("one-shot" in note for note in raised.__notes__)
    assert sum(_UPLOAD in p for p in proxy.requests) == 1
