"""sandbox.fs against a recording MockTransport: path resolution, the streamed multipart body
of bulk upload, query parameters of the hand-built calls, search's null list."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from daytona_async import AsyncDaytona
from daytona_async._fs import _mode
from daytona_async.errors import InvalidArgumentError

pytestmark = pytest.mark.anyio

SANDBOX = {
    "id": "sb-1",
    "organizationId": "org-1",
    "snapshot": "s",
    "user": "daytona",
    "env": {},
    "labels": {},
    "public": False,
    "target": "us",
    "cpu": 1,
    "gpu": 0,
    "memory": 1,
    "disk": 3,
    "state": "started",
}


class Recorder:
    def __init__(self) -> None:
        self.requests: list[tuple[httpx.Request, bytes]] = []
        self.project_dir_calls = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        body = b""
        async for chunk in request.stream:  # type: ignore[union-attr]
            body += chunk
        self.requests.append((request, body))
        path = request.url.path
        if path.endswith("/project-dir"):
            self.project_dir_calls += 1
            return httpx.Response(200, json={"dir": "/home/daytona"})
        if path == "/api/sandbox/sb-1":
            return httpx.Response(200, json=SANDBOX)
        if path.endswith("/files/search"):
            return httpx.Response(200, json={"files": None})
        if path.endswith("/files/info"):
            return httpx.Response(
                200,
                json={
                    "name": "x",
                    "isDir": False,
                    "size": 1,
                    "modTime": "t",
                    "mode": "-rw-r--r--",
                    "permissions": "0644",
                    "owner": "1000",
                    "group": "1000",
                },
            )
        if path.endswith("/files/folder"):
            return httpx.Response(201)
        if request.method == "DELETE":
            return httpx.Response(204)
        return httpx.Response(200)

    def last(self, suffix: str) -> tuple[httpx.Request, bytes]:
        for request, body in reversed(self.requests):
            if request.url.path.endswith(suffix):
                return request, body
        raise AssertionError(f"no request to {suffix}")


@pytest.fixture
async def env() -> AsyncIterator[tuple[Any, Recorder]]:
    rec = Recorder()
    async with AsyncDaytona(
        api_key="k", api_url="http://test/api", transport=httpx.MockTransport(rec)
    ) as daytona:
        sb = await daytona.get("sb-1")
        yield sb, rec


async def test_relative_paths_resolve_against_project_dir(env: tuple[Any, Recorder]) -> None:
    sb, rec = env
    await sb.fs.info("a/b.txt")
    assert rec.last("/files/info")[0].url.params["path"] == "/home/daytona/a/b.txt"
    await sb.fs.info("/abs/c")
    assert rec.last("/files/info")[0].url.params["path"] == "/abs/c"
    await sb.fs.mkdir("d", 0o700)
    req = rec.last("/files/folder")[0]
    assert req.url.params["path"] == "/home/daytona/d" and req.url.params["mode"] == "700"
    await sb.fs.move("x", "/y")
    req = rec.last("/files/move")[0]
    assert (req.url.params["source"], req.url.params["destination"]) == ("/home/daytona/x", "/y")
    assert rec.project_dir_calls == 1  # cached per sandbox
    assert sb.fs.sandbox_id == "sb-1"


async def test_delete_recursive_query(env: tuple[Any, Recorder]) -> None:
    sb, rec = env
    await sb.fs.delete("f")
    assert "recursive" not in rec.last("/files")[0].url.params
    await sb.fs.delete("dir", recursive=True)
    req = rec.last("/files")[0]
    assert req.method == "DELETE"
    assert dict(req.url.params) == {"path": "/home/daytona/dir", "recursive": "true"}


async def test_search_null_is_empty_list(env: tuple[Any, Recorder]) -> None:
    sb, _ = env
    assert await sb.fs.search(".", "*.nothing") == []


async def test_bulk_upload_body(env: tuple[Any, Recorder], tmp_path: Any) -> None:
    sb, rec = env
    local = tmp_path / "local.bin"
    payload = bytes(range(256)) * 5000  # spans several 1 MiB chunks? no: 1.28 MB → 2 chunks
    local.write_bytes(payload)

    async def gen() -> AsyncIterator[bytes]:
        yield b"streamed "
        yield b"part"

    progress: list[tuple[int, int | None]] = []
    await sb.fs.upload_many(
        [(str(local), "dir/one.bin"), (b"\r\n--bytes--\r\n", "/abs/two"), (gen(), 'q"uote')],
        progress=lambda done, total: progress.append((done, total)),
    )
    request, body = rec.last("/files/bulk-upload")
    ctype = request.headers["content-type"]
    assert ctype.startswith("multipart/form-data; boundary=")
    assert "content-length" not in request.headers  # an iterable source: chunked
    boundary = ctype.split("boundary=")[1].encode()
    parts = body.split(b"--" + boundary)
    assert parts[0] == b"" and parts[-1] == b"--\r\n"
    names = []
    values = []
    for part in parts[1:-1]:
        head, _, value = part[2:].partition(b"\r\n\r\n")
        names.append(head.split(b'name="')[1].split(b'"')[0].decode())
        values.append(value[:-2])
    assert names == [
        "files[0].path",
        "files[0].file",
        "files[1].path",
        "files[1].file",
        "files[2].path",
        "files[2].file",
    ]
    assert values[0] == b"/home/daytona/dir/one.bin" and values[1] == payload
    assert values[2] == b"/abs/two" and values[3] == b"\r\n--bytes--\r\n"
    assert values[4] == b'/home/daytona/q"uote' and values[5] == b"streamed part"
    assert progress[-1][0] == len(payload) + 13 + 13 and progress[-1][1] is None


async def test_upload_content_length_when_sizes_known(env: tuple[Any, Recorder]) -> None:
    sb, rec = env
    await sb.fs.upload(b"hello", "h.txt")
    request, body = rec.last("/files/bulk-upload")
    assert int(request.headers["content-length"]) == len(body)


async def test_bad_arguments(env: tuple[Any, Recorder]) -> None:
    sb, _ = env
    with pytest.raises(InvalidArgumentError):
        await sb.fs.upload(12, "x")  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        await sb.fs.info("")
    with pytest.raises(InvalidArgumentError):
        await sb.fs.upload("/definitely/not/here", "x")


def test_mode() -> None:
    assert _mode(0o755) == "755"
    assert _mode("0644") == "0644"
    assert _mode("0o600") == "600"
    for bad in ("rwx", "", 0o10000, True, "9"):
        with pytest.raises(InvalidArgumentError):
            _mode(bad)  # type: ignore[arg-type]
    assert json.dumps(_mode(0)) == '"0"'
