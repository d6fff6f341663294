"""The normal round trips of the battery against real servers: uvicorn (h11 and httptools
parsers), hypercorn and aiohttp.web, each serving a small fake of the API, each on every
transport the SDK ships, through the public API: typed GETs (list, get), a POST with a JSON
body, a multipart upload, a streamed (chunked) download, and keep-alive (consecutive calls
share one connection, as the server sees it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from daytona_async import AsyncDaytona

from .servers import (
    DOWNLOAD_PIECES,
    PIECE,
    SANDBOX_ID,
    AiohttpServer,
    AsgiServer,
)

pytestmark = pytest.mark.anyio

SERVERS = ["uvicorn-h11", "uvicorn-httptools", "hypercorn", "aiohttp.web"]


@pytest.fixture(scope="module", params=SERVERS)
def server(request: pytest.FixtureRequest) -> Iterator[Any]:
    kind = str(request.param)
    running: AsgiServer | AiohttpServer = (
        AiohttpServer() if kind == "aiohttp.web" else AsgiServer(kind)
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


async def test_round_trips(server: Any, client_kwargs: dict[str, Any]) -> None:
    seen = server.seen
    first = len(seen.requests)
    async with AsyncDaytona(api_url=server.api_url, **client_kwargs) as daytona:
        # typed GETs, one after another: one kept-alive connection
        for _ in range(3):
            assert [s.id for s in await daytona.list()] == [SANDBOX_ID]
        sandbox = await daytona.get(SANDBOX_ID)
        assert sandbox.id == SANDBOX_ID and sandbox.labels == {"battery": "yes"}
        # a POST with a JSON body, answered by a typed model
        volume = await daytona.volumes.create("battery-volume")
        assert volume.name == "battery-volume" and volume.id == "vol-battery-volume"
        # a streamed multipart upload (its body as the server received it)
        payload = bytes(range(256)) * 4096  # 1 MiB
        await sandbox.fs.upload(payload, "/tmp/up.bin")
        # a streamed download of a chunked answer
        data = await sandbox.fs.download_bytes("/tmp/down.bin")
        assert data == PIECE * DOWNLOAD_PIECES
    mine = seen.requests[first:]
    assert [(m, p) for m, p, _, _ in mine] == [
        ("GET", "/api/sandbox"),
        ("GET", "/api/sandbox"),
        ("GET", "/api/sandbox"),
        ("GET", f"/api/sandbox/{SANDBOX_ID}"),
        ("POST", "/api/volumes"),
        ("POST", f"/api/toolbox/{SANDBOX_ID}/toolbox/files/bulk-upload"),
        ("GET", f"/api/toolbox/{SANDBOX_ID}/toolbox/files/download"),
    ]
    # keep-alive: every call of this sequence on the connection the first one opened
    assert len({port for _, _, port, _ in mine}) == 1
    upload_size = mine[5][3]
    assert upload_size > len(payload)  # the file and its multipart framing
