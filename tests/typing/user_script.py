"""A user's program, type-checked (never run) by test_typing.py under ``mypy --strict``: every
``assert_type`` must hold, and nothing may be ``Any``."""

from __future__ import annotations

from typing import assert_type

from daytona_api.models import FileInfo, GitStatus, PortPreviewUrl, SnapshotDto
from daytona_async import (
    AsyncDaytona,
    AsyncSandbox,
    ClientClosedError,
    CommandHandle,
    CreateSandboxOptions,
    ExecResult,
    GatherError,
    NotFoundError,
    gather,
)
from daytona_async._fs import FileSystem
from daytona_async._git import Git
from daytona_async._lsp import LspServer
from daytona_async._process import Process


async def main() -> None:
    async with AsyncDaytona(api_key="k", api_url="http://localhost:3000/api") as daytona:
        options: CreateSandboxOptions = {"labels": {"team": "a"}, "timeout": 30.0}
        sb = await daytona.create(**options)
        assert_type(sb, AsyncSandbox)
        assert_type(await daytona.create("python:3.12", env={"A": "1"}), AsyncSandbox)
        assert_type(await daytona.create(build="FROM python:3.12-slim", cpu=2), AsyncSandbox)
        async with daytona.sandbox(labels={"x": "y"}, delete_timeout=10) as scoped:
            assert_type(scoped, AsyncSandbox)
        assert_type(await daytona.sandboxes.get(sb.id), AsyncSandbox)
        assert_type(await daytona.list(labels={"team": "a"}), list[AsyncSandbox])
        assert_type(sb.id, str)
        assert_type(sb.state, str | None)

        assert_type(sb.fs, FileSystem)
        assert_type(sb.process, Process)
        assert_type(sb.git, Git)
        assert_type(sb.lsp("python", "/home/daytona"), LspServer)

        result = await sb.process.exec("echo hi", timeout=10)
        assert_type(result, ExecResult)
        assert_type(result.exit_code, int)
        assert_type(result.output, str)
        handle = await sb.process.start("session", "sleep 1")
        assert_type(handle, CommandHandle)
        assert_type(await handle.wait(), int)

        await sb.fs.upload(b"data", "file.txt")
        assert_type(await sb.fs.download_bytes("file.txt"), bytes)
        assert_type(await sb.fs.list("."), list[FileInfo])
        assert_type(await sb.git.status("repo"), GitStatus)
        assert_type(await sb.preview_link(3000), PortPreviewUrl)
        async for line in sb.follow_build_logs():
            assert_type(line, str)
        assert_type(await daytona.snapshots.get("name"), SnapshotDto)

        async def size(sandbox: AsyncSandbox) -> int:
            return len(await sandbox.fs.download_bytes("file.txt"))

        try:
            sizes = await gather(size, [sb])
            assert_type(sizes, list[int])
        except GatherError as group:
            assert_type(group, GatherError)
        except (NotFoundError, ClientClosedError):
            pass
