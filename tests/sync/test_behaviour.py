"""The sync face against the emulator over loopback: lifecycle, files, commands, git, errors
and retries — each call running the async implementation through the client's portal."""

from __future__ import annotations

import hashlib
import os
import traceback
from pathlib import Path

import httpx
import pytest
from daytona_api.models import FileInfo, GitStatus, SnapshotDto
from daytona_async import (
    APIStatusError,
    ClientClosedError,
    CommandTimeoutError,
    Daytona,
    InvalidArgumentError,
    NotFoundError,
    Sandbox,
    SandboxStateError,
)
from daytona_async.sync import SyncCommandHandle, SyncDownloadStream
from daytona_emulator.settings import FaultSettings
from daytona_emulator.testing import FAST_CLOCK, EmulatorServer

from .conftest import SECRET_KEY


def _state_on_server(server: EmulatorServer, sandbox_id: str) -> str | None:
    resp = httpx.get(f"{server.base_url}/sandbox/{sandbox_id}", headers=server.headers)
    if resp.status_code == 404:
        return None
    resp.raise_for_status()
    return str(resp.json()["state"])


# -- lifecycle ------------------------------------------------------------------------------


def test_lifecycle_with_waits(daytona: Daytona, emulator: EmulatorServer) -> None:
    sb = daytona.create(labels={"k": "v"}, timeout=30)
    assert isinstance(sb, Sandbox)
    assert sb.state == "started" and sb.labels["k"] == "v"
    assert _state_on_server(emulator, sb.id) == "started"
    assert sb.stop() is sb  # the async refresh/wait return self: so does the twin
    assert sb.state == "stopped" and _state_on_server(emulator, sb.id) == "stopped"
    sb.start()
    assert sb.state == "started"
    assert sb.set_labels({"a": "1", "b": True}) == {"a": "1", "b": "true"}
    sb.set_auto_stop_interval(30)
    assert sb.data.auto_stop_interval == 30
    again = daytona.get(sb.id)
    assert again.id == sb.id and again is not sb and again.labels == {"a": "1", "b": "true"}
    assert [s.id for s in daytona.list(labels={"a": "1"})] == [sb.id]
    assert daytona.find_one(labels={"b": "true"}).id == sb.id
    sb.delete(wait=True)
    assert _state_on_server(emulator, sb.id) in (None, "destroyed")


def test_sandbox_block_deletes_on_exit_and_on_error(
    daytona: Daytona, emulator: EmulatorServer
) -> None:
    with daytona.sandbox() as sb:
        first = sb.id
        assert _state_on_server(emulator, first) == "started"
    assert _state_on_server(emulator, first) in (None, "destroying", "destroyed")

    with pytest.raises(ZeroDivisionError), daytona.sandbox() as sb:
        second = sb.id
        1 / 0  # noqa: B018
    assert _state_on_server(emulator, second) in (None, "destroying", "destroyed")


def test_build_logs_and_failed_build_error_class(daytona: Daytona) -> None:
    lines: list[str] = []
    sb = daytona.create(build="FROM python:3.12-slim\nRUN echo sync\n", on_build_logs=lines.append)
    assert sb.state == "started" and lines
    sb.delete()
    with pytest.raises(SandboxStateError) as info:
        daytona.create(build="RUN exit 1 # no FROM: the build fails\n", timeout=30)
    assert info.value.state == "build_failed"
    daytona.get(info.value.sandbox_id).delete()


def test_resources_and_paginated_listing(daytona: Daytona) -> None:
    snaps = daytona.snapshots.list(page_size=1)
    first = next(snaps)
    assert isinstance(first, SnapshotDto)
    rest = list(snaps)
    page = daytona.snapshots.page(1, 100)
    assert [s.id for s in [first, *rest]] == [s.id for s in page.items]
    assert daytona.snapshots is daytona.snapshots
    vol = daytona.volumes.create("sync-vol")
    assert daytona.volumes.wait_until_ready(vol.id).id == vol.id
    assert "sync-vol" in [v.name for v in daytona.volumes.list()]


# -- files ----------------------------------------------------------------------------------


def test_files_up_and_down_with_progress(sb: Sandbox, tmp_path: Path) -> None:
    data = os.urandom(300_000)
    src = tmp_path / "src.bin"
    src.write_bytes(data)
    seen: list[tuple[int, int | None]] = []
    sb.fs.upload(src, "dir/data.bin", progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (len(data), len(data))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)

    info = sb.fs.info("dir/data.bin")
    assert isinstance(info, FileInfo) and info.size == len(data)
    assert sb.fs.exists("dir/data.bin") and not sb.fs.exists("dir/nothing")

    got: list[int] = []
    dst = sb.fs.download("dir/data.bin", tmp_path / "back.bin", progress=lambda d, t: got.append(d))
    assert hashlib.sha256(Path(dst).read_bytes()).digest() == hashlib.sha256(data).digest()
    assert got[-1] == len(data)
    assert sb.fs.download_bytes("dir/data.bin") == data

    with sb.fs.stream("dir/data.bin") as stream:
        assert isinstance(stream, SyncDownloadStream)
        chunks = list(stream)
        assert stream.received == len(data) and stream.size == len(data)
    assert b"".join(chunks) == data

    sb.fs.upload_many([(b"one", "m/1.txt"), (b"two", "m/2.txt")])
    assert sorted(f.name for f in sb.fs.list("m")) == ["1.txt", "2.txt"]
    sb.fs.move("m/1.txt", "m/3.txt")
    sb.fs.delete("m/2.txt")
    assert [f.name for f in sb.fs.list("m")] == ["3.txt"]


# -- commands -------------------------------------------------------------------------------


