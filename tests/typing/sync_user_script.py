"""A user's synchronous program, type-checked (never run) by test_sync_typing.py under
``mypy --strict``: the same types as the async API (user_script.py), minus ``await``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import assert_type

from daytona_api.models import (
    Command,
    FileInfo,
    GitStatus,
    PaginatedSnapshotsDto,
    PortPreviewUrl,
    SnapshotDto,
    VolumeDto,
)
from daytona_async import (
    ClientClosedError,
    CreateSandboxOptions,
    Daytona,
    ExecResult,
    NotFoundError,
    Sandbox,
)
from daytona_async.sync import (
    SyncCommandHandle,
    SyncContextManager,
    SyncDownloadStream,
    SyncFileSystem,
    SyncGit,
    SyncIterator,
    SyncLspServer,
    SyncProcess,
)


def main() -> None:
    with Daytona(api_key="k", api_url="http://localhost:3000/api") as daytona:
        options: CreateSandboxOptions = {"labels": {"team": "a"}, "timeout": 30.0}
        sb = daytona.create(**options)
        assert_type(sb, Sandbox)
        assert_type(daytona.create("python:3.12", env={"A": "1"}), Sandbox)
        assert_type(daytona.create(build="FROM python:3.12-slim", cpu=2), Sandbox)
        assert_type(daytona.sandbox(labels={"x": "y"}), SyncContextManager[Sandbox])
        with daytona.sandbox(labels={"x": "y"}, delete_timeout=10) as scoped:
            assert_type(scoped, Sandbox)
        assert_type(daytona.sandboxes.get(sb.id), Sandbox)
        assert_type(daytona.list(labels={"team": "a"}), list[Sandbox])
        assert_type(sb.id, str)
        assert_type(sb.state, str | None)
        assert_type(sb.refresh(), Sandbox)
        assert_type(sb.stop(timeout=5), Sandbox)
        assert_type(sb.delete(wait=True), None)

        assert_type(sb.fs, SyncFileSystem)
        assert_type(sb.process, SyncProcess)
        assert_type(sb.git, SyncGit)
        assert_type(sb.lsp("python", "/home/daytona"), SyncLspServer)
        with sb.lsp("python", "/home/daytona") as lsp:
            assert_type(lsp, SyncLspServer)

        result = sb.process.exec("echo hi", timeout=10)
        assert_type(result, ExecResult)
        assert_type(result.exit_code, int)
        assert_type(result.output, str)
        handle = sb.process.start("session", "sleep 1")
        assert_type(handle, SyncCommandHandle)
        assert_type(handle.wait(), int)
        assert_type(handle.exit_code, int | None)
        assert_type(handle.refresh(), Command)
        assert_type(handle.output(lines=True), SyncIterator[str])
        for line in handle.output(lines=True):
            assert_type(line, str)
        with handle.output_bytes() as chunks:
            assert_type(next(chunks), bytes)

        sb.fs.upload(b"data", "file.txt", progress=lambda done, total: None)
        assert_type(sb.fs.download_bytes("file.txt"), bytes)
        assert_type(sb.fs.download("file.txt", "/tmp/f"), str)
        assert_type(sb.fs.list("."), list[FileInfo])
        with sb.fs.stream("file.txt") as stream:
            assert_type(stream, SyncDownloadStream)
            assert_type(stream.size, int | None)
            for chunk in stream:
                assert_type(chunk, bytes)
        assert_type(sb.git.status("repo"), GitStatus)
        assert_type(sb.preview_link(3000), PortPreviewUrl)
        for log in sb.follow_build_logs():
            assert_type(log, str)

        assert_type(daytona.snapshots.get("name"), SnapshotDto)
        assert_type(daytona.snapshots.page(), PaginatedSnapshotsDto)
        snaps = daytona.snapshots.list()
        assert_type(snaps, SyncIterator[SnapshotDto])
        plain: Iterator[SnapshotDto] = snaps
        assert_type(next(plain), SnapshotDto)
        assert_type(daytona.volumes.get("v"), VolumeDto)
        assert_type(daytona.gather(lambda n: n * 2, [1, 2]), list[int])
        try:
            daytona.get("x")
        except (NotFoundError, ClientClosedError) as err:
            print(err)
