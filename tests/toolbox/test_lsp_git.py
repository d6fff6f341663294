"""sandbox.lsp (python-lsp-server in the emulator) and sandbox.git (a local repository)."""

from __future__ import annotations

import shutil
from typing import Any

import anyio
import pytest
from daytona_async._lsp import path_to_uri
from daytona_async.errors import BadRequestError, DaytonaError, InvalidArgumentError

pytestmark = pytest.mark.anyio

SOURCE = b"""import os


def greet(name):
    return "hi " + name


class Greeter:
    def run(self):
        return greet("x")


os.pa
"""


def test_path_to_uri() -> None:
    assert path_to_uri("/home/daytona/a b/ü.py") == "file:///home/daytona/a%20b/%C3%BC.py"


async def test_lsp_session(sandbox: Any) -> None:
    fs = sandbox.fs
    await fs.upload(SOURCE, "proj/main.py")
    async with sandbox.lsp("python", "proj") as lsp:
        assert lsp.started
        await lsp.did_open("proj/main.py")
        symbols = await lsp.document_symbols("proj/main.py")
        names = {s.name for s in symbols}
        assert {"greet", "Greeter"} <= names
        completions = await lsp.completions("proj/main.py", 12, 4)
        assert any(item.label.startswith("path") for item in completions.items)
        with pytest.raises(BadRequestError):
            await lsp.completions("proj/main.py", 0, 4)  # the service's zero-value quirk
        await lsp.did_close("proj/main.py")
    assert not lsp.started


async def test_lsp_stopped_on_error(sandbox: Any) -> None:
    lsp = sandbox.lsp("python", "proj2")
    with pytest.raises(RuntimeError):
        async with lsp:
            raise RuntimeError("boom")
    assert not lsp.started
    with pytest.raises(InvalidArgumentError):
        await lsp.completions("x.py", -1, 0)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
async def test_git_flow(sandbox: Any) -> None:
    p = sandbox.process
    git = sandbox.git
    # a source repository inside the sandbox, on branch main
    r = await p.exec(
        "set -e; mkdir -p origin && cd origin && git init -q -b main && "
        "git config user.email a@b.c && git config user.name A && "
        "echo one > a.txt && git add a.txt && git commit -qm first && "
        "git rev-parse HEAD && pwd"
    )
    assert r.exit_code == 0, r.output
    first, origin = r.output.strip().splitlines()[-2:]
    # the emulator runs git on the host: the clone URL is the origin's host path
    await git.clone(f"file://{origin}", "work")
    status = await git.status("work")
    assert status.current_branch == "main"
    await fs_write(sandbox, "work/b.txt", b"two\n")
    status = await git.status("work")
    assert any(f.name == "b.txt" for f in status.file_status)
    await git.add("work", ["b.txt"])
    sha = await git.commit("work", "second", "Tester", "t@example.com")
    assert len(sha) == 40
    history = await git.history("work")
    assert [c.hash_ for c in history[:2]] == [sha, first]
    await git.create_branch("work", "feature")
    assert sorted(await git.branches("work")) == ["feature", "main"]
    await git.checkout("work", "main")
    await git.delete_branch("work", "feature")
    assert await git.branches("work") == ["main"]
    # a commit_id clone checks out that commit
    await git.clone(f"file://{origin}", "pinned", commit_id=first)
    assert (await git.history("pinned"))[0].hash_ == first
    with pytest.raises(DaytonaError):
        await git.status("not-a-repo")
    with pytest.raises(InvalidArgumentError):
        await git.clone("file:///x", "y", username="u")  # password missing
    assert "secret" not in repr(git)


async def fs_write(sandbox: Any, path: str, data: bytes) -> None:
    with anyio.fail_after(30):
        await sandbox.fs.upload(data, path)
