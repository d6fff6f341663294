"""Transfers under faults a real server cannot easily produce, over a scripted MockTransport:

- a download body shorter than its ``Content-Length`` that ends cleanly (no transport error):
  only the SDK's own length check catches it — typed error, nothing at the destination, for
  ``download()``, ``download_bytes()`` and ``stream()``;
- resuming: the ``Range``/``If-Range`` request, a server that ignores the range, a file that
  changed in between;
- uploads: retried when the source can be replayed (bytes, path, seekable file), never when it
  is a one-shot iterable (and the error says why).
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from daytona_async import AsyncDaytona
from daytona_async._fs import MAX_RESUMES
from daytona_async.errors import APIConnectionError, APIStatusError

from .test_fs_unit import SANDBOX

pytestmark = pytest.mark.anyio

DATA = bytes(range(256)) * 40  # 10240 bytes
CUT = 4000
Handler = Callable[[httpx.Request, bytes], httpx.Response]


class Server:
    """Answers the sandbox lookup itself and hands every other request to ``handler``."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[tuple[httpx.Request, bytes]] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        body = b""
        async for chunk in request.stream:  # type: ignore[union-attr]
            body += chunk
        if request.url.path == "/api/sandbox/sb-1":
            return httpx.Response(200, json=SANDBOX)
        self.requests.append((request, body))
        return self.handler(request, body)

    def downloads(self) -> list[httpx.Request]:
        return [r for r, _ in self.requests if r.url.path.endswith("/files/download")]

    def uploads(self) -> list[bytes]:
        return [b for r, b in self.requests if r.url.path.endswith("/files/bulk-upload")]


def entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def read(path: str | Path) -> bytes:
    return Path(path).read_bytes()


async def open_sandbox(server: Server) -> tuple[AsyncDaytona, Any]:
    daytona = AsyncDaytona(
        api_key="k", api_url="http://test/api", transport=httpx.MockTransport(server)
    )
    return daytona, await daytona.get("sb-1")


def short(
    headers: dict[str, str] | None = None, status: int = 200, start: int = 0, cut: int = CUT
) -> httpx.Response:
    """``DATA[start:]`` announced whole but cut after ``cut`` bytes, ending cleanly."""
    full = DATA[start:]
    h = {"Content-Length": str(len(full)), "Content-Type": "application/octet-stream"}
    if status == 206:
        h["Content-Range"] = f"bytes {start}-{len(DATA) - 1}/{len(DATA)}"
    return httpx.Response(status, headers={**h, **(headers or {})}, content=full[:cut])


async def every_download_form(
    sb: Any, tmp_path: Path, resumed: bool = False
) -> list[BaseException]:
    """Run download(), download_bytes() and stream(); return the three errors."""
    errors: list[BaseException] = []
    dst = tmp_path / "out.bin"
    received = CUT if not resumed else CUT + 100 * MAX_RESUMES
    with pytest.raises(APIConnectionError) as e1:
        await sb.fs.download("/f.bin", dst)
    errors.append(e1.value)
    assert not dst.exists() and entries(tmp_path) == []
    with pytest.raises(APIConnectionError) as e2:
        await sb.fs.download_bytes("/f.bin")
    errors.append(e2.value)
    got = bytearray()
    with pytest.raises(APIConnectionError) as e3:
        async with sb.fs.stream("/f.bin") as s:
            async for chunk in s:
                got += chunk
    errors.append(e3.value)
    assert bytes(got) == DATA[:received]
    return errors


async def test_truncated_download_is_refused_by_the_sdk_length_check(tmp_path: Path) -> None:
    """No validator: nothing to resume with; the short body is an error, never a file."""
    server = Server(lambda request, body: short())
    daytona, sb = await open_sandbox(server)
    async with daytona:
        errors = await every_download_form(sb, tmp_path)
    for err in errors:
        assert f"ended after {CUT} of {len(DATA)} bytes" in str(err)
    assert len(server.downloads()) == 3  # one request each: no resume without a validator


async def test_truncated_again_and_again_gives_up_after_max_resumes(tmp_path: Path) -> None:
    def handler(request: httpx.Request, body: bytes) -> httpx.Response:
        rng = request.headers.get("range")
        if rng is None:
            return short({"ETag": '"v1"'})
        return short({"ETag": '"v1"'}, status=206, start=int(rng[6:-1]), cut=100)

    server = Server(handler)
    daytona, sb = await open_sandbox(server)
    async with daytona:
        await every_download_form(sb, tmp_path, resumed=True)
    # each form: the first request and MAX_RESUMES ranged ones, each 100 bytes further
    assert len(server.downloads()) == 3 * (MAX_RESUMES + 1)
    ranges = [r.headers.get("range") for r in server.downloads()[: MAX_RESUMES + 1]]
    assert ranges == [None] + [f"bytes={CUT + 100 * i}-" for i in range(MAX_RESUMES)]