def test_exec_and_code_run(sb: Sandbox) -> None:
    result = sb.process.exec('echo "$GREETING" | tr a-z A-Z; exit 4', env={"GREETING": "hi"})
    assert (result.exit_code, result.output) == (4, "HI\n")
    assert sb.process.code_run("import sys; print(sys.argv[1:])", argv=["a b"]).output == (
        "['a b']\n"
    )
    with pytest.raises(CommandTimeoutError):
        sb.process.exec("sleep 5", timeout=1)


def test_session_command_with_live_output(sb: Sandbox) -> None:
    sb.process.create_session("live")
    cmd = sb.process.start(
        "live", "for i in 1 2 3; do echo tick $i; sleep 0.2; done; echo bye >&2; exit 3"
    )
    assert isinstance(cmd, SyncCommandHandle)
    lines = []
    for line in cmd.output(lines=True):
        lines.append(line)
        if len(lines) == 1:
            # the first line arrives while the command still runs: streamed, not buffered
            assert cmd.refresh().id == cmd.id and cmd.exit_code is None
    assert lines == ["tick 1", "tick 2", "tick 3", "bye"]
    assert cmd.wait() == 3 and cmd.exit_code == 3
    assert "tick 3" in cmd.logs()
    assert sb.process.command("live", cmd.id).wait() == 3

    pieces: list[str] = []
    result = sb.process.run("live", "echo a; echo b", on_output=pieces.append, lines=True)
    assert result.exit_code == 0 and pieces == ["a", "b"]
    assert [s.session_id for s in sb.process.list_sessions()] == ["live"]
    sb.process.delete_session("live")


def test_stream_closed_early_releases_it(sb: Sandbox) -> None:
    sb.process.create_session("early")
    cmd = sb.process.start("early", "while true; do echo x; sleep 0.05; done")
    with cmd.output(lines=True) as out:
        assert next(out) == "x"
    assert list(out) == []  # closed: nothing more
    sb.process.delete_session("early")


# -- git ------------------------------------------------------------------------------------

ORIGIN = (
    "set -e; mkdir -p origin && cd origin && git init -q -b main && echo hi > README.md && "
    "git add README.md && git -c user.name=T -c user.email=t@example.com commit -q -m first"
)


def test_git(sb: Sandbox) -> None:
    assert sb.process.exec(ORIGIN).exit_code == 0
    url = "file://" + sb.process.exec("pwd", cwd="origin").output.strip()
    sb.git.clone(url, "repo")
    sb.git.create_branch("repo", "feature")
    sb.fs.upload(b"notes\n", "repo/NOTES.md")
    status = sb.git.status("repo")
    assert isinstance(status, GitStatus)
    assert ("NOTES.md", "Untracked") in [(f.name, str(f.worktree)) for f in status.file_status]
    sb.git.add("repo", ["NOTES.md"])
    sha = sb.git.commit("repo", "add notes", author="T", email="t@example.com")
    assert sha
    assert "feature" in sb.git.branches("repo")
    assert [c.message.strip() for c in sb.git.history("repo")] == ["add notes", "first"]


def test_lsp_block(sb: Sandbox) -> None:
    sb.fs.upload(b"class Greeter:\n    def hello(self):\n        pass\n", "proj/main.py")
    with sb.lsp("python", "proj") as lsp:
        assert lsp.started
        lsp.did_open("proj/main.py")
        names = [s.name for s in lsp.document_symbols("proj/main.py")]
        assert "Greeter" in names
    assert not lsp.started


# -- errors and retries ---------------------------------------------------------------------


def test_errors_are_the_async_classes_with_short_tracebacks(daytona: Daytona) -> None:
    with pytest.raises(NotFoundError) as info:
        daytona.get("no-such-sandbox")
    err = info.value
    assert err.status_code == 404
    frames = traceback.extract_tb(err.__traceback__)
    files = [Path(f.filename).name for f in frames]
    # the test's line, the generated method, one portal frame; then the SDK's own frames
    assert files[0] == Path(__file__).name
    assert files[1:3] == ["sync.py", "_sync_runtime.py"]
    assert files[3] == "_client.py"
    machinery = {"threading.py", "futures", "_base.py", "base_events.py", "tasks.py"}
    assert not machinery & set(files), files
    with pytest.raises(InvalidArgumentError):
        daytona.snapshots.list(page_size=0).__next__()


def test_retries_and_status_errors() -> None:
    flaky = FaultSettings(seed=5, unavailable=0.5, paths=("/snapshots",))
    with (
        EmulatorServer(api_key=SECRET_KEY, faults=flaky, **FAST_CLOCK) as server,
        Daytona(api_key=server.api_key, api_url=server.base_url, max_retries=8) as d,
    ):
        for _ in range(10):  # half the answers are 503: re-sent until one is a 200
            assert d.snapshots.page().items
    down = FaultSettings(unavailable=1.0, paths=("/snapshots",))
    with (
        EmulatorServer(api_key=SECRET_KEY, faults=down, **FAST_CLOCK) as server,
        Daytona(api_key=server.api_key, api_url=server.base_url, max_retries=2) as d,
    ):
        with pytest.raises(APIStatusError) as info:
            d.snapshots.page()
        assert info.value.status_code == 503 and info.value.retries == 2


def test_closed_client_raises_client_closed(emulator: EmulatorServer) -> None:
    d = Daytona(api_key=emulator.api_key, api_url=emulator.base_url)
    d.snapshots.page()
    d.close()
    d.close()  # idempotent
    with pytest.raises(ClientClosedError):
        d.snapshots.page()
    unused = Daytona(api_key=emulator.api_key, api_url=emulator.base_url)
    unused.close()
    with pytest.raises(ClientClosedError):
        unused.list()