async def test_resume_sends_range_and_if_range(tmp_path: Path) -> None:
    def handler(request: httpx.Request, body: bytes) -> httpx.Response:
        rng = request.headers.get("range")
        if rng is None:
            return short({"ETag": '"v1"', "Last-Modified": "Mon, 30 Nov 2026 10:00:00 GMT"})
        start = int(rng[6:-1])
        return httpx.Response(
            206,
            headers={
                "Content-Range": f"bytes {start}-{len(DATA) - 1}/{len(DATA)}",
                "ETag": '"v1"',
            },
            content=DATA[start:],
        )

    server = Server(handler)
    daytona, sb = await open_sandbox(server)
    async with daytona:
        assert await sb.fs.download_bytes("/f.bin") == DATA
        out = await sb.fs.download("/f.bin", tmp_path / "f.bin")
        assert read(out) == DATA
    resumed = server.downloads()[1]
    assert resumed.headers["range"] == f"bytes={CUT}-"
    assert resumed.headers["if-range"] == '"v1"'
    assert resumed.url.params["path"] == "/f.bin"


async def test_server_ignoring_the_range_is_read_again_and_skipped() -> None:
    def handler(request: httpx.Request, body: bytes) -> httpx.Response:
        if request.headers.get("range") is None:
            return short({"Last-Modified": "Mon, 30 Nov 2026 10:00:00 GMT"})
        headers = {"Last-Modified": "Mon, 30 Nov 2026 10:00:00 GMT"}
        return httpx.Response(200, headers=headers, content=DATA)

    server = Server(handler)
    daytona, sb = await open_sandbox(server)
    async with daytona:
        async with sb.fs.stream("/f.bin") as s:
            got = b"".join([c async for c in s])
    assert got == DATA and s.resumes == 1


async def test_file_changed_between_attempts_is_an_error(tmp_path: Path) -> None:
    def handler(request: httpx.Request, body: bytes) -> httpx.Response:
        if request.headers.get("range") is None:
            return short({"ETag": '"v1"'})
        return httpx.Response(200, headers={"ETag": '"v2"'}, content=DATA[::-1])

    server = Server(handler)
    daytona, sb = await open_sandbox(server)
    async with daytona:
        with pytest.raises(APIConnectionError, match="changed during the download"):
            await sb.fs.download("/f.bin", tmp_path / "f.bin")
    assert entries(tmp_path) == []


# -- uploads ------------------------------------------------------------------------------


def flaky_upload(statuses: list[int]) -> Handler:
    """Bulk uploads answered with ``statuses`` in turn, then 200."""
    pending = list(statuses)

    def handler(request: httpx.Request, body: bytes) -> httpx.Response:
        if request.url.path.endswith("/project-dir"):
            return httpx.Response(200, json={"dir": "/home/daytona"})
        if pending:
            return httpx.Response(pending.pop(0), text="try again")
        return httpx.Response(200)

    return handler


@pytest.mark.parametrize("kind", ["bytes", "path", "seekable file"])
async def test_replayable_upload_is_retried_with_the_same_body(kind: str, tmp_path: Path) -> None:
    payload = bytes(range(256)) * 5000  # 1.28 MB: two chunks
    src: Any
    if kind == "bytes":
        src = payload
    elif kind == "path":
        src = tmp_path / "src.bin"
        src.write_bytes(payload)
    else:
        src = io.BytesIO(b"skip" + payload)
        src.seek(4)  # uploaded from where it stands
    server = Server(flaky_upload([503, 500]))
    daytona, sb = await open_sandbox(server)
    async with daytona:
        await sb.fs.upload(src, "/dst.bin")
    bodies = server.uploads()
    assert len(bodies) == 3
    assert bodies[0] == bodies[1] == bodies[2]
    assert payload in bodies[2]


async def test_one_shot_upload_is_not_retried_and_says_why() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"one "
        yield b"shot"

    server = Server(flaky_upload([503]))
    daytona, sb = await open_sandbox(server)
    async with daytona:
        with pytest.raises(APIStatusError) as info:
            await sb.fs.upload(chunks(), "/dst.bin")
    assert info.value.status_code == 503
    assert any("one-shot" in note for note in info.value.__notes__)
    assert len(server.uploads()) == 1


async def test_compressed_download_is_not_measured_by_its_encoded_length() -> None:
    import gzip

    def handler(request: httpx.Request, body: bytes) -> httpx.Response:
        packed = gzip.compress(DATA)
        headers = {"Content-Encoding": "gzip", "ETag": '"v1"'}
        return httpx.Response(200, headers=headers, content=packed)

    server = Server(handler)
    daytona, sb = await open_sandbox(server)
    async with daytona:
        assert await sb.fs.download_bytes("/f.bin") == DATA
    assert len(server.downloads()) == 1
